"""A parent table and the children its aggregates read, made together: each child block once.

A table whose aggregates reduce its own children (the child has ``rows: {per: PARENT}``, see
:mod:`rulegen.engine.children`) reads every child block while its blocks are made; written
apart, the child table would then make each of those blocks a second time. Made together, each
child block is made once, whole (every column, its constraints and its unique hashes, as
:func:`rulegen.engine.stream.stream_table` makes it), by the parent block that *owns* it.

Ownership: parent block p's children are the child rows ``[first(p), first(p + 1))`` (one run,
see :class:`~rulegen.plan.plan.ParentLink`), and p owns the child blocks whose first row falls
in that run, ``ceil(first(p) / B)`` to ``ceil(first(p + 1) / B) - 1`` for child blocks of B
rows. So every child block has exactly one owner, and the owners, taken in parent block order,
give the child blocks in order: a writer appends them to the child's output as the parent
streams. Parent block p's aggregates read the blocks it owns, given whole, and at most one more:
the child block at the seam, which starts in the children of an earlier parent block, owns
it, and is made again here for the columns the aggregates read (or found kept, when this process
made it last).

Values are a pure function of (table, seed, block): made together or apart, and whatever the
number of processes, the bytes are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pyarrow as pa

from rulegen.engine.context import ChildBlocks, keep
from rulegen.engine.evaluate import block_output, evaluate_block, evaluate_values
from rulegen.kinds.relational import Aggregate
from rulegen.plan.plan import Plan, TablePlan

__all__ = ["Part", "companions", "evaluate_together", "owned_blocks"]

Part = tuple[int, Any, list[np.ndarray]]  # a table's position in its group, a block (or its bytes), its hashes


def companions(plan: Plan, picked: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The tables to make together: each picked parent with the picked children its aggregates
    reduce through their own parent link.

    A child that is itself such a parent is made on its own turn (with its own children): a
    group is one parent and its children, never deeper.

    Returns:
        The children of each parent that has some, in the plan's order.
    """
    chosen = set(picked)
    pairs = [(child.link.parent, name) for name, child in plan.tables.items()
             if name in chosen and child.link is not None and child.link.parent in chosen
             and child.link.parent != name and _aggregates_over(plan.tables[child.link.parent], name)]
    parents = {parent for parent, _ in pairs}
    groups: dict[str, tuple[str, ...]] = {}
    for parent, child in pairs:
        if child not in parents:
            groups[parent] = (*groups.get(parent, ()), child)
    return groups


def _aggregates_over(parent: TablePlan, child: str) -> bool:
    return bool(_read_by(parent, child))


def owned_blocks(parent: TablePlan, child: TablePlan, block: int) -> range:
    """The child blocks that parent block ``block`` owns (see the module docstring)."""
    assert child.link is not None and child.link.parent == parent.name
    start, stop = parent.block_range(block)
    first = int(child.link.first_child(np.array([start], dtype=np.int64))[0])
    after = child.rows if stop >= parent.rows else int(child.link.first_child(np.array([stop], dtype=np.int64))[0])
    return range(-(-first // child.block_rows), -(-after // child.block_rows))


def evaluate_together(parent: TablePlan, children: tuple[TablePlan, ...], seed: int, block: int,
                      finish: Callable[[int, pa.RecordBatch], Any] | None = None) -> list[Part]:
    """Parent block ``block`` and the child blocks it owns: the parent's part first (position 0),
    then each child's blocks in order (position 1 for the first child...), each with the row
    hashes of its table's streaming unique checks.

    ``finish(position, batch)``, when given, turns each block into what is returned (its bytes
    in a file), as soon as it is made: of a child block, only the columns the aggregates read
    are kept until the parent block is made, so memory holds a few blocks' bytes, not their
    columns.
    """
    given = ChildBlocks()
    parts: list[Part] = []
    for position, child in enumerate(children, 1):
        read = _read_by(parent, child.name)
        owned = owned_blocks(parent, child, block)
        for number in owned:
            values = evaluate_values(child, seed, number)
            batch, hashes = block_output(child, number, values)
            kept = {name: values[name] for name in read}
            given.put(child, seed, number, kept)
            parts.append((position, batch if finish is None else finish(position, batch), hashes))
            if number == owned[-1]:  # the next parent block's seam, when made in this process
                keep((child, seed, number, None), kept)
    batch, hashes = evaluate_block(parent, seed, block, children=given)
    return [(0, batch if finish is None else finish(0, batch), hashes), *parts]


def _read_by(parent: TablePlan, child: str) -> frozenset[str]:
    """The columns of ``child`` that the aggregates of ``parent`` reduce."""
    return frozenset(column.kind.of for column in parent.columns.values()
                     if isinstance(column.kind, Aggregate) and column.kind.child == child)
