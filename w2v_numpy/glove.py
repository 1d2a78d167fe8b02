r"""GloVe, one step at a time: co-occurrence counts, the weighted least-squares
loss, its gradients and a plain SGD update.

Everything here is a small pure function on NumPy arrays, written to be read
next to the worked example in ``003_24886efe243728b3.txt`` (lines 5613-5912)
and the notebook ``notebooks/03_glove_step_by_step.ipynb``.

Notes
-----
For a word :math:`i` and a context word :math:`j` that co-occur
:math:`X_{ij} > 0` times, GloVe fits

.. math::

    L_{ij} = f(X_{ij})\,\bigl(w_i^\top \tilde w_j + b_i + \tilde b_j - t(X_{ij})\bigr)^2,
    \qquad
    f(x) = \begin{cases} (x / x_{max})^{\alpha} & x < x_{max} \\ 1 & \text{otherwise} \end{cases}

and the total loss is :math:`J = \sum_{X_{ij} > 0} L_{ij}`. The target is
:math:`t(x) = \log x` in the GloVe paper (``target="log"``); the worked
example of the reference document uses :math:`t(x) = \log(1 + x)`
(``target="log1p"``), which is also defined for :math:`x = 0`.

With :math:`e_{ij} = w_i^\top \tilde w_j + b_i + \tilde b_j - t(X_{ij})` and
the common factor :math:`g_{ij} = 2 f(X_{ij})\, e_{ij}` (``scale`` below):

.. math::

    \frac{\partial L_{ij}}{\partial w_i} = g_{ij}\,\tilde w_j, \qquad
    \frac{\partial L_{ij}}{\partial \tilde w_j} = g_{ij}\,w_i, \qquad
    \frac{\partial L_{ij}}{\partial b_i} = \frac{\partial L_{ij}}{\partial \tilde b_j} = g_{ij}

Symbol map to the document: its :math:`\mathbf v_i` is our :math:`w_i`
(row ``i`` of ``W``), its :math:`\mathbf v'_j` is :math:`\tilde w_j` (row
``j`` of ``W_ctx``), :math:`b_i, b_j` are ``b[i]``, ``b_ctx[j]``;
"prediction" is :math:`w_i^\top \tilde w_j + b_i + \tilde b_j`, "error" is
:math:`e_{ij}` and the "common factor" is :math:`g_{ij}`.

Parameters of a whole model are kept in a dict
``{"W": (V, d), "W_ctx": (V, d), "b": (V,), "b_ctx": (V,)}``
(see :func:`init_params`).
"""
from collections import defaultdict

import numpy as np

TARGETS = ("log", "log1p")


def weighting(x, x_max=100.0, alpha=0.75):
    r"""The GloVe weight :math:`f(x) = \min(1, (x/x_{max})^{\alpha})`.

    Parameters
    ----------
    x : float or array
        Co-occurrence counts (non-negative).
    x_max : float
        Count at which the weight saturates at 1 (100 in the GloVe paper).
    alpha : float
        Exponent (0.75 in the GloVe paper).

    Returns
    -------
    float array of the shape of ``x``; :math:`f(0) = 0`.
    """
    x = np.asarray(x, dtype=np.float64)
    return np.where(x < x_max, (np.maximum(x, 0.0) / x_max) ** alpha, 1.0)


def log_target(x, target="log"):
    r"""The regression target :math:`t(x)`: ``"log"`` gives :math:`\log x`,
    ``"log1p"`` gives :math:`\log(1 + x)`.

    Raises
    ------
    ValueError
        For an unknown ``target``, or ``target="log"`` with a count ``<= 0``
        (GloVe only trains on pairs that co-occur).
    """
    x = np.asarray(x, dtype=np.float64)
    if target == "log1p":
        return np.log1p(x)
    if target != "log":
        raise ValueError(f"target must be one of {TARGETS}, got {target!r}")
    if np.any(x <= 0):
        raise ValueError("target='log' needs X > 0; drop zero counts or use target='log1p'")
    return np.log(x)


