"""Model files and checkpoints: one ``.npz`` archive, no pickles.

A model file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays) read back
with ``allow_pickle=False``, so opening a file from someone else can never
run code. This module knows the layout, not the classes: it writes and reads
plain :class:`ModelParts`, and :class:`w2v_numpy.word2vec.Word2Vec` turns them
into a model (``Word2Vec.save`` / ``Word2Vec.load``). It holds:

=============== ============== ==============================================
key             dtype          content
=============== ============== ==============================================
``format``      unicode        ``"w2v_numpy.model"`` (tells our files apart)
``version``     int64          file-format version (currently 2)
``params``      uint8          UTF-8 JSON list of the parameter names (v2)
NAME            float          one array per parameter (``W_in``, ``W_out``, ...)
``counts``      int64 (V,)     corpus count of each word
``words``       uint8          the words, UTF-8 JSON list, in id order
``config``      uint8          UTF-8 JSON of the training settings
``meta``        uint8          UTF-8 JSON of free-form facts (data files, ...)
``state``       uint8          UTF-8 JSON of the scalar training-state fields
``state.*``     float / int    the training-state lists (losses, epoch ends)
=============== ============== ==============================================

Version 1 files (no ``params`` entry) hold exactly ``W_in`` and ``W_out`` and
are read as such. The first parameter holds the word vectors: one row per
word, ``config["vector_size"]`` columns.

Writes are atomic (:func:`w2v_numpy.files.atomic.atomic_open`), and
parameters holding NaN or inf are never written.
"""
import codecs
import json
import os
import re
import zipfile
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..errors import ModelFileError, NonFiniteError
from .atomic import atomic_open, file_kind

FORMAT = "w2v_numpy.model"
VERSION = 2
_FIXED = ("format", "version", "params", "counts", "words", "config", "meta", "state")
_REQUIRED = ("format", "version", "counts", "words", "config")


@dataclass
class ModelParts:
    """Everything a model file holds, as plain Python and NumPy values.

    Attributes
    ----------
    params : dict of name -> NumPy array (the first one holds the word vectors)
    words : list of str
    counts : int64 array (V,)
    config : dict (JSON-serialisable; ``vector_size`` must match the parameters)
    meta : dict
    state : dict or None
        Training state: scalars, and lists of numbers (saved as arrays).
    """

    params: dict
    words: list
    counts: np.ndarray
    config: dict
    meta: dict
    state: Optional[dict] = None


def _all_finite(a):
    """Whether every entry of ``a`` is finite, from its max and min (a NaN makes both
    NaN, an infinity is one of them): ``isfinite(a).all()`` made a mask as large as the
    table at every save."""
    if a.size == 0:
        return True
    return bool(np.isfinite(a.max()) and np.isfinite(a.min()))


