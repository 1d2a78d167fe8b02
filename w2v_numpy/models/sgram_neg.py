r"""Skip-gram with negative sampling (SGNS).

Notes
-----
For a (centre :math:`t`, context :math:`c`) pair with negatives
:math:`n_1..n_K`, :math:`h = v_t`:

.. math::

    L = -\log\sigma(u_c^\top v_t) - \sum_{i=1}^{K}\log\sigma(-u_{n_i}^\top v_t)

.. math::

    \frac{\partial L}{\partial v_t} = (\sigma(s_0) - 1)\,u_c + \sum_i \sigma(s_i)\,u_{n_i},\quad
    \frac{\partial L}{\partial u_c} = (\sigma(s_0) - 1)\,v_t,\quad
    \frac{\partial L}{\partial u_{n_i}} = \sigma(s_i)\,v_t

with :math:`s_0 = u_c^\top v_t`, :math:`s_i = u_{n_i}^\top v_t`. It is
CBOW-NS with one input word, so the code is :mod:`w2v_numpy.models.cbow_neg`.

Symbol map: the textbook chapter's section "6. Оптимизация: Negative
Sampling" uses the same letters (:math:`v_{w_t}`, :math:`u_{w_c}`,
:math:`u_{w_{neg,i}}`); the original tool's README ("Negative Sampling
Gradients") writes :math:`h` for :math:`v_t`, :math:`c_{pos}` for :math:`u_c`
and :math:`c_{neg}` for :math:`u_{n_i}`. word2vec.c (see the word2vec.c
walkthrough, a translated blog post on its training loop) uses the context word's input row
to predict the centre word; over a corpus the pairs are the same in both
directions, and we follow the contract (input = centre).

Derivation, step by step: docs/derivations/negative_sampling.md.
"""
from .cbow_neg import CBOWNeg


class SkipGramNeg(CBOWNeg):
    """Skip-gram with negative sampling (``type="sgram_neg"``)."""

    type_name = "sgram_neg"
    batch_family = "sgram"
