"""Model files and checkpoints: one ``.npz`` archive, no pickles.

A model file written by :func:`save_model` is a NumPy ``.npz`` archive (a zip
of ``.npy`` arrays) that :func:`load_model` reads back with
``allow_pickle=False``, so opening a file from someone else can never run
code. It holds:

============== ============== ==============================================
key            dtype          content
============== ============== ==============================================
``format``     unicode        ``"w2v_numpy.model"`` (tells our files apart)
``version``    int64          file-format version (currently 1)
``W_in``       float (V, d)   input vectors (the word vectors, ``.wv``)
``W_out``      float (V, d)   output vectors, one row per word
``counts``     int64 (V,)     corpus count of each word
``words``      uint8          the words, UTF-8 JSON list, in id order
``config``     uint8          UTF-8 JSON of ``Word2Vec.config``
``meta``       uint8          UTF-8 JSON of free-form facts (data files, ...)
``state``      uint8          UTF-8 JSON of the scalar ``TrainState`` fields
``state.*``    float / int    the ``TrainState`` lists (losses, epoch ends)
============== ============== ==============================================

The ``state`` entries are present once training has started; they hold
everything :func:`w2v_numpy.train.train` needs to resume exactly (the
position ``(epoch, chunk, batch)``, the word count that drives the learning
rate schedule, and the loss history). The random streams need no saved
state: the batcher seeds them from ``(seed, epoch, chunk[, batch])``.

Writes are atomic (temporary file in the same directory, flush, fsync,
:func:`os.replace`): a crash or a kill at any moment leaves either the old
complete file or the new complete file, never a mix.
"""
import dataclasses
import inspect
import json
import os
import re
import zipfile

import numpy as np

from .backend import asarray, to_numpy
from .models import MODELS, create
from .train import TrainState
from .vocab import Vocab
from .word2vec import Word2Vec
from .word2vec_format import atomic_open

FORMAT = "w2v_numpy.model"
VERSION = 1
_STATE_LISTS = {"batch_losses": np.float64, "epoch_losses": np.float64,
                "epoch_batch_index": np.int64}
_STATE_SKIP = {"stop"}
_REQUIRED = ("format", "version", "W_in", "W_out", "counts", "words", "config")


class NonFiniteError(ValueError):
    """The parameters hold NaN or inf, so the model is not written."""


