"""Training callbacks used by the command line: saving, checkpoints, stopping.

Callbacks are plain objects with any of the hooks ``on_train_begin``,
``on_batch_end``, ``on_epoch_end`` and ``on_train_end``, each called with the
live :class:`w2v_numpy.training.loop.TrainState` (see :func:`w2v_numpy.training.loop.train`).

Saving policy (:class:`Checkpointer`)
-------------------------------------
* **Periodic saves** rewrite the model file (and redraw the loss plot) once
  ``save_every`` batches have passed *and* at least ``max(5 s, 30 x the
  duration of the previous save)`` has elapsed since the previous save ended.
  Each save is then followed by at least 30 times its own duration of
  training, so periodic saves cost under 1/31 (about 3%) of the run time
  whatever the model size, while small models are still saved every few
  seconds. (The duration includes redrawing the loss plot.)
  ``save_seconds`` replaces that time floor by a fixed number of seconds
  (``0``: save strictly every ``save_every`` batches).
* **Epoch ends** always save the model and, if ``keep_checkpoints > 0``, keep
  a copy as ``MODEL.epoch.NNNN`` (``NNNN`` = epochs completed), deleting all
  but the newest ``keep_checkpoints`` of them.
* **The end of training** (finished or stopped) always saves and plots.

Every write is atomic, and a model whose parameters hold NaN or inf is never
written: the save raises :class:`w2v_numpy.training.loop.TrainingDiverged` instead, so
the last good file stays on disk.
"""
import contextlib
import os
import signal
import time

from tqdm import tqdm

from ..errors import NonFiniteError
from ..files.atomic import link_or_copy
from ..files.model_file import checkpoint_path, list_checkpoints
from ..vectors.plotting import plot_loss
from .loop import TrainingDiverged

#: Time floor of the periodic saves, in seconds.
MIN_SAVE_SECONDS = 5.0
#: Training time owed after each save, as a multiple of that save's duration.
SAVE_COST_FACTOR = 30.0
#: A weight larger than this in magnitude means training has blown up, even while every
#: number is still finite. Scores are dot products of two rows; with entries of 1e3 they
#: reach 1e6 and more, where every sigmoid and softmax is saturated and the steps are
#: noise. Healthy weights are far smaller: after one epoch on wiki2m at the CLI defaults
#: (alpha 0.05, dim 100) the largest entry is 3.3 for cbow_neg and 1.5 for sgram_neg
#: (benchmarks/RESULTS.md, "Weight bound").
MAX_WEIGHT = 1e3


def max_abs_weight(params):
    """The largest magnitude of any parameter entry (NaN if any entry is NaN).

    From each table's max and min: ``abs(p).max()`` made a copy of every table at every
    save, and for a large vocabulary that copy set the run's peak memory.
    """
    largest = 0.0
    for p in params.values():
        if p.size == 0:
            continue
        high, low = float(p.max()), float(p.min())
        if high != high or low != low:          # NaN, whichever table holds it
            return float("nan")
        largest = max(largest, high, -low)
    return largest


def log(message):
    """Print a message without breaking a tqdm progress bar."""
    tqdm.write(message)


