r"""Hierarchical softmax for batches: the tree's top levels as one dense block.

Notes
-----
**Pairs** (equal to :func:`w2v_numpy.models.cbow_hs.output_loss_and_grad`).
The nodes of the first :data:`TOP_LEVELS` levels (at most 63) lie on almost
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
repeat once per window; they are summed per node before they reach the
scatter-add, whose NumPy form is slow on repeated rows. Level :math:`\ell`
holds few distinct nodes (at most :math:`2^\ell`), so its sums are one small
product :math:`O_\ell\, \partial L/\partial U_{:,\ell}` with :math:`O_\ell` the
(nodes x windows) 0/1 table of which window visits which node, made ahead
from the paths (sorting the visits by node and one ``add.reduceat`` made
:func:`path_rows` 1.6-1.7x slower). On CuPy the scatter-add is atomic and takes the rows
as they come.

**Rows in scatter order.** The scatter-add deals a row list into rounds of
distinct rows (:class:`~w2v_numpy.backend.RowPlan`) and gathers each round's
values from the list; a third of its time on these rows went to that gather.
The rows these kernels make by a gather anyway (the deep visits; sgram_hs's
real context slots) are gathered straight in the scatter's order, behind the
dense block's or the summed levels' rows (distinct, so in the first round),
and the plan that comes with them (:func:`~w2v_numpy.backend.arranged_plan`)
takes each round as a slice. The same sums, added in another order.

Everything about a window batch's paths that does not involve the parameters
(the padded paths, which cells are real, which window visits which top
node, the rows each scatter-add will touch and their order) is a
:class:`PathLayout`, made by :func:`path_layout` ahead of the step by the
batch producer (for pairs, a :class:`TopLayout` by :func:`top_layout`). What is left
for the step is the arithmetic: two gathers, three batched products, one pass
of logistic terms (:func:`~.label_terms.label_terms`) and the sums per node.
"""
import weakref
from typing import NamedTuple

from ..backend import backend_name, get_xp, row_dots, take_rows, to_numpy
from ..models import huffman
from ..models.base import RowGrad
from ..models.cbow_hs import padded_paths
from .label_terms import LabelSigns, label_signs, label_terms
from .span import in_scatter_order, slot_rows

#: Tree levels (from the root) that the pair kernel treats as one dense block. Each
#: example uses one node per level of the block's 2^levels - 1, so a deeper block
#: wastes more of its three products: on wiki2m's cbow_hs, 6 levels made a step
#: 1.1-1.2x faster than 8 (benchmarks/history/2026-12-05-speed-round-two.md).
TOP_LEVELS = 6
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


class TopLayout(NamedTuple):
    """A pair batch's paths laid out for :func:`top_block_output` (no parameter in it)."""

    T: int              # path columns in the dense block
    cols: object        # int (B, T)  each top visit's column of the block (t - 1 off the path)
    cells: object       # int (B T,)  flat position of each top visit in the (B, t + 1) table
    deep_nodes: object  # int (B, L - T)  the rest of each path, padded
    signs: LabelSigns   # float (B, L)  the nodes' labels (1 - 2 code), 1 on the path
    deep_take: object   # int (n,)  flat (example, column) of each deep visit in the (B, L) scores
    deep_example: object  # int (n,)  its example
    out_index: object   # int (t + n,)  the W_out rows: the block's nodes, then the deep visits
    out_plan: object    # the in-order RowPlan of out_index (None off NumPy)


