"""Evaluate a table's columns for a set of rows: the heart of the engine.

Columns are computed in dependency order, each as one vectorised call. The options common to
all kinds are applied here, in a fixed order: value (or the keyed permutation for ``unique``
and composite keys), ``round``, ``clip`` (its bounds already snapped to the rounding grid),
``when``/``else``, then ``null``; a negative zero becomes zero. Each column is measured against the byte budget
(:mod:`rulegen.plan.budget`) as it is made.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.engine.constraints import enforce_constraints
from rulegen.engine.context import BlockContext, ChildBlocks
from rulegen.engine.random import block_rng, stream_key, stream_seed
from rulegen.engine.unique import composite_values, permute, row_hashes
from rulegen.expr.evaluate import evaluate_expression
from rulegen.kinds.domains import rounding_problem
from rulegen.kinds.numeric import value_error
from rulegen.plan.budget import check_block
from rulegen.plan.plan import ColumnPlan, TablePlan, Uniqueness
from rulegen.spec.source_map import join_pointer

__all__ = ["block_output", "evaluate_block", "evaluate_rows", "evaluate_values"]


def evaluate_values(table: TablePlan, seed: int, block: int, columns: Collection[str] | None = None, *,
                    children: ChildBlocks | None = None) -> dict[str, pa.Array]:
    """Every column (hidden ones too) of one block, with its constraints met; or only ``columns``,
    which must hold their own inputs (see :meth:`TablePlan.needed`). ``children`` holds child
    blocks already made for its aggregates."""
    start, stop = table.block_range(block)
    rows = np.arange(start, stop, dtype=np.int64)
    values = evaluate_rows(table, seed, block, rows, columns=columns, children=children)
    if (table.constraints or table.unique_redraws) and (columns is None or not set(table.redraw).isdisjoint(columns)):
        values = enforce_constraints(table, seed, block, rows, values, evaluate_rows)
    return values


def evaluate_block(table: TablePlan, seed: int, block: int, *,
                   children: ChildBlocks | None = None) -> tuple[pa.RecordBatch, list[np.ndarray]]:
    """The output rows of one block, and the row hashes of the table's streaming unique checks
    (``children`` as in :func:`evaluate_values`)."""
    return block_output(table, block, evaluate_values(table, seed, block, children=children))


def block_output(table: TablePlan, block: int,
                 values: dict[str, pa.Array]) -> tuple[pa.RecordBatch, list[np.ndarray]]:
    """What :func:`evaluate_block` returns, from the block's ``values`` (every column)."""
    batch = pa.RecordBatch.from_arrays([values[name] for name in table.output], schema=table.schema)
    rows = np.arange(*table.block_range(block), dtype=np.int64)
    hashes = [row_hashes([values[c] for c in check.columns], rows) for check in table.unique_checks]
    return batch, hashes


def evaluate_rows(table: TablePlan, seed: int, block: int, rows: np.ndarray, attempt: int = 0,
                  known: dict[str, pa.Array] | None = None, columns: Collection[str] | None = None,
                  children: ChildBlocks | None = None) -> dict[str, pa.Array]:
    """Every column (hidden ones too), or only ``columns``, for ``rows`` of ``block`` at redraw
    ``attempt``.

    Columns in ``known`` keep the given values; the others are evaluated. ``children`` as in
    :func:`evaluate_values`.
    """
    ctx = BlockContext(seed=seed, table=table.name, block=block, rows=rows, attempt=attempt,
                       values=dict(known or {}), children=children if children is not None else ChildBlocks())
    if table.copula is not None:
        copula = table.copula
        rng = block_rng(stream_key(seed, table.name, "", "copula"), block, attempt)
        normals = rng.standard_normal((len(rows), len(copula.columns))) @ copula.cholesky.T
        from scipy.special import ndtr  # imported when needed: SciPy is slow to import

        ctx.uniforms = {name: ndtr(normals[:, i]) for i, name in enumerate(copula.columns)}
    for name in table.order:
        if name not in ctx.values and (columns is None or name in columns):
            ctx.column = name
            ctx.values[name] = _evaluate_column(table.columns[name], ctx, table)
            check_block(table, {name: ctx.values[name]})  # before the next column builds on it
    return ctx.values