class Checkpointer:
    """Saves the model periodically, at each epoch end, and when training ends.

    Parameters
    ----------
    w2v : w2v_numpy.word2vec.Word2Vec
        The model being trained; its ``state`` is set to the live state.
    model_file : str
    save_every : int
        Batches between periodic saves (also subject to the time rule above).
    save_seconds : float or None
        Fixed minimum seconds between periodic saves; ``None`` = automatic.
    keep_checkpoints : int
        Per-epoch checkpoints to keep; 0 writes none.
    plot_file : str or None
        Where to draw the loss curve (``None``: no plot).
    meta : dict or None
        Stored in every file written (see :meth:`w2v_numpy.word2vec.Word2Vec.save`).
    """

    def __init__(self, w2v, model_file, save_every=10, save_seconds=None, keep_checkpoints=3,
                 plot_file=None, meta=None):
        self.w2v, self.model_file, self.meta = w2v, os.fspath(model_file), meta
        self.save_every, self.save_seconds = int(save_every), save_seconds
        self.keep, self.plot_file = int(keep_checkpoints), plot_file
        self.pending = 0                     # batches trained since the last save
        self.last_end = time.perf_counter()
        self.last_duration = 0.0
        self.saves, self.save_s = 0, 0.0     # count and total seconds, for reports
        self.saved_at = self.plotted_at = None   # positions of the last model file / plot

    def interval(self):
        """Seconds that must pass after a save before the next periodic one."""
        if self.save_seconds is not None:
            return float(self.save_seconds)
        return max(MIN_SAVE_SECONDS, SAVE_COST_FACTOR * self.last_duration)

    def due(self):
        return time.perf_counter() - self.last_end >= self.interval()

    def on_train_begin(self, state):
        self.w2v.state = state
        self.last_end = time.perf_counter()

    def on_batch_end(self, state):
        self.pending += 1
        if self.pending >= self.save_every and self.due():
            self.save(state)

    def on_epoch_end(self, state):
        self.save(state, plot=self.due())
        if self.keep > 0:
            self.checkpoint(state.epoch)
        log(f"epoch {state.epoch}/{state.epochs}: loss {state.epoch_losses[-1]:.4f}, "
            f"saved {self.model_file}")

    def on_train_end(self, state):
        self.save(state)

    def save(self, state, plot=True):
        """Write the model file (and the plot) unless already written at this position.

        Raises TrainingDiverged, writing nothing, if the parameters are not finite
        or larger than :data:`MAX_WEIGHT` in magnitude.
        """
        t0 = time.perf_counter()
        position = (state.position, len(state.batch_losses))
        write = position != self.saved_at
        draw = plot and self.plot_file and position != self.plotted_at
        if not (write or draw):
            return
        if write:
            self.w2v.state = state
            largest = max_abs_weight(self.w2v.model.params)
            # at an epoch's end the state already points at the next epoch
            epoch = state.epoch if state.position[1:] == (0, 0) and state.epoch else state.epoch + 1
            if largest > MAX_WEIGHT:           # NaN fails this test and is caught below
                raise TrainingDiverged(f"a weight grew to {largest:.3g} in epoch {epoch} "
                                       f"(beyond {MAX_WEIGHT:g}, where training has blown up)")
            try:
                self.w2v.save(self.model_file, meta=self.meta)
            except NonFiniteError:
                raise TrainingDiverged(f"the parameters became NaN or inf in epoch "
                                       f"{epoch}") from None
            self.saved_at = position
        if draw:
            plot_loss(self.plot_file, state.batch_losses, state.epoch_batch_index,
                      title=f"{self.w2v.config['type']}: {os.path.basename(self.model_file)}")
            self.plotted_at = position
        self.last_end = time.perf_counter()
        self.last_duration = self.last_end - t0
        self.pending = 0
        self.saves += 1
        self.save_s += self.last_duration

    def checkpoint(self, epoch):
        """Keep the file just saved as ``MODEL.epoch.NNNN`` and prune older ones."""
        target = checkpoint_path(self.model_file, epoch)
        link_or_copy(self.model_file, target)
        for _, path in list_checkpoints(self.model_file)[:-self.keep]:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)


class StopRequest:
    """Stops training cleanly on SIGINT/SIGTERM (or after a number of batches).

    Used as a context manager around training: it installs signal handlers
    that only set a flag, and training stops after the batch in progress
    (the :class:`Checkpointer` then saves). A second signal raises
    ``KeyboardInterrupt`` at once; the atomic writes keep the last file intact.

    Parameters
    ----------
    after_batches : int or None
        Stop after this many batches of this run (used by the tests to
        interrupt at an exact point).
    """

    def __init__(self, after_batches=None):
        self.after = after_batches
        self.batches = 0
        self.signum = None
        self._old = {}

    @property
    def stopped(self):
        return self.signum is not None or (self.after is not None and self.batches >= self.after)

    def _handle(self, signum, frame):
        if self.signum is not None:
            raise KeyboardInterrupt
        self.signum = signum
        log(f"\n{signal.Signals(signum).name}: stopping after this batch and saving "
            "(press Ctrl-C again to quit at once)")

    def __enter__(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError):   # not the main thread: no handlers
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc):
        for sig, handler in self._old.items():
            signal.signal(sig, handler)
        self._old.clear()

    def on_batch_end(self, state):
        self.batches += 1
        if self.stopped:
            state.stop = True
