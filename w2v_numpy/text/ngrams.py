"""Character n-grams of words, as FastText builds its subword units.

A word is bracketed as ``<word>`` and cut into every substring of length
``minn..maxn``; the bracketed word itself may be kept too. These helpers work
on Python strings; the models look the n-grams up as rows of a table.
"""
import numpy as np

from ..errors import W2VError


def char_ngrams(word, minn=3, maxn=6, include_word=False, bow="<", eow=">"):
    """The character n-grams of ``bow + word + eow`` for ``minn <= n <= maxn``.

    Parameters
    ----------
    word : str
    minn, maxn : int
        Smallest and largest n-gram length (fastText's defaults are 3 and 6).
    include_word : bool
        Put the whole bracketed word ``<word>`` first (fastText keeps a vector
        for the word itself next to its n-grams). It is not added a second
        time when it is also an n-gram (``len(word) + 2 <= maxn``).
    bow, eow : str
        Boundary markers.

    Returns
    -------
    list of str
        Ordered by length, then by position. Every occurrence is kept, so an
        n-gram that appears twice in the word appears twice here (as in
        fastText). A lone boundary marker is never an n-gram.
    """
    if minn < 1 or maxn < minn:
        raise W2VError(f"need 1 <= minn <= maxn, got minn={minn}, maxn={maxn}")
    s = bow + word + eow
    grams = [s[i:i + n] for n in range(minn, maxn + 1) for i in range(len(s) - n + 1)]
    grams = [g for g in grams if g not in (bow, eow)]
    if include_word:
        grams = [s] + [g for g in grams if g != s]
    return grams


def build_ngram_table(words, minn=3, maxn=6, include_word=False):
    """A dict ``n-gram -> row id`` over the n-grams of ``words``, in first-seen order."""
    table = {}
    for word in words:
        for g in char_ngrams(word, minn, maxn, include_word):
            table.setdefault(g, len(table))
    return table


def ngram_ids(word, table, minn=3, maxn=6, include_word=False):
    """Row ids (int array) of the n-grams of ``word`` that are in ``table``;
    the others are dropped."""
    grams = char_ngrams(word, minn, maxn, include_word)
    return np.array([table[g] for g in grams if g in table], dtype=np.int64)


# --- fastText's hashed n-grams ------------------------------------------------------------
#
# fastText does not keep a table of n-grams: it hashes each n-gram's UTF-8 bytes with
# 32-bit FNV-1a into one of ``bucket`` rows, so unseen words still map to trained rows.
# Two details decide whether our ids equal fastText's and gensim's:
#
# * the n-grams are cut on characters (code points), never inside a multi-byte
#   character, and are listed by start position, then by length;
# * fastText reads the bytes as C ``char``, which is signed, so a byte >= 0x80 is
#   sign-extended (0xD0 becomes 0xFFFFFFD0) before the xor. Only non-ASCII text
#   (Cyrillic, accents) sees this quirk.

FNV_OFFSET = 2166136261
FNV_PRIME = 16777619


def fasttext_ngrams(word, min_n=3, max_n=6):
    """The n-grams of ``<word>`` in fastText's order: by start position, then length.

    Same set as :func:`char_ngrams` (lone boundary markers excluded, the whole
    ``<word>`` included when its length is in range), different order.
    """
    if min_n < 1 or max_n < min_n:
        raise W2VError(f"need 1 <= min_n <= max_n, got min_n={min_n}, max_n={max_n}")
    s = "<" + word + ">"
    return [s[i:i + n] for i in range(len(s)) for n in range(min_n, max_n + 1)
            if i + n <= len(s) and not (n == 1 and (i == 0 or i + n == len(s)))]


def ft_hash_many(grams):
    """fastText's hash (uint32) of each string in ``grams``, vectorised over them.

    All n-grams are laid out as rows of a zero-padded byte matrix; one pass per
    byte position updates the hashes of the rows that are that long.
    """
    data = [g.encode("utf-8") for g in grams]
    if not data:
        return np.zeros(0, dtype=np.uint32)
    lengths = np.fromiter((len(b) for b in data), dtype=np.int64, count=len(data))   # (N,)
    flat = np.frombuffer(b"".join(data), dtype=np.int8)                               # (sum,)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])                           # (N,)
    h = np.full(len(data), FNV_OFFSET, dtype=np.uint32)                               # (N,)
    for j in range(int(lengths.max())):
        live = np.flatnonzero(lengths > j)                                            # rows this long
        byte = flat[starts[live] + j].astype(np.int32).astype(np.uint32)              # sign-extended
        h[live] = (h[live] ^ byte) * np.uint32(FNV_PRIME)                             # wraps mod 2**32
    return h


def ngram_hashes(word, min_n=3, max_n=6, bucket=2_000_000):
    """Bucket ids (int64) of the n-grams of ``word``: gensim's ``ft_ngram_hashes``."""
    return (ft_hash_many(fasttext_ngrams(word, min_n, max_n)) % np.uint32(bucket)).astype(np.int64)


def subword_table(words, min_n=3, max_n=6, bucket=2_000_000):
    """The n-gram bucket ids of every word, as one flat array with offsets (CSR).

    Returns
    -------
    ptr : int64 (V + 1,)
        Word ``i``'s ids are ``ids[ptr[i]:ptr[i + 1]]``.
    ids : int64 (ptr[-1],)
    """
    if int(bucket) < 1:
        raise W2VError(f"must be >= 1, got {bucket}", param="bucket")
    per_word = [fasttext_ngrams(w, min_n, max_n) for w in words]
    ptr = np.zeros(len(per_word) + 1, dtype=np.int64)
    np.cumsum([len(g) for g in per_word], out=ptr[1:])
    grams = [g for word in per_word for g in word]
    return ptr, (ft_hash_many(grams) % np.uint32(bucket)).astype(np.int64)
