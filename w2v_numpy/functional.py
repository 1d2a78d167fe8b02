"""Small, numerically stable building blocks shared by the models.

All functions take the array module from :mod:`w2v_numpy.backend`, so they
work on NumPy or CuPy arrays alike.
"""
from .backend import get_xp


def sigmoid(x):
    r"""Logistic function :math:`\sigma(x) = 1 / (1 + e^{-x})`, stable for large ``|x|``.

    Notes
    -----
    For :math:`x \ge 0` it uses :math:`1/(1+e^{-x})`, for :math:`x < 0` the
    equal form :math:`e^{x}/(1+e^{x})`, so ``exp`` never sees a large
    positive argument.
    """
    xp = get_xp()
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def log_sigmoid(x):
    r""":math:`\log \sigma(x) = -\log(1 + e^{-x})`, without overflow.

    Notes
    -----
    Written as :math:`\min(x, 0) - \log(1 + e^{-|x|})`, which is exact and
    never exponentiates a positive number.
    """
    xp = get_xp()
    return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))


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
