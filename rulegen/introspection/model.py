"""The neutral model of a database catalog that the readers fill and the spec writer reads.

Readers (:mod:`.sqlite`, :mod:`.postgres`) know their database's catalog; everything after
them sees only these types: tables with their columns, keys, foreign keys and CHECK texts, a
column's type reduced to a :data:`CATEGORIES` member, and optional sample statistics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CATEGORIES", "Catalog", "ColumnInfo", "ColumnStats", "ForeignKey", "TableInfo", "TableSample",
           "classify_type", "index_columns", "quote_identifier"]

# What a column's type is, as far as choosing a kind goes. `unknown` keeps the column as text.
CATEGORIES = ("integer", "decimal", "float", "bool", "text", "date", "timestamp", "time", "interval", "uuid",
              "json", "binary", "inet", "mac", "money", "enum", "array", "unknown")


@dataclass(slots=True)
class ColumnInfo:
    """One column as the database declares it.

    Attributes:
        type_name: the type as the database spells it (``character varying(20)``, ``tsvector``).
        category: one of :data:`CATEGORIES`.
        length: the most characters a bounded text type holds (``varchar(20)``), if any.
        precision, scale: digits of a ``numeric(p, s)``, if given.
        fixed: a blank-padded ``char(n)``.
        timezone: a timestamp with a time zone.
        labels: the labels of an enum type, in order.
        generated: computed by the database (a generated column): not written.
        identity: how the database fills it, for a comment (``serial``, ``identity always``).
        holds: the smallest and largest integer the type holds, where the dialect's reader knows
            it is narrower than a signed 64-bit integer (MySQL's ``TINYINT``, ``UNSIGNED``,
            ``YEAR``, ``BIT(n)``): drafted values stay inside, guesses are not replaced by it.
    """

    name: str
    type_name: str
    category: str
    nullable: bool = True
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    fixed: bool = False
    timezone: bool = False
    labels: tuple[str, ...] = ()
    generated: bool = False
    identity: str | None = None
    holds: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """``columns`` of a table reference ``parent_columns`` of ``parent`` (position by position)."""

    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]

    def pairs(self) -> list[tuple[str, str]]:
        """(child column, parent column) pairs."""
        return list(zip(self.columns, self.parent_columns, strict=True))


@dataclass(slots=True)
class TableInfo:
    """One table: columns in declaration order, keys, foreign keys, CHECK expression texts."""

    name: str
    columns: dict[str, ColumnInfo]
    primary_key: tuple[str, ...] = ()
    unique: list[tuple[str, ...]] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    rows: int = 0  # rows in the source, counted up to a cap
    filled_by: list[str] = field(default_factory=list)  # tables whose triggers insert rows into this one
    schema: str | None = None  # the database schema it lives in (PostgreSQL)

    def candidate_keys(self) -> list[tuple[str, ...]]:
        """The primary key and the unique keys."""
        return [k for k in (self.primary_key, *self.unique) if k]

    def is_key(self, columns: tuple[str, ...] | set[str]) -> bool:
        """Whether ``columns`` include a whole key, so no two rows share their values."""
        return any(set(key) <= set(columns) for key in self.candidate_keys())


@dataclass(slots=True)
class Catalog:
    """The tables of one database (of one schema, or of several), and where they were read from."""

    source: str
    dialect: str
    tables: dict[str, TableInfo]
    schema: str | None = None

    def qualified(self, name: str) -> str:
        """The SQL name of table ``name``: quoted, and qualified with its schema if it has one
        (a table named ``schema.table`` is ``table`` of that schema)."""
        table = self.tables.get(name)
        schema = table.schema if table is not None else self.schema
        if schema is None:
            return quote_identifier(name)
        return f"{quote_identifier(schema)}.{quote_identifier(name.removeprefix(schema + '.'))}"


@dataclass(slots=True)
class ColumnStats:
    """What a sample of rows says about one column.

    Attributes:
        count: rows sampled; nulls: how many were null.
        low, high: smallest and largest non-null values (numbers, dates, datetimes), if comparable.
        categories: each value and its count, when the column holds few distinct values (None
            when it holds more: such values are never copied into a spec).
        shortest, longest: lengths of text values.
        true: how many were true (booleans).
        law: a numeric law fitted to the values (spec options, and its ``note``), when enough were sampled.
        sensitive: the values are personal or secret: none of them, nor their range, is kept.
        delay: for a date that follows another by name, ``after`` (that column), ``law`` (the law
            of the gaps in seconds, None when some sampled rows are out of order) and ``note``.
        seen: one-way digests of a sensitive column's sampled texts, so that no Faker value the
            spec lists happens to be a real one.
    """

    count: int = 0
    nulls: int = 0
    low: Any = None
    high: Any = None
    categories: dict[Any, int] | None = None
    shortest: int | None = None
    longest: int | None = None
    true: int = 0
    law: dict[str, Any] | None = None
    sensitive: bool = False
    delay: dict[str, Any] | None = None
    seen: frozenset[str] = frozenset()

    @property
    def values(self) -> int:
        """Non-null values sampled."""
        return self.count - self.nulls


@dataclass(slots=True)
class TableSample:
    """Statistics of one table's sampled rows, and of its children per parent row."""

    rows: int
    columns: dict[str, ColumnStats]
    children: dict[int, int] | None = None  # children per parent row -> parents with that many


