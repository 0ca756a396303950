"""How each database spells names and values in SQL text that clients read back safely.

Scripts written by ``generate --format sql`` are read by the clients of each database (sqlite3,
psql, the DuckDB API, mysql), and those read line by line: sqlite3 and psql cut a line at a NUL
byte (the next value's opening quote then closes the literal, and its text runs as SQL), sqlite3
reads ``\r\n`` as ``\n`` even inside quotes, and psql runs a backslash command anywhere outside
quotes (never inside a literal, as its lexer follows quotes like the server's). The decision,
for every value whatever made it (the spec, Faker, a sample file, an expression):

- **No control character is ever written inside a literal.** Text is written as quoted runs of
  ordinary characters joined to the control characters spelled as functions or escapes:
  ``('a' || char(13) || 'b')`` in SQLite, ``('a' || chr(13) || 'b')`` in DuckDB,
  ``E'a\\u000db'`` in PostgreSQL, ``CONCAT('a', CHAR(13 USING utf8mb4), 'b')`` in MySQL. So a script
  holds no control byte but the newlines between its lines, and no value can end a line, a
  comment or a quote in any client.
- **A backslash is never an escape by accident**: PostgreSQL text holding one is an ``E''``
  literal with the backslash doubled, which reads the same whatever
  ``standard_conforming_strings`` says; MySQL literals double it (MySQL reads ``\\`` escapes);
  SQLite and DuckDB have no escapes in ``'...'``. Quotes are always doubled, never ``\\'``.
- **NUL** is kept by SQLite, DuckDB and MySQL (through the functions above); PostgreSQL text
  cannot hold it, so :meth:`Dialect.literal` refuses it (:class:`UnwritableValue`) and the
  writers turn that into a located error before anything is written.

Names are quoted identifiers, qualified with the schema where the dialect has one (``"main"``
for SQLite and DuckDB, ``"public"`` for PostgreSQL scripts, the connection's schema when
seeding), so a table name never resolves to a system catalog. SQLite's ``REFERENCES`` takes no
schema (the parent is always in the child's database).
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rulegen.io.durations import interval_text, seconds_text

__all__ = ["DIALECTS", "Dialect", "UnwritableValue"]

_CONTROLS = re.compile(r"([\x00-\x1f\x7f-\x9f]+)")  # Unicode category Cc


class UnwritableValue(ValueError):
    """A value the dialect's text type cannot hold (NUL in PostgreSQL)."""


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one database spells types, names and values."""

    name: str
    quote: str  # identifier quote character
    integer: tuple[str, str, str]  # 16, 32 and 64 bits
    real: str
    decimal: str | None  # "NUMERIC({p}, {s})", or None to store rounded numbers as `real`
    text: str
    key_text: str  # text in a key or unique column
    boolean: str
    date: str
    timestamp: str
    timestamptz: str
    uuid: str
    interval: str = "BIGINT"  # a duration: INTERVAL, or a number of seconds (see rulegen.io.durations)
    max_precision: int = 38
    alter_foreign_keys: bool = True  # False: declared in CREATE TABLE
    deferrable: bool = True
    backslash_escapes: bool = False  # MySQL reads \ in strings as an escape
    schema: str | None = None  # every table name is qualified with it
    qualified_references: bool = True  # SQLite: REFERENCES takes a bare table name
    identity: str = ""  # after an integer primary key's type: the database numbers new rows
    # (schema, name) of the tables whose spec says where they live (`schema:`), by spec name
    locations: tuple[tuple[str, tuple[str, str]], ...] = ()

    def ident(self, name: str) -> str:
        """A quoted identifier (spaces, quotes and reserved words are safe)."""
        return f"{self.quote}{name.replace(self.quote, self.quote * 2)}{self.quote}"

    def place(self, name: str) -> tuple[str | None, str]:
        """(schema, name) of a table in the database: where its spec says it lives, else the
        dialect's schema."""
        return dict(self.locations).get(name, (self.schema, name))

    def table(self, name: str) -> str:
        """A table's name qualified with the dialect's schema, so it can never resolve to a
        catalog table of the same name."""
        located = dict(self.locations).get(name)
        if located is not None:
            return f"{self.ident(located[0])}.{self.ident(located[1])}"
        return self.ident(name) if self.schema is None else f"{self.ident(self.schema)}.{self.ident(name)}"

    def reference(self, name: str) -> str:
        """A parent table's name in a ``REFERENCES`` clause."""
        return self.table(name) if self.qualified_references else self.ident(name)

    def literal(self, value: Any) -> str:
        """A SQL literal of a Python value (as Arrow's ``to_pylist`` gives them).

        Raises:
            UnwritableValue: text the dialect cannot hold (NUL in PostgreSQL).
        """
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return ("1" if value else "0") if self.name == "sqlite" else ("TRUE" if value else "FALSE")
        if isinstance(value, int | Decimal):
            return str(value)
        if isinstance(value, float):
            return repr(value) if math.isfinite(value) else "NULL"
        if isinstance(value, datetime.datetime):
            zoned = value.tzinfo is not None
            if zoned:  # written as the UTC instant
                value = value.astimezone(datetime.UTC)
            if zoned and self.name == "mysql":
                value = value.replace(tzinfo=None)  # DATETIME has no zone: it holds UTC
            typed = "TIMESTAMPTZ" if zoned and self.name in ("postgresql", "duckdb") else "TIMESTAMP"
            return self._typed(typed, value.isoformat(sep=" "))
        if isinstance(value, datetime.date):
            return self._typed("DATE", value.isoformat())
        if isinstance(value, datetime.timedelta):
            if self.interval == "INTERVAL":
                return f"INTERVAL '{interval_text(value)}'"
            return seconds_text(value)
        return self.text_literal(str(value))

    def text_literal(self, text: str) -> str:
        """Text as a literal with no control character inside its quotes (see the module doc)."""
        if self.name == "postgresql":
            return _postgres_text(text)
        parts = [part for part in _CONTROLS.split(text) if part]
        pieces = [self._controls(part) if _CONTROLS.fullmatch(part) else self._quoted(part) for part in parts]
        if len(pieces) <= 1:
            return pieces[0] if pieces else "''"
        if self.name == "mysql":  # || is OR in MySQL
            return f"CONCAT({', '.join(pieces)})"
        return f"({' || '.join(pieces)})"

    def _quoted(self, text: str) -> str:
        text = text.replace("'", "''")
        if self.backslash_escapes:
            text = text.replace("\\", "\\\\")
        return f"'{text}'"

    def _controls(self, run: str) -> str:
        if self.name == "mysql":  # not _utf8mb4 X'..': MariaDB keeps that in a CHECK as the text 'x..'
            return f"CHAR({', '.join(str(byte) for byte in run.encode('utf-8'))} USING utf8mb4)"
        function = "char" if self.name == "sqlite" else "chr"
        return " || ".join(f"{function}({ord(c)})" for c in run)

    def _typed(self, type_name: str, text: str) -> str:
        return f"'{text}'" if self.name == "sqlite" else f"{type_name} '{text}'"  # SQLite keeps ISO text


