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


def take_rows(table, index):
    """``table[index]``: the rows (along axis 0) of ``table`` named by ``index``, any shape.

    Why not write ``table[index]``: NumPy's general advanced indexing walks the
    index and each row in separate loops, while ``take`` along axis 0 copies a
    row as one block. Same array, and 1.5-1.7x faster for the row gathers of a
    step on NumPy 2.4 (benchmarks/history/2026-12-05-speed-round-two.md). CuPy
    arrays have the same method.
    """
    return table.take(index, axis=0)


def row_writer(table):
    """A function ``write(rows, values)`` doing ``table[rows] = values`` for distinct
    ``rows`` along axis 0, ``values`` a contiguous block of ``table``'s dtype (a
    scatter-add round's rows, gathered from ``table`` and added to).

    Why: NumPy's fancy assignment into a 2-D array walks the index and each
    row's elements in separate loops. Seen as a 1-D array of whole rows (a
    ``void`` dtype of one row's bytes), the same assignment copies a row per
    index: 1.5x faster for the scatter-add's rounds (300 rows of 100 float32:
    3.9 against 6.0 us). The view is made once per table, since making it costs
    about what it saves on a round. The bytes written are the same. Other
    tables (1-D, not contiguous, other array modules) take the plain assignment.
    """
    if not (isinstance(table, np.ndarray) and table.ndim == 2 and table.shape[1]
            and table.flags.c_contiguous):
        def write(rows, values):
            table[rows] = values
        return write
    items = table.view(np.dtype((np.void, table.shape[1] * table.itemsize))).reshape(-1)

    def write_items(rows, values):
        items[rows] = values.view(items.dtype).reshape(-1)
    return write_items


def row_dots(U, h):
    """``(U @ h[..., None])[..., 0]``: every row of ``U`` (..., L, d) dotted with ``h``
    (..., d), shape (..., L).

    Why not the matmul: stacked matrix-vector products are a loop of tiny
    products in ``matmul``; NumPy 2.2's ``matvec`` ufunc does them 1.7x faster
    (cbow_hs's deep path scores, 512 x 13 rows of 100). Other array modules
    without it get the matmul.
    """
    matvec = getattr(get_xp(), "matvec", None)
    return matvec(U, h) if matvec is not None else (U @ h[..., None])[..., 0]


def scatter_add(target, index, values, plan=None):
    """In place ``target[index[i]] += values[i]``, accumulating repeated indices.

    Dispatches to the active backend (``cupyx.scatter_add`` on CuPy). ``plan``
    (from :func:`row_plan`, for the same ``index``) lets several targets that
    share one index skip the bookkeeping; backends other than NumPy (and the
    element-by-element scatter of shared-memory workers) ignore it.
    """
    get_xp()
    if plan is not None and _STATE["scatter"] is _numpy_scatter_add:
        return _numpy_scatter_add(target, index, values, plan)
    return _STATE["scatter"](target, index, values)


#: Most occurrence ranks that :func:`_numpy_scatter_add` applies as rounds of distinct rows.
SCATTER_ROUNDS = 16
#: Most distinct rows whose tail occurrences :func:`_numpy_scatter_add` sums by one
#: product with a 0/1 matrix (made with the plan) instead of ``np.add.at``: about 2x
#: faster on the tails of sgram_hs, cbow_hs and sgram_neg (20-27 distinct rows of 45-92
#: occurrences; benchmarks/history/2026-12-05-speed-round-two.md). The matrix grows as
#: rows times occurrences, so a tail of many distinct rows keeps ``np.add.at``.
TAIL_SUM_ROWS = 64
#: Fewest rows worth a round of their own. A round costs a few NumPy calls (about
#: 8 us) and little a row; the tail's ``np.add.at`` about 0.3 us a row of 100
#: floats. Rounds while at least this many rows reach them, instead of a fixed 4:
#: cbow_hs's W_out (deep tree nodes repeated 5-15 times a batch) 1.13x and
#: fasttext_sgram's 1.14x faster to scatter, the other types' rows unchanged
#: (benchmarks/history/2026-12-05-speed-round-two.md).
MIN_ROUND_ROWS = 32


def _run_heads(ids):
    """True where a run of equal values of the sorted ``ids`` (n,) starts."""
    head = np.empty(ids.size, dtype=bool)
    head[:1] = True
    np.not_equal(ids[1:], ids[:-1], out=head[1:])
    return head


