r"""Skip-gram with negative sampling, one window at a time (``formulation="window"``).

Notes
-----
One example is one centre word :math:`t` with its real context words
:math:`c_1..c_n` (the reduced window, cut at the line ends) and :math:`K`
negatives :math:`k_1..k_K` drawn **once for the whole window**. Every context
word's input row :math:`v_{c_j}` predicts the centre word, as in word2vec.c:

.. math::

    L = \sum_{j=1}^{n}\Big[-\log\sigma(v_{c_j}^\top u_t)
        - \sum_{i=1}^{K}\log\sigma(-v_{c_j}^\top u_{k_i})\Big]

Stack the context rows as :math:`V \in \mathbb{R}^{n\times d}` and the output
rows of the centre and the negatives as :math:`U = [u_t; u_{k_1}; ..; u_{k_K}]
\in \mathbb{R}^{(1+K)\times d}`. All scores are one matrix product,
:math:`S = V U^\top` (:math:`n \times (1+K)`). With
:math:`\frac{d}{ds}\log\sigma(s) = 1-\sigma(s)` the error on each score is
:math:`G = \sigma(S) - Y`, where :math:`Y` is 1 in the centre's column and 0
elsewhere, and the whole gradient is two more products:

.. math::

    \frac{\partial L}{\partial V} = G\,U \quad (n \times d), \qquad
    \frac{\partial L}{\partial U} = G^\top V \quad ((1+K) \times d)

Row :math:`j` of :math:`GU` goes to :math:`v_{c_j}`, row 0 of :math:`G^\top V`
to :math:`u_t` and row :math:`i` to :math:`u_{k_i}`. A word that fills two
context slots, or is drawn twice as a negative, or is both a context word and
a negative, receives each of its contributions (scatter-add). Over a batch of
windows the three products are batched matrix products on padded
``(B, C, ...)`` arrays; padding slots get a zero error, so they add nothing.

Relation to the per-pair objective (:mod:`w2v_numpy.models.sgram_neg`, the
documents' formula). Term :math:`j` of :math:`L` is the documents' loss of the
pair (:math:`c_j`, :math:`t`): the same pairs as the per-pair form, summed over
the window. Two things differ. (1) Roles: here the context word is the input
and the centre the output (word2vec.c's loop does exactly this); the per-pair
form follows the documents, centre in, context out. Over a corpus both see
every (centre, context) pair once in each direction, since each is the other's
context. (2) Negatives: the per-pair form draws :math:`K` fresh negatives for
each pair; here the :math:`n` pairs of a window share them. That is what cuts
the work: a window gathers and updates :math:`n + 1 + K` rows instead of
:math:`n(2+K)`, and :math:`n(1+K)` dot products become one small GEMM.
The same idea is Intel's pWord2Vec ("HogBatch", Ji et al. 2016) and Amazon's
BlazingText ``batch_skipgram``.

A batch of consecutive windows (corpus order, ``batch.span``) is computed as
banded products by :mod:`w2v_numpy.kernels.span`, and when each tile of
windows shares its negatives (``shared_negatives``), as one dense
(positions x negatives) block per tile: same loss and gradient as below, each
position's row gathered and updated once.

Windows may also share a draw of negatives with windows far from them in the
batch (``spread_negatives``: with :math:`G` draws, window :math:`b` takes draw
:math:`b \bmod G`). The formula above is unchanged, each window keeping its
own :math:`n K` negative terms; what changes is the bookkeeping of ``W_out``.
Each draw's :math:`K` rows are gathered once and copied to its windows
(:func:`spread_rows`), and since :math:`\partial L/\partial u_{k}` is a sum over
every score that involves :math:`u_k`, the rows of :math:`G^\top V` of the
windows sharing a draw are summed before the scatter-add (:func:`spread_grads`):
the scatter-add takes :math:`B + GK` rows instead of :math:`B(1+K)`.

Symbol map: as in :mod:`w2v_numpy.models.sgram_neg` with the roles swapped
(the documents' :math:`v_{w_t}` is our :math:`u_t` and :math:`u_{w_c}` our
:math:`v_c`); ``W_in`` holds the :math:`v`, ``W_out`` the :math:`u`.
"""
import numpy as np

from ..backend import get_xp
from ..functional import log_sigmoid, sigmoid
from ..batching.negatives import spread_draws
from ..kernels import span
from .base import RowGrad
from .window import WindowModel, output_index


def context_scores(W_in, U, batch):
    """Scores ``S`` (B, C, J) of each window's context rows against its output rows
    ``U`` (B, J, d), and what the gradient needs: ``{"V": (B, C, d) context rows}``,
    or for a batch with a ``span`` the tiles of :mod:`w2v_numpy.kernels.span`."""
    if batch.span is not None:
        tiles = span.gather_tiles(W_in, batch.span, *batch.inputs.shape)
        S, Ut = span.window_scores(tiles, U)                             # (B, C, J)
        return S, {"tiles": tiles, "Ut": Ut}
    V = W_in[batch.inputs]                                               # (B, C, d)
    return V @ U.transpose(0, 2, 1), {"V": V}                            # (B, C, J)


