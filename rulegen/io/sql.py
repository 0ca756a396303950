"""SQL from a plan: column types, DDL with keys and checks, and value literals, per dialect.

Types fit the values: integer widths from the values' bounds, ``NUMERIC(p, s)`` with the scale
of ``round``, text, boolean, date, timestamp with or without time zone, uuid. Constraints come
from the spec: primary and unique keys, foreign keys from ``ref`` columns (composite ones too),
``NOT NULL`` where a column never makes nulls, and ``CHECK``s for ranges and choice domains.

Foreign keys are added once the data is in (``ALTER TABLE ... ADD``, deferrable), so tables
that refer to each other both ways load; SQLite cannot alter constraints, so its foreign keys
are declared in the table, ``DEFERRABLE INITIALLY DEFERRED`` (checked at commit). DuckDB checks
foreign keys at once and cannot defer them: tables load parents first, and a reference that
closes a cycle of tables is left out of its DDL.

Table names are schema-qualified and values spelled so that no client can misread them (see
:mod:`rulegen.io.dialects`); names a target cannot hold are refused before anything is written
(:func:`check_target_names`).
"""

from __future__ import annotations

import dataclasses
import graphlib
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.types as pat

from rulegen.errors import Diagnostic, OutputError, SpecError
from rulegen.io.dialects import DIALECTS, Dialect, UnwritableValue
from rulegen.kinds import numeric
from rulegen.kinds.relational import Lookup, Ref, foreign_key
from rulegen.kinds.text import Uuid
from rulegen.plan.plan import ColumnPlan, Plan, TablePlan
from rulegen.spec.names import shown, target_problems

__all__ = [
    "DIALECTS", "Dialect", "ForeignKey", "SqlScript", "add_foreign_keys", "check_target_names", "comment",
    "create_table", "foreign_keys", "insert_rows", "sql_scripts", "table_order",
]

MAX_CHOICES = 100  # a longer domain is not worth a CHECK


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """Columns of a table that hold the key of a row of another (or the same) table."""

    table: str
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]


def foreign_keys(plan: Plan, table: TablePlan) -> list[ForeignKey]:
    """The foreign keys a table's written ``ref`` columns declare (each once)."""
    found: dict[tuple[str, ...], ForeignKey] = {}
    for name, column in table.columns.items():
        if isinstance(column.kind, Ref) and not column.spec.hidden:
            columns, parent, keys = foreign_key(table, name, plan)
            if all(c in table.output for c in columns):
                found.setdefault(columns, ForeignKey(table.name, columns, parent, keys))
    return list(found.values())


def table_order(plan: Plan) -> tuple[list[str], set[tuple[str, tuple[str, ...]]]]:
    """Tables parents first, and the foreign keys (table, columns) that close a cycle of tables."""
    needs = {name: [fk for fk in foreign_keys(plan, t) if fk.parent != name] for name, t in plan.tables.items()}
    cyclic: set[tuple[str, tuple[str, ...]]] = set()
    while True:
        graph = {name: {fk.parent for fk in fks if (name, fk.columns) not in cyclic} for name, fks in needs.items()}
        try:
            return list(graphlib.TopologicalSorter(graph).static_order()), cyclic
        except graphlib.CycleError as exc:
            child, parent = exc.args[1][1], exc.args[1][0]  # graphlib: each node needs the one before it
            edge = next(fk for fk in needs[child] if fk.parent == parent and (child, fk.columns) not in cyclic)
            cyclic.add((child, edge.columns))


def column_type(column: ColumnPlan, dialect: Dialect, *, key: bool = False) -> str:
    """The SQL type that holds every value of ``column``."""
    value_type = column.type
    if pat.is_boolean(value_type):
        return dialect.boolean
    if pat.is_integer(value_type):
        bounds = value_bounds(column)
        if bounds is not None and None not in bounds:
            widest = max(abs(bounds[0]), abs(bounds[1]) + 1)
            if widest <= 2**15:
                return dialect.integer[0]
            if widest <= 2**31:
                return dialect.integer[1]
        return dialect.integer[2]
    if pat.is_floating(value_type):
        decimals = column.spec.round
        if decimals is None or decimals <= 0 or dialect.decimal is None:
            return dialect.real
        bounds = value_bounds(column)
        digits = 18 if bounds is None or None in bounds else len(str(int(max(abs(bounds[0]), abs(bounds[1])))))
        return dialect.decimal.format(p=min(digits + decimals, dialect.max_precision), s=decimals)
    if pat.is_date(value_type):
        return dialect.date
    if pat.is_timestamp(value_type):
        return dialect.timestamptz if value_type.tz else dialect.timestamp
    if isinstance(column.kind, Uuid):
        return dialect.uuid
    return dialect.key_text if key else dialect.text


