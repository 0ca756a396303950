"""What a MySQL or MariaDB database declares about the tables a seed loads into, what it
says when it refuses a row, and the rows whose foreign key has no parent.

Read from ``information_schema`` inside the seed's transaction: columns and their types
(``COLUMN_TYPE``: ``int(11)``, ``enum('a','b')``), the columns the server computes (generated
columns, never written), ``AUTO_INCREMENT`` columns, the primary key, and the foreign keys.
Every foreign key counts as deferrable: a table whose parent loads after it loads with
``FOREIGN_KEY_CHECKS = 0``, and the seed checks its references itself before commit
(:func:`find_orphan`).
"""

from __future__ import annotations

import re
from typing import Any

from rulegen.errors import Diagnostic
from rulegen.io.refusals import Locate
from rulegen.io.target import TargetForeignKey, TargetTable

__all__ = ["GENERATED", "find_orphan", "mysql_refusal", "mysql_tables"]

_COLUMNS = """
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s ORDER BY TABLE_NAME, ORDINAL_POSITION
"""

_KEYS = """
SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME,
       k.REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE k WHERE k.TABLE_SCHEMA = %s
ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION
"""

# Unique indexes (those of primary keys and unique constraints too), column by column: an index
# over a prefix of a column (SUB_PART) or over an expression (no COLUMN_NAME, MySQL 8) does not
# keep whole values apart, so it is not one of the table's unique keys.
_UNIQUE = """
SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, SUB_PART FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = %s AND NON_UNIQUE = 0 ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
"""

# MySQL error numbers, and the hint of each (as rulegen.io.refusals has them for PostgreSQL).
_HINTS = {
    1062: "make the column's values distinct (unique: true), or fewer than the values it can take",
    1048: "give the column a value on every row (null: 0, no `when` without `else`)",
    1452: "make the column a `ref` to a table the seed loads, or pick its parent table too (--tables)",
    3819: "keep the column's values inside the database's CHECK (a range, a choice, a `constraints` rule)",
    4025: "keep the column's values inside the database's CHECK (a range, a choice, a `constraints` rule)",
    1264: "the database's column is too narrow for these numbers: widen it, or keep the values smaller",
    1406: "the database's column is too short for these values: widen it, or make them shorter",
    1265: "the database's column is too short for these values: widen it, or make them shorter",
    1366: "the database's column cannot read these values: change its type, or the column's kind",
}
# EXTRA of a generated column: VIRTUAL, STORED or (older MariaDB) PERSISTENT GENERATED; not
# MySQL 8's DEFAULT_GENERATED (a DEFAULT such as CURRENT_TIMESTAMP)
GENERATED = re.compile(r"\b(virtual|stored|persistent) generated\b", re.IGNORECASE)
_COLUMN = re.compile(r"column [`']?([^`']+)[`']?", re.IGNORECASE)
_KEY = re.compile(r"for key '(?:[^'.]*\.)?([^']+)'")
_CHECK = re.compile(r"CONSTRAINT `([^`]+)` failed", re.IGNORECASE)
_FOREIGN = re.compile(r"FOREIGN KEY \(([^)]*)\)")


