r"""Finite-difference gradient checking, written to be read.

The idea: for every parameter entry :math:`\theta_i`, nudge it both ways and
measure how the loss moves,

.. math:: \frac{\partial L}{\partial \theta_i} \approx
          \frac{L(\theta + \epsilon e_i) - L(\theta - \epsilon e_i)}{2\epsilon},

then compare with the hand-derived gradient from ``model.grad``. The central
difference has error of order :math:`\epsilon^2`, so in float64 with
:math:`\epsilon = 10^{-6}` a correct gradient agrees to about 1e-8 or better;
a wrong one is usually off in the first or second digit.

The error reported is :math:`|num - ana| / \max(1, |num|, |ana|)`: relative
for large values, absolute for small ones (so an exact zero is not a problem).
"""
from dataclasses import dataclass

import numpy as np

from .backend import to_numpy


@dataclass
class GradCheckReport:
    """Where the worst disagreement was.

    Attributes
    ----------
    max_error : float
    param : str          name of the parameter ("W_in" or "W_out")
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


def check_report(model, batch, eps=1e-6, max_entries=None, seed=0):
    """Compare ``model.grad(batch)`` with central differences of ``model.loss``.

    Works on a float64 copy of the model; ``model`` itself is not touched.

    Parameters
    ----------
    model : w2v_numpy.models.Model
    batch : Batch
    eps : float
        Step of the central difference.
    max_entries : int or None
        Check only this many randomly chosen entries per parameter (all of
        them when ``None``, which is right for the tiny problems of the tests).
    seed : int
        Which entries are chosen when ``max_entries`` is set.

    Returns
    -------
    GradCheckReport
    """
    m = model.astype(np.float64)
    analytic = {k: to_numpy(v) for k, v in m.grad(batch).items()}
    rng = np.random.default_rng(seed)
    worst = GradCheckReport(0.0, "", (), 0.0, 0.0, 0)
    checked = 0
    for name, param in m.params.items():
        flat_ids = np.arange(param.size)
        if max_entries is not None and param.size > max_entries:
            flat_ids = rng.choice(param.size, size=max_entries, replace=False)
        for flat in flat_ids:
            idx = np.unravel_index(flat, param.shape)
            old = float(param[idx])
            param[idx] = old + eps
            loss_plus = m.loss(batch)
            param[idx] = old - eps
            loss_minus = m.loss(batch)
            param[idx] = old
            num = (loss_plus - loss_minus) / (2 * eps)
            ana = float(analytic[name][idx])
            err = abs(num - ana) / max(1.0, abs(num), abs(ana))
            checked += 1
            if err >= worst.max_error:
                worst = GradCheckReport(err, name, tuple(int(i) for i in idx), num, ana, 0)
    worst.checked = checked
    return worst


def check(model, batch, eps=1e-6, verbose=False, **kwargs):
    """Maximum relative error between analytic and numeric gradients (float64).

    ``verbose=True`` prints where the worst entry is. Extra keyword arguments
    go to :func:`check_report`.
    """
    report = check_report(model, batch, eps=eps, **kwargs)
    if verbose:
        print(report)
    return report.max_error
