r"""The fastText classifier as trained for real: word and hashed word-n-gram features,
softmax or negative-sampling loss.

:class:`w2v_numpy.models.fasttext_supervised.FastTextClassifier` is the worked example's
model (one table of n-gram rows); these are the ones
:mod:`w2v_numpy.classifier` trains on ``__label__X text`` lines.

Notes
-----
A document :math:`D` has features :math:`f \in F_D`: its in-vocabulary words
(rows of ``E``, (V, d)) and, with ``wordNgrams`` > 1, its hashed word n-grams
(rows of ``E_ngram``, (bucket, d)). A feature id :math:`f < V` is row
:math:`f` of ``E``; :math:`f \ge V` is row :math:`f - V` of ``E_ngram``, as
in fastText's single input matrix, stored here in two parts so that the
first one has one row per word. The document vector is the mean of its rows:

.. math:: v_D = \frac{1}{|F_D|}\sum_{f \in F_D} e_f

With class vectors :math:`u_c` (rows of ``U``) the loss of true class
:math:`c` is either the softmax loss

.. math::

    L = -\log\frac{e^{u_c^\top v_D}}{\sum_k e^{u_k^\top v_D}}, \qquad
    \frac{\partial L}{\partial u_k} = (p_k - y_k)\, v_D, \qquad
    \delta_D = \sum_k (p_k - y_k)\, u_k

(:mod:`w2v_numpy.models.cbow` with :math:`h = v_D` and the labels as the
vocabulary) or the negative-sampling loss of the worked example

.. math::

    L = -\log\sigma(u_c^\top v_D) - \sum_{k=1}^{K}\log\sigma(-u_{n_k}^\top v_D),
    \qquad \delta_D = \gamma_0 u_c + \sum_k \gamma_k u_{n_k}

(:mod:`w2v_numpy.models.cbow_neg`, with :math:`\gamma` its score errors). Either
way every feature row receives its share of :math:`\delta_D = \partial L/\partial v_D`:

.. math:: \frac{\partial L}{\partial e_f} = \frac{m_f}{|F_D|}\,\delta_D

(:math:`m_f` occurrences of :math:`f` in :math:`D`). fastText's supervised
update applies exactly this gradient (it divides by the number of inputs),
so ``step`` is plain SGD on it.

Symbol map to ``003_24886efe243728b3.txt`` (lines 6227-6570):
:math:`\mathbf v_D`, :math:`\mathbf u_c` and :math:`\delta_D` keep their
names; the document's n-gram vectors :math:`\mathbf v_g` are our feature rows.
Initialisation as fastText: ``E`` and ``E_ngram`` uniform in
:math:`[-1/d, 1/d)`, ``U`` zeros.
"""
import numpy as np

from ..backend import get_xp
from ..batching.batch import Batch
from ..errors import W2VError
from . import cbow, cbow_neg
from .base import Model, RowGrad
from .subword import merge_rows, segment_sum


