"""Batches: the word2vec window batcher, the negative sampler, and the batch types.

Each objective consumes one batch type, named by its class's ``batch_family``:
:class:`Batch` for the word2vec objectives (``"sgram"`` and ``"cbow"``, made
by :class:`WindowBatcher`), :class:`CooccurrenceBatch` for GloVe
(``"cooccurrence"``) and :class:`DocumentBatch` for the fastText classifier
(``"documents"``).

The corpus is cut into chunks of whole sentences. Each chunk is sub-sampled,
windowed and split into :class:`Batch` objects with NumPy array operations,
so memory stays bounded by the chunk size whatever the corpus size.

Every chunk draws from its own generator, seeded by ``(seed, epoch, chunk)``,
and every batch draws its negatives from ``(seed, epoch, chunk, batch)``.
Training can therefore restart at any batch and produce exactly the stream
an uninterrupted run would have seen.
"""
from typing import NamedTuple, Optional

import numpy as np

from .errors import W2VError

#: A negative that equals its example's target is drawn again, at most this many times.
MAX_REDRAWS = 1000


class Batch(NamedTuple):
    """One batch of word2vec examples (the batch contract; see the README's "model contract").

    Attributes
    ----------
    inputs : int array (B, C)
        Input word ids: the centre word for skip-gram (C = 1), the context
        slots for CBOW.
    mask : bool array (B, C) or None
        Which input slots are real; ``None`` means all of them.
    targets : int array (B,)
        The word to predict: a context word (skip-gram) or the centre (CBOW).
    negatives : int array (B, K) or None
        Sampled negative words, or ``None`` for full-softmax models.
    """

    inputs: np.ndarray
    mask: Optional[np.ndarray]
    targets: np.ndarray
    negatives: Optional[np.ndarray]


class CooccurrenceBatch(NamedTuple):
    """Non-zero co-occurrence entries :math:`X_{ij}` for GloVe.

    Attributes
    ----------
    rows, cols : int arrays (n,)
        Word ids :math:`i` and context ids :math:`j`.
    counts : float array (n,)
        :math:`X_{ij}`.
    """

    rows: np.ndarray
    cols: np.ndarray
    counts: np.ndarray


class DocumentBatch(NamedTuple):
    """Labelled documents for the fastText classifier, flattened.

    Attributes
    ----------
    ids : int array (n,)
        Every feature (word or n-gram row) occurrence of every document.
    weights : float array (n,)
        Its share of its document vector (1/|D|, times 1/|G_w| for a mean of n-grams).
    doc : int array (n,)
        The example (0..B-1) each occurrence belongs to.
    targets : int array (B,)
        True label of each document.
    negatives : int array (B, K)
        Sampled negative labels.
    """

    ids: np.ndarray
    weights: np.ndarray
    doc: np.ndarray
    targets: np.ndarray
    negatives: np.ndarray


class NegativeSampler:
    r"""Draws negatives from the unigram distribution raised to ``power``.

    .. math:: P_n(w) = \frac{\mathrm{count}(w)^{0.75}}{\sum_v \mathrm{count}(v)^{0.75}}

    Like word2vec.c, it fills a table in which word ``w`` occupies a share
    :math:`P_n(w)` of the slots, and a draw is a uniformly random slot: one
    gather per negative, much faster than a binary search over the CDF. With
    ``table_size`` slots each probability is exact to ``1/table_size``.
    A negative that equals its example's target is drawn again, so the
    positive word is never also pushed away in the same example.
    """

    def __init__(self, counts, power=0.75, table_size=10_000_000):
        weights = np.asarray(counts, dtype=np.float64) ** power
        if np.count_nonzero(weights) < 2:
            raise W2VError("negative sampling needs at least 2 words in the vocabulary")
        self.probs = weights / weights.sum()
        bounds = np.round(np.cumsum(self.probs) * table_size).astype(np.int64)  # (V,)
        slots = np.diff(bounds, prepend=0)                                        # (V,)
        self.table = np.repeat(np.arange(weights.size, dtype=np.int32), slots)    # (T,)

    def _draw(self, shape, rng):
        return self.table[rng.integers(0, self.table.size, size=shape)].astype(np.int64)

    def sample(self, targets, k, rng):
        """Return an int64 array (B, k) of negatives, none equal to its row's target."""
        targets = np.asarray(targets)
        neg = self._draw((targets.size, k), rng)
        for _ in range(MAX_REDRAWS):
            clash = neg == targets[:, None]
            n_clash = int(clash.sum())
            if n_clash == 0:
                break
            neg[clash] = self._draw(n_clash, rng)
        return neg


