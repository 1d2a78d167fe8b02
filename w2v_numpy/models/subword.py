r"""Skip-gram and CBOW with subword inputs: fastText's unsupervised models.

The output layer is negative sampling, exactly as in :mod:`w2v_numpy.models.cbow_neg`;
what changes is the input layer. One objective with a subword input layer
(rather than two files that would repeat it) reads better: the two types
differ only in how many words feed the hidden vector, which the batch already
says (one input slot for skip-gram, masked context slots for CBOW).

Notes
-----
Word :math:`w` has a word row :math:`v_w` (row of ``W_in``, (V, d)) and the
rows :math:`z_g` of its character n-grams :math:`g \in G_w` (rows of
``W_ngram``, (bucket, d); the ids are fastText's hashes, see
:func:`w2v_numpy.text.ngrams.subword_table`). fastText's input vector of a word
is the mean of all those rows:

.. math:: x_w = \frac{1}{1 + |G_w|}\Big(v_w + \sum_{g \in G_w} z_g\Big)

The hidden vector of an example with input words :math:`w_1..w_n` (one for
skip-gram, the context words for CBOW) is the mean of the union of their rows,
as fastText and gensim (``cbow_mean=1``) compute it, so a word with more
n-grams weighs more in a CBOW context; for one input word it is :math:`x_w`:

.. math::

    h = \frac{1}{N}\sum_{j=1}^{n}\Big(v_{w_j} + \sum_{g \in G_{w_j}} z_g\Big),
    \qquad N = \sum_{j=1}^{n} (1 + |G_{w_j}|)

The loss and :math:`\partial L/\partial h` are those of negative sampling
(:mod:`w2v_numpy.models.cbow_neg`, with this :math:`h`), and every row of the
example receives the same share:

.. math::

    \frac{\partial L}{\partial v_{w_j}} = \frac{1}{N}\frac{\partial L}{\partial h},
    \qquad
    \frac{\partial L}{\partial z_g} = \frac{m_g}{N}\frac{\partial L}{\partial h}

with :math:`m_g` the number of times row :math:`g` occurs in the example
(an n-gram twice in a word, two words sharing an n-gram, or two n-grams
hashed to one bucket): repeated rows add up (scatter-add).

Update rule. ``grad`` and the gradient check use the exact gradient above.
As a training rule fastText (``Model::update``) and gensim add the undivided
:math:`\alpha\,\partial L/\partial h` to every input row, an input learning
rate :math:`N` times larger; ``input_update="fasttext"`` (what the
:class:`w2v_numpy.fasttext.FastText` front door uses) does that in ``step``,
``"exact"`` (the model's default) keeps the true gradient, like ``cbow_update``
of the word2vec types.

Symbol map to ``003_24886efe243728b3.txt`` (lines 6227-6570): its
:math:`\mathbf v_g` are our :math:`z_g`, and its word vector
:math:`\mathbf v_{w}` is our :math:`x_w` with ``combine="mean"`` and the word's
own row counted as one more n-gram (fastText keeps that row; the document's
sum has none). Initialisation follows fastText: ``W_in`` and ``W_ngram``
uniform in :math:`[-1/d, 1/d)`, ``W_out`` zeros.

Computation: a batch gathers, sums and updates the rows of each *distinct*
input word once (:func:`expand`, :func:`merge_rows`), however many of its
examples share that word, and merges repeated n-gram rows before adding them.

Memory: ``W_ngram`` is ``bucket x d`` float32 (the default 2,000,000 x 100 is
800 MB). It is made in place in float32, never copied; a step touches only
the rows of its batch.
"""
import numpy as np

from ..backend import get_xp
from ..batching.batch import Batch
from ..errors import W2VError
from ..text.ngrams import subword_table
from . import cbow_neg
from .base import Model, RowGrad

