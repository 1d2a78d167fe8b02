"""Word vectors with gensim's query API: similarity, neighbours, analogies, evaluation.

:class:`KeyedVectors` follows ``gensim.models.KeyedVectors`` (4.x) in names,
arguments and results, so code and habits carry over::

    wv = KeyedVectors.load_word2vec_format("vectors.bin", binary=True)
    wv.most_similar(positive=["king", "woman"], negative=["man"], topn=5)
    score, sections = wv.evaluate_word_analogies("questions-words.txt")

Similarities are cosines computed exactly as gensim computes them (same
operation order and dtypes), so rankings agree with gensim's on the same
vectors, ties included. :func:`w2v_numpy.loading.load_vectors` reads either
a vectors file or a model file.

:meth:`KeyedVectors.save` / :meth:`KeyedVectors.load` keep vectors in two
files that load without parsing and can be memory-mapped::

    wv.save("vectors.kv")        # vectors.kv (JSON) + vectors.kv.vectors.npy
    wv = KeyedVectors.load("vectors.kv", mmap="r")   # maps the array, reads nothing

``PATH`` is a small JSON file (format tag and version, the words in row
order, the shape, the dtype, the size of the array file and a SHA-256 of a
sample of its rows); ``PATH + ".vectors.npy"`` is the (V, d) array as a
plain ``.npy`` file (C order, little-endian float16/32/64, no pickles). Both
are written atomically, the array first, and are checked against each other
on load, so an interrupted save or two files from different saves give an
error instead of wrong vectors. With ``mmap="r"`` the array is a read-only
:class:`numpy.memmap`: pages are read from the file when a query touches
them and are shared with other processes mapping the same file. No query
writes into ``vectors``: the norms are a separate (V,) array, computed in
blocks on first use, and query words are normalised row by row. Only
:meth:`KeyedVectors.get_normed_vectors` builds a (V, d) copy, when asked.
See docs/vectors.md.
"""
import hashlib
import json
import os
from numbers import Integral

import numpy as np

from ..errors import NonFiniteError, W2VError
from ..files import word2vec_format as w2vf
from ..files.atomic import atomic_open, file_kind
from . import evaluation
from .evaluation import RESTRICT_VOCAB

#: Format tag and version in the JSON file :meth:`KeyedVectors.save` writes.
FORMAT = "w2v_numpy.KeyedVectors"
FORMAT_VERSION = 1
#: The array of ``save(PATH)`` is ``PATH + NPY_SUFFIX``.
NPY_SUFFIX = ".vectors.npy"
_DTYPES = ("float16", "float32", "float64")
_CHECK_ROWS = 17          # rows whose bytes the JSON file fingerprints
_BLOCK_BYTES = 1 << 22    # rows are written / normed in blocks of about this size


