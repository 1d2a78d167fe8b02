r"""The input layer of fastText's unsupervised models: a word's row and its n-gram rows.

:mod:`.fasttext_sgram` and :mod:`.fasttext_cbow` are this input layer under
the negative-sampling output layer of :mod:`w2v_numpy.models.cbow_neg`. One
layer for both (rather than two files that would repeat it) reads better: the
two types differ only in how many words feed the hidden vector, which the
batch already says (one input slot for skip-gram, masked context slots for CBOW).

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

Symbol map to the textbook chapter's FastText sections (its theory, "Words
and n-grams" and "Forward and backward pass", and its worked example "Steps
2-4: word and document vectors") and to the lecture notes on text
representations, section "FastText": their n-gram vectors :math:`\mathbf v_g`
are our :math:`z_g`, and their word vector :math:`\mathbf v_w` is our
:math:`x_w` with the word's own row counted as one more n-gram and the sum
divided by the count (fastText keeps that row and takes the mean; the
documents' sum has neither). Initialisation follows fastText: ``W_in`` and
``W_ngram`` uniform in :math:`[-1/d, 1/d)`, ``W_out`` zeros.

The code below is the reference: :meth:`SubwordModel.loss_and_grad` lists
every row occurrence of every example and scatter-adds one gradient row per
occurrence. The trainer runs :mod:`w2v_numpy.kernels.subword_rows`, the same
numbers with each distinct word's rows gathered and merged once per batch.

Memory: ``W_ngram`` is ``bucket x d`` float32 (the default 2,000,000 x 100 is
800 MB). It is made in place in float32, never copied; a step touches only
the rows of its batch.

Derivation, step by step: docs/derivations/fasttext_subwords.md.
"""
import numpy as np

from ..backend import get_xp, scatter_add
from ..errors import W2VError
from ..text.ngrams import subword_table
from . import cbow_neg
from .base import Model, RowGrad
from .window import output_index

#: ``step``'s rule for the input rows (see the module notes).
INPUT_UPDATES = ("exact", "fasttext")
#: fastText's (and gensim's) defaults.
MIN_N, MAX_N, BUCKET = 3, 6, 2_000_000


def uniform_rows(shape, vector_dim, rng, dtype):
    """fastText's initial input rows: uniform in [-1/d, 1/d), drawn in ``dtype``
    and scaled in place (a float32 table of millions of rows is never copied)."""
    a = rng.random(shape, dtype=np.float32 if dtype == np.float32 else np.float64)
    a = a.astype(dtype, copy=False)
    a *= 2
    a -= 1
    a /= vector_dim
    return a


def input_rows(ptr, ids, batch):
    """Every input row of every example of ``batch``, one entry per occurrence.

    Returns
    -------
    words : (S,) the word (``W_in`` row) of each real input slot; ``word_ex`` (S,) its example
    grams : (G,) the n-gram (``W_ngram`` row) occurrences of those words; ``gram_ex`` (G,)
        their example
    """
    xp = get_xp()
    mask = xp.ones(batch.inputs.shape, dtype=bool) if batch.mask is None else batch.mask
    word_ex, col = xp.nonzero(mask)                                      # (S,) padding left out
    words = batch.inputs[word_ex, col]                                   # (S,)
    # word w's n-grams are ids[ptr[w]:ptr[w + 1]] (the table of text.ngrams.subword_table)
    spans = zip(ptr[words].tolist(), ptr[words + 1].tolist())
    grams = xp.concatenate([ids[:0]] + [ids[a:b] for a, b in spans])    # (G,)
    count = ptr[words + 1] - ptr[words]                                  # (S,) n-grams per slot
    return words, word_ex, grams, xp.repeat(word_ex, count)              # (S,), (S,), (G,), (G,)


