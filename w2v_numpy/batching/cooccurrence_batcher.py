"""Batches of co-occurrence entries for GloVe (batch family ``"cooccurrence"``).

:class:`CooccurrenceBatcher` is to GloVe what
:class:`w2v_numpy.batching.WindowBatcher` is to the word2vec objectives: the
training loop (:func:`w2v_numpy.training.loop.train`) asks it for the batches of an
epoch and for how much work an epoch is.

An epoch visits every non-zero entry :math:`X_{ij}` exactly once, in an order
drawn from a generator seeded by ``(seed, epoch)`` (glove.c shuffles its
entries once, with its ``shuffle`` tool, and reads them in that order every
iteration; a fresh order per epoch is just as cheap here and never worse).
Because the order depends only on the seed and the epoch, training can
restart at any batch and see exactly the stream an uninterrupted run saw.
"""
import numpy as np

from ..errors import W2VError
from .batch import CooccurrenceBatch


class CooccurrenceBatcher:
    """Shuffled mini-batches of the entries of a co-occurrence matrix.

    Parameters
    ----------
    matrix : w2v_numpy.text.cooccurrence.CooccurrenceMatrix
    batch_size : int
        Entries per batch.
    shuffle : bool
        Visit the entries in a random order each epoch (else in stored order).
    seed : int

    Attributes
    ----------
    family : str
        ``"cooccurrence"``, the ``batch_family`` of the models it feeds.
    negative : int
        Always 0 (the training loop checks it against the model).
    words_per_epoch : int
        The unit of progress is an entry here: ``matrix.nnz``.
    """

    FAMILIES = ("cooccurrence",)
    family = "cooccurrence"
    negative = 0
    progress_unit = "entry"
    #: One chunk per epoch (so the trainer never splits an epoch between processes).
    n_chunks = 1
    #: With one worker, batches and their row plans come from a second process
    #: (:mod:`w2v_numpy.batching.producer`; the per-epoch shuffle too): on wiki2m's
    #: 7.8M entries, the plans were a tenth of an epoch.
    prefetch_by_default = True

    def __init__(self, matrix, batch_size=4096, shuffle=True, seed=0):
        if int(batch_size) < 1:
            raise W2VError(f"must be >= 1, got {batch_size}", param="batch_size")
        if matrix.nnz == 0:
            raise W2VError("the co-occurrence matrix is empty: no two in-vocabulary words share "
                           "a line within the window", param="corpus_file")
        self.matrix, self.batch_size = matrix, int(batch_size)
        self.shuffle, self.seed = bool(shuffle), int(seed)

    @property
    def words_per_epoch(self):
        return self.matrix.nnz

    def order(self, epoch):
        """The entry order of ``epoch`` (int64 array, or None for the stored order)."""
        if not self.shuffle:
            return None
        return np.random.default_rng([self.seed, int(epoch)]).permutation(self.matrix.nnz)

    def iter_epoch(self, epoch, start_chunk=0, start_batch=0):
        """Yield ``(chunk, batch, entries done, CooccurrenceBatch)`` from ``start_batch`` on.

        There is one chunk (0) per epoch; ``entries done`` counts the entries
        of this epoch up to the end of the batch.
        """
        order, m, size = self.order(epoch), self.matrix, self.batch_size
        for b in range(int(start_batch), -(-m.nnz // size)):
            at = slice(b * size, min((b + 1) * size, m.nnz))
            pick = at if order is None else order[at]
            yield 0, b, at.stop, CooccurrenceBatch(m.rows[pick], m.cols[pick], m.counts[pick])
