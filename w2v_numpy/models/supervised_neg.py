r"""The fastText classifier with negative sampling over the labels (``-loss ns``).

Notes
-----
With the document vector :math:`v_D` of :mod:`w2v_numpy.models.supervised_input`,
true class :math:`c` and sampled negative labels :math:`n_1..n_K`, the loss of
the textbook chapter's FastText worked example ("Steps 5-7: scores, sigmoids,
loss") is

.. math::

    L = -\log\sigma(u_c^\top v_D) - \sum_{k=1}^{K}\log\sigma(-u_{n_k}^\top v_D),
    \qquad \delta_D = \gamma_0 u_c + \sum_k \gamma_k u_{n_k}

with :math:`\gamma` the score errors (:math:`\sigma(s_0) - 1`, then
:math:`\sigma(s_k)`): :mod:`w2v_numpy.models.cbow_neg`'s output layer with
:math:`h = v_D`; every feature row then gets its share of :math:`\delta_D`
(see :mod:`w2v_numpy.models.supervised_input`).

Derivation, step by step: docs/derivations/classifier.md.
"""
from . import cbow_neg
from .supervised_input import SupervisedModel


class SupervisedNeg(SupervisedModel):
    """The classifier with negative sampling over the labels (``type="supervised_neg"``)."""

    type_name = "supervised_neg"
    output_layer = "negative_sampling"
    output_fn = staticmethod(cbow_neg.output_loss_and_grad)
    forward_fn = staticmethod(cbow_neg.forward)
