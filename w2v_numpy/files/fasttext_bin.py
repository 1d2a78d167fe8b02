"""Facebook fastText's binary model files (``.bin``): read and write.

The layout (fastText's ``FastText::saveModel``, version 12; every number in
the machine's byte order, little-endian on every platform fastText ships for):

====================  ==========================================================
magic, version        int32 793712314, int32 12
args                  int32 dim, ws, epoch, minCount, neg, wordNgrams, loss,
                      model, bucket, minn, maxn, lrUpdateRate; float64 t
dictionary            int32 size, nwords, nlabels; int64 ntokens, pruneidx_size;
                      ``size`` entries: the UTF-8 word, a NUL byte, int64 count,
                      int8 type (0 word, 1 label); ``pruneidx_size`` int32 pairs
quant_input           bool (1 byte)
input matrix          int64 rows (= nwords + bucket), int64 dim, float32 rows
qout                  bool
output matrix         int64 rows, int64 dim, float32 rows
====================  ==========================================================

Rows ``0..nwords-1`` of the input matrix are the word rows, the following
``bucket`` rows the hashed n-gram rows. fastText's vector of a word is the
mean of its word row (if it is in the dictionary) and its n-gram rows, which
is exactly :class:`w2v_numpy.vectors.subword_vectors.FastTextKeyedVectors`
with ``W_in = input[:nwords]`` and ``vectors_ngrams = input[nwords:]``, so the
conversion is a split (or a stack) of one matrix, with no arithmetic
(``FastTextKeyedVectors.load_fasttext_format`` builds the vectors; this module
deals in plain arrays, as the rest of :mod:`w2v_numpy.files`). Two
fastText rules are kept: the end-of-sentence token ``</s>`` has no n-grams,
and ``maxn == 0`` (supervised models) means no n-grams at all.

Refused, with a :class:`~w2v_numpy.errors.ModelFileError` naming the file:
a wrong magic number or version, quantized models (``.ftz``: ``quant_input``
or a pruned dictionary), and a file too short for its header, dictionary or
matrices. Only the standard library and NumPy are used.
"""
import os
import struct

import numpy as np

from ..errors import ModelFileError, W2VError
from ..text.ngrams import subword_table
from .atomic import atomic_open

MAGIC = 793712314
VERSION = 12
#: The first four bytes of every fastText model file (``MAGIC`` as a little-endian int32).
MAGIC_BYTES = struct.pack("<i", MAGIC)
EOS = "</s>"
#: fastText's ``loss_name`` and ``model_name`` enums.
LOSS_NS, MODEL_CBOW, MODEL_SG, MODEL_SUP = 2, 1, 2, 3

_ARGS = struct.Struct("<12id")
_ARG_NAMES = ("dim", "ws", "epoch", "min_count", "neg", "word_ngrams", "loss", "model",
              "bucket", "minn", "maxn", "lr_update_rate", "t")
_DICT_HEAD = struct.Struct("<3i2q")
_ENTRY_TAIL = struct.Struct("<qb")
_MATRIX_HEAD = struct.Struct("<2q")
#: Largest dictionary accepted (fastText's own ``MAX_VOCAB_SIZE``).
MAX_VOCAB = 30_000_000


