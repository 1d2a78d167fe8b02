"""Co-occurrence counts for GloVe: :math:`X_{ij}`, how often word ``j`` appears
in the window of word ``i``.

Two counters give the same numbers:

* :func:`cooccurrence` is the small, readable one that the worked example and
  the tests use: a Python loop filling a dict of non-zero entries
  (:func:`to_dense` and :func:`to_coo` convert it);
* :func:`count_cooccurrences` is the one training uses: it walks an encoded
  corpus in chunks with array operations and returns a
  :class:`CooccurrenceMatrix` whose memory grows with the number of distinct
  pairs, never with :math:`V^2`.

How the fast counter works. For a chunk of tokens and each distance
:math:`k = 1..\text{window}`, the pairs ``(ids[p], ids[p - k])`` that lie in one
sentence are taken at once by comparing the sentence numbers of the two
positions. A pair of ids becomes one int64 key ``i * V + j``; sorting the keys
puts equal pairs next to each other, and ``np.add.reduceat`` adds their
weights. Each chunk's reduced keys are kept aside and merged into the running
total (another sort and reduce) whenever they outweigh it, so the total is
re-sorted only a logarithmic number of times.

For the symmetric count, ``X_ij = X_ji``: only the unordered pair
``(min, max)`` is counted, and the matrix is mirrored at the end. A word next
to itself at distance :math:`k` adds :math:`1/k` to ``X_ii`` from each side,
that is :math:`2/k` in all, as the small counter (and GloVe's ``cooccur``) do.
"""
from collections import defaultdict
from typing import NamedTuple

import numpy as np
from tqdm import tqdm

from ..errors import W2VError

#: Tokens per chunk of :func:`count_cooccurrences`: a chunk lays out about
#: ``window * CHUNK_TOKENS`` pairs (about 56 bytes each) at a time.
CHUNK_TOKENS = 1 << 19


def cooccurrence(sentences, window=1, symmetric=True, distance_weighting=False):
    r"""Count co-occurrences in sentences of token ids.

    Parameters
    ----------
    sentences : iterable of sequences of int
        Each sentence is a list (or array) of word ids; windows never cross
        sentence boundaries.
    window : int
        Radius: words up to ``window`` positions away are counted.
    symmetric : bool
        ``True`` counts context on both sides, so ``X`` is symmetric.
        ``False`` counts only context to the *left* of each word (as GloVe's
        ``cooccur`` tool with ``-symmetric 0``): ``X[i, j]`` then counts ``j``
        occurring before ``i``.
    distance_weighting : bool
        ``False`` adds 1 per co-occurrence. ``True`` adds :math:`1/k` for a
        pair ``k`` positions apart, which is what GloVe's ``cooccur`` does.

    Returns
    -------
    dict
        ``{(i, j): X_ij}`` holding only the non-zero entries (a sparse, COO-like
        structure); use :func:`to_dense` or :func:`to_coo` to convert.
    """
    if window < 1:
        raise W2VError(f"must be >= 1, got {window}", param="window")
    counts = defaultdict(float)
    for sentence in sentences:
        ids = [int(t) for t in sentence]
        for pos, word in enumerate(ids):
            for k in range(1, window + 1):
                if pos - k < 0:
                    break
                inc = 1.0 / k if distance_weighting else 1.0
                left = ids[pos - k]
                counts[(word, left)] += inc          # left context of `word`
                if symmetric:
                    counts[(left, word)] += inc      # `word` is right context of `left`
    return dict(counts)


def to_dense(counts, vocab_size):
    """The ``(V, V)`` float64 matrix of a :func:`cooccurrence` dict."""
    X = np.zeros((vocab_size, vocab_size))
    rows, cols, vals = to_coo(counts)
    X[rows, cols] = vals
    return X


def to_coo(counts):
    """Arrays ``(rows, cols, values)`` of a :func:`cooccurrence` dict, sorted by (row, col)."""
    keys = sorted(counts)
    rows = np.array([k[0] for k in keys], dtype=np.int64)
    cols = np.array([k[1] for k in keys], dtype=np.int64)
    vals = np.array([counts[k] for k in keys], dtype=np.float64)
    return rows, cols, vals


