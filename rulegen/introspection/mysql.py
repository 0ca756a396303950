"""Read a MySQL or MariaDB database's catalog from ``information_schema``: columns and their
types, not-null, primary, unique (unique indexes; one on a text's first N characters keeps
its values that short) and foreign keys (composite and self ones too), and CHECK constraints.

MySQL's types are read into the neutral model: ``TINYINT(1)`` is a boolean, ``ENUM`` labels are
an enum's, a ``SET`` column takes one of its members per row, ``YEAR`` is an integer from 1901
to 2155, a narrow or ``UNSIGNED`` integer keeps the range its type holds (the drafted values stay
inside it, and a guess such as 0-1000 stays a guess rather than the type's whole range),
``JSON`` (MariaDB: ``LONGTEXT`` with a ``json_valid`` CHECK) is JSON, spatial columns get
well-known text (a small point, line, triangle, or collection of them) that the seed loads
through ``ST_GeomFromText``. Generated columns are read as computed (not written),
``AUTO_INCREMENT`` as the database's numbering. A CHECK is read with its names in double
quotes, as the CHECK translator reads them.
"""

from __future__ import annotations

import re
from typing import Any

from rulegen.introspection.model import Catalog, ColumnInfo, ForeignKey, TableInfo, quote_identifier
from rulegen.io.mysql_target import GENERATED

__all__ = ["MysqlReader", "connect_mysql_reader", "read_mysql"]

ROW_COUNT_CAP = 1_000_000  # rows counted per table: enough to size a spec, cheap on any table

