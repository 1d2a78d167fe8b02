r"""Negatives shared by groups of examples: each draw's rows gathered and updated once.

Notes
-----
When the batcher deals one draw of K negatives to each group of examples
(:class:`w2v_numpy.batching.batch.Draws`), every example still has its own
K negative terms in the loss; only the rows are shared. So these kernels
compute the references' loss and gradient on such a batch, with fewer rows.

**CBOW groups** (equal to :func:`w2v_numpy.models.cbow_neg.output_loss_and_grad`).
A group of m examples needs m + K output rows instead of m (1 + K). Stack
its hidden vectors as :math:`H_g` (m x d) and its rows as
:math:`U_g = [u_{o_1..o_m}; u_{n_1..n_K}]` ((m + K) x d): all its scores are
one product :math:`S = H_g U_g^\top` (m x (m + K)), of which example i uses
:math:`S_{ii}` (its target) and :math:`S_{i,m+1..m+K}`. With :math:`E` the
per-score errors written into those positions (zero elsewhere),
:math:`\partial L/\partial H_g = E U_g` and
:math:`\partial L/\partial U_g = E^\top H_g`: the same sums as the
reference's, since a row's gradient is the sum over every score it is in.

**Skip-gram windows** (equal to :func:`w2v_numpy.models.sgram_neg_window.loss_and_grad`).
With draws spread over the batch, each draw's K rows are gathered once and
copied to its windows (:func:`spread_rows`), and the rows of
:math:`G^\top V` of the windows sharing a draw are summed before the
scatter-add (:func:`spread_grads`), which then takes B + GK rows instead of
B(1 + K).

Which examples share a draw matters for training, not for the formula.
Side by side, the m windows of a corpus-order group overlap almost entirely,
so the K shared negatives get m nearly equal pushes: 6.7 analogy points
lost on wiki17m. Spread over the batch (example b takes draw b mod G), the
loss was 0.5 points at 1.4-1.8x the speed for cbow_neg (benchmarks/history,
"Negatives shared by spread groups"); the policy table
(:mod:`w2v_numpy.training.policy`) says which types share by default.
"""
import numpy as np

from ..backend import get_xp, take_rows
from ..functional import log_sigmoid, sigmoid
from ..models.base import RowGrad
from . import span


def spread_table(batch):
    """The draws (G, K) when they are dealt round-robin over the batch (example ``b``
    takes draw ``b % G``; a single draw counts, whatever its layout) and shared
    (G < B); else ``None``. Read from the batch's explicit ``draws``."""
    draws, B = batch.draws, batch.targets.shape[0]
    if draws is None:
        return None
    G = draws.table.shape[0]
    if (draws.spread or G == 1) and G < B:
        return get_xp().asarray(draws.table)
    return None


def shared_groups(batch):
    """``(draws, order)`` if the batch's examples share draws of negatives, else None:
    ``draws`` (G, K), and ``order`` (G, m) the examples of each group (a number
    >= B: an empty slot). Groups spread over the batch or, with a ``span``, the
    consecutive windows of its tiles."""
    xp = get_xp()
    B = batch.targets.shape[0]
    draws = spread_table(batch)
    if draws is not None:
        G = draws.shape[0]
        return draws, xp.arange(G * -(-B // G)).reshape(-1, G).T               # (G, m)
    if batch.span is not None:
        m = span.tile_of(batch)
        draws = span.tile_draws(batch, m)
        if draws is not None:
            return draws, xp.arange(draws.shape[0] * m).reshape(-1, m)       # (nt, m)
    return None


def group_output(h, W_out, targets, draws, order, scale=1.0):
    """CBOW against negatives shared by groups (module notes): ``(loss, scale *
    dL/dh (B, d), W_out RowGrad)`` for the groups ``order`` of :func:`shared_groups`."""
    xp = get_xp()
    B, d = h.shape
    G, m = order.shape
    K = draws.shape[1]
    slots = order.reshape(-1)                                                # (G m,) each slot once
    w = (order < B).astype(h.dtype)                                          # (G, m) 0: empty slot
    index = span.group_rows(targets, draws, order)                           # (G, m+K)
    U = take_rows(W_out, index)                                              # (G, m+K, d)
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


def group_index(batch):
    """The ``W_out`` rows of :func:`group_output` for this batch (G (m + K),)."""
    return span.group_rows(batch.targets, *shared_groups(batch)).reshape(-1)


def spread_rows(W_out, index, draws):
    """``W_out[index]`` (B, 1+K, d) for negatives dealt round-robin from ``draws``
    (G, K): each draw's rows gathered once, then copied to its windows."""
    B, G = index.shape[0], draws.shape[0]
    m, d = -(-B // G), W_out.shape[1]
    U = get_xp().empty((m * G, 1 + draws.shape[1], d), dtype=W_out.dtype)  # (mG, 1+K, d)
    U.reshape(m, G, -1, d)[:, :, 1:] = take_rows(W_out, draws)[None]     # window b: draw b mod G
    U[:B, 0] = take_rows(W_out, index[:, 0])                                 # (B, d) the centres
    return U[:B]


def spread_grads(batch, draws, dU):
    """The ``W_out`` :class:`RowGrad` for negatives dealt from ``draws`` (G, K): the
    centres' rows, then one row per drawn negative, summed over the windows sharing it."""
    xp = get_xp()
    (B, J, d), G = dU.shape, draws.shape[0]
    m = -(-B // G)
    per_draw = span.padded(dU, m * G).reshape(m, G, J, d)[:, :, 1:].sum(axis=0)  # (G, K, d)
    return RowGrad(spread_index(batch, draws),
                   xp.concatenate([dU[:, 0], per_draw.reshape(-1, d)]))  # (B + GK, d)


def spread_index(batch, draws):
    """The ``W_out`` rows of :func:`spread_grads`: the centres, then the draws."""
    return get_xp().concatenate([batch.targets, draws.reshape(-1)])      # (B + GK,)
