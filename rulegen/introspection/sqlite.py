"""Read a SQLite database's catalog: PRAGMA table_xinfo, index_list/index_info, foreign_key_list,
and the CHECK constraints of each CREATE TABLE statement. A text column whose CHECK is
``json_valid(col)`` (SQLite's way to declare a JSON column) is read as JSON."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from rulegen.introspection.checks import check_clauses
from rulegen.introspection.model import (
    Catalog,
    ColumnInfo,
    ForeignKey,
    TableInfo,
    classify_type,
    index_columns,
    quote_identifier,
)

__all__ = ["connect_sqlite", "read_sqlite"]

ROW_COUNT_CAP = 1_000_000  # rows counted per table: enough to size a spec, cheap on any table


def connect_sqlite(path: str) -> sqlite3.Connection:
    """Open an existing database read-only (never create an empty file by mistake).

    Raises:
        sqlite3.Error: the file does not exist or is not a database.
    """
    if path == ":memory:":
        return sqlite3.connect(":memory:")
    from urllib.parse import quote

    connection = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
    connection.execute("select count(*) from sqlite_master").fetchone()  # fails here on a non-database
    return connection


def read_sqlite(connection: sqlite3.Connection, source: str) -> Catalog:
    """Every table of the database (SQLite's own ``sqlite_*`` tables excepted)."""
    tables = {}
    statements = connection.execute(
        "select name, sql from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' "
        "order by name").fetchall()
    try:  # SQLite 3.37+ tells virtual tables and their shadow tables apart from plain ones
        plain = {row[1] for row in connection.execute("pragma main.table_list") if row[2] == "table"}
    except sqlite3.Error:
        plain = {name for name, sql in statements if not (sql or "").upper().startswith("CREATE VIRTUAL")}
    for name, sql in statements:
        if name in plain:
            tables[name] = _read_table(connection, name, sql or "")
    for owner, sql in connection.execute("select tbl_name, sql from sqlite_master where type = 'trigger'"):
        for target in _INSERT.findall(sql or ""):
            name = next((n for n in tables if n.lower() == _unquote(target).lower()), None)
            if name is not None and name != owner and owner not in tables[name].filled_by:
                tables[name].filled_by.append(owner)
    return Catalog(source=source, dialect="sqlite", tables=tables)


_INSERT = re.compile(r'\binsert\s+(?:or\s+\w+\s+)?into\s+(?:(?:"[^"]+"|\w+)\s*\.\s*)?("[^"]+"|`[^`]+`|\[[^\]]+\]|\w+)',
                     re.IGNORECASE)


def _unquote(name: str) -> str:
    return name[1:-1] if name[:1] in "\"`[" else name


def _pragma(connection: sqlite3.Connection, pragma: str, name: str) -> list[tuple[Any, ...]]:
    return connection.execute(f"pragma {pragma}({quote_identifier(name)})").fetchall()


def _read_table(connection: sqlite3.Connection, name: str, sql: str) -> TableInfo:
    columns: dict[str, ColumnInfo] = {}
    primary: list[tuple[int, str]] = []
    # table_xinfo adds generated columns (hidden 2 and 3); hidden 1 are virtual-table internals.
    for _cid, column, declared, notnull, _default, pk, hidden in _pragma(connection, "table_xinfo", name):
        if hidden == 1:
            continue
        category, details = classify_type(declared or "")
        info = ColumnInfo(name=column, type_name=declared or "", category=category, nullable=not notnull and not pk,
                          generated=hidden in (2, 3), **details)
        if pk:
            primary.append((pk, column))
        columns[column] = info
    primary_key = tuple(c for _, c in sorted(primary))
    if len(primary_key) == 1 and columns[primary_key[0]].type_name.strip().upper() == "INTEGER":
        columns[primary_key[0]].identity = "rowid"  # INTEGER PRIMARY KEY: SQLite numbers the rows
    table = TableInfo(name=name, columns=columns, primary_key=primary_key)
    # Unique indexes, partial ones too (met on every row); an expression (lower(x)) counts as x.
    for _seq, index, unique, origin, _partial in _pragma(connection, "index_list", name):
        if not unique or origin == "pk":
            continue
        names: tuple[str, ...] | None = tuple(row[2] for row in _pragma(connection, "index_info", index))
        if not names or not all(n in columns for n in names):
            found = connection.execute("select sql from sqlite_master where type = 'index' and name = ?",
                                       [index]).fetchone()
            names = index_columns(found[0], columns) if found and found[0] else None
        if names and names not in table.unique and names != primary_key:
            table.unique.append(names)
    table.foreign_keys = _foreign_keys(connection, name)
    table.checks = [clause for clause in check_clauses(sql) if not _json_column(table, clause)]
    table.rows = connection.execute(
        f"select count(*) from (select 1 from {quote_identifier(name)} limit {ROW_COUNT_CAP})").fetchone()[0]
    return table


# `json_valid(col)`, alone or after `col IS NULL OR`, with the name bare or quoted any SQLite way.
_NAME = r'(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|\[[^\]]+\]|\w+)'
_JSON_VALID = re.compile(rf"(?:\(?\s*(?P<null>{_NAME})\s+is\s+null\s*\)?\s+or\s+)?"
                         rf"json_valid\s*\(\s*(?P<name>{_NAME})\s*\)", re.IGNORECASE)


def _json_column(table: TableInfo, clause: str) -> bool:
    """Whether ``clause`` only says a column holds valid JSON; that column is then read as JSON
    (and as never null, unless the clause lets nulls through)."""
    text = clause.strip()
    while _enclosed(text):
        text = text[1:-1].strip()
    found = _JSON_VALID.fullmatch(text)
    if found is None:
        return False
    name = _unquote(found["name"])
    if name not in table.columns or (found["null"] is not None and _unquote(found["null"]) != name):
        return False
    column = table.columns[name]
    column.category, column.type_name = "json", "json"
    # json_valid(NULL) is 0 before SQLite 3.45: a bare json_valid(col) keeps nulls out too.
    column.nullable = column.nullable and found["null"] is not None
    return True


def _enclosed(text: str) -> bool:
    """Whether the whole of ``text`` is one parenthesised group (``(a)``, not ``(a) OR (b)``)."""
    depth = 0
    for position, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return position == len(text) - 1 and position > 0
    return False


def _foreign_keys(connection: sqlite3.Connection, name: str) -> list[ForeignKey]:
    groups: dict[int, list[tuple[Any, ...]]] = {}
    for row in _pragma(connection, "foreign_key_list", name):
        groups.setdefault(row[0], []).append(row)
    keys = []
    for rows in (sorted(g, key=lambda r: r[1]) for _, g in sorted(groups.items())):
        parent = rows[0][2]
        parent_columns = [r[4] for r in rows]
        if any(c is None for c in parent_columns):  # REFERENCES parent: its primary key
            found = [(r[5], r[1]) for r in _pragma(connection, "table_info", parent) if r[5]]
            parent_columns = [c for _, c in sorted(found)]
        if len(parent_columns) == len(rows):
            keys.append(ForeignKey(tuple(r[3] for r in rows), parent, tuple(parent_columns)))
    return keys
