"""A NumPy wrapper that behaves like CuPy at the host/device boundary.

Arrays of this backend ("device" arrays) are ``StrictArray``. Like CuPy, an
operation that mixes a plain NumPy array (a "host" array with ndim > 0) into
a device operation raises ``TypeError``: ufuncs, array functions, indexing,
index assignment and scatter-add all check. The ways across are the explicit
ones: ``xp.asarray(host)`` and ``device.get()`` (what ``to_numpy`` calls).
(Being an ndarray subclass, it cannot stop ``np.asarray(device)``; CuPy
would. The library's only host copies go through ``to_numpy``.)

Training every model on this backend proves the library never leaks host
arrays into device code, without needing a GPU.
"""
import types

import numpy as np

from w2v_numpy.backend import _numpy_scatter_add


class HostDeviceLeak(TypeError):
    pass


def _check(obj, where):
    if type(obj) is np.ndarray and obj.ndim > 0:
        raise HostDeviceLeak(f"host numpy array {obj.shape} used in device operation {where}")
    if isinstance(obj, (list, tuple)):
        for item in obj:
            _check(item, where)


def _plain(obj):
    if isinstance(obj, StrictArray):
        return obj.view(np.ndarray)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_plain(o) for o in obj)
    return obj


def _wrap(obj):
    if type(obj) is np.ndarray:
        return obj.view(StrictArray)
    if isinstance(obj, tuple):
        return tuple(_wrap(o) for o in obj)
    return obj


class StrictArray(np.ndarray):
    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        _check(inputs, ufunc.__name__)
        if out is not None:
            _check(out, ufunc.__name__)
            kwargs["out"] = tuple(_plain(o) for o in out)
        result = getattr(ufunc, method)(*_plain(inputs), **kwargs)
        return _wrap(result)

    def __array_function__(self, func, types_, args, kwargs):
        _check(args, func.__name__)
        _check(list(kwargs.values()), func.__name__)
        return _wrap(func(*_plain(args), **{k: _plain(v) for k, v in kwargs.items()}))

    def __getitem__(self, key):
        _check(key if isinstance(key, tuple) else (key,), "indexing")
        return _wrap(self.view(np.ndarray)[_plain(key)])

    def __setitem__(self, key, value):
        _check(key if isinstance(key, tuple) else (key,), "index assignment")
        _check(value, "index assignment")
        self.view(np.ndarray)[_plain(key)] = _plain(value)

    def get(self):
        """Explicit device -> host copy, as ``cupy.ndarray.get``."""
        return np.array(self.view(np.ndarray))


def _make_xp():
    """A module-like namespace: numpy's functions, returning device arrays."""
    ns = types.SimpleNamespace()
    for name in dir(np):
        obj = getattr(np, name)
        if callable(obj) and not isinstance(obj, type) and not name.startswith("_"):
            setattr(ns, name, _device_function(obj, name))
        else:
            setattr(ns, name, obj)
    ns.asarray = lambda a, dtype=None: np.array(_plain(a), dtype=dtype).view(StrictArray)
    ns.array = ns.asarray
    return ns


def _device_function(fn, name):
    def call(*args, **kwargs):
        _check(args, name)
        _check(list(kwargs.values()), name)
        out = fn(*_plain(args), **{k: _plain(v) for k, v in kwargs.items()})
        return _wrap(out)

    call.__name__ = name
    return call


def strict_scatter_add(target, index, values):
    for arr, what in ((target, "target"), (index, "index"), (values, "values")):
        if not isinstance(arr, StrictArray):
            raise HostDeviceLeak(f"scatter_add {what} is not a device array")
    _numpy_scatter_add(target.view(np.ndarray), index.view(np.ndarray), values.view(np.ndarray))
    return target


xp = _make_xp()
