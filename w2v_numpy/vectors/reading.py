"""Which reader a vectors file needs, from its name and its first bytes.

The front doors' model files are read by :func:`w2v_numpy.loading.load_model`;
this module knows only the vector formats, so that the front doors can read
vectors (``Word2Vec(init_vectors=...)``) without importing the loader that
imports them.
"""
import os

from ..files.fasttext_bin import is_fasttext_bin
from ..files.word2vec_format import VECTOR_SUFFIXES
from .keyedvectors import KeyedVectors, is_keyedvectors_file
from .subword_vectors import FastTextKeyedVectors


def read_vectors_file(path):
    """The vectors of ``path`` if it is a vectors file, else ``None`` (a model file).

    A :meth:`KeyedVectors.save` file (JSON beside a ``.npy``); a file that starts
    with fastText's magic number, or any ``.ftz``, as fastText
    (:class:`FastTextKeyedVectors`, which also answers unseen words; quantized
    ``.ftz`` refused); ``.vec`` / ``.txt`` as word2vec text and any other ``.bin`` as
    word2vec binary.
    """
    path = os.fspath(path)
    if is_keyedvectors_file(path):
        return KeyedVectors.load(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".ftz" or (suffix not in (".vec", ".txt") and is_fasttext_bin(path)):
        return FastTextKeyedVectors.load_fasttext_format(path)
    if suffix in VECTOR_SUFFIXES:
        return KeyedVectors.load_word2vec_format(path, binary=VECTOR_SUFFIXES[suffix])
    return None
