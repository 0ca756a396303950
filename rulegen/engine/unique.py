"""Uniqueness: keyed permutations by construction, and a streaming check for the rest.

:func:`permute` is a keyed bijection of [0, size) (a Feistel network with cycle walking): row i
gets point ``permute(i)`` of a value space, so values are distinct for any row count up to the
space size, whatever the block layout. Columns whose values cannot be built that way (derived
strings, continuous draws) are checked by :class:`UniqueChecker` as blocks stream by.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from rulegen.engine.random import hash_rows

__all__ = ["UniqueChecker", "permute", "row_hashes"]

_ROUNDS = 6


def permute(rows: np.ndarray, size: int, key: int) -> np.ndarray:
    """Map row indices (all < ``size``) to distinct indices in [0, size), keyed by ``key``."""
    if size <= 1:
        return np.zeros(len(rows), dtype=np.int64)
    bits = max(2, int(size - 1).bit_length())
    bits += bits % 2
    half = bits // 2
    mask = np.uint64((1 << half) - 1)
    keys = [int(k) for k in hash_rows(key, np.arange(_ROUNDS, dtype=np.int64))]
    x = rows.astype(np.uint64)
    todo = np.ones(len(x), dtype=bool)
    # Cycle walking: a value that lands outside [0, size) is encrypted again until inside;
    # because the network is a bijection on [0, 2**bits), the walk stays a bijection on [0, size).
    while todo.any():
        y = x[todo]
        left, right = y >> np.uint64(half), y & mask
        for k in keys:
            left, right = right, left ^ (hash_rows(k, right) & mask)
        x[todo] = (left << np.uint64(half)) | right
        todo[todo] = x[todo] >= np.uint64(size)
    return x.astype(np.int64)


def row_hashes(columns: Sequence[pa.Array]) -> np.ndarray:
    """One 64-bit hash per row of one or more columns (composite keys hash together)."""
    frame = pd.DataFrame({str(i): col.to_pandas() for i, col in enumerate(columns)})
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


class UniqueChecker:
    """Finds the first repeated value of a column (or column set) across streamed blocks.

    Blocks arrive in row order. A repeat inside a block is found at once; repeats across blocks
    are found by :meth:`finish` with one sort of all hashes (8 bytes a row), which is O(n log n)
    overall where a check per block would be quadratic. Output is written atomically, so a late
    failure still leaves nothing behind.
    """

    def __init__(self, start: int = 0) -> None:
        self._start = start
        self._hashes: list[np.ndarray] = []
        self._count = 0

    def add(self, hashes: np.ndarray) -> tuple[int, int] | None:
        """Record the next block's row hashes; return (first row, repeated row) on a repeat inside it."""
        found = _first_repeat(hashes)
        offset = self._start + self._count
        self._hashes.append(hashes)
        self._count += len(hashes)
        return (found[0] + offset, found[1] + offset) if found else None

    def finish(self) -> tuple[int, int] | None:
        """(first row, repeated row) of the earliest repeat across all blocks, if any."""
        if len(self._hashes) <= 1:
            return None
        found = _first_repeat(np.concatenate(self._hashes))
        return (found[0] + self._start, found[1] + self._start) if found else None


def _first_repeat(hashes: np.ndarray) -> tuple[int, int] | None:
    order = np.argsort(hashes, kind="stable")
    ordered = hashes[order]
    dup = np.flatnonzero(ordered[1:] == ordered[:-1])
    if not len(dup):
        return None
    # Among all repeats, report the one whose second occurrence comes first.
    second = order[dup + 1]
    pick = int(np.argmin(second))
    return int(order[dup[pick]]), int(second[pick])
