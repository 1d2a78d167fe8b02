"""Training with several worker processes that share the parameters (Hogwild).

word2vec.c and gensim train with several threads that update one set of
vectors without locks: two threads rarely touch the same row at the same
moment, and a lost update now and then does not hurt SGD. Python threads
cannot do that well here, because every NumPy call of a batch starts and
ends under the interpreter lock (measured in benchmarks/RESULTS.md). So the
workers are forked processes, and the parameters live in anonymous shared
memory (``mmap``), which a forked child maps at the same place: every worker
updates the very arrays the parent saves.

The corpus chunks of an epoch are dealt out in *rounds* of ``workers``
chunks: in round ``r`` worker ``i`` trains chunk ``r * workers + i`` with the
batcher's usual batches, and the next round starts when all of them are
done. Between rounds the training position is exact (``(epoch, first chunk
of the next round, 0)``), so a save there resumes exactly where it stopped;
a save inside a round records the round's start, and resuming trains that
round's chunks again. Each worker sets its learning rate from the words all
workers have done so far (a shared counter), as word2vec.c does.

What is not reproducible with ``workers > 1``: the order in which workers'
updates land, hence the last bits of the parameters and the losses. The
batches themselves (examples, negatives) are the same as with one worker.
"""
import contextlib
import mmap
import multiprocessing
import os
import queue as queues
import signal

import numpy as np

from .. import kernels
from ..backend import share_safe_scatter
from ..batching.producer import (START_METHOD,  # noqa: F401 (can_fork: callers ask here too)
                                 can_fork)

#: Whether workers add their updates element by element, so that no worker
#: overwrites another's (see :func:`w2v_numpy.backend.share_safe_scatter`).
SAFE_SCATTER = True


def available_workers():
    """Cores this process may run on (the default of ``workers``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # not on Linux
        return os.cpu_count() or 1


def one_blas_thread():
    """A context in which BLAS uses one thread (``threadpoolctl``, the ``fast`` extra),
    for training that runs more than one of our own processes.

    The matrix products of a word2vec step are small. OpenBLAS still splits
    them over every core, and its threads wait busily for one another, so
    they take the core that the batch producer (:mod:`w2v_numpy.batching.producer`) or
    the other workers need: on this 2-core machine the producer gained nothing
    with two BLAS threads and 1.13x with one (benchmarks/RESULTS.md). Forked
    processes keep the setting. Without ``threadpoolctl``, nothing changes
    (``OPENBLAS_NUM_THREADS=1`` in the environment does the same).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def shared_array(a):
    """A copy of ``a`` in anonymous shared memory, which forked children share."""
    a = np.asarray(a)
    buf = mmap.mmap(-1, max(a.nbytes, 1))
    out = np.frombuffer(buf, dtype=a.dtype, count=a.size).reshape(a.shape)
    out[...] = a
    return out


class WorkerDied(RuntimeError):
    """A worker process ended without reporting (killed by a signal, or ``os._exit``).

    ``worker`` is its number in the round (0-based), ``chunk`` the corpus chunk it
    trained, ``exitcode`` the process's (``-N``: killed by signal N).
    """

    def __init__(self, worker, chunk, exitcode):
        self.worker, self.chunk, self.exitcode = worker, chunk, exitcode
        super().__init__(f"worker {worker + 1} (corpus chunk {chunk}) {self.how}")

    @property
    def how(self):
        """``"was killed by SIGKILL"`` or ``"exited with code N"``."""
        if self.exitcode is not None and self.exitcode < 0:
            try:
                name = signal.Signals(-self.exitcode).name
            except ValueError:
                name = f"signal {-self.exitcode}"
            hint = " (the out-of-memory killer sends it, too)" if name == "SIGKILL" else ""
            return f"was killed by {name}{hint}"
        return f"exited with code {self.exitcode}"


