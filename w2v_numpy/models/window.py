r"""What the four word2vec objectives share: ``W_in``/``W_out`` and the averaged input layer.

Notes
-----
Every word2vec objective starts from a hidden vector that is the mean of the
input rows of an example,

.. math:: h = \frac{1}{n}\sum_{c=1}^{n} v_{w_c},

with :math:`n` the number of real input slots (one for skip-gram, the context
words for CBOW). Its gradient sends :math:`\frac{1}{n}\,\partial L/\partial h`
to each input row, and a word that fills two slots receives it twice.

Initialisation follows word2vec.c: ``W_in`` uniform in
:math:`[-0.5/d, 0.5/d)`, ``W_out`` zeros. Both are stored one row per word
(V, d); the reference documents write the output matrix as N x V with words
in columns, so their ``W_out`` is our ``W_out.T``.
"""
import numpy as np

from ..backend import get_xp
from ..errors import W2VError
from .base import Model, RowGrad, drawn_by_rows

#: How ``step`` may update CBOW context rows (see :attr:`WindowModel.cbow_update`).
CBOW_UPDATES = ("exact", "word2vec")


def slot_weights(batch, dtype):
    """The weight of each input slot in the mean, (B, C): 1/n on the n real slots, 0 on padding."""
    xp = get_xp()
    inputs, mask = batch.inputs, batch.mask
    if mask is None:
        return xp.full(inputs.shape, 1.0 / inputs.shape[1], dtype=dtype)        # (B, C)
    n = mask.sum(axis=1, keepdims=True)                                      # (B, 1)
    return (mask / xp.maximum(n, 1)).astype(dtype)                           # (B, C)


def hidden_layer(W_in, batch):
    r"""Mean of the (masked) input rows: :math:`h = \frac{1}{n}\sum_{c} v_{w_c}`.

    Returns
    -------
    h : (B, d)
    weight : (B, C)   1/n for real slots, 0 for padding (so dL/dv_c = weight * dL/dh)
    """
    inputs, mask = batch.inputs, batch.mask
    weight = slot_weights(batch, W_in.dtype)                                 # (B, C)
    if inputs.shape[1] == 1:                 # skip-gram: h is the centre word's row
        h = W_in[inputs[:, 0]]                                               # (B, d)
        return (h if mask is None else h * weight), weight
    h = (weight[:, None, :] @ W_in[inputs])[:, 0, :]                         # (B, 1, C) @ (B, C, d) -> (B, d)
    return h, weight


def undivided(batch, dh):
    """word2vec.c's CBOW input rule: every real slot gets the whole dL/dh, so
    ``dh`` is multiplied by the number of real slots n to undo the 1/n of the
    slot weights (see :attr:`WindowModel.cbow_update`)."""
    inputs, mask = batch.inputs, batch.mask
    if inputs.shape[1] == 1:
        return dh
    n = inputs.shape[1] if mask is None else mask.sum(axis=1, keepdims=True)  # (B, 1)
    return dh * get_xp().asarray(n, dtype=dh.dtype)                          # (B, d)


def input_grads(batch, weight, dh, undivided_rule=False):
    """Spread dL/dh back onto the input rows: row ``inputs[b, c]`` gets ``weight[b, c] * dh[b]``.

    ``undivided_rule`` gives every real slot the whole ``dh[b]`` instead
    (:func:`undivided`). Returns the :class:`RowGrad` of ``W_in``, padding slots left out.
    """
    xp = get_xp()
    inputs, mask = batch.inputs, batch.mask
    if undivided_rule:
        dh = undivided(batch, dh)                                            # (B, d)
    if inputs.shape[1] == 1:
        return RowGrad(inputs[:, 0], dh if mask is None else dh * weight)    # (B,), (B, d)
    if mask is None:
        rows = weight[:, :, None] * dh[:, None, :]                           # (B, C, d)
        return RowGrad(inputs.reshape(-1), rows.reshape(-1, dh.shape[1]))    # (B*C,), (B*C, d)
    example = xp.nonzero(mask)[0]                                            # (n,)
    return RowGrad(inputs[mask], dh[example] * weight[mask][:, None])        # (n,), (n, d)


def output_index(batch):
    """The output rows of negative sampling: ``[target, negatives]`` per example (B, 1+K)."""
    xp = get_xp()
    B, K = batch.negatives.shape
    index = xp.empty((B, 1 + K), dtype=batch.negatives.dtype)                # (B, 1+K)
    index[:, 0] = batch.targets
    index[:, 1:] = batch.negatives
    return index


