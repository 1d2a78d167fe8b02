"""w2v_numpy: word2vec from scratch in NumPy.

The public entry points are re-exported here lazily, so that importing the
package stays cheap (matplotlib, for example, is only loaded when plotting).
"""
__version__ = "0.1.0"

_LAZY = {
    "Vocab": ("w2v_numpy.text.vocab", "Vocab"),
    "Batch": ("w2v_numpy.batching", "Batch"),
    "KeyedVectors": ("w2v_numpy.vectors.keyedvectors", "KeyedVectors"),
    "load_vectors": ("w2v_numpy.loading", "load_vectors"),
    "load_model": ("w2v_numpy.loading", "load_model"),
    "save_model": ("w2v_numpy.loading", "save_model"),
    "GloVe": ("w2v_numpy.glove", "GloVe"),
    "FastText": ("w2v_numpy.fasttext", "FastText"),
    "Word2Vec": ("w2v_numpy.word2vec", "Word2Vec"),
    "W2VError": ("w2v_numpy.errors", "W2VError"),
    "DecodeWarning": ("w2v_numpy.text.corpus", "DecodeWarning"),
    "Phrases": ("w2v_numpy.text.phrases", "Phrases"),
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'w2v_numpy' has no attribute {name!r}")
