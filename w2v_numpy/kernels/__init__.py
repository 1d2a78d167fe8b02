"""Kernels: the fast forms of the objectives, each equal to a reference in :mod:`w2v_numpy.models`.

The objective files are for reading: each computes its loss and gradient one
example at a time from the formula (:meth:`Model.loss_and_grad
<w2v_numpy.models.base.Model.loss_and_grad>`). The trainer computes the same
numbers with a *kernel*: the same arithmetic rearranged for a batch laid out
for speed. Which kernel runs is decided from the batch's explicit layout
fields, never by comparing array values:

* ``batch.span``: the batch's windows are consecutive (corpus order, or
  shuffled runs), so each position's input row can be gathered once
  (:mod:`.span`);
* ``batch.draws``: examples share draws of negatives, so each draw's output
  rows can be gathered and updated once (:mod:`.shared_negatives`).

:data:`KERNELS` lists, per model class, the kernels that may apply, the first
that applies wins, and a batch that none fits is computed by the reference
itself. ``tests/test_kernels.py`` proves every kernel equal to its reference
(float64, every gradient row) for every layout the trainer can make, from
this table and the policy table, so a new kernel is tested the day it is listed.

:func:`step` is the trainer's SGD step; ``Model.step`` is the reference's.
"""
from typing import NamedTuple

from ..backend import row_plan
from ..models.base import apply_grad, bound_crowded_rows, crowding
from ..models.cbow import CBOW
from ..models.cbow_hs import CBOWHS
from ..models.cbow_neg import CBOWNeg
from ..models.fasttext_cbow import FastTextCBOW
from ..models.fasttext_sgram import FastTextSkipGram
from ..models.glove import GloVeObjective
from ..models.sgram import SkipGram
from ..models.sgram_hs import SkipGramHS
from ..models.sgram_hs_window import SkipGramHSWindow
from ..models.sgram_neg import SkipGramNeg
from ..models.sgram_neg_window import SkipGramNegWindow
from ..models.supervised_neg import SupervisedNeg
from ..models.supervised_softmax import SupervisedSoftmax
from ..models.window import output_index
from . import (glove_entries, hierarchical_softmax, label_terms, shared_negatives, skipgram_windows,
               softmax, span, subword_rows)


class Kernel:
    """One fast form of an objective for batches of one layout.

    A kernel's :meth:`loss_and_grad` returns what the reference's does
    (``(summed loss, {name: RowGrad})`` with rows ``scale`` times the gradient;
    ``undivided``: word2vec.c's CBOW input rule, as the reference takes it).
    The work that depends on the batch alone, never on the parameters, can be
    done ahead, off the training path, by the batch producer: :meth:`prepare`
    returns it (arrays that pickle; ``None``: nothing to prepare), and
    :meth:`loss_and_grad` takes it as ``prepared`` (made there when not given).
    :meth:`row_indices` names the rows its scatter-adds will touch where they
    are known before computing anything, so that the producer can plan them
    (:class:`~w2v_numpy.backend.RowPlan`).
    """

    name = "kernel"

    def applies(self, model, batch):
        return True

    def prepare(self, model, batch):
        return None

    def loss_and_grad(self, model, batch, scale=1.0, undivided=False, prepared=None):
        raise NotImplementedError

    def row_indices(self, model, batch, prepared=None):
        return {}

    def row_plans(self, model, batch, prepared=None):
        """A :class:`~w2v_numpy.backend.RowPlan` per :meth:`row_indices` entry; a kernel
        whose prepared work carries plans of its own (rows listed in scatter order,
        :func:`~w2v_numpy.backend.arranged_plan`) returns those."""
        return _plans(self.row_indices(model, batch, prepared))

    def __repr__(self):
        return self.name


class AveragedWork(NamedTuple):
    """What :class:`Averaged` kernels prepare: the input band and the output layer's work."""

    band: object     # span.Band of a context-slot span batch, or None
    output: object   # what prepare_output made, or None


