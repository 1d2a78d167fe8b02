r"""Consecutive windows as banded matrix products: the kernels' path for a batch with a ``span``.

Notes
-----
A batch made in corpus order holds consecutive centre words of one stretch of
sub-sampled text, and the batcher passes that stretch along as ``batch.span``
(see :class:`w2v_numpy.batching.Batch`): with :math:`r = C/2`, example
:math:`b`'s centre is ``span[r + b]`` and its context slot :math:`c` is
``span[r + b + o_c]``, :math:`o = (-r..-1, 1..r)`. Neighbouring windows
overlap, so each position is a context word of up to :math:`2r` windows. The
general path gathers one row per (window, slot), about :math:`2r` copies of
every position's row, and scatter-adds as many gradient rows back into the
large ``W_in``. Here every position's row is gathered once,

.. math:: X = W_{in}[\text{span}] \in \mathbb{R}^{(B + 2r) \times d},

and its gradient is summed over the windows before one scatter-add of
:math:`B + 2r` rows (instead of about :math:`2rB`).

**Skip-gram windows** (:mod:`w2v_numpy.models.sgram_neg_window`,
:mod:`w2v_numpy.models.sgram_hs_window`):
window :math:`b` scores its context rows against its own output rows
:math:`U_b` (:math:`J` of them: the centre word and the negatives, or the
nodes of the centre's path),

.. math:: S_{bcj} = X_{r+b+o_c} \cdot U_{bj},

which are the entries of :math:`X U^\top` on a band. The whole product would
be mostly waste, so the batch is cut into tiles of :math:`m` windows
(:data:`TILE`): tile :math:`t` needs only the :math:`m + 2r` rows
:math:`X_t = X[tm : tm + m + 2r]` and its :math:`mJ` output rows :math:`U_t`,
and one small GEMM :math:`R_t = X_t U_t^\top` holds all its scores,
:math:`S_{tm+i,\,c,\,j} = (R_t)_{i+r+o_c,\; iJ+j}`. Writing the errors
:math:`G = \partial L/\partial S` back into the same band positions of a
zero matrix :math:`M_t` gives both gradients as products again:

.. math::

    \frac{\partial L}{\partial X_t} = M_t U_t, \qquad
    \frac{\partial L}{\partial U_t} = M_t^\top X_t .

The :math:`\partial L/\partial X_t` of neighbouring tiles overlap by
:math:`2r` rows and are added into one :math:`(B + 2r) \times d` block.

**CBOW** (:func:`w2v_numpy.models.window.hidden_layer`) is the band with one output: the
hidden vector is :math:`h_b = \sum_c w_{bc} X_{r+b+o_c}` (:math:`w` the slot
weights, :math:`1/n` on real slots), i.e. :math:`h_t = A_t X_t` with the band
:math:`A_t \in \mathbb{R}^{m \times (m+2r)}`, and
:math:`\partial L/\partial X_t = A_t^\top\, \partial L/\partial h_t`. With
word2vec.c's rule (every real slot gets the whole :math:`\partial L/\partial h`)
the band is the slots' 0/1 mask instead of their weights. Both bands depend
on the batch alone: a :class:`Band`, made ahead by the batch producer.

A batch of shuffled *runs* of :math:`m` consecutive windows (the batcher's
``run_length``) carries one strip of :math:`m + 2r` positions per run instead
of one stretch: each strip is a tile of its own, and the tiles share no
position.

A few dozen GEMMs of this size cost less than the general path's one tiny
product per window, nothing of size :math:`B \times C \times d` is built,
and the large ``W_in`` is touched :math:`B + 2r` times instead of about
:math:`2rB`. The numbers are the general path's up to the order of
float additions; ``tests/test_kernels.py`` checks them against the references
on the same batches.
"""
from typing import NamedTuple

import numpy as np

from ..backend import arranged_plan, get_xp, take_rows
from ..batching.batch import slot_offsets
from ..errors import W2VError
from ..functional import log_sigmoid, sigmoid
from ..models import window
from ..models.base import RowGrad
from ..models.sgram_neg_window import context_grads as plain_context_grads

#: Windows per tile. Small tiles waste less of each product (the useful share of
#: R_t is C / (m + 2r)); large ones make fewer, larger GEMMs. 8 was fastest at
#: r = 5 (benchmarks/history, "Corpus-order batches").
TILE = 8


