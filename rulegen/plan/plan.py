"""The compiled plan: everything the engine needs, resolved and frozen."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np
import pyarrow as pa

from rulegen.expr.parser import Expression
from rulegen.kinds.base import Kind
from rulegen.spec.model import ColumnSpec, Spec

__all__ = [
    "BLOCK_ROWS", "MAX_ATTEMPTS", "ColumnPlan", "CompositeSlot", "CopulaPlan", "ParentLink", "Plan", "TablePlan",
    "Timeline", "UniqueCheck", "Uniqueness",
]

# Rows per block. Part of the determinism contract: changing it changes the data.
BLOCK_ROWS = 65_536

# Redraws of a row that fails a constraint before the run gives up. Enough for a 1 % pass
# rate to clear a block (0.99**1000 ~ 4e-5); also part of the determinism contract.
MAX_ATTEMPTS = 1000


class Uniqueness(Enum):
    """How a column's ``unique: true`` is met."""

    NONE = "none"
    INHERENT = "inherent"  # distinct by nature (sequence, uuid) or through a unique input
    CONSTRUCT = "construct"  # keyed permutation of an enumerable value space
    CHECK = "check"  # verified as blocks stream by

    @property
    def distinct(self) -> bool:
        """Whether the column's values are distinct (by any of the ways above)."""
        return self is not Uniqueness.NONE


@dataclass(frozen=True, slots=True)
class CompositeSlot:
    """One column's part of a composite ``unique`` (or key) met by construction.

    Rows take distinct points of the product of the members' value spaces (a keyed permutation,
    see :mod:`rulegen.engine.unique`); the point's mixed-radix digit ``position`` is this
    column's index in its own space. With ``per_parent``, the rows of each parent row take
    distinct points (the parent ref holds the rest of the key).
    """

    group: tuple[str, ...]  # the constructed members, in key order (names the permutation's stream)
    radices: tuple[int, ...]  # each member's space size (capped so their product fits 62 bits)
    position: int  # this column's digit
    source: str  # "space" (kind.values_at), "pool" (take from ``values``), "parent" (a ref's parent row)
    values: pa.Array | None = None  # the distinct values of a pool
    per_parent: bool = False
    unit: int = 0  # rows that must be distinct: the table's, or the most rows of one parent
    spares: int = 0  # redrawn by constraints: spare points each row may take (as ColumnPlan.spares)

    @property
    def size(self) -> int:
        """Points in the product space."""
        return math.prod(self.radices)


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """One column, compiled."""

    spec: ColumnSpec
    kind: Kind
    type: pa.DataType
    uniqueness: Uniqueness = Uniqueness.NONE
    when: Expression | None = None
    needs: frozenset[str] = frozenset()  # columns of the same table it reads
    clip: tuple[float | None, float | None] | None = None  # `clip` snapped inside to the `round` grid
    spares: int = 0  # CONSTRUCT columns redrawn by constraints: spare values each row may take
    width: int | None = None  # most bytes of a value as text, None when measured as blocks are made
    composite: CompositeSlot | None = None  # its part of a composite unique met by construction

    def unique_index(self, rows: np.ndarray, attempt: int, table_rows: int) -> np.ndarray:
        """Which point of the value space each row takes (before the keyed permutation).

        Row r takes point r; on redraw attempt k it takes its own spare point
        ``table_rows + r * spares + k - 1``, so values stay distinct however rows are redrawn.
        """
        if attempt == 0 or self.spares == 0:
            return rows
        return table_rows + rows * self.spares + min(attempt, self.spares) - 1

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True, slots=True)
class CopulaPlan:
    """Columns drawn through a Gaussian copula, with the Cholesky factor of their correlation."""

    columns: tuple[str, ...]
    cholesky: np.ndarray


@dataclass(frozen=True, slots=True)
class UniqueCheck:
    """Columns whose combined values must not repeat, checked while streaming."""

    columns: tuple[str, ...]
    pointer: str


