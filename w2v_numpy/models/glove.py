r"""GloVe, one step at a time: co-occurrence counts, the weighted least-squares
loss, its gradients and a plain SGD update.

Everything here is a small pure function on NumPy arrays, written to be read
next to the textbook chapter's worked example «Аналитический пример модели
GloVe: Пошаговые вычисления» (GloVe computed step by step) and the notebook ``notebooks/06_glove_step_by_step.ipynb``.

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
(see :func:`init_params`). :class:`GloVeObjective` holds them behind the model
contract; its batches are :class:`w2v_numpy.batching.CooccurrenceBatch`
entries, and its gradient is the same one sparse gradient as every other
objective's (:func:`sparse_grad`), which the pair and batch functions here
reuse.

Derivation, step by step: docs/derivations/glove.md.
"""
import numpy as np

from ..backend import get_xp
from ..errors import W2VError
from ..text.cooccurrence import (cooccurrence, to_coo,  # noqa: F401 (part of this module's API)
                                 to_dense)
from .base import Model, RowGrad, apply_grad, densify, drawn_by_rows

TARGETS = ("log", "log1p")
#: Count at which the weight f(x) saturates at 1 (the GloVe paper's x_max).
X_MAX = 100.0
#: Exponent of the weight f(x) (the GloVe paper's alpha).
ALPHA = 0.75


def weighting(x, x_max=X_MAX, alpha=ALPHA):
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
    xp = get_xp()
    x = xp.asarray(x, dtype=xp.float64)
    return xp.where(x < x_max, (xp.maximum(x, 0.0) / x_max) ** alpha, 1.0)


def log_target(x, target="log"):
    r"""The regression target :math:`t(x)`: ``"log"`` gives :math:`\log x`,
    ``"log1p"`` gives :math:`\log(1 + x)`.

    Raises
    ------
    ValueError
        For an unknown ``target``, or ``target="log"`` with a count ``<= 0``
        (GloVe only trains on pairs that co-occur).
    """
    xp = get_xp()
    x = xp.asarray(x, dtype=xp.float64)
    if target == "log1p":
        return xp.log1p(x)
    if target != "log":
        raise W2VError(f"must be one of {TARGETS}, got {target!r}", param="target")
    if bool(xp.any(x <= 0)):
        raise W2VError("target='log' needs X > 0; drop zero counts or use target='log1p'")
    return xp.log(x)


def pair_forward(w_i, w_j, b_i, b_j, x, x_max=X_MAX, alpha=ALPHA, target="log"):
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
    xp = get_xp()
    w_i, w_j = xp.asarray(w_i), xp.asarray(w_j)
    dot = xp.sum(w_i * w_j, axis=-1)                            # () or (n,)
    prediction = dot + b_i + b_j                                # () or (n,)
    t = log_target(x, target)
    error = prediction - t
    weight = weighting(x, x_max, alpha)
    return {"dot": dot, "prediction": prediction, "target": t, "error": error,
            "weight": weight, "loss": weight * error ** 2, "scale": 2.0 * weight * error}


def pair_loss_and_grad(w_i, w_j, b_i, b_j, x, x_max=X_MAX, alpha=ALPHA, target="log"):
    r"""Loss :math:`L_{ij}` and its gradients for one pair (or many, row-wise).

    Arguments as in :func:`pair_forward`.

    Returns
    -------
    loss : float or array (n,)
    grads : dict
        ``"w_i"``, ``"w_j"`` (shapes of the inputs) and ``"b_i"``, ``"b_j"``.
    """
    f = pair_forward(w_i, w_j, b_i, b_j, x, x_max, alpha, target)
    # The weights and targets come in float64; the gradient takes the vectors' dtype, so
    # that float32 training adds float32 rows (a float64 scatter-add into float32 is slow).
    xp = get_xp()
    w_i, w_j = xp.asarray(w_i), xp.asarray(w_j)
    g = xp.asarray(f["scale"], dtype=xp.result_type(w_i, w_j))  # () or (n,)
    grads = {
        "w_i": g[..., None] * w_j,                              # (d,) or (n, d)
        "w_j": g[..., None] * w_i,                              # (d,) or (n, d)
        "b_i": g,                                               # () or (n,)
        "b_j": g,                                               # () or (n,)
    }
    return f["loss"], grads


def pair_sgd_update(w_i, w_j, b_i, b_j, x, lr, x_max=X_MAX, alpha=ALPHA, target="log"):
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
    return _draw_params(vocab_size, vector_dim, np.random.default_rng(seed), dtype)


