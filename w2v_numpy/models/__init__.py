"""The word2vec objectives, one module each, behind one registry.

>>> from w2v_numpy.models import create
>>> model = create("sgram_neg", vocab_size=10, vector_dim=4)
"""
import numpy as np

from .base import Model, SparseGrad
from .cbow import CBOW
from .cbow_neg import CBOWNeg
from .sgram import SkipGram
from .sgram_neg import SkipGramNeg

#: type name -> model class (DESIGN section 2).
MODELS = {cls.type_name: cls for cls in (CBOW, CBOWNeg, SkipGram, SkipGramNeg)}


def create(type, vocab_size, vector_dim, seed=0, dtype=np.float32):
    """Build a model by type name (``"cbow"``, ``"cbow_neg"``, ``"sgram"``, ``"sgram_neg"``)."""
    if type not in MODELS:
        raise ValueError(f"type must be one of {sorted(MODELS)}, got {type!r}")
    return MODELS[type](vocab_size, vector_dim, seed=seed, dtype=dtype)


__all__ = ["MODELS", "create", "Model", "SparseGrad", "CBOW", "CBOWNeg", "SkipGram", "SkipGramNeg"]
