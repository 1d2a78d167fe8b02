"""Every objective, one module each, behind one registry and one contract.

>>> from w2v_numpy.models import create
>>> model = create("sgram_neg", vocab_size=10, vector_dim=4)

The contract is in :mod:`w2v_numpy.models.base`; the word2vec objectives
share the averaged input layer of :mod:`w2v_numpy.models.window`. Each
module's docstring derives its gradient and maps its symbols to the reference
documents, cited by title and section (``docs/references.md`` gives the
sources). Each module is the plain reference of its objective; the trainer's
fast forms are in :mod:`w2v_numpy.kernels`, and how each type is trained by
default in :mod:`w2v_numpy.training.policy`.
"""
import numpy as np

from ..batching import WindowBatcher
from ..errors import W2VError
from .base import Model, RowGrad, apply_grad, densify
from .cbow import CBOW
from .cbow_hs import CBOWHS
from .cbow_neg import CBOWNeg
from .fasttext_cbow import FastTextCBOW
from .fasttext_sgram import FastTextSkipGram
from .fasttext_supervised import FastTextClassifier
from .glove import GloVeObjective
from .sgram import SkipGram
from .sgram_hs import SkipGramHS
from .sgram_hs_window import SkipGramHSWindow
from .sgram_neg import SkipGramNeg
from .sgram_neg_window import SkipGramNegWindow
from .supervised_neg import SupervisedNeg
from .supervised_softmax import SupervisedSoftmax

#: type name -> model class: the objective as the reference documents write it.
MODELS = {cls.type_name: cls for cls in (CBOW, CBOWNeg, CBOWHS, SkipGram, SkipGramNeg, SkipGramHS,
                                         GloVeObjective, FastTextClassifier, FastTextSkipGram, FastTextCBOW,
                                         SupervisedSoftmax, SupervisedNeg)}
#: (type name, formulation) -> class: every objective a type can be trained with (MODELS'
#: classes included, with their own ``formulation``; the window forms of skip-gram).
VARIANTS = {(cls.type_name, cls.formulation): cls
            for cls in (*MODELS.values(), SkipGramNegWindow, SkipGramHSWindow)}


def formulations(type):
    """The formulations a type can be trained with (``["pair", "window"]`` for sgram_neg)."""
    return sorted(f for t, f in VARIANTS if t == type)


def model_class(type, formulation=None):
    """The class that trains ``type`` in ``formulation`` (``None``: the documents' one).

    Raises
    ------
    W2VError
        For an unknown type, or a formulation the type does not have.
    """
    if type not in MODELS:
        raise W2VError(f"must be one of {sorted(MODELS)}, got {type!r}", param="type")
    if formulation is None:
        return MODELS[type]
    if (type, formulation) not in VARIANTS:
        raise W2VError(f"must be one of {formulations(type)} for {type}, got {formulation!r}",
                       param="formulation")
    return VARIANTS[type, formulation]


def create(type, vocab_size, vector_dim, seed=0, dtype=np.float32, counts=None, words=None,
           formulation=None,
           **options):
    """Build a model by type name (see :data:`MODELS`).

    ``counts`` (one word count per id) is passed to the types whose class says
    ``needs_counts`` (hierarchical softmax builds its Huffman tree from it; they
    raise :class:`W2VError` without it) and ignored by the others. ``options``
    are the objective's own settings, e.g. ``cbow_update`` for the word2vec
    types, ``x_max``/``alpha``/``target`` for GloVe, ``n_labels`` for the classifier.
    ``formulation`` picks another way to train the type (see :func:`model_class`).
    ``words`` (the vocabulary) goes to the types whose ``input_layer`` is
    ``"subwords"`` (with ``min_n``/``max_n``/``bucket`` among their options).
    """
    cls = model_class(type, formulation)
    if cls.needs_counts:
        options["counts"] = counts
    if cls.input_layer == "subwords":
        options["words"] = words
    return cls(vocab_size, vector_dim, seed=seed, dtype=dtype, **options)


def window_types():
    """The word-level types trained on word windows (what ``Word2Vec`` accepts)."""
    return sorted(t for t, cls in MODELS.items()
                  if cls.batch_family in WindowBatcher.FAMILIES and cls.input_layer == "words")


def subword_types():
    """The types trained on word windows with subword inputs (what ``FastText`` accepts)."""
    return sorted(t for t, cls in MODELS.items()
                  if cls.batch_family in WindowBatcher.FAMILIES and cls.input_layer == "subwords")


def gensim_type(type, hs, negative):
    """The type that gensim's ``hs`` flag asks for (see :class:`w2v_numpy.Word2Vec`)."""
    if hs not in (0, 1):
        raise W2VError(f"must be 0 or 1, got {hs!r}", param="hs")
    if not hs or type not in MODELS:
        return type
    if int(negative) > 0:
        raise W2VError(f"hs=1 with negative={negative} would train hierarchical softmax and "
                       "negative sampling together, as gensim does; w2v_numpy trains one output "
                       "layer: pass negative=0", param="hs")
    family = MODELS[type].batch_family
    for name, cls in MODELS.items():
        if cls.batch_family == family and cls.output_layer == "hierarchical_softmax":
            return name
    raise W2VError(f"no hierarchical-softmax type for {type!r}", param="hs")


__all__ = ["MODELS", "VARIANTS", "create", "model_class", "formulations", "gensim_type", "window_types", "subword_types", "Model", "RowGrad", "apply_grad", "densify",
           "CBOW", "CBOWNeg", "CBOWHS", "SkipGram", "SkipGramNeg", "SkipGramHS", "SkipGramNegWindow", "SkipGramHSWindow", "GloVeObjective",
           "FastTextClassifier", "FastTextSkipGram", "FastTextCBOW",
           "SupervisedSoftmax", "SupervisedNeg"]
