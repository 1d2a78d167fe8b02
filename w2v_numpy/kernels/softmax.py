r"""The full softmax computed in place on one reused (B, V) buffer.

Equal to :func:`w2v_numpy.models.cbow.output_loss_and_grad` (the reference),
rearranged for speed: the score matrix :math:`z = h W_{out}^\top` is turned
into probabilities and then into the error :math:`e = p - y` in place, so a
step makes three passes over (B, V) besides the three matrix products
(:math:`z = h W_{out}^\top`, :math:`\partial L/\partial W_{out} = e^\top h`,
:math:`\partial L/\partial h = e W_{out}`), and allocates nothing of that size:
the buffer is kept per model between steps (tens of MB that would otherwise
be allocated and page-faulted on every step). Exact: only the order of the
same operations changes (the softmax's maximum is subtracted before the
exponential, as :func:`w2v_numpy.functional.log_softmax` does).
"""
import weakref

import numpy as np

from ..backend import get_xp
from ..models.base import RowGrad

#: model -> its score buffer; freed with the model.
_BUFFERS = weakref.WeakKeyDictionary()


def scores_buffer(owner, shape, dtype):
    """A (B, V) scratch array kept for ``owner`` (any object; None: a fresh one)."""
    xp = get_xp()
    if owner is None:
        return xp.empty(shape, dtype=dtype)
    buf = _BUFFERS.get(owner)
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = _BUFFERS[owner] = xp.empty(shape, dtype=dtype)
    return buf


def output_loss_and_grad(h, W_out, batch, scale=1.0, owner=None):
    """Summed softmax loss, ``scale`` times dL/dh (B, d) and the dense ``W_out``
    :class:`RowGrad`; the scores live in ``owner``'s buffer (a fresh one for None)."""
    xp = get_xp()
    rows = xp.arange(h.shape[0])
    z = scores_buffer(owner, (h.shape[0], W_out.shape[0]), h.dtype)
    xp.matmul(h, W_out.T, out=z)                                  # (B, V)
    z_target = z[rows, batch.targets]                             # (B,)
    z_max = z.max(axis=1, keepdims=True)                          # (B, 1)
    z -= z_max
    e = xp.exp(z, out=z)                                          # (B, V)  exp(z - max)
    total = e.sum(axis=1, keepdims=True)                          # (B, 1)
    loss = xp.log(total[:, 0]) + z_max[:, 0] - z_target           # (B,)  -log p_target
    e *= scale / total                                            # (B, V)  scale * p
    e[rows, batch.targets] -= scale                               # (B, V)  scale * (p - y)
    dW_out = e.T @ h                                              # (V, d)
    dh = e @ W_out                                                # (B, d)
    return float(loss.sum(dtype=np.float64)), dh, RowGrad(None, dW_out)