class Averaged(Kernel):
    """The averaged input layer (banded for a span batch) with an output layer.

    Subclasses replace :meth:`output` (and :meth:`prepare_output` where the output layer
    has index work of its own); this one uses the reference's, so it is the kernel of a
    span batch whose output rows have no faster form.
    """

    name = "banded input"

    def applies(self, model, batch):
        return batch.span is not None

    def prepare(self, model, batch):
        return AveragedWork(span.band_of(batch, model.dtype), self.prepare_output(model, batch))

    def prepare_output(self, model, batch):
        return None

    def output(self, model, h, batch, scale, prepared=None):
        return model.output_fn(h, *model.output_args(), batch, scale)

    def output_rows(self, model, batch, prepared=None):
        return output_index(batch).reshape(-1) if model.uses_negatives else None

    def loss_and_grad(self, model, batch, scale=1.0, undivided=False, prepared=None):
        work = prepared if prepared is not None else AveragedWork(None, None)
        W_in = model.params["W_in"]
        h, weight, layout = span.hidden_layer(W_in, batch, work.band)        # (B, d), (B, C)
        loss, dh, rows_out = self.output(model, h, batch, scale, work.output)  # dh: scale * dL/dh
        return loss, {"W_in": span.input_grads(batch, weight, dh, layout, undivided),
                      "W_out": rows_out}

    def row_indices(self, model, batch, prepared=None):
        rows = {} if batch.span is None else {"W_in": span.input_rows(batch)}
        out = self.output_rows(model, batch, None if prepared is None else prepared.output)
        if out is not None:
            rows["W_out"] = out
        return rows


class BufferedSoftmax(Averaged):
    name = "softmax on a reused buffer"

    def applies(self, model, batch):
        return True

    def output(self, model, h, batch, scale, prepared=None):
        return softmax.output_loss_and_grad(h, model.params["W_out"], batch, scale, owner=model)

    def output_rows(self, model, batch, prepared=None):
        return None                                  # dense: every row


class SharedGroups(Averaged):
    name = "negatives shared by groups"

    def applies(self, model, batch):
        return shared_negatives.shared_groups(batch) is not None

    def output(self, model, h, batch, scale, prepared=None):
        groups = shared_negatives.shared_groups(batch)
        return shared_negatives.group_output(h, model.params["W_out"], batch.targets, *groups,
                                             scale)

    def output_rows(self, model, batch, prepared=None):
        return shared_negatives.group_index(batch)


class TopBlock(Averaged):
    name = "hierarchical softmax, top levels dense"

    def applies(self, model, batch):
        return True

    def prepare_output(self, model, batch):
        return hierarchical_softmax.top_layout(model.tree, batch,
                                               hierarchical_softmax.model_top(model), model.dtype)

    def output(self, model, h, batch, scale, prepared=None):
        return hierarchical_softmax.top_block_output(h, model.params["W_out"], model.tree, batch,
                                                     scale, hierarchical_softmax.model_top(model),
                                                     prepared)

    def output_rows(self, model, batch, prepared=None):
        return hierarchical_softmax.top_block_index(model, batch, prepared)

    def row_plans(self, model, batch, prepared=None):
        work = prepared if prepared is not None else self.prepare(model, batch)
        return _plans(self.row_indices(model, batch, work), {"W_out": work.output.out_plan})


class Windows(Kernel):
    """Skip-gram windows against negatives, banded for a span batch."""

    name = "banded windows"

    def applies(self, model, batch):
        return batch.span is not None

    def prepare(self, model, batch):
        return label_terms.window_signs(batch, output_index(batch).shape[1], model.dtype)

    def loss_and_grad(self, model, batch, scale=1.0, undivided=False, prepared=None):
        return skipgram_windows.ns_windows(model.params["W_in"], model.params["W_out"], batch,
                                           scale, signs=prepared)

    def output_rows(self, model, batch, prepared=None):
        return output_index(batch).reshape(-1)

    def row_indices(self, model, batch, prepared=None):
        if batch.span is None:
            return {}
        return {"W_in": span.input_rows(batch), "W_out": self.output_rows(model, batch)}


