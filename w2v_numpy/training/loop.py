"""The one training loop used by every model.

It walks the batcher epoch by epoch, decays the learning rate linearly,
records float64 mean losses, shows a tqdm progress bar and calls callbacks.
Saving, checkpointing and plotting are callbacks (see the CLI), so the loop
itself stays small.
"""
import math
import time
from contextlib import closing, nullcontext
from dataclasses import dataclass, field, fields
from functools import partial

import numpy as np
from tqdm import tqdm

from .. import kernels
from ..backend import asarray, get_xp
from ..batching import WindowBatcher
from ..batching.producer import can_fork, prefetched, wanted
from ..errors import W2VError
from .policy import MAX_ROW_RATE
from .workers import available_workers, one_blas_thread, parallel_steps, share_params


class TrainingDiverged(RuntimeError):
    """The loss or the parameters became NaN or infinite; they are no longer usable.

    ``what`` says where it happened; the message adds the usual remedy (a
    smaller ``alpha``).
    """

    def __init__(self, what):
        super().__init__(f"{what}; try a smaller alpha")
        self.what = what


@dataclass
class TrainState:
    """Where training is, handed to every callback.

    ``position`` is ``(epoch, chunk, batch)`` of the *next* batch to train:
    passing the state back to :func:`train` as ``state=`` resumes exactly there.
    A callback may set ``stop = True`` to end training after this batch.
    """

    epochs: int
    epoch: int = 0
    chunk: int = 0
    batch: int = 0
    alpha: float = 0.0
    batch_loss: float = float("nan")     # mean per example, this batch
    examples: int = 0                     # examples trained, whole run
    words_done: int = 0                   # in-vocabulary tokens consumed, whole run
    epoch_loss_sum: float = 0.0
    epoch_examples: int = 0
    batch_losses: list = field(default_factory=list)   # per-batch means (float)
    epoch_losses: list = field(default_factory=list)   # per-epoch means (float)
    epoch_batch_index: list = field(default_factory=list)  # len(batch_losses) at each epoch end
    train_s: float = 0.0
    stop: bool = False

    @property
    def position(self):
        return (self.epoch, self.chunk, self.batch)

    def to_fields(self):
        """The fields a model file stores (all but ``stop``)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "stop"}

    @classmethod
    def from_fields(cls, stored):
        """The state of a model file's fields; W2VError for a negative position."""
        names = {f.name for f in fields(cls)} - {"stop"}
        state = cls(**{k: v for k, v in stored.items() if k in names})
        if min(state.epoch, state.chunk, state.batch, state.words_done, state.examples) < 0:
            raise W2VError("negative training position")
        return state


def alpha_at(progress, alpha, min_alpha):
    """Linear decay from ``alpha`` (progress 0) to ``min_alpha`` (progress 1)."""
    return max(min_alpha, alpha - (alpha - min_alpha) * progress)


def _call(callbacks, hook, state):
    for cb in callbacks:
        fn = getattr(cb, hook, None)
        if fn is not None:
            fn(state)


def _to_backend(batch):
    """The batch's arrays on the active backend (a nested record such as ``draws`` too)."""
    if get_xp() is np:
        return batch

    def move(a):
        if a is None or isinstance(a, (int, bool)):
            return a
        return type(a)(*map(move, a)) if isinstance(a, tuple) else asarray(a)

    return move(batch)


def _steps(step, model, batcher, state, workers, rate_at, produce=False, plan_fn=None,
           max_row_rate=None):
    """Train the rest of ``state.epoch`` with ``step(batch, alpha)``; yield ``(chunk, batch,
    words, n, loss, alpha)`` per batch, with ``chunk, batch`` the position to resume from.
    With ``produce`` the batches come from a producer process (:mod:`.prefetch`), with
    their plans from ``plan_fn`` if given (:func:`w2v_numpy.kernels.step_plans`), and
    ``step(batch, alpha, plans, crowded)`` gets those."""
    if workers > 1 and state.batch == 0:
        yield from parallel_steps(model, batcher, workers, state.epoch, state.chunk, rate_at,
                                  max_row_rate)
        return
    start = (state.epoch, state.chunk, state.batch)
    items = prefetched(batcher, start, plan_fn) if produce \
        else ((item, None) for item in batcher.iter_epoch(*start))
    try:
        for (chunk, b, words, batch), plans in items:
            rate = rate_at(state.words_done - state.epoch * batcher.words_per_epoch)
            loss = step(_to_backend(batch), rate, *plans) if plans else step(_to_backend(batch), rate)
            yield chunk, b + 1, words, batch.size, loss, rate
    finally:
        items.close()


