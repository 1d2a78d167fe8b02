r"""Skip-gram with a full softmax.

Notes
-----
Skip-gram is CBOW with exactly one input word, so it reuses
:mod:`w2v_numpy.models.cbow` unchanged. For a (centre :math:`t`, context
:math:`c`) pair, :math:`h = v_t` and

.. math::

    z_j = u_j^\top v_t, \qquad
    L = -\log\frac{e^{z_c}}{\sum_j e^{z_j}}, \qquad
    e_j = P(j \mid t) - y_j

.. math::

    \frac{\partial L}{\partial u_j} = e_j\, v_t, \qquad
    \frac{\partial L}{\partial v_t} = \sum_j e_j\, u_j

Here :math:`e_j = \partial L/\partial z_j`: the term :math:`-z_c` gives
:math:`-y_j` and :math:`\partial\log\sum_k e^{z_k}/\partial z_j = e^{z_j}/\sum_k e^{z_k}
= P(j \mid t)` (the same step is written out in :mod:`w2v_numpy.models.cbow`).

Each pair is one example (one row of the batch); a centre word with
``2b`` context words appears in ``2b`` rows.

Symbol map to the textbook chapter's section "Математические основы модели
Skip-gram" (the mathematics of Skip-gram) and its worked example "8.
Аналитический пример: Пошаговое вычисление Skip-gram" (Skip-gram computed
step by step): :math:`w_t` is the centre
(``batch.inputs``), :math:`w_c` the context word (``batch.targets``),
:math:`v_w` rows of ``W_in``, :math:`u_w` columns of the document's
:math:`W_{out}` (N x V), i.e. rows of our ``W_out``; :math:`e_j` is the same.

Derivation, step by step: docs/derivations/softmax.md.
"""
from .cbow import CBOW


class SkipGram(CBOW):
    """Skip-gram, full softmax (``type="sgram"``). Math in the module docstring."""

    type_name = "sgram"
    batch_family = "sgram"
