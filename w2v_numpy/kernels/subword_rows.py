r"""Subword and feature rows gathered, summed and updated once per distinct row.

Two references have inputs made of many rows from a large table:

* :meth:`SubwordModel.loss_and_grad
  <w2v_numpy.models.subword_input.SubwordModel.loss_and_grad>` (``fasttext_sgram``,
  ``fasttext_cbow``): an example's hidden vector is the mean of its words' rows and
  their n-gram rows, and each row occurrence gets a gradient row;
* :meth:`SupervisedModel.loss_and_grad
  <w2v_numpy.models.supervised_input.SupervisedModel.loss_and_grad>` (the classifier):
  a document vector is the weighted sum of its feature rows, each occurrence
  gets a gradient row.

Written per occurrence, a batch gathers a frequent word's twenty-odd n-gram
rows once per slot it fills, and scatter-adds one row per n-gram occurrence
into a table of millions of rows (the scatter-add's bookkeeping is a pass over
the whole index). :func:`loss_and_grad` does the same arithmetic for the
subword models in this order instead:

1. :func:`expand`: the *distinct* input words of the batch, each word's
   n-gram ids once, and which word each input slot holds;
2. each distinct word's row sum :math:`v_w + \sum_{g \in G_w} z_g` once
   (:func:`segment_sum`), then per example the sum of its slots' word sums:
   the reference's :math:`N h`, the same terms, grouped by word;
3. the output layer of :mod:`w2v_numpy.models.cbow_neg` as in the reference;
4. backward, each slot's share summed per distinct word (every row of a
   word gets the same sum), then spread to that word's n-grams and summed per
   distinct n-gram id (:func:`merge_rows`), so both tables are updated by
   plain indexing (``RowGrad(..., unique=True)``).

Exact: a row's total update is the sum of the same per-occurrence terms as
the reference's scatter-add; only the order of the additions changes (sums
grouped by word, then by id), so float64 agrees to rounding.
:func:`classifier_loss_and_grad` does the classifier's part of the same: the
document vectors by :func:`segment_sum`, the ``E_ngram`` rows merged by
:func:`merge_rows`, and the softmax on a reused buffer
(:mod:`w2v_numpy.kernels.softmax`).
"""
from typing import NamedTuple

from ..backend import get_xp, take_rows
from ..models import cbow_neg
from ..models.base import RowGrad
from ..models.window import output_index
from . import shared_negatives, softmax
from .row_sums import Merge, Segments, merge_plan, merge_rows, merged, segment_sum, segments


def expand(ptr, ids, batch):
    """The rows of a batch, each distinct input word's rows once.

    A word that fills several slots of a batch (a frequent word, or a centre
    word with several context words) has its n-grams gathered, summed and
    updated once; the slots point to it.

    Returns
    -------
    unique : (U,) the distinct input words; ``slot_word`` (S,) the position in
        ``unique`` of each real input slot's word; ``slot_ex`` (S,) its example
    ngrams : (G,) the n-gram row ids of the unique words; ``owner`` (G,) their word
    rows : (U,) rows of each unique word, 1 + its n-gram count
    """
    xp = get_xp()
    B, C = batch.inputs.shape
    if batch.mask is None:
        slot_ex, words = xp.repeat(xp.arange(B), C), batch.inputs.reshape(-1)   # (S,)
    else:
        slot_ex, col = xp.nonzero(batch.mask)                              # (S,) row-major
        words = batch.inputs[slot_ex, col]
    unique, slot_word = xp.unique(words, return_inverse=True)              # (U,), (S,)
    first, count = ptr[unique], ptr[unique + 1] - ptr[unique]              # (U,)
    ends = xp.cumsum(count)                                                # (U,)
    owner = xp.repeat(xp.arange(unique.size), count)                       # (G,) word of each
    # n-gram k of the flat list is entry k - (its word's start in the list) of that word's ids
    at = xp.arange(int(ends[-1]) if ends.size else 0) - (ends - count)[owner] + first[owner]
    return unique, slot_word.reshape(-1), slot_ex, ids[at], owner, 1 + count


class SubwordLayout(NamedTuple):
    """A batch's subword rows laid out for :func:`loss_and_grad`: the index work of
    :func:`expand` and of every sum, made ahead by the batch producer."""

    unique: object      # int (U,)  the distinct input words
    slot_word: object   # int (S,)  each real input slot's word, a position in ``unique``
    ngrams: object      # int (G,)  the unique words' n-gram rows
    N: object           # float (B,)  rows per example (words and their n-grams)
    grams: Segments     # the n-gram rows of each unique word
    slots: object       # Segments of the slots per example; None: one slot each, in order
    per_word: Merge     # the slots' rows summed per unique word
    per_gram: Merge     # the words' rows summed per distinct n-gram id


def subword_layout(model, batch):
    """The :class:`SubwordLayout` of ``batch``."""
    xp = get_xp()
    unique, slot_word, slot_ex, ngrams, owner, rows = expand(model.ptr, model.ids, batch)
    B = batch.inputs.shape[0]
    N = xp.bincount(slot_ex, weights=rows[slot_word], minlength=B)         # (B,)
    one_each = batch.mask is None and batch.inputs.shape[1] == 1
    return SubwordLayout(unique, slot_word, ngrams, N.astype(model.dtype),
                         segments(owner, unique.size),
                         None if one_each else segments(slot_ex, B),
                         merge_plan(slot_word, slot_ex), merge_plan(ngrams, owner))


