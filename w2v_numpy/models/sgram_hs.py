r"""Skip-gram with hierarchical softmax.

Notes
-----
For a (centre :math:`t`, context :math:`c`) pair, :math:`h = v_t` and the
context word's path in the Huffman tree (nodes :math:`n_1 \dots n_L`, bits
:math:`c_1 \dots c_L`, scores :math:`s_l = u_{n_l}^\top v_t`):

.. math::

    L = -\sum_{l=1}^{L} \log\sigma\big((1 - 2c_l)\, s_l\big), \qquad
    e_l = \sigma(s_l) - (1 - c_l)

.. math::

    \frac{\partial L}{\partial u_{n_l}} = e_l\, v_t, \qquad
    \frac{\partial L}{\partial v_t} = \sum_{l} e_l\, u_{n_l}

It is CBOW-HS with one input word, so the code is
:mod:`w2v_numpy.models.cbow_hs` (derivation and the symbol map to word2vec.c's
``g = (1 - code - f) * alpha`` are there). word2vec.c walks the path of the
centre word from the context word's input row; over a corpus the pairs are
the same in both directions, and we follow the contract (input = centre,
path of the context word), as :mod:`w2v_numpy.models.sgram_neg` does.

Derivation, step by step: docs/derivations/hierarchical_softmax.md.
"""
from .cbow_hs import CBOWHS


class SkipGramHS(CBOWHS):
    """Skip-gram, hierarchical softmax (``type="sgram_hs"``)."""

    type_name = "sgram_hs"
    batch_family = "sgram"
