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

With the error :math:`e_k = P(k \mid \text{context}) - y_k` (:math:`y` one-hot
at :math:`o`):

.. math::

    \frac{\partial L}{\partial u_k} = e_k\, h, \qquad
    \frac{\partial L}{\partial h} = \sum_k e_k\, u_k, \qquad
    \frac{\partial L}{\partial v_{c_j}} = \frac{1}{n}\frac{\partial L}{\partial h}

A word that fills two context slots receives the last term twice.

Symbol map to ``003_24886efe243728b3.txt`` (CBOW section from line 4645,
worked example at lines 4886-5190): the document's :math:`W` is our
``W_in``; its :math:`W'` (N x V, one column per word) is ``W_out.T``; its
scores :math:`u` are our :math:`z`; :math:`E` is :math:`L`; :math:`\delta_k`
is :math:`e_k`; :math:`E_H` is :math:`\partial L/\partial h`; and its
:math:`2C` context words are our :math:`n`.

word2vec.c differs in one place: it adds the *undivided* :math:`\partial L/\partial h`
to every context row (as if the loss were taken at :math:`h` and not at the
mean). We use the exact gradient of the mean, so the gradient check holds;
the two differ by the factor :math:`1/n` in the input learning rate
(``cbow_update="word2vec"`` switches ``step`` to it).

:func:`forward` computes the intermediates one by one, to be read;
:func:`loss_and_grad` computes the same numbers in place on one reused
buffer, for speed. A test asserts that the two agree to float64 precision.
"""
import numpy as np

from ..backend import get_xp
from ..functional import log_softmax
from .base import RowGrad
from .window import WindowModel, hidden_layer, input_grads


def forward(W_in, W_out, batch):
    """Intermediates of the forward pass, for teaching.

    Returns a dict with ``h`` (B, d), ``z`` (B, V), ``log_p`` (B, V), ``p`` (B, V),
    ``loss`` (B,) per example, and the first step back: the error ``e = p - y``
    (B, V) and ``dh`` = dL/dh = e W_out (B, d).
    """
    xp = get_xp()
    h, weight, _ = hidden_layer(W_in, batch)                      # (B, d), (B, C)
    z = h @ W_out.T                                               # (B, V)
    log_p = log_softmax(z, axis=1)                                # (B, V)
    rows = xp.arange(z.shape[0])
    loss = -log_p[rows, batch.targets]                            # (B,)
    p = xp.exp(log_p)                                             # (B, V)
    e = p.copy()
    e[rows, batch.targets] -= 1.0                                 # (B, V)  p - y
    dh = e @ W_out                                                # (B, d)
    return {"h": h, "weight": weight, "z": z, "log_p": log_p, "p": p, "loss": loss,
            "e": e, "dh": dh}


def loss_and_grad(W_in, W_out, batch, scale=1.0, workspace=None, undivided=False):
    """Summed softmax loss of the batch and ``scale`` times its gradient.

    Returns ``(loss, {"W_in": RowGrad, "W_out": RowGrad})``; the ``W_out``
    gradient is dense (index ``None``), since every output row gets some.

    ``workspace``, if given, is a dict in which the (B, V) score buffer is
    kept between calls: reusing it saves allocating (and page-faulting) tens
    of MB on every step. ``undivided``: word2vec.c's input update instead of
    the gradient (see :func:`w2v_numpy.models.window.input_grads`).

    Same math as :func:`forward`, arranged for speed: the (B, V) score matrix
    is turned into probabilities and then into the error ``e = p - y`` in
    place, so the step makes three passes over it besides the three matrix
    products (``z = h W_out^T``, ``dW_out = e^T h``, ``dh = e W_out``).
    """
    xp = get_xp()
    h, weight, band = hidden_layer(W_in, batch)                   # (B, d), (B, C)
    rows = xp.arange(h.shape[0])
    z = _buffer(workspace, (h.shape[0], W_out.shape[0]), h.dtype)
    xp.matmul(h, W_out.T, out=z)                                  # (B, V)
    z_target = z[rows, batch.targets]                             # (B,)
    z_max = z.max(axis=1, keepdims=True)                          # (B, 1)
    z -= z_max
    e = xp.exp(z, out=z)                                          # (B, V)  exp(z - max)
    total = e.sum(axis=1, keepdims=True)                          # (B, 1)
    loss = xp.log(total[:, 0]) + z_max[:, 0] - z_target           # (B,)  -log p_target
    e *= scale / total                                            # (B, V)  scale * p
    e[rows, batch.targets] -= scale                               # (B, V)  scale * (p - y)
    dW_out = e.T @ h                                              # (V, d)
    dh = e @ W_out                                                # (B, d)
    grads = {"W_in": input_grads(batch, weight, dh, band, undivided),    # (n,), (n, d)
             "W_out": RowGrad(None, dW_out)}                              # dense (V, d)
    return float(loss.sum(dtype=np.float64)), grads


def _buffer(workspace, shape, dtype):
    """A (B, V) scratch array, reused from ``workspace`` when its shape fits."""
    xp = get_xp()
    if workspace is None:
        return xp.empty(shape, dtype=dtype)
    buf = workspace.get("scores")
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = workspace["scores"] = xp.empty(shape, dtype=dtype)
    return buf


class CBOW(WindowModel):
    """CBOW, full softmax (``type="cbow"``). See the module docstring for the math."""

    type_name = "cbow"
    batch_family = "cbow"
    output_layer = "softmax"
    averages_inputs = True
    #: Shuffled by default: its cost is the V-wide softmax, which the banded input path
    #: does not touch, and it has not been measured in corpus order on real text.
    corpus_order = False
    forward_fn = staticmethod(forward)

    def loss_and_grad(self, batch, scale=1.0, **kw):
        if not hasattr(self, "_workspace"):
            self._workspace = {}
        return loss_and_grad(self.params["W_in"], self.params["W_out"], batch, scale,
                             self._workspace, **kw)
