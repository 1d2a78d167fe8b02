"""Reading a corpus: paths and globs, tokenization, and encoding to int32 ids.

Text is streamed line by line (one line = one sentence). Only the distinct
words are kept as Python strings; the tokens themselves go straight into a
compact int32 array, so a corpus of tens of millions of tokens needs a few
hundred MB, not gigabytes of Python objects. ``.xz``, ``.gz`` and ``.bz2``
files are decompressed on the fly.
"""
import bz2
import glob
import gzip
import lzma
import os
import re
from array import array
from dataclasses import dataclass

import numpy as np

from .errors import W2VError
from .vocab import Vocab

_WORD_RE = re.compile(r"[^\W\d_]+")

#: Longer lines are cut into pieces of this many tokens (gensim's limit),
#: so that a single-line corpus such as text8 still has bounded "sentences".
MAX_SENTENCE_LENGTH = 10000


def simple_tokenize(line):
    """Default tokenizer: lowercase, keep runs of letters of any script.

    Digits, punctuation and underscores separate words and are dropped, so
    ``"Кот, сидит 2 раза!"`` gives ``["кот", "сидит", "раза"]``.
    """
    return _WORD_RE.findall(line.lower())


def whitespace_tokenize(line):
    """Split on white space only: the fast choice for pre-normalised text (text8)."""
    return line.split()


def expand_paths(paths):
    """Turn a path, a glob, or a list of them into a sorted list of files.

    Raises
    ------
    W2VError
        If a pattern matches nothing or a path is not a file.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files = []
    for pattern in paths:
        pattern = os.fspath(pattern)
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            raise W2VError(f"{pattern!r} matches no file", param="corpus_file")
        for path in matches:
            if not os.path.isfile(path):
                raise W2VError(f"{path!r} does not exist or is not a file", param="corpus_file")
            files.append(path)
    if not files:
        raise W2VError("no input files given", param="corpus_file")
    return files


def open_text(path):
    """Open a (possibly compressed) text file as UTF-8.

    Bytes that are not valid UTF-8 are replaced by U+FFFD, which no tokenizer
    keeps as part of a word, so a stray bad byte splits a word instead of
    stopping a long run.
    """
    opener = {".xz": lzma.open, ".gz": gzip.open, ".bz2": bz2.open}.get(
        os.path.splitext(path)[1], open
    )
    return opener(path, "rt", encoding="utf-8", errors="replace")


def iter_sentences(paths, tokenizer=simple_tokenize):
    """Yield each non-empty line of every file as a list of tokens."""
    for path in expand_paths(paths):
        with open_text(path) as fh:
            for line in fh:
                tokens = tokenizer(line)
                if tokens:
                    yield tokens


@dataclass
class EncodedCorpus:
    """A corpus as word ids.

    Attributes
    ----------
    ids : int32 array (N,)
        Every in-vocabulary token, in order.
    starts : int64 array (S,)
        Index in ``ids`` where each sentence begins (``starts[0] == 0``).
    raw_words : int
        Tokens read, out-of-vocabulary ones included (gensim's "raw words").
    """

    ids: np.ndarray
    starts: np.ndarray
    raw_words: int

    def __len__(self):
        return int(self.ids.size)

    def sentence_ids(self, begin, end):
        """Sentence number of each token in ``ids[begin:end]`` (int64)."""
        return np.searchsorted(self.starts, np.arange(begin, end), side="right") - 1


def scan(paths, tokenizer=simple_tokenize):
    """Read the corpus once: distinct words, their counts, and provisional ids.

    Returns
    -------
    words : list of str
        Distinct words in order of first appearance.
    counts : int64 array
    ids : int32 array
        Every token as an index into ``words``.
    starts : int64 array
        Sentence start offsets into ``ids``.
    """
    index = {}
    ids = array("i")
    starts = array("q")
    for tokens in iter_sentences(paths, tokenizer):
        starts.append(len(ids))
        ids.extend([index.setdefault(t, len(index)) for t in tokens])
    ids = np.frombuffer(ids, dtype=np.int32) if len(ids) else np.zeros(0, np.int32)
    counts = np.bincount(ids, minlength=len(index)).astype(np.int64)
    return list(index), counts, ids, np.asarray(starts, dtype=np.int64)


def load_corpus(paths, min_count=5, max_vocab=None, tokenizer=simple_tokenize,
                max_sentence_length=MAX_SENTENCE_LENGTH):
    """Scan files, build the vocabulary and encode the corpus, in one pass.

    Out-of-vocabulary tokens are removed before windows are formed, as in
    word2vec.c. Sentences emptied by that removal disappear, and sentences
    longer than ``max_sentence_length`` are cut.

    Returns
    -------
    vocab : Vocab
    corpus : EncodedCorpus
    """
    words, counts, raw_ids, raw_starts = scan(paths, tokenizer)
    vocab = Vocab.from_counts(words, counts, min_count=min_count, max_vocab=max_vocab)
    remap = np.full(len(words), -1, dtype=np.int32)
    lookup = {w: i for i, w in enumerate(words)}
    remap[[lookup[w] for w in vocab.words]] = np.arange(len(vocab), dtype=np.int32)
    new_ids = remap[raw_ids]
    kept = new_ids >= 0
    position = np.concatenate([[0], np.cumsum(kept, dtype=np.int64)])  # (N_raw+1,)
    ids = new_ids[kept]
    starts = np.unique(position[raw_starts])
    starts = starts[starts < ids.size]
    starts = _split_long(starts, ids.size, max_sentence_length)
    return vocab, EncodedCorpus(ids=ids, starts=starts, raw_words=int(raw_ids.size))


def _split_long(starts, n_tokens, limit):
    """Add sentence starts so that no sentence is longer than ``limit``."""
    if starts.size == 0:
        return starts
    lengths = np.diff(np.append(starts, n_tokens))
    if lengths.max() <= limit:
        return starts
    pieces = [np.arange(s, s + n, limit) for s, n in zip(starts, lengths)]
    return np.concatenate(pieces).astype(np.int64)