class WindowBatcher:
    """Turns an encoded corpus into batches for one model family.

    Parameters
    ----------
    corpus : EncodedCorpus
    keep_probs : float array (V,)
        Sub-sampling keep probability of each word (``Vocab.keep_probs``).
    family : {"sgram", "cbow"}
        Skip-gram yields one (centre -> context) example per pair; CBOW yields
        one (context slots -> centre) example per centre word, with a mask.
    window : int
        Maximum window radius (gensim's ``window``: words on each side). For
        each centre word a radius ``b`` is drawn uniformly from ``1..window``
        (word2vec.c's reduced window).
    batch_size : int
        Examples per batch (the last batch of a chunk may be smaller).
    negative : int
        Negatives per example; 0 means ``negatives=None`` (full softmax).
    sampler : NegativeSampler or None
        Required when ``negative > 0``.
    shuffle : bool
        Shuffle the examples inside each chunk.
    seed : int
    chunk_words : int
        Approximate number of corpus tokens per chunk.
    """

    #: The batch families this batcher makes (a model's ``batch_family``).
    FAMILIES = ("sgram", "cbow")

    def __init__(self, corpus, keep_probs, family, window=5, batch_size=512, negative=0,
                 sampler=None, shuffle=True, seed=0, chunk_words=1 << 17):
        if family not in self.FAMILIES:
            raise W2VError(f"must be one of {self.FAMILIES}, got {family!r}", param="family")
        for name, value in (("window", window), ("batch_size", batch_size),
                            ("chunk_words", chunk_words)):
            if int(value) < 1:
                raise W2VError(f"must be >= 1, got {value}", param=name)
        if negative < 0:
            raise W2VError(f"must be >= 0, got {negative}", param="negative")
        if negative > 0 and sampler is None:
            raise W2VError("negative > 0 needs a NegativeSampler")
        if len(corpus) == 0:
            raise W2VError("the corpus has no in-vocabulary tokens", param="corpus_file")
        self.corpus, self.keep_probs = corpus, np.asarray(keep_probs)
        self.family, self.window, self.batch_size = family, int(window), int(batch_size)
        self.negative, self.sampler = int(negative), sampler
        self.shuffle, self.seed = bool(shuffle), int(seed)
        self.chunks = self._chunk_bounds(int(chunk_words))

    def _chunk_bounds(self, chunk_words):
        """Cut points (in tokens) at sentence starts, about ``chunk_words`` apart."""
        starts, n = self.corpus.starts, len(self.corpus)
        wanted = np.arange(chunk_words, n, chunk_words)
        cuts = np.unique(starts[np.searchsorted(starts, wanted).clip(0, starts.size - 1)])
        cuts = cuts[(cuts > 0) & (cuts < n)]
        return np.concatenate([[0], cuts, [n]]).astype(np.int64)

    @property
    def n_chunks(self):
        return self.chunks.size - 1

    @property
    def words_per_epoch(self):
        """In-vocabulary tokens in one pass (before sub-sampling)."""
        return len(self.corpus)

    def chunk_examples(self, epoch, chunk):
        """All examples of one chunk, before batching.

        Returns
        -------
        inputs : int64 (n, C); mask : bool (n, C) or None; targets : int64 (n,)
        """
        rng = np.random.default_rng([self.seed, epoch, chunk])
        begin, end = self.chunks[chunk], self.chunks[chunk + 1]
        ids = self.corpus.ids[begin:end].astype(np.int64)
        sent = self.corpus.sentence_ids(begin, end)
        keep = rng.random(ids.size) < self.keep_probs[ids]
        ids, sent = ids[keep], sent[keep]
        n, R = ids.size, self.window
        radius = rng.integers(1, R + 1, size=n)                        # (n,)
        offsets = np.concatenate([np.arange(-R, 0), np.arange(1, R + 1)])  # (2R,)
        pos = np.arange(n)[:, None] + offsets[None, :]                 # (n, 2R)
        valid = (pos >= 0) & (pos < n) & (np.abs(offsets)[None, :] <= radius[:, None])
        pos = pos.clip(0, max(n - 1, 0))
        valid &= sent[pos] == sent[:, None]
        if self.family == "sgram":
            rows, cols = np.nonzero(valid)
            inputs, mask, targets = ids[rows][:, None], None, ids[pos[rows, cols]]
        else:
            has_context = valid.any(axis=1)
            mask = valid[has_context]
            inputs = np.where(mask, ids[pos[has_context]], 0)
            targets = ids[has_context]
        if self.shuffle and targets.size:
            perm = rng.permutation(targets.size)
            inputs, targets = inputs[perm], targets[perm]
            mask = None if mask is None else mask[perm]
        return inputs, mask, targets

    def iter_epoch(self, epoch, start_chunk=0, start_batch=0):
        """Yield ``(chunk, batch_index, words_done, batch)`` for one epoch.

        ``words_done`` counts in-vocabulary tokens of this epoch consumed once
        the batch is trained (interpolated inside a chunk), which drives the
        learning-rate schedule and the words/s rate. Passing ``start_chunk`` and
        ``start_batch`` resumes exactly where an earlier run stopped.
        """
        B = self.batch_size
        for chunk in range(start_chunk, self.n_chunks):
            inputs, mask, targets = self.chunk_examples(epoch, chunk)
            n = targets.size
            begin, end = self.chunks[chunk], self.chunks[chunk + 1]
            first = start_batch if chunk == start_chunk else 0
            for b, lo in enumerate(range(first * B, n, B), start=first):
                hi = min(lo + B, n)
                negatives = None
                if self.negative:
                    rng = np.random.default_rng([self.seed, epoch, chunk, b])
                    negatives = self.sampler.sample(targets[lo:hi], self.negative, rng)
                batch = Batch(inputs[lo:hi], None if mask is None else mask[lo:hi],
                              targets[lo:hi], negatives)
                yield chunk, b, int(begin + (end - begin) * hi // n), batch