def _train_epoch(steps, state, per_epoch, bar, t0, callbacks):
    """Run ``steps`` (of :func:`_steps`), recording each batch in ``state``; ``True`` if
    the epoch is over (``state`` then points at the next), ``False`` if a callback stopped."""
    epoch_base = state.epoch * per_epoch
    with closing(steps):
        for chunk, b, words, n, loss, state.alpha in steps:
            if not math.isfinite(loss):
                raise TrainingDiverged(
                    f"the loss became {loss} at epoch {state.epoch + 1}, batch "
                    f"{len(state.batch_losses) + 1} (alpha={state.alpha:.4g})")
            state.batch_loss = loss / n
            state.batch_losses.append(state.batch_loss)
            state.epoch_loss_sum += loss
            state.epoch_examples += n
            state.examples += n
            bar.update(epoch_base + words - state.words_done)
            state.words_done = epoch_base + words
            state.chunk, state.batch = chunk, b
            state.train_s = time.perf_counter() - t0
            bar.set_postfix(loss=f"{state.batch_loss:.4f}", alpha=f"{state.alpha:.5f}", refresh=False)
            _call(callbacks, "on_batch_end", state)
            if state.stop:
                return False
    if state.epoch_examples == 0:
        raise W2VError("a whole epoch made no training example: every word was "
                       "sub-sampled away (raise sample) or no word has a neighbour "
                       "in its line", param="corpus_file")
    state.epoch_losses.append(state.epoch_loss_sum / max(state.epoch_examples, 1))
    state.epoch_batch_index.append(len(state.batch_losses))
    state.epoch, state.chunk, state.batch = state.epoch + 1, 0, 0
    state.epoch_loss_sum, state.epoch_examples = 0.0, 0
    state.words_done = state.epoch * per_epoch
    state.train_s = time.perf_counter() - t0
    return True


def usable_workers(workers, batcher):
    """``workers`` (``None``: every core), but 1 where processes cannot help: a corpus
    of one chunk, or a backend other than NumPy, or no ``fork``."""
    workers = available_workers() if workers is None else int(workers)
    if workers < 1:
        raise W2VError(f"must be >= 1, got {workers}", param="workers")
    if get_xp() is not np or not can_fork():
        return 1
    return max(1, min(workers, batcher.n_chunks))


def training_workers(model, batcher, workers, optimizer=None):
    """How many processes :func:`train` uses: :func:`usable_workers` for the word2vec
    objectives; one for an outside optimiser (its state is not shared), for subword inputs
    (their merged-row updates are plain indexed adds, which concurrent workers would lose)
    and for batches that are not word windows (GloVe's entries, the classifier's documents)."""
    if optimizer is not None or model.input_layer != "words" \
            or model.batch_family not in WindowBatcher.FAMILIES:
        return 1
    return usable_workers(workers, batcher)