def hidden(model, batch, layout=None):
    """``h`` (B, d) and the batch's :class:`SubwordLayout` (made here if not given)."""
    P = model.params
    t = layout if layout is not None else subword_layout(model, batch)
    grams = segment_sum(take_rows(P["W_ngram"], t.ngrams), t.grams)        # (U, d) per word
    word_sum = take_rows(P["W_in"], t.unique) + grams                      # (U, d)
    if t.slots is None:
        total = take_rows(word_sum, t.slot_word)                           # (B, d)
    else:
        total = segment_sum(take_rows(word_sum, t.slot_word), t.slots)     # (B, d)
    return total / t.N[:, None], t                                         # (B, d)


def output_layer(h, W_out, batch, scale):
    """The negative-sampling output layer on ``h`` (B, d): each draw's rows once
    (:func:`w2v_numpy.kernels.shared_negatives.group_output`) when examples share
    draws, else :func:`w2v_numpy.models.cbow_neg.output_loss_and_grad`."""
    groups = shared_negatives.shared_groups(batch)
    if groups is None:
        return cbow_neg.output_loss_and_grad(h, W_out, batch, scale)
    return shared_negatives.group_output(h, W_out, batch.targets, *groups, scale)


def output_rows(batch):
    """The ``W_out`` rows :func:`output_layer` updates, known before the step."""
    if shared_negatives.shared_groups(batch) is None:
        return output_index(batch).reshape(-1)                             # (B(1+K),)
    return shared_negatives.group_index(batch)                             # (G(m+K),)


def loss_and_grad(model, batch, scale=1.0, undivided=False, layout=None):
    """:meth:`SubwordModel.loss_and_grad
    <w2v_numpy.models.subword_input.SubwordModel.loss_and_grad>` with each distinct
    word's and n-gram's rows gathered and updated once (see the module docstring);
    ``layout``: the batch's :class:`SubwordLayout`, made here if not given."""
    h, t = hidden(model, batch, layout)
    loss, dh, rows_out = output_layer(h, model.params["W_out"], batch, scale)
    rule = dh if undivided else dh / t.N[:, None]  # (B, d) fastText's undivided dL/dh, or 1/N
    # every row of a word gets the same sum over the word's slots: formed once per word
    _, per_word = merged(rule, t.per_word)                                 # (U, d)
    gram_ids, per_gram = merged(per_word, t.per_gram)                      # (u,), (u, d)
    return loss, {"W_in": RowGrad(t.unique, per_word, unique=True),        # (U,), (U, d)
                  "W_ngram": RowGrad(gram_ids, per_gram, unique=True),     # (u,), (u, d)
                  "W_out": rows_out}                                       # (B(1+K),), (B(1+K), d)


def document_vectors(model, batch):
    """:math:`v_D` (B, d), each document's weighted feature rows summed as one run."""
    B = batch.targets.shape[0]
    v = None
    for name, rows, weights, doc in model.feature_rows(batch):
        rows_w = weights[:, None].astype(model.dtype) * take_rows(model.params[name], rows)
        part = segment_sum(rows_w, doc, B)
        v = part if v is None else v + part                                # (B, d)
    return v


def class_scores(model, batch):
    """:meth:`SupervisedModel.scores
    <w2v_numpy.models.supervised_input.SupervisedModel.scores>` (B, n_labels) from the
    document vectors that training sums: the classifier predicts with it, so that its
    float32 probabilities are those of the sums it was trained on, to the last bit."""
    return document_vectors(model, batch) @ model.params["U"].T                     # (B, L)


def classifier_output(model, v, batch, scale):
    """The classifier's output layer on ``v``: the softmax on the model's reused
    buffer, negative sampling as the reference computes it."""
    if model.output_layer == "softmax":
        return softmax.output_loss_and_grad(v, model.params["U"], batch, scale, owner=model)
    return model.output_fn(v, model.params["U"], batch, scale)


def classifier_loss_and_grad(model, batch, scale=1.0):
    """:meth:`SupervisedModel.loss_and_grad
    <w2v_numpy.models.supervised_input.SupervisedModel.loss_and_grad>` with the
    document vectors summed by runs and the ``E_ngram`` rows merged per id."""
    v = document_vectors(model, batch)                                     # (B, d)
    loss, dv, rows_U = classifier_output(model, v, batch, scale)   # dv: (B, d) scale * delta_D
    grads = model.feature_grads(batch, dv)                                 # (n,), (n, d)
    if "E_ngram" in grads:            # a hashed table of millions of rows: merged, plain-indexed
        index, rows = grads["E_ngram"][:2]
        grads["E_ngram"] = RowGrad(*merge_rows(index, rows, get_xp().arange(index.size)),
                                   unique=True)                            # (u,), (u, d)
    grads["U"] = rows_U                                  # (B(1+K),), (B(1+K), d) or dense (L, d)
    return loss, grads