def context_grads(G, U, layout, batch):
    """From ``G`` = dL/dS (B, C, J) and the ``layout`` of :func:`context_scores`: the
    ``W_in`` rows of the context slots (a :class:`RowGrad`, padding left out) and dL/dU
    (B, J, d)."""
    if "tiles" in layout:
        return span.window_grads(layout["tiles"], layout["Ut"], G)
    V, inputs, mask = layout["V"], batch.inputs, batch.mask
    dV = G @ U                                                           # (B, C, J) @ (B, J, d) -> (B, C, d)
    dU = G.transpose(0, 2, 1) @ V                                        # (B, J, C) @ (B, C, d) -> (B, J, d)
    if mask is None:
        return RowGrad(inputs.reshape(-1), dV.reshape(-1, dV.shape[-1])), dU  # (B*C,), (B*C, d)
    return RowGrad(inputs[mask], dV[mask]), dU                           # (n,), (n, d)


def forward(W_in, W_out, batch, U=None):
    """Intermediates: ``index`` (B, 1+K) (centre first), ``U`` (B, 1+K, d), ``S``
    (B, C, 1+K) scores, ``loss`` (B,) per window (summed over its real slots), ``G``
    (B, C, 1+K) = dL/dS, zero on padding slots, and ``V`` (B, C, d) the context rows
    (unless the batch has a ``span``: see :func:`context_scores`). ``U``, if given,
    must be ``W_out[index]``."""
    index = output_index(batch)                                          # (B, 1+K)
    if U is None:
        U = W_out[index]                                                 # (B, 1+K, d)
    S, layout = context_scores(W_in, U, batch)                           # (B, C, 1+K)
    log_sig = log_sigmoid(S)                                             # (B, C, 1+K)
    log_sig[:, :, 1:] -= S[:, :, 1:]                                     # log sigma(-s) = log sigma(s) - s
    per_slot = -log_sig.sum(axis=2)                                      # (B, C)
    G = sigmoid(S)                                                       # (B, C, 1+K)
    G[:, :, 0] -= 1.0                                                    # dL/dS
    if batch.mask is not None:
        per_slot = per_slot * batch.mask                                 # (B, C)
        G *= batch.mask[:, :, None]                                      # (B, C, 1+K)
    return {**layout, "index": index, "U": U, "S": S, "loss": per_slot.sum(axis=1), "G": G}


def loss_and_grad(W_in, W_out, batch, scale=1.0):
    """Summed loss over every real (context, centre) pair and ``scale`` times its gradient.

    Returns ``(loss, {"W_in": RowGrad, "W_out": RowGrad})``; padding slots are
    left out of the ``W_in`` rows.
    """
    if batch.span is not None:
        shared = span.shared_negatives(batch.negatives, span.tile_of(batch))
        if shared is not None:                      # tiles of windows share their negatives
            tiles = span.gather_tiles(W_in, batch.span, *batch.inputs.shape)
            loss, rows_in, rows_out = span.shared_window_loss_and_grad(
                tiles, W_out, batch.targets, shared, batch.mask, scale)
            return loss, {"W_in": rows_in, "W_out": rows_out}
    draws = spread_draws(batch.negatives)
    f = forward(W_in, W_out, batch, None if draws is None else spread_rows(W_out, batch, draws))
    G = f["G"]
    if scale != 1.0:
        G *= scale                                                       # (B, C, 1+K) scaled dL/dS
    d = W_in.shape[1]
    rows_in, dU = context_grads(G, f["U"], f, batch)                     # W_in rows; (B, 1+K, d)
    if draws is None:
        rows_out = RowGrad(f["index"].reshape(-1), dU.reshape(-1, d))   # (B(1+K),), (B(1+K), d)
    else:
        rows_out = spread_grads(batch, draws, dU)
    return float(f["loss"].sum(dtype=np.float64)), {"W_in": rows_in, "W_out": rows_out}


def spread_rows(W_out, batch, draws):
    """``W_out[output_index(batch)]`` (B, 1+K, d) for negatives dealt round-robin from
    ``draws`` (G, K): each draw's rows gathered once, then copied to its windows."""
    B, G = batch.targets.shape[0], draws.shape[0]
    m, d = -(-B // G), W_out.shape[1]
    U = get_xp().empty((m * G, 1 + draws.shape[1], d), dtype=W_out.dtype)  # (mG, 1+K, d)
    U.reshape(m, G, -1, d)[:, :, 1:] = W_out[draws][None]                # window b: draw b mod G
    U[:B, 0] = W_out[batch.targets]                                      # (B, d)
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


class SkipGramNegWindow(WindowModel):
    """Skip-gram NS trained a window at a time against shared negatives.

    ``type="sgram_neg"``, ``formulation="window"``; math in the module docstring.
    It consumes the CBOW batches (context slots + mask, target = centre,
    negatives per window, by default one draw per 8 windows spread over the batch).
    ``cbow_update`` does not apply: no input is averaged.
    """

    type_name = "sgram_neg"
    formulation = "window"
    batch_family = "cbow"
    output_layer = "negative_sampling"
    #: 8 windows share each draw of negatives, spread over the batch: 1.1-1.3x faster,
    #: 0.46 analogy points fewer on wiki17m, still 0.2 above gensim (benchmarks/RESULTS.md).
    shared_negatives = span.TILE
    spread_negatives = True
    forward_fn = staticmethod(forward)
    loss_and_grad_fn = staticmethod(loss_and_grad)

    def negative_rows(self, batch):
        """With negatives dealt round-robin, the rows of :func:`spread_grads` (the
        tiles' own sharing, which :func:`loss_and_grad` checks first, still wins)."""
        rows = super().negative_rows(batch)
        draws = None if rows is None else spread_draws(batch.negatives)
        return rows if draws is None else spread_index(batch, draws)    # (B + GK,)
