"""The vocabulary: word counts, ``min_count`` / ``max_vocab`` filtering, ids.

Ids are assigned in a fixed order, count descending and then word ascending,
so the same corpus and settings always give the same ids (and the most
frequent word has id 0, as in word2vec.c and gensim).
"""
import json

import numpy as np

from ..errors import W2VError


class Vocab:
    """Words with their corpus counts; word ``i`` has id ``i``.

    Parameters
    ----------
    words : sequence of str
        The words, already in id order.
    counts : sequence of int
        Corpus count of each word, same length as ``words``.
    """

    def __init__(self, words, counts):
        self.words = list(words)
        self.counts = np.asarray(counts, dtype=np.int64)
        if self.counts.shape != (len(self.words),):
            raise W2VError("vocab: words and counts must have the same length")
        self.key_to_index = {w: i for i, w in enumerate(self.words)}
        if len(self.key_to_index) != len(self.words):
            raise W2VError("vocab: words must be unique")

    @classmethod
    def from_counts(cls, words, counts, min_count=5, max_vocab=None):
        """Filter raw counts and order the survivors.

        Parameters
        ----------
        words, counts : sequences
            Every distinct word of the corpus and its count.
        min_count : int
            Drop words seen fewer times (word2vec.c and gensim default: 5).
        max_vocab : int or None
            Keep only the ``max_vocab`` most frequent words after
            ``min_count`` (gensim's ``max_final_vocab`` meaning; ties broken by
            the word itself, so the cut is deterministic).

        Raises
        ------
        W2VError
            If the corpus has no words, or nothing survives ``min_count``.
        """
        if min_count < 1:
            raise W2VError(f"must be >= 1, got {min_count}", param="min_count")
        if max_vocab is not None and max_vocab < 1:
            raise W2VError(f"must be >= 1 or None, got {max_vocab}", param="max_vocab")
        counts = np.asarray(counts, dtype=np.int64)
        if counts.size == 0 or counts.sum() == 0:
            raise W2VError("the corpus is empty (no tokens found)", param="corpus_file")
        keep = np.flatnonzero(counts >= min_count)
        if keep.size == 0:
            raise W2VError(
                f"min_count={min_count} leaves an empty vocabulary "
                f"(the most frequent word occurs {int(counts.max())} times); lower min_count"
            )
        kept = sorted(((-int(counts[i]), words[i]) for i in keep))
        if max_vocab is not None:
            kept = kept[:max_vocab]
        return cls([w for _, w in kept], [-c for c, _ in kept])

    def __len__(self):
        return len(self.words)

    def __contains__(self, word):
        return word in self.key_to_index

    def __repr__(self):
        return f"Vocab({len(self)} words, {int(self.counts.sum())} tokens)"

    @property
    def total(self):
        """Number of corpus tokens covered by the vocabulary."""
        return int(self.counts.sum())

    def keep_probs(self, sample=1e-3):
        r"""word2vec.c's sub-sampling keep probability for each word.

        .. math:: p_{keep}(w) = \min\left(1, \sqrt{t/f(w)} + t/f(w)\right),
                  \quad f(w) = \mathrm{count}(w) / \sum_v \mathrm{count}(v)

        with :math:`t` = ``sample``; ``sample=0`` keeps every word.
        """
        if sample < 0:
            raise W2VError(f"must be >= 0, got {sample}", param="sample")
        if sample == 0:
            return np.ones(len(self), dtype=np.float64)
        ratio = sample / (self.counts / self.total)
        return np.minimum(1.0, np.sqrt(ratio) + ratio)

    def to_dict(self):
        """Plain ``{"words": [...], "counts": [...]}``, ready for JSON."""
        return {"words": self.words, "counts": self.counts.tolist()}

    @classmethod
    def from_dict(cls, data):
        return cls(data["words"], data["counts"])

    def save(self, path):
        """Write the vocabulary as UTF-8 JSON."""
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(self.to_dict(), fh, ensure_ascii=False)

    @classmethod
    def load(cls, path):
        """Read a vocabulary written by :meth:`save`."""
        with open(path, encoding="utf-8") as fh:
            return cls.from_dict(json.load(fh))