def is_fasttext_bin(path):
    """Whether the file at ``path`` starts with fastText's magic number."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == MAGIC_BYTES
    except OSError:
        return False


class _Reader:
    """Sequential reads from a binary file, each failing with one line naming the file."""

    CHUNK = 1 << 20

    def __init__(self, fh, path):
        self.fh, self.path = fh, path
        self.buf, self.pos, self.base = b"", 0, 0      # buf holds file bytes base..base+len

    def fail(self, problem):
        raise ModelFileError(f"cannot read fastText model {self.path}: {problem}")

    def _fill(self, need):
        """Make ``need`` bytes available from ``pos``; False at the end of the file."""
        while len(self.buf) - self.pos < need:
            more = self.fh.read(max(self.CHUNK, need))
            if not more:
                return False
            self.buf = self.buf[self.pos:] + more
            self.base += self.pos
            self.pos = 0
        return True

    def unpack(self, fmt, what):
        if not self._fill(fmt.size):
            self.fail(f"the file ends inside the {what} (truncated)")
        values = fmt.unpack_from(self.buf, self.pos)
        self.pos += fmt.size
        return values

    def cstring(self, what):
        """Bytes up to the next NUL (dropped)."""
        while True:
            end = self.buf.find(b"\0", self.pos)
            if end >= 0:
                out = self.buf[self.pos:end]
                self.pos = end + 1
                return out
            if len(self.buf) - self.pos > 1 << 20:
                self.fail(f"{what}: no end of word within 1 MiB (not a fastText dictionary)")
            if not self._fill(len(self.buf) - self.pos + 1):
                self.fail(f"the file ends inside the {what} (truncated)")

    def tell(self):
        return self.base + self.pos

    def matrix(self, what, rows, cols, load=True):
        """A (rows, cols) float32 array read from here (or skipped when ``load`` is False)."""
        nbytes = rows * cols * 4
        offset = self.tell()
        size = os.fstat(self.fh.fileno()).st_size
        if size - offset < nbytes:
            self.fail(f"the {what} matrix is truncated: {rows} x {cols} float32 need "
                      f"{nbytes} bytes, {max(size - offset, 0)} left")
        if load:
            self.fh.seek(offset)
            data = np.fromfile(self.fh, dtype="<f4", count=rows * cols)
            if data.size != rows * cols:                                # raced with a writer
                self.fail(f"the {what} matrix is truncated")
            out = data.reshape(rows, cols).astype(np.float32, copy=False)
        else:
            out = None
        self.fh.seek(offset + nbytes)
        self.buf, self.pos, self.base = b"", 0, offset + nbytes
        return out


def read_fasttext_bin(path, with_output=False):
    """The contents of a fastText ``.bin`` model file.

    Parameters
    ----------
    path : str or path
    with_output : bool
        Also read the output matrix (otherwise only its size is checked).

    Returns
    -------
    dict
        ``args`` (dict of the header's settings, fastText's names in snake case),
        ``version``, ``words`` (list of str, the word entries in file order),
        ``counts`` (int64 array), ``labels`` (list of str), ``ntokens``,
        ``input`` (float32, (nwords + bucket, dim)) and ``output`` (float32 array or None).

    Raises
    ------
    FileNotFoundError
    ModelFileError
        ``"cannot read fastText model PATH: <problem>"``, on one line.
    """
    path = os.fspath(path)
    with open(path, "rb") as fh:
        r = _Reader(fh, path)
        if not r._fill(8):
            r.fail("the file is shorter than fastText's 8-byte header (truncated or not "
                   "a fastText model)")
        magic, version = r.unpack(struct.Struct("<2i"), "header")
        if magic != MAGIC:
            r.fail(f"wrong magic number {magic} (a fastText model starts with {MAGIC}); "
                   "not a fastText .bin file")
        if version not in (11, VERSION):
            r.fail(f"unsupported fastText format version {version} (this reader knows 11 "
                   f"and {VERSION})")
        args = dict(zip(_ARG_NAMES, r.unpack(_ARGS, "settings block")))
        if version == 11 and args["model"] == MODEL_SUP:
            args["maxn"] = 0              # fastText: old supervised models had no n-grams
        dim, bucket, minn, maxn = args["dim"], args["bucket"], args["minn"], args["maxn"]
        if dim < 1 or bucket < 0 or (maxn > 0 and not 1 <= minn <= maxn):
            r.fail(f"impossible settings dim={dim}, bucket={bucket}, minn={minn}, "
                   f"maxn={maxn}")

        size, nwords, nlabels, ntokens, prune = r.unpack(_DICT_HEAD, "dictionary header")
        if not (0 <= nwords <= size <= MAX_VOCAB and nwords + nlabels == size):
            r.fail(f"impossible dictionary sizes: {size} entries, {nwords} words, "
                   f"{nlabels} labels")
        if prune >= 0:
            r.fail("pruned dictionary: a quantized (.ftz) model, which is not supported "
                   "(use the full .bin model)")
        words, labels = [], []
        counts = np.zeros(nwords, dtype=np.int64)
        for i in range(size):
            raw = r.cstring(f"dictionary entry {i}")
            count, kind = r.unpack(_ENTRY_TAIL, f"dictionary entry {i}")
            text = raw.decode("utf-8", errors="backslashreplace")
            if kind == 0 and len(words) < nwords:
                counts[len(words)] = count
                words.append(text)
            elif kind == 1:
                labels.append(text)
            else:
                r.fail(f"dictionary entry {i} ({text!r}) has type {kind}; expected the "
                       f"{nwords} words (type 0) first, then the labels (type 1)")
        if len(set(words)) != len(words):
            r.fail("the dictionary lists a word twice")

        (quant_input,) = r.unpack(struct.Struct("<?"), "input matrix flag")
        if quant_input:
            r.fail("quantized input matrix: a compressed .ftz model, which is not supported "
                   "(use the full .bin model)")
        rows, cols = r.unpack(_MATRIX_HEAD, "input matrix header")
        if rows != nwords + bucket or cols != dim:
            r.fail(f"the input matrix is {rows} x {cols}, expected (nwords + bucket) x dim = "
                   f"{nwords + bucket} x {dim}")
        inp = r.matrix("input", rows, cols)
        (quant_output,) = r.unpack(struct.Struct("<?"), "output matrix flag")
        if quant_output:
            r.fail("quantized output matrix: a compressed .ftz model, which is not supported "
                   "(use the full .bin model)")
        orows, ocols = r.unpack(_MATRIX_HEAD, "output matrix header")
        if orows < 0 or ocols != dim:
            r.fail(f"the output matrix is {orows} x {ocols}, expected {dim} columns")
        out = r.matrix("output", orows, ocols, load=with_output)
    return dict(args=args, version=version, words=words, counts=counts, labels=labels,
                ntokens=int(ntokens), input=inp, output=out)


def fasttext_subword_table(words, minn, maxn, bucket):
    """The n-gram bucket ids of ``words`` as fastText assigns them (CSR ``ptr, ids``).

    As :func:`w2v_numpy.text.ngrams.subword_table`, plus fastText's two exceptions:
    ``</s>`` has no n-grams, and neither has any word when ``maxn`` or ``bucket`` is 0.
    """
    if maxn < 1 or bucket < 1:
        return np.zeros(len(words) + 1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ptr, ids = subword_table(words, minn, maxn, bucket)
    try:
        e = words.index(EOS)
    except ValueError:
        return ptr, ids
    cut = ptr[e + 1] - ptr[e]
    ids = np.concatenate([ids[:ptr[e]], ids[ptr[e + 1]:]])
    ptr = ptr.copy()
    ptr[e + 1:] -= cut
    return ptr, ids


def write_fasttext_bin(path, words, counts, W_in, W_ngram, W_out, *, minn, maxn, sg,
                       window=5, epochs=5, min_count=1, negative=5, sample=1e-4,
                       lr_update_rate=100):
    """Write an unsupervised (negative-sampling) model as a fastText ``.bin`` file.

    Parameters
    ----------
    path : str or path
        Written atomically (:func:`w2v_numpy.files.atomic.atomic_open`).
    words : list of str
        The vocabulary, most frequent first; ``counts`` their corpus counts (>= 1).
    W_in, W_ngram, W_out : arrays (V, d), (bucket, d), (V, d)
        Word rows, n-gram rows, output rows; written as float32.
    minn, maxn : int
    sg : bool
        Skip-gram (fastText's ``model`` 2) or CBOW (1).
    window, epochs, min_count, negative, sample, lr_update_rate
        Stored in the settings block (fastText only uses them to train further).
    """
    V, d = W_in.shape
    bucket = W_ngram.shape[0]
    counts = np.asarray(counts, dtype=np.int64)
    if len(words) != V or counts.shape != (V,) or W_ngram.shape[1] != d or W_out.shape != (V, d):
        raise W2VError(f"fastText export: {len(words)} words, {counts.shape[0]} counts and "
                       f"matrices {W_in.shape}, {W_ngram.shape}, {W_out.shape} do not agree")
    if V and counts.min() < 1:
        raise W2VError("fastText export: every word needs a count >= 1")
    encoded = [w.encode("utf-8") for w in words]
    if any(b"\0" in w or not w for w in encoded):
        raise W2VError("fastText export: a word is empty or holds a NUL character")
    with atomic_open(path) as f:
        f.write(struct.pack("<2i", MAGIC, VERSION))
        f.write(_ARGS.pack(d, int(window), int(epochs), int(min_count), int(negative), 1,
                           LOSS_NS, MODEL_SG if sg else MODEL_CBOW, bucket, int(minn),
                           int(maxn), int(lr_update_rate), float(sample)))
        f.write(_DICT_HEAD.pack(V, V, 0, int(counts.sum()), -1))
        f.write(b"".join(w + b"\0" + _ENTRY_TAIL.pack(int(c), 0) for w, c in zip(encoded, counts)))
        f.write(struct.pack("<?", False))
        f.write(_MATRIX_HEAD.pack(V + bucket, d))
        f.write(np.ascontiguousarray(W_in, dtype="<f4").tobytes())
        for lo in range(0, bucket, 1 << 16):             # the n-gram table may be large
            f.write(np.ascontiguousarray(W_ngram[lo:lo + (1 << 16)], dtype="<f4").tobytes())
        f.write(struct.pack("<?", False))
        f.write(_MATRIX_HEAD.pack(V, d))
        f.write(np.ascontiguousarray(W_out, dtype="<f4").tobytes())
