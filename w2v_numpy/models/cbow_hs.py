r"""CBOW with hierarchical softmax.

Notes
-----
The output layer is a binary tree over the vocabulary (the Huffman tree of
:mod:`w2v_numpy.models.huffman`): ``W_out`` holds one vector :math:`u_n` per
*inner node* (V - 1 rows), and word :math:`o` is reached from the root by the
nodes :math:`n_1 \dots n_L` (:math:`n_1` the root) taking the branches
:math:`c_1 \dots c_L \in \{0, 1\}`. At every node the walk goes to branch 0
with probability :math:`\sigma(u_n^\top h)` and to branch 1 with
:math:`1 - \sigma(u_n^\top h) = \sigma(-u_n^\top h)`, so with the scores
:math:`s_l = u_{n_l}^\top h` and :math:`h = \frac{1}{n}\sum_j v_{c_j}` (the mean
of the context rows, as in :mod:`w2v_numpy.models.cbow`)

.. math::

    P(o \mid h) = \prod_{l=1}^{L} \sigma\big((1 - 2c_l)\, s_l\big), \qquad
    L = -\sum_{l=1}^{L} \log\sigma\big((1 - 2c_l)\, s_l\big).

The probabilities of all leaves sum to 1, because at every inner node the two
branches share :math:`\sigma(s) + \sigma(-s) = 1`; no sum over V is ever
formed, and one example costs :math:`L \approx \log_2 V` dot products.

Each node is a logistic regression with label :math:`1 - c_l`. Using
:math:`\frac{d}{ds}\log\sigma(s) = 1 - \sigma(s)`, the per-node error is

.. math::

    e_l = \frac{\partial L}{\partial s_l} = \sigma(s_l) - (1 - c_l)

(:math:`\sigma(s_l) - 1` on a 0 branch, :math:`\sigma(s_l)` on a 1 branch), and

.. math::

    \frac{\partial L}{\partial u_{n_l}} = e_l\, h, \qquad
    \frac{\partial L}{\partial h} = \sum_{l=1}^{L} e_l\, u_{n_l}, \qquad
    \frac{\partial L}{\partial v_{c_j}} = \frac{1}{n}\frac{\partial L}{\partial h}.

The root is on every path, and upper nodes on many: their rows of a batch
are summed when applied (scatter-add), like a word drawn twice as a negative.

Symbol map to word2vec.c (``004_8bf9ea914cb0b532.txt`` walks through its
negative-sampling loop; the hierarchical-softmax loop beside it has the same
shape, with ``syn1`` for ``syn1neg`` and the path for the sampled words):
``syn1`` is ``W_out`` (one row per inner node), ``vocab[w].point``
and ``vocab[w].code`` are :math:`n_l` and :math:`c_l`, ``neu1`` is :math:`h`,
``f`` is :math:`\sigma(s_l)`, and ``g = (1 - code - f) * alpha`` is
:math:`-\alpha\, e_l`. The C code *ascends* the log-likelihood with
``syn1 += g * neu1`` and ``neu1e += g * syn1``; we *descend* the loss,
``params -= alpha * grad``. Both signs flip, so the two updates are the same.
The branch-0-is-positive convention is word2vec.c's: ``1 - code`` is the label
of its logistic regression (Mikolov et al. write :math:`[\![\cdot]\!] = \pm 1`
for the same choice). ``003_24886efe243728b3.txt`` (lines 5196-5197)
describes the method in words only; it prints no numbers for it. word2vec.c adds the
undivided ``neu1e`` to each context row; ``cbow_update="word2vec"`` does that
(see :mod:`w2v_numpy.models.cbow`), while ``grad`` stays exact.

Vectorisation: the paths of a batch are padded to its longest path; a mask
``on_path`` zeroes the padded scores' loss and error, and only real node
visits enter the ``W_out`` gradient. :func:`forward` does exactly that, to be
read; :func:`loss_and_grad` gives the same numbers faster by treating the
top levels of the tree, which every path crosses, as one small dense block
(see there). Nothing of size (B, V) is formed.
"""
import numpy as np

from ..backend import get_xp, to_numpy
from ..errors import W2VError
from ..functional import log_sigmoid, sigmoid
from . import huffman
from ..kernels import span
from .base import RowGrad
from .window import WindowModel, hidden_layer, input_grads


def padded_paths(tree, targets):
    """The targets' paths padded to the longest: ``nodes``, ``codes``, ``on_path`` (B, L),
    ``on_path`` False on the padding."""
    xp = get_xp()
    lengths = tree.lengths[targets]                                      # (B,)
    L = int(lengths.max())
    on_path = xp.arange(L)[None, :] < lengths[:, None]                   # (B, L)
    return tree.points[targets, :L], tree.codes[targets, :L], on_path


def forward(W_in, W_out, tree, batch):
    """Intermediates: ``h`` (B, d); the padded paths ``nodes``, ``codes``, ``on_path``
    (B, L); the node rows ``U`` (B, L, d); scores ``s``, ``sigma``, per-node errors ``e``
    = dL/ds (B, L), 0 off the path; ``loss`` (B,) per example."""
    h, weight, _ = hidden_layer(W_in, batch)                             # (B, d), (B, C)
    nodes, codes, on_path = padded_paths(tree, batch.targets)            # (B, L) each
    U = W_out[nodes]                                                     # (B, L, d)
    s = (U @ h[:, :, None])[:, :, 0]                                     # (B, L)
    sigma = sigmoid(s)                                                   # (B, L)
    e = (sigma - (1 - codes)) * on_path                                  # (B, L)  dL/ds
    loss = -(log_sigmoid((1 - 2 * codes) * s) * on_path).sum(axis=1)     # (B,)
    return {"h": h, "weight": weight, "nodes": nodes, "codes": codes, "on_path": on_path,
            "U": U, "s": s, "sigma": sigma, "e": e, "loss": loss}