class CooccurrenceMatrix(NamedTuple):
    """The non-zero entries of :math:`X` in COO form.

    For a symmetric count the entries with ``row <= col`` come first, sorted by
    (row, col), followed by the mirror images of the off-diagonal ones; an
    asymmetric count is sorted by (row, col). (Training shuffles them anyway.)

    Attributes
    ----------
    rows, cols : int32 arrays (nnz,)
        Word id :math:`i` and context id :math:`j`.
    counts : float64 array (nnz,)
        :math:`X_{ij} > 0`.
    vocab_size : int
    """

    rows: np.ndarray
    cols: np.ndarray
    counts: np.ndarray
    vocab_size: int

    @property
    def nnz(self):
        return int(self.counts.size)

    def to_dict(self):
        """``{(i, j): X_ij}``, the form :func:`cooccurrence` returns (for tests and small data)."""
        return {(int(i), int(j)): float(x) for i, j, x in zip(self.rows, self.cols, self.counts)}


def _reduce(keys, values):
    """Sum the values of equal keys: ``(unique sorted keys, sums)``."""
    if keys.size == 0:
        return keys, values
    order = np.argsort(keys)
    keys, values = keys[order], values[order]
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))  # (u,)
    return keys[first], np.add.reduceat(values, first)


def _sentence_numbers(starts, begin, end):
    """Sentence number of every token in ``[begin, end)``, for sentence ``starts``."""
    return np.searchsorted(starts, np.arange(begin, end), side="right") - 1


def _chunk_bounds(starts, n_tokens, chunk_tokens):
    """Chunk edges at sentence starts, each chunk about ``chunk_tokens`` long,
    so that no window pair crosses a chunk edge."""
    after = np.searchsorted(starts, np.arange(chunk_tokens, n_tokens, chunk_tokens))
    edges = np.unique(starts[after[after < starts.size]])          # first start at or after each target
    return [0] + [int(e) for e in edges if 0 < e < n_tokens] + [int(n_tokens)]


def count_cooccurrences(corpus, vocab_size, window=10, symmetric=True, distance_weighting=True,
                        chunk_tokens=CHUNK_TOKENS, progress=False):
    r"""Count :math:`X_{ij}` over an encoded corpus, chunk by chunk (see the module notes).

    Parameters
    ----------
    corpus : w2v_numpy.text.corpus.EncodedCorpus
        Token ids and sentence starts; windows never cross a sentence start.
    vocab_size : int
        Number of word ids (every id must be below it).
    window : int
        Radius: words up to ``window`` positions away are counted (10 in the
        GloVe paper; glove.c's ``cooccur`` defaults to 15).
    symmetric, distance_weighting : bool
        As in :func:`cooccurrence`: context on both sides, and :math:`1/k` per
        pair ``k`` apart (GloVe's weighting) instead of 1.
    chunk_tokens : int
        Tokens per chunk (memory per chunk is about ``56 * window * chunk_tokens`` bytes).
    progress : bool
        Show a progress bar over the tokens.

    Returns
    -------
    CooccurrenceMatrix
        The same entries as :func:`cooccurrence` on the same sentences.
    """
    if int(window) < 1:
        raise W2VError(f"must be >= 1, got {window}", param="window")
    V = int(vocab_size)
    ids, starts = np.asarray(corpus.ids, dtype=np.int64), np.asarray(corpus.starts)
    bounds = _chunk_bounds(starts, ids.size, int(chunk_tokens)) if ids.size else [0]
    totals = None
    bar = tqdm(total=int(ids.size), unit="tok", unit_scale=True, disable=not progress,
               desc="co-occurrence", mininterval=0.5)
    for begin, end in zip(bounds[:-1], bounds[1:]):
        keys, values = _count_chunk(ids[begin:end], _sentence_numbers(starts, begin, end),
                                    V, int(window), symmetric, distance_weighting)
        if totals is None:   # key ranges that split the first chunk's pairs evenly
            totals = _Partitions(keys[np.linspace(0, keys.size, PARTITIONS + 1)[1:-1]
                                      .astype(np.int64).clip(0, max(keys.size - 1, 0))]
                                 if keys.size else np.zeros(0, np.int64))
        totals.add(keys, values)
        bar.update(end - begin)
    bar.close()
    return totals.result(V, symmetric) if totals else CooccurrenceMatrix(
        np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0), V)