class WindowModel(Model):
    """Base of the word2vec objectives: parameters ``W_in`` and ``W_out``, (V, d) each.

    Subclasses set ``batch_family`` (``"sgram"`` or ``"cbow"``) and
    ``output_layer``. The averaging objectives (CBOW and skip-gram in pairs)
    give their module's output layer as ``output_fn(h, W_out, batch, scale)
    -> (loss, scale * dL/dh, W_out RowGrad)`` and ``forward_fn``; the window
    objectives override :meth:`loss_and_grad`.

    Parameters
    ----------
    vocab_size, vector_dim, seed, dtype
        As for :class:`w2v_numpy.models.base.Model`.
    cbow_update : {"exact", "word2vec"}
        See :attr:`cbow_update`.
    """

    vectors_param = "W_in"
    #: Whether the hidden layer is the mean of several input rows (CBOW: context slots in,
    #: one prediction per example), which ``cbow_update`` and ``loss_and_grad(...,
    #: undivided=True)`` are about; set from the batch family and the formulation.
    averages_inputs = False
    #: One (inputs -> target) prediction per example, as in the documents.
    formulation = "pair"
    #: How ``step`` updates CBOW context rows: ``"exact"`` applies the true
    #: gradient of the mean (dL/dh divided by the number of context words n);
    #: ``"word2vec"`` adds the undivided dL/dh to every context row, as
    #: word2vec.c and gensim (``cbow_mean=1``) do, i.e. an input learning rate
    #: n times larger. ``grad`` and the gradient check always use the exact form.
    cbow_update = "exact"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.averages_inputs = cls.batch_family == "cbow" and cls.formulation == "pair"

    def set_options(self, cbow_update="exact"):
        if cbow_update not in CBOW_UPDATES:
            raise W2VError(f"must be one of {CBOW_UPDATES}, got {cbow_update!r}", param="cbow_update")
        self.cbow_update = cbow_update

    def param_shapes(self, vocab_size, vector_dim):
        return {"W_in": (vocab_size, vector_dim), "W_out": (vocab_size, vector_dim)}

    def init_params(self, vocab_size, vector_dim, rng, dtype):
        W_in = drawn_by_rows(rng, (vocab_size, vector_dim), dtype,              # word2vec.c's start
                             lambda r: (r - 0.5) / vector_dim)
        return {"W_in": W_in, "W_out": np.zeros((vocab_size, vector_dim), dtype=dtype)}

    def output_args(self):
        """What the output layer needs besides ``h`` and the batch: ``W_out`` (and
        the Huffman tree for hierarchical softmax)."""
        return (self.params["W_out"],)

    def forward(self, batch):
        """The named intermediates of the forward pass (``h``, the scores, ``loss`` per example)."""
        h, weight = hidden_layer(self.params["W_in"], batch)                 # (B, d), (B, C)
        return {"h": h, "weight": weight, **self.forward_fn(h, *self.output_args(), batch)}

    def check_batch(self, batch):
        if self.uses_negatives and batch.negatives is None:
            raise W2VError(f"{self.type_name}: the batch needs negatives (negative >= 1)")
        if self.batch_family == "sgram" and batch.inputs.shape[1] != 1:
            raise W2VError(f"{self.type_name}: skip-gram batches have one input per example")

    def loss_and_grad(self, batch, scale=1.0, undivided=False):
        """The input layer, the output layer, and back: ``(loss, {"W_in", "W_out"})``.
        ``undivided``: word2vec.c's input rule instead of the gradient (:func:`input_grads`)."""
        h, weight = hidden_layer(self.params["W_in"], batch)                 # (B, d), (B, C)
        loss, dh, rows_out = self.output_fn(h, *self.output_args(), batch, scale)  # dh: scale * dL/dh
        return loss, {"W_in": input_grads(batch, weight, dh, undivided),     # (n,), (n, d)
                      "W_out": rows_out}

    def output_rows(self, batch):
        """The ``W_out`` rows each example pushes with an error of up to 1, (B, J), and
        which are real (``None``: all): negative sampling's target and negatives. The full
        softmax scores every row, but its errors p_j on the other rows sum to less than
        1 per example, so its crowded rows are the targets."""
        if self.uses_negatives:
            return output_index(batch), None                                 # (B, 1+K)
        return batch.targets[:, None], None                                  # (B, 1)

    def update_counts(self, batch):
        """The rows each example updates (:meth:`Model.update_counts
        <w2v_numpy.models.base.Model.update_counts>`): its real input slots' ``W_in`` rows,
        its output rows. One pair formulation example is one of the documents' updates;
        a window (``formulation="window"``) is one per real context slot, all of whose
        pairs reach the centre's output rows."""
        xp, inputs, mask = get_xp(), batch.inputs, batch.mask
        counts = {"W_in": (inputs.reshape(-1) if mask is None else inputs[mask], None)}
        index, real = self.output_rows(batch)                          # (B, J), (B, J) or None
        pairs = None
        if self.formulation == "window":
            n = xp.full(index.shape[0], inputs.shape[1]) if mask is None else mask.sum(axis=1)
            pairs = xp.broadcast_to(n[:, None], index.shape)                 # (B, J)
        if real is not None:
            index, pairs = index[real], None if pairs is None else pairs[real]
        counts["W_out"] = (index.reshape(-1), None if pairs is None else pairs.reshape(-1))
        return counts

    @property
    def undivided_update(self):
        """Whether ``step`` gives context rows the undivided dL/dh (``cbow_update="word2vec"``)."""
        return self.averages_inputs and self.cbow_update == "word2vec"