@dataclass(frozen=True, slots=True, eq=False)
class ParentLink:
    """``rows: {per: PARENT}``: which child rows belong to each parent row.

    Parent row i has ``count`` children, or the i-th count of ``counts`` (drawn a parent block
    at a time, see :mod:`rulegen.engine.counts`). ``prefix[b]`` is the number of children of
    the parent blocks before block b, so a child row finds its parent block by a search over
    the blocks, then its parent inside the counts of that one block: any child block finds its
    parents on its own, and nothing holds a count per parent row.
    """

    parent: str
    parents: int  # rows of the parent table
    count: int | None = None  # children of every parent row, when fixed
    counts: Callable[[int], np.ndarray] | None = None  # a parent block's counts, when drawn
    prefix: np.ndarray | None = None  # children before each parent block (see block_totals)
    most: int = 0  # the largest count
    block_rows: int = BLOCK_ROWS
    _ends: dict[int, np.ndarray] = field(default_factory=dict, repr=False)  # a few blocks' ends, by block

    @property
    def total(self) -> int:
        """Child rows in all."""
        if self.count is not None:
            return self.count * self.parents
        assert self.prefix is not None, "an estimated link has no total"
        return int(self.prefix[-1])

    def max_count(self) -> int:
        """The most children any parent row has."""
        return self.count if self.count is not None else self.most

    def parent_rows(self, rows: np.ndarray) -> np.ndarray:
        """The parent row of each child row (ascending child rows)."""
        if self.count is not None:
            return rows // self.count  # no child rows at all when count is 0
        assert self.prefix is not None
        if len(rows) == 0:
            return np.zeros(0, dtype=np.int64)
        blocks = np.searchsorted(self.prefix, rows, side="right") - 1
        if blocks[0] == blocks[-1]:
            return self._within(int(blocks[0]), rows)
        result = np.empty(len(rows), dtype=np.int64)
        for block in np.unique(blocks):
            mask = blocks == block
            result[mask] = self._within(int(block), rows[mask])
        return result

    def first_child(self, parents: np.ndarray) -> np.ndarray:
        """The first child row of each parent row."""
        if self.count is not None:
            return parents * self.count
        assert self.prefix is not None
        result = np.empty(len(parents), dtype=np.int64)
        if len(parents) == 0:
            return result
        blocks = parents // self.block_rows
        low, high = int(blocks.min()), int(blocks.max())
        # The parents of a child block lie in one or two parent blocks: no sort to find them.
        for block in range(low, high + 1) if high - low < 8 else np.unique(blocks):
            mask = blocks == block if high > low else slice(None)
            if high > low and not mask.any():
                continue
            local = parents[mask] - int(block) * self.block_rows
            ends = self._block_ends(int(block))
            result[mask] = np.where(local > 0, ends[np.maximum(local - 1, 0)], self.prefix[block])
        return result

    def _within(self, block: int, rows: np.ndarray) -> np.ndarray:
        """Parents of child rows that all belong to parent block ``block``."""
        ends = self._block_ends(block)
        offset = block * self.block_rows
        if len(rows) < 2 or rows[-1] - rows[0] != len(rows) - 1:
            return offset + np.searchsorted(ends, rows, side="right")
        # Consecutive rows: find the first and last parent, then repeat each parent by its
        # number of rows here; five times faster than a search per row.
        low, high = int(rows[0]), int(rows[-1]) + 1
        first, last = np.searchsorted(ends, [low, high - 1], side="right")
        parents = np.arange(first, last + 1)
        starts = np.where(parents > 0, ends[np.maximum(parents - 1, 0)], self.prefix[block])
        return offset + np.repeat(parents, np.minimum(ends[parents], high) - np.maximum(starts, low))

    def _block_ends(self, block: int) -> np.ndarray:
        """One past the last child row of each row of parent block ``block``."""
        ends = self._ends.get(block)
        if ends is None:
            assert self.counts is not None and self.prefix is not None
            ends = self.prefix[block] + np.cumsum(self.counts(block))
            if len(self._ends) >= 8:  # child blocks move forward: the oldest are not asked again
                self._ends.pop(next(iter(self._ends)))
            self._ends[block] = ends
        return ends


