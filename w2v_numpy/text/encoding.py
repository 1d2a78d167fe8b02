"""Encoding a corpus to word ids in files, and reading it back a chunk at a time.

Why files: an encoded corpus is 4 bytes a token, and making it in memory cost
about 23 bytes a token at the peak (the provisional ids, the remapped copy, a
keep mask, an int64 position for every token, the final ids). At that slope a
billion-token corpus does not fit in this machine's memory, while word2vec.c
and gensim's ``corpus_file`` mode need memory for the vocabulary and the model
only. Here the ids go to a file as they are made, a bounded block at a time,
and training maps that file and copies out one chunk at a time
(:meth:`EncodedCorpus.read`), so no per-token array lives in the process.

Two passes, the text tokenized once:

1. **tokenize** (:func:`_tokenize_pass`): each line's tokens get provisional ids in
   order of first appearance; they are written to a scratch file in blocks of whole
   lines, beside each block's line starts, while the distinct words and their counts
   stay in memory (that is the vocabulary's size, not the corpus's);
2. **remap** (:func:`_remap_pass`): with the vocabulary made from those counts,
   each block is mapped to final ids, its out-of-vocabulary tokens dropped (as
   word2vec.c drops them, before windows are formed), and appended to ``ids.i32``;
   sentence starts go to ``starts.i64`` (emptied lines vanish, lines longer than
   ``max_sentence_length`` are cut, as :data:`~w2v_numpy.text.corpus.MAX_SENTENCE_LENGTH`).

Mapped pages count in a process's resident memory for as long as they stay
mapped, and with memory to spare the kernel never takes them back: reading a
200 MB mapping from end to end left 225 MB resident, against 39 MB when each
chunk's pages were released after the copy. So :meth:`EncodedCorpus.read`
releases them (``madvise(MADV_DONTNEED)``: the pages leave this process, the
file's data stays in the page cache for the next reader). Forked processes
(the batch producer, training workers) inherit the mapping: nothing is copied.

:mod:`w2v_numpy.text.corpus_cache` keeps the folder between runs.
"""
import json
import mmap
import os
import zlib
from array import array
from collections import defaultdict

import numpy as np
from tqdm.auto import tqdm

from ..errors import W2VError
from .corpus import MAX_SENTENCE_LENGTH, expand_paths, line_pieces, read_lines, simple_tokenize
from .vocab import Vocab

#: Tokens per block of the tokenize pass (whole lines; one long line may exceed it).
BLOCK_TOKENS = 1 << 20
#: The files of an encoded corpus, with their dtypes.
IDS_FILE, STARTS_FILE, META_FILE, VOCAB_FILE = "ids.i32", "starts.i64", "meta.json", "vocab.json"
_DTYPES = {IDS_FILE: np.int32, STARTS_FILE: np.int64}
#: Bumped whenever the files' layout changes (an older folder is then rebuilt).
FORMAT = 1


