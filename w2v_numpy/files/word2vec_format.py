"""Reading and writing the word2vec.c text and binary vector formats.

Both formats start with an ASCII header line ``"V d\\n"`` (number of vectors,
vector size). Then, for each of the ``V`` words:

* text: ``word v1 v2 ... vd\\n``, values as decimal numbers (the final
  ``"\\n"`` is required, so that a file cut inside its last number is caught);
* binary: ``word `` (UTF-8, then one space) followed by ``d`` little-endian
  float32 values, and optionally one ``"\\n"`` (word2vec.c writes it, gensim
  does not; readers accept both).

The readers are strict: a truncated or garbled file raises a
:class:`w2v_numpy.errors.VectorFileError` (a ``ValueError``) naming the file and the problem, never returns fewer rows
than its header declares (unless ``limit`` asks for fewer), and never reads
past the end of the file. Writes are atomic (temporary file in the same
directory, flush + fsync, :func:`os.replace`).
"""
import mmap
import os

import numpy as np

from ..errors import VectorFileError
from .atomic import atomic_open

#: File suffixes read as word2vec format (text, text, binary); anything else is a model file.
VECTOR_SUFFIXES = {".vec": False, ".txt": False, ".bin": True}
#: Largest vector size accepted from a header (guards against garbage headers).
MAX_DIM = 1 << 20
#: Longest header line (bytes) searched for the terminating newline.
MAX_HEADER = 256
_BAD_WORD_CHARS = (" ", "\n", "\r", "\t")
_CHUNK = 4096  # rows formatted per write


def save_word2vec_format(path, keys, vectors, binary=False):
    """Write vectors in word2vec text or binary format, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Output file.
    keys : sequence of str
        The words, one per row of ``vectors``; non-empty, without spaces,
        tabs or newlines (they could not be read back).
    vectors : array_like, shape (V, d)
        Binary files always hold float32. Text files hold the shortest
        decimal form that reads back to the same value: 9 significant digits
        for float32 input, 17 for float64.
    binary : bool
        Binary (``True``) or text format.
    """
    keys, vectors = list(keys), np.asarray(vectors)
    if vectors.ndim != 2 or vectors.shape[0] != len(keys):
        raise VectorFileError(f"{path}: need one row per word, got {len(keys)} words and an array "
                         f"of shape {vectors.shape}")
    for key in keys:
        if not isinstance(key, str) or not key or any(c in key for c in _BAD_WORD_CHARS):
            raise VectorFileError(f"{path}: cannot store word {key!r} (empty, or contains whitespace)")
    n, dim = vectors.shape
    digits = 17 if vectors.dtype == np.float64 else 9
    row_fmt = " ".join([f"%.{digits}g"] * dim) + "\n"
    with atomic_open(path) as f:
        f.write(f"{n} {dim}\n".encode("ascii"))
        for start in range(0, n, _CHUNK):  # chunks bound the memory of .tolist()
            words = keys[start:start + _CHUNK]
            block = vectors[start:start + _CHUNK]
            if binary:
                rows = np.ascontiguousarray(block, dtype="<f4")
                f.write(b"".join(w.encode("utf-8") + b" " + r.tobytes() + b"\n"
                                 for w, r in zip(words, rows)))
            else:
                f.write("".join(w + " " + row_fmt % tuple(r)
                                for w, r in zip(words, block.tolist())).encode("utf-8"))


def load_word2vec_format(path, binary=False, limit=None, dtype=np.float32,
                         unicode_errors="strict"):
    """Read a word2vec text or binary file.

    Parameters
    ----------
    path : str or os.PathLike
        Input file.
    binary : bool
        Binary (``True``) or text format.
    limit : int, optional
        Read only the first ``limit`` vectors (the rest of the file is not
        checked). ``None`` reads all, and then anything but whitespace after
        the last declared row is an error.
    dtype : numpy dtype
        dtype of the returned array.
    unicode_errors : str
        How to decode words that are not valid UTF-8 (``"strict"`` raises;
        ``"replace"`` or ``"ignore"`` help with word2vec.c files whose long
        words were cut inside a multi-byte character).

    Returns
    -------
    keys : list of str
    vectors : numpy.ndarray, shape (V, d)

    Raises
    ------
    ValueError
        If the file is empty, truncated or garbled, has a bad header, a row
        with the wrong number of values, a non-numeric value, or a repeated
        word. The message names the file and the problem.
    OSError
        If the file cannot be opened.
    """
    path = os.fspath(path)
    if limit is not None and limit < 0:
        raise VectorFileError(f"must be >= 0 or None, got {limit}", param="limit")
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            raise VectorFileError(f"{path}: empty file (expected a 'V d' header line)")
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            n, dim, pos = _read_header(path, buf, size)
            min_row = 2 + 4 * dim if binary else 1 + 2 * dim
            count = n if limit is None else min(n, limit)
            if count > (size - pos) // min_row:
                raise VectorFileError(f"{path}: truncated: {count} vectors of size {dim} need at least "
                                 f"{count * min_row} bytes after the header, but only "
                                 f"{size - pos} are there")
            reader = _read_binary if binary else _read_text
            keys, vectors, pos = reader(path, buf, pos, count, dim, dtype, unicode_errors)
            if count == n and buf[pos:].strip():
                raise VectorFileError(f"{path}: unexpected data after the {n} vectors the header "
                                 f"declares (byte {pos}); is the header count wrong?")
    return keys, vectors