def _json_bytes(obj):
    return np.frombuffer(json.dumps(obj, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)


def _from_json_bytes(arr):
    if arr.dtype != np.uint8 or arr.ndim != 1:
        raise ValueError("a JSON entry is not a byte array")
    return json.loads(arr.tobytes().decode("utf-8"))


def to_arrays(parts):
    """The arrays :func:`write_model_file` stores for ``parts``.

    Raises
    ------
    NonFiniteError
        If a parameter holds NaN or inf (such a model is never written).
    """
    for name, value in parts.params.items():
        if not _all_finite(value):
            raise NonFiniteError(f"the parameter {name} contains NaN or inf; not saved")
    arrays = {"format": np.array(FORMAT), "version": np.array(VERSION, dtype=np.int64),
              "params": _json_bytes(list(parts.params)),
              "counts": np.asarray(parts.counts, dtype=np.int64),
              "words": _json_bytes(list(parts.words)),
              "config": _json_bytes(parts.config), "meta": _json_bytes(parts.meta or {})}
    for name, value in parts.params.items():
        if name in _FIXED or name.startswith("state."):
            raise ValueError(f"parameter name {name!r} is reserved by the file format")
        arrays[name] = value
    if parts.state is not None:
        scalars = {}
        for key, value in parts.state.items():
            if isinstance(value, (list, tuple, np.ndarray)):
                arrays[f"state.{key}"] = np.asarray(value)
            else:
                scalars[key] = value
        arrays["state"] = _json_bytes(scalars)
    return arrays


def write_model_file(path, parts):
    """Write ``parts`` to ``path`` atomically (the name is used as given).

    Raises
    ------
    NonFiniteError
        For parameters holding NaN or inf; nothing is written.
    OSError
        If the file cannot be written; an existing ``path`` is left as it was.
    """
    arrays = to_arrays(parts)
    with atomic_open(path) as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as archive:
        for name, value in arrays.items():
            _write_npy(archive, name, np.asarray(value))


def _write_npy(archive, name, array):
    """One ``NAME.npy`` entry of the ``.npz`` archive, as ``np.savez`` writes it, but the
    data straight from the array: ``np.savez`` copies it through 16 MB buffers, and at the
    end of a run with a large vocabulary those copies set the peak memory."""
    if not array.flags.c_contiguous:
        array = array.copy(order="C")
    with archive.open(f"{name}.npy", "w", force_zip64=True) as entry:
        np.lib.format.write_array_header_1_0(entry, np.lib.format.header_data_from_array_1_0(array))
        if array.size:
            entry.write(memoryview(array.reshape(-1)).cast("B"))


def read_model_file(path):
    """Read and check a model file.

    Returns
    -------
    ModelParts

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ModelFileError
        ``"cannot load PATH: reason"`` for anything that is not a complete,
        consistent w2v_numpy model file. The file itself is never modified.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    foreign = foreign_kind(path)
    if foreign:
        raise ModelFileError(f"cannot load {path}: {foreign}")
    try:
        npz = np.load(path, allow_pickle=False)
        if not hasattr(npz, "files"):   # a plain .npy array, not an archive
            raise ValueError("a single array, not an archive")
        with npz:
            arrays = {key: npz[key] for key in npz.files}   # reading checks every CRC
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile,
            KeyError, NotImplementedError, RuntimeError) as exc:
        raise ModelFileError(f"cannot load {path}: not a w2v_numpy model file or damaged "
                             f"({one_line(exc)})") from None
    try:
        return _parts(arrays)
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"cannot load {path}: {one_line(exc)}") from None


#: The first bytes of the zip archive a model file is.
ZIP_MAGIC = b"PK\x03\x04"


def foreign_kind(path):
    """``None`` if ``path`` starts like a model file (a zip archive), else what it looks like
    and what to do with it, in words. Read from its first bytes only."""
    kind = file_kind(path)
    if kind:                              # reading a FIFO would wait for a writer for ever
        return f"it is a {kind}, not a w2v_numpy model file"
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(ZIP_MAGIC):
        return None
    if not head:
        return "the file is empty, not a w2v_numpy model file"
    first = head.split(b"\n", 1)[0]
    if re.fullmatch(rb"\s*\d+\s+\d+\s*", first):
        return ("it is a word2vec vectors file (a 'count dimension' header), not a w2v_numpy "
                "model file: read its vectors with w2v_numpy.load_vectors(path) (.vec/.txt: "
                "text, .bin: binary), or give it to the vectors commands (neighbors, evaluate, "
                "export, plot)")
    if head.startswith(b"\x93NUMPY"):
        return "it is a single NumPy array (.npy), not a w2v_numpy model file (an .npz archive)"
    try:                                  # not final: the sample may end inside a character
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "it is a text file, not a w2v_numpy model file (an .npz archive)"
    except UnicodeDecodeError:
        return "it is not a w2v_numpy model file (an .npz archive) nor text"


def one_line(exc):
    """An exception's message on one line (its type name if it has none)."""
    return " ".join((str(exc) or type(exc).__name__).split())


def _parts(arrays):
    missing = [k for k in _REQUIRED if k not in arrays]
    if missing:
        raise ValueError(f"not a w2v_numpy model file (missing {', '.join(missing)})")
    if arrays["format"].shape != () or str(arrays["format"]) != FORMAT:
        raise ValueError("not a w2v_numpy model file (wrong format tag)")
    version = int(arrays["version"])
    if version > VERSION:
        raise ValueError(f"written by a newer w2v_numpy (file format {version} > {VERSION})")
    names = _from_json_bytes(arrays["params"]) if "params" in arrays else ["W_in", "W_out"]
    if not (isinstance(names, list) and names and all(isinstance(n, str) for n in names)):
        raise ValueError("the parameter list is malformed")
    absent = [n for n in names if n not in arrays]
    if absent:
        raise ValueError(f"not a w2v_numpy model file (missing {', '.join(absent)})")
    params = {n: arrays[n] for n in names}
    words = _from_json_bytes(arrays["words"])
    config = _from_json_bytes(arrays["config"])
    if not (isinstance(words, list) and all(isinstance(w, str) for w in words)):
        raise ValueError("the word list is malformed")
    if not isinstance(config, dict):
        raise ValueError("the config is malformed")
    vectors, counts = params[names[0]], arrays["counts"]
    dtypes = {p.dtype for p in params.values()}
    if vectors.ndim != 2 or len(dtypes) != 1 or vectors.dtype.kind != "f" \
            or vectors.shape[0] != len(words) or counts.shape != (len(words),):
        shapes = ", ".join(f"{n} {p.shape}" for n, p in params.items())
        raise ValueError(f"inconsistent shapes ({shapes}, {len(words)} words, "
                         f"counts {counts.shape})")
    if config.get("vector_size") != vectors.shape[1]:
        raise ValueError("config vector_size does not match the parameters")
    if not all(np.isfinite(p).all() for p in params.values()):
        raise ValueError("the parameters contain NaN or inf")
    meta = _from_json_bytes(arrays["meta"]) if "meta" in arrays else {}
    state = None
    if "state" in arrays:
        state = _from_json_bytes(arrays["state"])
        if not isinstance(state, dict):
            raise ValueError("the training state is malformed")
        for key in arrays:
            if key.startswith("state."):
                state[key[len("state."):]] = arrays[key].tolist()
    return ModelParts(params, words, counts, config, meta, state)


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