class SpreadWindows(Windows):
    name = "windows, negatives spread"

    def applies(self, model, batch):
        return shared_negatives.spread_table(batch) is not None

    def loss_and_grad(self, model, batch, scale=1.0, undivided=False, prepared=None):
        draws = shared_negatives.spread_table(batch)
        return skipgram_windows.ns_windows(model.params["W_in"], model.params["W_out"], batch,
                                           scale, draws, prepared)

    def output_rows(self, model, batch, prepared=None):
        return shared_negatives.spread_index(batch, shared_negatives.spread_table(batch))


class TileWindows(Windows):
    name = "windows, a draw per tile"

    def applies(self, model, batch):
        return batch.span is not None and span.tile_draws(batch, span.tile_of(batch)) is not None

    def prepare(self, model, batch):
        return None

    def loss_and_grad(self, model, batch, scale=1.0, undivided=False, prepared=None):
        return skipgram_windows.ns_tile_windows(model.params["W_in"], model.params["W_out"],
                                                batch, scale)

    def row_indices(self, model, batch, prepared=None):
        return {"W_in": span.input_rows(batch)}     # the tiles' output rows come from the step


class PathWindows(Windows):
    name = "windows on the centre's path, top levels summed"

    def applies(self, model, batch):
        return True

    def prepare(self, model, batch):
        return hierarchical_softmax.path_layout(model.tree, batch, model.dtype)

    def loss_and_grad(self, model, batch, scale=1.0, undivided=False, prepared=None):
        return skipgram_windows.hs_windows(model.params["W_in"], model.params["W_out"],
                                           model.tree, batch, scale, prepared)

    def row_indices(self, model, batch, prepared=None):
        paths = prepared if prepared is not None else self.prepare(model, batch)
        return {"W_in": span.context_rows(batch, paths.slots), "W_out": paths.out_index}

    def row_plans(self, model, batch, prepared=None):
        paths = prepared if prepared is not None else self.prepare(model, batch)
        return _plans(self.row_indices(model, batch, paths),
                      {"W_in": None if paths.slots is None else paths.slots.plan,
                       "W_out": paths.out_plan})


class SubwordRows(Kernel):
    """A word and its n-grams: each distinct word's and n-gram's rows once per batch."""

    name = "distinct subword rows"

    def prepare(self, model, batch):
        return subword_rows.subword_layout(model, batch)

    def loss_and_grad(self, model, batch, scale=1.0, undivided=False, prepared=None):
        return subword_rows.loss_and_grad(model, batch, scale, undivided, prepared)

    def row_indices(self, model, batch, prepared=None):
        return {"W_out": subword_rows.output_rows(batch)}     # W_in, W_ngram: merged, unique


class MergedFeatures(Kernel):
    """The classifier: document vectors by runs, n-gram rows merged, softmax buffered."""

    name = "merged feature rows"

    def loss_and_grad(self, model, batch, scale=1.0, undivided=False, prepared=None):
        return subword_rows.classifier_loss_and_grad(model, batch, scale)


class CooccurrenceEntries(Kernel):
    """GloVe's entries: weights and targets made ahead, rows scaled in place."""

    name = "co-occurrence entries"

    def prepare(self, model, batch):
        return glove_entries.entry_terms(model, batch)

    def loss_and_grad(self, model, batch, scale=1.0, undivided=False, prepared=None):
        return glove_entries.loss_and_grad(model, batch, scale, prepared)


#: model class -> its kernels, tried in order; none that applies: the reference.
KERNELS = {
    CBOW: (BufferedSoftmax(),), SkipGram: (BufferedSoftmax(),),
    CBOWNeg: (SharedGroups(), Averaged()), SkipGramNeg: (SharedGroups(),),
    CBOWHS: (TopBlock(),), SkipGramHS: (TopBlock(),),
    SkipGramNegWindow: (TileWindows(), SpreadWindows(), Windows()),
    SkipGramHSWindow: (PathWindows(),),
    FastTextSkipGram: (SubwordRows(),), FastTextCBOW: (SubwordRows(),),
    SupervisedSoftmax: (MergedFeatures(),), SupervisedNeg: (MergedFeatures(),),
    GloVeObjective: (CooccurrenceEntries(),),
}