@dataclass(frozen=True, slots=True, eq=False)
class Timeline:
    """``timeline: {start, end, every}``: row r is tick ``start + k * every`` where k counts the
    rows before r in its timeline (one timeline, or one per parent row through ``link``)."""

    start: int  # seconds since the epoch, UTC
    every: int  # seconds
    ticks: int  # rows of one timeline
    link: ParentLink | None = None

    def positions(self, rows: np.ndarray) -> np.ndarray:
        """Each row's tick number within its own timeline."""
        if self.link is None:
            return rows
        return rows - self.link.first_child(self.link.parent_rows(rows))

    def seconds(self, rows: np.ndarray) -> np.ndarray:
        """Each row's instant, in seconds since the epoch."""
        return self.start + self.positions(rows) * self.every


@dataclass(frozen=True, slots=True, eq=False)
class TablePlan:
    """One table, compiled: columns in output order, evaluation order, rules."""

    name: str
    rows: int
    columns: Mapping[str, ColumnPlan]
    order: tuple[str, ...]
    output: tuple[str, ...]
    schema: pa.Schema
    constraints: tuple[Expression, ...] = ()
    redraw: tuple[str, ...] = ()  # columns drawn again for rows that fail a constraint, in order
    unique_checks: tuple[UniqueCheck, ...] = ()
    unique_redraws: tuple[UniqueCheck, ...] = ()  # checks whose repeats inside a block are drawn again
    copula: CopulaPlan | None = None
    block_rows: int = BLOCK_ROWS
    link: ParentLink | None = None
    estimated: bool = False  # rows estimated by a plan compiled without drawing counts (validate)
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)  # whole columns read by other tables

    @property
    def blocks(self) -> int:
        """Number of blocks."""
        return -(-self.rows // self.block_rows)

    @property
    def categorical(self) -> tuple[str, ...]:
        """Output columns with few distinct values (dictionary-encoded in Parquet)."""
        return tuple(c for c in self.output if self.columns[c].kind.low_cardinality())

    def needed(self, names: Iterable[str]) -> frozenset[str]:
        """The columns to evaluate for ``names``: their inputs, and, once one of them is redrawn
        by the constraints or a repeat, every column the constraints and the redrawn unique
        checks read (which rows get redrawn depends on those)."""
        needed: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name in needed:
                continue
            needed.add(name)
            todo.extend(self.columns[name].needs)
            if name in self.redraw:
                todo.extend(n for constraint in self.constraints for n in constraint.names)
                todo.extend(n for check in self.unique_redraws for n in check.columns)
        return frozenset(needed)

    def block_range(self, block: int) -> tuple[int, int]:
        """First and one-past-last row of ``block``."""
        start = block * self.block_rows
        return start, min(start + self.block_rows, self.rows)


@dataclass(frozen=True, slots=True)
class Plan:
    """A spec compiled for one seed and size: tables in generation order."""

    spec: Spec
    seed: int
    tables: Mapping[str, TablePlan]
    options: Mapping[str, Any]

    def __repr__(self) -> str:
        tables = ", ".join(f"{t.name}[{t.rows}]" for t in self.tables.values())
        return f"Plan(seed={self.seed}: {tables})"

    def pick(self, tables: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> list[str]:
        """The tables a command writes: ``tables`` (all by default) but ``exclude``, in the
        plan's order. Tables not picked are still computed where picked ones read them.

        Raises:
            OutputError: a name that is not one of the spec's tables (RG543).
        """
        from rulegen.errors import Diagnostic, OutputError, did_you_mean

        tables, exclude = (None if tables is None else list(tables)), list(exclude)
        problems = [Diagnostic("RG543", f"`{name}` is not a table of the spec",
                               hint=did_you_mean(name, self.tables) or f"tables: {', '.join(self.tables)}")
                    for name in [*(tables or ()), *exclude] if name not in self.tables]
        if problems:
            raise OutputError(problems)
        chosen = set(self.tables if tables is None else tables) - set(exclude)
        return [name for name in self.tables if name in chosen]