def cooccurrence(sentences, window=1, symmetric=True, distance_weighting=False):
    r"""Count co-occurrences in sentences of token ids.

    Parameters
    ----------
    sentences : iterable of sequences of int
        Each sentence is a list (or array) of word ids; windows never cross
        sentence boundaries.
    window : int
        Radius: words up to ``window`` positions away are counted.
    symmetric : bool
        ``True`` counts context on both sides, so ``X`` is symmetric.
        ``False`` counts only context to the *left* of each word (as GloVe's
        ``cooccur`` tool with ``-symmetric 0``): ``X[i, j]`` then counts ``j``
        occurring before ``i``.
    distance_weighting : bool
        ``False`` adds 1 per co-occurrence. ``True`` adds :math:`1/k` for a
        pair ``k`` positions apart, which is what GloVe's ``cooccur`` does.

    Returns
    -------
    dict
        ``{(i, j): X_ij}`` holding only the non-zero entries (a sparse, COO-like
        structure); use :func:`to_dense` or :func:`to_coo` to convert.
    """
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    counts = defaultdict(float)
    for sentence in sentences:
        ids = [int(t) for t in sentence]
        for pos, word in enumerate(ids):
            for k in range(1, window + 1):
                if pos - k < 0:
                    break
                inc = 1.0 / k if distance_weighting else 1.0
                left = ids[pos - k]
                counts[(word, left)] += inc          # left context of `word`
                if symmetric:
                    counts[(left, word)] += inc      # `word` is right context of `left`
    return dict(counts)


def to_dense(counts, vocab_size):
    """The ``(V, V)`` float64 matrix of a :func:`cooccurrence` dict."""
    X = np.zeros((vocab_size, vocab_size))
    rows, cols, vals = to_coo(counts)
    X[rows, cols] = vals
    return X


def to_coo(counts):
    """Arrays ``(rows, cols, values)`` of a :func:`cooccurrence` dict, sorted by (row, col)."""
    keys = sorted(counts)
    rows = np.array([k[0] for k in keys], dtype=np.int64)
    cols = np.array([k[1] for k in keys], dtype=np.int64)
    vals = np.array([counts[k] for k in keys], dtype=np.float64)
    return rows, cols, vals


def pair_forward(w_i, w_j, b_i, b_j, x, x_max=100.0, alpha=0.75, target="log"):
    r"""Every forward quantity of :math:`L_{ij}`, for one pair or many.

    Parameters
    ----------
    w_i, w_j : array (d,) or (n, d)
        Word vector :math:`w_i` and context vector :math:`\tilde w_j`.
    b_i, b_j : float or array (n,)
        Biases :math:`b_i` and :math:`\tilde b_j`.
    x : float or array (n,)
        Co-occurrence counts :math:`X_{ij}`.
    x_max, alpha : float
        Parameters of :func:`weighting`.
    target : {"log", "log1p"}
        See :func:`log_target`.

    Returns
    -------
    dict
        ``dot``, ``prediction``, ``target``, ``error``, ``weight``
        (:math:`f`), ``loss`` (:math:`f e^2`) and ``scale``
        (:math:`g = 2 f e = \partial L / \partial \text{prediction}`), each of
        shape ``()`` or ``(n,)``.
    """
    dot = np.sum(np.asarray(w_i) * np.asarray(w_j), axis=-1)   # () or (n,)
    prediction = dot + b_i + b_j                                # () or (n,)
    t = log_target(x, target)
    error = prediction - t
    weight = weighting(x, x_max, alpha)
    return {"dot": dot, "prediction": prediction, "target": t, "error": error,
            "weight": weight, "loss": weight * error ** 2, "scale": 2.0 * weight * error}


