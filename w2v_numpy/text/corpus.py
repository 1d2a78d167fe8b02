"""Reading a corpus: paths and globs, decoding, and tokenization.

Text is streamed line by line (one line = one sentence); turning the tokens
into word ids is :mod:`w2v_numpy.text.encoding`'s work. ``.xz``, ``.gz`` and
``.bz2`` files are decompressed on the fly; a truncated or mislabelled one is a
:class:`W2VError` that names it. A file that starts like UTF-16/UTF-32 text
or binary data is a :class:`W2VError` too, and a UTF-8 byte-order mark is
dropped. Bytes that are not UTF-8 are replaced and counted, and a file with
many of them gets one :class:`DecodeWarning`.
"""
import bz2
import codecs
import glob
import gzip
import io
import lzma
import os
import re
import threading
import warnings
import zlib
from ..errors import W2VError

_WORD_RE = re.compile(r"[^\W\d_]+")

#: Longer lines are cut into pieces of this many tokens (gensim's limit),
#: so that a single-line corpus such as text8 still has bounded "sentences".
MAX_SENTENCE_LENGTH = 10000

#: Compressed formats read directly, by file extension: (opener, name in messages).
COMPRESSED = {".xz": (lzma.open, "xz"), ".gz": (gzip.open, "gzip"), ".bz2": (bz2.open, "bz2")}

#: A file gets a :class:`DecodeWarning` when more than this share of its bytes
#: (decompressed), and at least :data:`DECODE_WARN_MIN_BYTES` of them, are not UTF-8.
DECODE_WARN_SHARE = 0.001
DECODE_WARN_MIN_BYTES = 10

#: The decompressors' own errors for a truncated, damaged or foreign file: the
#: truncated stream (EOFError), lzma's and zlib's data errors, and the errno-less
#: OSError that gzip (BadGzipFile) and bz2 ("Invalid data stream") raise.
_DAMAGED = (EOFError, lzma.LZMAError, zlib.error, OSError)

#: Characters of one line tokenized at a time (see :func:`line_pieces`).
LINE_PIECE_CHARS = 1 << 20
_SPACE = re.compile(r"\s")

#: Lines read per decoding step (a size hint in characters), see :func:`read_lines`.
_READ_HINT = 1 << 16

#: Bytes (decompressed) at the start of each file that :func:`_check_encoding` looks at.
SNIFF_BYTES = 1 << 16

#: A file is refused when more than this share of those bytes are NUL: text never holds
#: them, while UTF-16/32 text without a byte-order mark and binary files are full of them.
NUL_SHARE = 0.01

