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
import os
import shutil
import tempfile
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


def _chunk_bounds(starts, n_tokens, chunk_tokens):
    """Chunk edges at sentence starts, each chunk about ``chunk_tokens`` long,
    so that no window pair crosses a chunk edge."""
    after = np.searchsorted(starts, np.arange(chunk_tokens, n_tokens, chunk_tokens))
    edges = np.unique(starts[after[after < starts.size]])          # first start at or after each target
    return [0] + [int(e) for e in edges if 0 < e < n_tokens] + [int(n_tokens)]


#: glove.c's ``cooccur -memory`` default: GB the counting may hold before it spills to disk.
DEFAULT_MEMORY_GB = 4.0
#: Bytes of memory per entry held in the running totals: its key and sum (16), and as
#: much again for the sort of a merge.
BYTES_PER_HELD_ENTRY = 32
#: The fewest entries a key range of the final merge may hold (a tiny cap would make
#: many tiny ranges).
MIN_MERGE_ENTRIES = 1 << 16


def count_cooccurrences(corpus, vocab_size, window=10, symmetric=True, distance_weighting=True,
                        chunk_tokens=CHUNK_TOKENS, progress=False, memory=None):
    r"""Count :math:`X_{ij}` over an encoded corpus, chunk by chunk (see the module notes).

    Parameters
    ----------
    corpus : w2v_numpy.text.encoding.EncodedCorpus
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
    memory : float or None
        GB the running totals may hold (``None``: :data:`DEFAULT_MEMORY_GB`). Past it
        they are written to disk as a sorted run and counting goes on from empty
        totals; at the end the runs are merged a key range at a time into a matrix
        mapped from disk (:class:`_Runs`), as glove.c's ``cooccur`` merges its
        overflow files. So the distinct pairs are bounded by disk, not memory.

    Returns
    -------
    CooccurrenceMatrix
        The same entries as :func:`cooccurrence` on the same sentences.
    """
    if int(window) < 1:
        raise W2VError(f"must be >= 1, got {window}", param="window")
    V = int(vocab_size)
    held = int((DEFAULT_MEMORY_GB if memory is None else memory) * 1e9) // BYTES_PER_HELD_ENTRY
    bounds = _chunk_bounds(corpus.starts, len(corpus), int(chunk_tokens)) if len(corpus) else [0]
    totals = runs = None
    bar = tqdm(total=len(corpus), unit="tok", unit_scale=True, disable=not progress,
               desc="co-occurrence", mininterval=0.5)
    for begin, end in zip(bounds[:-1], bounds[1:]):
        keys, values = _count_chunk(*corpus.read(begin, end), V, int(window), symmetric,
                                    distance_weighting)
        if totals is None:   # key ranges that split the first chunk's pairs evenly
            totals = _Partitions(keys[np.linspace(0, keys.size, PARTITIONS + 1)[1:-1]
                                      .astype(np.int64).clip(0, max(keys.size - 1, 0))]
                                 if keys.size else np.zeros(0, np.int64))
        totals.add(keys, values)
        if totals.held > held:
            runs = runs or _Runs()
            runs.spill(totals)
        bar.update(end - begin)
    bar.close()
    if totals is None:
        return CooccurrenceMatrix(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0), V)
    if runs is None:
        return totals.result(V, symmetric)
    runs.spill(totals)
    return runs.merge(V, symmetric, max(held, MIN_MERGE_ENTRIES))


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

    @property
    def held(self):
        """Entries held: the ranges' totals and the chunk results not merged yet."""
        return sum(k.size + sum(q.size for q, _ in pending)
                   for k, pending in zip(self.keys, self.pending))

    def drain(self):
        """Yield each range's merged ``(keys, sums)`` in key order, leaving the ranges empty."""
        for p in range(len(self.keys)):
            self._merge(p)
            keys, values = self.keys[p], self.values[p]
            self.keys[p], self.values[p] = np.zeros(0, np.int64), np.zeros(0)
            yield keys, values

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
        for keys, values in self.drain():
            (i, j, v), mirror = _entries(keys, values, V, symmetric)
            rows[at:at + i.size], cols[at:at + i.size], x[at:at + i.size] = i, j, v
            at += i.size
            if mirror is not None:
                i, j, v = mirror
                rows[mirror_at:mirror_at + i.size], cols[mirror_at:mirror_at + i.size] = i, j
                x[mirror_at:mirror_at + i.size] = v
                mirror_at += i.size
        return CooccurrenceMatrix(rows, cols, x, int(V))


