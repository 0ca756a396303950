"""Children per parent row (``rows: {per: PARENT, <integer law>}``), drawn block by block.

The count of parent row i comes from the law's stream at the block of i, like any column value
(or, with ``stratified``, from the law's quantile at the row's stratified uniform, a function of
the row alone: :mod:`rulegen.engine.strata`), or from an integer expression over the parent row
(:class:`ExprCounts`, ``count: "if(late, 1, 0)"``), so the counts of one parent block are drawn
alone, in any process, in any order. Nothing holds every parent's count: a
:class:`~rulegen.plan.plan.ParentLink` keeps the total of each parent block
(:func:`block_totals`, one pass) and draws the counts of the few parent blocks a child
block needs when it needs them. Memory follows the number of parent blocks, never the rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rulegen.engine.context import BlockContext
from rulegen.engine.random import block_rng, stream_key
from rulegen.engine.strata import stratified_uniforms
from rulegen.errors import Diagnostic, GenerationError
from rulegen.expr.parser import Expression
from rulegen.kinds.base import Kind

__all__ = ["INT64_MAX", "REASONS", "ExprCounts", "ExprLawCounts", "LawCounts", "Totals", "block_totals"]

INT64_MAX = 2**63 - 1


class _PerParentBlock:
    """What the three kinds of counts share: the parent's rows, read block by block."""

    __slots__ = ()
    parent_rows: int
    block_rows: int

    @property
    def blocks(self) -> int:
        """Parent blocks."""
        return -(-self.parent_rows // self.block_rows)

    def rows_of(self, block: int) -> np.ndarray:
        """The parent rows of block ``block`` (int64)."""
        start = block * self.block_rows
        return np.arange(start, min(start + self.block_rows, self.parent_rows), dtype=np.int64)


@dataclass(frozen=True, slots=True, eq=False)
class LawCounts(_PerParentBlock):
    """The counts of children of each row of a parent block, drawn from a compiled integer law."""

    law: Kind
    seed: int
    table: str  # the child table: the stream is (seed, table, "rows")
    parent_rows: int
    block_rows: int
    stratified: bool = False  # the law's quantiles at stratified uniforms (rulegen.engine.strata)

    def __call__(self, block: int) -> np.ndarray:
        """The counts of parent block ``block``'s rows (int64; may be negative: see block_totals)."""
        rows = self.rows_of(block)
        ctx = BlockContext(seed=self.seed, table=self.table, block=block, rows=rows, column="rows")
        if self.stratified:  # a law given uniforms draws through its quantile function
            ctx.uniforms["rows"] = stratified_uniforms(self.seed, self.table, rows, self.parent_rows)
        return np.asarray(self.law.evaluate(ctx).to_numpy(zero_copy_only=False), dtype=np.int64)


@dataclass(frozen=True, slots=True, eq=False)
class ExprCounts(_PerParentBlock):
    """The counts of children of each row of a parent block, from an integer expression over
    the parent's columns (``count: "if(is_null(returned_at), 0, 1)"``).

    The parent's plan is looked up in ``plans`` when a block is asked for, so the counts read the
    same plan as the rest of the run; a parent block's columns are evaluated alone, so the counts
    of one block need no other block.
    """

    expression: Expression
    parent: str
    plans: Mapping[str, Any]  # the parent's TablePlan by name (filled while the plan compiles)
    seed: int
    parent_rows: int
    block_rows: int

    def __call__(self, block: int) -> np.ndarray:
        """The counts of parent block ``block``'s rows (int64, never negative).

        Raises:
            GenerationError: the count of a parent row is null or negative (RG342), naming the row.
        """
        from rulegen.engine.evaluate import evaluate_values
        from rulegen.expr.evaluate import evaluate_expression

        table = self.plans[self.parent]
        rows = self.rows_of(block)
        values = evaluate_values(table, self.seed, block, table.needed(self.expression.names))
        counts = evaluate_expression(self.expression, values, len(rows), rows)
        nulls = np.asarray(counts.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        drawn = np.asarray(counts.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
        bad = np.flatnonzero(nulls | (drawn < 0))
        if len(bad):
            at = int(bad[0])
            got = "null" if nulls[at] else f"{int(drawn[at])}"
            raise GenerationError([Diagnostic(
                "RG342", f"row {int(rows[at])} of `{self.parent}` gets {got} rows: a count per parent row must be a "
                         f"whole number of at least 0", self.expression.pointer,
                hint="keep the expression at 0 or more, e.g. max(0, ...) or coalesce(..., 0)")])
        return drawn


@dataclass(frozen=True, slots=True, eq=False)
class ExprLawCounts(_PerParentBlock):
    """The counts of children of each row of a parent block, drawn from an integer law whose
    parameters are expressions over the parent row (``lam: "if(tier == 'premium', 8, 4)"``).

    Each count is the law's quantile at a uniform of the stream (seed, table, "rows"), so a block
    draws alone and the parameters may differ from row to row.
    """

    family: Any  # a rulegen.kinds.numeric.Family with a SciPy quantile function
    params: Mapping[str, Any]  # a number, or an Expression over the parent's columns
    parent: str
    plans: Mapping[str, Any]  # the parent's TablePlan by name (see ExprCounts)
    seed: int
    table: str  # the child table
    parent_rows: int
    block_rows: int
    shift: int = 0
    stratified: bool = False  # uniforms from rulegen.engine.strata instead of the stream

    def __call__(self, block: int) -> np.ndarray:
        """The counts of parent block ``block``'s rows (int64, never negative).

        Raises:
            GenerationError: a parameter of some parent row is null or outside the law's
                domain (RG344), naming the row.
        """
        from rulegen.engine.evaluate import evaluate_values
        from rulegen.expr.evaluate import evaluate_expression

        rows = self.rows_of(block)
        table = self.plans[self.parent]
        names = frozenset().union(*(p.names for p in self.params.values() if isinstance(p, Expression)))
        values = evaluate_values(table, self.seed, block, table.needed(names))
        params = {name: np.asarray(evaluate_expression(p, values, len(rows), rows).to_numpy(zero_copy_only=False),
                                   dtype=np.float64) if isinstance(p, Expression) else p
                  for name, p in self.params.items()}
        if self.stratified:
            u = stratified_uniforms(self.seed, self.table, rows, self.parent_rows)
        else:
            u = block_rng(stream_key(self.seed, self.table, "rows", "value"), block).random(len(rows))
        with np.errstate(all="ignore"):
            drawn = np.asarray(self.family.scipy(**params).ppf(u), dtype=np.float64) + self.shift
        bad = np.flatnonzero(~np.isfinite(drawn) | (drawn < 0) | (drawn > INT64_MAX))
        if len(bad):
            at = int(bad[0])
            shown = ", ".join(f"{name}={np.broadcast_to(value, len(rows))[at]:g}" for name, value in params.items())
            pointer = next(p.pointer for p in self.params.values() if isinstance(p, Expression))
            raise GenerationError([Diagnostic(
                "RG344", f"row {int(rows[at])} of `{self.parent}` gives the law of rows {self.family.name}({shown}), "
                         "which has no count there (a parameter null or outside its range)", pointer,
                hint="keep the parameter expressions inside the law's range, e.g. with clip(...)")])
        return drawn.astype(np.int64)


@dataclass(frozen=True, slots=True)
class Totals:
    """What one pass over the counts found: prefix sums of the block totals, the largest count,
    and the first problem (see :data:`REASONS`)."""

    prefix: np.ndarray | None  # prefix[b]: children of the parent blocks before b; None on a problem
    most: int
    problem: str = ""
    reason: str = ""  # one of REASONS when prefix is None


# Why drawing stopped: a negative count, a total past int64, past the caller's limit, or more
# parent blocks than memory holds the totals of.
REASONS = ("negative", "overflow", "limit", "memory")


def block_totals(counts: LawCounts | ExprCounts | ExprLawCounts, blocks: int | None = None,
                 limit: int = INT64_MAX) -> Totals:
    """Draw the counts of the first ``blocks`` parent blocks (all by default), one block at a
    time, keeping only each block's total and the largest count.

    The totals grow as blocks are drawn (never allocated for every block up front), so a pass
    stopped by ``limit`` takes memory for the blocks it drew.

    Args:
        counts: the law's counts.
        blocks: how many parent blocks to draw (an estimate draws one).
        limit: the most child rows the caller accepts; drawing stops once they are passed.

    Returns:
        The totals, or the first problem: a negative count, a total past ``limit`` or int64,
        totals that do not fit in memory.
    """
    blocks = counts.blocks if blocks is None else min(blocks, counts.blocks)
    prefix = np.zeros(min(blocks, 1 << 12) + 1, dtype=np.int64)
    total, most = 0, 0
    for block in range(blocks):
        drawn = counts(block)
        if block + 1 == len(prefix):
            try:
                prefix = np.concatenate([prefix, np.zeros(min(len(prefix), blocks - block), dtype=np.int64)])
            except MemoryError:
                return Totals(None, most, f"the totals of {blocks:,} parent blocks do not fit in memory", "memory")
        prefix[block + 1] = total
        if len(drawn) == 0:
            continue
        low, high = int(drawn.min()), int(drawn.max())
        if low < 0:
            return Totals(None, most, f"counts per parent row cannot be negative, got {low}", "negative")
        if high > INT64_MAX // len(drawn):  # the block's sum could wrap: add it exactly instead
            total += sum(int(c) for c in drawn)
        else:
            total += int(drawn.sum())
        if total > INT64_MAX:
            return Totals(None, most, f"the counts per parent row add up to more than {INT64_MAX:,} rows", "overflow")
        if total > limit:
            return Totals(None, most, f"more than {total:,} rows after {block + 1:,} of {blocks:,} parent blocks",
                          "limit")
        most = max(most, high)
        prefix[block + 1] = total
    return Totals(prefix[: blocks + 1], most)
