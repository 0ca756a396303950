"""``CREATE TABLE`` for a MySQL or MariaDB seed: MySQL's own types, keys, foreign keys, CHECKs.

Types fit the values as the plan knows them before any row is made: the narrowest integer
(``TINYINT`` to ``BIGINT``; a key column at least ``INT``, as it grows with the rows the
application adds), ``DECIMAL(p, s)`` with the scale of ``round``, ``VARCHAR(n)`` sized from the
longest value the column's kind can make (its choices, its pattern, its Faker pool), ``ENUM``
for a small domain of choices, ``DATETIME(6)`` (``DATETIME`` for whole seconds; a zoned
timestamp is stored as its UTC instant, as MySQL's ``DATETIME`` has no zone), ``BOOLEAN``.

Foreign keys are declared in the table itself: the seed loads with ``FOREIGN_KEY_CHECKS = 0``
(parents first, so only a cycle needs it) and checks every reference with one query per key
before commit (:mod:`rulegen.io.mysql`). A one-column integer primary key is
``AUTO_INCREMENT``: InnoDB moves the counter past the seeded keys by itself.
"""

from __future__ import annotations

import re

import pyarrow.types as pat

from rulegen.io.dialects import Dialect
from rulegen.io.sql import foreign_keys, identity_key, key_clauses, makes_nulls, value_bounds, value_choices
from rulegen.kinds import numeric
from rulegen.kinds.text import Uuid
from rulegen.plan.plan import ColumnPlan, Plan, TablePlan

__all__ = ["create_mysql_table", "mysql_type"]

MAX_ENUM = 64  # choices an ENUM holds; a longer domain is a VARCHAR with a CHECK
MAX_VARCHAR = 1024  # characters of a VARCHAR; longer text is TEXT (a row holds 65,535 bytes in all)
KEY_VARCHAR = 255  # a key column whose values' length is unknown (InnoDB keys hold 3,072 bytes)
ROW_BYTES = 65_000  # what the VARCHARs of a row may take (MySQL's limit is 65,535 bytes, 4 per character)
# (largest value + 1, type) from the narrowest integer type up
_INTEGERS = ((2**7, "TINYINT"), (2**15, "SMALLINT"), (2**23, "MEDIUMINT"), (2**31, "INT"))


def mysql_type(plan: Plan, table: TablePlan, name: str, dialect: Dialect) -> str:
    """The MySQL type of a written column; a foreign key column takes its parent column's
    (InnoDB wants the two alike), in its own table too."""
    for fk in foreign_keys(plan, table):
        parent_column = fk.parent_columns[fk.columns.index(name)] if name in fk.columns else None
        if parent_column is not None and (fk.parent, parent_column) != (table.name, name):  # self references too
            return mysql_type(plan, plan.tables[fk.parent], parent_column, dialect)
    spec = plan.spec.tables[table.name]
    referenced = {c for t in plan.tables.values() for fk in foreign_keys(plan, t) if fk.parent == table.name
                  for c in fk.parent_columns}
    keyed = (name in {c for key in (spec.primary_key, *spec.unique) for c in key} or table.columns[name].spec.unique
             or name in referenced)
    return _column_type(table.columns[name], dialect, key=keyed)


def _column_type(column: ColumnPlan, dialect: Dialect, *, key: bool) -> str:
    value_type = column.type
    if pat.is_boolean(value_type):
        return "BOOLEAN"
    if pat.is_integer(value_type):
        bounds = value_bounds(column)
        if bounds is not None and None not in bounds:
            widest = max(abs(bounds[0]), abs(bounds[1]) + 1)
            return next((name for top, name in _INTEGERS if widest <= top and (not key or top >= 2**31)), "BIGINT")
        return "BIGINT"
    if pat.is_floating(value_type):
        decimals = column.spec.round
        if decimals is None or decimals <= 0:
            return "DOUBLE"
        bounds = value_bounds(column)
        digits = 18 if bounds is None or None in bounds else len(str(int(max(abs(bounds[0]), abs(bounds[1])))))
        return f"DECIMAL({min(digits + decimals, 65)}, {min(decimals, 30)})"
    if pat.is_date(value_type):
        return "DATE"
    if pat.is_timestamp(value_type):
        return "DATETIME" if value_type.unit == "s" else "DATETIME(6)"
    if pat.is_duration(value_type):  # a number of seconds (see rulegen.io.durations)
        return "BIGINT" if value_type.unit == "s" else "DOUBLE"
    if isinstance(column.kind, Uuid):
        return "CHAR(36)"
    choices = value_choices(column)
    # MySQL cuts trailing spaces off ENUM labels: such a choice stays text
    if choices is not None and 0 < len(choices) <= MAX_ENUM and all(
            isinstance(c, str) and c == c.rstrip(" ") for c in choices):
        return f"ENUM({', '.join(_text(c) for c in choices)})"
    width = column.width
    if width is not None and width <= MAX_VARCHAR:
        return f"VARCHAR({max(width, 1)})"
    return f"VARCHAR({KEY_VARCHAR})" if key else "TEXT"


