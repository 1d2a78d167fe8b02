r"""Finite-difference gradient checking, written to be read.

The idea: for every parameter entry :math:`\theta_i`, nudge it both ways and
measure how the loss moves,

.. math:: \frac{\partial L}{\partial \theta_i} \approx
          \frac{L(\theta + \epsilon e_i) - L(\theta - \epsilon e_i)}{2\epsilon},

then compare with the hand-derived gradient. :func:`numeric_grad` and
:func:`check_gradient` work for any function of a dict of arrays (the GloVe
and FastText functions, a notebook's own formula); :func:`check` and
:func:`check_report` apply them to a model and a batch. The central
difference has error of order :math:`\epsilon^2`, so in float64 with
:math:`\epsilon = 10^{-6}` a correct gradient agrees to about 1e-8 or better;
a wrong one is usually off in the first or second digit.

The error reported is :math:`|num - ana| / \max(1, |num|, |ana|)`: relative
for large values, absolute for small ones (so an exact zero is not a problem).
"""
from dataclasses import dataclass

import numpy as np

from ..backend import to_numpy


@dataclass
class GradCheckReport:
    """Where the worst disagreement was.

    Attributes
    ----------
    max_error : float
    param : str          name of the parameter (e.g. "W_in")
    index : tuple        entry of that parameter, e.g. (row, column)
    numeric, analytic : float
    checked : int        number of entries compared
    """

    max_error: float
    param: str
    index: tuple
    numeric: float
    analytic: float
    checked: int

    def __str__(self):
        return (f"max relative error {self.max_error:.3e} at {self.param}{list(self.index)}: "
                f"numeric {self.numeric:.10g} vs analytic {self.analytic:.10g} "
                f"({self.checked} entries checked)")


def numeric_grad(loss_fn, params, eps=1e-6, entries=None):
    """Central-difference gradient of ``loss_fn(params)`` with respect to every array of ``params``.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(params) -> float``. It is called with ``params`` itself, whose
        arrays are nudged in place one entry at a time (and restored).
    params : dict of arrays
        Use float64 arrays: in float32 the differences drown in rounding.
    eps : float
        Step of the central difference.
    entries : dict or None
        ``{name: flat indices}`` to differentiate; ``None`` means every entry.

    Returns
    -------
    dict of float64 NumPy arrays
        Same keys and shapes as ``params``; entries not differentiated are NaN.
    """
    out = {}
    for name, param in params.items():
        grad = np.full(param.shape, np.nan)
        ids = np.arange(param.size) if entries is None else entries[name]
        for flat in ids:
            idx = np.unravel_index(int(flat), param.shape)
            old = float(param[idx])
            param[idx] = old + eps
            loss_plus = float(loss_fn(params))
            param[idx] = old - eps
            loss_minus = float(loss_fn(params))
            param[idx] = old
            grad[idx] = (loss_plus - loss_minus) / (2 * eps)
        out[name] = grad
    return out


def check_gradient(loss_fn, grad_fn, params, eps=1e-6, max_entries=None, seed=0):
    """Compare ``grad_fn(params)`` with central differences of ``loss_fn(params)``.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(params) -> float``.
    grad_fn : callable
        ``grad_fn(params) -> dict`` of dense gradients, same keys and shapes as ``params``.
    params : dict of arrays
        Float64 parameters; perturbed in place during the check and restored.
    eps : float
    max_entries : int or None
        Check only this many randomly chosen entries per parameter (all of
        them when ``None``, which is right for tiny problems).
    seed : int
        Which entries are chosen when ``max_entries`` is set.

    Returns
    -------
    GradCheckReport
        The worst entry by :math:`|num - ana| / \\max(1, |num|, |ana|)`.
    """
    analytic = {k: to_numpy(v) for k, v in grad_fn(params).items()}
    if set(analytic) != set(params):
        raise ValueError(f"grad_fn returned {sorted(analytic)}, params have {sorted(params)}")
    rng = np.random.default_rng(seed)
    entries = {}
    for name, param in params.items():
        entries[name] = np.arange(param.size)
        if max_entries is not None and param.size > max_entries:
            entries[name] = rng.choice(param.size, size=max_entries, replace=False)
    numeric = numeric_grad(loss_fn, params, eps, entries)
    worst = GradCheckReport(0.0, "", (), 0.0, 0.0, 0)
    for name, ids in entries.items():
        for flat in ids:
            idx = np.unravel_index(int(flat), params[name].shape)
            num, ana = float(numeric[name][idx]), float(analytic[name][idx])
            err = abs(num - ana) / max(1.0, abs(num), abs(ana))
            if err >= worst.max_error:
                worst = GradCheckReport(err, name, tuple(int(i) for i in idx), num, ana, 0)
    worst.checked = sum(len(ids) for ids in entries.values())
    return worst


def check_report(model, batch, eps=1e-6, max_entries=None, seed=0):
    """:func:`check_gradient` of ``model.grad(batch)`` against ``model.loss(batch)``.

    Works on a float64 copy of the model; ``model`` itself is not touched.
    Other arguments as in :func:`check_gradient`.
    """
    m = model.astype(np.float64)
    return check_gradient(lambda params: m.loss(batch), lambda params: m.grad(batch), m.params,
                          eps=eps, max_entries=max_entries, seed=seed)


def check(model, batch, eps=1e-6, verbose=False, **kwargs):
    """Maximum relative error between analytic and numeric gradients (float64).

    ``verbose=True`` prints where the worst entry is. Extra keyword arguments
    go to :func:`check_report`.
    """
    report = check_report(model, batch, eps=eps, **kwargs)
    if verbose:
        print(report)
    return report.max_error