class SupervisedModel(Model):
    """Base of the two classifier losses. Options: ``n_labels`` (>= 2), ``bucket``
    (rows of ``E_ngram``; 0 = words only)."""

    batch_family = "documents"
    vectors_param = "E"
    output_fn = None

    def set_options(self, n_labels=2, bucket=0):
        if int(n_labels) < 2:
            raise W2VError(f"must be >= 2, got {n_labels}", param="n_labels")
        if int(bucket) < 0:
            raise W2VError(f"must be >= 0, got {bucket}", param="bucket")
        self.n_labels, self.bucket = int(n_labels), int(bucket)

    def param_shapes(self, vocab_size, vector_dim):
        shapes = {"E": (vocab_size, vector_dim)}
        if self.bucket:
            shapes["E_ngram"] = (self.bucket, vector_dim)
        shapes["U"] = (self.n_labels, vector_dim)
        return shapes

    def init_params(self, vocab_size, vector_dim, rng, dtype):
        out = {}
        for name, shape in self.param_shapes(vocab_size, vector_dim).items():
            if name == "U":
                out[name] = np.zeros(shape, dtype=dtype)
                continue
            a = rng.random(shape, dtype=np.float32 if dtype == np.float32 else np.float64)
            a = a.astype(dtype, copy=False)
            a *= 2
            a -= 1
            a /= vector_dim
            out[name] = a
        return out

    def check_batch(self, batch):
        if self.uses_negatives and batch.negatives is None:
            raise W2VError(f"{self.type_name}: the batch needs negative labels")

    def _split(self, batch):
        """The batch's features as ``(param name, rows, weights, doc)`` per table."""
        V = self.vocab_size
        word = batch.ids < V
        parts = [("E", batch.ids[word], batch.weights[word], batch.doc[word])]
        if self.bucket:
            gram = ~word
            parts.append(("E_ngram", batch.ids[gram] - V, batch.weights[gram], batch.doc[gram]))
        elif not word.all():
            raise W2VError(f"{self.type_name}: feature ids >= {V} but no n-gram table (bucket 0)")
        return parts

    def document_vectors(self, batch):
        """:math:`v_D` (B, d): the weighted sum of each document's feature rows."""
        B = batch.targets.shape[0]
        v = None
        for name, rows, weights, doc in self._split(batch):
            part = segment_sum(weights[:, None].astype(self.dtype) * self.params[name][rows], doc, B)
            v = part if v is None else v + part                                     # (B, d)
        return v

    def _labels(self, batch, v):
        """The output layer's batch: example b's only input is row b of ``v``."""
        rows = get_xp().arange(v.shape[0])[:, None]
        return Batch(rows, None, batch.targets, batch.negatives if self.uses_negatives else None)

    def forward(self, batch):
        """The output layer's intermediates for :math:`h = v_D` (``h``, scores, ``loss``, ...),
        with ``v_D`` and ``dv_D`` (delta_D) under the document's names too."""
        v = self.document_vectors(batch)
        f = type(self).forward_fn(v, self.params["U"], self._labels(batch, v))
        f["v_D"], f["dv_D"] = f["h"], f["dh"]
        return f

    def loss_and_grad(self, batch, scale=1.0):
        v = self.document_vectors(batch)
        loss, g = type(self).output_fn(v, self.params["U"], self._labels(batch, v), scale)
        dv = g["W_in"].rows                                                         # (B, d) scale * delta_D
        grads = {name: RowGrad(rows, weights[:, None].astype(dv.dtype) * dv[doc])   # (n, d)
                 for name, rows, weights, doc in self._split(batch)}
        grads["U"] = g["W_out"]                                   # (B(1+K), d) rows, or dense (L, d)
        return loss, grads

    def adjust_update(self, batch, grads):
        if "E_ngram" in grads:              # merged first: see subword.merge_rows
            index, rows = grads["E_ngram"][:2]
            grads["E_ngram"] = RowGrad(*merge_rows(index, rows, get_xp().arange(index.size)),
                                       unique=True)

    def scores(self, batch):
        """Class scores :math:`u_k^\\top v_D` of every document, (B, n_labels)."""
        return self.document_vectors(batch) @ self.params["U"].T


class SupervisedSoftmax(SupervisedModel):
    """The classifier with a softmax over the labels (``type="supervised_softmax"``)."""

    type_name = "supervised_softmax"
    output_layer = "softmax"
    output_fn = staticmethod(cbow.loss_and_grad)
    forward_fn = staticmethod(cbow.forward)


class SupervisedNeg(SupervisedModel):
    """The classifier with negative sampling over the labels (``type="supervised_neg"``)."""

    type_name = "supervised_neg"
    output_layer = "negative_sampling"
    output_fn = staticmethod(cbow_neg.loss_and_grad)
    forward_fn = staticmethod(cbow_neg.forward)
