"""The byte budget: how large a value, a block and a run may get, checked before the work.

A spec may be someone else's, and a few lines of it can ask for gigabytes: a template that
repeats a column that repeats a column, a constant times a billion rows. Each column gets a
static *width*, an upper bound of the UTF-8 bytes of one of its values written as text, from
its kind (:meth:`Kind.max_bytes`: a pattern's longest match, a template's parts added up, a Faker
pool measured when it was drawn, a fixed-width type's longest text). Compile refuses a column
whose width passes :data:`MAX_VALUE_BYTES`, or whose block of values could pass
:data:`MAX_BLOCK_BYTES`. A column whose width cannot be known before values exist (a value read
from a file, an expression over one) is measured block by block as it is made
(:func:`check_block`). A run has no cap of its own unless the user sets one (``max_bytes``):
:func:`check_run` then compares it with the estimate of every table before any row is made.

Every limit is a constant here or the user's option: nothing in a spec can raise it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from rulegen.errors import Diagnostic, GenerationError
from rulegen.kinds.base import Kind
from rulegen.spec.model import ColumnSpec
from rulegen.spec.source_map import join_pointer

__all__ = ["MAX_BLOCK_BYTES", "MAX_VALUE_BYTES", "check_block", "check_column", "check_run", "column_width",
           "estimate_run", "over_run"]

MAX_VALUE_BYTES = 1 << 20  # one value, as text
MAX_BLOCK_BYTES = 512 << 20  # one column of one block, and the whole block as it is made


def column_width(kind: Kind, column: ColumnSpec, widths: Mapping[str, int | None]) -> int | None:
    """An upper bound of the bytes of one of the column's values as text, or None when unknown.

    Args:
        kind: the column's kind, compiled.
        column: its spec (an ``else`` value may be longer than the kind's).
        widths: the widths of the table's columns compiled before it.
    """
    width = kind.max_bytes(widths)
    if width is None or column.else_ is None:
        return width
    return max(width, len(str(column.else_).encode("utf-8", "surrogatepass")))


def check_column(kind: Kind, width: int | None, rows: int, block_rows: int) -> list[Diagnostic]:
    """A column whose values, or whose block of values, could pass the budget.

    Args:
        kind: the column's kind.
        width: its width (see :func:`column_width`); None is measured at run time instead.
        rows: the table's rows.
        block_rows: rows per block.
    """
    if width is None:
        return []
    if width > MAX_VALUE_BYTES:
        return [Diagnostic("RG258", f"`{kind.column.name}` makes values of up to {width:,} bytes "
                                    f"(at most {MAX_VALUE_BYTES:,} a value)", kind.pointer(),
                           hint="shorten what it is made of (a template repeating a long column, a long constant)")]
    block = width * min(rows, block_rows)
    if block > MAX_BLOCK_BYTES:
        return [Diagnostic("RG259", f"`{kind.column.name}` makes values of up to {width:,} bytes: a block of "
                                    f"{min(rows, block_rows):,} rows could hold {block:,} bytes "
                                    f"(at most {MAX_BLOCK_BYTES:,})", kind.pointer(),
                           hint="make its values shorter")]
    return []


def estimate_run(tables: Mapping[str, Any]) -> dict[str, int]:
    """About the bytes each table takes as CSV text: rows times the widths of its output columns,
    their quotes and separators (a column of unknown width counts those only). Other formats
    differ by their own syntax (JSON's keys, SQL's statements): the user's limit is on this.

    Args:
        tables: the compiled ``TablePlan``s by name.
    """
    estimate = {}
    for name, table in tables.items():
        row = sum((table.columns[c].width or 0) + 3 for c in table.output)
        estimate[name] = table.rows * max(row, 1)
    return estimate


def check_run(tables: Mapping[str, Any], max_bytes: int) -> list[Diagnostic]:
    """A run whose estimate passes the user's ``max_bytes``, located at its largest table.

    Args:
        tables: the compiled ``TablePlan``s by name.
        max_bytes: the user's limit.
    """
    estimate = estimate_run(tables)
    total = sum(estimate.values())
    if total <= max_bytes:
        return []
    largest = max(estimate, key=estimate.__getitem__)
    return [over_run(f"about {total:,} bytes (`{largest}`: {tables[largest].rows:,} rows, about "
                     f"{estimate[largest]:,} bytes)", max_bytes, join_pointer("/tables", largest))]


def over_run(what: str, max_bytes: int, pointer: str) -> Diagnostic:
    """The diagnostic of a run past the user's ``max_bytes``."""
    return Diagnostic("RG405", f"the run could write {what}, more than --max-bytes {max_bytes:,}", pointer,
                      hint="lower the row counts (--rows, --scale) or raise --max-bytes")


def check_block(table: Any, values: Mapping[str, pa.Array]) -> None:
    """Measure a block as it is made: each column of unknown width, and each column's bytes.

    Raises:
        GenerationError: a value or a column of the block passes the budget, naming the column.
    """
    for name, array in values.items():
        column = table.columns[name]
        if array.nbytes > MAX_BLOCK_BYTES:
            raise GenerationError([Diagnostic(
                "RG403", f"`{name}` holds {array.nbytes:,} bytes in one block of `{table.name}` "
                         f"(at most {MAX_BLOCK_BYTES:,})", column.spec.pointer, hint="make its values shorter")])
        if column.width is not None or not (pa.types.is_string(array.type) or pa.types.is_binary(array.type)):
            continue
        longest = pc.max(pc.binary_length(array)).as_py() or 0
        if longest > MAX_VALUE_BYTES:
            raise GenerationError([Diagnostic(
                "RG404", f"`{name}` made a value of {longest:,} bytes (at most {MAX_VALUE_BYTES:,} a value)",
                column.spec.pointer, hint="shorten the values it reads")])
