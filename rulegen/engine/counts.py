"""Children per parent row (``rows: {per: PARENT, <integer law>}``), drawn block by block.

The count of parent row i comes from the law's stream at the block of i, like any column value,
so the counts of one parent block are drawn alone, in any process, in any order. Nothing holds
every parent's count: a :class:`~rulegen.plan.plan.ParentLink` keeps the total of each parent
block (:func:`block_totals`, one pass) and draws the counts of the few parent blocks a child
block needs when it needs them. Memory follows the number of parent blocks, never the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rulegen.engine.context import BlockContext
from rulegen.kinds.base import Kind

__all__ = ["INT64_MAX", "REASONS", "LawCounts", "Totals", "block_totals"]

INT64_MAX = 2**63 - 1


@dataclass(frozen=True, slots=True, eq=False)
class LawCounts:
    """The counts of children of each row of a parent block, drawn from a compiled integer law."""

    law: Kind
    seed: int
    table: str  # the child table: the stream is (seed, table, "rows")
    parent_rows: int
    block_rows: int

    @property
    def blocks(self) -> int:
        """Parent blocks."""
        return -(-self.parent_rows // self.block_rows)

    def __call__(self, block: int) -> np.ndarray:
        """The counts of parent block ``block``'s rows (int64; may be negative: see block_totals)."""
        start = block * self.block_rows
        rows = np.arange(start, min(start + self.block_rows, self.parent_rows), dtype=np.int64)
        ctx = BlockContext(seed=self.seed, table=self.table, block=block, rows=rows, column="rows")
        return np.asarray(self.law.evaluate(ctx).to_numpy(zero_copy_only=False), dtype=np.int64)


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


def block_totals(counts: LawCounts, blocks: int | None = None, limit: int = INT64_MAX) -> Totals:
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