def _worker(model, batcher, epoch, chunk, slot, done, rate_at, queue, parent, max_row_rate):
    """Train one chunk; report each batch as ``(slot, chunk, words in chunk, n, loss, alpha)``.

    ``rate_at(words)`` is the learning rate once ``words`` tokens of the round are done.
    A worker whose parent is gone (``kill -9``) stops at once: nobody would save
    its work, and once its reports fill the pipe it would wait for ever to hand
    them over.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # the parent decides when to stop,
    signal.signal(signal.SIGTERM, signal.SIG_DFL)    # and stops a worker with SIGTERM
    if SAFE_SCATTER:
        share_safe_scatter()
    begin = int(batcher.chunks[chunk])
    try:
        for c, _, words, batch in batcher.iter_epoch(epoch, chunk):
            if c != chunk:
                break
            if os.getppid() != parent:
                queue.cancel_join_thread()
                os._exit(1)
            rate = rate_at(int(done.sum()))
            loss = kernels.step(model, batch, rate, max_row_rate=max_row_rate)
            done[slot] = words - begin
            queue.put((slot, chunk, words - begin, int(batch.targets.shape[0]), loss, rate))
    except BaseException as exc:                     # report it, the parent raises
        queue.put((slot, chunk, None, 0, repr(exc), 0.0))
    queue.put((slot, chunk, None, 0, None, 0.0))      # this worker's round is over


def parallel_steps(model, batcher, workers, epoch, start_chunk, rate_at, max_row_rate=None):
    """Yield ``(chunk, batch, words, n, loss, alpha)`` per trained batch, as in one worker's loop.

    ``chunk, batch`` is the position to resume from (the start of the round
    in progress, or of the next round once this one is over); ``words`` the
    in-vocabulary tokens of this epoch done so far. ``rate_at(words)`` is the
    learning rate once ``words`` tokens of this epoch are done; ``max_row_rate`` as
    for :func:`w2v_numpy.kernels.step`. The caller must have put ``model.params`` in
    shared memory (:func:`share_params`).
    """
    ctx = multiprocessing.get_context(START_METHOD)
    bounds = batcher.chunks
    for first in range(start_chunk, batcher.n_chunks, workers):
        chunks = list(range(first, min(first + workers, batcher.n_chunks)))
        done = shared_array(np.zeros(len(chunks), dtype=np.int64))
        before = int(bounds[first] - bounds[0])        # tokens of the earlier rounds
        queue = ctx.Queue()
        procs = [ctx.Process(target=_worker, daemon=True,
                             args=(model, batcher, epoch, c, i, done,
                                   lambda words: rate_at(before + words), queue, os.getpid(),
                                   max_row_rate))
                 for i, c in enumerate(chunks)]
        for p in procs:
            p.start()
        try:
            progress, running, held = [0] * len(chunks), len(chunks), None
            while running:
                try:
                    slot, chunk, words, n, loss, rate = queue.get(timeout=1.0)
                except queues.Empty:
                    dead = [i for i, p in enumerate(procs) if p.exitcode not in (None, 0)]
                    if dead:                           # killed before it could say so
                        raise WorkerDied(dead[0], chunks[dead[0]], procs[dead[0]].exitcode)
                    continue
                if words is None:
                    if loss is not None:
                        raise RuntimeError(f"worker for chunk {chunk} failed: {loss}")
                    running -= 1
                    continue
                progress[slot] = words
                if held is not None:
                    yield held
                held = (first, 0, before + sum(progress), n, loss, rate)
            if held is not None:                       # the round is over: resume after it
                yield (first + len(chunks), 0) + held[2:]
        finally:
            for p in procs:
                if p.is_alive():
                    p.terminate()
                p.join()


def share_params(model):
    """Move ``model.params`` into shared memory, in place.

    They stay there after training: shared memory behaves as an ordinary array, and
    copying the tables back once the workers were gone held two copies of a table at
    the end of the run (82 MB more than one worker at 220,000 words).
    """
    for name, value in model.params.items():
        model.params[name] = shared_array(value)


