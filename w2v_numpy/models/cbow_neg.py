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
score is :math:`g_0 = \sigma(s_0) - 1` and :math:`g_i = \sigma(s_i)`, and

.. math::

    \frac{\partial L}{\partial u_o} = g_0\, h, \qquad
    \frac{\partial L}{\partial u_{n_i}} = g_i\, h, \qquad
    \frac{\partial L}{\partial h} = g_0\, u_o + \sum_i g_i\, u_{n_i}, \qquad
    \frac{\partial L}{\partial v_{c_j}} = \frac{1}{n}\frac{\partial L}{\partial h}

A word drawn twice as a negative gets both contributions (scatter-add).

**Negatives shared by a group** (the default, ``shared_negatives=8``). When
the batcher deals one draw of K negatives to each group of m examples
(:meth:`w2v_numpy.batching.negatives.NegativeSampler.sample`), a group needs
m + K output rows instead of m (1 + K). Stack the group's hidden vectors as
:math:`H_g` (m x d) and its rows as :math:`U_g = [u_{o_1..o_m}; u_{n_1..n_K}]`
((m + K) x d): all its scores are one product :math:`S = H_g U_g^\top`
(m x (m + K)), of which example i uses :math:`S_{ii}` (its target) and
:math:`S_{i,m+1..m+K}`. With :math:`E` the errors above written into those
positions (zero elsewhere), :math:`\partial L/\partial H_g = E U_g` and
:math:`\partial L/\partial U_g = E^\top H_g`. Every example keeps its own
loss term; only the draws are shared, so this is the per-example formula on
that batch (:func:`shared_loss_and_grad`; ``tests/test_shared_negatives.py``
compares it with a slow per-example loop).

Which examples share a draw matters for training, not for the formula.
Side by side, the m windows of a corpus-order group overlap almost entirely,
so the K shared negatives get m nearly equal pushes: 6.7 analogy points
lost on wiki17m. Spread over the batch (example b takes draw b mod G, groups
of windows about B/m apart, ``spread_negatives``), the loss is 0.5 points
(0.8 below gensim, inside the issue-10 band) at 1.4-1.8x the speed
(benchmarks/RESULTS.md, "Negatives shared by spread groups").