def _read_header(path, buf, size):
    """Parse ``"V d\\n"``; return ``(V, d, offset of the first row)``."""
    end = buf.find(b"\n", 0, min(size, MAX_HEADER))
    if end < 0:
        raise VectorFileError(f"{path}: bad header: no 'V d' line found at the start of the file")
    parts = bytes(buf[:end]).split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        shown = bytes(buf[:end])[:60]
        raise VectorFileError(f"{path}: bad header {shown!r}: expected two integers 'V d'")
    n, dim = int(parts[0]), int(parts[1])
    if not 1 <= dim <= MAX_DIM:
        raise VectorFileError(f"{path}: bad header: vector size {dim} is not in 1..{MAX_DIM}")
    return n, dim, end + 1


def _decode(path, raw, row, unicode_errors):
    try:
        word = raw.decode("utf-8", errors=unicode_errors)
    except UnicodeDecodeError as e:
        raise VectorFileError(f"{path}: row {row + 1}: word is not valid UTF-8 ({e.reason} at byte "
                         f"{e.start}); try unicode_errors='replace'") from None
    if not word:
        raise VectorFileError(f"{path}: row {row + 1}: empty word")
    return word


def _add(path, seen, word, row):
    if word in seen:
        raise VectorFileError(f"{path}: row {row + 1}: word {word!r} repeats row {seen[word] + 1}")
    seen[word] = row


def _read_binary(path, buf, pos, count, dim, dtype, unicode_errors):
    nbytes = 4 * dim
    size = len(buf)
    vectors = np.empty((count, dim), dtype=dtype)
    seen = {}
    for row in range(count):
        while pos < size and buf[pos] == 0x0A:  # the optional "\n" ending the previous row
            pos += 1
        space = buf.find(b" ", pos)
        if space < 0:
            raise VectorFileError(f"{path}: truncated at row {row + 1} of {count}: no word found "
                             f"(byte {pos})")
        if space + 1 + nbytes > size:
            raise VectorFileError(f"{path}: truncated at row {row + 1} of {count}: the vector needs "
                             f"{nbytes} bytes, only {size - space - 1} left")
        raw = bytes(buf[pos:space])
        if b"\n" in raw:
            raise VectorFileError(f"{path}: garbled at row {row + 1} (byte {pos}): word contains a "
                             f"newline; is the vector size in the header wrong?")
        word = _decode(path, raw, row, unicode_errors)
        _add(path, seen, word, row)
        vectors[row] = np.frombuffer(buf, dtype="<f4", count=dim, offset=space + 1)
        pos = space + 1 + nbytes
    return list(seen), vectors, pos


def _read_text(path, buf, pos, count, dim, dtype, unicode_errors):
    size = len(buf)
    vectors = np.empty((count, dim), dtype=dtype)
    seen = {}
    for row in range(count):
        end = buf.find(b"\n", pos)
        if end < 0:  # every row ends with "\n": without it, the last value may be cut short
            end = size
            if buf[pos:].strip():
                raise VectorFileError(f"{path}: truncated at row {row + 1} of {count}: the file ends "
                                 f"without a newline (line {row + 2})")
        line = bytes(buf[pos:end]).rstrip()
        if not line:
            what = "end of file" if end >= size else "empty line"
            raise VectorFileError(f"{path}: truncated at row {row + 1} of {count}: {what} "
                             f"(line {row + 2})")
        raw, _, rest = line.partition(b" ")
        word = _decode(path, raw, row, unicode_errors)
        _add(path, seen, word, row)
        values = rest.split()
        if len(values) != dim:
            raise VectorFileError(f"{path}: line {row + 2}: expected {dim} values after the word, "
                             f"found {len(values)}")
        try:
            with np.errstate(over="ignore"):  # "1e999" is inf, as in float()
                vectors[row] = [float(v) for v in values]
        except ValueError:
            bad = next(v for v in values if not _is_float(v))
            raise VectorFileError(f"{path}: line {row + 2}: non-numeric value {bad[:40]!r}") from None
        pos = end + 1
    return list(seen), vectors, min(pos, size)


def _is_float(text):
    try:
        float(text)
    except ValueError:
        return False
    return True