#: Byte-order marks of encodings that a UTF-8 reader decodes without error into NULs and
#: single letters. UTF-32 first: its little-endian mark starts with UTF-16's.
_FOREIGN_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                 (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


class DecodeWarning(UserWarning):
    """A corpus file has many bytes that are not valid UTF-8 (they were replaced)."""


# The undecodable-byte counter of the file being decoded in this thread. The
# handler below is global (codecs has no per-stream handler), so the reader
# points it at its own counter just before each read and clears it after.
_decoding = threading.local()


def _count_and_replace(exc):
    """Codecs error handler: replace like ``errors="replace"`` and count the bytes."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    counter = getattr(_decoding, "counter", None)
    if counter is not None:
        counter[0] += exc.end - exc.start
    return "\ufffd", exc.end


_COUNT_REPLACE = "w2v_numpy.count_replace"
codecs.register_error(_COUNT_REPLACE, _count_and_replace)


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
    stopping a long run. (:func:`iter_sentences` also counts them and checks
    that a compressed file is whole.)
    """
    opener, _ = COMPRESSED.get(os.path.splitext(path)[1], (open, None))
    return opener(path, "rt", encoding="utf-8", errors="replace")


def _check_encoding(path, head):
    """Refuse a file whose first bytes ``head`` say it is not UTF-8 text.

    UTF-16 and UTF-32 text decode as "UTF-8" without a single error (ASCII letters
    separated by NULs), so the undecodable-byte count never sees them and training
    would go on with one-letter words; a binary file can do the same. The first
    bytes tell: a byte-order mark, or NULs, which text never contains.

    Returns
    -------
    int
        How many bytes to skip: 3 for a UTF-8 byte-order mark (so that it does not
        stick to the first word), else 0.

    Raises
    ------
    W2VError
        For a UTF-16 or UTF-32 byte-order mark, or more than :data:`NUL_SHARE` NUL
        bytes in ``head``.
    """
    if head.startswith(codecs.BOM_UTF8):
        return len(codecs.BOM_UTF8)
    for bom, name in _FOREIGN_BOMS:
        if head.startswith(bom):
            mark = bom.hex(" ").upper()
            raise W2VError(f"{path} looks like {name} text (byte-order mark {mark}), not UTF-8; "
                           f"convert it to UTF-8, e.g. iconv -f {name} -t UTF-8",
                           param="corpus_file")
    nuls = head.count(0)
    if head and nuls > NUL_SHARE * len(head):
        sample = "its first 64 KiB" if len(head) == SNIFF_BYTES else f"its {len(head)} bytes"
        raise W2VError(f"{path} has {nuls / len(head):.1%} NUL bytes in {sample}: a "
                       "binary file, or UTF-16/UTF-32 text without a byte-order mark? The "
                       "corpus must be UTF-8 text", param="corpus_file")
    return 0


def read_lines(path, progress=None):
    """Yield the lines of one file; refuse a foreign encoding; warn about undecodable
    bytes; name a damaged archive. ``progress``: a tqdm bar counting the file's bytes
    as stored (compressed ones too), or None.

    Before any line, the first :data:`SNIFF_BYTES` (decompressed) bytes go through
    :func:`_check_encoding`, which also drops a UTF-8 byte-order mark. Lines
    are split as text mode does (``\\n``, ``\\r\\n`` and ``\\r``), and bytes
    that are not UTF-8 become U+FFFD, as in :func:`open_text`. Once the file is
    read, a :class:`DecodeWarning` names it when its undecodable bytes are at
    least :data:`DECODE_WARN_MIN_BYTES` and more than :data:`DECODE_WARN_SHARE`
    of its (decompressed) bytes: a few stray bytes are normal in web text, a
    large share means the file is not UTF-8 text (Latin-1, say).

    Raises
    ------
    W2VError
        If the file starts like UTF-16/UTF-32 or binary data, or a compressed
        file is truncated, damaged or not in the format its extension says.
    """
    opener, fmt = COMPRESSED.get(os.path.splitext(path)[1], (None, None))
    bad, read = [0], 0
    try:
        # The file as stored, opened here so that its position can drive ``progress``;
        # closing the decompressor does not close it, the ``with`` does.
        with open(path, "rb") as stored:
            raw = opener(stored, "rb") if opener else stored
            try:
                # One sample, then back to the start: cheap next to reading the file (a
                # compressed one decompresses these bytes twice), and it sees what the
                # decoder will see, since the opener has already decompressed them.
                raw.seek(_check_encoding(path, raw.read(SNIFF_BYTES)))
            except BaseException:
                raw.close()
                raise
            with io.TextIOWrapper(raw, encoding="utf-8", errors=_COUNT_REPLACE) as fh:
                while True:
                    # Decoding happens inside readlines, so this counter gets exactly this
                    # file's bad bytes even if another file's reader runs between our yields.
                    _decoding.counter = bad
                    try:
                        lines = fh.readlines(_READ_HINT)
                    finally:
                        _decoding.counter = None
                    if progress is not None:
                        progress.update(stored.tell() - read)
                        read = stored.tell()
                    if not lines:
                        break
                    yield from lines
                size = fh.buffer.tell()
    except _DAMAGED as e:
        # A plain file's OSError, or one with an errno (a real I/O error), is not
        # about the format; it names its file already and the CLI reports it.
        if fmt is None or (isinstance(e, OSError) and e.errno is not None):
            raise
        why = "truncated or damaged" if isinstance(e, EOFError) else f"damaged, or not {fmt} data"
        raise W2VError(f"{path}: cannot read it as {fmt} ({why}: {e})", param="corpus_file") from e
    if bad[0] >= DECODE_WARN_MIN_BYTES and bad[0] > DECODE_WARN_SHARE * size:
        warnings.warn(f"{path}: {bad[0]} of its {size} bytes ({bad[0] / size:.1%}) are not "
                      "valid UTF-8 and were replaced, splitting the words they were in; "
                      "is it UTF-8 text?", DecodeWarning, stacklevel=2)


def iter_sentences(paths, tokenizer=simple_tokenize):
    """Yield each non-empty line of every file as a list of tokens.

    Raises
    ------
    W2VError
        If a path matches nothing, or a compressed file cannot be read as its
        format (see :func:`read_lines`).

    Warns
    -----
    DecodeWarning
        Once per file that has many bytes that are not UTF-8.
    """
    for path in expand_paths(paths):
        for line in read_lines(path):
            tokens = [t for piece in line_pieces(line, tokenizer) for t in piece]
            if tokens:
                yield tokens


def line_pieces(line, tokenizer):
    """The tokens of ``line``, in lists of the pieces of at most about
    :data:`LINE_PIECE_CHARS` characters it is cut into at whitespace.

    Why: tokenizing a 33 MB line (6M tokens) at once makes a Python string per token
    and a list of them, about 90 bytes a token, three times the text. Cut at
    whitespace, the pieces give the same tokens as the whole line for any tokenizer
    that splits at whitespace (both of this module's).
    """
    start = 0
    while len(line) - start > LINE_PIECE_CHARS:
        space = _SPACE.search(line, start + LINE_PIECE_CHARS)
        if space is None:
            break
        yield tokenizer(line[start:space.start()])
        start = space.start()
    yield tokenizer(line[start:] if start else line)