#: ``step``'s rule for the input rows (see the module notes).
INPUT_UPDATES = ("exact", "fasttext")
#: fastText's (and gensim's) defaults.
MIN_N, MAX_N, BUCKET = 3, 6, 2_000_000


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
        slot_ex, words = xp.repeat(xp.arange(B), C), batch.inputs.reshape(-1)       # (S,)
    else:
        slot_ex, col = xp.nonzero(batch.mask)                                        # (S,) row-major
        words = batch.inputs[slot_ex, col]
    unique, slot_word = xp.unique(words, return_inverse=True)                        # (U,), (S,)
    first, count = ptr[unique], ptr[unique + 1] - ptr[unique]                        # (U,)
    ends = xp.cumsum(count)                                                          # (U,)
    owner = xp.repeat(xp.arange(unique.size), count)                                 # (G,) word of each n-gram
    ngrams = ids[xp.arange(int(ends[-1]) if ends.size else 0) - (ends - count)[owner] + first[owner]]
    return unique, slot_word.reshape(-1), slot_ex, ngrams, owner, 1 + count


def segment_sum(values, owner, n):
    """Row sums of ``values`` (m, d) per ``owner`` (sorted, in 0..n-1): (n, d), zeros where none.

    Each owner's rows are one run (an example's n-grams, some twenty rows), and
    ``add.reduceat`` sums runs of that length fast.
    """
    xp = get_xp()
    count = xp.bincount(owner, minlength=n)                                          # (n,)
    out = xp.zeros((n, values.shape[1]), dtype=values.dtype)
    some = count > 0
    if values.shape[0]:
        out[some] = xp.add.reduceat(values, (xp.cumsum(count) - count)[some], axis=0)
    return out


def merge_rows(index, source, owner, weight=None):
    """The rows ``source[owner[i]] (* weight[i])`` summed per id of ``index``:
    ``(unique ids, rows)``, so that they can be added with plain indexing
    (:class:`RowGrad` ``unique=True``) instead of the scatter-add, whose
    bookkeeping is a pass over every row of a table of millions.

    Sorted by id, most ids occur once: their row is taken as it is, and only the
    rest of each longer run is summed (``reduceat`` is slow on runs of one or two).
    The per-occurrence rows are gathered once, already in sorted order.
    """
    xp = get_xp()
    order = xp.argsort(index, kind="stable")                                         # (m,)
    ids = index[order]
    rows = source[owner[order]]                                                      # (m, d) sorted
    if weight is not None:
        rows *= weight[order][:, None].astype(rows.dtype)
    head = xp.concatenate([xp.ones(1, dtype=bool), ids[1:] != ids[:-1]])             # (m,) run starts
    starts = xp.flatnonzero(head)                                                    # (u,)
    out = rows[starts]                                                               # (u, d) first rows
    size = xp.diff(xp.append(starts, ids.size))                                      # (u,)
    multi = xp.flatnonzero(size > 1)                                                 # runs to sum
    if multi.size:
        rest = size[multi] - 1                                                       # (r,) rows after the first
        out[multi] += xp.add.reduceat(rows[~head], xp.cumsum(rest) - rest, axis=0)
    return ids[starts], out                                                          # (u,), (u, d)


