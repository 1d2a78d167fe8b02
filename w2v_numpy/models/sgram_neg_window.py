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

The loss of the negative columns is read off the same :math:`\log\sigma(S)`:
:math:`\sigma(-s) = 1/(1 + e^{s}) = e^{-s}\sigma(s)`, so
:math:`\log\sigma(-s) = \log\sigma(s) - s`, and one ``log_sigmoid`` serves
every column (:func:`window_terms`).

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

This module is the reference: one window at a time, every window with its
own rows, whatever the batch layout. The trainer runs the kernels of
:mod:`w2v_numpy.kernels.skipgram_windows`: consecutive windows (a ``span``)
as banded products, and draws shared by windows (``draws``) gathered and
updated once per draw.

Symbol map: as in :mod:`w2v_numpy.models.sgram_neg` with the roles swapped
(the documents' :math:`v_{w_t}` is our :math:`u_t` and :math:`u_{w_c}` our
:math:`v_c`); ``W_in`` holds the :math:`v`, ``W_out`` the :math:`u`.

Derivation, step by step: docs/derivations/negative_sampling.md.
"""
import numpy as np

from ..functional import log_sigmoid, sigmoid
from .base import RowGrad
from .window import WindowModel, output_index


def context_grads(G, U, V, batch):
    """From ``G`` = dL/dS (B, C, J), the output rows ``U`` (B, J, d) and the context rows
    ``V`` (B, C, d): the ``W_in`` :class:`RowGrad` of the context slots (padding left
    out) and dL/dU (B, J, d)."""
    inputs, mask = batch.inputs, batch.mask
    dV = G @ U                                                           # (B, C, J) @ (B, J, d) -> (B, C, d)
    dU = G.transpose(0, 2, 1) @ V                                        # (B, J, C) @ (B, C, d) -> (B, J, d)
    if mask is None:
        return RowGrad(inputs.reshape(-1), dV.reshape(-1, dV.shape[-1])), dU  # (B*C,), (B*C, d)
    return RowGrad(inputs[mask], dV[mask]), dU                           # (n,), (n, d)


def window_terms(S, mask):
    """Loss per window (B,) and ``G`` = dL/dS (B, C, 1+K) from the scores ``S`` (B, C, 1+K)
    (column 0: the centre word, the rest: negatives); padding slots count nothing."""
    log_sig = log_sigmoid(S)                                             # (B, C, 1+K)
    log_sig[:, :, 1:] -= S[:, :, 1:]                                     # log sigma(-s) = log sigma(s) - s
    per_slot = -log_sig.sum(axis=2)                                      # (B, C)
    G = sigmoid(S)                                                       # (B, C, 1+K)
    G[:, :, 0] -= 1.0                                                    # dL/dS
    if mask is not None:
        per_slot = per_slot * mask                                       # (B, C)
        G *= mask[:, :, None]                                            # (B, C, 1+K)
    return per_slot.sum(axis=1), G


def forward(W_in, W_out, batch):
    """Intermediates: ``index`` (B, 1+K) (centre first), ``U`` (B, 1+K, d), ``V`` (B, C, d)
    the context rows, ``S`` (B, C, 1+K) scores, ``loss`` (B,) per window (summed over
    its real slots), ``G`` (B, C, 1+K) = dL/dS, zero on padding slots."""
    index = output_index(batch)                                          # (B, 1+K)
    U = W_out[index]                                                     # (B, 1+K, d)
    V = W_in[batch.inputs]                                               # (B, C, d)
    S = V @ U.transpose(0, 2, 1)                                         # (B, C, 1+K)
    loss, G = window_terms(S, batch.mask)                                # (B,), (B, C, 1+K)
    return {"index": index, "U": U, "V": V, "S": S, "loss": loss, "G": G}


def loss_and_grad(W_in, W_out, batch, scale=1.0):
    """Summed loss over every real (context, centre) pair and ``scale`` times its gradient.

    Returns ``(loss, {"W_in": RowGrad, "W_out": RowGrad})``; padding slots are
    left out of the ``W_in`` rows.
    """
    f = forward(W_in, W_out, batch)
    G = scale * f["G"]                                                   # (B, C, 1+K) scaled dL/dS
    rows_in, dU = context_grads(G, f["U"], f["V"], batch)                # W_in rows; (B, 1+K, d)
    rows_out = RowGrad(f["index"].reshape(-1), dU.reshape(-1, W_in.shape[1]))  # (B(1+K),), (B(1+K), d)
    return float(f["loss"].sum(dtype=np.float64)), {"W_in": rows_in, "W_out": rows_out}


class SkipGramNegWindow(WindowModel):
    """Skip-gram NS trained a window at a time against shared negatives.

    ``type="sgram_neg"``, ``formulation="window"``; math in the module docstring.
    It consumes the CBOW batches (context slots + mask, target = centre,
    negatives per window). ``cbow_update`` does not apply: no input is averaged.
    """

    type_name = "sgram_neg"
    formulation = "window"
    batch_family = "cbow"
    output_layer = "negative_sampling"

    def forward(self, batch):
        return forward(self.params["W_in"], self.params["W_out"], batch)

    def loss_and_grad(self, batch, scale=1.0, undivided=False):
        return loss_and_grad(self.params["W_in"], self.params["W_out"], batch, scale)
