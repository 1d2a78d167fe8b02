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
context slots carry the batch's mask; both give a zero error. The top levels
of the tree are on every path, so the rows of :math:`G^\top V` for them repeat
once per window; :func:`loss_and_grad` sums those per node before they reach
the scatter-add (a sort and one ``add.reduceat``), since the NumPy
scatter-add's repeated-row path is its slow one (on CuPy the scatter-add is
atomic and takes them as they come).

Symbol map and sign convention: as in :mod:`w2v_numpy.models.cbow_hs`
(``g = (1 - code - f) * alpha`` is :math:`-\alpha G_{jl}`).
"""
import numpy as np

from ..backend import backend_name, get_xp
from ..functional import log_sigmoid, sigmoid
from .base import RowGrad
from .cbow_hs import CBOWHS, padded_paths
from .sgram_neg_window import context_grads, context_scores
from .window import WindowModel

#: Path columns (from the root) whose node rows are summed per node inside the model.
SUMMED_LEVELS = 6


def forward(W_in, W_out, tree, batch):
    """Intermediates: the centre's padded path ``nodes``, ``codes``, ``on_path`` (B, L);
    ``U`` (B, L, d) node rows; ``S`` (B, C, L) scores; ``loss`` (B,) per window; ``G``
    (B, C, L) = dL/dS, zero off the path and on padding; ``V`` (B, C, d) the context
    rows (unless the batch has a ``span``: see :func:`.sgram_neg_window.context_scores`)."""
    nodes, codes, on_path = padded_paths(tree, batch.targets)            # (B, L) each
    U = W_out[nodes]                                                     # (B, L, d)
    S, layout = context_scores(W_in, U, batch)                           # (B, C, L)
    on = on_path[:, None, :].astype(S.dtype)                             # (B, 1, L)
    if batch.mask is not None:
        on = on * batch.mask[:, :, None]                                 # (B, C, L)
    sign = (1 - 2 * codes)[:, None, :].astype(S.dtype)                   # (B, 1, L)
    loss = -(log_sigmoid(sign * S) * on).sum(axis=(1, 2))                # (B,)
    G = (sigmoid(S) - (1 - codes)[:, None, :]) * on                      # (B, C, L)  dL/dS
    return {**layout, "nodes": nodes, "codes": codes, "on_path": on_path, "U": U, "S": S,
            "loss": loss, "G": G}


def summed_rows(index, rows):
    """``(distinct ids, their summed rows)`` for the ids in ``index`` (n,), ``rows`` (n, d):
    one row per node, so the scatter-add sees no repeats."""
    xp = get_xp()
    if index.size == 0:
        return index, rows
    order = xp.argsort(index, kind="stable")                             # (n,)
    ranked = index[order]                                                # (n,) sorted
    start = xp.flatnonzero(xp.concatenate([xp.ones(1, dtype=bool), ranked[1:] != ranked[:-1]]))
    return ranked[start], xp.add.reduceat(rows[order], start, axis=0)    # (u,), (u, d)


def loss_and_grad(W_in, W_out, tree, batch, scale=1.0, summed_levels=SUMMED_LEVELS):
    """Summed loss over every real (context, centre-path node) score and ``scale`` times
    its gradient: ``(loss, {"W_in": RowGrad, "W_out": RowGrad})``.

    The ``W_out`` rows of the first ``summed_levels`` path columns come summed per
    node (see the module docstring); the deeper visits come one row each.
    """
    xp = get_xp()
    f = forward(W_in, W_out, tree, batch)
    G = f["G"]
    if scale != 1.0:
        G *= scale                                                       # (B, C, L) scaled dL/dS
    d = W_in.shape[1]
    rows_in, dU = context_grads(G, f["U"], f, batch)                     # W_in rows; (B, L, d)
    if backend_name() != "numpy":
        summed_levels = 0                    # the device scatter-add is atomic: repeats are cheap
    T = min(summed_levels, dU.shape[1])
    nodes, on = f["nodes"], f["on_path"]
    top_ids, top_rows = summed_rows(nodes[:, :T][on[:, :T]], dU[:, :T][on[:, :T]])  # (u,), (u, d)
    deep = on[:, T:]                                                     # (B, L-T)
    grads = {"W_in": rows_in,
             "W_out": RowGrad(xp.concatenate([top_ids, nodes[:, T:][deep]]),
                              xp.concatenate([top_rows, dU[:, T:][deep].reshape(-1, d)]))}
    return float(f["loss"].sum(dtype=np.float64)), grads


class SkipGramHSWindow(CBOWHS):
    """Skip-gram HS trained a window at a time on the centre word's path.

    ``type="sgram_hs"``, ``formulation="window"``; math in the module docstring.
    It consumes the CBOW batches (context slots + mask, target = centre) and
    builds its Huffman tree from ``counts`` like :class:`CBOWHS`.
    """

    type_name = "sgram_hs"
    formulation = "window"
    averages_inputs = False
    #: Shuffled by default, like cbow_hs: in corpus order (batches of 128 consecutive
    #: windows) wiki17m analogy fell from 0.360 to 0.144 (benchmarks/RESULTS.md,
    #: "Corpus-order batches"); overlapping windows push the top nodes the same way at once.
    corpus_order = False
    #: 128 windows, about 770 (context, centre) pairs. A batch's update of a node is the
    #: sum over all its scores, and the root scores every pair: at 512 windows (about
    #: 3,000 pairs) training on wiki17m diverged within the first epoch at alpha 0.025;
    #: at 128 and 256 it did not, and ran faster (benchmarks/RESULTS.md).
    default_batch_size = 128
    #: Windows one at a time when shuffled: with the path's ~19 node rows per window, the
    #: banded product of a run's strip wastes as much as it saves (measured equal).
    run_length = 1

    def row_indices(self, batch):
        """``W_in``'s span rows only: the summed node rows come out of the step's own sort."""
        return WindowModel.row_indices(self, batch)

    def forward(self, batch):
        return forward(self.params["W_in"], self.params["W_out"], self.tree, batch)

    def loss_and_grad(self, batch, scale=1.0):
        return loss_and_grad(self.params["W_in"], self.params["W_out"], self.tree, batch, scale)
