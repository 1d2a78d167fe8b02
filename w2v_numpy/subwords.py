"""Character n-grams of words, as FastText builds its subword units.

A word is bracketed as ``<word>`` and cut into every substring of length
``minn..maxn``; the bracketed word itself may be kept too. These helpers work
on Python strings; the models look the n-grams up as rows of a table.
"""
import numpy as np

from .errors import W2VError


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