# Spatial types, each with a pattern of valid well-known text (a polygon is a closed triangle).
_SPATIAL = {
    "point": r"POINT\([1-9][0-9]? [1-9][0-9]?\)",
    "geometry": r"POINT\([1-9][0-9]? [1-9][0-9]?\)",
    "linestring": r"LINESTRING\([1-9] [1-9], [1-9][0-9] [1-9][0-9]\)",
    "polygon": r"POLYGON\(\(0 0, [1-9] 0, 0 [1-9], 0 0\)\)",
    "multipoint": r"MULTIPOINT\(\([1-9] [1-9]\), \([1-9][0-9] [1-9][0-9]\)\)",
    "multilinestring": r"MULTILINESTRING\(\([1-9] [1-9], [1-9][0-9] [1-9][0-9]\)\)",
    "multipolygon": r"MULTIPOLYGON\(\(\(0 0, [1-9] 0, 0 [1-9], 0 0\)\)\)",
    "geometrycollection": r"GEOMETRYCOLLECTION\(POINT\([1-9][0-9]? [1-9][0-9]?\)\)",
}
_INTEGERS = {"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "bigint": 64}
_CATEGORIES = {
    "decimal": "decimal", "numeric": "decimal", "float": "float", "double": "float", "real": "float",
    "char": "text", "varchar": "text", "tinytext": "text", "text": "text", "mediumtext": "text",
    "longtext": "text", "date": "date", "datetime": "timestamp", "timestamp": "timestamp", "time": "time",
    "json": "json", "binary": "binary", "varbinary": "binary", "tinyblob": "binary", "blob": "binary",
    "mediumblob": "binary", "longblob": "binary", "enum": "enum", "set": "enum", "uuid": "uuid", "inet4": "inet",
    "inet6": "inet", "year": "integer",
}

_COLUMNS = """
SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION,
       NUMERIC_SCALE, EXTRA
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION
"""
_INDEXES = """
SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, SUB_PART FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE() AND NON_UNIQUE = 0 ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
"""
_FOREIGN_KEYS = """
SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION
"""
# MariaDB names each CHECK's table (its names are unique per table); MySQL 8.0.16+ names them
# per schema, and TABLE_CONSTRAINTS tells their table; before, there are none.
# A trigger's statement, read for the tables it inserts rows into (seeding those too would
# collide with the trigger's rows: see leave_to_triggers).
_TRIGGERS = ("SELECT EVENT_OBJECT_TABLE, ACTION_STATEMENT FROM information_schema.TRIGGERS "
             "WHERE TRIGGER_SCHEMA = DATABASE()")
_INSERT = re.compile(r'\b(?:insert|replace)\s+(?:(?:low_priority|delayed|high_priority|ignore)\s+)*(?:into\s+)?'
                     r'(?:(?:`[^`]+`|"[^"]+"|\w+)\s*\.\s*)?(`[^`]+`|"[^"]+"|\w+)', re.IGNORECASE)


def _unquote(name: str) -> str:
    """A name as written in SQL (`quoted`, "quoted" or bare) as the catalog holds it."""
    if name[:1] == "`":
        return name[1:-1].replace("``", "`")
    if name[:1] == '"':
        return name[1:-1].replace('""', '"')
    return name


_CHECKS = """
SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME
"""
_MYSQL_CHECKS = """
SELECT t.TABLE_NAME, c.CONSTRAINT_NAME, c.CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS c
JOIN information_schema.TABLE_CONSTRAINTS t ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA
  AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME AND t.CONSTRAINT_TYPE = 'CHECK'
WHERE c.CONSTRAINT_SCHEMA = DATABASE() ORDER BY t.TABLE_NAME, c.CONSTRAINT_NAME
"""
_CHECK_COLUMNS = """
SELECT COLUMN_NAME FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = 'CHECK_CONSTRAINTS'
"""
_JSON_VALID = re.compile(r"json_valid\([`\"]((?:[^`\"]|``|\"\")+)[`\"]\)", re.IGNORECASE)


class MysqlReader:
    """A PyMySQL connection that reads as the other readers do: ``execute(sql).fetchall()``."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def execute(self, statement: str, parameters: list[Any] | None = None) -> Any:
        """Run one statement; its cursor."""
        cursor = self.connection.cursor()
        cursor.execute(statement, parameters)
        return cursor

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def connect_mysql_reader(url: str) -> MysqlReader:
    """A read-only, autocommit connection to the database of a ``mysql://`` URL, reading
    double-quoted names as names (``ANSI_QUOTES``).

    Raises:
        pymysql.Error: the server cannot be reached or refuses the login.
        ValueError: the URL names no database.
    """
    from rulegen.io.mysql import connect_mysql

    connection = MysqlReader(connect_mysql(url, autocommit=True))
    if connection.execute("SELECT DATABASE()").fetchone()[0] is None:
        connection.close()
        raise ValueError("the URL names no database: mysql://user@host/DATABASE")
    connection.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')")
    connection.execute("SET SESSION TRANSACTION READ ONLY")
    return connection


def read_mysql(connection: MysqlReader, source: str) -> Catalog:
    """Every base table of the URL's database."""
    names = [row[0] for row in connection.execute(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
        "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME").fetchall()]
    tables = {name: TableInfo(name=name, columns={}) for name in names}
    for row in connection.execute(_COLUMNS).fetchall():
        if row[0] in tables:
            _column(tables[row[0]], *row[1:])
    indexes: dict[tuple[str, str], list[str | None]] = {}
    for table, index, column, prefix in connection.execute(_INDEXES).fetchall():
        if table in tables:
            indexes.setdefault((table, index), []).append(column)
            _unique_prefix(tables[table], column, prefix)
    for (table, index), columns in indexes.items():
        target = tables[table]
        if None in columns:  # a part is an expression: not columns rulegen can make unique
            target.checks.append(f"-- UNIQUE index {index} on an expression (not read)")
        elif index == "PRIMARY":
            target.primary_key = tuple(str(c) for c in columns)
        elif tuple(columns) not in target.unique:
            target.unique.append(tuple(str(c) for c in columns))
    for target in tables.values():
        target.unique = [key for key in target.unique if key != target.primary_key]
    keys: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for table, name, column, parent, parent_column in connection.execute(_FOREIGN_KEYS).fetchall():
        if table in tables and parent in tables:
            keys.setdefault((table, name), []).append((column, parent, parent_column))
    for (table, _), parts in keys.items():
        tables[table].foreign_keys.append(
            ForeignKey(tuple(p[0] for p in parts), parts[0][1], tuple(p[2] for p in parts)))
    for table, _, clause in _checks(connection):
        if table in tables:
            _check(tables[table], clause)
    for owner, statement in connection.execute(_TRIGGERS).fetchall():
        for target in _INSERT.findall(statement or ""):
            name = _unquote(target)
            name = name if name in tables else next((n for n in tables if n.lower() == name.lower()), None)
            if name is not None and owner in tables and name != owner and owner not in tables[name].filled_by:
                tables[name].filled_by.append(owner)
    for name, table in tables.items():
        table.rows = connection.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {quote_identifier(name)} LIMIT {ROW_COUNT_CAP}) AS t").fetchone()[0]
    return Catalog(source=source, dialect="mysql", tables=tables)


