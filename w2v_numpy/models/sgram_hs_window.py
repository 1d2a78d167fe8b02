r"""Skip-gram with hierarchical softmax, one window at a time (``formulation="window"``).

Notes
-----
The hierarchical-softmax counterpart of :mod:`w2v_numpy.models.sgram_neg_window`.
One example is one centre word :math:`t` with its real context words
:math:`c_1..c_n`; every context word's input row :math:`v_{c_j}` walks the
*centre word's* path in the Huffman tree (nodes :math:`n_1..n_L`, bits
:math:`c_1..c_L`, as in :mod:`w2v_numpy.models.cbow_hs`), which is what
word2vec.c's skip-gram loop does:

.. math::

    L = -\sum_{j=1}^{n}\sum_{l=1}^{L}\log\sigma\big((1 - 2c_l)\,v_{c_j}^\top u_{n_l}\big)

Stack the context rows as :math:`V` (:math:`n \times d`) and the path's node
rows as :math:`U` (:math:`L \times d`). The scores are one product
:math:`S = V U^\top` (:math:`n \times L`); each node is a logistic regression
with label :math:`1 - c_l`, so the error on a score is
:math:`G_{jl} = \sigma(S_{jl}) - (1 - c_l)`, and the gradient is two more
products:

.. math::

    \frac{\partial L}{\partial V} = G\,U \quad (n \times d), \qquad
    \frac{\partial L}{\partial U} = G^\top V \quad (L \times d).

Against the per-pair form (:mod:`w2v_numpy.models.sgram_hs`) this is the same
set of pairs with the roles of input and output as in word2vec.c: there the
centre's input row walks each context word's path, so a window costs
:math:`n` paths (about :math:`n \log_2 V` node rows gathered and updated);
here the :math:`n` context rows share the centre's one path, :math:`n + L`
rows. Unlike negative sampling nothing is drawn, so the two objectives are
the same sum over the corpus, only grouped differently.

Over a batch the paths are padded to the batch's longest with a mask, and the
context slots carry the batch's mask; both give a zero error. This module is
the reference, every node visit its own ``W_out`` row; the trainer's kernel
(:mod:`w2v_numpy.kernels.skipgram_windows`) sums the visits of the top
levels per node before the scatter-add.

Symbol map and sign convention: as in :mod:`w2v_numpy.models.cbow_hs`
(``g = (1 - code - f) * alpha`` is :math:`-\alpha G_{jl}`).

Derivation, step by step: docs/derivations/hierarchical_softmax.md.
"""
import numpy as np

from ..functional import log_sigmoid, sigmoid
from .base import RowGrad
from .cbow_hs import CBOWHS, padded_paths
from .sgram_neg_window import context_grads


def path_terms(S, codes, on_path, mask):
    """Loss per window (B,) and ``G`` = dL/dS (B, C, L) from the scores ``S`` (B, C, L)
    of the context rows against the centre's path (bits ``codes``, ``on_path`` (B, L));
    zero off the path and on padding slots."""
    on = on_path[:, None, :].astype(S.dtype)                             # (B, 1, L)
    if mask is not None:
        on = on * mask[:, :, None]                                       # (B, C, L)
    sign = (1 - 2 * codes)[:, None, :].astype(S.dtype)                   # (B, 1, L)
    loss = -(log_sigmoid(sign * S) * on).sum(axis=(1, 2))                # (B,)
    G = (sigmoid(S) - (1 - codes)[:, None, :]) * on                      # (B, C, L)  dL/dS
    return loss, G


def forward(W_in, W_out, tree, batch):
    """Intermediates: the centre's padded path ``nodes``, ``codes``, ``on_path`` (B, L);
    ``U`` (B, L, d) node rows; ``V`` (B, C, d) the context rows; ``S`` (B, C, L) scores;
    ``loss`` (B,) per window; ``G`` (B, C, L) = dL/dS, zero off the path and on padding."""
    nodes, codes, on_path = padded_paths(tree, batch.targets)            # (B, L) each
    U = W_out[nodes]                                                     # (B, L, d)
    V = W_in[batch.inputs]                                               # (B, C, d)
    S = V @ U.transpose(0, 2, 1)                                         # (B, C, L)
    loss, G = path_terms(S, codes, on_path, batch.mask)                  # (B,), (B, C, L)
    return {"nodes": nodes, "codes": codes, "on_path": on_path, "U": U, "V": V, "S": S,
            "loss": loss, "G": G}


def loss_and_grad(W_in, W_out, tree, batch, scale=1.0):
    """Summed loss over every real (context, centre-path node) score and ``scale`` times
    its gradient: ``(loss, {"W_in": RowGrad, "W_out": RowGrad})``, one ``W_out`` row per
    node visit."""
    f = forward(W_in, W_out, tree, batch)
    G = scale * f["G"]                                                   # (B, C, L) scaled dL/dS
    rows_in, dU = context_grads(G, f["U"], f["V"], batch)                # W_in rows; (B, L, d)
    on = f["on_path"]                                                    # (B, L)
    rows_out = RowGrad(f["nodes"][on], dU[on])                           # (n,), (n, d) one per visit
    return float(f["loss"].sum(dtype=np.float64)), {"W_in": rows_in, "W_out": rows_out}


class SkipGramHSWindow(CBOWHS):
    """Skip-gram HS trained a window at a time on the centre word's path.

    ``type="sgram_hs"``, ``formulation="window"``; math in the module docstring.
    It consumes the CBOW batches (context slots + mask, target = centre) and
    builds its Huffman tree from ``counts`` like :class:`CBOWHS`.
    """

    type_name = "sgram_hs"
    formulation = "window"

    def forward(self, batch):
        return forward(self.params["W_in"], self.params["W_out"], self.tree, batch)

    def loss_and_grad(self, batch, scale=1.0, undivided=False):
        return loss_and_grad(self.params["W_in"], self.params["W_out"], self.tree, batch, scale)
