r"""Hierarchical softmax for batches: the tree's top levels as one dense block.

Notes
-----
**Pairs** (equal to :func:`w2v_numpy.models.cbow_hs.output_loss_and_grad`).
The nodes of the first :data:`TOP_LEVELS` levels (at most 255) lie on almost
every path, so a batch visits each of them many times. Here they are one
dense block: their scores for the whole batch are one product
:math:`h W_{top}^\top` and their gradients two more (:math:`G W_{top}` for
:math:`\partial L/\partial h` and :math:`G^\top h` for the rows, :math:`G`
the (B, t) table of node errors, zero where a path does not pass), instead
of a gather and a scatter-add per visit. A node's gradient is the sum of its
visits' either way. The deeper nodes, shared by few examples, are gathered
per visit as in the reference.

**Windows** (equal to :func:`w2v_numpy.models.sgram_hs_window.loss_and_grad`).
The rows of :math:`G^\top V` of the top :data:`SUMMED_LEVELS` path columns
repeat once per window; they are summed per node (a sort and one
``add.reduceat``) before they reach the scatter-add, whose NumPy form is
slow on repeated rows. On CuPy the scatter-add is atomic and takes them as
they come.
"""
import weakref

import numpy as np

from ..backend import backend_name, get_xp, to_numpy
from ..functional import log_sigmoid, sigmoid
from ..models import huffman
from ..models.base import RowGrad
from ..models.cbow_hs import padded_paths

#: Tree levels (from the root) that the pair kernel treats as one dense block.
TOP_LEVELS = 8
#: Path columns (from the root) whose node rows the window kernel sums per node.
SUMMED_LEVELS = 6
#: model -> the dense top block of its tree; freed with the model.
_TOPS = weakref.WeakKeyDictionary()


def dense_top(tree, levels=TOP_LEVELS):
    """``(levels, top ids, col)`` on the active backend (see
    :func:`w2v_numpy.models.huffman.top_nodes`)."""
    xp = get_xp()
    host = huffman.HuffmanTree(*(to_numpy(a) for a in tree))
    return (levels, *(xp.asarray(a) for a in huffman.top_nodes(host, levels)))


def model_top(model):
    """:func:`dense_top` of a model's tree, made once per model."""
    top = _TOPS.get(model)
    if top is None:
        top = _TOPS[model] = dense_top(model.tree)
    return top


def output_rows(top_ids, nodes, on_path, T):
    """The ``W_out`` rows :func:`top_block_output` updates: the dense block's nodes,
    then every visit below the first ``T`` path columns."""
    return get_xp().concatenate([top_ids, nodes[:, T:][on_path[:, T:]]])   # (t + n,)


def top_block_index(model, batch):
    """The ``W_out`` rows of :func:`top_block_output` for this batch."""
    levels, top_ids, _ = model_top(model)
    nodes, _, on = padded_paths(model.tree, batch.targets)
    return output_rows(top_ids, nodes, on, min(nodes.shape[1], levels))


def top_block_output(h, W_out, tree, batch, scale=1.0, top=None):
    """Summed hierarchical-softmax loss, ``scale`` times dL/dh (B, d) and the ``W_out``
    :class:`RowGrad` (the top block's nodes, then the deep visits)."""
    xp = get_xp()
    levels, top_ids, col = top if top is not None else dense_top(tree)
    B, t = h.shape[0], top_ids.shape[0]
    nodes, codes, on = padded_paths(tree, batch.targets)                 # (B, L) each
    T = min(nodes.shape[1], levels)                                      # columns l < T are top nodes
    cols = xp.where(on[:, :T], col[nodes[:, :T]], t)                     # (B, T)  t: off the path
    W_top = W_out[top_ids]                                               # (t, d)
    s_top = h @ W_top.T                                                  # (B, t)
    U = W_out[nodes[:, T:]]                                              # (B, L-T, d)
    s = xp.concatenate([xp.take_along_axis(s_top, xp.minimum(cols, t - 1), axis=1),
                        (U @ h[:, :, None])[:, :, 0]], axis=1)           # (B, L)
    loss = -(log_sigmoid((1 - 2 * codes) * s) * on).sum(dtype=np.float64)
    g = (sigmoid(s) - (1 - codes)) * on                                  # (B, L)  dL/ds
    g *= scale
    G = xp.zeros((B, t + 1), dtype=h.dtype)                              # (B, t+1)
    G[xp.arange(B)[:, None], cols] = g[:, :T]                            # one node per level and row
    G = G[:, :t]                                                         # (B, t)  drop "off the path"
    dh = G @ W_top + (g[:, None, T:] @ U)[:, 0, :]                       # (B, t)@(t, d) + (B, 1, L-T)@(B, L-T, d)
    deep = on[:, T:]                                                     # (B, L-T)
    example = xp.nonzero(deep)[0]                                        # (n,)
    rows = g[:, T:][deep][:, None] * h[example]                          # (n, d)  one row per deep visit
    dW_out = RowGrad(output_rows(top_ids, nodes, on, T),                 # (t + n,)
                     xp.concatenate([G.T @ h, rows]))                    # (t, d) and (n, d)
    return float(loss), dh, dW_out


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


def summed_path_rows(nodes, on, dU, summed_levels=SUMMED_LEVELS):
    """The window kernel's ``W_out`` :class:`RowGrad` from dL/dU (B, L, d): the visits of
    the first ``summed_levels`` path columns summed per node, the deeper ones a row each."""
    xp = get_xp()
    if backend_name() != "numpy":
        summed_levels = 0                    # the device scatter-add is atomic: repeats are cheap
    T = min(summed_levels, dU.shape[1])
    top_ids, top_rows = summed_rows(nodes[:, :T][on[:, :T]], dU[:, :T][on[:, :T]])  # (u,), (u, d)
    deep = on[:, T:]                                                     # (B, L-T)
    return RowGrad(xp.concatenate([top_ids, nodes[:, T:][deep]]),
                   xp.concatenate([top_rows, dU[:, T:][deep].reshape(-1, dU.shape[2])]))