_NUMBERS = re.compile(r"\(\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?\)")


def classify_type(declared: str) -> tuple[str, dict[str, Any]]:
    """The category of a SQL type name and its size details (SQLite's rules, for any spelling).

    Exact names first (``DATE``, ``BOOLEAN``, ``UUID``), then SQLite's affinity rules (a name
    containing INT is an integer, CHAR/CLOB/TEXT text, REAL/FLOA/DOUB a float); anything else,
    an empty type included, is ``unknown``.
    """
    name = declared.strip().lower()
    numbers = _NUMBERS.search(name)
    base = _NUMBERS.sub("", name).strip()
    first = int(numbers.group(1)) if numbers else None
    second = int(numbers.group(2)) if numbers and numbers.group(2) is not None else None
    details: dict[str, Any] = {}
    if base in ("bool", "boolean"):
        return "bool", details
    if base in ("numeric", "decimal"):
        return "decimal", {"precision": first, "scale": second if second is not None else (0 if first else None)}
    if base == "date":
        return "date", details
    if base.startswith(("datetime", "timestamp")):
        return "timestamp", {"timezone": "with time zone" in base or base.endswith("tz")}
    if base.startswith("time"):
        return "time", details
    if base in ("uuid", "uniqueidentifier", "guid"):  # SQL Server's name, kept by its ports to SQLite
        return "uuid", details
    if base in ("json", "jsonb"):
        return "json", details
    if base == "blob":
        return "binary", details
    if "int" in base:
        return "integer", details
    if any(word in base for word in ("char", "clob", "text", "string")):
        return "text", {"length": first, "fixed": base in ("char", "character", "nchar")}
    if any(word in base for word in ("real", "floa", "doub")):
        return "float", details
    return "unknown", details


def index_columns(definition: str, columns: dict[str, ColumnInfo]) -> tuple[str, ...] | None:
    """The columns of a ``CREATE UNIQUE INDEX`` statement (as SQLite keeps it or PostgreSQL
    prints it), each plain or under ``lower``/``upper``; None when a part is any other expression."""
    head = re.split(r"\bWHERE\b|\bNULLS\s+NOT\s+DISTINCT\b", definition, flags=re.IGNORECASE)[0]
    found = re.search(r"\bON\s+(?:ONLY\s+)?(?:\"(?:[^\"]|\"\")*\"|[^\s(]+)(?:\s+USING\s+\w+)?\s*\((.*)\)", head,
                      re.IGNORECASE | re.DOTALL)
    if found is None:
        return None
    parts, depth, current = [], 0, ""
    for char in found.group(1):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    names = []
    for part in parts:
        part = re.sub(r"\s+(COLLATE\s+\S+|\w+_ops|ASC|DESC|NULLS\s+(FIRST|LAST))\b", "", part.strip())
        inner = re.fullmatch(r"(?:lower|upper)\s*\(\(*(.+?)\)*(?:::[\w ]+)?\)", part, re.IGNORECASE)
        name = (inner.group(1) if inner else part).strip("()")
        name = name[1:-1].replace('""', '"') if name.startswith('"') and name.endswith('"') else name
        if name not in columns:
            return None
        names.append(name)
    return tuple(names)


def quote_identifier(name: str) -> str:
    """``name`` as a double-quoted SQL identifier (SQLite and PostgreSQL alike)."""
    return '"' + name.replace('"', '""') + '"'
