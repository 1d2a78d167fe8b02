"""Batches made by a second process while this one trains (``workers=1``).

Making a batch (sub-sampling, reduced windows, negatives) does not touch the
parameters, and neither does the bookkeeping of its scatter-adds (a
:class:`~w2v_numpy.backend.RowPlan`: a sort of the rows the step will update).
On wiki2m they were about a fifth of a ``cbow_neg`` or ``sgram_neg`` epoch
with one process. So a forked *producer* runs the batcher ahead, makes each
batch's plans with :func:`w2v_numpy.kernels.step_plans` (the row plans and the rows' counts)
and hands both over; the trainer only trains. word2vec.c and gensim
do the same with a reader thread; here a thread would wait for the interpreter
lock that every small NumPy call of the step holds.

Nothing about the result changes: the producer runs the very batcher the
trainer would, from the same position, so the batches, the updates and the
resume positions are those of the one-process loop, to the bit. The producer
stops when the epoch is done, when the trainer stops early (``close()`` of
the generator) and when the trainer's process is gone.

The arrays do not go through the pipe: pickled through a pipe, a batch and
its plans (about 160 kB) cost the trainer about 0.25 ms to receive, a seventh
of a ``cbow_neg`` step. The producer copies them into one of :data:`DEPTH`
slots of shared memory and sends only the pickle's small remainder and where
each array lies (pickle protocol 5's out-of-band buffers); the trainer's
arrays are views of the slot. A slot is handed back when the trainer asks for
the next batch, so a batch must not be kept past that (the training loop
does not keep it).
"""
import io
import mmap
import multiprocessing
import os
import pickle
import signal

import numpy as np

from ..backend import get_xp

#: The start method of our processes (the producer, the training workers): they inherit
#: the corpus and the shared arrays.
START_METHOD = "fork"

#: Batches the producer may make ahead of the trainer (slots of shared memory).
DEPTH = 32
#: Bytes of one slot; a batch whose arrays do not fit goes through the pipe whole.
SLOT_BYTES = 2 << 20
#: Corpus words per epoch from which ``prefetch=None`` starts a producer: below, the
#: fork costs about what it saves.
MIN_WORDS = 500_000
_ALIGN = 64
_DONE = "done"


def can_fork():
    """Whether this platform can fork (the producer and the training workers need it)."""
    return START_METHOD in multiprocessing.get_all_start_methods()


def wanted(prefetch, batcher):
    """Whether :func:`w2v_numpy.training.loop.train` uses a producer: ``prefetch`` True/False,
    or ``None`` (auto): for a batcher whose ``prefetch_by_default`` says so (word windows
    and GloVe's entries, whose row plans come along: where it was measured to pay) and an
    epoch of at least :data:`MIN_WORDS` words (entries). Never on a
    backend other than NumPy (no fork after a GPU context), without ``fork``, or in
    a daemonic process (which may not have children)."""
    if get_xp() is not np or not can_fork() or multiprocessing.current_process().daemon:
        return False
    if prefetch is None:
        return getattr(batcher, "prefetch_by_default", False) \
            and getattr(batcher, "words_per_epoch", 0) >= MIN_WORDS
    return bool(prefetch)


class _Pickler(pickle.Pickler):
    """A pickler whose built-in dtypes come back as NumPy's own instances.

    Why: an unpickled array's dtype is a new ``dtype`` object equal to, but not
    the same object as, ``np.dtype(np.float32)``, and arithmetic passes it on to
    every result. ``np.add.at`` treats a dtype that is not the very instance of
    its loop as needing a cast and takes its slow path: the scatter-add's tail
    of a cbow_neg step went from 14 to 288 us a call when the step's arithmetic
    used arrays the producer had prepared. Sent by name (``np.dtype('<f4')``),
    a built-in dtype unpickles to the canonical instance.

    A plain contiguous array of a built-in dtype is sent as the call
    ``np.ndarray(shape, dtype name, buffer)``: NumPy's own reduction rebuilds
    it through a Python function, about three times slower to receive (22
    against 7 us for 20 arrays; a batch with its plans and prepared work has
    20-27).
    """

    def reducer_override(self, obj):
        if isinstance(obj, np.dtype) and obj.isbuiltin:
            return np.dtype, (obj.str,)
        if (type(obj) is np.ndarray and obj.flags.c_contiguous and obj.dtype.isbuiltin
                and not obj.dtype.hasobject):
            return np.ndarray, (obj.shape, obj.dtype.str, pickle.PickleBuffer(obj))
        return NotImplemented


def _dumps(message, **options):
    out = io.BytesIO()
    _Pickler(out, **options).dump(message)
    return out.getvalue()


def _pack(message, slot):
    """``(pickle, [(offset, size)])`` with the array buffers copied into ``slot``; or
    ``(pickle, None)`` with everything in the pickle if they do not fit."""
    buffers = []
    data = _dumps(message, protocol=5, buffer_callback=buffers.append)
    places, at = [], 0
    for buf in buffers:
        raw = buf.raw()
        if at + raw.nbytes > len(slot):
            return _dumps(message, protocol=pickle.HIGHEST_PROTOCOL), None
        slot[at:at + raw.nbytes] = raw
        places.append((at, raw.nbytes))
        at += -(-raw.nbytes // _ALIGN) * _ALIGN
    return data, places


def _produce(batcher, start, plan_fn, slots, free, send, parent):
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the trainer's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        for n, item in enumerate(batcher.iter_epoch(*start)):
            while not free.acquire(timeout=1.0):     # the trainer holds every slot
                if os.getppid() != parent:
                    os._exit(1)
            k = n % len(slots)
            plans = plan_fn(item[-1]) if plan_fn is not None else None
            send.send((k,) + _pack((item, plans), slots[k]))
    except BaseException as exc:                     # the trainer raises it
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError(f"the batch producer failed: {exc!r}")
        send.send(exc)
        return
    send.send(_DONE)


def prefetched(batcher, start, plan_fn=None, depth=DEPTH):
    """Yield ``(item, plans)`` for every ``item`` of ``batcher.iter_epoch(*start)``, made
    by a forked producer; ``plans`` is ``plan_fn(batch)`` (``None`` without one).

    The arrays of an item are views of shared memory that the producer reuses
    once the next item is asked for. An exception in the producer is raised
    here; closing the generator stops it.
    """
    ctx = multiprocessing.get_context(START_METHOD)
    slots = [mmap.mmap(-1, SLOT_BYTES) for _ in range(depth)]
    free = ctx.Semaphore(depth)
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_produce, daemon=True,
                       args=(batcher, start, plan_fn, slots, free, send, os.getpid()))
    proc.start()
    send.close()
    views = [memoryview(s) for s in slots]
    try:
        while True:
            while not recv.poll(1.0):
                if proc.exitcode is not None:
                    break
            try:
                message = recv.recv()
            except EOFError:                         # gone without a word (killed)
                proc.join()
                raise RuntimeError(f"the batch producer died (exit code {proc.exitcode})") \
                    from None
            if isinstance(message, str) and message == _DONE:
                return
            if isinstance(message, BaseException):
                raise message
            k, data, places = message
            if places is None:
                yield pickle.loads(data)
            else:
                yield pickle.loads(data, buffers=[views[k][a:a + size] for a, size in places])
            free.release()                           # that slot may be written again
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()
        recv.close()
