r"""Skip-gram with subword inputs and negative sampling: fastText's ``skipgram``.

Notes
-----
For a (centre :math:`t`, context :math:`c`) pair with negatives
:math:`n_1..n_K`, the hidden vector is the centre word's fastText input
vector, the mean of its word row and its :math:`|G_t|` n-gram rows,

.. math::

    h = x_t = \frac{1}{1 + |G_t|}\Big(v_t + \sum_{g \in G_t} z_g\Big), \qquad
    L = -\log\sigma(u_c^\top h) - \sum_{i=1}^{K}\log\sigma(-u_{n_i}^\top h)

so it is :mod:`w2v_numpy.models.sgram_neg` with :math:`v_t` replaced by
:math:`x_t`: the output layer is :mod:`w2v_numpy.models.cbow_neg`'s, and every
input row gets :math:`\frac{1}{1 + |G_t|}\,\partial L/\partial h` (derivation,
the update rule and the symbol map to the documents' FastText sections in
:mod:`w2v_numpy.models.subword_input`).

Derivation, step by step: docs/derivations/fasttext_subwords.md.
"""
from .subword_input import SubwordModel


class FastTextSkipGram(SubwordModel):
    """Skip-gram with subword inputs and negative sampling (``type="fasttext_sgram"``)."""

    type_name = "fasttext_sgram"
    batch_family = "sgram"