def _postgres_text(text: str) -> str:
    """``'...'``, or ``E'...'`` with backslashes doubled and controls as ``\\uXXXX`` escapes."""
    if "\x00" in text:
        raise UnwritableValue("PostgreSQL text cannot hold the NUL character (U+0000)")
    quoted = text.replace("'", "''")
    if "\\" not in text and not _CONTROLS.search(text):
        return f"'{quoted}'"
    escaped = _CONTROLS.sub(lambda m: "".join(f"\\u{ord(c):04x}" for c in m.group()), quoted.replace("\\", "\\\\"))
    return f"E'{escaped}'"


DIALECTS: dict[str, Dialect] = {
    "sqlite": Dialect("sqlite", '"', ("INTEGER",) * 3, "REAL", None, "TEXT", "TEXT", "BOOLEAN", "DATE",
                      "TIMESTAMP", "TIMESTAMP", "TEXT", interval="INTEGER", alter_foreign_keys=False, schema="main",
                      qualified_references=False),
    "postgresql": Dialect("postgresql", '"', ("SMALLINT", "INTEGER", "BIGINT"), "DOUBLE PRECISION",
                          "NUMERIC({p}, {s})", "TEXT", "TEXT", "BOOLEAN", "DATE", "TIMESTAMP", "TIMESTAMPTZ", "UUID",
                          interval="INTERVAL", max_precision=1000, schema="public",
                          identity=" GENERATED BY DEFAULT AS IDENTITY"),
    "duckdb": Dialect("duckdb", '"', ("SMALLINT", "INTEGER", "BIGINT"), "DOUBLE", "DECIMAL({p}, {s})", "VARCHAR",
                      "VARCHAR", "BOOLEAN", "DATE", "TIMESTAMP", "TIMESTAMPTZ", "UUID", interval="INTERVAL",
                      alter_foreign_keys=False,
                      deferrable=False, schema="main"),
    # MySQL scripts name no database: they load into the client's current one (`mysql DB < f.sql`).
    "mysql": Dialect("mysql", "`", ("SMALLINT", "INT", "BIGINT"), "DOUBLE", "DECIMAL({p}, {s})", "TEXT",
                     "VARCHAR(255)", "BOOLEAN", "DATE", "DATETIME", "DATETIME", "CHAR(36)", max_precision=65,
                     deferrable=False, backslash_escapes=True, identity=" AUTO_INCREMENT"),
}
