"""What a kind sees while it evaluates one block of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from rulegen.engine.random import block_rng, stream_key, stream_seed

__all__ = ["BlockContext", "ChildBlocks"]


class ChildBlocks:
    """Child blocks that the aggregates of one parent block read, by (table, seed, block, columns).

    Engine-owned run-time state, kept off the frozen plan: each block context has its own, so
    the aggregates of a parent block share the child blocks they read, and the last blocks made
    are also kept for the whole process (:data:`_SEAM`), so that the next parent block finds the
    child block at their seam. Values are a pure function of the key: whatever is kept or
    dropped, the data is the same.

    A parent made together with its children (:mod:`rulegen.engine.costream`) is given the
    child blocks it owns (:meth:`put`), with every column its aggregates read: they serve any
    of its aggregates.
    """

    def __init__(self) -> None:
        self._blocks: dict[tuple[Any, ...], dict[str, pa.Array]] = {}

    def put(self, table: Any, seed: int, block: int, values: dict[str, pa.Array]) -> None:
        """Keep ``table``'s ``block`` made whole: ``values`` holds (at least) every column that
        this parent block's aggregates read."""
        self._blocks[(table, seed, block, None)] = values

    def get(self, table: Any, seed: int, block: int, columns: frozenset[str]) -> dict[str, pa.Array]:
        """``columns`` of ``table``'s ``block``, evaluated with its constraints unless kept."""
        key, whole = (table, seed, block, columns), (table, seed, block, None)
        found = next((kept[k] for kept in (self._blocks, _SEAM) for k in (key, whole) if k in kept), None)
        if found is None:
            from rulegen.engine.evaluate import evaluate_values  # evaluate makes block contexts

            found = evaluate_values(table, seed, block, columns)
            keep(key, found)
        self._blocks[key] = found
        return found


def keep(key: tuple[Any, ...], values: dict[str, pa.Array]) -> None:
    """Keep a child block made in this process for the next parent block (see :class:`ChildBlocks`);
    a key whose columns are None holds a block made whole, as :meth:`ChildBlocks.put` does."""
    if len(_SEAM) >= _SEAM_KEPT:
        del _SEAM[next(iter(_SEAM))]  # the oldest: parent blocks move forward
    _SEAM[key] = values


_SEAM: dict[tuple[Any, ...], dict[str, pa.Array]] = {}  # the last child blocks made in this process
_SEAM_KEPT = 2


@dataclass(slots=True)
class BlockContext:
    """The rows being evaluated, the columns already computed for them, and their random streams.

    ``rows`` are global row indices: a whole block, or on a redraw the rows that failed a
    constraint. Streams are addressed by (seed, table, column, purpose) at counter
    (block, attempt), so the same rows always get the same draws.
    """

    seed: int
    table: str
    block: int
    rows: np.ndarray
    attempt: int = 0
    column: str = ""
    values: dict[str, pa.Array] = field(default_factory=dict)
    uniforms: dict[str, np.ndarray] = field(default_factory=dict)  # from a copula, by column
    parent_rows: dict[str, np.ndarray] = field(default_factory=dict)  # row index each `ref` points to
    children: ChildBlocks = field(default_factory=ChildBlocks)  # read by aggregates (rulegen.engine.children)

    @property
    def n(self) -> int:
        """Number of rows evaluated."""
        return len(self.rows)

    def rng(self, purpose: str = "value") -> np.random.Generator:
        """This column's generator for ``purpose`` at this block and attempt."""
        return block_rng(stream_key(self.seed, self.table, self.column, purpose), self.block, self.attempt)

    def key(self, purpose: str) -> int:
        """A 64-bit key of this column for ``purpose``, independent of blocks (permutations, pools)."""
        return stream_seed(self.seed, self.table, self.column, purpose)

    def uniform(self) -> np.ndarray | None:
        """Correlated uniforms for this column when it takes part in a copula, else None."""
        return self.uniforms.get(self.column)