class SubwordModel(Model):
    """Negative-sampling skip-gram or CBOW whose input is a word and its n-grams.

    Options: ``words`` (the vocabulary, id order; required: the n-grams come
    from the spelling), ``min_n``, ``max_n``, ``bucket`` (gensim's names and
    defaults), ``input_update`` (see the module notes). Parameters ``W_in``
    (V, d), ``W_ngram`` (bucket, d), ``W_out`` (V, d).
    """

    output_layer = "negative_sampling"
    input_layer = "subwords"
    #: One prediction per example, as the word-level ``pair`` formulation (issue 10's
    #: window batching is not done for the subword types).
    formulation = "pair"
    vectors_param = "W_in"
    input_update = "exact"

    def set_options(self, words=None, min_n=MIN_N, max_n=MAX_N, bucket=BUCKET,
                    input_update="exact"):
        if words is None:
            raise W2VError(f"{self.type_name} needs the vocabulary (words=...) for its n-grams")
        if input_update not in INPUT_UPDATES:
            raise W2VError(f"must be one of {INPUT_UPDATES}, got {input_update!r}",
                           param="input_update")
        self.min_n, self.max_n, self.bucket = int(min_n), int(max_n), int(bucket)
        self.input_update = input_update
        host_ptr, host_ids = subword_table(words, self.min_n, self.max_n, self.bucket)
        xp = get_xp()
        self.ptr, self.ids = xp.asarray(host_ptr), xp.asarray(host_ids)

    def param_shapes(self, vocab_size, vector_dim):
        if vocab_size != self.ptr.shape[0] - 1:
            raise W2VError(f"{self.type_name}: {self.ptr.shape[0] - 1} words for {vocab_size} rows")
        return {"W_in": (vocab_size, vector_dim), "W_ngram": (self.bucket, vector_dim),
                "W_out": (vocab_size, vector_dim)}

    def init_params(self, vocab_size, vector_dim, rng, dtype):
        shapes = self.param_shapes(vocab_size, vector_dim)
        out = {}
        for name in ("W_in", "W_ngram"):     # drawn in the target dtype: no float64 copy
            a = rng.random(shapes[name], dtype=np.float32 if dtype == np.float32 else np.float64)
            a = a.astype(dtype, copy=False)
            a *= 2
            a -= 1
            a /= vector_dim
            out[name] = a
        out["W_out"] = np.zeros(shapes["W_out"], dtype=dtype)
        return out

    def check_batch(self, batch):
        if batch.negatives is None:
            raise W2VError(f"{self.type_name}: the batch needs negatives (negative >= 1)")
        if self.batch_family == "sgram" and batch.inputs.shape[1] != 1:
            raise W2VError(f"{self.type_name}: skip-gram batches have one input per example")

    def hidden(self, batch):
        """``h`` (B, d), ``N`` (B,) rows per example, and the parts of :func:`expand`."""
        P = self.params
        unique, slot_word, slot_ex, ngrams, owner, rows = parts = expand(self.ptr, self.ids, batch)
        B = batch.inputs.shape[0]
        word_sum = P["W_in"][unique] + segment_sum(P["W_ngram"][ngrams], owner, unique.size)  # (U, d)
        N = get_xp().bincount(slot_ex, weights=rows[slot_word], minlength=B)        # (B,)
        if batch.mask is None and batch.inputs.shape[1] == 1:
            total = word_sum[slot_word]                                              # (B, d)
        else:
            total = segment_sum(word_sum[slot_word], slot_ex, B)                     # (B, d)
        return total / N[:, None].astype(total.dtype), N, parts                     # (B, d)

    def _output(self, batch, h):
        """The negative-sampling layer on ``h``: cbow_neg's, with each example's ``h``
        given as a one-row input table (row b is example b's only input)."""
        xp = get_xp()
        rows = xp.arange(h.shape[0])[:, None]
        return Batch(rows, None, batch.targets, batch.negatives)

    def forward(self, batch):
        """cbow_neg's intermediates (``h``, ``s``, ``loss``, ``g``, ``dh``, ...) for this ``h``."""
        h = self.hidden(batch)[0]
        return cbow_neg.forward(h, self.params["W_out"], self._output(batch, h))

    def loss_and_grad(self, batch, scale=1.0, undivided=False):
        """``undivided``: fastText's input update, every row the whole dL/dh, instead
        of the gradient (1/N of it); :meth:`update_rows` asks for it."""
        h, N, (unique, slot_word, slot_ex, ngrams, owner, _) = self.hidden(batch)
        loss, g = cbow_neg.loss_and_grad(h, self.params["W_out"], self._output(batch, h), scale)
        dh = g["W_in"].rows                                                          # (B, d) scale * dL/dh
        if undivided:
            rule = dh                                            # fastText: the undivided dL/dh
        else:
            rule = dh / N[:, None].astype(dh.dtype)              # (B, d) exact: 1/N to every row
        _, per_word = merge_rows(slot_word, rule, slot_ex)                           # (U, d) summed over slots
        return loss, {"W_in": RowGrad(unique, per_word, unique=True),                # (U,), (U, d)
                      "W_ngram": RowGrad(*merge_rows(ngrams, per_word, owner), unique=True),  # (u,), (u, d)
                      "W_out": g["W_out"]}                                           # (B(1+K),), (B(1+K), d)

    def update_rows(self, batch, scale):
        """The rows of ``step``: the input rows formed by ``input_update``'s rule."""
        return self.loss_and_grad(batch, scale, undivided=self.input_update == "fasttext")


class FastTextSkipGram(SubwordModel):
    """Skip-gram with subword inputs and negative sampling (``type="fasttext_sgram"``)."""

    type_name = "fasttext_sgram"
    batch_family = "sgram"


class FastTextCBOW(SubwordModel):
    """CBOW with subword inputs and negative sampling (``type="fasttext_cbow"``)."""

    type_name = "fasttext_cbow"
    batch_family = "cbow"