def value_bounds(column: ColumnPlan) -> tuple[float | None, float | None] | None:
    """The interval of a numeric column's written values: the kind's, widened to the ``round``
    grid, cut by ``clip``, and stretched to an ``else`` value."""
    bounds = column.kind.bounds()
    low, high = bounds if bounds is not None else (None, None)
    decimals = column.spec.round
    if decimals is not None:
        step = 10.0**-decimals
        low = None if low is None else math.floor(round(low / step, 9)) * step
        high = None if high is None else math.ceil(round(high / step, 9)) * step
    if column.clip is not None:
        clip_low, clip_high = column.clip
        low = clip_low if low is None else (low if clip_low is None else max(low, clip_low))
        high = clip_high if high is None else (high if clip_high is None else min(high, clip_high))
    other = column.spec.else_
    if column.when is not None and isinstance(other, int | float) and not isinstance(other, bool):
        low = None if low is None else min(low, other)
        high = None if high is None else max(high, other)
    if low is None and high is None:
        return None
    if pat.is_integer(column.type):
        low = None if low is None else math.ceil(low)
        high = None if high is None else math.floor(high)
    return low, high


def value_choices(column: ColumnPlan) -> list[Any] | None:
    """Every value a column can write, when few (``round`` may change numbers: none then)."""
    choices = column.kind.choices()
    if choices is None or len(choices) > MAX_CHOICES or column.spec.round is not None or column.clip is not None:
        return None
    if column.when is not None:
        choices = [*choices, column.spec.else_]
    return [c for c in dict.fromkeys(choices) if c is not None]


def makes_nulls(plan: Plan, table: TablePlan, name: str) -> bool:
    """Whether a column may write a null: its own ``null`` rate, an ``else: null``, the kind, or
    (for a lookup, or a date ``after`` another column) the column it follows."""
    column = table.columns[name]
    if column.spec.null > 0 or (column.when is not None and column.spec.else_ is None):
        return True
    kind = column.kind
    if isinstance(kind, Lookup):
        return makes_nulls(plan, table, kind.option("via")) or makes_nulls(
            plan, plan.tables[kind.parent], kind.option("column"))
    if kind.name in ("date", "timestamp") and kind.option("after"):
        return makes_nulls(plan, table, kind.option("after"))
    answer = kind.valid(pa.nulls(1, column.type))
    return answer is not None and answer[0].as_py() is not False


def _checks(name: str, column: ColumnPlan, dialect: Dialect) -> list[str]:
    """Range and choice checks (none on a sequence: its range is just its row count)."""
    number = pat.is_integer(column.type) or pat.is_floating(column.type)
    if not (number or pat.is_string(column.type)) or isinstance(column.kind, numeric.Sequence):
        return []
    quoted = dialect.ident(name)
    choices = value_choices(column)
    if choices is not None:
        try:
            return [f"CHECK ({quoted} IN ({', '.join(dialect.literal(c) for c in choices)}))"]
        except UnwritableValue as exc:
            raise OutputError([_unwritable(exc, name, column.spec.pointer, dialect)]) from None
    bounds = value_bounds(column) if not pat.is_string(column.type) else None
    if bounds is None:
        return []
    low, high = bounds
    if low is not None and high is not None:
        return [f"CHECK ({quoted} BETWEEN {dialect.literal(low)} AND {dialect.literal(high)})"]
    if low is not None:
        return [f"CHECK ({quoted} >= {dialect.literal(low)})"]
    return [f"CHECK ({quoted} <= {dialect.literal(high)})"]


def sql_type(plan: Plan, table: TablePlan, name: str, dialect: Dialect) -> str:
    """The SQL type of a written column; a foreign key column takes its parent column's type
    (databases want the two to match)."""
    for fk in foreign_keys(plan, table):
        if name in fk.columns and fk.parent != table.name:
            return sql_type(plan, plan.tables[fk.parent], fk.parent_columns[fk.columns.index(name)], dialect)
    spec = plan.spec.tables[table.name]
    keyed = name in {c for key in (spec.primary_key, *spec.unique) for c in key} or table.columns[name].spec.unique
    return column_type(table.columns[name], dialect, key=keyed or name in _referenced(plan, table.name))


def _referenced(plan: Plan, name: str) -> set[str]:
    """Columns of table ``name`` that some foreign key points to."""
    return {c for t in plan.tables.values() for fk in foreign_keys(plan, t) if fk.parent == name
            for c in fk.parent_columns}


def create_table(plan: Plan, table: TablePlan, dialect: Dialect, *,
                 skip: Sequence[tuple[str, ...]] = ()) -> str:
    """``CREATE TABLE`` for one table: columns, keys, checks, and (where the dialect declares
    them here) foreign keys other than those in ``skip``."""
    spec = plan.spec.tables[table.name]
    lines = []
    for name in table.output:
        not_null = "" if makes_nulls(plan, table, name) else " NOT NULL"
        lines.append(f"{dialect.ident(name)} {sql_type(plan, table, name, dialect)}{not_null}")
    written = set(table.output)
    if spec.primary_key and set(spec.primary_key) <= written:
        lines.append(f"PRIMARY KEY ({_names(spec.primary_key, dialect)})")
    uniques = [key for key in spec.unique if set(key) <= written]
    uniques += [(name,) for name, column in table.columns.items()
                if column.spec.unique and name in written and (name,) != spec.primary_key]
    lines += [f"UNIQUE ({_names(key, dialect)})" for key in dict.fromkeys(uniques)]
    for name in table.output:
        lines += _checks(name, table.columns[name], dialect)
    if not dialect.alter_foreign_keys:
        lines += [_reference(fk, dialect) for fk in foreign_keys(plan, table) if fk.columns not in skip]
    body = ",\n  ".join(lines)
    return f"CREATE TABLE {dialect.table(table.name)} (\n  {body}\n)"