def _checks(connection: MysqlReader) -> list[tuple[str, str, str]]:
    """(table, name, clause) of every CHECK of the database, on MariaDB and MySQL alike."""
    columns = {row[0].upper() for row in connection.execute(_CHECK_COLUMNS).fetchall()}
    if not columns:
        return []
    return list(connection.execute(_CHECKS if "TABLE_NAME" in columns else _MYSQL_CHECKS).fetchall())


def _column(table: TableInfo, name: str, data_type: str, column_type: str, nullable: str, length: int | None,
            precision: int | None, scale: int | None, extra: str | None) -> None:
    """Add one column to ``table``, with the range its type holds (an integer's, a year's)."""
    data_type, declared, extra = data_type.lower(), column_type.lower(), (extra or "").lower()
    category = _CATEGORIES.get(data_type, "unknown")
    quoted = quote_identifier(name)
    info = ColumnInfo(name=name, type_name=declared, category=category, nullable=nullable == "YES",
                      generated=GENERATED.search(extra) is not None)
    if data_type in _INTEGERS:
        info.category = "bool" if declared.startswith("tinyint(1)") else "integer"
        bits = _INTEGERS[data_type]
        low, high = (0, 2**bits - 1) if "unsigned" in declared else (-(2**(bits - 1)), 2**(bits - 1) - 1)
        if info.category == "integer" and (bits < 64 or "unsigned" in declared):
            info.holds = (low, min(high, 2**63 - 1))
    elif data_type == "bit":  # BIT(1) is a flag (as JDBC reads it); BIT(n) an n-bit number
        width = int(re.search(r"\d+", declared).group()) if re.search(r"\d+", declared) else 1
        info.category = "bool" if width == 1 else "integer"
        if width > 1:
            info.holds = (0, min(2**width - 1, 2**63 - 1))
    elif data_type == "year":
        info.holds = (1901, 2155)
    elif data_type in ("enum", "set"):
        info.labels = tuple(_labels(column_type[len(data_type):]))  # a SET column: one member per row
    elif data_type in _SPATIAL:
        info.category, info.type_name = "text", "text"
        table.checks.append(f"{quoted} ~ '^{_SPATIAL[data_type]}$'")
    if data_type in ("char", "varchar") and length:
        info.length, info.fixed = int(length), data_type == "char"
    if category == "decimal":
        info.precision, info.scale = precision, scale
    if "auto_increment" in extra:
        info.identity = "auto_increment"
    if data_type == "json":
        info.type_name = "json"
    table.columns[name] = info


def _labels(text: str) -> list[str]:
    """The quoted labels of ``('a','b''c')``."""
    return [label.replace("''", "'") for label in re.findall(r"'((?:[^']|'')*)'", text)]


def _unique_prefix(table: TableInfo, name: str | None, prefix: int | None) -> None:
    """A unique index on a text column's first ``prefix`` characters (``UNIQUE (title(12))``):
    values no longer than that, so that distinct values have distinct prefixes."""
    column = table.columns.get(name) if name is not None and prefix else None
    if column is not None and column.category == "text" and (column.length is None or prefix < column.length):
        column.length = int(prefix)


def _check(table: TableInfo, clause: str) -> None:
    """A CHECK's clause; MariaDB's ``json_valid(`c`)`` of a JSON column marks the column as JSON."""
    valid = _JSON_VALID.fullmatch(clause.strip())
    name = valid.group(1).replace("``", "`").replace('""', '"') if valid is not None else None
    if name is not None and name in table.columns:
        column = table.columns[name]
        column.category, column.type_name = "json", "json"
        return
    table.checks.append(_double_quoted(clause))


def _double_quoted(clause: str) -> str:
    """A CHECK clause with its backquoted names double-quoted (strings left as they are)."""
    parts = re.split(r"('(?:[^'\\]|''|\\.)*')", clause)
    return "".join(part if part.startswith("'") else re.sub(
        r"`((?:[^`]|``)*)`", lambda m: quote_identifier(m.group(1).replace("``", "`")), part) for part in parts)