def _json_bytes(obj):
    return np.frombuffer(json.dumps(obj, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)


def _from_json_bytes(arr):
    if arr.dtype != np.uint8 or arr.ndim != 1:
        raise ValueError("a JSON entry is not a byte array")
    return json.loads(arr.tobytes().decode("utf-8"))


def model_arrays(w2v, meta=None):
    """The arrays :func:`save_model` writes for ``w2v`` (host NumPy arrays).

    Raises
    ------
    ValueError
        If the model has no vocabulary/parameters yet; :class:`NonFiniteError`
        (a ValueError) if its parameters hold NaN or inf (never written).
    """
    if w2v.model is None or w2v.vocab is None:
        raise ValueError("model: nothing to save (build the vocabulary first)")
    W_in, W_out = (to_numpy(w2v.model.params[k]) for k in ("W_in", "W_out"))
    if not (np.isfinite(W_in).all() and np.isfinite(W_out).all()):
        raise NonFiniteError("model: the parameters contain NaN or inf; not saved")
    arrays = {"format": np.array(FORMAT), "version": np.array(VERSION, dtype=np.int64),
              "W_in": W_in, "W_out": W_out,
              "counts": np.asarray(w2v.vocab.counts, dtype=np.int64),
              "words": _json_bytes(list(w2v.vocab.words)),
              "config": _json_bytes(w2v.config), "meta": _json_bytes(meta or {})}
    if w2v.state is not None:
        scalars = {}
        for f in dataclasses.fields(TrainState):
            value = getattr(w2v.state, f.name)
            if f.name in _STATE_LISTS:
                arrays[f"state.{f.name}"] = np.asarray(value, dtype=_STATE_LISTS[f.name])
            elif f.name not in _STATE_SKIP:
                scalars[f.name] = value
        arrays["state"] = _json_bytes(scalars)
    return arrays


def save_model(path, w2v, meta=None):
    """Write ``w2v`` (a :class:`w2v_numpy.word2vec.Word2Vec`) to ``path`` atomically.

    Parameters
    ----------
    path : str or path-like
        The file to write; the name is used as given (no ``.npz`` is added).
    w2v : Word2Vec
        Needs ``vocab`` and ``model``; ``state`` is saved when not ``None``.
    meta : dict or None
        JSON-serialisable facts to keep with the model (e.g. the data files).

    Raises
    ------
    ValueError
        For a model that cannot be saved (see :func:`model_arrays`).
    OSError
        If the file cannot be written; an existing ``path`` is left as it was.
    """
    arrays = model_arrays(w2v, meta)
    with atomic_open(path) as fh:
        np.savez(fh, **arrays)


def read_arrays(path):
    """Read and check every array of a model file.

    Returns
    -------
    dict of numpy.ndarray

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        ``"cannot load PATH: reason"`` for anything that is not a complete,
        consistent w2v_numpy model file. The file itself is never modified.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    try:
        npz = np.load(path, allow_pickle=False)
        if not hasattr(npz, "files"):   # a plain .npy array, not an archive
            raise ValueError("a single array, not an archive")
        with npz:
            arrays = {key: npz[key] for key in npz.files}   # reading checks every CRC
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile,
            KeyError, NotImplementedError, RuntimeError) as exc:
        raise ValueError(f"cannot load {path}: not a w2v_numpy model file or damaged "
                         f"({_one_line(exc)})") from None
    try:
        _check(arrays)
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot load {path}: {_one_line(exc)}") from None
    return arrays


def _one_line(exc):
    return " ".join((str(exc) or type(exc).__name__).split())


def _check(arrays):
    missing = [k for k in _REQUIRED if k not in arrays]
    if missing:
        raise ValueError(f"not a w2v_numpy model file (missing {', '.join(missing)})")
    if arrays["format"].shape != () or str(arrays["format"]) != FORMAT:
        raise ValueError("not a w2v_numpy model file (wrong format tag)")
    version = int(arrays["version"])
    if version > VERSION:
        raise ValueError(f"written by a newer w2v_numpy (file format {version} > {VERSION})")
    W_in, W_out, counts = arrays["W_in"], arrays["W_out"], arrays["counts"]
    words = _from_json_bytes(arrays["words"])
    config = _from_json_bytes(arrays["config"])
    if not (isinstance(words, list) and all(isinstance(w, str) for w in words)):
        raise ValueError("the word list is malformed")
    V = len(words)
    if W_in.ndim != 2 or W_in.shape != W_out.shape or W_in.dtype != W_out.dtype \
            or W_in.dtype.kind != "f" or W_in.shape[0] != V or counts.shape != (V,):
        raise ValueError(f"inconsistent shapes (W_in {W_in.shape}, W_out {W_out.shape}, "
                         f"{V} words, counts {counts.shape})")
    if not isinstance(config, dict) or config.get("type") not in MODELS:
        kind = config.get("type") if isinstance(config, dict) else None
        raise ValueError(f"unknown model type {kind!r}")
    if config.get("vector_size") != W_in.shape[1]:
        raise ValueError("config vector_size does not match the parameters")
    if not (np.isfinite(W_in).all() and np.isfinite(W_out).all()):
        raise ValueError("the parameters contain NaN or inf")
    arrays["words"], arrays["config"] = words, config
    arrays["meta"] = _from_json_bytes(arrays["meta"]) if "meta" in arrays else {}
    if "state" in arrays:
        arrays["state"] = _state_from(arrays)


def _state_from(arrays):
    scalars = _from_json_bytes(arrays["state"])
    names = {f.name for f in dataclasses.fields(TrainState)}
    kwargs = {k: v for k, v in scalars.items() if k in names and k not in _STATE_SKIP}
    for name in _STATE_LISTS:
        kwargs[name] = arrays.get(f"state.{name}", np.zeros(0)).tolist()
    state = TrainState(**kwargs)
    if min(state.epoch, state.chunk, state.batch, state.words_done, state.examples) < 0:
        raise ValueError("negative training position")
    return state


def load_model(path):
    """Load a model file written by :func:`save_model`.

    Returns
    -------
    w2v_numpy.word2vec.Word2Vec
        With ``config``, ``vocab``, ``model`` (parameters on the active
        backend), ``state`` (``None`` for a model that was never trained) and
        ``meta`` (a dict). There is no corpus: call ``build_vocab`` before
        training further. ``.wv`` gives the word vectors.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        ``"cannot load PATH: ..."`` for a damaged, truncated or foreign file.
    """
    arrays = read_arrays(path)
    config = arrays["config"]
    known = inspect.signature(Word2Vec).parameters
    w2v = Word2Vec(**{k: v for k, v in config.items() if k in known},
                   dtype=arrays["W_in"].dtype, progress=False)
    w2v.vocab = Vocab(arrays["words"], arrays["counts"])
    d = arrays["W_in"].shape[1]
    model = create(config["type"], 1, d, dtype=arrays["W_in"].dtype)
    model.params = {"W_in": asarray(arrays["W_in"]), "W_out": asarray(arrays["W_out"])}
    model.cbow_update = w2v.config.get("cbow_update", "exact")
    w2v.model, w2v.state, w2v.meta = model, arrays.get("state"), arrays["meta"]
    return w2v


def checkpoint_path(model_file, epoch):
    """Name of the checkpoint written after ``epoch`` epochs: ``MODEL.epoch.NNNN``."""
    return f"{os.fspath(model_file)}.epoch.{int(epoch):04d}"


def list_checkpoints(model_file):
    """The existing checkpoints of ``model_file`` as sorted ``(epoch, path)`` pairs."""
    model_file = os.fspath(model_file)
    directory = os.path.dirname(os.path.abspath(model_file))
    pattern = re.compile(re.escape(os.path.basename(model_file)) + r"\.epoch\.(\d{4,})$")
    found = []
    for name in os.listdir(directory):
        m = pattern.match(name)
        if m:
            found.append((int(m.group(1)), os.path.join(os.path.dirname(model_file), name)))
    return sorted(found)
