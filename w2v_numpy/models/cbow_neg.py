r"""CBOW with negative sampling.

Notes
-----
For one example with hidden vector :math:`h = \frac{1}{n}\sum_j v_{c_j}`
(mean of the context input rows), target word :math:`o` and negatives
:math:`n_1..n_K`, write the scores :math:`s_0 = u_o^\top h` and
:math:`s_i = u_{n_i}^\top h`:

.. math::

    L = -\log\sigma(s_0) - \sum_{i=1}^{K}\log\sigma(-s_i)

Using :math:`\frac{d}{ds}\log\sigma(s) = 1 - \sigma(s)`, the error on each
score is :math:`g_0 = \sigma(s_0) - 1` and, by the chain rule through
:math:`-s_i` (whose derivative is :math:`-1`),
:math:`g_i = -\big(1 - \sigma(-s_i)\big)\cdot(-1) = 1 - \sigma(-s_i) = \sigma(s_i)`,
since :math:`\sigma(-s) = 1 - \sigma(s)`; and

.. math::

    \frac{\partial L}{\partial u_o} = g_0\, h, \qquad
    \frac{\partial L}{\partial u_{n_i}} = g_i\, h, \qquad
    \frac{\partial L}{\partial h} = g_0\, u_o + \sum_i g_i\, u_{n_i}, \qquad
    \frac{\partial L}{\partial v_{c_j}} = \frac{1}{n}\frac{\partial L}{\partial h}

A word drawn twice as a negative gets both contributions (scatter-add).

The trainer may let groups of examples share one draw of negatives
(:class:`w2v_numpy.batching.batch.Draws`); every example still has its own
K negative terms, so this formula is unchanged. How the shared draws are
scored with fewer rows is in :mod:`w2v_numpy.kernels.shared_negatives`.

Symbol map to the original tool's README (sections "Negative Sampling Loss
Function" and "Negative Sampling Gradients"): :math:`c_{pos}` is :math:`u_o`,
:math:`c_{neg}` is :math:`u_{n_i}`, :math:`W_1` is ``W_in`` and
:math:`W_2` is ``W_out``; its term :math:`1-\sigma(-c_{neg}\cdot h)` equals
our :math:`\sigma(s_i)`, and its division by ``window-1`` is our :math:`1/n`
with :math:`n` the number of real context words of this example (the reduced
window and sentence edges make :math:`n` vary). In the textbook chapter's
section "6. Оптимизация: Negative Sampling" (negative sampling) :math:`v_{w_t}`
plays the role of :math:`h`. word2vec.c adds the undivided :math:`\partial L/\partial h`
to each context row; see :mod:`w2v_numpy.models.cbow`.

Derivation, step by step: docs/derivations/negative_sampling.md.
"""
import numpy as np

from ..functional import log_sigmoid, sigmoid
from .base import RowGrad
from .window import WindowModel, output_index


def forward(h, W_out, batch):
    """The output layer on ``h`` (B, d): ``index`` (B, 1+K) (target first), ``U``
    (B, 1+K, d), ``s`` (B, 1+K) scores, ``loss`` (B,) per example, and the first step
    back: ``g`` (B, 1+K) = dL/ds (:math:`\\sigma(s_0) - 1`, then :math:`\\sigma(s_i)`)
    and ``dh`` (B, d) = dL/dh."""
    index = output_index(batch)                                          # (B, 1+K)
    U = W_out[index]                                                     # (B, 1+K, d)
    s = (U @ h[:, :, None])[:, :, 0]                                     # (B, 1+K)
    loss = -log_sigmoid(s[:, 0]) - log_sigmoid(-s[:, 1:]).sum(axis=1)    # (B,)
    g = sigmoid(s)                                                       # (B, 1+K)
    g[:, 0] -= 1.0                                                       # dL/ds
    dh = (g[:, None, :] @ U)[:, 0, :]                                    # (B, 1, 1+K) @ (B, 1+K, d) -> (B, d)
    return {"index": index, "U": U, "s": s, "loss": loss, "g": g, "dh": dh}


def output_loss_and_grad(h, W_out, batch, scale=1.0):
    """Summed negative-sampling loss, ``scale`` times dL/dh (B, d) and the ``W_out``
    :class:`RowGrad` (every example's target and negatives, repeats summed when applied)."""
    f = forward(h, W_out, batch)
    g = f["g"] * scale                                                   # (B, 1+K) scaled dL/ds
    dU = g[:, :, None] * h[:, None, :]                                   # (B, 1+K, d)
    dh = f["dh"] * scale                                                 # (B, d)
    rows = RowGrad(f["index"].reshape(-1), dU.reshape(-1, h.shape[1]))  # (B(1+K),), (B(1+K), d)
    return float(f["loss"].sum(dtype=np.float64)), dh, rows


class CBOWNeg(WindowModel):
    """CBOW with negative sampling (``type="cbow_neg"``). Math in the module docstring."""

    type_name = "cbow_neg"
    batch_family = "cbow"
    output_layer = "negative_sampling"
    forward_fn = staticmethod(forward)
    output_fn = staticmethod(output_loss_and_grad)
