"""The vocabulary: word counts, ``min_count`` / ``max_vocab`` filtering, ids.

Ids are assigned in a fixed order, count descending and then word ascending,
so the same corpus and settings always give the same ids (and the most
frequent word has id 0, as in word2vec.c and gensim).
"""
import json
import os

import numpy as np

from ..errors import W2VError

#: The sentence-boundary token word2vec.c counts (once per line) and writes first in its
#: ``-save-vocab`` file. w2v_numpy's tokenizers never produce it, so reading skips it.
SENTENCE_END = "</s>"


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

    def save_word2vec_format(self, path):
        """Write the vocabulary as word2vec.c's ``-save-vocab`` does: ``word count`` per
        line, in id order (count-descending for a vocabulary built from one corpus).

        Why this format: word2vec.c (``-read-vocab``), gensim and other tools read
        it, so one vocabulary can be built once and shared. Unlike word2vec.c, no
        ``</s>`` line is written (w2v_numpy has no sentence-boundary token). The
        file appears whole or not at all (:func:`w2v_numpy.files.atomic.atomic_open`).
        """
        from ..files.atomic import atomic_open      # files imports text; import at call time
        lines = "".join(f"{w} {int(c)}\n" for w, c in zip(self.words, self.counts))
        with atomic_open(path) as fh:
            fh.write(lines.encode("utf-8"))

    @classmethod
    def load_word2vec_format(cls, path):
        """Read a ``word count`` per line file (:meth:`save_word2vec_format`, or word2vec.c's
        ``-save-vocab``), words in file order; word2vec.c's ``</s>`` line is skipped.

        Raises
        ------
        W2VError
            ``"PATH line N: ..."`` (``param="read_vocab"``) for a line that is not a
            word and a non-negative integer count, a repeated word, text that is not
            UTF-8, or a file without words; ``FileNotFoundError`` if it is missing.
        """
        path = os.fspath(path)
        with open(path, "rb") as fh:
            data = fh.read()
        if data.startswith(b"\xef\xbb\xbf"):      # a UTF-8 byte-order mark some editors add
            data = data[3:]
        words, counts, seen = [], [], {}
        # Lines counted as an editor shows them, so the message points at the right one.
        for number, raw in enumerate(data.split(b"\n"), start=1):
            def bad(why):
                return W2VError(f"{path} line {number}: {why} (expected 'word count', as "
                                "word2vec.c's -save-vocab writes)", param="read_vocab")
            try:
                line = raw.decode("utf-8").rstrip("\r")
            except UnicodeDecodeError:
                raise bad("not UTF-8 text") from None
            if not line.strip():
                if number == data.count(b"\n") + 1:       # the end of the last line
                    continue
                raise bad("empty line")
            fields = line.split()
            if len(fields) != 2:
                raise bad(f"{len(fields)} field{'' if len(fields) == 1 else 's'}, not 2")
            word, count = fields
            if not count.isdigit() or not count.isascii():
                raise bad(f"count {count!r} is not a non-negative integer")
            if int(count) >= 2 ** 63:                   # the counts are int64
                raise bad(f"count {count} is too large")
            if word == SENTENCE_END:
                continue
            if word in seen:
                raise bad(f"{word!r} repeats line {seen[word]}")
            seen[word] = number
            words.append(word)
            counts.append(int(count))
        if not words:
            raise W2VError(f"{path}: no words in the vocabulary file", param="read_vocab")
        return cls(words, counts)

