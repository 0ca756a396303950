"""Keys that fit what a table already holds: offsets on append, and integer widths.

Appending to a table that holds rows: its ``sequence`` key columns start after the largest
value already there (every value moves by the same offset), and every ``ref`` or ``lookup``
that copies such a key moves with it, so the new rows never collide with the old ones and
still point at their new parents. Before any row is written, each integer column of an
existing table is checked against its declared width (``smallint``, ``integer``): values, or a
sequence, that would overflow it are an error naming the table and column.

The other unique columns of a table appended to (``unique: true``, a one-column key) never
repeat a value the table holds: a row whose value is taken is left out when no loaded table
refers to its table, and is an error naming the value otherwise (:func:`taken_values`).

A table loaded without its parent (``--tables``, ``--exclude``) points at the parent rows the
database holds: the parent's k-th key as the spec would make it becomes the database's k-th
key (cycling when the database has fewer), so the law of rows per parent is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.errors import Diagnostic, OutputError
from rulegen.io.sql import foreign_keys, value_bounds
from rulegen.io.target import TargetTable
from rulegen.kinds.numeric import Sequence
from rulegen.kinds.relational import Lookup, Ref
from rulegen.plan.plan import ColumnPlan, Plan, TablePlan

__all__ = ["KeyFit", "Offsets", "Remaps", "key_offsets", "remapped", "remaps", "shifted", "taken", "taken_values",
           "width_problems"]

Offsets = dict[str, dict[str, int]]  # table -> column -> what is added to each value
# table -> column -> (the parent's keys as the spec makes them, the keys the database holds)
Remaps = dict[str, dict[str, tuple[pa.Array, pa.Array]]]

# Declared integer types narrower than 64 bits, and the largest value each holds.
_WIDTHS = {"smallint": 2**15 - 1, "int2": 2**15 - 1, "smallserial": 2**15 - 1,
           "integer": 2**31 - 1, "int": 2**31 - 1, "int4": 2**31 - 1, "serial": 2**31 - 1}


def key_offsets(plan: Plan, tables: list[str], existing: Mapping[str, TargetTable],
                largest: Callable[[str, str], int | None]) -> Offsets:
    """What to add to the key columns of ``tables`` (and the columns copying them).

    Args:
        plan: the compiled spec.
        tables: the tables loaded, of which those in ``existing`` are appended to.
        existing: the database's tables that the seed appends to.
        largest: the largest value of a table's column in the database (None when empty).

    Returns:
        Per table, per column, the offset (only columns that move).
    """
    keys: dict[tuple[str, str], int] = {}
    for name in tables:
        target = existing.get(name)
        if target is None or not target.has_rows:
            continue
        for column_name, column in plan.tables[name].columns.items():
            kind = column.kind
            if isinstance(kind, Sequence) and kind.option("within") is None and column_name in target.columns:
                top = largest(name, column_name)
                low = kind.bounds()[0]
                if top is not None and top >= low:
                    keys[(name, column_name)] = top - int(low) + 1
    offsets: Offsets = {}
    for name in tables:
        for column_name, column in plan.tables[name].columns.items():
            shift = keys.get((name, column_name), keys.get(_copied(column) or ("", ""), 0))
            if shift:
                offsets.setdefault(name, {})[column_name] = shift
    return offsets


def _copied(column: ColumnPlan) -> tuple[str, str] | None:
    """The (table, column) whose values a ``ref`` or ``lookup`` column copies."""
    kind = column.kind
    if isinstance(kind, Ref):
        return kind.table, kind.key
    if isinstance(kind, Lookup):
        return kind.parent, str(kind.option("column"))
    return None


def remaps(plan: Plan, tables: list[str], existing: Mapping[str, TargetTable], keys: Callable[[str, str], pa.Array],
           made: Callable[[str, str], pa.Array]) -> Remaps:
    """How the one-column references of ``tables`` to parents not loaded now are moved onto
    the parents' rows in the database.

    Args:
        plan: the compiled spec.
        tables: the tables loaded.
        existing: the database's tables.
        keys: the distinct values of a table's column in the database, sorted.
        made: the values of a table's column as the spec makes them, row by row.
    """
    found: Remaps = {}
    for name in tables:
        for column_name, column in plan.tables[name].columns.items():
            kind = column.kind
            if (not isinstance(kind, Ref) or kind.table in tables or kind.table not in existing
                    or kind.key not in existing[kind.table].columns or _composite(plan, name, column_name)):
                continue
            held = keys(kind.table, kind.key)
            if len(held):
                found.setdefault(name, {})[column_name] = (made(kind.table, kind.key), held)
    return found


def _composite(plan: Plan, table: str, column: str) -> bool:
    """Whether a ref column is part of a foreign key of several columns."""
    return any(column in fk.columns and len(fk.columns) > 1 for fk in foreign_keys(plan, plan.tables[table]))


def remapped(batch: pa.RecordBatch, columns: Mapping[str, tuple[pa.Array, pa.Array]]) -> pa.RecordBatch:
    """``batch`` with each column of ``columns`` moved from the spec's keys to the database's."""
    if not columns:
        return batch
    arrays = []
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if name in columns:
            made, held = columns[name]
            rank = pc.index_in(column, value_set=made).to_numpy(zero_copy_only=False)
            missing = np.isnan(rank) if rank.dtype.kind == "f" else np.zeros(len(rank), bool)
            index = np.where(missing, 0, np.nan_to_num(rank)).astype(np.int64) % len(held)
            column = pc.take(held, pa.array(index, mask=missing)).cast(column.type)
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, schema=batch.schema)


def shifted(batch: pa.RecordBatch, offsets: Mapping[str, int]) -> pa.RecordBatch:
    """``batch`` with ``offsets`` added to its columns (nulls stay null)."""
    if not offsets:
        return batch
    columns = [pc.add(column, pa.scalar(offsets[name], column.type)) if name in offsets else column
               for name, column in zip(batch.schema.names, batch.columns, strict=True)]
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def width_problems(plan: Plan, tables: list[str], existing: Mapping[str, TargetTable],
                   offsets: Offsets) -> list[Diagnostic]:
    """Integer columns of existing tables whose values (moved by ``offsets``) overflow their type."""
    problems = []
    for name in tables:
        target = existing.get(name)
        if target is None:
            continue
        table = plan.tables[name]
        for column_name in table.output:
            declared = target.columns.get(column_name, "")
            # the first width word: "smallint", or a domain's base type, "year (integer)"
            top = next((_WIDTHS[w] for w in re.findall(r"[a-z0-9]+", declared) if w in _WIDTHS), None)
            bounds = _bounds(plan, table, column_name)
            if top is None or bounds is None:
                continue
            shift = offsets.get(name, {}).get(column_name, 0)
            low, high = (None if b is None else b + shift for b in bounds)
            if (high is not None and high > top) or (low is not None and low < -top - 1):
                reach = high if high is not None and high > top else low
                problems.append(Diagnostic(
                    "RG542", f"`{name}.{column_name}` is {declared} in the database (at most {top:,}), and the "
                             f"seed would write {int(reach):,} there", table.columns[column_name].spec.pointer,
                    hint="seed fewer rows of this table (--rows, --scale), or widen the column (ALTER TABLE ... "
                         "TYPE bigint)"))
    return problems


def _bounds(plan: Plan, table: TablePlan, name: str) -> tuple[float | None, float | None] | None:
    """The bounds of an integer column's values; a ``ref`` has its parent key's."""
    column = table.columns[name]
    if not pa.types.is_integer(column.type):
        return None
    copied = _copied(column)
    if copied is not None and copied[0] in plan.tables and copied[0] != table.name:
        return _bounds(plan, plan.tables[copied[0]], copied[1])
    return value_bounds(column)


def taken_values(plan: Plan, tables: list[str], existing: Mapping[str, TargetTable], offsets: Offsets,
                 distinct: Callable[[str, str], pa.Array]) -> dict[str, dict[str, pa.Array]]:
    """Per appended table holding rows, the values its unique columns hold already (columns
    whose keys move past the old ones by ``offsets`` need none).

    Args:
        plan: the compiled spec.
        tables: the tables loaded.
        existing: the database's tables that the seed appends to.
        offsets: the key columns that move.
        distinct: the distinct values of a table's column in the database.
    """
    found: dict[str, dict[str, pa.Array]] = {}
    for name in tables:
        target = existing.get(name)
        if target is None or not target.has_rows:
            continue
        table, spec = plan.tables[name], plan.spec.tables[name]
        unique = [c for c in table.output if table.columns[c].spec.unique or (c,) == spec.primary_key
                  or (c,) in spec.unique]
        for column in unique:
            if column in target.columns and column not in target.generated and column not in offsets.get(name, {}):
                try:
                    values = distinct(name, column).cast(table.columns[column].type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    continue  # held as another type (SQLite's dates as text): the database checks them
                if len(values):
                    found.setdefault(name, {})[column] = values
    return found


def taken(batch: pa.RecordBatch, values: Mapping[str, pa.Array]) -> np.ndarray:
    """Which rows of ``batch`` repeat a value of ``values`` (by column)."""
    mask = np.zeros(batch.num_rows, bool)
    for column, held in values.items():
        found = pc.is_in(batch.column(column), value_set=held)
        mask |= found.fill_null(False).to_numpy(zero_copy_only=False)
    return mask


@dataclass(frozen=True, slots=True)
class KeyFit:
    """How the keys of the loaded rows fit the rows the database holds (see :mod:`rulegen.io.keys`)."""

    offsets: Offsets  # sequence keys (and the references to them) moved past the old ones
    moved: Remaps  # references to parents not loaded now, onto the parent rows held
    held: dict[str, dict[str, pa.Array]]  # values unique columns hold already
    referenced: set[str]  # tables some loaded table refers to: their rows cannot be left out

    def fit(self, table: TablePlan, batch: pa.RecordBatch) -> pa.RecordBatch:
        """``batch`` with its keys moved, and its rows whose unique values are taken left out.

        Raises:
            OutputError: a taken value in a table other tables refer to.
        """
        name = table.name
        batch = remapped(shifted(batch, self.offsets.get(name, {})), self.moved.get(name, {}))
        if name not in self.held:
            return batch
        clash = taken(batch, self.held[name])
        if not clash.any():
            return batch
        if name in self.referenced:
            row = int(np.argmax(clash))
            column, value = next((c, batch.column(c)[row].as_py()) for c, values in self.held[name].items()
                                 if pc.is_in(batch.column(c).slice(row, 1), value_set=values)[0].as_py())
            raise OutputError([Diagnostic(
                "RG545", f"`{name}.{column}` is unique and the database holds {value!r} already, which the seed "
                         "makes again (other tables refer to these rows, so it cannot be left out)",
                table.columns[column].spec.pointer,
                hint="seed with another --seed, or make the column's values from its `sequence` key")])
        return batch.filter(pa.array(~clash))
