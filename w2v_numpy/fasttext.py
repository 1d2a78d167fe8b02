r"""FastText, one step at a time: character n-grams, word and document
vectors, and the negative-sampling classification loss with its gradients.

The functions are small, pure and NumPy-only, written to be read next to the
worked example in ``003_24886efe243728b3.txt`` (lines 6227-6570) and the
notebook ``notebooks/04_fasttext_step_by_step.ipynb``.

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
"""
import numpy as np


def log_sigmoid(x):
    r"""Stable :math:`\log\sigma(x) = -\log(1 + e^{-x})`."""
    return -np.logaddexp(0.0, -np.asarray(x, dtype=np.float64))


def sigmoid(x):
    r"""Stable :math:`\sigma(x)`, as :math:`\exp(\log\sigma(x))`."""
    return np.exp(log_sigmoid(x))


def char_ngrams(word, minn=3, maxn=6, include_word=False, bow="<", eow=">"):
    """The character n-grams of ``bow + word + eow`` for ``minn <= n <= maxn``.

    Parameters
    ----------
    word : str
    minn, maxn : int
        Smallest and largest n-gram length (fastText's defaults are 3 and 6).
    include_word : bool
        Put the whole bracketed word ``<word>`` first (fastText keeps a vector
        for the word itself next to its n-grams). It is not added a second
        time when it is also an n-gram (``len(word) + 2 <= maxn``).
    bow, eow : str
        Boundary markers.

    Returns
    -------
    list of str
        Ordered by length, then by position. Every occurrence is kept, so an
        n-gram that appears twice in the word appears twice here (as in
        fastText). A lone boundary marker is never an n-gram.
    """
    if minn < 1 or maxn < minn:
        raise ValueError(f"need 1 <= minn <= maxn, got minn={minn}, maxn={maxn}")
    s = bow + word + eow
    grams = [s[i:i + n] for n in range(minn, maxn + 1) for i in range(len(s) - n + 1)]
    grams = [g for g in grams if g not in (bow, eow)]
    if include_word:
        grams = [s] + [g for g in grams if g != s]
    return grams


def build_ngram_table(words, minn=3, maxn=6, include_word=False):
    """A dict ``n-gram -> row id`` over the n-grams of ``words``, in first-seen order."""
    table = {}
    for word in words:
        for g in char_ngrams(word, minn, maxn, include_word):
            table.setdefault(g, len(table))
    return table


def ngram_ids(word, table, minn=3, maxn=6, include_word=False):
    """Row ids (int array) of the n-grams of ``word`` that are in ``table``;
    the others are dropped."""
    grams = char_ngrams(word, minn, maxn, include_word)
    return np.array([table[g] for g in grams if g in table], dtype=np.int64)


def _word_weights(ids, combine):
    """Weight :math:`a_w` of each n-gram of one word (empty word -> nothing)."""
    n = len(ids)
    if combine == "sum":
        return np.ones(n)
    if combine == "mean":
        return np.full(n, 1.0 / max(n, 1))
    raise ValueError(f"combine must be 'sum' or 'mean', got {combine!r}")


def word_vector(E, ids, combine="sum"):
    """Word vector from the rows ``ids`` of ``E`` (V_g, d): their sum or mean.

    A word with no n-gram in the table gets the zero vector.
    """
    ids = np.asarray(ids, dtype=np.int64)
    return _word_weights(ids, combine) @ E[ids]                    # (n,) @ (n, d) -> (d,)


def document_vector(E, doc, combine="sum"):
    """Mean of the word vectors of ``doc`` (a list of n-gram id arrays, one per word)."""
    return np.mean([word_vector(E, ids, combine) for ids in doc], axis=0)


def forward(E, U, doc, target, negatives, combine="sum"):
    r"""Every forward quantity of the classification loss.

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
    word_vectors = np.stack([word_vector(E, ids, combine) for ids in doc])   # (W, d)
    v_D = word_vectors.mean(axis=0)                                         # (d,)
    index = np.concatenate([[target], np.asarray(negatives, dtype=np.int64)]).astype(np.int64)
    scores = U[index] @ v_D                                                 # (1+K,)
    sign = np.where(np.arange(index.size) == 0, 1.0, -1.0)                  # (1+K,)
    losses = -log_sigmoid(sign * scores)                                    # (1+K,)
    return {"word_vectors": word_vectors, "v_D": v_D, "index": index, "scores": scores,
            "sigma": sigmoid(sign * scores), "losses": losses, "loss": float(losses.sum())}


def loss_and_grad(E, U, doc, target, negatives, combine="sum"):
    r"""Loss and gradients as row updates (arguments as in :func:`forward`).

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
    f = forward(E, U, doc, target, negatives, combine)
    index, v_D = f["index"], f["v_D"]
    gamma = sigmoid(f["scores"])                                            # (1+K,)
    gamma[0] -= 1.0                                                         # dL/ds
    dU = gamma[:, None] * v_D[None, :]                                      # (1+K, d)
    dv_D = gamma @ U[index]                                                 # (1+K,) @ (1+K, d) -> (d,)
    coef = np.concatenate([_word_weights(ids, combine) for ids in doc]) / len(doc)  # (n,)
    E_index = np.concatenate([np.asarray(ids, dtype=np.int64) for ids in doc])     # (n,)
    dE = coef[:, None] * dv_D[None, :]                                      # (n, d)
    return f["loss"], {"score_error": gamma, "U_index": index, "U_rows": dU,
                       "v_D": dv_D, "E_index": E_index, "E_rows": dE}


def to_dense(grads, E_shape, U_shape):
    """Dense ``{"E": E_shape, "U": U_shape}`` gradients from :func:`loss_and_grad` rows."""
    dense = {"E": np.zeros(E_shape), "U": np.zeros(U_shape)}
    np.add.at(dense["E"], grads["E_index"], grads["E_rows"])               # (V_g, d) += (n, d)
    np.add.at(dense["U"], grads["U_index"], grads["U_rows"])               # (C, d) += (1+K, d)
    return dense


def sgd_step(E, U, doc, target, negatives, lr, combine="sum"):
    """One in-place SGD step on ``E`` and ``U``; returns the loss before the step.

    Every gradient uses the old values (so :math:`\\delta_D` uses the old class
    vectors, as in the worked example); repeated ids accumulate.
    """
    loss, g = loss_and_grad(E, U, doc, target, negatives, combine)
    np.add.at(U, g["U_index"], -lr * g["U_rows"])                          # (C, d) += (1+K, d)
    np.add.at(E, g["E_index"], -lr * g["E_rows"])                          # (V_g, d) += (n, d)
    return loss
