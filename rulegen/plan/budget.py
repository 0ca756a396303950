"""The byte budget: how large a value, a block and a run may get, checked before the work.

A spec may be someone else's, and a few lines of it can ask for gigabytes: a template that
repeats a column that repeats a column, a constant times a billion rows. Each column gets a
static *width*, an upper bound of the UTF-8 bytes of one of its values written as text, from
its kind (:meth:`Kind.max_bytes`: a pattern's longest match, a template's parts added up, a Faker
pool measured when it was drawn, a fixed-width type's longest text). Compile refuses a column
whose width passes :data:`MAX_VALUE_BYTES`, or whose block of values could pass
:data:`MAX_BLOCK_BYTES`. A column whose width cannot be known before values exist (a value read
from a file, an expression over one) is measured block by block as it is made
(:func:`check_block`).

A run (``generate``, ``seed``, ``check``) has a budget of bytes: the user's ``max_bytes`` or,
without one, :func:`default_max_bytes`, the smaller of :data:`DEFAULT_MAX_BYTES` and the free
space where the run writes. :func:`check_run` compares it with the estimate of every table
before any row is made (and before the counts of rows per parent row are drawn: the API sizes
such a run from one parent block first). 64 GiB is far more than a test database or a demo
needs, yet small enough that a spec asking for 10^15 rows is refused in a moment instead of
filling a disk for days; a run that writes files cannot use more than the disk has, and files
are written under temporary names before they replace older ones, so the older files' space
does not count as free.

Every limit is a constant here or the user's option: nothing in a spec can raise it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from rulegen.errors import Diagnostic, GenerationError
from rulegen.kinds.base import Kind
from rulegen.spec.model import ColumnSpec
from rulegen.spec.source_map import join_pointer

__all__ = ["DEFAULT_MAX_BYTES", "MAX_BLOCK_BYTES", "MAX_VALUE_BYTES", "check_block", "check_column", "check_drawing",
           "check_run", "column_width", "default_max_bytes", "estimate_run", "over_run"]

MAX_VALUE_BYTES = 1 << 20  # one value, as text
MAX_BLOCK_BYTES = 512 << 20  # one column of one block, and the whole block as it is made
DEFAULT_MAX_BYTES = 64 << 30  # a run the user gave no limit (see the module docstring)
_RAISE = "raise it with --max-bytes N (max_bytes=N in the API)"


def default_max_bytes(target: str | Path | None = None, *, in_memory: bool = False) -> int:
    """The budget of a run whose user set none: :data:`DEFAULT_MAX_BYTES`, or less when the
    file system of ``target`` has less free space (or, ``in_memory``, the machine less memory).

    Args:
        target: the folder or file the run writes (it need not exist yet); None: no file.
        in_memory: the run's tables are kept in memory (``rulegen.generate``).
    """
    limit = DEFAULT_MAX_BYTES
    if target is not None:
        folder = Path(target).absolute()
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        with contextlib.suppress(OSError):  # a folder that cannot be measured keeps the constant
            limit = min(limit, shutil.disk_usage(folder).free)
    if in_memory and hasattr(os, "sysconf"):
        with contextlib.suppress(OSError, ValueError):  # a system without these names keeps it too
            limit = min(limit, os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    return limit


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
    rows = f"{'about ' * tables[largest].estimated}{tables[largest].rows:,} rows"
    return [over_run(f"about {total:,} bytes (`{largest}`: {rows}, about {estimate[largest]:,} bytes)",
                     max_bytes, join_pointer("/tables", largest))]


def over_run(what: str, max_bytes: int, pointer: str) -> Diagnostic:
    """The diagnostic of a run past its budget of ``max_bytes``."""
    return Diagnostic("RG405", f"the run could write {what}, more than its budget of {max_bytes:,} bytes", pointer,
                      hint=f"lower the row counts (--rows, --scale) or {_RAISE}; the budget is "
                           f"{DEFAULT_MAX_BYTES >> 30} GiB by default, less where the disk has less free space")


def check_drawing(tables: Mapping[str, Any], max_bytes: int) -> list[Diagnostic]:
    """Tables whose counts per parent row would be drawn for more rows than ``max_bytes`` allows:
    a command that makes a few rows (``preview``) still draws every count first, the work of
    sizing the whole table.

    Args:
        tables: the ``TablePlan``s of a plan compiled without drawing counts (estimated rows).
        max_bytes: the budget.
    """
    estimate = estimate_run(tables)
    return [Diagnostic("RG406", f"`{name}` draws a count of rows for each of the {table.link.parents:,} rows of "
                                f"`{table.link.parent}` first: about {table.rows:,} rows and {estimate[name]:,} "
                                f"bytes, more than the budget of {max_bytes:,} bytes",
                       join_pointer(join_pointer("/tables", name), "rows"),
                       hint=f"give `{table.link.parent}` fewer rows or {_RAISE}")
            for name, table in tables.items()
            if table.estimated and table.link is not None and estimate[name] > max_bytes]


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