def _evaluate_column(column: ColumnPlan, ctx: BlockContext, table: TablePlan) -> pa.Array:
    spec, kind = column.spec, column.kind
    if column.uniqueness is Uniqueness.CONSTRUCT:
        space = min(kind.space_size() or 0, _MAX_SPACE)
        index = column.unique_index(ctx.rows, ctx.attempt, table.rows)
        values = kind.values_at(permute(index, space, stream_seed(ctx.seed, table.name, spec.name, "unique")))
    elif column.composite is not None:
        values = composite_values(column, ctx, table)
    else:
        values = kind.evaluate(ctx)
    if (spec.round is not None and pa.types.is_floating(values.type)) or (spec.round or 0) < 0:
        values = _round(values, column, ctx.rows)
    if column.clip is not None:
        values = _clip(values, *column.clip)
    if column.when is not None:
        keep = pc.fill_null(evaluate_expression(column.when, ctx.values, ctx.n, rows=ctx.rows), False)
        values = pc.if_else(keep, values, pa.scalar(spec.else_).cast(column.type))
    if values.type != column.type:
        values = _cast(values, column, ctx.rows)
    if pa.types.is_floating(values.type):  # -0.0 + 0.0 is 0.0: no output ever shows a negative zero
        values = pc.add(values, pa.scalar(0.0, values.type))
    if spec.null > 0:
        missing = ctx.rng("null").random(ctx.n) < spec.null
        values = pc.if_else(pa.array(missing), pa.scalar(None, column.type), values)
    return values


def _round(values: pa.Array, column: ColumnPlan, rows: np.ndarray) -> pa.Array:
    """``values`` rounded to the column's ``round``; an integer that would round past the 64-bit
    integers (from a kind whose bounds validate cannot know) stops the run naming its row."""
    digits = column.spec.round
    try:
        return pc.round(values, ndigits=digits)
    except pa.ArrowInvalid:
        x = values.fill_null(0).to_numpy(zero_copy_only=False) if pa.types.is_integer(values.type) else []
        for i in np.flatnonzero(np.abs(np.asarray(x, dtype=np.float64)) > 2.0**62):  # the only ones that can
            problem = rounding_problem(int(x[i]), int(x[i]), digits)
            if problem:
                raise value_error("RG415", problem, join_pointer(column.spec.pointer, "round"), int(rows[i]),
                                  hint="round to fewer digits, or keep the values further from ±9.2e18") from None
        raise


def _cast(values: pa.Array, column: ColumnPlan, rows: np.ndarray) -> pa.Array:
    """``values`` as the column's type; a drawn float past the 64-bit integers that ``round``
    makes whole numbers (a law whose tail validate cannot bound) stops the run naming its row."""
    try:
        return values.cast(column.type)
    except pa.ArrowInvalid:
        if not (pa.types.is_integer(column.type) and pa.types.is_floating(values.type)):
            raise
        x = values.fill_null(0).to_numpy(zero_copy_only=False)
        past = np.flatnonzero(~(np.abs(x) < 2.0**63))
        if not len(past):
            raise
        at = int(past[0])
        raise value_error("RG415", f"{x[at]:.6g} is past the 64-bit integers that `round: {column.spec.round}` "
                                   "writes whole numbers as", join_pointer(column.spec.pointer, "round"), int(rows[at]),
                          hint="keep the values within ±9.2e18, or drop `round` to keep them as floats") from None


_MAX_SPACE = 1 << 62  # larger spaces are permuted within their first 2**62 points


def _clip(values: pa.Array, low: float | None, high: float | None) -> pa.Array:
    if low is not None:
        values = pc.max_element_wise(values, pa.scalar(low).cast(values.type))
    if high is not None:
        values = pc.min_element_wise(values, pa.scalar(high).cast(values.type))
    return values
