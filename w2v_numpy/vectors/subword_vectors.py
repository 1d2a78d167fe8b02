"""Word vectors from subwords: :class:`FastTextKeyedVectors` answers any word.

As gensim's ``FastTextKeyedVectors``, an in-vocabulary word's vector is the
mean of its word row and its n-gram rows (what the subword models feed their
hidden layer), and a word the model never saw gets the mean of the rows of
its n-grams alone (it has no word row). Only a word none of whose n-grams can
be cut (shorter than ``min_n`` with its brackets) has no vector: the zero
vector, as in fastText and gensim.

``vectors`` (V, d) holds the in-vocabulary vectors, computed once; the n-gram
table is shared with the model, never copied, so a 2,000,000-row table costs
its memory once. Everything that works on ``vectors`` (analogies, word pairs,
the word2vec export) works on the in-vocabulary words, as in gensim.
"""
import numpy as np

from ..files.fasttext_bin import fasttext_subword_table, read_fasttext_bin
from ..text.ngrams import ngram_hashes, subword_table
from .keyedvectors import KeyedVectors, _as_list

#: Words combined at a time, so the gathered n-gram rows stay a few tens of MB.
CHUNK_WORDS = 4096


def in_vocab_vectors(W_in, W_ngram, ptr, ids):
    """``(v_w + sum of its n-gram rows) / (1 + n-gram count)`` for every word, (V, d)."""
    V = W_in.shape[0]
    out = np.array(W_in, dtype=W_in.dtype, copy=True)                        # (V, d)
    for lo in range(0, V, CHUNK_WORDS):
        hi = min(V, lo + CHUNK_WORDS)
        count = np.diff(ptr[lo:hi + 1])                                      # (m,)
        rows = W_ngram[ids[ptr[lo]:ptr[hi]]]                                 # (G, d), by word
        some = count > 0
        if rows.size:                                  # each word's rows are one run: reduceat
            out[lo:hi][some] += np.add.reduceat(rows, (ptr[lo:hi] - ptr[lo])[some], axis=0)
        out[lo:hi] /= (1 + count)[:, None].astype(out.dtype)
    return out


class FastTextKeyedVectors(KeyedVectors):
    """Vectors of a subword model (see the module docstring).

    Parameters
    ----------
    index_to_key : list of str
    W_in : array (V, d)
        Word rows.
    vectors_ngrams : array (bucket, d)
        The n-gram rows (kept by reference).
    min_n, max_n : int
    table : (ptr, ids), optional
        The words' n-gram ids (:func:`w2v_numpy.text.ngrams.subword_table`), if the
        caller has them already; computed otherwise.
    """

    def __init__(self, index_to_key, W_in, vectors_ngrams, min_n, max_n, table=None):
        ptr, ids = table or subword_table(index_to_key, min_n, max_n, vectors_ngrams.shape[0])
        super().__init__(index_to_key, in_vocab_vectors(W_in, vectors_ngrams, ptr, ids))
        self.vectors_ngrams = vectors_ngrams
        self.min_n, self.max_n, self.bucket = int(min_n), int(max_n), vectors_ngrams.shape[0]

    @classmethod
    def load_fasttext_format(cls, path):
        """The vectors of a Facebook fastText ``.bin`` model (gensim's ``load_facebook_vectors``).

        In-vocabulary and unseen words get the vectors fastText's ``get_word_vector``
        gives them (to float32 rounding): ``W_in`` and ``vectors_ngrams`` are the two
        parts of fastText's input matrix (views, never copied), and ``min_n``, ``max_n``
        and ``bucket`` come from the file's header. Format, and what is refused:
        :mod:`w2v_numpy.files.fasttext_bin`.

        Raises
        ------
        FileNotFoundError, W2VError
            ``ModelFileError`` for a damaged, quantized (``.ftz``) or foreign file.
        """
        parts = read_fasttext_bin(path)
        a, inp, words = parts["args"], parts["input"], parts["words"]
        table = fasttext_subword_table(words, a["minn"], a["maxn"], a["bucket"])
        return cls(words, inp[:len(words)], inp[len(words):], a["minn"], a["maxn"], table=table)

    def __repr__(self):
        return (f"<FastTextKeyedVectors: {len(self)} keys, vector_size={self.vector_size}, "
                f"n-grams {self.min_n}-{self.max_n} in {self.bucket} buckets>")

    def __contains__(self, key):
        """Whether ``key`` has a vector: an in-vocabulary word or one with an n-gram."""
        return key in self.key_to_index or (isinstance(key, str) and self._ngrams(key).size > 0)

    def _ngrams(self, word):
        if self.max_n < 1 or self.bucket < 1:     # fastText's maxn=0 (supervised models): none
            return np.zeros(0, dtype=np.int64)
        return ngram_hashes(word, self.min_n, self.max_n, self.bucket)

    def oov_vector(self, word):
        """Mean of the n-gram rows of ``word`` (its word row, if any, left out), float32 (d,)."""
        ids = self._ngrams(word)
        if ids.size == 0:
            return np.zeros(self.vector_size, dtype=self._vectors.dtype)
        return self.vectors_ngrams[ids].mean(axis=0, dtype=np.float64).astype(self._vectors.dtype)

    def get_vector(self, key, norm=False):
        """The vector of ``key``; for an unseen word, built from its n-grams."""
        if not isinstance(key, str) or key in self.key_to_index:
            return super().get_vector(key, norm)
        vec = self.oov_vector(key)
        if norm:
            length = np.sqrt(np.dot(vec, vec))
            vec = vec / length if length > 0 else vec
        vec.flags.writeable = False
        return vec

    def _resolve(self, group):
        """Unseen words of a query replaced by their unit vectors (in-vocabulary ones kept,
        so that they are still left out of the results)."""
        out = []
        for item in _as_list(group):
            key, weight = item if isinstance(item, tuple) else (item, None)
            if isinstance(key, str) and key not in self.key_to_index:
                key = self.get_vector(key, norm=True)
            out.append(key if weight is None else (key, weight))
        return out

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """As :meth:`KeyedVectors.most_similar`; unseen words are answered from their n-grams."""
        return super().most_similar(self._resolve(positive), self._resolve(negative), topn,
                                    restrict_vocab)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        return super().most_similar_cosmul(self._resolve(positive), self._resolve(negative),
                                           topn, restrict_vocab)
