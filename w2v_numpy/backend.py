"""The array backend: NumPy by default, CuPy when asked for.

Every module computes with ``xp`` taken from :func:`get_xp`, so the same code
runs on the CPU or on a GPU. This is the only module that imports CuPy.

The backend is chosen by :func:`set_backend` (the CLI's ``--backend``) or the
``W2V_BACKEND`` environment variable; the default is ``numpy``.
"""
import os

import numpy as np

from .errors import W2VError

_STATE = {"name": None, "xp": None, "scatter": None}
_REGISTERED = {}


def register_backend(name, xp, scatter_add):
    """Make another array module selectable by ``set_backend(name)``.

    Used by the test suite for a strict NumPy wrapper that, like CuPy,
    refuses to mix host arrays into device operations.
    """
    _REGISTERED[name] = (xp, scatter_add)


def _load_cupy():
    try:
        import cupy
        import cupyx  # CuPy's atomic scatter-add lives here

        cupy.zeros(1).sum()  # fails early if there is no usable GPU/driver
    except Exception as exc:  # ImportError, CUDA runtime errors, ...
        raise W2VError(
            f"backend='cupy' is not available here ({type(exc).__name__}: {exc}); "
            "install the gpu extra on a machine with a CUDA GPU, or use backend='numpy'"
        ) from None

    def cupy_scatter_add(target, index, values):
        cupyx.scatter_add(target, index, values)
        return target

    return cupy, cupy_scatter_add


def set_backend(name=None):
    """Select the array module by name and return it.

    Parameters
    ----------
    name : {"numpy", "cupy"} or None
        ``None`` reads ``W2V_BACKEND`` (default ``"numpy"``).

    Raises
    ------
    ValueError
        If the name is unknown, or CuPy is asked for but cannot be used.
    """
    name = (name or os.environ.get("W2V_BACKEND") or "numpy").lower()
    if name == "numpy":
        xp, scatter = np, _numpy_scatter_add
    elif name == "cupy":
        xp, scatter = _load_cupy()
    elif name in _REGISTERED:
        xp, scatter = _REGISTERED[name]
    else:
        raise W2VError(f"must be 'numpy' or 'cupy', got {name!r}", param="backend")
    _STATE.update(name=name, xp=xp, scatter=scatter)
    return xp


def get_xp():
    """Return the active array module (NumPy unless another was selected)."""
    if _STATE["xp"] is None:
        set_backend()
    return _STATE["xp"]


def backend_name():
    """Name of the active backend, ``"numpy"`` or ``"cupy"``."""
    get_xp()
    return _STATE["name"]


def to_numpy(a):
    """Copy an array of any backend to a plain NumPy array (no copy for NumPy input)."""
    if type(a) is np.ndarray:
        return a
    if hasattr(a, "get"):  # cupy.ndarray (and the test suite's strict arrays)
        return a.get()
    return np.asarray(a)


def asarray(a, dtype=None):
    """Move host data to the active backend."""
    return get_xp().asarray(a, dtype=dtype)


def scatter_add(target, index, values, plan=None):
    """In place ``target[index[i]] += values[i]``, accumulating repeated indices.

    Dispatches to the active backend (``cupyx.scatter_add`` on CuPy). ``plan``
    (from :func:`row_plan`, for the same ``index``) lets several targets that
    share one index skip the bookkeeping; backends other than NumPy ignore it.
    """
    get_xp()
    if plan is not None and _STATE["name"] == "numpy":
        return _numpy_scatter_add(target, index, values, plan)
    return _STATE["scatter"](target, index, values)


class RowPlan:
    """Which entries of an index hit a row once and which share it (see :func:`_numpy_scatter_add`).

    Computing it costs a ``bincount`` over all rows and two boolean masks; a
    caller that scatters into several arrays with the same index (a parameter
    and its optimiser state, a vector block and its bias) makes it once.
    """

    __slots__ = ("once", "once_rows", "repeated", "repeated_rows", "any_repeated", "_flat")

    def __init__(self, index, n_rows):
        occurrences = np.bincount(index, minlength=n_rows)[index]            # (n,)
        self.once = occurrences == 1
        self.once_rows = index[self.once]
        self.repeated = ~self.once
        self.repeated_rows = index[self.repeated]
        self.any_repeated = bool(self.repeated_rows.size)
        self._flat = {}

    def flat(self, d):
        """Flat positions of the repeated rows' entries in a C-contiguous (V, d) array."""
        if d not in self._flat:
            self._flat[d] = (self.repeated_rows[:, None] * d + np.arange(d)).ravel()  # (r * d,)
        return self._flat[d]


def row_plan(index, n_rows):
    """A :class:`RowPlan` for ``index`` on the NumPy backend; ``None`` on the others."""
    get_xp()
    return RowPlan(index, n_rows) if _STATE["name"] == "numpy" and index.size else None


def _numpy_scatter_add(target, index, values, plan=None):
    """NumPy scatter-add: in place ``target[index[i]] += values[i]``, accumulating
    repeated indices.

    ``target[index] += values`` alone would keep only one of several updates
    to the same row, silently losing gradient for a word that occurs twice in
    a batch. ``np.add.at`` accumulates correctly but is slow for row updates.
    So the rows are split by how often they occur in this batch (one
    ``bincount``, kept in a :class:`RowPlan`): rows that occur once get the
    fast fancy-index add, and only the repeated rows go through ``np.add.at``
    (on the flattened matrix, where it is several times faster than on rows).

    Parameters
    ----------
    target : array (V, d) or (V,)
    index : int array (n,)
    values : array (n, d) or (n,)
    plan : RowPlan or None
        Made for this ``index`` and ``target.shape[0]``; computed here if not given.
    """
    if index.size == 0:
        return target
    plan = plan or RowPlan(index, target.shape[0])
    target[plan.once_rows] += values[plan.once]
    if plan.any_repeated:
        vals = values[plan.repeated]                                          # (r, d)
        if target.ndim == 2 and target.flags.c_contiguous:
            np.add.at(target.reshape(-1), plan.flat(target.shape[1]), vals.reshape(-1))
        else:
            np.add.at(target, plan.repeated_rows, vals)
    return target
