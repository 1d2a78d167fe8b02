"""The array backend: NumPy by default, CuPy when asked for.

Every module computes with ``xp`` taken from :func:`get_xp`, so the same code
runs on the CPU or on a GPU. This is the only module that imports CuPy.

The backend is chosen by :func:`set_backend` (the CLI's ``--backend``) or the
``W2V_BACKEND`` environment variable; the default is ``numpy``.
"""
import os

import numpy as np

_STATE = {"name": None, "xp": None}


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
        xp = np
    elif name == "cupy":
        try:
            import cupy as xp  # noqa: F811  (the only CuPy import in the project)

            xp.zeros(1).sum()  # fails early if no usable GPU/driver
        except Exception as exc:  # ImportError, CUDA runtime errors, ...
            raise ValueError(
                f"backend='cupy' is not available here ({type(exc).__name__}: {exc}); "
                "install the gpu extra on a machine with a CUDA GPU, or use backend='numpy'"
            ) from None
    else:
        raise ValueError(f"backend must be 'numpy' or 'cupy', got {name!r}")
    _STATE.update(name=name, xp=xp)
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
    """Copy an array of any backend to a NumPy array (no-op for NumPy input)."""
    if isinstance(a, np.ndarray):
        return a
    if hasattr(a, "get"):  # cupy.ndarray
        return a.get()
    return np.asarray(a)


def asarray(a, dtype=None):
    """Move host data to the active backend."""
    return get_xp().asarray(a, dtype=dtype)


def scatter_add(target, index, values):
    """In place ``target[index[i]] += values[i]``, accumulating repeated indices.

    ``target[index] += values`` would keep only one of several updates to the
    same row, which silently loses gradient for words that occur twice in a
    batch. Here the rows are sorted, equal rows are summed with
    ``add.reduceat`` and each distinct row is updated once.

    Parameters
    ----------
    target : array (V, d)
    index : int array (n,)
    values : array (n, d)
    """
    xp = get_xp()
    if xp is not np:
        import cupyx  # CuPy's own atomic scatter-add

        cupyx.scatter_add(target, index, values)
        return target
    if index.size == 0:
        return target
    order = np.argsort(index, kind="stable")                  # (n,)
    sorted_idx = index[order]                                 # (n,)
    starts = np.flatnonzero(np.r_[True, sorted_idx[1:] != sorted_idx[:-1]])  # (u,)
    sums = np.add.reduceat(values[order], starts, axis=0)     # (u, d)
    target[sorted_idx[starts]] += sums.astype(target.dtype, copy=False)
    return target