def top_layout(tree, batch, top, dtype):
    """The :class:`TopLayout` of a pair batch for the dense block ``top`` (:func:`dense_top`)."""
    xp = get_xp()
    levels, top_ids, col = top
    t = top_ids.shape[0]
    nodes, codes, on_path = padded_paths(tree, batch.targets)            # (B, L) each
    B, L = nodes.shape
    T = min(L, levels)
    cols = xp.where(on_path[:, :T], col[nodes[:, :T]], t)                # (B, T)  t: off the path
    cells = (xp.arange(B)[:, None] * (t + 1) + cols).reshape(-1)         # (B T,)
    signs = label_signs(1 - 2 * codes.astype(dtype), on_path.astype(dtype))  # (B, L)
    deep = on_path & (xp.arange(L) >= T)                                 # (B, L) the deep visits
    deep_take, out_index, plan = in_scatter_order(xp.flatnonzero(deep), nodes.reshape(-1),
                                                  top_ids)              # (n,), (t + n,)
    deep_nodes = xp.ascontiguousarray(nodes[:, T:])    # contiguous: sent in a slot, not the pipe
    return TopLayout(T, xp.minimum(cols, t - 1), cells, deep_nodes, signs,
                     deep_take, deep_take // L, out_index, plan)


def top_block_index(model, batch, layout=None):
    """The ``W_out`` rows of :func:`top_block_output` for this batch."""
    if layout is None:
        layout = top_layout(model.tree, batch, model_top(model), model.dtype)
    return layout.out_index


def top_block_output(h, W_out, tree, batch, scale=1.0, top=None, layout=None):
    """Summed hierarchical-softmax loss, ``scale`` times dL/dh (B, d) and the ``W_out``
    :class:`RowGrad` (the top block's nodes, then the deep visits); ``layout``: the
    batch's :class:`TopLayout`, made here if not given."""
    xp = get_xp()
    top = top if top is not None else dense_top(tree)
    lay = layout if layout is not None else top_layout(tree, batch, top, h.dtype)
    top_ids, T = top[1], lay.T
    B, t = h.shape[0], top_ids.shape[0]
    W_top = take_rows(W_out, top_ids)                                    # (t, d)
    s_top = h @ W_top.T                                                  # (B, t)
    U = take_rows(W_out, lay.deep_nodes)                                 # (B, L-T, d)
    s = xp.empty(lay.signs.on.shape, dtype=h.dtype)                      # (B, L)
    s[:, :T] = xp.take_along_axis(s_top, lay.cols, axis=1)               # (B, T) the block's
    s[:, T:] = row_dots(U, h)                                            # (B, L-T) the deep nodes'
    loss, g = label_terms(s, lay.signs, scale)                           # scale * dL/ds (B, L)
    G = xp.zeros((B, t + 1), dtype=h.dtype)                              # (B, t+1)
    G.reshape(-1)[lay.cells] = g[:, :T].reshape(-1)                      # one node per level and row
    G = G[:, :t]                                                         # (B, t)  drop "off the path"
    dh = G @ W_top                                                       # (B, t) @ (t, d)
    dh += (g[:, None, T:] @ U)[:, 0, :]                                  # (B, 1, L-T) @ (B, L-T, d)
    rows = xp.empty((lay.out_index.shape[0], h.shape[1]), dtype=h.dtype)  # (t + n, d)
    xp.matmul(G.T, h, out=rows[:t])                                      # (t, B) @ (B, d) the block
    xp.multiply(g.reshape(-1).take(lay.deep_take)[:, None],              # (n, 1) a deep visit each
                take_rows(h, lay.deep_example), out=rows[t:])            # (n, d)
    return loss, dh, RowGrad(lay.out_index, rows)                        # (t + n,), (t + n, d)


class PathLayout(NamedTuple):
    """A window batch's paths, laid out for :func:`w2v_numpy.kernels.skipgram_windows.hs_windows`
    (no parameter in it)."""

    nodes: object       # int (B, L)  the centre's path, padded
    signs: LabelSigns   # (B, 1, L) labels (1 - 2 code); (B, C, L) 1 on a real (slot, node) cell
    visits: object      # float (u, B)  1 where window b visits summed node k
    level_rows: tuple   # where each summed level's nodes start in visits (and the end)
    deep_take: object   # int (k,)  flat (window, column) of the deeper visits
    out_index: object   # int (u + k,)  W_out rows: the summed levels' nodes, the deep visits
    out_plan: object    # the in-order RowPlan of out_index (None off NumPy)
    slots: object       # span.SlotRows: the real context slots in scatter order (None with a span)


def summed_visits(nodes, on_path, T, dtype):
    """The distinct nodes of the first ``T`` path columns (real cells only), level by
    level, the 0/1 table (u, B) of which window visits which of them, and where each
    level's rows start in it. One sort for all the levels: a node lies on one level,
    so sorting by (level, node) groups them."""
    xp = get_xp()
    real = on_path[:, :T]                                                # (B, T)
    window, level = xp.nonzero(real)                                     # (n,) each
    stride = int(nodes.max()) + 1 if nodes.size else 1
    keys, which = xp.unique(level * stride + nodes[:, :T][real], return_inverse=True)  # (u,), (n,)
    table = xp.zeros((keys.shape[0], nodes.shape[0]), dtype=dtype)       # (u, B)
    table[which.reshape(-1), window] = 1
    bounds = to_numpy(xp.searchsorted(keys, xp.arange(T + 1) * stride)).tolist()
    return keys % stride, table, tuple(bounds)


def path_layout(tree, batch, dtype, summed_levels=SUMMED_LEVELS):
    """The :class:`PathLayout` of a window batch: index work only, made ahead of the step."""
    xp = get_xp()
    nodes, codes, on_path = padded_paths(tree, batch.targets)            # (B, L) each
    B, L = nodes.shape
    on = xp.broadcast_to(on_path[:, None, :], (B, batch.inputs.shape[1], L))
    if batch.mask is not None:
        on = on & batch.mask[:, :, None]                                 # (B, C, L)
    signs = label_signs((1 - 2 * codes.astype(dtype))[:, None, :], on.astype(dtype))
    if backend_name() != "numpy":
        summed_levels = 0                    # the device scatter-add is atomic: repeats are cheap
    T = min(summed_levels, L)
    summed, visits, level_rows = summed_visits(nodes, on_path, T, dtype)  # (u,) distinct
    deep_take = xp.arange(B * L).reshape(B, L)[:, T:][on_path[:, T:]]    # (k,)
    deep_take, out_index, out_plan = in_scatter_order(deep_take, nodes.reshape(-1),
                                                      summed)           # (k,), (u + k,)
    return PathLayout(nodes, signs, visits, level_rows, deep_take, out_index, out_plan,
                      slot_rows(batch))


def path_rows(layout, dU):
    """The ``W_out`` :class:`RowGrad` from dL/dU (B, L, d): each summed level's visits
    added per node (one product with the layout's 0/1 table), then the deeper visits
    a row each, in ``layout.out_index``'s order."""
    xp = get_xp()
    bounds = layout.level_rows
    sums = [layout.visits[a:b] @ dU[:, l, :]                             # (u_l, B) @ (B, d)
            for l, (a, b) in enumerate(zip(bounds[:-1], bounds[1:]))]
    deep = take_rows(dU.reshape(-1, dU.shape[2]), layout.deep_take)      # (k, d)
    return RowGrad(layout.out_index, xp.concatenate(sums + [deep]))
