"""Rows summed per owner or per id, with the bookkeeping made from the indices alone.

Several kernels end a step with many gradient rows that belong together: the
n-gram rows of one word, the slots of one example, the visits of one tree
node. Summing them needs a sort or a count of the *indices*, which do not
depend on the parameters, so the batch producer makes that bookkeeping
ahead (:class:`Segments`, :class:`Merge`; see
:meth:`w2v_numpy.kernels.Kernel.prepare`) and the step only adds rows.
"""
from typing import NamedTuple

from ..backend import get_xp, take_rows


def run_starts(ids):
    """Where each run of equal values of the sorted ``ids`` (m,) starts, (u,)."""
    xp = get_xp()
    head = xp.ones(ids.size, dtype=bool)                                   # (m,)
    head[1:] = ids[1:] != ids[:-1]
    return xp.flatnonzero(head)


class Segments(NamedTuple):
    """Where the runs of a sorted ``owner`` (m,) in 0..n-1 start: :func:`segment_sum`'s
    bookkeeping, made from the owners alone."""

    n: int           # owners, rows of the result
    some: object     # int (s,)  the owners with at least one row
    starts: object   # int (s,)  where each of their runs starts


def segments(owner, n):
    """The :class:`Segments` of ``owner`` (sorted, in 0..n-1)."""
    xp = get_xp()
    count = xp.bincount(owner, minlength=n)                                # (n,)
    some = xp.flatnonzero(count > 0)     # (s,)  on a bool array: NumPy's nonzero is 8x faster
    return Segments(n, some, (xp.cumsum(count) - count)[some])


def segment_sum(values, owner, n=None):
    """Row sums of ``values`` (m, d) per ``owner`` (sorted, in 0..n-1, or its
    :class:`Segments`): (n, d), zeros where none.

    Each owner's rows are one run (an example's n-grams, some twenty rows), and
    ``add.reduceat`` sums runs of that length fast.
    """
    xp = get_xp()
    seg = owner if isinstance(owner, Segments) else segments(owner, n)
    out = xp.zeros((seg.n, values.shape[1]), dtype=values.dtype)
    if values.shape[0]:
        out[seg.some] = xp.add.reduceat(values, seg.starts, axis=0)
    return out


class Merge(NamedTuple):
    """How :func:`merged` sums source rows per id, made from the ids alone."""

    ids: object         # int (u,)  the distinct ids, sorted
    first: object       # int (u,)  the source row of each id's first occurrence
    multi: object       # int (r,)  positions in ``ids`` that occur more than once
    rest: object        # int (m - u,)  source rows of the other occurrences, by id
    rest_start: object  # int (r,)  where each of those ids' runs starts in ``rest``


def merge_plan(index, owner):
    """The :class:`Merge` of ids ``index`` (m,) whose rows are ``source[owner]``.

    Sorted by id, most ids occur once: their row is taken as it is, and only the
    rest of each longer run is summed (``reduceat`` is slow on runs of one or two).
    """
    xp = get_xp()
    order = xp.argsort(index, kind="stable")                               # (m,)
    ids, src = index[order], owner[order]                                  # sorted
    starts = run_starts(ids)                                               # (u,)
    head = xp.zeros(ids.size, dtype=bool)                                  # (m,) run starts
    head[starts] = True
    size = xp.diff(xp.append(starts, ids.size))                            # (u,)
    multi = xp.flatnonzero(size > 1)                                       # runs to sum
    rest = size[multi] - 1                                                 # (r,) after the first
    return Merge(ids[starts], src[starts], multi, src[~head], xp.cumsum(rest) - rest)


def merged(source, plan):
    """``(ids, rows)``: the rows of :class:`Merge` ``plan`` summed per id, so that they
    can be added with plain indexing (:class:`RowGrad` ``unique=True``) instead of the
    scatter-add, whose bookkeeping is a pass over every row of a table of millions."""
    out = take_rows(source, plan.first)                                    # (u, d) first rows
    if plan.multi.size:
        rest = take_rows(source, plan.rest)                                # (m - u, d)
        out[plan.multi] += get_xp().add.reduceat(rest, plan.rest_start, axis=0)
    return plan.ids, out                                                   # (u,), (u, d)


def merge_rows(index, source, owner, weight=None):
    """The rows ``source[owner[i]] (* weight[i])`` summed per id of ``index``:
    ``(unique ids, rows)`` (:func:`merge_plan` and :func:`merged` at once)."""
    if weight is not None:
        xp = get_xp()
        source = take_rows(source, owner) * weight[:, None].astype(source.dtype)  # (m, d)
        owner = xp.arange(index.size)
    return merged(source, merge_plan(index, owner))
