"""The batch types: what each model family consumes (the batch contract).

Each objective consumes one of them, named by its class's ``batch_family``:
:class:`Batch` for the word2vec objectives (``"sgram"`` and ``"cbow"``),
:class:`CooccurrenceBatch` for GloVe (``"cooccurrence"``) and
:class:`DocumentBatch` for the fastText classifier (``"documents"``).
:mod:`w2v_numpy.batching`, which makes the word2vec batches, re-exports them.
"""
from typing import NamedTuple, Optional

import numpy as np


class Draws(NamedTuple):
    """Which examples of a batch share which draw of negatives.

    The sampler deals ``table`` (G, K) to the examples in one of two layouts:
    side by side (example ``b`` takes draw ``b // group``) or spread over the
    batch (example ``b`` takes draw ``b % G``). The batch's ``negatives`` (B, K)
    are the draws dealt out; this record says how, so that a kernel can use the
    sharing without looking at the values.
    """

    table: np.ndarray     # (G, K)  the draws
    group: int            # examples per draw (the last draw may have fewer)
    spread: bool          # True: example b takes draw b % G; False: draw b // group

    def index(self, B):
        """The draw of each of ``B`` examples, (B,)."""
        b = np.arange(B)
        return b % self.table.shape[0] if self.spread else b // self.group


class Batch(NamedTuple):
    """One batch of word2vec examples (the batch contract; see the README's "model contract").

    Attributes
    ----------
    inputs : int array (B, C)
        Input word ids: the centre word for skip-gram (C = 1), the context
        slots for CBOW.
    mask : bool array (B, C) or None
        Which input slots are real; ``None`` means all of them.
    targets : int array (B,)
        The word to predict: a context word (skip-gram) or the centre (CBOW).
    negatives : int array (B, K) or None
        Sampled negative words, or ``None`` for full-softmax models.
    span : int array (B + C,) or (B / m, m + C), or None
        Only for a context-slot batch of *consecutive* centre words (the
        batcher's corpus order, ``shuffle=False``): the ids of the stretch of
        sub-sampled text they come from, ``r = C // 2`` words of margin on each
        side (id 0 beyond a chunk's edge). Example ``b``'s centre is
        ``span[r + b]`` and its slot ``c`` is ``span[r + b + o_c]``, with
        ``o = slot_offsets(r)``, wherever ``mask`` is True. For a batch of
        shuffled runs of ``m`` consecutive windows (the batcher's
        ``run_length``), one such strip per run: example ``b`` is window
        ``b % m`` of strip ``b // m``. The models use it to gather each
        position's row once instead of once per window
        (:mod:`w2v_numpy.kernels.span`); ``None`` everywhere else. It is
        redundant: the other fields alone define the batch.
    draws : Draws or None
        Only when examples share draws of negatives (the batcher's
        ``shared_negatives``): which examples share which draw. Redundant like
        ``span``: ``negatives`` holds every example's own row either way, and
        the reference objectives read only that. The kernels of
        :mod:`w2v_numpy.kernels` read ``span`` and ``draws`` to pick a faster
        arrangement of the same arithmetic.
    """

    inputs: np.ndarray
    mask: Optional[np.ndarray]
    targets: np.ndarray
    negatives: Optional[np.ndarray]
    span: Optional[np.ndarray] = None
    draws: Optional[Draws] = None

    @property
    def size(self):
        """Number of examples (what the training loop counts and averages over)."""
        return int(self.targets.shape[0])


def span_text(ids, reach):
    """Example ids in text order with ``reach`` zeros each side (B + 2 reach,): example
    ``e``'s centre is position ``reach + e``, the text a ``span`` is cut from."""
    pad = np.zeros(reach, dtype=ids.dtype)
    return np.concatenate([pad, ids, pad])


def run_strips(text, starts, width):
    """The strips (len(starts), width) of :func:`span_text` output starting at the runs'
    first examples ``starts``. A short last run reads past the text's end, clipped
    into its zero margin."""
    at = starts[:, None] + np.arange(width)                                # (nt, width)
    return text[np.minimum(at, text.size - 1)]


def slot_offsets(reach):
    """The context offsets of the ``2 * reach`` slots of a window batch: ``-reach..-1, 1..reach``."""
    return np.concatenate([np.arange(-reach, 0), np.arange(1, reach + 1)])


class CooccurrenceBatch(NamedTuple):
    """Non-zero co-occurrence entries :math:`X_{ij}` for GloVe.

    Attributes
    ----------
    rows, cols : int arrays (n,)
        Word ids :math:`i` and context ids :math:`j`.
    counts : float array (n,)
        :math:`X_{ij}`.
    """

    rows: np.ndarray
    cols: np.ndarray
    counts: np.ndarray

    @property
    def size(self):
        """Number of entries."""
        return int(self.rows.shape[0])


class DocumentBatch(NamedTuple):
    """Labelled documents for the fastText classifier, flattened.

    Attributes
    ----------
    ids : int array (n,)
        Every feature (word or n-gram row) occurrence of every document.
    weights : float array (n,)
        Its share of its document vector (1/|D|, times 1/|G_w| for a mean of n-grams).
    doc : int array (n,)
        The example (0..B-1) each occurrence belongs to.
    targets : int array (B,)
        True label of each document.
    negatives : int array (B, K)
        Sampled negative labels.
    """

    ids: np.ndarray
    weights: np.ndarray
    doc: np.ndarray
    targets: np.ndarray
    negatives: np.ndarray

    @property
    def size(self):
        """Number of documents."""
        return int(self.targets.shape[0])