def select(model, batch):
    """The kernel that trains ``model`` on ``batch``, or ``None``: the reference."""
    for kernel in KERNELS.get(type(model), ()):
        if kernel.applies(model, batch):
            return kernel
    return None


def update_rows(model, batch, scale, prepared=None):
    """``(loss, rows)`` of the trainer's step: the model's update rule
    (:meth:`Model.update_rows <w2v_numpy.models.base.Model.update_rows>`) computed by
    the kernel that fits the batch (with its :meth:`Kernel.prepare` work if given)."""
    kernel = select(model, batch)
    if kernel is None:
        return model.update_rows(batch, scale)
    return kernel.loss_and_grad(model, batch, scale, model.undivided_update, prepared)


def step(model, batch, alpha, plans=None, crowded=None, prepared=None, max_row_rate=None):
    """One in-place SGD step of ``model`` on ``batch``, by its kernel: the same update
    as ``model.step(batch, alpha, max_row_rate)`` (crowded rows bounded by
    :func:`~w2v_numpy.models.base.bound_crowded_rows` unless ``max_row_rate`` is
    ``None``). ``plans``, ``crowded`` and ``prepared``: :func:`step_plans` of this
    batch, made ahead (by default made here)."""
    model.check_batch(batch)
    if plans is None and prepared is None:
        # made here as the producer makes them: a kernel's own plans (rows listed in scatter
        # order) add in another order than plans made afresh, so the sums would differ
        plans, crowded_here, prepared = step_plans(model, batch)
        crowded = crowded_here if crowded is None else crowded
    loss, grads = update_rows(model, batch, -alpha, prepared)            # rows hold -alpha * grad
    if max_row_rate is not None:
        if crowded is None:
            crowded = crowding(model.update_counts(batch))
        bound_crowded_rows(grads, crowded, alpha, max_row_rate)
    apply_grad(model.params, grads, plans=plans, locked=model.locked)
    return loss


def prepare(model, batch):
    """The :meth:`Kernel.prepare` work of the kernel that fits the batch (``None``: none)."""
    kernel = select(model, batch)
    return None if kernel is None else kernel.prepare(model, batch)


def row_indices(model, batch, prepared=None):
    """``{param name: index}`` of the scatter-adds :func:`step` will do, where known ahead."""
    kernel = select(model, batch)
    return {} if kernel is None else kernel.row_indices(model, batch, prepared)


def _plans(indices, made=None):
    """A :class:`~w2v_numpy.backend.RowPlan` per entry of ``{name: index}`` (none on other
    backends); ``made``: plans the kernel already has (``None`` values: none)."""
    made = made or {}
    plans = {name: made.get(name) or row_plan(index) for name, index in indices.items()}
    return {name: plan for name, plan in plans.items() if plan is not None}


def row_plans(model, batch, prepared=None):
    """The :class:`~w2v_numpy.backend.RowPlan` of each of :func:`row_indices`, for
    ``step(model, batch, alpha, plans)``; made by the batch producer, off the training path."""
    kernel = select(model, batch)
    return {} if kernel is None else kernel.row_plans(model, batch, prepared)


def step_plans(model, batch):
    """``(plans, crowded, prepared)`` for ``step(model, batch, alpha, plans, crowded,
    prepared)``: the kernel's :meth:`Kernel.prepare` work, the scatter-adds'
    :func:`row_plans` and the rows' counts of
    :func:`~w2v_numpy.models.base.crowding`, none of which depends on the parameters
    or the learning rate, so the batch producer makes them ahead."""
    kernel = select(model, batch)
    if kernel is None:
        return {}, crowding(model.update_counts(batch)), None
    prepared = kernel.prepare(model, batch)
    return (kernel.row_plans(model, batch, prepared),
            crowding(model.update_counts(batch)), prepared)
