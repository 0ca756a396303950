"""Keys that fit what a table already holds: offsets on append, and integer widths.

Appending to a table that holds rows: its ``sequence`` key columns start after the largest
value already there (every value moves by the same offset), and every ``ref`` or ``lookup``
that copies such a key moves with it, so the new rows never collide with the old ones and
still point at their new parents. Before any row is written, each integer column of an
existing table is checked against its declared width (``smallint``, ``integer``): values, or a
sequence, that would overflow it are an error naming the table and column.

The other unique keys of a table appended to (``unique: true``, ``unique`` lists, the primary
key, and the database's unique constraints and indexes; of one column or several) never repeat
a value, or a combination of values, the table holds: a row whose values are taken is left out
when no loaded table refers to its table, and is an error naming the values otherwise
(:func:`taken_values`).

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

__all__ = ["Held", "KeyFit", "Offsets", "Remaps", "key_offsets", "remapped", "remaps", "shifted", "taken",
           "taken_values", "width_problems"]

Offsets = dict[str, dict[str, int]]  # table -> column -> what is added to each value
# table -> column -> (the parent's keys as the spec makes them, the keys the database holds)
Remaps = dict[str, dict[str, tuple[pa.Array, pa.Array]]]
# unique key (its columns) -> the combinations of its values a table holds, one column each
Held = dict[tuple[str, ...], pa.Table]

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
                 held: Callable[[str, tuple[str, ...]], pa.Table]) -> dict[str, Held]:
    """Per appended table holding rows, the values (combinations of values, for a key of several
    columns) that its unique keys hold already: the spec's (``unique: true``, ``unique`` lists,
    the primary key) and the database's (unique constraints and indexes). A key with a column
    whose values move past the old ones by ``offsets`` needs none, nor one with a column the
    seed does not write.

    Args:
        plan: the compiled spec.
        tables: the tables loaded.
        existing: the database's tables that the seed appends to.
        offsets: the key columns that move.
        held: the distinct combinations of a table's columns in the database, with no null.
    """
    found: dict[str, Held] = {}
    for name in tables:
        target = existing.get(name)
        if target is None or not target.has_rows:
            continue
        table, spec = plan.tables[name], plan.spec.tables[name]
        keys = [(c,) for c in table.output if table.columns[c].spec.unique]
        keys += [tuple(k) for k in (spec.primary_key, *spec.unique, *target.unique)]
        moved = offsets.get(name, {})
        for key in dict.fromkeys(k for k in keys if k):
            if any(c not in table.output or c not in target.columns or c in target.generated or c in moved
                   for c in key):
                continue
            try:
                rows = held(name, key)
                rows = pa.table([rows.column(i).cast(_plain(table.columns[c].type)) for i, c in enumerate(key)],
                                names=list(key))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OverflowError):
                continue  # held as another type (SQLite's dates as text): the database checks them
            if rows.num_rows:
                found.setdefault(name, {})[key] = rows
    return found


def taken(batch: pa.RecordBatch, held: Held) -> np.ndarray:
    """Which rows of ``batch`` repeat the values of a key of ``held`` (a row with a null in a
    key repeats nothing there, as in SQL)."""
    mask = np.zeros(batch.num_rows, bool)
    for key, rows in held.items():
        if len(key) == 1:
            found = pc.is_in(_plain_column(batch.column(key[0])), value_set=rows.column(0))
            mask |= found.fill_null(False).to_numpy(zero_copy_only=False)
            continue
        position = "rulegen_row"
        while position in key:
            position += "_"
        probe = pa.table([*(_plain_column(batch.column(c)) for c in key), pa.array(np.arange(batch.num_rows))],
                         names=[*key, position])
        try:
            matched = probe.join(rows, keys=list(key), join_type="inner").column(position)
        except pa.ArrowNotImplementedError:
            continue  # a type Arrow cannot join on: the database checks the key
        mask[matched.to_numpy()] = True
    return mask


def _plain(value_type: pa.DataType) -> pa.DataType:
    """A dictionary type's values' type; any other type as it is."""
    return value_type.value_type if pa.types.is_dictionary(value_type) else value_type


def _plain_column(column: pa.Array) -> pa.Array:
    """A dictionary column decoded; any other column as it is (Arrow joins on plain values)."""
    return column.cast(_plain(column.type)) if pa.types.is_dictionary(column.type) else column


@dataclass(frozen=True, slots=True)
class KeyFit:
    """How the keys of the loaded rows fit the rows the database holds (see :mod:`rulegen.io.keys`)."""

    offsets: Offsets  # sequence keys (and the references to them) moved past the old ones
    moved: Remaps  # references to parents not loaded now, onto the parent rows held
    held: dict[str, Held]  # values of unique keys (one column or several) held already
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
            row = batch.slice(int(np.argmax(clash)), 1)
            key = next(k for k, rows in self.held[name].items() if taken(row, {k: rows})[0])
            value = tuple(row.column(c)[0].as_py() for c in key)
            if len(key) == 1:
                raise OutputError([Diagnostic(
                    "RG545", f"`{name}.{key[0]}` is unique and the database holds {value[0]!r} already, which the "
                             "seed makes again (other tables refer to these rows, so it cannot be left out)",
                    table.columns[key[0]].spec.pointer,
                    hint="seed with another --seed, or make the column's values from its `sequence` key")])
            raise OutputError([Diagnostic(
                "RG570", f"({', '.join(key)}) of `{name}` is unique and the database holds {value!r} already, which "
                         "the seed makes again (other tables refer to these rows, so it cannot be left out)",
                table.columns[key[0]].spec.pointer,
                hint=f"seed with another --seed, or make one of {', '.join(key)} from a `sequence` key")])
        return batch.filter(pa.array(~clash))