def _entries(keys, values, V, symmetric):
    """``(rows, cols, x)`` of reduced keys and, if ``symmetric``, their mirror images.

    A symmetric count holds each unordered pair once, as ``(min, max)``: the
    off-diagonal ones are mirrored (X_ji = X_ij), and the diagonal, which got
    both sides' 1/k, is doubled.
    """
    i, j = (keys // V).astype(np.int32), (keys % V).astype(np.int32)
    if not symmetric:
        return (i, j, values), None
    off = i != j
    x = np.where(off, values, 2.0 * values)
    return (i, j, x), (j[off], i[off], values[off])


class _Runs:
    """Sorted runs of ``(key, sum)`` spilled to a temporary folder, and their merge.

    Why: the running totals hold every distinct pair seen so far, 16 bytes each;
    on a large corpus that passes any memory. Each spill writes the totals (sorted
    and unique, since the key ranges of :class:`_Partitions` are in order) as one
    run; :meth:`merge` adds the runs' sums of equal keys a key range at a time.
    """

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="w2v_numpy-cooccur-")
        self.sizes = []

    def _path(self, run, what):
        return os.path.join(self.folder, f"run{run}.{what}")

    def spill(self, totals):
        """Write ``totals`` as the next run and empty them."""
        run, n = len(self.sizes), 0
        with open(self._path(run, "keys"), "wb") as kf, open(self._path(run, "sums"), "wb") as vf:
            for keys, values in totals.drain():
                keys.tofile(kf)
                values.tofile(vf)
                n += keys.size
        self.sizes.append(n)

    def _ranges(self, budget):
        """Key edges such that each range holds at most ``budget`` entries of all runs:
        every run's keys at a step of ``budget // runs`` entries."""
        step = max(1, budget // max(1, len(self.sizes)))
        edges = [np.memmap(self._path(r, "keys"), np.int64, "r")[::step].copy()
                 for r, n in enumerate(self.sizes) if n]
        return np.unique(np.concatenate(edges)) if edges else np.zeros(0, np.int64)

    def merge(self, V, symmetric, budget):
        """The :class:`CooccurrenceMatrix` of all runs, its arrays mapped from disk (in the
        order :meth:`_Partitions.result` gives); removes the folder."""
        edges = self._ranges(budget)
        keys = [np.memmap(self._path(r, "keys"), np.int64, "r") if n else np.zeros(0, np.int64)
                for r, n in enumerate(self.sizes)]
        names = ("rows", "cols", "x", "mirror_rows", "mirror_cols", "mirror_x")
        outs = [open(os.path.join(self.folder, name), "wb") for name in names]
        try:
            lows = np.r_[-1, edges]
            highs = np.r_[edges, np.iinfo(np.int64).max]
            for lo, hi in zip(lows, highs):
                parts = []
                for r, k in enumerate(keys):
                    a, b = np.searchsorted(k, [lo, hi])
                    if b > a:
                        parts.append((np.fromfile(self._path(r, "keys"), np.int64, b - a,
                                                  offset=8 * a),
                                      np.fromfile(self._path(r, "sums"), np.float64, b - a,
                                                  offset=8 * a)))
                if not parts:
                    continue
                entries, mirror = _entries(*_reduce(np.concatenate([p[0] for p in parts]),
                                                    np.concatenate([p[1] for p in parts])),
                                           V, symmetric)
                for out, a in zip(outs, entries + (mirror or ())):
                    a.tofile(out)
        finally:
            for out in outs:
                out.close()
        for mirror, name in zip(names[3:], names[:3]):      # the mirror images follow
            with open(os.path.join(self.folder, mirror), "rb") as src, \
                    open(os.path.join(self.folder, name), "ab") as dst:
                shutil.copyfileobj(src, dst, 1 << 24)
        del keys
        arrays = [_mapped(os.path.join(self.folder, name), dtype)
                  for name, dtype in zip(names[:3], (np.int32, np.int32, np.float64))]
        shutil.rmtree(self.folder, ignore_errors=True)   # the mappings keep the data
        return CooccurrenceMatrix(*arrays, int(V))


def _mapped(path, dtype):
    """A read-only array mapped from ``path`` (an empty array for an empty file)."""
    if os.path.getsize(path) == 0:
        return np.zeros(0, dtype)
    return np.memmap(path, dtype, "r")
