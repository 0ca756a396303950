"""A parent's aggregates over its own children, one parent block at a time.

In a table with ``rows: {per: PARENT}``, the children of parent rows ``[a, b)`` are the child
rows ``[first(a), first(b))``: one run of rows, found from the parent link without reading a key.
An aggregate over those children evaluates the child blocks that cover the run and reduces each
parent's part of it, so it costs about what making the child column once costs, and its memory
is a few blocks whatever the size of the tables.

Child blocks are evaluated whole (a block's draws are one stream: part of a block is never made
alone), for the columns that every aggregate of the parent over that child reads, and kept in
the :class:`~rulegen.engine.context.ChildBlocks` that the block context carries: the aggregates
of one parent block share them, and the child block at the seam of two parent blocks is made
once when the parent blocks come in order. Reductions follow Arrow's grouped ``sum``, ``count``,
``min``, ``max`` and ``mean``, which the other aggregates use, value for value: parents without
children get 0 from ``sum`` and ``count`` and null from the others; nulls are skipped, and a
parent whose children are all null gets null (``count``: 0).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.engine.context import BlockContext
from rulegen.plan.plan import ParentLink, TablePlan

__all__ = ["SumRangeError", "child_ranges", "child_values", "reduce_runs"]


class SumRangeError(Exception):
    """A run's integer sum may leave the 64-bit integers: check it exactly before reducing."""


def child_ranges(link: ParentLink, parents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first child row of each parent row and how many children it has."""
    starts = link.first_child(parents)
    after = parents + 1
    inside = after < link.parents
    ends = np.full(len(parents), link.total, dtype=np.int64)
    ends[inside] = link.first_child(after[inside])
    return starts, ends - starts


def child_values(ctx: BlockContext, child: TablePlan, columns: Collection[str], starts: np.ndarray,
                 counts: np.ndarray) -> dict[str, pa.Array]:
    """``columns`` of the children of the parent rows, parent after parent: each parent's
    ``counts`` rows from its ``starts``.

    Args:
        ctx: the parent block's context (its cache of child blocks is used and filled).
        child: the child table's plan.
        columns: the child columns to return; the blocks are evaluated for all of their inputs.
        starts, counts: from :func:`child_ranges`.

    Returns:
        Each column's values over the children, in parent order.
    """
    needed = child.needed(columns)
    total = int(counts.sum())
    if total == 0:
        return {name: pa.array([], type=child.columns[name].type) for name in columns}
    nonempty = counts > 0
    low, high = int(starts[nonempty][0]), int((starts + counts)[nonempty].max())
    first, last = low // child.block_rows, (high - 1) // child.block_rows
    blocks = [ctx.children.get(child, ctx.seed, block, needed) for block in range(first, last + 1)]
    base = first * child.block_rows
    contiguous = bool(np.all(starts[nonempty][1:] == (starts + counts)[nonempty][:-1]))
    result = {}
    for name in columns:
        pieces = [values[name] for values in blocks]
        whole = pieces[0] if len(pieces) == 1 else pa.concat_arrays(pieces)
        if contiguous:  # the usual case: a whole parent block, its children one run
            result[name] = whole.slice(low - base, total)
        else:
            rows = np.repeat(starts - base, counts) + _positions(counts)
            result[name] = whole.take(pa.array(rows))
    return result


def _positions(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., count - 1 for each count, concatenated."""
    total = int(counts.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)


def reduce_runs(values: pa.Array, counts: np.ndarray, fn: str, result_type: pa.DataType, *,
                checked: bool = False) -> pa.Array:
    """``fn`` of each parent's run of ``values`` (runs of ``counts`` rows, in order), as Arrow's
    grouped aggregation gives it.

    Numbers without nulls are reduced with NumPy (sums add each run's values in order, as
    Arrow does); anything else goes through Arrow's ``group_by`` over these rows only.

    Raises:
        SumRangeError: an integer sum passes 2**62 in floats and ``checked`` is not set (the
            caller checks those sums exactly, then calls again with ``checked=True``).
    """
    n = len(counts)
    has = counts > 0
    numeric = pa.types.is_integer(values.type) or pa.types.is_floating(values.type)
    if fn == "count" and values.null_count == 0:
        return pa.array(counts.astype(np.int64), type=result_type)
    if not numeric or values.null_count > 0:
        return _grouped(values, counts, fn, result_type)
    x = values.to_numpy()
    owner = np.repeat(np.arange(n, dtype=np.int64), counts)
    if fn in ("sum", "mean"):
        if pa.types.is_integer(values.type):
            sums = _integer_sums(x, counts, has, checked)
        else:
            sums = np.bincount(owner, weights=x, minlength=n)  # adds in row order, as Arrow does
        if fn == "sum":
            return pa.array(sums, type=result_type)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums.astype(np.float64) / np.maximum(counts, 1)
        return pa.array(means, type=result_type, mask=~has)
    reducer = np.minimum if fn == "min" else np.maximum
    out = np.zeros(n, dtype=x.dtype)
    if has.any():
        out[has] = reducer.reduceat(x, (np.cumsum(counts) - counts)[has])
    return pa.array(out, type=result_type, mask=~has)


def _integer_sums(x: np.ndarray, counts: np.ndarray, has: np.ndarray, checked: bool) -> np.ndarray:
    """Exact 64-bit sums of each run (see :func:`reduce_runs` for ``checked``)."""
    n = len(counts)
    owner = np.repeat(np.arange(n, dtype=np.int64), counts)
    if not checked and np.abs(np.bincount(owner, weights=x.astype(np.float64), minlength=n)).max(initial=0.0) > 2.0**62:
        raise SumRangeError
    sums = np.zeros(n, dtype=np.int64)
    if has.any():
        sums[has] = np.add.reduceat(x.astype(np.int64), (np.cumsum(counts) - counts)[has])
    return sums


def _grouped(values: pa.Array, counts: np.ndarray, fn: str, result_type: pa.DataType) -> pa.Array:
    """Arrow's grouped ``fn`` of each run (the path of columns that are not plain numbers)."""
    n = len(counts)
    owner = np.repeat(np.arange(n, dtype=np.int64), counts)
    grouped = pa.table({"i": owner, "v": values}).group_by("i").aggregate([("v", fn)])
    empty = 0 if fn in ("sum", "count") else None
    at = grouped.column("i").combine_chunks().to_numpy()
    filled = grouped.column(1).combine_chunks().cast(result_type).take(pa.array(np.argsort(at)))
    mask = np.zeros(n, dtype=bool)
    mask[at] = True
    return pc.replace_with_mask(pa.array([empty] * n, type=result_type), pa.array(mask), filled)
