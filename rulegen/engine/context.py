"""What a kind sees while it evaluates one block of rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from rulegen.engine.random import block_rng, stream_key, stream_seed

__all__ = ["BlockContext"]


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
