"""A row the database refuses, said the way the database said it, at the spec column to change.

PostgreSQL (through psycopg's ``diag``) tells the constraint, the column, a DETAIL such as
``Key (email)=(a@b.c) already exists.`` and a CONTEXT such as ``COPY customers, line 3:
"..."`` (the row); SQLite says ``UNIQUE constraint failed: customers.email``. The diagnostic
keeps all of it, names the table, and points at the spec column that made the value (the
column the database names, else the key's columns in DETAIL, else the constraint's columns),
with a hint that fits the kind of constraint.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from rulegen.errors import Diagnostic

__all__ = ["Locate", "refusal"]

# (table, columns, constraint name) -> the JSON pointer of the spec node to change
Locate = Callable[[str | None, Sequence[str], str | None], str]

_MAX_CONTEXT = 300  # characters of a CONTEXT line kept (it quotes the whole row)
_KEY = re.compile(r"(?:Key|key of the failing row contains) \((.+?)\) ?=")  # a key, or a partition key
_SQLITE = re.compile(r"(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed(?:: (.*))?")
# Hints by PostgreSQL SQLSTATE (and the SQLite constraint word).
_HINTS = {
    "23505": "make the column's values distinct (unique: true), or fewer than the values it can take",
    "UNIQUE": "make the column's values distinct (unique: true), or fewer than the values it can take",
    "23502": "give the column a value on every row (null: 0, no `when` without `else`)",
    "NOT NULL": "give the column a value on every row (null: 0, no `when` without `else`)",
    "23503": "make the column a `ref` to a table the seed loads, or pick its parent table too (--tables)",
    "FOREIGN KEY": "make the column a `ref` to a table the seed loads, or pick its parent table too (--tables)",
    "23514": "keep the column's values inside the database's CHECK (a range, a choice, a `constraints` rule)",
    "CHECK": "keep the column's values inside the database's CHECK (a range, a choice, a `constraints` rule)",
    "22003": "the database's column is too narrow for these numbers: widen it, or keep the values smaller",
    "22001": "the database's column is too short for these values: widen it, or make them shorter",
}


def refusal(exc: Any, where: str, table: str | None, locate: Locate) -> Diagnostic:
    """The diagnostic for an error the database raised while loading.

    Args:
        exc: the driver's exception (psycopg or sqlite3).
        where: the database, for the message (password hidden).
        table: the table being loaded when it was raised (None at commit).
        locate: finds the spec pointer of a table's columns or named constraint.

    Returns:
        ``RG504``: the database's message, DETAIL and CONTEXT, at the spec column to change.
    """
    text = str(exc).strip()
    primary = text.splitlines()[0] if text else type(exc).__name__
    diag = getattr(exc, "diag", None)
    if diag is not None:
        return _postgres(diag, primary, where, table, locate)
    found = _SQLITE.search(primary)
    columns: list[str] = []
    constraint = None
    if found and found.group(2) and found.group(1) in ("UNIQUE", "NOT NULL"):
        named = [part.strip().rpartition(".") for part in found.group(2).split(",")]
        table = named[0][0] or table
        columns = [name for _, _, name in named]
    elif found and found.group(1) == "CHECK":
        constraint = found.group(2)
    what = f"the data of `{table}`" if table else "the data"
    return Diagnostic("RG504", f"{where} refused {what}: {primary}",
                      locate(table, columns, constraint), hint=_HINTS.get(found.group(1)) if found else None)


def _postgres(diag: Any, primary: str, where: str, table: str | None, locate: Locate) -> Diagnostic:
    """PostgreSQL's error with its DETAIL and CONTEXT."""
    table = diag.table_name or table
    detail = diag.message_detail
    columns = [diag.column_name] if diag.column_name else []
    key = _KEY.search(detail or "")
    if not columns and key:
        columns = [name.strip().strip('"') for name in key.group(1).split(",")]
    parts = [f"{where} refused the data of `{table}`: {diag.message_primary or primary}" if table else
             f"{where} refused the data: {diag.message_primary or primary}"]
    if detail:
        parts.append(f"DETAIL: {detail}")
    if diag.context:
        context = " / ".join(line.strip() for line in diag.context.strip().splitlines())
        parts.append(f"CONTEXT: {context[:_MAX_CONTEXT]}{'...' if len(context) > _MAX_CONTEXT else ''}")
    hint = _HINTS.get(diag.sqlstate or "")
    if "Partition key" in (detail or ""):
        hint = "keep the column's values inside the bounds of the table's partitions (min, max)"
    return Diagnostic("RG504", "; ".join(parts), locate(table, columns, diag.constraint_name), hint=hint)
