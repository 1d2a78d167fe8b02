"""What every model shares: parameters, the averaged hidden layer, and the
dense / sparse ways of applying a gradient.

Each objective module provides one pure function,
``loss_and_grad(W_in, W_out, batch) -> (loss, SparseGrad)``. This base class
turns it into the contract methods ``loss``, ``grad`` and ``step``
(DESIGN section 2).
"""
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..backend import get_xp, scatter_add


@dataclass
class SparseGrad:
    """The gradient of a batch loss, kept as row updates.

    Attributes
    ----------
    in_index : int (n,)      rows of ``W_in`` that received gradient
    in_rows : float (n, d)   their gradients (repeated rows must be summed)
    out_index : int (m,) or None
        rows of ``W_out``; ``None`` when ``out_rows`` is the dense (V, d) gradient
    out_rows : float (m, d) or (V, d)
    """

    in_index: object
    in_rows: object
    out_index: Optional[object]
    out_rows: object


def hidden_layer(W_in, inputs, mask):
    r"""Mean of the (masked) input rows: :math:`h = \frac{1}{n}\sum_{c} v_{w_c}`.

    Returns
    -------
    h : (B, d)
    weight : (B, C)   1/n for real slots, 0 for padding (so dL/dv_c = weight * dL/dh)
    """
    xp = get_xp()
    if mask is None:
        weight = xp.full(inputs.shape, 1.0 / inputs.shape[1], dtype=W_in.dtype)  # (B, C)
    else:
        n = mask.sum(axis=1, keepdims=True)                                  # (B, 1)
        weight = (mask / xp.maximum(n, 1)).astype(W_in.dtype)                # (B, C)
    if inputs.shape[1] == 1:
        h = W_in[inputs[:, 0]]                                               # (B, d)
        return (h if mask is None else h * weight), weight                   # one input: weight is 1
    h = (weight[:, None, :] @ W_in[inputs])[:, 0, :]                         # (B, 1, C) @ (B, C, d) -> (B, d)
    return h, weight


def input_grads(inputs, mask, weight, dh):
    """Spread dL/dh back onto the input rows: row ``inputs[b, c]`` gets ``weight[b, c] * dh[b]``.

    Returns ``(index (n,), rows (n, d))`` with padding slots left out.
    """
    if inputs.shape[1] == 1:
        return inputs[:, 0], (dh if mask is None else dh * weight)           # (B,), (B, d)
    if mask is None:
        rows = weight[:, :, None] * dh[:, None, :]                           # (B, C, d)
        return inputs.reshape(-1), rows.reshape(-1, dh.shape[1])
    example = get_xp().nonzero(mask)[0]                                      # (n,)
    return inputs[mask], dh[example] * weight[mask][:, None]                 # (n,), (n, d)


def _context_sizes(batch):
    """For each real input slot (in ``input_grads`` order), its example's context size n."""
    xp = get_xp()
    B, C = batch.inputs.shape
    if batch.mask is None:
        return xp.full(B * C, float(C), dtype=xp.float32)
    n = batch.mask.sum(axis=1).astype(xp.float32)                             # (B,)
    return xp.broadcast_to(n[:, None], batch.mask.shape)[batch.mask]          # (n_slots,)


class Model:
    """Base class: holds ``params`` and implements the contract methods.

    Subclasses set ``type_name``, ``family`` (``"sgram"`` or ``"cbow"``, which
    tells the batcher what examples to build), ``uses_negatives`` and the
    static method ``loss_and_grad``.

    Parameters
    ----------
    vocab_size : int
    vector_dim : int
    seed : int
        Seed of the ``W_in`` initialisation.
    dtype : numpy dtype
        float32 for training, float64 for gradient checks.

    Notes
    -----
    Initialisation follows word2vec.c: ``W_in`` uniform in
    :math:`[-0.5/d, 0.5/d)`, ``W_out`` zeros. Both are stored one row per word
    (V, d); the reference documents write ``W_out`` as N x V with words in
    columns, so their ``W_out`` is our ``W_out.T``.
    """

    type_name = None
    family = None
    uses_negatives = False
    #: How ``step`` updates CBOW context rows: ``"exact"`` applies the true
    #: gradient of the mean (dL/dh divided by the number of context words n);
    #: ``"word2vec"`` adds the undivided dL/dh to every context row, as
    #: word2vec.c and gensim (``cbow_mean=1``) do, i.e. an input learning rate
    #: n times larger. ``grad`` and the gradient check always use the exact form.
    cbow_update = "exact"

    def __init__(self, vocab_size, vector_dim, seed=0, dtype=np.float32):
        if int(vocab_size) < 1:
            raise ValueError(f"vocab_size must be >= 1, got {vocab_size}")
        if int(vector_dim) < 1:
            raise ValueError(f"vector_dim must be >= 1, got {vector_dim}")
        xp = get_xp()
        rng = np.random.default_rng(seed)
        V, d = int(vocab_size), int(vector_dim)
        W_in = ((rng.random((V, d)) - 0.5) / d).astype(dtype)
        self.params = {"W_in": xp.asarray(W_in), "W_out": xp.zeros((V, d), dtype=dtype)}

    @property
    def vocab_size(self):
        return int(self.params["W_in"].shape[0])

    @property
    def vector_dim(self):
        return int(self.params["W_in"].shape[1])

    @property
    def dtype(self):
        return self.params["W_in"].dtype

    def _check_batch(self, batch):
        if self.uses_negatives and batch.negatives is None:
            raise ValueError(f"{self.type_name}: the batch needs negatives (neg_samples >= 1)")
        if self.family == "sgram" and batch.inputs.shape[1] != 1:
            raise ValueError(f"{self.type_name}: skip-gram batches have one input per example")

    def _sparse(self, batch, scale=1.0):
        self._check_batch(batch)
        return self.loss_and_grad(self.params["W_in"], self.params["W_out"], batch, scale)

    def loss(self, batch):
        """Loss summed over the batch, as a Python float."""
        return self._sparse(batch)[0]

    def grad(self, batch):
        """Dense gradients of :meth:`loss`, same keys and shapes as ``params``."""
        _, g = self._sparse(batch)
        xp = get_xp()
        out = {k: xp.zeros_like(v) for k, v in self.params.items()}
        scatter_add(out["W_in"], g.in_index, g.in_rows)
        if g.out_index is None:
            out["W_out"] += g.out_rows
        else:
            scatter_add(out["W_out"], g.out_index, g.out_rows)
        return out

    def step(self, batch, alpha):
        """One in-place SGD step ``params -= alpha * grad`` by sparse row updates.

        Both gradients are computed from the old parameters before either
        matrix changes. Returns the summed loss from before the step.
        """
        loss, g = self._sparse(batch, scale=-alpha)   # rows already hold -alpha * grad
        if self.cbow_update == "word2vec" and batch.inputs.shape[1] > 1:
            g.in_rows *= _context_sizes(batch)[:, None]  # undo the 1/n of the mean
        scatter_add(self.params["W_in"], g.in_index, g.in_rows)
        if g.out_index is None:
            self.params["W_out"] += g.out_rows
        else:
            scatter_add(self.params["W_out"], g.out_index, g.out_rows)
        return loss

    def astype(self, dtype):
        """A copy of the model with parameters cast to ``dtype``."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.__dict__.pop("_workspace", None)   # scratch buffers are not shared
        clone.params = {k: v.astype(dtype) for k, v in self.params.items()}
        return clone

    def __repr__(self):
        return f"{type(self).__name__}(vocab_size={self.vocab_size}, vector_dim={self.vector_dim})"
