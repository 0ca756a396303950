"""Stream a table's blocks in order, checking the uniqueness that is not met by construction.

Nothing here holds a thing per block or per row of the table: the blocks to make stay a
``range`` when they are one (a table of 10^15 rows has 10^10 blocks), so memory follows the
blocks in flight, and a run is bounded by its byte budget, never by a list made up front.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyarrow as pa

from rulegen.engine.evaluate import evaluate_values
from rulegen.engine.unique import UniqueChecker
from rulegen.errors import Diagnostic, GenerationError
from rulegen.io.files import Encoder
from rulegen.plan.plan import TablePlan, UniqueCheck
from rulegen.scale.local import run_blocks, run_parts

__all__ = ["raise_on_repeat", "stream_table", "stream_together"]


def stream_table(
    table: TablePlan, seed: int, *, blocks: Iterable[int] | None = None, workers: int = 1,
    encode: Encoder | None = None,
) -> Iterator[pa.RecordBatch | bytes | pa.Buffer]:
    """The output batches of ``table`` (all blocks by default), one per block, in order; with
    ``encode``, blocks made by worker processes come as their bytes (see :func:`run_blocks`).

    Raises:
        GenerationError: a column or key that must be unique repeats a value, or a
            constraint cannot be met.
    """
    blocks = range(table.blocks) if blocks is None else blocks if isinstance(blocks, range) else list(blocks)
    start = table.block_range(blocks[0])[0] if blocks else 0
    contiguous = _contiguous(blocks)
    checkers = [UniqueChecker(start) for _ in table.unique_checks] if contiguous else []
    for batch, hashes in run_blocks(table, seed, blocks, workers, encode=encode):
        for check, checker, block_hashes in zip(table.unique_checks, checkers, hashes, strict=False):
            raise_on_repeat(table, seed, check, checker.add(block_hashes))
        yield batch
    for check, checker in zip(table.unique_checks, checkers, strict=False):
        raise_on_repeat(table, seed, check, checker.finish())


def stream_together(
    table: TablePlan, children: tuple[TablePlan, ...], seed: int, *, workers: int = 1,
    encodes: tuple[Encoder, ...] | None = None,
) -> Iterator[tuple[int, pa.RecordBatch | bytes | pa.Buffer]]:
    """Every block of ``table`` and of ``children`` (tables whose parent it is), made together
    (:mod:`rulegen.engine.costream`): ``(position, block)`` pairs, position 0 for ``table``'s
    blocks and i for those of ``children[i - 1]``, each table's blocks in order. ``encodes``
    (one per table) as ``encode`` in :func:`stream_table`.

    Raises:
        GenerationError: as :func:`stream_table`, for any of the tables.
    """
    group = (table, *children)
    checkers = [[UniqueChecker(0) for _ in t.unique_checks] for t in group]
    for parts in run_parts(group, seed, range(table.blocks), workers, encodes=encodes):
        for position, data, hashes in parts:
            member = group[position]
            for check, checker, block_hashes in zip(member.unique_checks, checkers[position], hashes, strict=False):
                raise_on_repeat(member, seed, check, checker.add(block_hashes))
            yield position, data
    for member, member_checkers in zip(group, checkers, strict=True):
        for check, checker in zip(member.unique_checks, member_checkers, strict=False):
            raise_on_repeat(member, seed, check, checker.finish())


def _contiguous(blocks: range | list[int]) -> bool:
    """Whether ``blocks`` are consecutive ascending block numbers (their rows one range)."""
    if isinstance(blocks, range):
        return blocks.step == 1 or len(blocks) <= 1
    return all(b == blocks[0] + i for i, b in enumerate(blocks))


def raise_on_repeat(table: TablePlan, seed: int, check: UniqueCheck, repeat: tuple[int, int] | None) -> None:
    """Stop the run naming both rows when a streaming unique check found a repeat."""
    if repeat is None:
        return
    first, second = repeat
    value = _value_at(table, seed, check.columns, second)
    names = ", ".join(f"`{c}`" for c in check.columns)
    raise GenerationError([Diagnostic(
        "RG402",
        f"{names} must be unique, but rows {first} and {second} both have {value}",
        check.pointer,
        hint="derive the value from a unique column (such as the id), or widen its value space",
    )])


def _value_at(table: TablePlan, seed: int, columns: tuple[str, ...], row: int) -> str:
    """Rebuild one row's values (rows are addressable: only its block is generated again)."""
    block = row // table.block_rows
    values = evaluate_values(table, seed, block)
    offset = row - table.block_range(block)[0]
    found = [values[c][offset].as_py() for c in columns]
    return repr(found[0]) if len(found) == 1 else repr(tuple(found))
