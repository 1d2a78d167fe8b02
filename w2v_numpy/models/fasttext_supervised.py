r"""FastText, one step at a time: character n-grams, word and document
vectors, and the negative-sampling classification loss with its gradients.

The functions are small, pure and NumPy-only, written to be read next to the
textbook chapter's worked example «Аналитический пример FastText: Пошаговые
вычисления» (FastText computed step by step) and the notebook ``notebooks/08_fasttext_classifier.ipynb``.

Notes
-----
A word :math:`w` is represented by its set of character n-grams
:math:`G_w` (n-grams of ``<w>``, see :func:`char_ngrams`); each n-gram
:math:`g` has an input vector :math:`v_g` (row ``g`` of ``E``). The word
vector is either the sum (``combine="sum"``, as in the worked example) or the
mean (``combine="mean"``, as fastText's own ``getWordVector``) of them:

.. math::

    v_w = \sum_{g \in G_w} v_g \quad\text{or}\quad
    v_w = \frac{1}{|G_w|}\sum_{g \in G_w} v_g,
    \qquad
    v_D = \frac{1}{|D|}\sum_{w \in D} v_w .

For a document :math:`D` with true class :math:`c` and sampled negative
classes :math:`n_1..n_K` (class vectors :math:`u` are rows of ``U``):

.. math::

    L = -\log\sigma(u_c^\top v_D) - \sum_{k=1}^{K}\log\sigma(-u_{n_k}^\top v_D)

Writing :math:`s_0 = u_c^\top v_D`, :math:`s_k = u_{n_k}^\top v_D` and the
score errors :math:`\gamma_0 = \sigma(s_0) - 1`,
:math:`\gamma_k = \sigma(s_k) = 1 - \sigma(-s_k)`:

.. math::

    \frac{\partial L}{\partial u_c} = \gamma_0\, v_D, \qquad
    \frac{\partial L}{\partial u_{n_k}} = \gamma_k\, v_D, \qquad
    \delta_D = \frac{\partial L}{\partial v_D} = \gamma_0\, u_c + \sum_k \gamma_k\, u_{n_k}

.. math::

    \frac{\partial L}{\partial v_g} = \sum_{w \in D,\ g \in G_w} \frac{a_w}{|D|}\,\delta_D,
    \qquad a_w = 1 \text{ (sum) or } 1/|G_w| \text{ (mean)}

so an n-gram shared by two words of the document (or occurring twice in one
word) receives the term once per occurrence.

Symbol map to the document: :math:`\mathbf v_g`, :math:`\mathbf v_{w_i}`,
:math:`\mathbf v_D`, :math:`\mathbf u_c` and :math:`\delta_D` keep their
names; its :math:`p_{true} = \sigma(s_0)` and :math:`p_{neg_1} = \sigma(-s_1)`
are the ``"sigma"`` entries of :func:`forward`.

A document is given as a list with one int array of n-gram ids per word, so
any n-gram table can be used, including one that is not the true set of
n-grams of its words (the worked example's table is such a case).

Batches of documents are :class:`w2v_numpy.batching.DocumentBatch`: every
n-gram occurrence of every document flattened into ``ids``, with its weight
:math:`a_w/|D|` and the example it belongs to, so :math:`v_D` of the whole
batch is one weighted scatter-add and the n-gram gradient is one gather.
:class:`FastTextClassifier` trains on them behind the model contract; the
one-document functions below (:func:`forward`, :func:`loss_and_grad`,
:func:`sgd_step`) are that same code on a batch of one.

Derivation, step by step: docs/derivations/classifier.md.
"""
import numpy as np

from ..backend import get_xp, scatter_add
from ..batching import DocumentBatch
from ..errors import W2VError
from ..functional import log_sigmoid, sigmoid
from ..text.ngrams import (build_ngram_table, char_ngrams,  # noqa: F401 (part of this API)
                           ngram_ids)
from .base import Model, RowGrad, apply_grad, densify, drawn_by_rows

COMBINES = ("sum", "mean")


def _word_weights(ids, combine):
    """Weight :math:`a_w` of each n-gram of one word (empty word -> nothing)."""
    n = len(ids)
    if combine == "sum":
        return np.ones(n)
    if combine == "mean":
        return np.full(n, 1.0 / max(n, 1))
    raise W2VError(f"must be one of {COMBINES}, got {combine!r}", param="combine")


def word_vector(E, ids, combine="sum"):
    """Word vector from the rows ``ids`` of ``E`` (V_g, d): their sum or mean.

    A word with no n-gram in the table gets the zero vector.
    """
    ids = np.asarray(ids, dtype=np.int64)
    return _word_weights(ids, combine) @ E[ids]                    # (n,) @ (n, d) -> (d,)


