"""The document batcher: labelled documents as batches for the classifier.

:func:`document_batch` flattens documents' features (from
:func:`w2v_numpy.text.labelled.encode`) into a :class:`DocumentBatch`;
:class:`DocumentBatcher` deals shuffled batches of them to the training loop.
"""
import numpy as np

from ..errors import W2VError
from .batch import DocumentBatch


def document_batch(ptr, ids, docs, targets, negatives):
    """A :class:`DocumentBatch` of documents ``docs``: every feature weighs 1/|F_D|."""
    first, count = ptr[docs], ptr[docs + 1] - ptr[docs]                         # (B,)
    ends = np.cumsum(count)
    doc = np.repeat(np.arange(docs.size), count)                                # (n,)
    flat = ids[np.arange(int(ends[-1]) if ends.size else 0) - (ends - count)[doc] + first[doc]]
    weights = 1.0 / count[doc]                                                   # (n,)
    return DocumentBatch(flat, weights, doc, targets, negatives)


class DocumentBatcher:
    """Shuffled mini-batches of labelled documents for :func:`w2v_numpy.training.loop.train`.

    Documents without a feature or a known label are left out. A document with
    several labels trains on its first. The order of each epoch is drawn from
    ``(seed, epoch)`` and each batch's negatives from ``(seed, epoch, batch)``,
    so a run can resume at any batch. Progress is counted in documents.
    """

    family = "documents"
    progress_unit = "doc"

    def __init__(self, ptr, ids, gold, batch_size=32, negative=0, sampler=None, shuffle=True,
                 seed=0):
        usable = np.array([bool(g) for g in gold]) & (np.diff(ptr) > 0)
        if not usable.any():
            raise W2VError("no line has both a label and a known word", param="input")
        self.ptr, self.ids, self.docs = ptr, ids, np.flatnonzero(usable)
        self.targets = np.array([gold[i][0] for i in self.docs], dtype=np.int64)
        self.batch_size, self.negative, self.sampler = int(batch_size), int(negative), sampler
        self.shuffle, self.seed = bool(shuffle), int(seed)

    @property
    def words_per_epoch(self):
        return int(self.docs.size)

    def iter_epoch(self, epoch, start_chunk=0, start_batch=0):
        """Yield ``(0, batch_index, documents_done, DocumentBatch)``."""
        n, B = self.docs.size, self.batch_size
        order = (np.random.default_rng([self.seed, epoch]).permutation(n) if self.shuffle
                 else np.arange(n))
        for b in range(start_batch, -(-n // B)):
            pick = order[b * B:(b + 1) * B]
            targets, negatives = self.targets[pick], None
            if self.negative:
                rng = np.random.default_rng([self.seed, epoch, b])
                negatives = self.sampler.sample(targets, self.negative, rng)
            yield 0, b, min(n, (b + 1) * B), document_batch(self.ptr, self.ids, self.docs[pick],
                                                            targets, negatives)
