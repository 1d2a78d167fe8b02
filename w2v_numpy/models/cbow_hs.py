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

Symbol map to word2vec.c (the word2vec.c walkthrough, a translated blog post,
follows its negative-sampling loop; the hierarchical-softmax loop beside it has the same
shape, with ``syn1`` for ``syn1neg`` and the path for the sampled words):
``syn1`` is ``W_out`` (one row per inner node), ``vocab[w].point``
and ``vocab[w].code`` are :math:`n_l` and :math:`c_l`, ``neu1`` is :math:`h`,
``f`` is :math:`\sigma(s_l)`, and ``g = (1 - code - f) * alpha`` is
:math:`-\alpha\, e_l`. The C code *ascends* the log-likelihood with
``syn1 += g * neu1`` and ``neu1e += g * syn1``; we *descend* the loss,
``params -= alpha * grad``. Both signs flip, so the two updates are the same.
The branch-0-is-positive convention is word2vec.c's: ``1 - code`` is the label
of its logistic regression (Mikolov et al. write :math:`[\![\cdot]\!] = \pm 1`
for the same choice). The textbook chapter's section "Оптимизации Word2Vec"
(optimisations of Word2Vec) describes the method in words only; it prints no
numbers for it. word2vec.c adds the
undivided ``neu1e`` to each context row; ``cbow_update="word2vec"`` does that
(see :mod:`w2v_numpy.models.cbow`), while ``grad`` stays exact.

Vectorisation: the paths of a batch are padded to its longest path; a mask
``on_path`` zeroes the padded scores' loss and error, and only real node
visits enter the ``W_out`` gradient. This module is the reference; the
trainer runs :mod:`w2v_numpy.kernels.hierarchical_softmax`, which treats the
top levels of the tree, crossed by almost every path, as one dense block.
Nothing of size (B, V) is formed.

Derivation, step by step: docs/derivations/hierarchical_softmax.md.
"""
import numpy as np

from ..backend import get_xp
from ..errors import W2VError
from ..functional import log_sigmoid, sigmoid
from . import huffman
from .base import RowGrad
from .window import WindowModel


def padded_paths(tree, targets):
    """The targets' paths padded to the longest: ``nodes``, ``codes``, ``on_path`` (B, L),
    ``on_path`` False on the padding."""
    xp = get_xp()
    lengths = tree.lengths[targets]                                      # (B,)
    L = int(lengths.max())
    on_path = xp.arange(L)[None, :] < lengths[:, None]                   # (B, L)
    return tree.points[targets, :L], tree.codes[targets, :L], on_path


def forward(h, W_out, tree, batch):
    """The output layer on ``h`` (B, d): the padded paths ``nodes``, ``codes``,
    ``on_path`` (B, L); the node rows ``U`` (B, L, d); scores ``s``, ``sigma``,
    per-node errors ``e`` = dL/ds (B, L), 0 off the path; ``loss`` (B,) per example;
    ``dh`` (B, d) = dL/dh."""
    nodes, codes, on_path = padded_paths(tree, batch.targets)            # (B, L) each
    U = W_out[nodes]                                                     # (B, L, d)
    s = (U @ h[:, :, None])[:, :, 0]                                     # (B, L)
    sigma = sigmoid(s)                                                   # (B, L)
    e = (sigma - (1 - codes)) * on_path                                  # (B, L)  dL/ds
    loss = -(log_sigmoid((1 - 2 * codes) * s) * on_path).sum(axis=1)    # (B,)
    dh = (e[:, None, :] @ U)[:, 0, :]                                    # (B, 1, L) @ (B, L, d) -> (B, d)
    return {"nodes": nodes, "codes": codes, "on_path": on_path, "U": U, "s": s,
            "sigma": sigma, "e": e, "loss": loss, "dh": dh}


def output_loss_and_grad(h, W_out, tree, batch, scale=1.0):
    """Summed hierarchical-softmax loss, ``scale`` times dL/dh (B, d) and the ``W_out``
    :class:`RowGrad`: one row per node visit, the root's many visits summed when applied."""
    xp = get_xp()
    f = forward(h, W_out, tree, batch)
    on = f["on_path"]                                                    # (B, L)
    example = xp.nonzero(on)[0]                                          # (n,) the example of each visit
    rows = (scale * f["e"][on])[:, None] * h[example]                    # (n, d)  e_l h, one per visit
    dh = scale * f["dh"]                                                 # (B, d)
    return float(f["loss"].sum(dtype=np.float64)), dh, RowGrad(f["nodes"][on], rows)


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
    forward_fn = staticmethod(forward)
    output_fn = staticmethod(output_loss_and_grad)

    def set_options(self, counts=None, cbow_update="exact"):
        super().set_options(cbow_update=cbow_update)
        if counts is None:
            raise W2VError(f"{self.type_name} builds its Huffman tree from the word counts: pass "
                           "counts=... (one count per word id)", param="counts")
        xp = get_xp()
        self.tree = huffman.HuffmanTree(*(xp.asarray(a) for a in huffman.build(counts)))

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

    def output_rows(self, batch):
        """Each example's path nodes (B, L) and ``on_path``: the rows its output updates."""
        nodes, _, on_path = padded_paths(self.tree, batch.targets)
        return nodes, on_path

    def output_args(self):
        return self.params["W_out"], self.tree
