r"""The logistic terms of the binary output layers, one exponential and one log a score.

Notes
-----
Negative sampling and hierarchical softmax both score a cell (an example, or
a window's context slot, against one output row) with a label: 1 for the
target word or a path node of code 0, 0 for a negative or a node of code 1.
With :math:`\varsigma = \pm 1` the label's sign and :math:`z = \varsigma s`,
a cell's loss is :math:`-\log\sigma(z)` and its error
:math:`\partial L/\partial s = -\varsigma\,(1 - \sigma(z))`. Both come from
one :math:`e = e^{-|z|}`:

.. math::

    \log\sigma(z) = \min(z, 0) - \log(1 + e), \qquad
    1 - \sigma(z) = \frac{e \text{ if } z \ge 0 \text{ else } 1}{1 + e},

(the first as :func:`w2v_numpy.functional.log_sigmoid`), where the
references compute :math:`\log\sigma` and :math:`\sigma` apart (two
exponentials) and mask their padding in passes of their own.
:func:`label_terms` is the logistic part of
:func:`w2v_numpy.models.sgram_hs_window.path_terms`,
:func:`w2v_numpy.models.cbow_hs.forward` and
:func:`w2v_numpy.models.sgram_neg_window.window_terms`; each kernel that
uses it is tested against its reference.

The signs and the mask depend on the batch alone (the codes of the paths,
which slots are real), so they are :class:`LabelSigns` made ahead of the step:
:class:`~.hierarchical_softmax.PathLayout` and
:class:`~.hierarchical_softmax.TopLayout` carry them for the paths,
:func:`window_signs` makes them for negative-sampling windows.
"""
from typing import NamedTuple

from ..backend import get_xp


class LabelSigns(NamedTuple):
    """The labels of a batch of scores (no parameter in it)."""

    sign: object        # float, broadcasts to the scores: +1 where the label is 1, -1 where 0
    on: object          # float, the scores' shape: 1 on a real cell, 0 on padding
    error_sign: object  # float, the scores' shape: -sign * on


def label_signs(sign, on):
    """:class:`LabelSigns` from the labels' ``sign`` and the real cells ``on``."""
    return LabelSigns(sign, on, -sign * on)


def window_signs(batch, J, dtype):
    """:class:`LabelSigns` of negative-sampling windows' scores (B, C, J): column 0 the
    centre word (label 1), the rest negatives (label 0), padding slots off."""
    xp = get_xp()
    B, C = batch.inputs.shape
    sign = xp.full((1, 1, J), -1.0, dtype=dtype)                         # (1, 1, J)
    sign[0, 0, 0] = 1.0
    real = xp.ones((B, C), dtype=dtype) if batch.mask is None else batch.mask.astype(dtype)
    on = xp.broadcast_to(real[:, :, None], (B, C, J)).copy()             # (B, C, J)
    return label_signs(sign, on)


def label_terms(S, signs, scale=1.0):
    """Summed loss and ``scale`` times ``G`` = dL/dS of the scores ``S`` with labels
    ``signs`` (:class:`LabelSigns`)."""
    xp = get_xp()
    z = S * signs.sign                                                   # label scores
    e = xp.abs(z)                       # in place from here: one temporary less a pass
    xp.negative(e, out=e)
    xp.exp(e, out=e)                                                     # e^{-|z|}
    # the numerator e if z >= 0 else 1: e <= 1, so it is max(e, [z < 0]), 3x faster than where
    G = xp.maximum(e, z < 0)
    e += 1                                                               # 1 + e
    G /= e                                                               # 1 - sigma(z)
    G *= signs.error_sign                                                # dL/dS, 0 on padding
    if scale != 1.0:
        G *= scale
    xp.log(e, out=e)
    e -= xp.minimum(z, 0, out=z)                                         # -log sigma(z)
    return float(xp.vdot(signs.on, e)), G