class KeyedVectors:
    """A vocabulary and one vector per word.

    Parameters
    ----------
    index_to_key : sequence of str
        The words; word ``i`` has vector ``vectors[i]``. Must be unique.
    vectors : array_like, shape (V, d)
        The vectors, not copied if already a float ndarray (others become float32).
    key_to_index : dict, optional
        ``{word: i}`` for ``index_to_key`` if the caller already has it (shared, not
        copied); else built here.

    Notes
    -----
    Norms are computed once, into a separate (V,) array (``vectors`` is never
    written, so it may be a read-only memory map: see :meth:`load`); the
    (V, d) unit-normalised copy is built only by :meth:`get_normed_vectors`,
    and cached. Assigning ``kv.vectors = ...`` clears
    the cache; after changing the array *in place* (e.g. more training on a
    shared array) call :meth:`fill_norms` with ``force=True``. Zero vectors
    have norm 0 and get cosine 0 with everything (gensim gives NaN).
    """

    def __init__(self, index_to_key, vectors, key_to_index=None):
        self.index_to_key = list(index_to_key)
        # A trained model's vectors share its vocabulary's dict (``key_to_index``, never
        # changed here): for 220,000 words a second one was 15 MB at the run's peak.
        self.key_to_index = key_to_index if key_to_index is not None else \
            {k: i for i, k in enumerate(self.index_to_key)}
        if len(self.key_to_index) != len(self.index_to_key):
            raise W2VError("KeyedVectors: keys must be unique")
        self.vectors = vectors

    @property
    def vectors(self):
        """The (V, d) array of vectors; assigning a new array clears the norm cache."""
        return self._vectors

    @vectors.setter
    def vectors(self, value):
        if not isinstance(value, np.memmap):  # a mapped file stays visibly mapped
            value = np.asarray(value)
        if value.dtype.kind != "f":
            value = value.astype(np.float32)
        if value.ndim != 2 or value.shape[0] != len(self.index_to_key):
            raise W2VError(f"KeyedVectors: need a (V, d) array with V={len(self.index_to_key)}, "
                             f"got shape {value.shape}")
        self._vectors = value
        self.norms = self._normed = None

    @property
    def vector_size(self):
        """Dimensionality ``d`` of the vectors."""
        return self._vectors.shape[1]

    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, key):
        return key in self.key_to_index

    def __getitem__(self, key_or_keys):
        """The vector of one key, or a (n, d) array for a list of keys."""
        if isinstance(key_or_keys, (str, Integral)):
            return self.get_vector(key_or_keys)
        return np.vstack([self.get_vector(k) for k in key_or_keys])

    def __repr__(self):
        return f"<KeyedVectors: {len(self)} keys, vector_size={self.vector_size}>"

    def has_index_for(self, key):
        """Whether ``key`` has a vector (gensim's name)."""
        return self.get_index(key, -1) >= 0

    def get_index(self, key, default=None):
        """Row of ``key``; an int in range is returned as is. Raises KeyError unless ``default``."""
        index = self.key_to_index.get(key, -1) if isinstance(key, str) else -1
        if index >= 0:
            return index
        if isinstance(key, Integral) and 0 <= key < len(self):
            return int(key)
        if default is not None:
            return default
        raise KeyError(f"Key '{key}' not present")

    def get_vector(self, key, norm=False):
        """The (read-only) vector of ``key``, unit-normalised if ``norm``."""
        index = self.get_index(key)
        result = self._unit_row(index) if norm else self._vectors[index]
        result = result.view()
        result.flags.writeable = False
        return result

    def fill_norms(self, force=False):
        """Compute the per-row L2 norms into ``self.norms`` if missing (or always if ``force``)."""
        if self.norms is None or force:
            self.norms = _row_norms(self._vectors)
            self._safe = np.where(self.norms == 0, np.ones_like(self.norms), self.norms)
            self._normed = None

    def get_normed_vectors(self):
        """All vectors scaled to unit length, shape (V, d); cached until the vectors change.

        A new (V, d) array (``vectors`` itself is never changed). The query
        methods of this class never build it (they normalise the rows they
        need); with vectors memory-mapped from a large file, prefer
        :meth:`normed_rows` too.
        """
        self.fill_norms()
        if self._normed is None:
            self._normed = self._vectors / self._safe[:, np.newaxis]
        return self._normed

    def normed_rows(self, indices):
        """``get_normed_vectors()[indices]`` (same values), without building the (V, d) array."""
        self.fill_norms()
        indices = np.asarray(indices, dtype=np.intp)
        return self._vectors[indices] / self._safe[indices][..., np.newaxis]

    def _unit_row(self, index):
        """Row ``index`` scaled to unit length, bit for bit ``get_normed_vectors()[index]``.

        Uses the norms if they are there; otherwise only this row is read (the
        norm of a one-row block is computed exactly as in :meth:`fill_norms`).
        """
        if self._normed is not None:
            return self._normed[index]
        if self.norms is not None:
            safe = self._safe[index]
        else:
            safe = np.linalg.norm(self._vectors[index:index + 1], axis=1)[0]
            safe = safe if safe != 0 else safe.dtype.type(1)
        return self._vectors[index] / safe

    def _query(self, positive, negative):
        """Weighted mean of the unit query vectors, unit-normalised, and the query rows.

        The arithmetic is gensim's (float32 accumulation, float64 weights,
        float64 scaling, cast back), so that scores tie and rank identically.
        """
        items = [(x[0], x[1]) if isinstance(x, tuple) else (x, sign)
                 for sign, group in ((1.0, positive), (-1.0, negative)) for x in _as_list(group)]
        if not items:
            raise W2VError("cannot compute similarity with no input")
        weights = np.array([w for _, w in items], dtype=np.float64)
        mean = np.zeros(self.vector_size, dtype=self._vectors.dtype)
        self.fill_norms()  # the search needs them all anyway
        rows, total = [], 0
        for (key, _), weight in zip(items, weights):
            if isinstance(key, np.ndarray):
                vec = key
            else:
                rows.append(self.get_index(key))
                vec = self._unit_row(rows[-1])
            mean += weight * vec  # float64 product, accumulated into the float32 mean
            total += abs(weight)
        if total > 0:
            mean = mean / total  # float64 from here (NumPy 2 promotion), as in gensim
        return _unit(mean).astype(self._vectors.dtype), rows

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """The ``topn`` words closest in cosine to the mean of the (unit) query vectors (3CosAdd).

        Parameters
        ----------
        positive, negative : str, ndarray, or list of them, optional
            Words (or vectors) that count positively / negatively. A list item
            may be a ``(word, weight)`` pair (default weights +1 and -1).
        topn : int or None
            How many results; ``None`` returns the scores of all (restricted) words.
        restrict_vocab : int, optional
            Search only the first ``restrict_vocab`` words.

        Returns
        -------
        list of (str, float)
            Most similar first; the query words themselves are left out.
        """
        if isinstance(topn, Integral) and topn < 1:
            return []
        mean, rows = self._query(positive, negative)
        dists = self._dists(mean, restrict_vocab)
        if not topn:
            return dists
        best = top_indices(dists, topn + len(rows))
        return [(self.index_to_key[i], float(dists[i])) for i in best if i not in rows][:topn]

    def _dists(self, query, restrict_vocab=None):
        """Cosines of unit ``query`` (d,) or (B, d) with the first ``restrict_vocab`` rows."""
        self.fill_norms()
        end = restrict_vocab or len(self)
        if query.ndim == 1:  # the same BLAS call as gensim, for identical scores
            return np.dot(self._vectors[:end], query) / self._safe[:end]
        return np.dot(query, self._vectors[:end].T) / self._safe[:end]

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Like :meth:`most_similar` with the 3CosMul objective of Levy and Goldberg (2014).

        Cosines are shifted to [0, 1]; the score is the product over positive
        words divided by the product over negative words (+1e-6). Unlike
        gensim 4.4, ``restrict_vocab`` is honoured.
        """
        if isinstance(topn, Integral) and topn < 1:
            return []
        positive, negative = _as_list(positive), _as_list(negative)
        if not positive:
            raise W2VError("cannot compute similarity with no input")
        rows = [self.get_index(w) for w in positive + negative if not isinstance(w, np.ndarray)]

        def shifted(term):
            term = self.get_vector(term, norm=True) if not isinstance(term, np.ndarray) else term
            return (1 + self._dists(term, restrict_vocab)) / 2

        dists = np.prod([shifted(t) for t in positive], axis=0)
        dists = dists / (np.prod([shifted(t) for t in negative], axis=0) + 0.000001)
        if not topn:
            return dists
        best = top_indices(dists, topn + len(rows))
        return [(self.index_to_key[i], float(dists[i])) for i in best if i not in rows][:topn]

    def similarity(self, w1, w2):
        """Cosine similarity of two words."""
        return float(np.dot(self.get_vector(w1, norm=True), self.get_vector(w2, norm=True)))

    def doesnt_match(self, words):
        """The word farthest (in cosine) from the normalised mean of the others' unit vectors.

        Unknown words are ignored (gensim logs a warning); at least one must be known.
        """
        used = [w for w in words if w in self]
        if not used:
            raise W2VError("cannot select a word from an empty list")
        vectors = np.vstack([self.get_vector(w, norm=True) for w in used])
        mean = _unit(vectors.mean(axis=0)).astype(vectors.dtype)
        return sorted(zip(vectors @ mean, used), reverse=True)[-1][1]

    def evaluate_word_analogies(self, analogies, restrict_vocab=RESTRICT_VOCAB, case_insensitive=True,
                                dummy4unknown=False):
        """Accuracy on an analogy file (``: section`` headers, then ``a b c d`` lines).

        Same semantics and results as gensim's method: see
        :func:`w2v_numpy.vectors.evaluation.evaluate_word_analogies`.

        Returns
        -------
        score : float
        sections : list of dict
            ``{'section', 'correct', 'incorrect'}`` per section, then ``'Total accuracy'``.
        """
        report = evaluation.evaluate_word_analogies(self, analogies, restrict_vocab,
                                                    case_insensitive, dummy4unknown)
        return report["score"], report["sections"]

    def evaluate_word_pairs(self, pairs, delimiter="\t", restrict_vocab=RESTRICT_VOCAB,
                            case_insensitive=True, dummy4unknown=False):
        """Correlation with human similarity judgements (e.g. WordSim-353).

        Returns
        -------
        pearson, spearman : CorrelationResult
            ``(statistic, pvalue)`` tuples (also ``.statistic``, ``.pvalue``,
            ``.correlation``), as gensim's scipy results index.
        oov_ratio : float
            Percentage of pairs with an unknown word.

        See :func:`w2v_numpy.vectors.evaluation.evaluate_word_pairs`.
        """
        return evaluation.evaluate_word_pairs(self, pairs, delimiter, restrict_vocab,
                                              case_insensitive, dummy4unknown)

    def save_word2vec_format(self, path, binary=False):
        """Write the vectors in word2vec text or binary format (atomically)."""
        w2vf.save_word2vec_format(path, self.index_to_key, self._vectors, binary=binary)

    @classmethod
    def load_word2vec_format(cls, path, binary=False, limit=None, dtype=np.float32,
                             unicode_errors="strict"):
        """Read a word2vec text or binary file; see :func:`w2v_numpy.files.word2vec_format.load_word2vec_format`."""
        keys, vectors = w2vf.load_word2vec_format(path, binary=binary, limit=limit, dtype=dtype,
                                                  unicode_errors=unicode_errors)
        return cls(keys, vectors)

    def save(self, path):
        """Write the words to ``path`` (JSON) and the vectors to ``path + ".vectors.npy"``.

        Both files are written atomically, the array first; the JSON file
        names the array's shape, dtype and size and a SHA-256 of a sample of
        its rows, so :meth:`load` notices an array from another save. Keep
        (copy, move, rename) the two files together. float16/32/64 are kept as
        they are (stored little-endian); keys must be strings. Only words and
        vectors are saved (the n-gram table of a
        :class:`~w2v_numpy.vectors.subword_vectors.FastTextKeyedVectors` is
        not: save the model to keep it).

        Raises
        ------
        W2VError
            For keys that are not strings, or another dtype.
        NonFiniteError
            If a vector holds NaN or inf (nothing is written then).
        """
        path = os.fspath(path)
        npy = path + NPY_SUFFIX
        vectors = self._vectors
        if vectors.dtype.name not in _DTYPES:
            raise W2VError(f"{path}: cannot save vectors of dtype {vectors.dtype} "
                           f"(float16, float32 or float64 only)")
        bad = next((k for k in self.index_to_key if not isinstance(k, str)), self)
        if bad is not self:
            raise W2VError(f"{path}: cannot save key {bad!r}: keys must be strings")
        dtype = np.dtype(vectors.dtype.name).newbyteorder("<")
        count, dim = vectors.shape
        step = _block_rows(vectors)
        with atomic_open(npy) as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False,
                    "shape": (count, dim)})
            for lo in range(0, count, step):
                block = np.ascontiguousarray(vectors[lo:lo + step], dtype=dtype)
                finite = np.isfinite(block).all(axis=1)
                if not finite.all():
                    row = lo + int(np.argmin(finite))
                    raise NonFiniteError(f"{path}: the vector of {self.index_to_key[row]!r} "
                                         f"(row {row}) contains NaN or inf; not saved")
                f.write(block.reshape(-1).view(np.uint8))
            size = f.tell()
        rows = _check_rows(count)
        meta = {"format": FORMAT, "version": FORMAT_VERSION,
                "vectors_file": os.path.basename(npy), "count": count, "vector_size": dim,
                "dtype": dtype.name, "npy_bytes": size, "check_rows": rows,
                "check_sha256": _rows_digest(vectors, rows, dtype), "words": self.index_to_key}
        try:
            data = json.dumps(meta, ensure_ascii=False, indent=0).encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates (undecodable bytes kept): escape them
            data = json.dumps(meta, indent=0).encode("ascii")
        with atomic_open(path) as f:
            f.write(data + b"\n")

    @classmethod
    def load(cls, path, mmap=None):
        """Read what :meth:`save` wrote to ``path`` (and ``path + ".vectors.npy"``).

        Parameters
        ----------
        path : str or os.PathLike
            The JSON file given to :meth:`save`.
        mmap : None or "r"
            ``None`` reads the array into memory; ``"r"`` maps it read-only
            (a :class:`numpy.memmap`): loading reads only the words and a few
            rows, pages come from the file as queries touch them, and every
            query method works (none writes into the array).

        Returns
        -------
        KeyedVectors
            (Of this class if its constructor is KeyedVectors', else a plain one.)

        Raises
        ------
        W2VError
            One line naming the file and the problem: a missing file, one that
            is not a saved KeyedVectors (or a newer format version), a damaged
            or truncated one, or an array that does not match the JSON file.
        """
        if mmap not in (None, "r"):
            raise W2VError(f"must be None or 'r' (read-only), got {mmap!r}", param="mmap")
        path = os.fspath(path)
        meta = _read_meta(path)
        vectors = _read_vectors(path + NPY_SUFFIX, path, meta, mmap)
        target = cls if cls.__init__ is KeyedVectors.__init__ else KeyedVectors
        try:
            return target(meta["words"], vectors)
        except W2VError:
            seen = set()
            dup = next(w for w in meta["words"] if w in seen or seen.add(w))
            raise W2VError(f"{path}: damaged KeyedVectors file: the word {dup!r} appears "
                           "twice") from None


def is_keyedvectors_file(path):
    """Whether ``path`` starts as a file :meth:`KeyedVectors.save` writes (a cheap sniff)."""
    try:
        with open(path, "rb") as f:
            head = f.read(256)
    except OSError:
        return False
    return head.startswith(b"{") and f'"format": "{FORMAT}"'.encode() in head


def _block_rows(vectors):
    """Rows per block of about ``_BLOCK_BYTES`` (at least 1)."""
    return max(1, _BLOCK_BYTES // max(1, vectors.shape[1] * vectors.dtype.itemsize))


def _row_norms(vectors):
    """``np.linalg.norm(vectors, axis=1)`` in blocks: the same values, no (V, d) temporary."""
    step = _block_rows(vectors)
    if vectors.shape[0] <= step:
        return np.linalg.norm(vectors, axis=1)
    first = np.linalg.norm(vectors[:step], axis=1)
    out = np.empty(vectors.shape[0], dtype=first.dtype)
    out[:step] = first
    for lo in range(step, vectors.shape[0], step):
        out[lo:lo + step] = np.linalg.norm(vectors[lo:lo + step], axis=1)
    return out


def _check_rows(count):
    """The rows :meth:`KeyedVectors.save` fingerprints: first, last and evenly spaced ones."""
    if count <= _CHECK_ROWS:
        return list(range(count))
    return sorted(set(np.linspace(0, count - 1, _CHECK_ROWS).round().astype(int).tolist()))


def _rows_digest(vectors, rows, dtype):
    """SHA-256 of the bytes of ``rows`` as stored (``dtype``, little-endian)."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(np.ascontiguousarray(vectors[row], dtype=dtype).tobytes())
    return digest.hexdigest()


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _unreadable(path, exc, what):
    """A one-line W2VError for an OSError opening ``path``."""
    if isinstance(exc, FileNotFoundError):
        return W2VError(f"{path}: no such file{what}")
    return W2VError(f"{path}: cannot read it ({exc.strerror or exc})")


def _open(path, what=""):
    """``path`` opened for binary reading, or a one-line W2VError."""
    kind = file_kind(path)
    if kind is not None:
        raise W2VError(f"{path}: is a {kind}, not a file written by KeyedVectors.save")
    try:
        return open(path, "rb")
    except OSError as exc:
        raise _unreadable(path, exc, what) from None


def _read_meta(path):
    """The checked JSON object of a saved KeyedVectors."""
    with _open(path, " (KeyedVectors.save(PATH) writes PATH and PATH" + NPY_SUFFIX + ")") as f:
        raw = f.read()
    if raw[:256].lstrip()[:1] != b"{":
        raise W2VError(f"{path}: not a file written by KeyedVectors.save (it is not JSON; "
                       "word2vec .vec/.bin files load with KeyedVectors.load_word2vec_format, "
                       "model files with w2v_numpy.load_vectors)")
    try:
        meta = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise W2VError(f"{path}: damaged or truncated KeyedVectors file (not valid JSON: "
                       f"{_one_line(exc)})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise W2VError(f"{path}: not a file written by KeyedVectors.save (no \"format\": "
                       f"\"{FORMAT}\")")
    version = meta.get("version")
    if not _is_int(version) or version < 1:
        raise W2VError(f"{path}: damaged KeyedVectors file (bad \"version\": {version!r})")
    if version > FORMAT_VERSION:
        raise W2VError(f"{path}: KeyedVectors format version {version}, newer than this "
                       f"w2v_numpy reads ({FORMAT_VERSION}): upgrade w2v_numpy")

    def need(name, ok, what):
        if name not in meta or not ok(meta[name]):
            raise W2VError(f"{path}: damaged KeyedVectors file (\"{name}\" must be {what}, "
                           f"got {_short(meta.get(name, '(missing)'))})")

    need("words", lambda v: isinstance(v, list) and all(isinstance(w, str) for w in v),
         "a list of strings")
    need("count", lambda v: _is_int(v) and v == len(meta["words"]),
         f"the number of words, {len(meta['words'])}")
    need("vector_size", lambda v: _is_int(v) and v >= 0, "an integer >= 0")
    need("dtype", lambda v: v in _DTYPES, "one of " + ", ".join(_DTYPES))
    need("npy_bytes", lambda v: _is_int(v) and v >= 0, "an integer >= 0")
    need("check_rows", lambda v: isinstance(v, list) and len(v) <= 4 * _CHECK_ROWS
         and all(_is_int(r) and 0 <= r < meta["count"] for r in v), "a short list of rows")
    need("check_sha256", lambda v: isinstance(v, str) and len(v) == 64
         and all(c in "0123456789abcdef" for c in v), "64 hex digits")
    return meta


def _read_vectors(npy, path, meta, mmap):
    """The array file of ``path``, checked against its JSON ``meta``: read, or mapped read-only."""
    saved_as = meta.get("vectors_file")
    hint = (f" (the vectors of {path}; KeyedVectors.save writes both files, keep them together"
            + (f"; it was saved as {saved_as!r}" if isinstance(saved_as, str) else "") + ")")
    shape = (meta["count"], meta["vector_size"])
    dtype = np.dtype(meta["dtype"]).newbyteorder("<")
    mismatch = ("the two files come from different saves (or a save was interrupted, or a "
                "file was changed): save again")
    with _open(npy, hint) as f:
        try:
            version = np.lib.format.read_magic(f)
            if version not in ((1, 0), (2, 0)):
                raise ValueError(f".npy format version {version} (1.0 or 2.0 expected)")
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            file_shape, fortran, file_dtype = read_header(f)
        except Exception as exc:  # numpy's header parser lets tokenize.TokenError through too
            detail = _one_line(exc) if isinstance(exc, ValueError) else "unreadable header"
            raise W2VError(f"{npy}: not a valid .npy file ({detail}); it should hold the "
                           f"vectors of {path}") from None
        if file_dtype != dtype or fortran:
            raise W2VError(f"{npy}: holds {file_dtype}{' in Fortran order' if fortran else ''}"
                           f", {path} says {meta['dtype']}: {mismatch}")
        if tuple(file_shape) != shape:
            raise W2VError(f"{npy}: shape {tuple(file_shape)}, {path} says {meta['count']} "
                           f"words x {meta['vector_size']}: {mismatch}")
        offset = f.tell()
        nbytes = meta["count"] * meta["vector_size"] * dtype.itemsize
        size = os.fstat(f.fileno()).st_size
        if size < offset + nbytes:
            raise W2VError(f"{npy}: truncated: {size} bytes, {offset + nbytes} expected")
        if size != offset + nbytes or size != meta["npy_bytes"]:
            raise W2VError(f"{npy}: {size} bytes, {path} says {meta['npy_bytes']}: {mismatch}")
        if mmap and nbytes:
            # the fingerprinted rows are read from the file, not through the map, which
            # stays untouched (a fault may map a whole page-cache folio, up to 2 MB)
            row_bytes, digest = meta["vector_size"] * dtype.itemsize, hashlib.sha256()
            for row in meta["check_rows"]:
                f.seek(offset + row * row_bytes)
                digest.update(f.read(row_bytes))
            digest = digest.hexdigest()
        else:
            vectors = np.empty(shape, dtype=dtype)
            flat, got = vectors.reshape(-1).view(np.uint8), 0
            while got < nbytes:
                n = f.readinto(flat[got:])
                if not n:
                    raise W2VError(f"{npy}: truncated while reading ({got} of {nbytes} "
                                   "bytes of vectors)")
                got += n
            vectors.flags.writeable = not mmap
            digest = _rows_digest(vectors, meta["check_rows"], dtype)
        if digest != meta["check_sha256"]:
            raise W2VError(f"{npy}: its rows do not match the fingerprint in {path}: "
                           f"{mismatch}")
        if mmap and nbytes:
            vectors = np.memmap(f, dtype=dtype, mode="r", offset=offset, shape=shape)
    return vectors


def _one_line(exc):
    return _short(" ".join(str(exc).split()), 160)


def _short(value, limit=60):
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def top_indices(scores, k):
    """Indices of the ``k`` largest scores, largest first, with gensim's tie order.

    Partial selection with :func:`numpy.argpartition` on the negated scores,
    then a sort of the selected part (what ``gensim.matutils.argsort`` does).
    """
    neg = -np.asarray(scores)
    if k >= neg.size:
        return np.argsort(neg)[:k]
    part = np.argpartition(neg, k)[:k]
    return part.take(np.argsort(neg.take(part)))


def _unit(vec):
    """``vec`` scaled to unit L2 norm (returned unchanged when zero)."""
    norm = np.sqrt(np.dot(vec, vec))
    return vec * (1.0 / norm) if norm > 0 else vec


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (str, Integral)) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    return list(value)
