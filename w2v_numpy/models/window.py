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
from ..kernels import span
from .base import Model, RowGrad

#: How ``step`` may update CBOW context rows (see :attr:`WindowModel.cbow_update`).
CBOW_UPDATES = ("exact", "word2vec")


def hidden_layer(W_in, batch):
    r"""Mean of the (masked) input rows: :math:`h = \frac{1}{n}\sum_{c} v_{w_c}`.

    A CBOW batch with a ``span`` (consecutive windows) takes the banded path
    of :mod:`w2v_numpy.kernels.span`: the same ``h``, each position's row
    gathered once.

    Returns
    -------
    h : (B, d)
    weight : (B, C)   1/n for real slots, 0 for padding (so dL/dv_c = weight * dL/dh)
    band : None, or the span layout that :func:`input_grads` needs
    """
    xp = get_xp()
    inputs, mask = batch.inputs, batch.mask
    if mask is None:
        weight = xp.full(inputs.shape, 1.0 / inputs.shape[1], dtype=W_in.dtype)  # (B, C)
    else:
        n = mask.sum(axis=1, keepdims=True)                                  # (B, 1)
        weight = (mask / xp.maximum(n, 1)).astype(W_in.dtype)                # (B, C)
    if inputs.shape[1] == 1:
        h = W_in[inputs[:, 0]]                                               # (B, d)
        return (h if mask is None else h * weight), weight, None             # one input: weight is 1
    if batch.span is not None:
        tiles = span.gather_tiles(W_in, batch.span, *inputs.shape)
        h, A = span.window_means(tiles, weight)                              # (B, d), band
        return h, weight, (tiles, A)
    h = (weight[:, None, :] @ W_in[inputs])[:, 0, :]                         # (B, 1, C) @ (B, C, d) -> (B, d)
    return h, weight, None


def input_grads(batch, weight, dh, band=None, undivided=False):
    """Spread dL/dh back onto the input rows: row ``inputs[b, c]`` gets ``weight[b, c] * dh[b]``.

    ``undivided`` gives every real slot the whole ``dh[b]`` instead (word2vec.c's
    CBOW update, see :attr:`WindowModel.cbow_update`). Returns the
    :class:`RowGrad` of ``W_in``, padding slots left out; with the ``band`` of
    :func:`hidden_layer`, one row per span position.
    """
    xp = get_xp()
    inputs, mask = batch.inputs, batch.mask
    if undivided and inputs.shape[1] > 1:
        n = inputs.shape[1] if mask is None else mask.sum(axis=1, keepdims=True)  # (B, 1)
        dh = dh * xp.asarray(n, dtype=dh.dtype)                              # (B, d) undo the 1/n
    if band is not None:
        return span.window_mean_grads(*band, dh)                             # (B + C,), (B + C, d)
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
    ``output_layer``, and give their module's pure functions as
    ``forward_fn(W_in, W_out, batch)`` and ``loss_and_grad_fn(W_in, W_out,
    batch, scale)`` (or override :meth:`loss_and_grad`).

    Parameters
    ----------
    vocab_size, vector_dim, seed, dtype
        As for :class:`w2v_numpy.models.base.Model`.
    cbow_update : {"exact", "word2vec"}
        See :attr:`cbow_update`.
    """

    vectors_param = "W_in"
    #: Whether the hidden layer is the mean of several input rows (CBOW), which
    #: ``cbow_update`` and ``loss_and_grad(..., undivided=True)`` are about.
    averages_inputs = False
    #: One (inputs -> target) prediction per example, as in the documents.
    formulation = "pair"
    #: How ``step`` updates CBOW context rows: ``"exact"`` applies the true
    #: gradient of the mean (dL/dh divided by the number of context words n);
    #: ``"word2vec"`` adds the undivided dL/dh to every context row, as
    #: word2vec.c and gensim (``cbow_mean=1``) do, i.e. an input learning rate
    #: n times larger. ``grad`` and the gradient check always use the exact form.
    cbow_update = "exact"

    def set_options(self, cbow_update="exact"):
        if cbow_update not in CBOW_UPDATES:
            raise W2VError(f"must be one of {CBOW_UPDATES}, got {cbow_update!r}", param="cbow_update")
        self.cbow_update = cbow_update

    def param_shapes(self, vocab_size, vector_dim):
        return {"W_in": (vocab_size, vector_dim), "W_out": (vocab_size, vector_dim)}

    def init_params(self, vocab_size, vector_dim, rng, dtype):
        W_in = ((rng.random((vocab_size, vector_dim)) - 0.5) / vector_dim).astype(dtype)
        return {"W_in": W_in, "W_out": np.zeros((vocab_size, vector_dim), dtype=dtype)}

    def forward(self, batch):
        """The named intermediates of the forward pass (``h``, the scores, ``loss`` per example)."""
        return self.forward_fn(self.params["W_in"], self.params["W_out"], batch)

    def check_batch(self, batch):
        if self.uses_negatives and batch.negatives is None:
            raise W2VError(f"{self.type_name}: the batch needs negatives (negative >= 1)")
        if self.batch_family == "sgram" and batch.inputs.shape[1] != 1:
            raise W2VError(f"{self.type_name}: skip-gram batches have one input per example")

    def loss_and_grad(self, batch, scale=1.0, **kw):
        return self.loss_and_grad_fn(self.params["W_in"], self.params["W_out"], batch, scale, **kw)

    def row_indices(self, batch):
        """A batch with a ``span``: ``W_in`` gets one row per span position (every
        objective's banded path), and ``W_out`` under negative sampling the rows of
        :meth:`negative_rows`, where it names them."""
        if batch.span is None:
            return {}
        rows = {"W_in": batch.span.reshape(-1)}                              # strips: (nt (m+C),)
        out = self.negative_rows(batch) if self.uses_negatives else None
        if out is not None:
            rows["W_out"] = out
        return rows

    def negative_rows(self, batch):
        """The ``W_out`` rows a negative-sampling step on this span batch updates:
        :func:`output_index` for per-example negatives; ``None`` for negatives shared
        by the span's tiles (the skip-gram tile product makes its own). Objectives
        that group shared draws otherwise override it."""
        if span.shared_negatives(batch.negatives, span.tile_of(batch)) is not None:
            return None
        return output_index(batch).reshape(-1)                               # (B(1+K),)

    def update_rows(self, batch, scale):
        """With ``cbow_update="word2vec"``, an averaging objective's input rows get the
        undivided dL/dh; otherwise the gradient as it is."""
        if self.averages_inputs and self.cbow_update == "word2vec":
            return self.loss_and_grad(batch, scale, undivided=True)
        return super().update_rows(batch, scale)