def document_vector(E, doc, combine="sum"):
    """Mean of the word vectors of ``doc`` (a list of n-gram id arrays, one per word)."""
    return np.mean([word_vector(E, ids, combine) for ids in doc], axis=0)


def make_batch(docs, targets, negatives, combine="sum"):
    """A :class:`DocumentBatch` from documents given as lists of n-gram id arrays.

    Parameters
    ----------
    docs : list of documents, each a list of int arrays (one per word)
    targets : int sequence (B,)
    negatives : int array (B, K)
    combine : {"sum", "mean"}
    """
    ids, weights, owner = [], [], []
    for b, doc in enumerate(docs):
        if len(doc) == 0:
            raise W2VError(f"document {b} has no words")
        for word in doc:
            ids.append(np.asarray(word, dtype=np.int64))
            weights.append(_word_weights(word, combine) / len(doc))
            owner.append(np.full(len(word), b, dtype=np.int64))
    return DocumentBatch(np.concatenate(ids), np.concatenate(weights), np.concatenate(owner),
                         np.asarray(targets, dtype=np.int64),
                         np.asarray(negatives, dtype=np.int64).reshape(len(docs), -1))


def batch_forward(E, U, batch):
    """Intermediates for a :class:`DocumentBatch`: ``v_D`` (B, d), ``index`` (B, 1+K)
    (true class first), ``U_rows`` (B, 1+K, d), ``scores`` (B, 1+K), ``sigma``
    (B, 1+K) (:math:`\\sigma(s_0)`, then :math:`\\sigma(-s_k)`), ``losses`` (B, 1+K),
    ``loss`` (B,), and the first step back: ``gamma`` (B, 1+K) = dL/ds and
    ``dv_D`` (B, d) = :math:`\\delta_D` = dL/dv_D."""
    xp = get_xp()
    B = batch.targets.shape[0]
    v_D = xp.zeros((B, E.shape[1]), dtype=E.dtype)                          # (B, d)
    scatter_add(v_D, batch.doc, batch.weights[:, None] * E[batch.ids])      # sum_g a_g v_g per document
    index = xp.concatenate([batch.targets[:, None], batch.negatives], axis=1)  # (B, 1+K)
    U_rows = U[index]                                                       # (B, 1+K, d)
    scores = (U_rows @ v_D[:, :, None])[:, :, 0]                            # (B, 1+K)
    signed = scores.copy()
    signed[:, 1:] *= -1                                                     # s_0, -s_k
    losses = -log_sigmoid(signed)                                           # (B, 1+K)
    gamma = sigmoid(scores)                                                 # (B, 1+K)
    gamma[:, 0] -= 1.0                                                      # dL/ds
    dv_D = (gamma[:, None, :] @ U_rows)[:, 0, :]                            # (B, 1+K) @ (B, 1+K, d) -> (B, d)
    return {"v_D": v_D, "index": index, "U_rows": U_rows, "scores": scores,
            "sigma": sigmoid(signed), "losses": losses, "loss": losses.sum(axis=1),
            "gamma": gamma, "dv_D": dv_D}


def sparse_grad(E, U, batch, scale=1.0):
    """Summed loss of a :class:`DocumentBatch` and ``scale`` times its gradient.

    Returns ``(loss, {"E": RowGrad, "U": RowGrad}, gamma (B, 1+K), dv_D (B, d))``;
    the last two are the score errors and :math:`\\delta_D` (unscaled), for teaching.
    """
    f = batch_forward(E, U, batch)
    gamma, dv_D = f["gamma"], f["dv_D"]                                     # (B, 1+K), (B, d)
    dU = (scale * gamma)[:, :, None] * f["v_D"][:, None, :]                 # (B, 1+K, d)
    dE = (scale * batch.weights)[:, None] * dv_D[batch.doc]                 # (n, d)
    d = E.shape[1]
    grads = {"E": RowGrad(batch.ids, dE), "U": RowGrad(f["index"].reshape(-1), dU.reshape(-1, d))}
    return float(f["loss"].sum(dtype=np.float64)), grads, gamma, dv_D


