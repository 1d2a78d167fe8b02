r"""GloVe's batch of co-occurrence entries: the reference's arithmetic, laid out for speed.

Notes
-----
Equal to :func:`w2v_numpy.models.glove.sparse_grad` (the objective's
reference), rearranged in three ways:

* The weight :math:`f(X_{ij})` and the target :math:`\log X_{ij}` depend on
  the counts alone, so they are :class:`EntryTerms`, made ahead of the step by
  the batch producer (:func:`entry_terms`) in the parameters' dtype. They come
  from the reference's own :func:`~w2v_numpy.models.glove.weighting` and
  :func:`~w2v_numpy.models.glove.log_target`: the same numbers, and the same
  error for a count the target cannot take.
* The rows are gathered with :func:`~w2v_numpy.backend.take_rows` and the dot
  products :math:`w_i \cdot \tilde w_j` are one ``einsum``.
* With :math:`g = 2 s f e` (:math:`s` the caller's scale, the learning rate),
  :math:`\partial L/\partial w_i = g \tilde w_j` and
  :math:`\partial L/\partial \tilde w_j = g w_i` are the gathered rows scaled
  in place: past the two gathers no (n, d) array is made.

On wiki2m's batches of 4096 entries (dim 50) this is 2.2x faster than the
reference's step (benchmarks/history/2026-12-05-speed-round-two.md).
"""
from typing import NamedTuple

import numpy as np

from ..backend import get_xp, take_rows
from ..models.base import RowGrad
from ..models.glove import log_target, weighting


class EntryTerms(NamedTuple):
    """What a batch's step needs from its counts alone (no parameter in it)."""

    weight: object   # float (n,)  f(X_ij)
    target: object   # float (n,)  log X_ij (or log(1 + X_ij))


def entry_terms(model, batch):
    """The :class:`EntryTerms` of a batch, in the model's dtype."""
    return EntryTerms(weighting(batch.counts, model.x_max, model.alpha).astype(model.dtype),
                      log_target(batch.counts, model.target).astype(model.dtype))


def loss_and_grad(model, batch, scale=1.0, terms=None):
    """Summed loss and the four :class:`RowGrad` of ``scale`` times the gradient, as
    the reference's; ``terms``: the batch's :class:`EntryTerms`, made here if not given."""
    xp = get_xp()
    t = terms if terms is not None else entry_terms(model, batch)
    P = model.params
    w_i = take_rows(P["W"], batch.rows)                                     # (n, d)
    w_j = take_rows(P["W_ctx"], batch.cols)                                 # (n, d)
    e = xp.einsum("nd,nd->n", w_i, w_j)                                     # (n,) w_i . w_j
    e += take_rows(P["b"], batch.rows)
    e += take_rows(P["b_ctx"], batch.cols)
    e -= t.target                                                           # (n,) the error
    fe = t.weight * e                                                       # (n,)
    loss = float((fe * e).sum(dtype=np.float64))                            # sum of f e^2
    g = (2.0 * scale) * fe                                                  # (n,) s dL/dprediction
    w_i *= g[:, None]                                                       # (n, d) s dL/dw_j
    w_j *= g[:, None]                                                       # (n, d) s dL/dw_i
    # four arrays, none shared: an optimiser may square a block's rows in place
    return loss, {"W": RowGrad(batch.rows, w_j), "W_ctx": RowGrad(batch.cols, w_i),
                  "b": RowGrad(batch.rows, g), "b_ctx": RowGrad(batch.cols, g.copy())}