Symbol map to ``002_6cd38058a4f833ef.txt``: :math:`c_{pos}` is :math:`u_o`,
:math:`c_{neg}` is :math:`u_{n_i}`, :math:`W_1` is ``W_in`` and
:math:`W_2` is ``W_out``; its term :math:`1-\sigma(-c_{neg}\cdot h)` equals
our :math:`\sigma(s_i)`, and its division by ``window-1`` is our :math:`1/n`
with :math:`n` the number of real context words of this example (the reduced
window and sentence edges make :math:`n` vary). In
``003_24886efe243728b3.txt`` (lines 4272-4331) :math:`v_{w_t}` plays the
role of :math:`h`. word2vec.c adds the undivided :math:`\partial L/\partial h`
to each context row; see :mod:`w2v_numpy.models.cbow`.
"""
import numpy as np

from ..backend import get_xp
from ..functional import log_sigmoid, sigmoid
from ..batching.negatives import spread_draws
from ..kernels import span
from .base import RowGrad
from .window import WindowModel, hidden_layer, input_grads, output_index


def forward(W_in, W_out, batch):
    """Intermediates: ``h`` (B, d), ``index`` (B, 1+K) (target first), ``U`` (B, 1+K, d),
    ``s`` (B, 1+K) scores, ``loss`` (B,) per example, and the first step back:
    ``g`` (B, 1+K) = dL/ds (:math:`\\sigma(s_0) - 1`, then :math:`\\sigma(s_i)`) and
    ``dh`` (B, d) = dL/dh."""
    h, weight, band = hidden_layer(W_in, batch)                          # (B, d), (B, C)
    index = output_index(batch)                                          # (B, 1+K)
    U = W_out[index]                                                     # (B, 1+K, d)
    s = (U @ h[:, :, None])[:, :, 0]                                     # (B, 1+K)
    loss = -log_sigmoid(s[:, 0]) - log_sigmoid(-s[:, 1:]).sum(axis=1)    # (B,)
    g = sigmoid(s)                                                       # (B, 1+K)
    g[:, 0] -= 1.0                                                       # dL/ds
    dh = (g[:, None, :] @ U)[:, 0, :]                                    # (B, 1, 1+K) @ (B, 1+K, d) -> (B, d)
    return {"h": h, "weight": weight, "band": band, "index": index, "U": U, "s": s,
            "loss": loss, "g": g, "dh": dh}


def shared_groups(batch):
    """``(draws, order)`` if the batch's examples share draws of negatives, else None:
    ``draws`` (G, K), and ``order`` (G, m) the examples of each group (a number
    >= B: an empty slot). Groups spread over the batch (example b takes draw
    b mod G) or, with a ``span``, the consecutive windows of its tiles."""
    xp = get_xp()
    B = batch.negatives.shape[0]
    draws = spread_draws(batch.negatives)
    if draws is not None:
        G = draws.shape[0]
        return draws, xp.arange(G * -(-B // G)).reshape(-1, G).T               # (G, m)
    if batch.span is not None:
        m = span.tile_of(batch)
        draws = span.shared_negatives(batch.negatives, m)
        if draws is not None:
            return draws, xp.arange(draws.shape[0] * m).reshape(-1, m)       # (nt, m)
    return None


def shared_loss_and_grad(h, W_out, targets, draws, order, scale=1.0):
    """CBOW against negatives shared by groups (module docstring): ``(loss, scale *
    dL/dh (B, d), W_out RowGrad)`` for the groups ``order`` of :func:`shared_groups`."""
    xp = get_xp()
    B, d = h.shape
    G, m = order.shape
    K = draws.shape[1]
    slots = order.reshape(-1)                                                # (G m,) each slot once
    w = (order < B).astype(h.dtype)                                          # (G, m) 0: empty slot
    index = span.group_rows(targets, draws, order)                           # (G, m+K)
    U = W_out[index]                                                         # (G, m+K, d)
    H = span.padded(h, G * m)[order]                                         # (G, m, d) empty: zeros
    S = H @ U.transpose(0, 2, 1)                                             # (G, m, m+K)
    diag = xp.arange(m) * (m + K + 1)                                        # (m,) flat S[:, i, i]
    Z = xp.empty((G, m, 1 + K), dtype=h.dtype)                               # example i's own scores:
    Z[:, :, 0] = S.reshape(G, -1)[:, diag]                                   # its target's,
    Z[:, :, 1:] = S[:, :, m:]                                                # its K negatives'
    sign = xp.asarray([1.0] + [-1.0] * K, dtype=h.dtype)                     # (1+K,)
    loss = -(log_sigmoid(Z * sign).sum(axis=2) * w).sum(dtype=np.float64)
    e = sigmoid(Z)                                                           # (G, m, 1+K)
    e[:, :, 0] -= 1.0                                                        # dL/dZ
    e *= (w * scale)[:, :, None]
    E = xp.zeros((G, m * (m + K)), dtype=h.dtype)
    E[:, diag] = e[:, :, 0]
    E = E.reshape(G, m, m + K)                                               # (G, m, m+K) dL/dS
    E[:, :, m:] = e[:, :, 1:]
    dh = xp.empty((G * m, d), dtype=h.dtype)
    dh[slots] = (E @ U).reshape(-1, d)                                       # (G, m, m+K) @ (G, m+K, d)
    dU = E.transpose(0, 2, 1) @ H                                            # (G, m+K, m) @ (G, m, d)
    return float(loss), dh[:B], RowGrad(index.reshape(-1), dU.reshape(-1, d))


def loss_and_grad(W_in, W_out, batch, scale=1.0, undivided=False):
    """Summed negative-sampling loss and ``scale`` times its gradient, as row updates.

    Returns ``(loss, {"W_in": RowGrad, "W_out": RowGrad})``. ``step`` passes
    ``scale=-alpha`` so the update is formed in one pass. ``undivided``:
    word2vec.c's input update instead of the gradient (see
    :func:`w2v_numpy.models.window.input_grads`). Batches whose examples share
    draws of negatives take :func:`shared_loss_and_grad`.
    """
    shared = shared_groups(batch)
    if shared is not None:
        h, weight, band = hidden_layer(W_in, batch)                          # (B, d), (B, C)
        loss, dh, rows_out = shared_loss_and_grad(h, W_out, batch.targets, *shared, scale)
        return loss, {"W_in": input_grads(batch, weight, dh, band, undivided),
                      "W_out": rows_out}
    f = forward(W_in, W_out, batch)
    h, g = f["h"], f["g"] * scale                                        # (B, d), (B, 1+K) scaled dL/ds
    dU = g[:, :, None] * h[:, None, :]                                   # (B, 1+K, d)
    dh = f["dh"] * scale                                                 # (B, d)
    grads = {"W_in": input_grads(batch, f["weight"], dh, f["band"], undivided),  # (n,), (n, d)
             "W_out": RowGrad(f["index"].reshape(-1), dU.reshape(-1, h.shape[1]))}  # (B(1+K),), (B(1+K), d)
    return float(f["loss"].sum(dtype=np.float64)), grads


class CBOWNeg(WindowModel):
    """CBOW with negative sampling (``type="cbow_neg"``). Math in the module docstring."""

    type_name = "cbow_neg"
    batch_family = "cbow"
    output_layer = "negative_sampling"
    averages_inputs = True
    #: 8 examples share each draw of negatives, spread over the batch: 1.4-1.8x faster,
    #: 0.5 analogy points fewer on wiki17m (module docstring).
    shared_negatives = span.TILE
    spread_negatives = True
    forward_fn = staticmethod(forward)
    loss_and_grad_fn = staticmethod(loss_and_grad)

    def negative_rows(self, batch):
        """With shared draws, the groups' rows (:func:`.span.group_rows`)."""
        shared = shared_groups(batch)
        if shared is None:
            return super().negative_rows(batch)
        return span.group_rows(batch.targets, *shared).reshape(-1)          # (G (m+K),)