def _tail_sum(rows):
    """``(distinct rows, 0/1 float32 matrix (distinct, occurrences))`` of a scatter-add's
    tail ``rows`` (sorted, as a plan's tail is), or ``None`` where it is empty or has
    more than :data:`TAIL_SUM_ROWS` distinct rows."""
    n = rows.size
    if n == 0:
        return None
    starts = _run_heads(rows)                                               # (n,) a new row
    distinct, which = rows[starts], np.cumsum(starts) - 1                   # (u,), (n,)
    if distinct.size > TAIL_SUM_ROWS:
        return None
    ones = np.zeros((distinct.size, n), dtype=np.float32)                   # (u, n)
    ones.reshape(-1)[which * n + np.arange(n)] = 1
    return distinct, ones


class RowPlan:
    """How :func:`_numpy_scatter_add` deals one index into rounds of distinct rows.

    Making it costs a sort of the index and a few passes over it; a caller
    that scatters into several arrays with the same index (a parameter and
    its optimiser state, a vector block and its bias) makes it once with
    :func:`row_plan` and passes it to every :func:`scatter_add`.

    It is a few arrays, a tuple and a flag, so that it travels cheaply between
    processes (the batch producer of :mod:`w2v_numpy.batching.producer` makes it):
    ``take``, the positions in ``index`` ordered round by round (every row's
    occurrence 0, then every row's occurrence 1, ...; the occurrences past the
    last round, those of the few very frequent rows, last), ``rows =
    index[take]``, and ``bounds``, where each round and the tail start in
    ``take``. The rounds are the occurrence ranks that at least
    :data:`MIN_ROUND_ROWS` rows reach (the first always, at most
    :data:`SCATTER_ROUNDS`). ``index`` is the index it was made for: a plan
    made elsewhere is checked against the index it is given with.

    ``tail_sum``: for a tail of at most :data:`TAIL_SUM_ROWS` distinct rows, those
    rows and the float32 0/1 matrix (rows x tail) that sums their occurrences;
    else ``None``.

    ``in_order``: the index lists its rows round by round (``take`` is ``0, 1,
    2, ...``), so a round's values are a slice of the values and the
    scatter-add skips gathering them, about a third of its time on cbow_hs's and
    sgram_hs's rows. Only :func:`arranged_plan` makes such plans: a kernel that
    makes its rows by a gather anyway lists them in its order.
    """

    __slots__ = ("index", "take", "rows", "bounds", "in_order", "tail_sum")

    def __init__(self, index):
        self.index = index
        n = index.size
        order = np.argsort(index)                                            # (n,)
        ranked = index[order]                                                # (n,) sorted
        new_row = _run_heads(ranked)                                         # (n,)
        at = np.arange(n)
        rank = at - np.maximum.accumulate(np.where(new_row, at, 0))         # (n,) occurrence number
        np.minimum(rank, SCATTER_ROUNDS, out=rank)                           # (n,) at most the tail
        reach = np.bincount(rank, minlength=SCATTER_ROUNDS + 1)[:SCATTER_ROUNDS]  # rows per rank
        rounds = max(1, int(np.count_nonzero(reach >= MIN_ROUND_ROWS)))      # ranks fall with count
        np.minimum(rank, rounds, out=rank)                                   # (n,) round; rounds = tail
        self.bounds = tuple(np.cumsum(np.bincount(rank, minlength=rounds + 1)).tolist())
        # rank <= SCATTER_ROUNDS fits int8, whose stable sort is a radix sort
        self.take = order[np.argsort(rank.astype(np.int8), kind="stable")]   # (n,) round by round
        self.rows = index[self.take]                                         # (n,)
        self.in_order = False
        self.tail_sum = _tail_sum(self.tail_rows)

    def listed(self, first=None):
        """The ``in_order`` plan of this plan's ``rows`` (the index listed round by round),
        after ``first``: distinct rows, none of them in the index, so all in the first
        round. The same rounds and tail, no second sort."""
        first = np.zeros(0, dtype=self.rows.dtype) if first is None else first
        plan = RowPlan.__new__(RowPlan)
        plan.rows = plan.index = np.concatenate([first, self.rows])
        plan.take = np.arange(plan.rows.size)
        plan.bounds = tuple(first.size + b for b in self.bounds)
        plan.in_order, plan.tail_sum = True, self.tail_sum
        return plan

    def __getstate__(self):
        # an in-order plan's ``take`` is 0, 1, 2, ...: made again on arrival, not sent
        state = {name: getattr(self, name) for name in self.__slots__}
        if self.in_order:
            state["take"] = None
        return state

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)
        if self.take is None:
            self.take = np.arange(self.index.size)

    @property
    def rounds(self):
        """``[(rows, take)]`` per round: no row twice within one."""
        out, start = [], 0
        for stop in self.bounds[:-1]:
            if stop == start:
                break
            out.append((self.rows[start:stop], self.take[start:stop]))
            start = stop
        return out

    @property
    def tail(self):
        """Positions of the occurrences past the last round."""
        return self.take[self.bounds[-2]:]

    @property
    def tail_rows(self):
        return self.rows[self.bounds[-2]:]


