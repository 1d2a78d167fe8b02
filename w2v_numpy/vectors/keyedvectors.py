"""Word vectors with gensim's query API: similarity, neighbours, analogies, evaluation.

:class:`KeyedVectors` follows ``gensim.models.KeyedVectors`` (4.x) in names,
arguments and results, so code and habits carry over::

    wv = KeyedVectors.load_word2vec_format("vectors.bin", binary=True)
    wv.most_similar(positive=["king", "woman"], negative=["man"], topn=5)
    score, sections = wv.evaluate_word_analogies("questions-words.txt")

Similarities are cosines computed exactly as gensim computes them (same
operation order and dtypes), so rankings agree with gensim's on the same
vectors, ties included. :func:`w2v_numpy.loading.load_vectors` reads either
a vectors file or a model file.
"""
from numbers import Integral

import numpy as np

from ..errors import W2VError
from ..files import word2vec_format as w2vf
from . import evaluation
from .evaluation import RESTRICT_VOCAB


class KeyedVectors:
    """A vocabulary and one vector per word.

    Parameters
    ----------
    index_to_key : sequence of str
        The words; word ``i`` has vector ``vectors[i]``. Must be unique.
    vectors : array_like, shape (V, d)
        The vectors, not copied if already a float ndarray (others become float32).

    Notes
    -----
    Unit-normalised vectors are cached. Assigning ``kv.vectors = ...`` clears
    the cache; after changing the array *in place* (e.g. more training on a
    shared array) call :meth:`fill_norms` with ``force=True``. Zero vectors
    have norm 0 and get cosine 0 with everything (gensim gives NaN).
    """

    def __init__(self, index_to_key, vectors):
        self.index_to_key = list(index_to_key)
        self.key_to_index = {k: i for i, k in enumerate(self.index_to_key)}
        if len(self.key_to_index) != len(self.index_to_key):
            raise W2VError("KeyedVectors: keys must be unique")
        self.vectors = vectors

    @property
    def vectors(self):
        """The (V, d) array of vectors; assigning a new array clears the norm cache."""
        return self._vectors

    @vectors.setter
    def vectors(self, value):
        value = np.asarray(value)
        if value.dtype.kind != "f":
            value = value.astype(np.float32)
        if value.ndim != 2 or value.shape[0] != len(self.index_to_key):
            raise W2VError(f"KeyedVectors: need a (V, d) array with V={len(self.index_to_key)}, "
                             f"got shape {value.shape}")
        self._vectors = value
        self.norms = self._normed = None

    @property
    def vector_size(self):
        """Dimensionality ``d`` of the vectors."""
        return self._vectors.shape[1]

    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, key):
        return key in self.key_to_index

    def __getitem__(self, key_or_keys):
        """The vector of one key, or a (n, d) array for a list of keys."""
        if isinstance(key_or_keys, (str, Integral)):
            return self.get_vector(key_or_keys)
        return np.vstack([self.get_vector(k) for k in key_or_keys])

    def __repr__(self):
        return f"<KeyedVectors: {len(self)} keys, vector_size={self.vector_size}>"

    def has_index_for(self, key):
        """Whether ``key`` has a vector (gensim's name)."""
        return self.get_index(key, -1) >= 0

    def get_index(self, key, default=None):
        """Row of ``key``; an int in range is returned as is. Raises KeyError unless ``default``."""
        index = self.key_to_index.get(key, -1) if isinstance(key, str) else -1
        if index >= 0:
            return index
        if isinstance(key, Integral) and 0 <= key < len(self):
            return int(key)
        if default is not None:
            return default
        raise KeyError(f"Key '{key}' not present")

    def get_vector(self, key, norm=False):
        """The (read-only) vector of ``key``, unit-normalised if ``norm``."""
        index = self.get_index(key)
        result = self.get_normed_vectors()[index] if norm else self._vectors[index]
        result = result.view()
        result.flags.writeable = False
        return result

    def fill_norms(self, force=False):
        """Compute the per-row L2 norms into ``self.norms`` if missing (or always if ``force``)."""
        if self.norms is None or force:
            self.norms = np.linalg.norm(self._vectors, axis=1)
            self._safe = np.where(self.norms == 0, np.ones_like(self.norms), self.norms)
            self._normed = None

    def get_normed_vectors(self):
        """All vectors scaled to unit length, shape (V, d); cached until the vectors change."""
        self.fill_norms()
        if self._normed is None:
            self._normed = self._vectors / self._safe[:, np.newaxis]
        return self._normed

    def _query(self, positive, negative):
        """Weighted mean of the unit query vectors, unit-normalised, and the query rows.

        The arithmetic is gensim's (float32 accumulation, float64 weights,
        float64 scaling, cast back), so that scores tie and rank identically.
        """
        items = [(x[0], x[1]) if isinstance(x, tuple) else (x, sign)
                 for sign, group in ((1.0, positive), (-1.0, negative)) for x in _as_list(group)]
        if not items:
            raise W2VError("cannot compute similarity with no input")
        weights = np.array([w for _, w in items], dtype=np.float64)
        mean = np.zeros(self.vector_size, dtype=self._vectors.dtype)
        normed, rows, total = self.get_normed_vectors(), [], 0
        for (key, _), weight in zip(items, weights):
            if isinstance(key, np.ndarray):
                vec = key
            else:
                rows.append(self.get_index(key))
                vec = normed[rows[-1]]
            mean += weight * vec  # float64 product, accumulated into the float32 mean
            total += abs(weight)
        if total > 0:
            mean = mean / total  # float64 from here (NumPy 2 promotion), as in gensim
        return _unit(mean).astype(self._vectors.dtype), rows

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """The ``topn`` words closest in cosine to the mean of the (unit) query vectors (3CosAdd).

        Parameters
        ----------
        positive, negative : str, ndarray, or list of them, optional
            Words (or vectors) that count positively / negatively. A list item
            may be a ``(word, weight)`` pair (default weights +1 and -1).
        topn : int or None
            How many results; ``None`` returns the scores of all (restricted) words.
        restrict_vocab : int, optional
            Search only the first ``restrict_vocab`` words.

        Returns
        -------
        list of (str, float)
            Most similar first; the query words themselves are left out.
        """
        if isinstance(topn, Integral) and topn < 1:
            return []
        mean, rows = self._query(positive, negative)
        dists = self._dists(mean, restrict_vocab)
        if not topn:
            return dists
        best = top_indices(dists, topn + len(rows))
        return [(self.index_to_key[i], float(dists[i])) for i in best if i not in rows][:topn]

    def _dists(self, query, restrict_vocab=None):
        """Cosines of unit ``query`` (d,) or (B, d) with the first ``restrict_vocab`` rows."""
        self.fill_norms()
        end = restrict_vocab or len(self)
        if query.ndim == 1:  # the same BLAS call as gensim, for identical scores
            return np.dot(self._vectors[:end], query) / self._safe[:end]
        return np.dot(query, self._vectors[:end].T) / self._safe[:end]

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Like :meth:`most_similar` with the 3CosMul objective of Levy and Goldberg (2014).

        Cosines are shifted to [0, 1]; the score is the product over positive
        words divided by the product over negative words (+1e-6). Unlike
        gensim 4.4, ``restrict_vocab`` is honoured.
        """
        if isinstance(topn, Integral) and topn < 1:
            return []
        positive, negative = _as_list(positive), _as_list(negative)
        if not positive:
            raise W2VError("cannot compute similarity with no input")
        rows = [self.get_index(w) for w in positive + negative if not isinstance(w, np.ndarray)]

        def shifted(term):
            term = self.get_vector(term, norm=True) if not isinstance(term, np.ndarray) else term
            return (1 + self._dists(term, restrict_vocab)) / 2

        dists = np.prod([shifted(t) for t in positive], axis=0)
        dists = dists / (np.prod([shifted(t) for t in negative], axis=0) + 0.000001)
        if not topn:
            return dists
        best = top_indices(dists, topn + len(rows))
        return [(self.index_to_key[i], float(dists[i])) for i in best if i not in rows][:topn]

    def similarity(self, w1, w2):
        """Cosine similarity of two words."""
        return float(np.dot(self.get_vector(w1, norm=True), self.get_vector(w2, norm=True)))

    def doesnt_match(self, words):
        """The word farthest (in cosine) from the normalised mean of the others' unit vectors.

        Unknown words are ignored (gensim logs a warning); at least one must be known.
        """
        used = [w for w in words if w in self]
        if not used:
            raise W2VError("cannot select a word from an empty list")
        vectors = np.vstack([self.get_vector(w, norm=True) for w in used])
        mean = _unit(vectors.mean(axis=0)).astype(vectors.dtype)
        return sorted(zip(vectors @ mean, used), reverse=True)[-1][1]

    def evaluate_word_analogies(self, analogies, restrict_vocab=RESTRICT_VOCAB, case_insensitive=True,
                                dummy4unknown=False):
        """Accuracy on an analogy file (``: section`` headers, then ``a b c d`` lines).

        Same semantics and results as gensim's method: see
        :func:`w2v_numpy.vectors.evaluation.evaluate_word_analogies`.

        Returns
        -------
        score : float
        sections : list of dict
            ``{'section', 'correct', 'incorrect'}`` per section, then ``'Total accuracy'``.
        """
        report = evaluation.evaluate_word_analogies(self, analogies, restrict_vocab,
                                                    case_insensitive, dummy4unknown)
        return report["score"], report["sections"]

    def evaluate_word_pairs(self, pairs, delimiter="\t", restrict_vocab=RESTRICT_VOCAB,
                            case_insensitive=True, dummy4unknown=False):
        """Correlation with human similarity judgements (e.g. WordSim-353).

        Returns
        -------
        pearson, spearman : CorrelationResult
            ``(statistic, pvalue)`` tuples (also ``.statistic``, ``.pvalue``,
            ``.correlation``), as gensim's scipy results index.
        oov_ratio : float
            Percentage of pairs with an unknown word.

        See :func:`w2v_numpy.vectors.evaluation.evaluate_word_pairs`.
        """
        return evaluation.evaluate_word_pairs(self, pairs, delimiter, restrict_vocab,
                                              case_insensitive, dummy4unknown)

    def save_word2vec_format(self, path, binary=False):
        """Write the vectors in word2vec text or binary format (atomically)."""
        w2vf.save_word2vec_format(path, self.index_to_key, self._vectors, binary=binary)

    @classmethod
    def load_word2vec_format(cls, path, binary=False, limit=None, dtype=np.float32,
                             unicode_errors="strict"):
        """Read a word2vec text or binary file; see :func:`w2v_numpy.files.word2vec_format.load_word2vec_format`."""
        keys, vectors = w2vf.load_word2vec_format(path, binary=binary, limit=limit, dtype=dtype,
                                                  unicode_errors=unicode_errors)
        return cls(keys, vectors)


def top_indices(scores, k):
    """Indices of the ``k`` largest scores, largest first, with gensim's tie order.

    Partial selection with :func:`numpy.argpartition` on the negated scores,
    then a sort of the selected part (what ``gensim.matutils.argsort`` does).
    """
    neg = -np.asarray(scores)
    if k >= neg.size:
        return np.argsort(neg)[:k]
    part = np.argpartition(neg, k)[:k]
    return part.take(np.argsort(neg.take(part)))


def _unit(vec):
    """``vec`` scaled to unit L2 norm (returned unchanged when zero)."""
    norm = np.sqrt(np.dot(vec, vec))
    return vec * (1.0 / norm) if norm > 0 else vec


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (str, Integral)) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    return list(value)