def _draw_params(vocab_size, vector_dim, rng, dtype):
    def draw(*shape):
        return drawn_by_rows(rng, shape, dtype, lambda r: (r - 0.5) / vector_dim)

    return {"W": draw(vocab_size, vector_dim), "W_ctx": draw(vocab_size, vector_dim),
            "b": draw(vocab_size), "b_ctx": draw(vocab_size)}


def sparse_grad(params, rows, cols, x, scale=1.0, x_max=X_MAX, alpha=ALPHA, target="log"):
    """Summed loss over the pairs and ``scale`` times its gradient as row updates.

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
    grads : dict of :class:`w2v_numpy.models.base.RowGrad`
        ``W`` and ``b`` at ``rows``, ``W_ctx`` and ``b_ctx`` at ``cols``.
    """
    loss, g = pair_loss_and_grad(params["W"][rows], params["W_ctx"][cols],
                                 params["b"][rows], params["b_ctx"][cols],
                                 x, x_max, alpha, target)
    return float(get_xp().sum(loss)), {
        "W": RowGrad(rows, scale * g["w_i"]),                   # (n,), (n, d)
        "W_ctx": RowGrad(cols, scale * g["w_j"]),               # (n,), (n, d)
        "b": RowGrad(rows, scale * g["b_i"]),                   # (n,), (n,)
        "b_ctx": RowGrad(cols, scale * g["b_j"]),               # (n,), (n,)
    }


def loss_and_grad(params, rows, cols, x, x_max=X_MAX, alpha=ALPHA, target="log"):
    r"""Summed loss :math:`\sum_n L_{i_n j_n}` over many pairs and its dense gradients.

    Arguments as in :func:`sparse_grad`. A row that occurs in several pairs
    receives the sum of their gradients.

    Returns
    -------
    loss : float
    grads : dict
        Same keys and shapes as ``params``.
    """
    loss, grads = sparse_grad(params, rows, cols, x, 1.0, x_max, alpha, target)
    return loss, densify(params, grads)


def sgd_step(params, rows, cols, x, lr, x_max=X_MAX, alpha=ALPHA, target="log"):
    """In-place SGD over a batch of pairs; returns the summed loss before the step.

    Only the touched rows change; repeated ids accumulate, and every gradient
    is computed from the parameters before the step.
    """
    loss, grads = sparse_grad(params, rows, cols, x, -lr, x_max, alpha, target)
    apply_grad(params, grads)
    return loss


class GloVeObjective(Model):
    r"""GloVe's weighted least squares behind the model contract (``type="glove"``).

    A batch is a :class:`w2v_numpy.batching.CooccurrenceBatch`
    ``(rows, cols, counts)`` of non-zero entries :math:`X_{ij}`; the loss is
    :math:`\sum f(X_{ij})(w_i^\top \tilde w_j + b_i + \tilde b_j - t(X_{ij}))^2`
    over them. Options: ``x_max``, ``alpha`` (the weighting exponent, not a
    learning rate) and ``target`` (``"log"`` or ``"log1p"``).
    """

    type_name = "glove"
    batch_family = "cooccurrence"
    output_layer = None
    vectors_param = "W"

    def set_options(self, x_max=X_MAX, alpha=ALPHA, target="log"):
        if not x_max > 0 or not alpha > 0:
            raise W2VError(f"x_max and alpha must be > 0, got {x_max}, {alpha}")
        if target not in TARGETS:
            raise W2VError(f"must be one of {TARGETS}, got {target!r}", param="target")
        self.x_max, self.alpha, self.target = float(x_max), float(alpha), target

    def param_shapes(self, vocab_size, vector_dim):
        return {"W": (vocab_size, vector_dim), "W_ctx": (vocab_size, vector_dim),
                "b": (vocab_size,), "b_ctx": (vocab_size,)}

    def init_params(self, vocab_size, vector_dim, rng, dtype):
        return _draw_params(vocab_size, vector_dim, rng, dtype)

    def forward(self, batch):
        """The named intermediates of :func:`pair_forward` for every entry of the batch."""
        P = self.params
        return pair_forward(P["W"][batch.rows], P["W_ctx"][batch.cols], P["b"][batch.rows],
                            P["b_ctx"][batch.cols], batch.counts, self.x_max, self.alpha,
                            self.target)

    def loss_and_grad(self, batch, scale=1.0):
        return sparse_grad(self.params, batch.rows, batch.cols, batch.counts, scale,
                           self.x_max, self.alpha, self.target)

    def update_counts(self, batch):
        """Each entry updates ``W`` and ``b`` at its word, ``W_ctx`` and ``b_ctx`` at its
        context word (the indices of :func:`sparse_grad`'s rows)."""
        return {"W": (batch.rows, None), "W_ctx": (batch.cols, None),
                "b": (batch.rows, None), "b_ctx": (batch.cols, None)}
