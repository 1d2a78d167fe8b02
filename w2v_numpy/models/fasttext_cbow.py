r"""CBOW with subword inputs and negative sampling: fastText's ``cbow``.

Notes
-----
For context words :math:`w_1..w_n`, centre word :math:`o` and negatives
:math:`n_1..n_K`, the hidden vector is the mean of every row of the context,
each word's row and its n-gram rows together (as fastText and gensim's
``cbow_mean=1`` compute it, not the mean of the words' vectors :math:`x_w`):

.. math::

    h = \frac{1}{N}\sum_{j=1}^{n}\Big(v_{w_j} + \sum_{g \in G_{w_j}} z_g\Big), \qquad
    N = \sum_{j=1}^{n}(1 + |G_{w_j}|)

.. math:: L = -\log\sigma(u_o^\top h) - \sum_{i=1}^{K}\log\sigma(-u_{n_i}^\top h)

so it is :mod:`w2v_numpy.models.cbow_neg` with a larger input layer, and every
input row gets :math:`\frac{1}{N}\,\partial L/\partial h` (derivation, the
update rule and the symbol map to the documents' FastText sections in
:mod:`w2v_numpy.models.subword_input`).

Derivation, step by step: docs/derivations/fasttext_subwords.md.
"""
from .subword_input import SubwordModel


class FastTextCBOW(SubwordModel):
    """CBOW with subword inputs and negative sampling (``type="fasttext_cbow"``)."""

    type_name = "fasttext_cbow"
    batch_family = "cbow"