def pair_loss_and_grad(w_i, w_j, b_i, b_j, x, x_max=100.0, alpha=0.75, target="log"):
    r"""Loss :math:`L_{ij}` and its gradients for one pair (or many, row-wise).

    Arguments as in :func:`pair_forward`.

    Returns
    -------
    loss : float or array (n,)
    grads : dict
        ``"w_i"``, ``"w_j"`` (shapes of the inputs) and ``"b_i"``, ``"b_j"``.
    """
    f = pair_forward(w_i, w_j, b_i, b_j, x, x_max, alpha, target)
    g = np.asarray(f["scale"])                                  # () or (n,)
    grads = {
        "w_i": g[..., None] * np.asarray(w_j),                  # (d,) or (n, d)
        "w_j": g[..., None] * np.asarray(w_i),                  # (d,) or (n, d)
        "b_i": g,                                               # () or (n,)
        "b_j": g,                                               # () or (n,)
    }
    return f["loss"], grads


def pair_sgd_update(w_i, w_j, b_i, b_j, x, lr, x_max=100.0, alpha=0.75, target="log"):
    """One SGD step on a single pair, without touching the inputs.

    All four gradients come from the old values. Returns
    ``(loss_before, w_i_new, w_j_new, b_i_new, b_j_new)``.
    """
    loss, g = pair_loss_and_grad(w_i, w_j, b_i, b_j, x, x_max, alpha, target)
    return (loss, w_i - lr * g["w_i"], w_j - lr * g["w_j"],
            b_i - lr * g["b_i"], b_j - lr * g["b_j"])


def init_params(vocab_size, vector_dim, seed=0, dtype=np.float64):
    """Parameters as GloVe's reference code starts them: every entry uniform in
    ``[-0.5/d, 0.5/d)``. Returns ``{"W", "W_ctx", "b", "b_ctx"}``."""
    rng = np.random.default_rng(seed)

    def draw(*shape):
        return ((rng.random(shape) - 0.5) / vector_dim).astype(dtype)

    return {"W": draw(vocab_size, vector_dim), "W_ctx": draw(vocab_size, vector_dim),
            "b": draw(vocab_size), "b_ctx": draw(vocab_size)}


def _batch_grads(params, rows, cols, x, x_max, alpha, target):
    """Per-pair loss and gradients of a batch of pairs (gathered rows)."""
    return pair_loss_and_grad(params["W"][rows], params["W_ctx"][cols],
                              params["b"][rows], params["b_ctx"][cols],
                              x, x_max, alpha, target)


def _scatter(out, rows, cols, g, factor):
    """``out[...] += factor * g`` row by row; repeated ids accumulate (``np.add.at``)."""
    np.add.at(out["W"], rows, factor * g["w_i"])                # (V, d) += (n, d)
    np.add.at(out["W_ctx"], cols, factor * g["w_j"])            # (V, d) += (n, d)
    np.add.at(out["b"], rows, factor * g["b_i"])                # (V,) += (n,)
    np.add.at(out["b_ctx"], cols, factor * g["b_j"])            # (V,) += (n,)


def loss_and_grad(params, rows, cols, x, x_max=100.0, alpha=0.75, target="log"):
    r"""Summed loss :math:`\sum_n L_{i_n j_n}` over many pairs and its dense gradients.

    Parameters
    ----------
    params : dict
        ``{"W": (V, d), "W_ctx": (V, d), "b": (V,), "b_ctx": (V,)}``.
    rows, cols : int arrays (n,)
        Word ids :math:`i` and context ids :math:`j` (repeats allowed).
    x : float array (n,)
        :math:`X_{ij}` of each pair.

    Returns
    -------
    loss : float
    grads : dict
        Same keys and shapes as ``params``. A row that occurs in several pairs
        receives the sum of their gradients (``np.add.at``).
    """
    loss, g = _batch_grads(params, rows, cols, x, x_max, alpha, target)
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    _scatter(grads, rows, cols, g, 1.0)
    return float(np.sum(loss)), grads


def sgd_step(params, rows, cols, x, lr, x_max=100.0, alpha=0.75, target="log"):
    """In-place SGD over a batch of pairs; returns the summed loss before the step.

    Only the touched rows change; repeated ids accumulate (``np.add.at``), and
    every gradient is computed from the parameters before the step.
    """
    loss, g = _batch_grads(params, rows, cols, x, x_max, alpha, target)
    _scatter(params, rows, cols, g, -lr)
    return float(np.sum(loss))