def add_foreign_keys(plan: Plan, table: TablePlan, dialect: Dialect) -> list[str]:
    """``ALTER TABLE ... ADD FOREIGN KEY`` for dialects that add them after the data."""
    if not dialect.alter_foreign_keys:
        return []
    return [f"ALTER TABLE {dialect.table(table.name)} ADD {_reference(fk, dialect)}"
            for fk in foreign_keys(plan, table)]


def _reference(fk: ForeignKey, dialect: Dialect) -> str:
    deferred = " DEFERRABLE INITIALLY DEFERRED" if dialect.deferrable else ""
    return (f"FOREIGN KEY ({_names(fk.columns, dialect)}) REFERENCES {dialect.reference(fk.parent)} "
            f"({_names(fk.parent_columns, dialect)}){deferred}")


def _names(names: Sequence[str], dialect: Dialect) -> str:
    return ", ".join(dialect.ident(n) for n in names)


@dataclass(frozen=True, slots=True)
class SqlScript:
    """What a table's SQL script says around its ``INSERT``s, and in which dialect."""

    dialect: Dialect
    before: str  # CREATE TABLE ...
    after: str = ""  # ALTER TABLE ... ADD FOREIGN KEY ...
    pointers: Mapping[str, str] = field(default_factory=dict)  # column -> spec pointer, for errors


def with_locations(plan: Plan, dialect: Dialect) -> Dialect:
    """``dialect`` naming each table whose spec says where it lives (``schema:``) in that schema."""
    return dataclasses.replace(dialect, locations=tuple(
        (name, table.location) for name, table in plan.spec.tables.items() if table.location))


def sql_scripts(plan: Plan, dialect: Dialect) -> dict[str, SqlScript]:
    """Per table, parents first, its script around the ``INSERT``s: DDL before, foreign keys after.

    Raises:
        SpecError: a name the dialect's database cannot hold (too long, a system column).
        OutputError: a value of a choice domain the dialect cannot hold.
    """
    check_target_names(plan, dialect.name)
    dialect = with_locations(plan, dialect)
    order, cyclic = table_order(plan)
    try:
        return {name: SqlScript(dialect, create_table(plan, plan.tables[name], dialect,
                                                      skip=[c for (t, c) in cyclic if t == name]),
                                ";\n".join(add_foreign_keys(plan, plan.tables[name], dialect)),
                                {c: plan.tables[name].columns[c].spec.pointer for c in plan.tables[name].output})
                for name in order}
    except OutputError as exc:
        exc.source = plan.spec.source
        raise


def check_target_names(plan: Plan, dialect: str) -> None:
    """Refuse, before anything is written, names that the target database cannot hold.

    Raises:
        SpecError: every such name, located in the spec.
    """
    tables = {name: (plan.spec.tables[name].pointer,
                     [(c, table.columns[c].spec.pointer) for c in table.output])
              for name, table in plan.tables.items()}
    problems = target_problems(dialect, tables)
    if problems:
        raise SpecError(plan.spec.source.in_document_order(problems), plan.spec.source)


def insert_rows(table: str, batch: pa.RecordBatch, dialect: Dialect, *, rows_per_statement: int = 500,
                pointers: Mapping[str, str] | None = None) -> Iterator[str]:
    """``INSERT`` statements for the rows of ``batch``, several rows each.

    Raises:
        OutputError: a value the dialect cannot hold, at its column's pointer in ``pointers``.
    """
    head = f"INSERT INTO {dialect.table(table)} ({_names(batch.schema.names, dialect)}) VALUES\n"
    columns = []
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        try:
            columns.append([dialect.literal(v) for v in column.to_pylist()])
        except UnwritableValue as exc:
            raise OutputError([_unwritable(exc, name, (pointers or {}).get(name, ""), dialect)]) from None
    for start in range(0, batch.num_rows, rows_per_statement):
        stop = min(start + rows_per_statement, batch.num_rows)
        rows = (f"({', '.join(column[i] for column in columns)})" for i in range(start, stop))
        yield head + ",\n".join(rows) + ";\n"


def _unwritable(exc: UnwritableValue, column: str, pointer: str, dialect: Dialect) -> Diagnostic:
    return Diagnostic("RG506", f"a value of column {shown(column)} cannot be written as {dialect.name} SQL: {exc}",
                      pointer, hint="keep NUL out of the column's values, or write another format or dialect")


def comment(text: str) -> str:
    """``text`` for a ``--`` comment: every invisible character escaped, so it cannot end the line."""
    return shown(text)