#: Tree levels (from the root) that :func:`loss_and_grad` treats as one dense block.
TOP_LEVELS = 8


def dense_top(tree, levels=TOP_LEVELS):
    """``(levels, top ids, col)`` for :func:`loss_and_grad`, on the active backend
    (see :func:`w2v_numpy.models.huffman.top_nodes`)."""
    xp = get_xp()
    host = huffman.HuffmanTree(*(to_numpy(a) for a in tree))
    return (levels, *(xp.asarray(a) for a in huffman.top_nodes(host, levels)))


def output_rows(top_ids, nodes, on_path, T):
    """The ``W_out`` rows :func:`loss_and_grad` updates: the dense block's nodes, then
    every visit below the first ``T`` path columns."""
    return get_xp().concatenate([top_ids, nodes[:, T:][on_path[:, T:]]])   # (t + n,)


def loss_and_grad(W_in, W_out, tree, batch, scale=1.0, top=None, undivided=False):
    """Summed hierarchical-softmax loss and ``scale`` times its gradient, as row updates.

    Returns ``(loss, {"W_in": RowGrad, "W_out": RowGrad})``. ``top`` is
    :func:`dense_top` of ``tree`` (computed if not given); ``undivided``:
    word2vec.c's input update (:func:`w2v_numpy.models.window.input_grads`).

    Same numbers as :func:`forward`, arranged for speed. The nodes of the first
    ``TOP_LEVELS`` levels (at most 255) lie on almost every path, so a batch
    visits each of them many times: they are one dense block, their scores for
    the whole batch one product ``h @ W_top^T`` and their gradients two more
    (``G @ W_top`` for dL/dh and ``G^T @ h`` for the rows, ``G`` the (B, t)
    table of node errors), instead of a gather and a scatter-add per visit.
    The deeper nodes, shared by few examples, are gathered per visit. Tests
    check it against :func:`forward`, the slow loop and finite differences,
    with the split at several depths.
    """
    xp = get_xp()
    levels, top_ids, col = top if top is not None else dense_top(tree)
    h, weight, band = hidden_layer(W_in, batch)                          # (B, d), (B, C)
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
    grads = {"W_in": input_grads(batch, weight, dh, band, undivided),    # (m,), (m, d)
             "W_out": dW_out}
    return float(loss), grads


class CBOWHS(WindowModel):
    """CBOW, hierarchical softmax (``type="cbow_hs"``). Math in the module docstring.

    Parameters
    ----------
    vocab_size, vector_dim, seed, dtype, cbow_update
        As for :class:`w2v_numpy.models.window.WindowModel`.
    counts : array (vocab_size,)
        Word counts, one per word id (``Vocab.counts``); the Huffman tree is
        built from them (:func:`w2v_numpy.models.huffman.build`). Required.
    """

    type_name = "cbow_hs"
    batch_family = "cbow"
    output_layer = "hierarchical_softmax"
    needs_counts = True
    averages_inputs = True
    #: Shuffled by default: in corpus order, a batch of 512 consecutive (overlapping)
    #: windows pushes the tree's top nodes the same way at once, and wiki17m training
    #: diverged in its first epoch at alpha 0.05 (benchmarks/RESULTS.md, "Corpus-order batches").
    corpus_order = False
    #: Shuffled in runs of one tile of consecutive windows: 64 places of the chunk a
    #: batch, and the banded path of :mod:`.span` for the context rows (1.2x faster a step).
    run_length = span.TILE

    def set_options(self, counts=None, cbow_update="exact"):
        super().set_options(cbow_update=cbow_update)
        if counts is None:
            raise W2VError(f"{self.type_name} builds its Huffman tree from the word counts: pass "
                           "counts=... (one count per word id)", param="counts")
        xp = get_xp()
        self.tree = huffman.HuffmanTree(*(xp.asarray(a) for a in huffman.build(counts)))
        self.top = dense_top(self.tree)

    def param_shapes(self, vocab_size, vector_dim):
        n_words = int(self.tree.lengths.shape[0])
        if n_words != vocab_size:
            raise W2VError(f"{n_words} counts for a vocabulary of {vocab_size} words",
                           param="counts")
        return {"W_in": (vocab_size, vector_dim), "W_out": (vocab_size - 1, vector_dim)}

    def init_params(self, vocab_size, vector_dim, rng, dtype):
        params = super().init_params(vocab_size, vector_dim, rng, dtype)
        params["W_out"] = np.zeros(self.param_shapes(vocab_size, vector_dim)["W_out"], dtype=dtype)
        return params

    def row_indices(self, batch):
        """Also the ``W_out`` rows, known from the targets' paths (:func:`output_rows`)."""
        rows = super().row_indices(batch)
        if batch.span is not None:
            levels, top_ids, _ = self.top
            nodes, _, on = padded_paths(self.tree, batch.targets)
            rows["W_out"] = output_rows(top_ids, nodes, on, min(nodes.shape[1], levels))
        return rows

    def forward(self, batch):
        """The named intermediates of :func:`forward` for this model's parameters."""
        return forward(self.params["W_in"], self.params["W_out"], self.tree, batch)

    def loss_and_grad(self, batch, scale=1.0, **kw):
        return loss_and_grad(self.params["W_in"], self.params["W_out"], self.tree, batch, scale,
                             self.top, **kw)
