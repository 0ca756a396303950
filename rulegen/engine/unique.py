"""Uniqueness: keyed permutations by construction, and a streaming check for the rest.

:func:`permute` is a keyed bijection of [0, size) (a Feistel network with cycle walking): row i
gets point ``permute(i)`` of a value space, so values are distinct for any row count up to the
space size, whatever the block layout. A composite key built the same way
(:func:`composite_values`) permutes the product of its columns' spaces, once for the table or
once per parent row, and each column reads its own digit of the point. Columns whose values
cannot be built that way (derived strings, continuous draws) are checked by
:class:`UniqueChecker` as blocks stream by.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.engine.random import hash_rows, splitmix64, stream_seed
from rulegen.plan.plan import ColumnPlan, CompositeSlot

__all__ = ["UniqueChecker", "composite_values", "permute", "permute_each", "row_hashes"]

_ROUNDS = 6


def permute(rows: np.ndarray, size: int, key: int) -> np.ndarray:
    """Map row indices (all < ``size``) to distinct indices in [0, size), keyed by ``key``."""
    keys = [int(k) for k in hash_rows(key, np.arange(_ROUNDS, dtype=np.int64))]
    return _walk(rows, size, lambda right, todo, k: hash_rows(k, right), keys)


def permute_each(rows: np.ndarray, size: int, keys: np.ndarray) -> np.ndarray:
    """As :func:`permute`, with a key per row: rows with the same key get distinct indices.

    Args:
        rows: indices, all < ``size``.
        size: the size of the permuted range.
        keys: 64-bit keys, one per row (uint64).

    Returns:
        Indices in [0, size), distinct among the rows that share a key.
    """
    with np.errstate(over="ignore"):
        rounds = [splitmix64(keys.astype(np.uint64) ^ splitmix64(np.uint64(r + 1))) for r in range(_ROUNDS)]
        return _walk(rows, size, lambda right, todo, k: splitmix64(right ^ k[todo]), rounds)


def _walk(rows: np.ndarray, size: int, mix: Callable[[np.ndarray, np.ndarray, Any], np.ndarray],
          keys: Sequence[Any]) -> np.ndarray:
    """A Feistel network on [0, 2**bits) with round function ``mix(right, todo, key)``, walked
    until inside [0, size).

    Cycle walking: a value that lands outside [0, size) is encrypted again until inside; because
    the network is a bijection on [0, 2**bits), the walk stays a bijection on [0, size).
    """
    if size <= 1:
        return np.zeros(len(rows), dtype=np.int64)
    bits = max(2, int(size - 1).bit_length())
    bits += bits % 2
    half = bits // 2
    mask = np.uint64((1 << half) - 1)
    x = rows.astype(np.uint64)
    todo = np.ones(len(x), dtype=bool)
    with np.errstate(over="ignore"):
        while todo.any():
            y = x[todo]
            left, right = y >> np.uint64(half), y & mask
            for k in keys:
                left, right = right, left ^ (mix(right, todo, k) & mask)
            x[todo] = (left << np.uint64(half)) | right
            todo[todo] = x[todo] >= np.uint64(size)
    return x.astype(np.int64)


def composite_values(column: ColumnPlan, ctx: Any, table: Any) -> pa.Array:
    """A constructed composite key's column at ``ctx``'s rows (see :class:`CompositeSlot`).

    Args:
        column: a column with a ``composite`` slot.
        ctx: the BlockContext (rows, attempt, seed); a ref records its parent rows there.
        table: the TablePlan (its link gives each row's parent, for keys per parent).

    Returns:
        The column's values, before ``round``, ``null`` and the other common options.
    """
    slot = column.composite
    assert slot is not None
    digit = composite_digit(slot, ctx.rows, ctx.attempt, stream_seed(ctx.seed, table.name, *slot.group, "composite"),
                            table.link)
    if slot.source == "pool":
        return slot.values.take(pa.array(digit))
    if slot.source == "parent":
        from rulegen.kinds.relational import parent_values  # the kinds import the engine

        ctx.parent_rows[column.name] = digit  # lookups through the ref read it
        return parent_values(column.kind.target, ctx.seed, column.kind.key, digit)
    return column.kind.values_at(digit)


def composite_digit(slot: CompositeSlot, rows: np.ndarray, attempt: int, key: int, link: Any) -> np.ndarray:
    """Each row's index in the column's own space: its digit of the row's point in the product.

    Row r (or the k-th row of a parent) takes point r (k) of the product, or on redraw attempt a
    its spare point ``unit + r * spares + a - 1``, through a keyed permutation (one per parent).
    """
    if slot.per_parent:
        parents = link.parent_rows(rows)
        local = rows - link.first_child(parents)
    else:
        local = rows
    if attempt and slot.spares:
        local = slot.unit + local * slot.spares + min(attempt, slot.spares) - 1
    if slot.per_parent:
        points = permute_each(local, slot.size, hash_rows(key, parents))
    else:
        points = permute(local, slot.size, key)
    below = math.prod(slot.radices[slot.position + 1:])
    return (points // below) % slot.radices[slot.position]


def row_hashes(columns: Sequence[pa.Array], rows: np.ndarray) -> np.ndarray:
    """One 64-bit hash per row of one or more columns (composite keys hash together).

    A row with a null in any of the columns gets a hash of its row index instead, so nulls never
    count as repeats (as in SQL, where UNIQUE allows many NULLs).
    """
    combined = np.zeros(len(rows), dtype=np.uint64)
    missing = np.zeros(len(rows), dtype=bool)
    with np.errstate(over="ignore"):
        for column in columns:
            combined = splitmix64(combined * _MULTIPLIER + _column_hash(column))
            if column.null_count:
                missing |= column.is_null().to_numpy(zero_copy_only=False)
    if missing.any():
        combined[missing] = hash_rows(_NULL_KEY, rows[missing])
    return combined


_MULTIPLIER = np.uint64(0x100000001B3)
_NULL_KEY = 0x6E756C6C  # stream of the per-row hashes given to nulls


def _column_hash(column: pa.Array) -> np.ndarray:
    """64-bit hashes of a column's values, vectorised (strings hash their UTF-8 bytes)."""
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return _string_hash(column)
    if pa.types.is_floating(column.type):
        values = column.fill_null(0).to_numpy(zero_copy_only=False).astype(np.float64)
        values = values + 0.0  # -0.0 and 0.0 are one value
        return splitmix64(values.view(np.uint64))
    if pa.types.is_dictionary(column.type):
        return _column_hash(column.dictionary_decode())
    if pa.types.is_temporal(column.type):  # dates and times hash their stored integers
        as_int = column.view(pa.int32() if column.type.bit_width == 32 else pa.int64())
    elif pa.types.is_integer(column.type):
        as_int = column
    else:
        as_int = column.cast(pa.int64())
    values = as_int.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    return splitmix64(values.view(np.uint64))


_PAD_LIMIT = 256  # strings up to this many bytes hash as a padded matrix of 8-byte words


def _string_hash(column: pa.Array) -> np.ndarray:
    """A hash of each string's bytes, from Arrow's buffers (no Python per row)."""
    column = column.fill_null("")
    longest = pc.max(pc.binary_length(column)).as_py() or 0
    if longest <= _PAD_LIMIT and pc.all(pc.string_is_ascii(column)).as_py() is not False:
        return _padded_hash(column, -(-max(longest, 1) // 8) * 8)
    return _polynomial_hash(column)


def _padded_hash(column: pa.Array, width: int) -> np.ndarray:
    """ASCII strings padded to ``width`` bytes are a matrix of words: hash it column by column."""
    padded = pc.utf8_rpad(column, width=width, padding="\0")
    words = np.frombuffer(padded.buffers()[2], dtype=np.uint8)[: len(column) * width].view(np.uint64)
    words = words.reshape(len(column), width // 8)
    lengths = pc.binary_length(column).to_numpy(zero_copy_only=False).astype(np.uint64)
    hashes = splitmix64(lengths)  # the length tells "a" from "a\0"
    with np.errstate(over="ignore"):
        for j in range(words.shape[1]):
            hashes = splitmix64(hashes * _MULTIPLIER + words[:, j])
    return hashes


def _polynomial_hash(column: pa.Array) -> np.ndarray:
    """A polynomial hash over each string's UTF-8 bytes (any length, any text)."""
    offsets_buffer, data_buffer = column.buffers()[1], column.buffers()[2]
    offset_type = np.int64 if pa.types.is_large_string(column.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=offset_type)[column.offset:column.offset + len(column) + 1]
    offsets = offsets.astype(np.int64)
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
    lengths = np.diff(offsets)
    start, stop = int(offsets[0]), int(offsets[-1])
    data = data[start:stop].astype(np.uint64)
    owner = np.repeat(np.arange(len(lengths)), lengths)
    position = np.arange(stop - start) - (offsets[:-1] - start)[owner]
    powers = _powers(int(lengths.max(initial=0)))
    with np.errstate(over="ignore"):
        # Sums per string from one prefix sum: wrapping uint64 arithmetic keeps the differences exact.
        prefix = np.zeros(len(data) + 1, dtype=np.uint64)
        np.cumsum((data + np.uint64(1)) * powers[position], out=prefix[1:])
        bounds = offsets - start
        hashes = prefix[bounds[1:]] - prefix[bounds[:-1]]
        return splitmix64(hashes ^ lengths.astype(np.uint64))


def _powers(length: int) -> np.ndarray:
    powers = np.ones(max(length, 1), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(1, len(powers)):
            powers[i] = powers[i - 1] * np.uint64(0x100000001B3)
    return powers


_SORT_ROWS = 1 << 23  # hashes sorted at once by finish(): more are split by their top bits


class UniqueChecker:
    """Finds the first repeated value of a column (or column set) across streamed blocks.

    Blocks arrive in row order. A repeat inside a block is found at once; repeats across blocks
    are found by :meth:`finish` with sorts of all hashes (8 bytes a row), which is O(n log n)
    overall where a check per block would be quadratic. Past 8M rows the hashes are sorted a
    slice of the hash space at a time, so the check holds 8 bytes a row and one slice, not three
    copies. Output is written atomically, so a late failure still leaves nothing behind.
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
        bits = min(4, max(0, math.ceil(math.log2(self._count / _SORT_ROWS)))) if self._count > _SORT_ROWS else 0
        shift = np.uint64(64 - bits)
        repeated = []
        for bucket in range(1 << bits):
            chunk = np.concatenate([h[(h >> shift) == bucket] if bits else h for h in self._hashes])
            chunk.sort()
            repeated.append(chunk[1:][chunk[1:] == chunk[:-1]])
            del chunk
        values = np.unique(np.concatenate(repeated))
        return self._earliest(values) if len(values) else None

    def _earliest(self, values: np.ndarray) -> tuple[int, int]:
        """The repeat of one of ``values`` whose second row comes first (blocks hold no repeats)."""
        seen_hashes, seen_rows = np.zeros(0, np.uint64), np.zeros(0, np.int64)
        offset = self._start
        for block in self._hashes:
            hits = np.flatnonzero(np.isin(block, values))
            known = np.isin(block[hits], seen_hashes)
            if known.any():
                second = int(hits[np.argmax(known)])
                first = seen_rows[np.searchsorted(seen_hashes, block[second])]
                return int(first), offset + second
            order = np.argsort(np.concatenate([seen_hashes, block[hits]]), kind="stable")
            seen_hashes = np.concatenate([seen_hashes, block[hits]])[order]
            seen_rows = np.concatenate([seen_rows, offset + hits])[order]
            offset += len(block)
        raise AssertionError("a repeated hash was not found again")

def _first_repeat(hashes: np.ndarray) -> tuple[int, int] | None:
    ordered = np.sort(hashes)
    if not (ordered[1:] == ordered[:-1]).any():
        return None
    order = np.argsort(hashes, kind="stable")
    ordered = hashes[order]
    dup = np.flatnonzero(ordered[1:] == ordered[:-1])
    if not len(dup):
        return None
    # Among all repeats, report the one whose second occurrence comes first.
    second = order[dup + 1]
    pick = int(np.argmin(second))
    return int(order[dup[pick]]), int(second[pick])