def train(model, batcher, epochs=5, alpha=0.025, min_alpha=0.0001, callbacks=(),
          progress=True, state=None, workers=1, optimizer=None, prefetch=None,
          max_row_rate=MAX_ROW_RATE):
    """Train ``model`` in place on the batches of ``batcher``.

    Parameters
    ----------
    model : w2v_numpy.models.Model
    batcher : w2v_numpy.batching.WindowBatcher or w2v_numpy.batching.cooccurrence_batcher.CooccurrenceBatcher
        Must be built for ``model.batch_family``. Its ``words_per_epoch`` is the
        unit of progress and of the learning-rate schedule (corpus words, or
        co-occurrence entries for GloVe).
    epochs : int
    alpha, min_alpha : float
        Per-example learning rate, decayed linearly over all epochs by the
        fraction of corpus words consumed (as word2vec.c does).
    callbacks : sequence
        Objects with any of ``on_train_begin``, ``on_batch_end``,
        ``on_epoch_end``, ``on_train_end``; each receives the :class:`TrainState`.
    progress : bool
        Show a tqdm bar (words/s, loss, alpha, ETA).
    state : TrainState or None
        A state saved earlier, to resume from ``state.position``.
    workers : int or None
        Processes that train at once on shared parameters (``None``: every
        core; see :mod:`w2v_numpy.training.workers` and :func:`usable_workers`). Only
        ``workers=1`` is reproducible to the bit and resumes at any batch.
    optimizer : object with ``step(batch, alpha)``, optional
        Replaces the model's own SGD ``step`` (GloVe trains with
        :class:`w2v_numpy.training.adagrad.AdaGrad`); training then uses one process, as it
        does for models with subword inputs.
    prefetch : bool or None
        With one worker, make the batches (and the step's row plans, counts and prepared
        work: :func:`w2v_numpy.kernels.step_plans`, or an optimizer's ``step_plans``) in a
        second process while this one trains (:mod:`w2v_numpy.batching.producer`); the
        result is the same to the bit. ``None``: where the batcher's
        ``prefetch_by_default`` says so (word windows, GloVe's entries) and an epoch
        has at least :data:`w2v_numpy.batching.producer.MIN_WORDS` words, on the NumPy backend.

    max_row_rate : float or None
        The largest effective learning rate of a row that many examples of a batch
        update (:func:`w2v_numpy.models.base.bound_crowded_rows`; the policy table's
        :data:`~w2v_numpy.training.policy.MAX_ROW_RATE` by default); ``None``: plain
        summed SGD. Not used with an ``optimizer``.

    Returns
    -------
    TrainState

    Raises
    ------
    TrainingDiverged
        If a batch loss is NaN or infinite (try a smaller ``alpha``).
    W2VError
        If an epoch yields no training example at all, or ``workers < 1``.
    """
    if int(epochs) < 1:
        raise W2VError(f"must be >= 1, got {epochs}", param="epochs")
    if not alpha > 0 or min_alpha < 0:
        raise W2VError(f"alpha must be > 0 and min_alpha >= 0, got {alpha}, {min_alpha}")
    if batcher.family != model.batch_family:
        raise W2VError(f"batcher family {batcher.family!r} does not fit model {model.type_name!r}")
    if (batcher.negative > 0) != model.uses_negatives:
        raise W2VError(f"{model.type_name}: negative={batcher.negative} does not fit this model")
    step = partial(kernels.step, model, max_row_rate=max_row_rate) if optimizer is None \
        else optimizer.step
    workers = training_workers(model, batcher, workers, optimizer)
    produce = workers == 1 and wanted(prefetch, batcher)
    plan_fn = None if not produce else partial(kernels.step_plans, model) if optimizer is None \
        else getattr(optimizer, "step_plans", None)
    state = state or TrainState(epochs=int(epochs))
    state.epochs, state.stop = int(epochs), False
    per_epoch = batcher.words_per_epoch
    total = per_epoch * state.epochs
    bar = tqdm(total=total, initial=min(state.words_done, total), unit_scale=True,
               unit=getattr(batcher, "progress_unit", "w"),
               disable=not progress, dynamic_ncols=True, mininterval=0.5)
    _call(callbacks, "on_train_begin", state)
    t0 = time.perf_counter() - state.train_s
    if workers > 1:
        share_params(model)
    blas = one_blas_thread() if workers > 1 or produce else nullcontext()
    try:
        # a blow-up is reported by TrainingDiverged; numpy's overflow warnings would only be noise
        with blas, np.errstate(over="ignore", invalid="ignore"):
            while state.epoch < state.epochs and not state.stop:
                epoch_base = state.epoch * per_epoch

                def rate_at(words, base=epoch_base):
                    return alpha_at((base + words) / total, alpha, min_alpha)

                steps = _steps(step, model, batcher, state, workers, rate_at, produce, plan_fn,
                               max_row_rate)
                if _train_epoch(steps, state, per_epoch, bar, t0, callbacks):
                    _call(callbacks, "on_epoch_end", state)
    finally:
        bar.close()
    _call(callbacks, "on_train_end", state)
    return state
