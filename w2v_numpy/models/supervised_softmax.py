r"""The fastText classifier with a softmax over the labels (``-loss softmax``).

Notes
-----
With the document vector :math:`v_D` of :mod:`w2v_numpy.models.supervised_input`
as the hidden vector and the label vectors :math:`u_k` (rows of ``U``) as the
output vocabulary, the loss of true class :math:`c` is

.. math::

    L = -\log\frac{e^{u_c^\top v_D}}{\sum_k e^{u_k^\top v_D}}, \qquad
    \frac{\partial L}{\partial u_k} = (p_k - y_k)\, v_D, \qquad
    \delta_D = \frac{\partial L}{\partial v_D} = \sum_k (p_k - y_k)\, u_k

:mod:`w2v_numpy.models.cbow`'s output layer with :math:`h = v_D`; every
feature row then gets its share of :math:`\delta_D` (see
:mod:`w2v_numpy.models.supervised_input`).

Derivation, step by step: docs/derivations/classifier.md.
"""
from . import cbow
from .supervised_input import SupervisedModel


class SupervisedSoftmax(SupervisedModel):
    """The classifier with a softmax over the labels (``type="supervised_softmax"``)."""

    type_name = "supervised_softmax"
    output_layer = "softmax"
    output_fn = staticmethod(cbow.output_loss_and_grad)
    forward_fn = staticmethod(cbow.forward)
