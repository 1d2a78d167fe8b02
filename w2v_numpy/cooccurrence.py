"""Co-occurrence counts for GloVe: :math:`X_{ij}`, how often word ``j`` appears
in the window of word ``i``.

:func:`cooccurrence` is the small, readable counter the worked example and the
tests use (a dict of non-zero entries); :func:`to_dense` and :func:`to_coo`
convert its result.
"""
from collections import defaultdict

import numpy as np

from .errors import W2VError


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