#: Key ranges whose totals are kept and merged separately (bounds the memory of a merge).
PARTITIONS = 16


def _count_chunk(chunk, sentence, V, window, symmetric, distance_weighting):
    """Reduced ``(keys, sums)`` of one chunk's pairs (see the module notes)."""
    keys, weights = [], []
    for k in range(1, min(window, chunk.size - 1) + 1):
        same = sentence[k:] == sentence[:-k]                              # (n - k,)
        word, left = chunk[k:][same], chunk[:-k][same]                     # left: k before word
        if symmetric:
            word, left = np.minimum(word, left), np.maximum(word, left)
        keys.append(word * V + left)
        weights.append(np.full(word.size, 1.0 / k if distance_weighting else 1.0))
    if not keys:
        return np.zeros(0, np.int64), np.zeros(0)
    return _reduce(np.concatenate(keys), np.concatenate(weights))


class _Partitions:
    """Running totals of sorted unique keys, split into key ranges at ``edges``.

    Each range keeps its total and the chunk results not yet merged into it;
    it merges (one sort and reduce) when those outweigh the total, so the
    memory of a merge is about that of one range, not of the whole matrix.
    """

    def __init__(self, edges):
        self.edges = edges
        n = edges.size + 1
        self.keys = [np.zeros(0, np.int64) for _ in range(n)]
        self.values = [np.zeros(0) for _ in range(n)]
        self.pending = [[] for _ in range(n)]

    def add(self, keys, values):
        cut = np.searchsorted(keys, self.edges)
        for p, (a, b) in enumerate(zip(np.r_[0, cut], np.r_[cut, keys.size])):
            self.pending[p].append((keys[a:b].copy(), values[a:b].copy()))
            if sum(k.size for k, _ in self.pending[p]) > self.keys[p].size:
                self._merge(p)

    def _merge(self, p):
        parts = self.pending[p]
        self.keys[p], self.values[p] = _reduce(
            np.concatenate([self.keys[p]] + [k for k, _ in parts]),
            np.concatenate([self.values[p]] + [v for _, v in parts]))
        self.pending[p] = []

    def result(self, V, symmetric):
        """The :class:`CooccurrenceMatrix`, mirrored if ``symmetric``; empties the ranges.

        The output arrays are allocated once at their final size and filled
        range by range, each range freed as soon as it is copied.
        """
        for p in range(len(self.keys)):
            self._merge(p)
        sizes = [k.size + (int(np.count_nonzero(k // V != k % V)) if symmetric else 0)
                 for k in self.keys]
        rows, cols = np.empty(sum(sizes), np.int32), np.empty(sum(sizes), np.int32)
        x = np.empty(sum(sizes))
        at, mirror_at = 0, sum(k.size for k in self.keys)
        for p in range(len(self.keys)):
            keys, values = self.keys[p], self.values[p]
            self.keys[p] = self.values[p] = None
            i, j = keys // V, keys % V
            n = keys.size
            rows[at:at + n], cols[at:at + n], x[at:at + n] = i, j, values
            if symmetric:   # mirror the off-diagonal entries: X_ji = X_ij; the diagonal got both sides
                off = i != j
                x[at:at + n][~off] *= 2.0
                m = int(off.sum())
                rows[mirror_at:mirror_at + m], cols[mirror_at:mirror_at + m] = j[off], i[off]
                x[mirror_at:mirror_at + m] = values[off]
                mirror_at += m
            at += n
        return CooccurrenceMatrix(rows, cols, x, int(V))
