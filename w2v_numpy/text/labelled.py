"""Labelled text for the classifier: ``__label__X text`` lines, features and batches.

A line holds its labels as tokens starting with ``__label__`` (anywhere in the
line, one or more, as fastText reads them) and its words as the other
whitespace-separated tokens. A document's features are its in-vocabulary
words and, with ``word_ngrams`` = n > 1, its word 2..n-grams hashed into
``bucket`` rows: a word n-gram's id is ``V + hash % bucket`` (see
:mod:`w2v_numpy.models.supervised_input`). The hash is fastText's recipe: each token's
FNV-1a hash (:func:`w2v_numpy.text.ngrams.ft_hash_many`), combined left to right
as ``h = h * 116049371 + hash(next)`` in 64 bits. Unknown words take part in
the n-grams (their hash needs no vocabulary), as in fastText.
"""
import sys

import numpy as np

from ..errors import W2VError
from .corpus import read_lines
from .ngrams import ft_hash_many

LABEL_PREFIX = "__label__"
NGRAM_MULTIPLIER = np.uint64(116049371)


def parse_line(line, prefix=LABEL_PREFIX):
    """``(labels, words)`` of one line (lists of str)."""
    tokens = line.split()
    return ([t for t in tokens if t.startswith(prefix)],
            [t for t in tokens if not t.startswith(prefix)])


def read_labelled(path, prefix=LABEL_PREFIX):
    """Every line of ``path`` as ``(labels, words)``; ``-`` is standard input.

    Raises
    ------
    W2VError
        ``param="input"`` if no line has a label, or the file is not UTF-8 text (UTF-16,
        UTF-32, binary) or a damaged archive.
    """
    if str(path) == "-":
        examples = [parse_line(line, prefix) for line in sys.stdin]
    else:
        try:      # the corpus reader: UTF-16/32 or binary input refused, archives opened
            examples = [parse_line(line, prefix) for line in read_lines(str(path))]
        except W2VError as exc:
            raise W2VError(exc.message, param="input") from None
    if not any(labels for labels, _ in examples):
        raise W2VError(f"{path}: no line has a label (labels are tokens starting with "
                       f"{prefix!r}, e.g. '{prefix}sports the match ...')", param="input")
    return examples


class Dictionary:
    """Words and labels of a training set, most frequent first (ties: first seen)."""

    def __init__(self, words, counts, labels, label_counts):
        self.words, self.counts = list(words), np.asarray(counts, dtype=np.int64)
        self.labels, self.label_counts = list(labels), np.asarray(label_counts, dtype=np.int64)
        self.word_index = {w: i for i, w in enumerate(self.words)}
        self.label_index = {w: i for i, w in enumerate(self.labels)}

    @classmethod
    def from_examples(cls, examples, min_count=1):
        def ranked(counter):
            items = sorted(counter.items(), key=lambda kv: -kv[1])   # stable: first seen wins ties
            return [k for k, _ in items], [c for _, c in items]

        words, labels = {}, {}
        for labs, toks in examples:
            for t in toks:
                words[t] = words.get(t, 0) + 1
            for t in labs:
                labels[t] = labels.get(t, 0) + 1
        words = {w: c for w, c in words.items() if c >= min_count}
        if not words:
            raise W2VError(f"no word occurs {min_count} times or more", param="minCount")
        if len(labels) < 2:
            raise W2VError(f"need at least 2 different labels, found {len(labels)}", param="input")
        return cls(*ranked(words), *ranked(labels))


def features(words, dictionary, word_ngrams=1, bucket=0):
    """Feature ids (int64) of one document: word ids, then hashed word n-gram ids."""
    ids = [dictionary.word_index[w] for w in words if w in dictionary.word_index]
    if word_ngrams > 1 and bucket > 0 and len(words) > 1:
        h = ft_hash_many(words).astype(np.uint64)                                 # (T,)
        V, grams = len(dictionary.words), []
        with np.errstate(over="ignore"):
            acc = h.copy()
            for n in range(2, word_ngrams + 1):
                acc = acc[:-1] * NGRAM_MULTIPLIER + h[n - 1:]                     # (T - n + 1,)
                grams.append(acc % np.uint64(bucket))
        ids = np.concatenate([np.asarray(ids, dtype=np.int64)]
                             + [V + g.astype(np.int64) for g in grams])
    return np.asarray(ids, dtype=np.int64)


def encode(examples, dictionary, word_ngrams=1, bucket=0):
    """All documents as CSR features: ``ptr`` (n + 1,), ``ids``; and the label sets."""
    feats = [features(w, dictionary, word_ngrams, bucket) for _, w in examples]
    ptr = np.zeros(len(feats) + 1, dtype=np.int64)
    np.cumsum([f.size for f in feats], out=ptr[1:])
    ids = np.concatenate(feats) if feats else np.zeros(0, np.int64)
    gold = [[dictionary.label_index[x] for x in labs if x in dictionary.label_index]
            for labs, _ in examples]
    return ptr, ids, gold