class EncodedCorpus:
    """A corpus as word ids: in memory, or mapped from an encoded folder.

    Parameters
    ----------
    ids : int32 array (N,)
        Every in-vocabulary token, in order.
    starts : int64 array (S,)
        Index in ``ids`` where each sentence begins (``starts[0] == 0``).
    raw_words : int
        Tokens read, out-of-vocabulary ones included (gensim's "raw words").
    longest : int or None
        Tokens of the longest sentence (computed from ``starts`` if not given).
    maps : (mmap.mmap or None, mmap.mmap or None)
        The mappings ``ids`` and ``starts`` are views of (see :meth:`open`), None for an
        array in memory; their pages are released after each :meth:`read`.
    """

    def __init__(self, ids, starts, raw_words, longest=None, maps=(None, None)):
        self.ids, self.starts, self.raw_words = ids, starts, int(raw_words)
        self._maps = tuple(maps)
        if longest is None:
            longest = int(np.diff(np.append(starts, ids.size)).max()) if starts.size else 0
        self.longest = int(longest)

    def __len__(self):
        return int(self.ids.size)

    @property
    def mapped(self):
        """Whether the ids are a view of a file (else an array in memory)."""
        return self._maps[0] is not None

    @classmethod
    def open(cls, folder, meta):
        """Map the ids and starts of an encoded ``folder`` whose ``meta.json`` says ``meta``.

        Raises
        ------
        W2VError
            If a file is missing or its size does not match ``meta``.
        """
        arrays, maps = [], []
        for name, count in ((IDS_FILE, meta["n_tokens"]), (STARTS_FILE, meta["n_sentences"])):
            array_, mm = _map(os.path.join(folder, name), _DTYPES[name], count)
            arrays.append(array_)
            maps.append(mm)
        return cls(arrays[0], arrays[1], meta["raw_words"], meta["longest"], maps)

    def read(self, begin, end):
        """Tokens ``[begin, end)`` and their sentences, copied out of the corpus.

        Returns
        -------
        ids : int64 (n,)
        sentence : int64 (n,)
            Sentence number of each token, counted from the first one in the range
            (only equality matters: a window never crosses a sentence start).
        """
        ids = self.ids[begin:end].astype(np.int64)                             # (n,)
        first = int(np.searchsorted(self.starts, begin, side="right")) - 1
        last = int(np.searchsorted(self.starts, end, side="left"))
        inside = np.asarray(self.starts[first + 1:last]) - begin             # (k,) starts in range
        sentence = np.zeros(ids.size, np.int64)                              # (n,)
        sentence[inside] = 1
        np.cumsum(sentence, out=sentence)
        self._release(begin, end, first, last)
        return ids, sentence

    def sentence_ids(self, begin, end):
        """Sentence number of each token in ``ids[begin:end]`` (int64), counted from 0."""
        return np.searchsorted(self.starts, np.arange(begin, end), side="right") - 1

    def _release(self, begin, end, first, last):
        """Hand back the mapped pages a :meth:`read` touched (see the module notes)."""
        if not hasattr(mmap, "MADV_DONTNEED"):
            return
        for mm, lo, hi in ((self._maps[0], begin * 4, end * 4),
                           (self._maps[1], max(first, 0) * 8, last * 8)):
            if mm is None:                   # in memory, or an empty file (never mapped)
                continue
            lo -= lo % mmap.PAGESIZE
            hi = min(len(mm), -(-hi // mmap.PAGESIZE) * mmap.PAGESIZE)
            if hi > lo:
                mm.madvise(mmap.MADV_DONTNEED, lo, hi - lo)


def _map(path, dtype, count):
    """A read-only array of ``count`` items mapped from ``path``, and its mapping (None
    for an empty file, which cannot be mapped)."""
    try:
        size = os.path.getsize(path)
    except OSError:
        raise W2VError(f"{path} is missing") from None
    want = count * np.dtype(dtype).itemsize
    if size != want:
        raise W2VError(f"{path} holds {size} bytes, not the {want} its meta.json says")
    if count == 0:
        return np.zeros(0, dtype), None
    with open(path, "rb") as fh:
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    return np.frombuffer(mm, dtype=dtype, count=count), mm


def _tokenize_pass(files, tokenizer, folder, progress):
    """Pass 1: provisional ids to ``folder/raw.i32`` and each block's line starts (counted
    from the block's first token) to ``folder/raw_starts.i64``, a block at a time.

    Returns ``(words, counts, blocks)``: the distinct words in order of first
    appearance, their counts (int64), and ``(tokens, lines)`` of each block.
    """
    # A word's id is its dict's size when first seen: a defaultdict whose factory is its
    # own len gives it, and map() over its __getitem__ runs the per-token loop in C
    # (wiki2m: about 2x faster than a comprehension of setdefault calls).
    index, counts, blocks = defaultdict(), np.zeros(0, np.int64), []
    index.default_factory = index.__len__
    word_id = index.__getitem__
    ids, starts = array("i"), array("q")
    bar = tqdm(total=sum(os.path.getsize(f) for f in files), unit="B", unit_scale=True,
               desc="encoding the corpus", disable=not progress, mininterval=0.5)

    def flush():
        nonlocal counts, ids, starts
        block = np.frombuffer(ids, dtype=np.int32) if ids else np.zeros(0, np.int32)
        block.tofile(ids_out)
        starts.tofile(starts_out)
        grown = np.bincount(block, minlength=len(index))                  # (distinct,)
        grown[:counts.size] += counts
        counts = grown
        blocks.append((block.size, len(starts)))
        ids, starts = array("i"), array("q")

    with open(os.path.join(folder, "raw.i32"), "wb") as ids_out, \
            open(os.path.join(folder, "raw_starts.i64"), "wb") as starts_out:
        for path in files:
            for line in read_lines(path, bar):
                start = len(ids)
                for tokens in line_pieces(line, tokenizer):     # a long line a piece at a time
                    ids.extend(map(word_id, tokens))
                if len(ids) > start:
                    starts.append(start)
                    if len(ids) >= BLOCK_TOKENS:
                        flush()
        if ids:
            flush()
    bar.close()
    return list(index), counts, blocks


class _StartsWriter:
    """Writes sentence starts from sorted candidates: repeats (a line emptied by the
    vocabulary) merged, the last one held back until its end is known, long sentences cut."""

    def __init__(self, out, limit):
        self.out, self.limit = out, int(limit)
        self.held, self.count, self.longest = None, 0, 0

    def add(self, candidates):
        if self.held is not None:
            candidates = np.concatenate([[self.held], candidates])
        if candidates.size == 0:
            return
        candidates = candidates[np.r_[True, candidates[1:] != candidates[:-1]]]
        self._write(candidates[:-1], np.diff(candidates))
        self.held = int(candidates[-1])

    def finish(self, n_tokens):
        if self.held is not None and self.held < n_tokens:
            self._write(np.array([self.held]), np.array([n_tokens - self.held]))

    def _write(self, starts, lengths):
        if starts.size == 0:
            return
        if lengths.max() > self.limit:
            starts = np.concatenate([np.arange(s, s + n, self.limit)
                                     for s, n in zip(starts.tolist(), lengths.tolist())])
        starts.astype(np.int64).tofile(self.out)
        self.count += starts.size
        self.longest = max(self.longest, int(min(lengths.max(), self.limit)))


def _remap_pass(folder, remap, blocks, max_sentence_length):
    """Pass 2: final ids and sentence starts from the scratch files, which it removes;
    returns ``(n_tokens, n_sentences, longest)``."""
    kept_total = 0
    scratch = [os.path.join(folder, name) for name in ("raw.i32", "raw_starts.i64")]
    with open(scratch[0], "rb") as raw, open(scratch[1], "rb") as raw_starts, \
            open(os.path.join(folder, IDS_FILE), "wb") as ids_out, \
            open(os.path.join(folder, STARTS_FILE), "wb") as starts_out:
        writer = _StartsWriter(starts_out, max_sentence_length)
        for tokens, lines in blocks:
            new = remap[np.fromfile(raw, dtype=np.int32, count=tokens)]        # (n,)
            line_starts = np.fromfile(raw_starts, dtype=np.int64, count=lines)  # (lines,)
            kept = new >= 0                                                    # (n,)
            through = np.cumsum(kept, dtype=np.int32)               # (n,) kept tokens up to each
            before = (through[line_starts] - kept[line_starts]).astype(np.int64)  # (lines,)
            writer.add(kept_total + before)
            new[kept].tofile(ids_out)
            kept_total += int(kept.sum())
        writer.finish(kept_total)
    for path in scratch:
        os.remove(path)
    return kept_total, writer.count, writer.longest


def encode_to_folder(paths, folder, vocab_for, tokenizer=simple_tokenize,
                     max_sentence_length=MAX_SENTENCE_LENGTH, progress=False):
    """Tokenize ``paths`` once and write the encoded corpus into the empty ``folder``.

    Parameters
    ----------
    vocab_for : callable ``(words, counts) -> Vocab``
        Makes the vocabulary from every distinct word and its count (e.g.
        :meth:`Vocab.from_counts` with ``min_count``), or returns one made elsewhere.

    Returns
    -------
    vocab : Vocab
    meta : dict
        What ``meta.json`` records: ``n_tokens``, ``n_sentences``, ``raw_words``,
        ``longest`` and a CRC-32 of each file (see :func:`checksum`).

    Raises
    ------
    W2VError
        If the corpus has no token, or none in the vocabulary.
    """
    words, counts, blocks = _tokenize_pass(expand_paths(paths), tokenizer, folder, progress)
    raw_words = int(counts.sum())
    if raw_words == 0:
        raise W2VError("the corpus is empty (no tokens found)", param="corpus_file")
    vocab = vocab_for(words, counts)
    remap = np.array([vocab.key_to_index.get(w, -1) for w in words], dtype=np.int32)
    n_tokens, n_sentences, longest = _remap_pass(folder, remap, blocks, max_sentence_length)
    if n_tokens == 0:
        raise W2VError(f"none of the corpus's {raw_words} tokens is in the vocabulary of "
                       f"{len(vocab)} words", param="corpus_file")
    with open(os.path.join(folder, VOCAB_FILE), "w", encoding="utf-8") as fh:
        json.dump(vocab.to_dict(), fh, ensure_ascii=False)
    meta = {"format": FORMAT, "n_tokens": n_tokens, "n_sentences": n_sentences,
            "raw_words": raw_words, "longest": longest,
            "crc32": {name: checksum(os.path.join(folder, name))
                      for name in (IDS_FILE, STARTS_FILE, VOCAB_FILE)}}
    return vocab, meta


def read_folder(folder, meta, vocab=None):
    """The vocabulary (read unless given) and the mapped corpus of an encoded ``folder``
    (no check of its sums)."""
    if vocab is None:
        with open(os.path.join(folder, VOCAB_FILE), encoding="utf-8") as fh:
            vocab = Vocab.from_dict(json.load(fh))
    return vocab, EncodedCorpus.open(folder, meta)


def checksum(path, block=1 << 20):
    """CRC-32 of a file, read a block at a time (never mapped: see the module notes)."""
    crc = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            crc = zlib.crc32(chunk, crc)
    return crc