def mysql_tables(connection: Any, database: str, names: list[str]) -> dict[str, TargetTable]:
    """The tables of ``names`` that exist in ``database``.

    Args:
        connection: an open PyMySQL connection, inside the seed's transaction.
        database: the database the seed writes into.
        names: the tables the seed loads.

    Returns:
        The existing ones, by name.
    """
    wanted = set(names)
    found: dict[str, TargetTable] = {}
    cursor = connection.cursor()
    cursor.execute(_COLUMNS, [database])
    for table, column, declared, nullable, default, extra in cursor.fetchall():
        if table not in wanted:
            continue
        target = found.setdefault(table, TargetTable({}))
        target.columns[column] = declared.lower()
        extra = (extra or "").lower()
        if nullable == "NO":
            target.not_null.add(column)
        if (default is not None and default != "NULL") or "auto_increment" in extra:
            target.defaults.add(column)
        if GENERATED.search(extra):
            target.generated.add(column)
        if "auto_increment" in extra:
            target.sequences[column] = "auto_increment"
    keys: dict[tuple[str, str], list[tuple[str, str | None, str | None, str | None]]] = {}
    cursor.execute(_KEYS, [database])
    for table, name, column, parent_schema, parent, parent_column in cursor.fetchall():
        if table in found:
            keys.setdefault((table, name), []).append((column, parent_schema, parent, parent_column))
    for (table, name), parts in keys.items():
        target = found[table]
        columns = tuple(p[0] for p in parts)
        target.constraints[name] = columns
        if name == "PRIMARY":
            target.primary_key = columns
        elif parts[0][2] is not None and parts[0][1] == database and parts[0][2] in wanted:
            target.foreign_keys.append(TargetForeignKey(columns, str(parts[0][2]), tuple(str(p[3]) for p in parts),
                                                        True, not set(columns) & target.not_null, name))
    indexes: dict[tuple[str, str], list[str | None]] = {}
    cursor.execute(_UNIQUE, [database])
    for table, index, column, prefix in cursor.fetchall():
        if table in found:
            indexes.setdefault((table, index), []).append(None if prefix is not None else column)
    for (table, _), columns in indexes.items():
        if None not in columns and tuple(columns) not in found[table].unique:
            found[table].unique.append(tuple(columns))
    for table, target in found.items():
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_name(database)}.{_name(table)})")
        target.has_rows = bool(cursor.fetchone()[0])
    return found


def find_orphan(loader: Any, tables: set[str]) -> tuple[str, list[str], list[Any], str] | None:
    """The first row of a table of ``tables`` whose foreign key has no parent row: (table,
    columns, values, parent), or None."""
    database = loader.dialect.schema
    cursor = loader.execute(_KEYS, [database])
    keys: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for table, name, column, parent_schema, parent, parent_column in cursor.fetchall():
        if parent is not None and parent_schema == database and table in tables:
            keys.setdefault((table, name), []).append((column, parent, parent_column))
    for (table, _), parts in keys.items():
        parent = parts[0][1]
        columns = [c for c, _, _ in parts]
        filled = " AND ".join(f"c.{_name(c)} IS NOT NULL" for c in columns)
        match = " AND ".join(f"p.{_name(pc)} = c.{_name(c)}" for c, _, pc in parts)
        found = loader.execute(
            f"SELECT {', '.join(f'c.{_name(c)}' for c in columns)} FROM {_name(database)}.{_name(table)} AS c "
            f"WHERE {filled} AND NOT EXISTS (SELECT 1 FROM {_name(database)}.{_name(parent)} AS p WHERE {match}) "
            "LIMIT 1").fetchone()
        if found is not None:
            return table, columns, list(found), parent
    return None


def mysql_refusal(exc: Any, where: str, table: str | None, locate: Locate) -> Diagnostic:
    """The diagnostic for an error MySQL raised while loading: its number and message, at
    the spec column the message names (or the key's, or the CHECK's)."""
    args = getattr(exc, "args", ())
    code, message = (args[0], str(args[1])) if len(args) >= 2 else (None, str(exc))
    columns: list[str] = []
    constraint = None
    if (key := _KEY.search(message)) is not None:
        constraint = key.group(1)
        # a unique key rulegen created is named after its first column
        columns = [] if constraint == "PRIMARY" else [constraint]
    elif (foreign := _FOREIGN.search(message)) is not None:
        columns = [c.strip().strip("`") for c in foreign.group(1).split(",")]
    elif (check := _CHECK.search(message)) is not None:
        constraint = check.group(1)
    elif code in (1048, 1264, 1406, 1265, 1366) and (column := _COLUMN.search(message)) is not None:
        columns = [column.group(1)]
    what = f"the data of `{table}`" if table else "the data"
    return Diagnostic("RG504", f"{where} refused {what}: ({code}) {message}", locate(table, columns, constraint),
                      hint=_HINTS.get(code) if isinstance(code, int) else None)


def _name(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"