def forward(E, U, doc, target, negatives, combine="sum"):
    r"""Every forward quantity of the classification loss for one document.

    Parameters
    ----------
    E : array (V_g, d)
        n-gram input vectors.
    U : array (n_classes, d)
        Class vectors.
    doc : list of int arrays
        n-gram ids of each word of the document.
    target : int
        True class.
    negatives : sequence of int (K,)
        Sampled negative classes.
    combine : {"sum", "mean"}
        How n-gram vectors make a word vector.

    Returns
    -------
    dict
        ``word_vectors`` (W, d), ``v_D`` (d,), ``index`` (1+K,) (target first),
        ``scores`` (1+K,) :math:`s_k = u_k^\top v_D`, ``sigma`` (1+K,) with
        :math:`\sigma(s_0)` then :math:`\sigma(-s_k)`, ``losses`` (1+K,) the
        terms :math:`-\log\sigma(\pm s_k)` and ``loss`` (their sum).
    """
    f = batch_forward(E, U, make_batch([doc], [target], [negatives], combine))
    out = {k: f[k][0] for k in ("v_D", "index", "scores", "sigma", "losses")}
    out["word_vectors"] = np.stack([word_vector(E, ids, combine) for ids in doc])  # (W, d)
    out["loss"] = float(f["loss"][0])
    return out


def loss_and_grad(E, U, doc, target, negatives, combine="sum"):
    r"""Loss and gradients as row updates for one document (arguments as in :func:`forward`).

    Returns
    -------
    loss : float
    grads : dict
        ``score_error`` (1+K,) :math:`\gamma`; ``U_index`` (1+K,) and
        ``U_rows`` (1+K, d) (gradient of each listed class vector, true class
        first); ``v_D`` (d,) :math:`\delta_D`; ``E_index`` (n,) and ``E_rows``
        (n, d), one row per n-gram occurrence in the document. Repeated ids
        must be summed (see :func:`to_dense`, :func:`sgd_step`).
    """
    loss, g, gamma, dv_D = sparse_grad(E, U, make_batch([doc], [target], [negatives], combine))
    return loss, {"score_error": gamma[0], "U_index": g["U"].index, "U_rows": g["U"].rows,
                  "v_D": dv_D[0], "E_index": g["E"].index, "E_rows": g["E"].rows}


def to_dense(grads, E_shape, U_shape):
    """Dense ``{"E": E_shape, "U": U_shape}`` gradients from :func:`loss_and_grad` rows."""
    params = {"E": np.zeros(E_shape), "U": np.zeros(U_shape)}
    return densify(params, {"E": RowGrad(grads["E_index"], grads["E_rows"]),
                            "U": RowGrad(grads["U_index"], grads["U_rows"])})


def sgd_step(E, U, doc, target, negatives, lr, combine="sum"):
    """One in-place SGD step on ``E`` and ``U``; returns the loss before the step.

    Every gradient uses the old values (so :math:`\\delta_D` uses the old class
    vectors, as in the worked example); repeated ids accumulate.
    """
    loss, grads, _, _ = sparse_grad(E, U, make_batch([doc], [target], [negatives], combine), -lr)
    apply_grad({"E": E, "U": U}, grads)
    return loss


class FastTextClassifier(Model):
    """The fastText classifier with negative sampling (``type="fasttext_supervised"``).

    Parameters ``E`` (one row per word or n-gram feature, ``vocab_size`` rows)
    and ``U`` (one row per label, ``n_labels`` rows). A batch is a
    :class:`w2v_numpy.batching.DocumentBatch` (see :func:`make_batch`). ``E``
    starts uniform in :math:`[-1/d, 1/d)` as in fastText, ``U`` at zero.
    """

    type_name = "fasttext_supervised"
    batch_family = "documents"
    output_layer = "negative_sampling"
    vectors_param = "E"

    def set_options(self, n_labels=2):
        if int(n_labels) < 2:
            raise W2VError(f"must be >= 2, got {n_labels}", param="n_labels")
        self.n_labels = int(n_labels)

    def param_shapes(self, vocab_size, vector_dim):
        return {"E": (vocab_size, vector_dim), "U": (self.n_labels, vector_dim)}

    def init_params(self, vocab_size, vector_dim, rng, dtype):
        E = drawn_by_rows(rng, (vocab_size, vector_dim), dtype, lambda r: (2 * r - 1) / vector_dim)
        return {"E": E, "U": np.zeros((self.n_labels, vector_dim), dtype=dtype)}

    def check_batch(self, batch):
        if batch.negatives is None:
            raise W2VError(f"{self.type_name}: the batch needs negative labels")

    def forward(self, batch):
        """The named intermediates of :func:`batch_forward` for this model's parameters."""
        return batch_forward(self.params["E"], self.params["U"], batch)

    def loss_and_grad(self, batch, scale=1.0):
        return sparse_grad(self.params["E"], self.params["U"], batch, scale)[:2]
