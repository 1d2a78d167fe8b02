"""Load any model file or vectors file, whatever its type.

Each front door loads its own types (:meth:`w2v_numpy.word2vec.Word2Vec.load`
the word2vec ones, :meth:`w2v_numpy.glove.GloVe.load` GloVe,
:meth:`w2v_numpy.fasttext.FastText.load` the subword types); this module sits
above them and picks the right one from the type stored in the file.
"""
import os

from .classifier import Classifier
from .errors import ModelFileError
from .fasttext import FastText
from .files.model_file import read_model_file
from .glove import GloVe
from .vectors.reading import read_vectors_file
from .word2vec import Word2Vec

#: The front doors, each with ``accepts(type)`` and ``from_parts(parts, path)``.
FRONT_DOORS = (Word2Vec, GloVe, FastText, Classifier)


def load_model(path):
    """Load a w2v_numpy model file of any type.

    Returns
    -------
    Word2Vec, GloVe, FastText or Classifier
        The front door of the stored type, as its ``load`` returns it.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ModelFileError
        ``"cannot load PATH: ..."`` for a damaged or foreign file, or an unknown type.
    """
    parts = read_model_file(path)
    type_name = parts.config.get("type")
    for door in FRONT_DOORS:
        if door.accepts(type_name):
            return door.from_parts(parts, path)
    raise ModelFileError(f"cannot load {os.fspath(path)}: unknown model type {type_name!r}")


def save_model(path, model, meta=None):
    """Same as ``model.save(path, meta)`` (kept for existing code)."""
    model.save(path, meta=meta)


def load_vectors(path):
    """Word vectors from a vectors file or a model file.

    ``.vec`` / ``.txt`` files are read as word2vec text. A file that starts
    with fastText's magic number (a Facebook fastText ``.bin`` model), or any
    ``.ftz``, is read as fastText: a
    :class:`~w2v_numpy.vectors.subword_vectors.FastTextKeyedVectors` that also
    answers unseen words (quantized ``.ftz`` models are refused). Any other
    ``.bin`` is word2vec binary; anything else is a w2v_numpy model file of any
    type, whose ``.wv`` is returned.

    Raises
    ------
    FileNotFoundError, W2VError
        Missing file, or a file that is not valid in its format.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    vectors = read_vectors_file(path)
    return load_model(path).wv if vectors is None else vectors