def row_plan(index, n_rows=None):
    """A :class:`RowPlan` for ``index`` on the NumPy backend; ``None`` on the others."""
    get_xp()
    return RowPlan(index) if _STATE["scatter"] is _numpy_scatter_add and index.size else None


def _numpy_scatter_add(target, index, values, plan=None):
    """NumPy scatter-add: in place ``target[index[i]] += values[i]``, accumulating
    repeated indices.

    ``target[index] += values`` alone would keep only one of several updates
    to the same row, silently losing gradient for a word that occurs twice in
    a batch. ``np.add.at`` accumulates correctly but costs a few times more
    per element than a fancy-index add, and in a word2vec batch about 40% of
    the rows repeat (frequent words, negatives drawn from the same table).

    So the updates are dealt into rounds in which no row repeats: sorting the
    indices numbers the occurrences of each row 0, 1, 2, ...; round ``k``
    takes every row's occurrence ``k`` and is one fast fancy-index add. Most
    rows occur at most a few times, so :data:`SCATTER_ROUNDS` rounds carry
    almost every update; the long tail (the few very frequent words) is
    summed per row by one small product and added as one more round, or,
    where it has many distinct rows, goes through one ``np.add.at`` on the
    flattened matrix, where it is several times faster than on rows. The sum
    is exact; only the order of the float additions differs from a sequential
    loop. The dealing is a
    :class:`RowPlan`, made here unless the caller brings one.

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
    if plan is None:
        plan = RowPlan(index)
    elif plan.index is not index and not np.array_equal(plan.index, index):
        # A plan for other rows would add every update to the wrong row, silently.
        raise ValueError("scatter_add: the row plan was made for another index")
    start, write = 0, row_writer(target)
    for rows, take in plan.rounds:       # rows distinct: one gather, add, write back
        stop = start + rows.size
        current = target.take(rows, axis=0)
        current += values[start:stop] if plan.in_order else values.take(take, axis=0)
        write(rows, current)
        start = stop
    if plan.tail.size:
        tail = values[start:] if plan.in_order else values.take(plan.tail, axis=0)
        if plan.tail_sum is None:
            _numpy_scatter_add_elementwise(target, plan.tail_rows, tail)
        else:                                # a few rows, often: their sums by one product
            rows, ones = plan.tail_sum
            current = target.take(rows, axis=0)
            current += ones.astype(values.dtype, copy=False) @ tail          # (u, n) @ (n, d)
            write(rows, current)
    return target


def arranged_plan(index, first=None):
    """``(order, plan)``: ``order`` lists the positions of ``index`` as its scatter-add
    applies them (round by round, :class:`RowPlan`), and ``plan`` is the ``in_order``
    plan of the rows listed that way, after ``first`` (distinct rows, none of them in
    ``index``, which the kernel lists ahead: they fall in the first round). A kernel
    that makes its rows by a gather gathers them in ``order`` and passes ``plan``
    on; index work, made ahead of the step. On other backends ``(None, None)``."""
    get_xp()
    if _STATE["scatter"] is not _numpy_scatter_add or index.size == 0:
        return None, None
    dealt = RowPlan(index)
    return dealt.take, dealt.listed(first)


def _numpy_scatter_add_elementwise(target, index, values):
    """Scatter-add that reads, adds and writes each element on its own (``np.add.at``).

    For processes that update shared parameters at the same time: a fancy-index
    add reads all its rows, adds, then writes them all back, so another
    process's update to one of those rows in between is lost, and the most
    frequent words are in every batch of every worker. Element by element
    the window is nanoseconds, as in word2vec.c's threads. On the flattened
    matrix ``np.add.at`` is several times faster than on rows, and int32
    element indices halve the index traffic where they fit.
    """
    if index.size == 0:
        return target
    if target.ndim == 2 and target.flags.c_contiguous:
        d = target.shape[1]
        dt = np.int32 if target.size < 2 ** 31 else np.int64
        flat = (index.astype(dt)[:, None] * dt(d) + np.arange(d, dtype=dt)).ravel()   # (n * d,)
        np.add.at(target.reshape(-1), flat, values.reshape(-1))
    else:
        np.add.at(target, index, values)
    return target


def share_safe_scatter():
    """Make NumPy's scatter-add element by element in this process (see above)."""
    if backend_name() == "numpy":
        _STATE["scatter"] = _numpy_scatter_add_elementwise
