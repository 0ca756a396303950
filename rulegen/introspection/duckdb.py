"""Read a DuckDB database's catalog: ``duckdb_tables()``, ``duckdb_columns()`` and
``duckdb_constraints()`` give columns and their types (``ENUM`` labels too), not-null, primary,
unique and foreign keys (composite ones too), CHECK expressions and generated columns."""

from __future__ import annotations

import re
from typing import Any

from rulegen.introspection.model import Catalog, ColumnInfo, ForeignKey, TableInfo, classify_type, quote_identifier

__all__ = ["connect_duckdb", "read_duckdb"]

ROW_COUNT_CAP = 1_000_000  # rows counted per table: enough to size a spec, cheap on any table

_COLUMNS = """
SELECT table_name, column_name, data_type, is_nullable, numeric_precision, numeric_scale, is_generated
FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
ORDER BY table_name, column_index
"""
_CONSTRAINTS = """
SELECT table_name, constraint_type, constraint_column_names, referenced_table, referenced_column_names, expression
FROM duckdb_constraints() WHERE database_name = current_database() AND schema_name = 'main'
ORDER BY table_name, constraint_index
"""


def connect_duckdb(path: str) -> Any:
    """A read-only connection to an existing DuckDB file (never create an empty one by mistake).

    Raises:
        duckdb.Error: the file does not exist or is not a DuckDB database.
    """
    import os

    import duckdb

    if path != ":memory:" and not os.path.isfile(path):
        raise duckdb.IOException(f"no such file: {path}")
    return duckdb.connect(path, read_only=path != ":memory:")


def read_duckdb(connection: Any, source: str) -> Catalog:
    """Every base table of the database's ``main`` schema."""
    names = [row[0] for row in connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' "
        "AND NOT internal AND NOT temporary ORDER BY table_name").fetchall()]
    tables = {name: TableInfo(name=name, columns={}) for name in names}
    for table, name, declared, nullable, precision, scale, generated in connection.execute(_COLUMNS).fetchall():
        if table in tables:
            tables[table].columns[name] = _column(name, declared, nullable, precision, scale, generated)
    for table, kind, columns, parent, parent_columns, expression in connection.execute(_CONSTRAINTS).fetchall():
        if table not in tables:
            continue
        target, columns = tables[table], tuple(columns)
        if kind == "PRIMARY KEY":
            target.primary_key = columns
        elif kind == "UNIQUE" and columns not in target.unique:
            target.unique.append(columns)
        elif kind == "FOREIGN KEY" and parent in tables:
            target.foreign_keys.append(ForeignKey(columns, parent, tuple(parent_columns)))
        elif kind == "CHECK" and expression:
            target.checks.append(expression)
        elif kind == "NOT NULL":
            for column in columns:
                target.columns[column].nullable = False
    for name, table in tables.items():
        table.rows = connection.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {quote_identifier(name)} LIMIT {ROW_COUNT_CAP})").fetchone()[0]
    return Catalog(source=source, dialect="duckdb", tables=tables)


def _column(name: str, declared: str, nullable: bool, precision: int | None, scale: int | None,
            generated: bool) -> ColumnInfo:
    """One column: DuckDB's type names read as SQLite's rules read them, enums and a few more first."""
    upper = declared.upper()
    if upper.startswith("ENUM("):
        labels = tuple(label.replace("''", "'") for label in re.findall(r"'((?:[^']|'')*)'", declared))
        return ColumnInfo(name=name, type_name=declared, category="enum", nullable=nullable, labels=labels,
                          generated=generated)
    category, details = classify_type(declared)
    if upper in ("HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT", "TINYINT"):
        category = "integer"
    elif upper == "TIMESTAMP WITH TIME ZONE":
        category, details = "timestamp", {"timezone": True}
    elif upper == "VARCHAR":
        category, details = "text", {}
    elif upper == "INTERVAL":
        category, details = "interval", {}
    elif upper == "BLOB":
        category, details = "binary", {}
    if category == "decimal":
        details = {"precision": precision, "scale": scale}
    return ColumnInfo(name=name, type_name=declared.lower(), category=category, nullable=nullable,
                      generated=generated, **details)