class Tiles(NamedTuple):
    """A span batch's input rows laid out by tile."""

    span: object   # int (B + 2r,)  the positions' word ids
    X: object      # (nt, m + 2r, d)  tile t holds the rows of positions tm .. tm + m + 2r - 1
    B: int         # windows in the batch
    r: int         # window reach: C = 2r context slots

    @property
    def m(self):
        return self.X.shape[1] - 2 * self.r


def padded(a, n):
    """``a`` with its first axis padded with zeros to ``n`` (the last tile's empty windows)."""
    if a.shape[0] == n:
        return a
    out = get_xp().zeros((n,) + a.shape[1:], dtype=a.dtype)
    out[:a.shape[0]] = a
    return out


def tile_of(batch):
    """Windows per tile of a batch with a ``span``: :data:`TILE` for one stretch, the
    run length for strips."""
    s = batch.span
    return TILE if s.ndim == 1 else s.shape[1] - batch.inputs.shape[1]


def gather_tiles(W_in, span, B, C, m=TILE):
    """Gather every position's ``W_in`` row once and lay the rows out by tile.

    ``span`` is one stretch (B + C,) of consecutive windows, cut into tiles of
    ``m``; or the strips (nt, m' + C) of runs of ``m'`` windows from different
    places (the batcher's ``run_length``), one tile each."""
    xp = get_xp()
    r = C // 2
    if span.ndim == 2:
        nt, width = span.shape
        if width <= C or nt != -(-B // (width - C)):
            raise W2VError(f"{nt} strips of {width} ids do not fit {B} windows of {C} slots")
        return Tiles(span, take_rows(W_in, span), B, r)                      # (nt, m'+2r, d)
    if span.shape[0] != B + 2 * r:
        raise W2VError(f"a span of {span.shape[0]} ids does not fit {B} windows of {C} slots "
                       f"(it needs B + C = {B + C})")
    nt = -(-B // m)
    X = padded(take_rows(W_in, span), nt * m + 2 * r)                        # (nt m + 2r, d)
    at = (xp.arange(nt) * m)[:, None] + xp.arange(m + 2 * r)[None, :]        # (nt, m + 2r)
    return Tiles(span, take_rows(X, at), B, r)


def _band(t, J, width=None):
    """Flat positions in a tile's (m + 2r, width) product of every (window i, slot c,
    column j): row i + r + o_c, column i J + j (window i's own J output rows; width
    defaults to m J, all of them)."""
    xp = get_xp()
    i = xp.arange(t.m)[:, None, None]                                        # (m, 1, 1)
    o = xp.asarray(slot_offsets(t.r))[None, :, None]                         # (1, C, 1)
    j = xp.arange(J)[None, None, :]                                          # (1, 1, J)
    width = t.m * J if width is None else width
    return ((i + t.r + o) * width + i * J + j).reshape(-1)                   # (m C J,)


def _input_rows(t, dX):
    """Add the tiles' overlapping (nt, m + 2r, d) row gradients into one block: the
    :class:`RowGrad` of ``W_in`` at the span's positions."""
    nt, rows, d = dX.shape
    if t.span.ndim == 2:                     # strips: no two tiles share a position
        return RowGrad(t.span.reshape(-1), dX.reshape(-1, d))                # (nt (m+2r),), (.., d)
    m = t.m
    out = get_xp().zeros((nt * m + rows, d), dtype=dX.dtype)                 # (positions + spare, d)
    for top in range(0, rows, m):            # rows top..top+m-1 of every tile: one slice add
        w = min(m, rows - top)
        out[top:top + nt * m].reshape(nt, m, d)[:, :w] += dX[:, top:top + w]
    return RowGrad(t.span, out[:t.span.shape[0]])                            # (B + 2r,), (B + 2r, d)


def window_scores(t, U):
    """Scores ``S`` (B, C, J) of every window's context rows against its output rows
    ``U`` (B, J, d), and ``U`` laid out by tile (nt, m J, d) for :func:`window_grads`."""
    nt, J, d = t.X.shape[0], U.shape[1], U.shape[2]
    Ut = padded(U, nt * t.m).reshape(nt, t.m * J, d)                         # (nt, m J, d)
    R = t.X @ Ut.transpose(0, 2, 1)                                          # (nt, m+2r, d) @ (nt, d, m J)
    S = R.reshape(nt, -1)[:, _band(t, J)]                                    # (nt, m C J)
    return S.reshape(nt * t.m, 2 * t.r, J)[:t.B], Ut                         # (B, C, J)


def window_grads(t, Ut, G):
    """From ``G`` = dL/dS (B, C, J), zero on padding slots: the :class:`RowGrad` of
    ``W_in`` (one row per span position) and dL/dU (B, J, d)."""
    xp = get_xp()
    nt, J = t.X.shape[0], G.shape[2]
    M = xp.zeros((nt, (t.m + 2 * t.r) * t.m * J), dtype=G.dtype)            # (nt, (m+2r) m J)
    M[:, _band(t, J)] = padded(G, nt * t.m).reshape(nt, -1)
    M = M.reshape(nt, t.m + 2 * t.r, t.m * J)                                # (nt, m+2r, m J)
    dX = M @ Ut                                                              # (nt, m+2r, m J) @ (nt, m J, d)
    dU = M.transpose(0, 2, 1) @ t.X                                          # (nt, m J, m+2r) @ (nt, m+2r, d)
    return _input_rows(t, dX), dU.reshape(nt * t.m, J, -1)[:t.B]             # (B, J, d)


def _slot_band(nt, m, r, weight):
    """The tiles' (nt, m, m + 2r) band with ``weight[b, c]`` at window ``i``'s slot ``c``."""
    xp = get_xp()
    rows = m + 2 * r
    i = xp.arange(m)[:, None]                                                # (m, 1)
    o = xp.asarray(slot_offsets(r))[None, :]                                 # (1, C)
    A = xp.zeros((nt, m * rows), dtype=weight.dtype)                         # (nt, m (m+2r))
    A[:, (i * rows + i + r + o).reshape(-1)] = padded(weight, nt * m).reshape(nt, -1)
    return A.reshape(nt, m, rows)


class Band(NamedTuple):
    """A context-slot span batch's averaging, laid out by tile (no parameter in it)."""

    weight: object   # float (B, C)  the slot weights, 1/n on the n real slots
    mean: object     # float (nt, m, m + 2r)  the weights in band form: h_t = mean_t X_t
    whole: object    # float (nt, m, m + 2r)  1 on every real slot (word2vec.c's CBOW rule)


def band_of(batch, dtype):
    """The :class:`Band` of a context-slot batch with a ``span``; ``None`` for any other
    batch. Index work only: the batch producer makes it ahead of the step."""
    B, C = batch.inputs.shape
    if batch.span is None or C == 1:
        return None
    m = tile_of(batch)
    nt, r = -(-B // m), C // 2
    weight = window.slot_weights(batch, dtype)                               # (B, C)
    real = (weight > 0).astype(dtype)                                        # (B, C)
    return Band(weight, _slot_band(nt, m, r, weight), _slot_band(nt, m, r, real))


def window_mean_grads(t, A, dh):
    """The :class:`RowGrad` of ``W_in`` from dL/dh (B, d): ``A^T dL/dh`` per tile."""
    nt = t.X.shape[0]
    dht = padded(dh, nt * t.m).reshape(nt, t.m, -1)                          # (nt, m, d)
    return _input_rows(t, A.transpose(0, 2, 1) @ dht)                        # (nt, m+2r, m) @ (nt, m, d)


def hidden_layer(W_in, batch, band=None):
    """:func:`w2v_numpy.models.window.hidden_layer` for any batch: ``(h, weight, layout)``,
    with ``layout`` what :func:`input_grads` needs when a context-slot batch has a
    ``span`` (each position's row gathered once; ``band``: the batch's :class:`Band`,
    made here if not given), else ``None`` and the reference's ``h``."""
    B, C = batch.inputs.shape
    if batch.span is None or C == 1:
        return (*window.hidden_layer(W_in, batch), None)
    band = band if band is not None else band_of(batch, W_in.dtype)
    tiles = gather_tiles(W_in, batch.span, B, C)
    h = (band.mean @ tiles.X).reshape(-1, W_in.shape[1])[:B]                 # (nt, m, m+2r) @ (nt, m+2r, d)
    return h, band.weight, (tiles, band)


def input_grads(batch, weight, dh, layout, undivided_rule=False):
    """:func:`w2v_numpy.models.window.input_grads`, one row per span position with a
    ``layout`` from :func:`hidden_layer`. word2vec.c's rule (every real slot gets the
    whole dL/dh) is the band of ones, where the reference multiplies dL/dh by n and
    then by the weights 1/n."""
    if layout is None:
        return window.input_grads(batch, weight, dh, undivided_rule)
    tiles, band = layout
    A = band.whole if undivided_rule else band.mean                          # (nt, m, m+2r)
    return window_mean_grads(tiles, A, dh)                                   # (B + C,), (B + C, d)


def context_scores(W_in, U, batch):
    """Scores ``S`` (B, C, J) of each window's context rows against its output rows
    ``U`` (B, J, d), and the layout :func:`context_grads` needs: the context rows ``V``
    (B, C, d), or for a batch with a ``span`` its tiles."""
    if batch.span is not None:
        tiles = gather_tiles(W_in, batch.span, *batch.inputs.shape)
        S, Ut = window_scores(tiles, U)                                      # (B, C, J)
        return S, {"tiles": tiles, "Ut": Ut}
    V = take_rows(W_in, batch.inputs)                                        # (B, C, d)
    return V @ U.transpose(0, 2, 1), {"V": V}                                # (B, C, J)


class SlotRows(NamedTuple):
    """The real context slots of a batch without a span, in the order the ``W_in``
    scatter-add applies them (:func:`~w2v_numpy.backend.arranged_plan`): their rows of
    dL/dV are taken in this order, so the scatter adds each round from a slice."""

    slots: object      # int (n,)  flat (window, slot) of each real slot
    index: object      # int (n,)  its W_in row
    plan: object       # the in-order RowPlan of index (None off NumPy's scatter-add)


def in_scatter_order(positions, flat, first=None):
    """``(positions, rows, plan)``: the ``positions`` of rows in the flat index ``flat``
    reordered as the scatter-add applies them; ``rows``, the rows ``first`` (distinct,
    none of them among these, listed ahead) then ``flat[positions]``; and their
    ``in_order`` plan (:func:`~w2v_numpy.backend.arranged_plan`, whose ``index`` is
    ``rows`` itself; ``None`` off NumPy's scatter-add, the positions then as given). A
    kernel gathers its rows in this order, so the scatter adds them from slices
    instead of gathering them once more."""
    order, plan = arranged_plan(flat[positions], first)
    if plan is not None:
        return positions[order], plan.index, plan
    listed = flat[positions] if first is None else get_xp().concatenate([first, flat[positions]])
    return positions, listed, None


def slot_rows(batch):
    """The batch's :class:`SlotRows` (index work, made ahead); ``None`` with a span, whose
    rows come from its tiles."""
    if batch.span is not None:
        return None
    xp = get_xp()
    flat = batch.inputs.reshape(-1)                                          # (B C,)
    real = xp.arange(flat.shape[0]) if batch.mask is None else xp.flatnonzero(batch.mask)
    return SlotRows(*in_scatter_order(real, flat))                           # (n,), (n,), plan


def context_grads(G, U, layout, batch, slots=None):
    """From ``G`` = dL/dS (B, C, J) and the ``layout`` of :func:`context_scores`: the
    ``W_in`` rows (a :class:`RowGrad`; with ``slots``, the batch's :class:`SlotRows`, in
    their order) and dL/dU (B, J, d)."""
    if "tiles" in layout:
        return window_grads(layout["tiles"], layout["Ut"], G)
    if slots is None:
        return plain_context_grads(G, U, layout["V"], batch)
    dV = G @ U                                                               # (B, C, J) @ (B, J, d)
    dU = G.transpose(0, 2, 1) @ layout["V"]                                  # (B, J, C) @ (B, C, d)
    return RowGrad(slots.index, take_rows(dV.reshape(-1, dV.shape[2]), slots.slots)), dU


def input_rows(batch):
    """The ``W_in`` rows a span batch's step updates: one per span position."""
    return batch.span.reshape(-1)                                            # (B + C,) or strips


def context_rows(batch, slots=None):
    """The ``W_in`` rows of :func:`context_grads`: one per span position with a span,
    else one per real context slot (in the order of ``slots`` if given)."""
    if batch.span is not None:
        return input_rows(batch)
    if slots is not None:
        return slots.index
    return batch.inputs.reshape(-1) if batch.mask is None else batch.inputs[batch.mask]


# --- Negatives shared by a tile ----------------------------------------------
#
# When the m windows of a tile share one draw of K negatives (the batcher's
# ``shared_negatives=TILE`` side by side, :func:`tile_draws`), a tile has m + K output
# rows instead of m (1 + K), and a score against a negative depends only on the
# position: for skip-gram
# windows, X_p . u_k is the same for every window in which p is a context word.
# So the negative block of a tile is dense, (m + 2r) x K, each position weighted
# by the number of the tile's windows it is a context word of (its error and its
# loss count once per such window). The objective is the general path's on the
# same batch: every example still has its own row of negatives, they are only
# equal within a tile. CBOW's groups (side by side, or spread over the batch,
# its default) are scored in :mod:`.shared_negatives`.


def tile_draws(batch, m):
    """``(nt, K)``: the draw of each tile of ``m`` windows, if the batch's ``draws``
    deal every tile one draw (side by side in groups that tiles do not straddle,
    or a single draw); else ``None`` (then the per-window paths apply). Read from
    the batch's explicit :class:`~w2v_numpy.batching.batch.Draws`, never from the
    values of its negatives."""
    draws, B = batch.draws, batch.targets.shape[0]
    if draws is None or B < 2 or m < 2:
        return None
    of = draws.index(B)                                                  # (B,) draw of each window
    first = of[::m]                                                      # (nt,) draw of each tile's first
    if not (np.repeat(first, m)[:B] == of).all():
        return None
    return draws.table[get_xp().asarray(first)]                         # (nt, K)


def group_rows(targets, draws, order):
    """Each group's output ids ``[its m targets, its K negatives]`` (G, m + K), for
    groups ``order`` (G, m) of example numbers sharing the draws (G, K); an empty
    slot (a number >= B) names example 0's target, whose error there is zero."""
    xp = get_xp()
    at = xp.where(order < targets.shape[0], order, 0)                        # (G, m)
    return xp.concatenate([targets[at], draws], axis=1)                      # (G, m+K)


def _output_rows(W_out, targets, shared, m):
    """Each tile's output ids ``[its m targets, its K negatives]`` (nt, m + K) and rows."""
    nt = shared.shape[0]
    index = group_rows(targets, shared, get_xp().arange(nt * m).reshape(nt, m))
    return index, take_rows(W_out, index)                                  # (nt, m+K), (nt, m+K, d)


def ns_terms(s, weight, positive):
    """Loss ``sum weight * -log sigma(+-s)`` and its ``weight * dL/ds`` (same shape as s)."""
    if positive:
        return -(weight * log_sigmoid(s)).sum(dtype=np.float64), weight * (sigmoid(s) - 1.0)
    return -(weight * (log_sigmoid(s) - s)).sum(dtype=np.float64), weight * sigmoid(s)


def shared_window_loss_and_grad(t, W_out, targets, shared, mask, scale):
    """Skip-gram windows against tile-shared negatives: ``(loss, W_in RowGrad, W_out
    RowGrad)`` with rows ``scale`` times the gradient.

    Tile t: ``R = X_t [U_targets; U_negatives]^T`` (m + 2r, m + K). Window i's
    positive scores are on the band, ``R[i + r + o_c, i]``; the negative block
    ``R[:, m:]`` is weighted by ``count[p]``, the real slots of the tile at p.
    """
    xp = get_xp()
    nt, rows, m, K = t.X.shape[0], t.m + 2 * t.r, t.m, shared.shape[1]
    weight = xp.ones((t.B, 2 * t.r), dtype=t.X.dtype) if mask is None else mask.astype(t.X.dtype)
    count = _slot_band(nt, m, t.r, weight).sum(axis=1)                       # (nt, m+2r)
    index, U = _output_rows(W_out, targets, shared, m)                       # (nt, m+K), (nt, m+K, d)
    R = t.X @ U.transpose(0, 2, 1)                                           # (nt, m+2r, m+K)
    band = _band(t, 1, m + K)                                                # (m C,) window i's target
    slot_w = padded(weight, nt * m).reshape(nt, -1)                          # (nt, m C)
    loss_p, g_p = ns_terms(R.reshape(nt, -1)[:, band], slot_w, True)         # (nt, m C)
    loss_n, g_n = ns_terms(R[:, :, m:], count[:, :, None], False)            # (nt, m+2r, K)
    M = xp.zeros((nt, rows * (m + K)), dtype=t.X.dtype)
    M[:, band] = g_p
    M = M.reshape(nt, rows, m + K)                                           # (nt, m+2r, m+K) dL/dR
    M[:, :, m:] = g_n
    M *= scale
    dX = M @ U                                                               # (nt, m+2r, m+K) @ (nt, m+K, d)
    dU = M.transpose(0, 2, 1) @ t.X                                          # (nt, m+K, m+2r) @ (nt, m+2r, d)
    d = dU.shape[2]
    return (float(loss_p + loss_n), _input_rows(t, dX),
            RowGrad(index.reshape(-1), dU.reshape(-1, d)))                   # (nt (m+K),), (nt (m+K), d)
