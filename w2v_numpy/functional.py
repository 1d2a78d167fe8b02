"""Small, numerically stable building blocks shared by the models.

All functions take the array module from :mod:`w2v_numpy.backend`, so they
work on NumPy or CuPy arrays alike.
"""
import numpy as np

from .backend import get_xp


def sigmoid(x):
    r"""Logistic function :math:`\sigma(x) = 1 / (1 + e^{-x})`, safe for large ``|x|``.

    Notes
    -----
    For a very negative ``x``, :math:`e^{-x}` overflows to infinity and
    :math:`1/(1+\infty) = 0`, which is the right limit, so the plain formula
    never gives a NaN; only NumPy's overflow warning has to be silenced. (The
    textbook two-branch form, :math:`e^{x}/(1+e^{x})` for negative ``x``,
    gives the same numbers but costs five times more in NumPy, because
    choosing between the branches element by element is slow.)
    """
    xp = get_xp()
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + xp.exp(-x))


def log_sigmoid(x):
    r""":math:`\log \sigma(x) = -\log(1 + e^{-x})`, without overflow.

    Notes
    -----
    Written as :math:`\min(x, 0) - \log(1 + e^{-|x|})`, which is exact and
    never exponentiates a positive number. ``log(1 + e)`` rather than
    ``log1p(e)``: NumPy's float32 ``log1p`` is not vectorised (about eight
    times slower than ``log``). With :math:`e \le 1` the plain form's error
    is below the rounding of a number near 1 (about 1e-7 in float32, 1e-16 in
    float64): the relative accuracy for tiny results is lost, not the
    accuracy a summed loss needs.
    """
    xp = get_xp()
    return xp.minimum(x, 0) - xp.log(1.0 + xp.exp(-xp.abs(x)))


def log_softmax(z, axis=-1):
    r"""Log of the softmax along ``axis``: :math:`z_j - \log\sum_k e^{z_k}`.

    Notes
    -----
    The maximum is subtracted first (log-sum-exp trick), which changes
    nothing mathematically and keeps every exponent :math:`\le 0`.
    """
    xp = get_xp()
    zmax = z.max(axis=axis, keepdims=True)
    shifted = z - zmax
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(z, axis=-1):
    r"""Softmax :math:`e^{z_j} / \sum_k e^{z_k}` along ``axis`` (stable)."""
    xp = get_xp()
    return xp.exp(log_softmax(z, axis=axis))
