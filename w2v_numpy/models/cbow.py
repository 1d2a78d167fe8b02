r"""CBOW with a full softmax over the vocabulary.

Notes
-----
For one example with context words :math:`c_1..c_n` and centre word
:math:`o`, with input vectors :math:`v_w` (rows of ``W_in``) and output
vectors :math:`u_w` (rows of ``W_out``):

.. math::

    h = \frac{1}{n}\sum_{j=1}^{n} v_{c_j}, \qquad
    z_k = u_k^\top h, \qquad
    P(k \mid \text{context}) = \frac{e^{z_k}}{\sum_{k'} e^{z_{k'}}}

.. math::

    L = -\log P(o \mid \text{context}) = -z_o + \log\sum_{k} e^{z_k}

Differentiating :math:`L` by one score: :math:`-z_o` gives :math:`-y_k`, and
:math:`\partial \log\sum_{k'} e^{z_{k'}} / \partial z_k = e^{z_k} / \sum_{k'} e^{z_{k'}}
= P(k \mid \text{context})`, so :math:`\partial L/\partial z_k = P(k \mid \text{context}) - y_k`.
Then :math:`z_k = u_k^\top h` gives :math:`\partial z_k/\partial u_k = h` and
:math:`\partial z_k/\partial h = u_k`.

With the error :math:`e_k = P(k \mid \text{context}) - y_k` (:math:`y` one-hot
at :math:`o`):

.. math::

    \frac{\partial L}{\partial u_k} = e_k\, h, \qquad
    \frac{\partial L}{\partial h} = \sum_k e_k\, u_k, \qquad
    \frac{\partial L}{\partial v_{c_j}} = \frac{1}{n}\frac{\partial L}{\partial h}

A word that fills two context slots receives the last term twice.

Symbol map to the textbook chapter's CBOW sections ("Математическая
архитектура Continuous Bag-of-Words", the CBOW architecture, and its worked
example "Аналитический пример ... CBOW"): the chapter's :math:`W` is our
``W_in``; its :math:`W'` (N x V, one column per word) is ``W_out.T``; its
scores :math:`u` are our :math:`z`; :math:`E` is :math:`L`; :math:`\delta_k`
is :math:`e_k`; :math:`E_H` is :math:`\partial L/\partial h`; and its
:math:`2C` context words are our :math:`n`.

word2vec.c differs in one place: it adds the *undivided* :math:`\partial L/\partial h`
to every context row (as if the loss were taken at :math:`h` and not at the
mean). We use the exact gradient of the mean, so the gradient check holds;
the two differ by the factor :math:`1/n` in the input learning rate
(``cbow_update="word2vec"`` switches ``step`` to it).

The code below is the reference: :func:`forward` computes the output layer's
intermediates one by one and :func:`output_loss_and_grad` reads the gradient
off them. The trainer runs :mod:`w2v_numpy.kernels.softmax`, the same
numbers computed in place on one reused buffer.

Derivation, step by step: docs/derivations/softmax.md.
"""
import numpy as np

from ..backend import get_xp
from ..functional import log_softmax
from .base import RowGrad
from .window import WindowModel


def forward(h, W_out, batch):
    """The output layer on the hidden vectors ``h`` (B, d), for teaching.

    Returns a dict with ``z`` (B, V), ``log_p`` (B, V), ``p`` (B, V), ``loss``
    (B,) per example, and the first step back: the error ``e = p - y`` (B, V)
    and ``dh`` = dL/dh = e W_out (B, d).
    """
    xp = get_xp()
    z = h @ W_out.T                                               # (B, V)
    log_p = log_softmax(z, axis=1)                                # (B, V)
    rows = xp.arange(z.shape[0])
    loss = -log_p[rows, batch.targets]                            # (B,)
    p = xp.exp(log_p)                                             # (B, V)
    e = p.copy()
    e[rows, batch.targets] -= 1.0                                 # (B, V)  p - y
    dh = e @ W_out                                                # (B, d)
    return {"z": z, "log_p": log_p, "p": p, "loss": loss, "e": e, "dh": dh}


def output_loss_and_grad(h, W_out, batch, scale=1.0):
    """Summed softmax loss, ``scale`` times dL/dh (B, d) and the ``W_out`` :class:`RowGrad`.

    The ``W_out`` gradient is dense (index ``None``): every output row gets some.
    """
    f = forward(h, W_out, batch)
    dW_out = scale * (f["e"].T @ h)                               # (V, B) @ (B, d) -> (V, d)
    dh = scale * f["dh"]                                          # (B, d)
    return float(f["loss"].sum(dtype=np.float64)), dh, RowGrad(None, dW_out)


class CBOW(WindowModel):
    """CBOW, full softmax (``type="cbow"``). See the module docstring for the math."""

    type_name = "cbow"
    batch_family = "cbow"
    output_layer = "softmax"
    forward_fn = staticmethod(forward)
    output_fn = staticmethod(output_loss_and_grad)