class SubwordModel(Model):
    """Negative-sampling skip-gram or CBOW whose input is a word and its n-grams.

    Options: ``words`` (the vocabulary, id order; required: the n-grams come
    from the spelling), ``min_n``, ``max_n``, ``bucket`` (gensim's names and
    defaults), ``input_update`` (see the module notes). Parameters ``W_in``
    (V, d), ``W_ngram`` (bucket, d), ``W_out`` (V, d).
    """

    output_layer = "negative_sampling"
    input_layer = "subwords"
    #: One prediction per example, as the word-level ``pair`` formulation (the window
    #: form of skip-gram is not written for the subword types).
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
            raise W2VError(f"{self.type_name}: {self.ptr.shape[0] - 1} words for "
                           f"{vocab_size} rows")
        return {"W_in": (vocab_size, vector_dim), "W_ngram": (self.bucket, vector_dim),
                "W_out": (vocab_size, vector_dim)}

    def init_params(self, vocab_size, vector_dim, rng, dtype):
        shapes = self.param_shapes(vocab_size, vector_dim)
        return {"W_in": uniform_rows(shapes["W_in"], vector_dim, rng, dtype),
                "W_ngram": uniform_rows(shapes["W_ngram"], vector_dim, rng, dtype),
                "W_out": np.zeros(shapes["W_out"], dtype=dtype)}

    def check_batch(self, batch):
        if batch.negatives is None:
            raise W2VError(f"{self.type_name}: the batch needs negatives (negative >= 1)")
        if self.batch_family == "sgram" and batch.inputs.shape[1] != 1:
            raise W2VError(f"{self.type_name}: skip-gram batches have one input per example")

    def hidden(self, batch):
        """``h`` (B, d), ``N`` (B,) rows per example, and the rows of :func:`input_rows`."""
        xp, P = get_xp(), self.params
        words, word_ex, grams, gram_ex = rows = input_rows(self.ptr, self.ids, batch)
        B = batch.inputs.shape[0]
        total = xp.zeros((B, self.vector_dim), dtype=self.dtype)            # (B, d)
        scatter_add(total, word_ex, P["W_in"][words])                        # + v_w of each slot
        scatter_add(total, gram_ex, P["W_ngram"][grams])                     # + z_g of each n-gram
        N = xp.bincount(word_ex, minlength=B) + xp.bincount(gram_ex, minlength=B)   # (B,)
        return total / N[:, None].astype(total.dtype), N, rows               # (B, d)

    def forward(self, batch):
        """cbow_neg's intermediates (``index``, ``s``, ``loss``, ``g``, ``dh``, ...) for this
        ``h``, with ``h`` and ``N``."""
        h, N, _ = self.hidden(batch)
        return {"h": h, "N": N, **cbow_neg.forward(h, self.params["W_out"], batch)}

    def loss_and_grad(self, batch, scale=1.0, undivided=False):
        """``undivided``: fastText's input update, every row the whole dL/dh, instead
        of the gradient (1/N of it); :meth:`update_rows` asks for it."""
        h, N, (words, word_ex, grams, gram_ex) = self.hidden(batch)
        loss, dh, rows_out = cbow_neg.output_loss_and_grad(h, self.params["W_out"], batch, scale)
        # each row's share of scale * dL/dh: 1/N of it (the gradient), or all of it (fastText)
        share = dh if undivided else dh / N[:, None].astype(dh.dtype)      # (B, d)
        return loss, {"W_in": RowGrad(words, share[word_ex]),              # (S,), (S, d)
                      "W_ngram": RowGrad(grams, share[gram_ex]),           # (G,), (G, d)
                      "W_out": rows_out}                                   # (B(1+K),), (B(1+K), d)

    def update_counts(self, batch):
        """The rows each example updates (:meth:`Model.update_counts
        <w2v_numpy.models.base.Model.update_counts>`): the word rows of its real input
        slots, their n-gram rows, its output rows. The n-grams are listed once per
        distinct word, weighted by the word's slots, so a frequent word's n-grams are not
        gathered once per occurrence."""
        xp, inputs, mask = get_xp(), batch.inputs, batch.mask
        words = inputs.reshape(-1) if mask is None else inputs[mask]        # (S,)
        distinct, slots = xp.unique(words, return_counts=True)               # (U,), (U,)
        start, stop = self.ptr[distinct], self.ptr[distinct + 1]             # (U,) each
        length = stop - start                                                # (U,) n-grams per word
        first = xp.repeat(xp.cumsum(length) - length, length)                # (G,) position of its word's first
        grams = self.ids[xp.repeat(start, length) + xp.arange(int(length.sum())) - first]  # (G,)
        return {"W_in": (words, None),
                "W_ngram": (grams, xp.repeat(slots, length).astype(np.float64)),
                "W_out": (output_index(batch).reshape(-1), None)}

    @property
    def undivided_update(self):
        """Whether ``step`` gives every input row the undivided dL/dh
        (``input_update="fasttext"``)."""
        return self.input_update == "fasttext"