def _text(text: str) -> str:
    """Text as a plain literal, sent to the server as it is (no client reads it line by line),
    with NUL, the backslash and the quote escaped. An ENUM label cannot be an expression, and
    MariaDB keeps a CHECK's ``_utf8mb4 X'1F'`` as the text ``'x1F'``: both take this form."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''").replace("\0", "\\0") + "'"


def _checks(name: str, column: ColumnPlan, declared: str, dialect: Dialect) -> list[str]:
    """Range and choice checks (none on a sequence, whose range is its row count, nor on an ENUM)."""
    number = pat.is_integer(column.type) or pat.is_floating(column.type)
    if declared.startswith("ENUM") or not (number or pat.is_string(column.type)) \
            or isinstance(column.kind, numeric.Sequence):
        return []
    quoted = dialect.ident(name)
    choices = value_choices(column)
    if choices is not None:
        listed = ", ".join(_text(c) if isinstance(c, str) else dialect.literal(c) for c in choices)
        return [f"CHECK ({quoted} IN ({listed}))"]
    bounds = value_bounds(column) if number else None
    if bounds is None:
        return []
    low, high = bounds
    parts = ([f"{quoted} >= {dialect.literal(low)}"] if low is not None else []) + (
        [f"{quoted} <= {dialect.literal(high)}"] if high is not None else [])
    return [f"CHECK ({' AND '.join(parts)})"] if parts else []


def create_mysql_table(plan: Plan, table: TablePlan, dialect: Dialect) -> str:
    """``CREATE TABLE`` for one table: columns, keys, checks and foreign keys, InnoDB, utf8mb4."""
    identity = identity_key(plan, table)
    declared = _fit_row(plan, table, {name: mysql_type(plan, table, name, dialect) for name in table.output})
    lines, checks = [], []
    for name in table.output:
        not_null = "" if makes_nulls(plan, table, name) else " NOT NULL"
        numbered = " AUTO_INCREMENT" if name == identity else ""
        lines.append(f"{dialect.ident(name)} {declared[name]}{not_null}{numbered}")
        checks += _checks(name, table.columns[name], declared[name], dialect)
    lines += key_clauses(plan, table, dialect)
    lines += checks
    lines += [f"FOREIGN KEY ({_names(fk.columns, dialect)}) REFERENCES {dialect.table(fk.parent)} "
              f"({_names(fk.parent_columns, dialect)})" for fk in foreign_keys(plan, table)]
    body = ",\n  ".join(lines)
    return (f"CREATE TABLE {dialect.table(table.name)} (\n  {body}\n) "
            "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin")


def _fit_row(plan: Plan, table: TablePlan, declared: dict[str, str]) -> dict[str, str]:
    """``declared`` with the widest VARCHARs outside keys made TEXT until the row's VARCHARs fit
    in :data:`ROW_BYTES` (else CREATE TABLE fails: "Row size too large")."""
    spec = plan.spec.tables[table.name]
    keyed = {c for key in (spec.primary_key, *spec.unique) for c in key} | {
        c for fk in foreign_keys(plan, table) for c in fk.columns} | {
        c for t in plan.tables.values() for fk in foreign_keys(plan, t) if fk.parent == table.name
        for c in fk.parent_columns}
    widths = {name: int(found.group(1)) for name, text in declared.items()
              if (found := re.fullmatch(r"VARCHAR\((\d+)\)", text))}
    fitted = dict(declared)
    for name in sorted(widths, key=lambda n: -widths[n]):
        if sum(4 * w + 2 for w in widths.values()) <= ROW_BYTES:
            break
        if name not in keyed and not table.columns[name].spec.unique:
            fitted[name] = "TEXT"
            del widths[name]
    return fitted


def _names(names: tuple[str, ...] | list[str], dialect: Dialect) -> str:
    return ", ".join(dialect.ident(n) for n in names)

