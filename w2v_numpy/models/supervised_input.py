r"""The input layer of the fastText classifier: a document vector from its feature rows.

:mod:`.supervised_softmax` and :mod:`.supervised_neg` are this layer under
the two output layers of the word models (:mod:`w2v_numpy.models.cbow`'s
softmax and :mod:`w2v_numpy.models.cbow_neg`'s negative sampling), with the
labels in place of the vocabulary. They are the models that
:mod:`w2v_numpy.classifier` trains on ``__label__X text`` lines;
:class:`w2v_numpy.models.fasttext_supervised.FastTextClassifier` is the
worked example's model (one table of n-gram rows).

Notes
-----
A document :math:`D` has features :math:`f \in F_D`: its in-vocabulary words
(rows of ``E``, (V, d)) and, with ``wordNgrams`` > 1, its hashed word n-grams
(rows of ``E_ngram``, (bucket, d)). A feature id :math:`f < V` is row
:math:`f` of ``E``; :math:`f \ge V` is row :math:`f - V` of ``E_ngram``, as
in fastText's single input matrix, stored here in two parts so that the
first one has one row per word. The document vector is the mean of its rows
(the batch gives each occurrence its weight :math:`1/|F_D|`):

.. math:: v_D = \frac{1}{|F_D|}\sum_{f \in F_D} e_f

With class vectors :math:`u_c` (rows of ``U``) and
:math:`\delta_D = \partial L/\partial v_D` from the output layer, every
feature row receives its share:

.. math:: \frac{\partial L}{\partial e_f} = \frac{m_f}{|F_D|}\,\delta_D

(:math:`m_f` occurrences of :math:`f` in :math:`D`; repeated rows add up).
fastText's supervised update applies exactly this gradient (it divides by
the number of inputs), so ``step`` is plain SGD on it.

Symbol map to the textbook chapter's FastText sections (its theory, "Text
classification", and its worked example, "Steps 2-4: word and document
vectors" and "Backward pass", steps 2 and 3): :math:`\mathbf v_D`,
:math:`\mathbf u_c` and :math:`\delta_D` keep their names; the document's
n-gram vectors :math:`\mathbf v_g` are our feature rows :math:`e_f`.
Initialisation as fastText: ``E`` and ``E_ngram`` uniform in
:math:`[-1/d, 1/d)`, ``U`` zeros.

The code below is the reference: one gradient row per feature occurrence,
scatter-added. The trainer runs :mod:`w2v_numpy.kernels.subword_rows`, the
same numbers with the n-gram rows merged before they are added.
"""
import numpy as np

from ..backend import get_xp, scatter_add
from ..errors import W2VError
from .base import Model, RowGrad
from .subword_input import uniform_rows


class SupervisedModel(Model):
    """Base of the two classifier losses. Options: ``n_labels`` (>= 2), ``bucket``
    (rows of ``E_ngram``; 0 = words only). Subclasses give their output layer as
    ``output_fn(h, U, batch, scale) -> (loss, scale * dL/dh, U RowGrad)`` and
    ``forward_fn``."""

    batch_family = "documents"
    vectors_param = "E"
    output_fn = None
    forward_fn = None

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
        return {name: (np.zeros(shape, dtype=dtype) if name == "U"
                       else uniform_rows(shape, vector_dim, rng, dtype))
                for name, shape in self.param_shapes(vocab_size, vector_dim).items()}

    def check_batch(self, batch):
        if self.uses_negatives and batch.negatives is None:
            raise W2VError(f"{self.type_name}: the batch needs negative labels")

    def feature_rows(self, batch):
        """The batch's feature occurrences as ``(param name, rows, weights, doc)`` per table."""
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
        v = get_xp().zeros((batch.targets.shape[0], self.vector_dim), dtype=self.dtype)  # (B, d)
        for name, rows, weights, doc in self.feature_rows(batch):
            scatter_add(v, doc, weights[:, None].astype(self.dtype) * self.params[name][rows])
        return v

    def feature_grads(self, batch, dv):
        """``{name: RowGrad}`` of the feature rows from ``dv`` (B, d), ``scale`` times
        :math:`\\delta_D`: each occurrence gets its weight times its document's row."""
        return {name: RowGrad(rows, weights[:, None].astype(dv.dtype) * dv[doc])   # (n,), (n, d)
                for name, rows, weights, doc in self.feature_rows(batch)}

    def forward(self, batch):
        """The output layer's intermediates for :math:`h = v_D` (``h``, scores, ``loss``, ...),
        with ``v_D`` and ``dv_D`` (delta_D) under the document's names too."""
        v = self.document_vectors(batch)
        f = {"h": v, **type(self).forward_fn(v, self.params["U"], batch)}
        f["v_D"], f["dv_D"] = f["h"], f["dh"]
        return f

    def loss_and_grad(self, batch, scale=1.0):
        v = self.document_vectors(batch)                                   # (B, d)
        loss, dv, rows_U = type(self).output_fn(v, self.params["U"], batch, scale)  # dv: (B, d)
        grads = self.feature_grads(batch, dv)          # dv is scale * delta_D; (n,), (n, d) each
        grads["U"] = rows_U                            # (B(1+K),), (B(1+K), d) or dense (L, d)
        return loss, grads

    def scores(self, batch):
        """Class scores :math:`u_k^\\top v_D` of every document, (B, n_labels)."""
        return self.document_vectors(batch) @ self.params["U"].T
