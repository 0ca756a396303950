"""One connection per target database: its transaction, its catalog, and its bulk load.

SQLite loads with ``executemany``; PostgreSQL with ``COPY`` of CSV made by Arrow; DuckDB
straight from Arrow. Every loader runs the seed in one transaction with foreign keys deferred
(``SET CONSTRAINTS ALL DEFERRED``; ``PRAGMA defer_foreign_keys``), reads what the database
declares about its tables (:mod:`rulegen.io.target`), and after the load moves every sequence
the loaded columns own past the largest value in its table, so that the application's next
``INSERT`` without a key gets a new one. A row the database refuses becomes one diagnostic that
keeps what the database said (:mod:`rulegen.io.refusals`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.csv as pa_csv

from rulegen.errors import Diagnostic, OutputError
from rulegen.io.durations import seconds_columns
from rulegen.io.refusals import Locate, refusal
from rulegen.io.rows import python_values
from rulegen.io.sql import DIALECTS, Dialect, create_table
from rulegen.io.target import TargetTable, duckdb_tables, name_parts, postgres_tables, sqlite_tables
from rulegen.io.urls import DatabaseUrl
from rulegen.plan.plan import Plan, TablePlan

__all__ = ["LOADERS", "Loader", "type_names"]

_CACHE_KIB = 64 << 10  # SQLite's page cache while seeding (see SqliteLoader.begin)

# Type names (PostgreSQL's geometry, text search and interval types) whose values are read from
# text: text goes into them, and numbers, booleans and dates do not (a duration, its seconds,
# goes into an interval too).
_TEXT_INPUT = frozenset(("interval", "point", "tsvector", "tsquery", "line", "polygon", "circle", "box", "path",
                         "lseg"))
# What a type name adds to the name of its family: sizes and spellings (bigint, nvarchar,
# mediumtext; integer, boolean, character, int4, timestamptz, datetime). Taking them off gives
# the names ``holders`` lists, so a name is matched as a whole: never "int" in "interval".
_PREFIXES = ("tiny", "small", "medium", "big", "long", "nvar", "var", "bp", "ci", "n")
_SUFFIXES = re.compile(r"(eger|ean|acter|tz|time|\d+)$")


def type_names(declared: str) -> set[str]:
    """The names in a declared column type, lower case, each with the family name it spells
    (its size or spelling taken off): ``character varying(20)`` gives ``character``, ``char``,
    ``varying``, ``vary`` and ``20``; ``bigint`` gives ``bigint`` and ``int``. A domain's type
    ``year (integer)`` (its name, then its base type) gives the names of its base type."""
    names = set()
    for word in _words(declared):
        bare = [word, *(word[len(p):] for p in _PREFIXES if word.startswith(p) and len(word) > len(p) + 2)]
        names.update(bare, (_SUFFIXES.sub("", b) for b in bare))
    return names - {""}


def _words(declared: str) -> list[str]:
    """The words of a declared type, lower case (a domain's: its base type's)."""
    declared = declared.lower()
    domain = re.fullmatch(r"(.+?) \((.*[a-z].*)\)", declared)
    return re.findall(r"[a-z0-9_]+", domain.group(2) if domain else declared)


class Loader(ABC):
    """One database connection: DDL, catalog, loading Arrow batches, one transaction."""

    dialect: Dialect  # tables are qualified with its schema (the connection's, for PostgreSQL)
    # Whether ALTER TABLE ... ALTER CONSTRAINT can make a foreign key deferrable for a load.
    alters_constraints: ClassVar[bool] = False
    # The type names (:func:`type_names`) that hold each kind of value (append checks types with them).
    holders: ClassVar[dict[str, tuple[str, ...]]] = {
        "int": ("int", "serial", "numeric", "decimal", "real", "double", "float", "number"),
        "float": ("real", "double", "float", "numeric", "decimal", "number"),
        "bool": ("bool", "int"),
        "string": ("char", "text", "clob", "string", "uuid"),
        "date": ("date", "timestamp", "text"),
        "timestamp": ("timestamp", "datetime", "text"),
        "duration": ("interval", "int", "numeric", "decimal", "real", "double", "float", "number"),  # or seconds
    }

    def __init__(self, where: DatabaseUrl) -> None:
        self.where = where
        self.connection: Any = None  # open inside transaction()
        self.loading: str | None = None  # the table being loaded, for a refusal's message
        self.locate: Locate = lambda table, columns, constraint: ""
        self.tables: list[str] = []  # the tables the seed loads, parents first (set before the first load)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Connect, run the body in one transaction, commit; roll back on any error. Errors of
        the database become one diagnostic each, with what the database said."""
        driver = self.driver()
        try:
            self.connection = self.connect()
        except driver.Error as exc:
            raise OutputError([Diagnostic("RG502", f"cannot open {self.where}: {_first_line(exc)}")]) from None
        try:
            self.dialect = self.target_dialect()
            with self.begin():
                yield
        except driver.Error as exc:
            raise OutputError([refusal(exc, str(self.where), self.loading, self.locate)]) from None
        finally:
            self.connection.close()

    @abstractmethod
    def driver(self) -> Any:
        """The database's Python module (its ``Error`` is what the database raises)."""

    @abstractmethod
    def connect(self) -> Any:
        """A new connection to :attr:`where`."""

    @abstractmethod
    def begin(self) -> contextlib.AbstractContextManager[Any]:
        """One transaction on :attr:`connection`, foreign keys deferred, committed when the body ends."""

    def target_dialect(self) -> Dialect:
        """The dialect, with the schema to qualify every table with, for :attr:`connection`."""
        return self.dialect

    def files(self) -> list[str]:
        """The files the database keeps (none for a server or an in-memory database)."""
        return []

    @abstractmethod
    def existing(self, names: Iterable[str]) -> dict[str, TargetTable]:
        """Of ``names``, the tables that exist, with what the database declares about them."""

    def execute(self, statement: str, parameters: Iterable[Any] = ()) -> Any:
        """Run one statement; its cursor. Without parameters none are passed: a driver given
        even an empty list reads ``%`` in the statement (a table named ``%s``) as a placeholder."""
        values = list(parameters)
        return self.connection.execute(statement, values) if values else self.connection.execute(statement)

    def create_table(self, plan: Plan, table: TablePlan, skip: list[tuple[str, ...]]) -> None:
        """Create a table of ``plan`` (without the foreign keys in ``skip``), before any row is loaded."""
        self.execute(create_table(plan, table, self.dialect, skip=skip))

    def drop_table(self, name: str) -> None:
        """Drop an existing table the seed replaces."""
        self.execute(f"DROP TABLE {self.dialect.table(name)}")

    @abstractmethod
    def load(self, table: str, columns: list[str], batches: Iterator[pa.RecordBatch]) -> None:
        """Append the rows of ``batches`` (of ``columns``) to ``table`` (a qualified name)."""

    def largest(self, table: str, column: str) -> int | None:
        """The largest value of an integer column of an existing table (None when empty)."""
        # fetchall: DuckDB 2 refuses the next statement while a result is unfinished
        found = self.execute(f"SELECT max({self.dialect.ident(column)}) FROM {self.dialect.table(table)}").fetchall()[0]
        return None if found[0] is None else int(found[0])

    def distinct(self, table: str, column: str) -> pa.Array:
        """The distinct values of a column of an existing table, nulls left out, sorted."""
        ident = self.dialect.ident(column)
        rows = self.execute(f"SELECT DISTINCT {ident} FROM {self.dialect.table(table)} WHERE {ident} IS NOT NULL "
                            f"ORDER BY {ident}").fetchall()
        return pa.array([row[0] for row in rows])

    def held(self, table: str, columns: Sequence[str]) -> pa.Table:
        """The distinct combinations of ``columns`` in the rows of an existing table, leaving out
        rows with a null in one of them (which repeat no key, as SQL counts them), one column each.

        Raises:
            pyarrow.ArrowInvalid: a column holding values of several types (SQLite).
        """
        idents = [self.dialect.ident(c) for c in columns]
        rows = self.execute(f"SELECT DISTINCT {', '.join(idents)} FROM {self.dialect.table(table)} WHERE "
                            + " AND ".join(f"{i} IS NOT NULL" for i in idents)).fetchall()
        return pa.table([pa.array([row[i] for row in rows]) for i in range(len(idents))], names=list(columns))

    def advance_sequences(self, tables: dict[str, TargetTable]) -> None:
        """Move each sequence the columns of ``tables`` own past the largest value in its table
        (never back)."""
        return None

    def number_rows(self, table: str, column: str) -> None:
        """Make a created table's integer key number the rows added later, past the loaded ones
        (where its DDL could not: PostgreSQL, SQLite and MySQL declare it in ``CREATE TABLE``)."""
        return None

    def check_references(self, tables: Iterable[str]) -> None:
        """Before commit: raise the first row of ``tables`` whose deferred foreign key has no
        parent, when the database would only say so without a row at commit (SQLite).

        Raises:
            OutputError: the table, row, columns, values and parent.
        """
        return None  # PostgreSQL names the key and its table itself; DuckDB checks as rows come

    def holds(self, declared: str, value_type: pa.DataType) -> bool:
        """Whether a column declared ``declared`` can hold values of ``value_type``, by the names
        in its type (``interval`` holds durations and text, not integers, though "int" is in
        its name). Text goes into any type that reads text (enums, inet, json, user-defined
        types...), but not into numbers, booleans, dates or timestamps."""
        family = ("bool" if pa.types.is_boolean(value_type) else "int" if pa.types.is_integer(value_type)
                  else "float" if pa.types.is_floating(value_type) else "date" if pa.types.is_date(value_type)
                  else "timestamp" if pa.types.is_timestamp(value_type)
                  else "duration" if pa.types.is_duration(value_type) else "string")
        if declared.strip().endswith("[]") or declared.lower().rstrip().endswith("range"):
            return True  # an array or a range parses text: the database checks
        names, first = type_names(declared), next(iter(_words(declared)), "")
        if first in _TEXT_INPUT:
            return family == "string" or (family == "duration" and first == "interval")
        if family == "string":
            typed = {n for key in ("int", "float", "bool", "date", "timestamp") for n in self.holders[key]}
            return bool(names & set(self.holders["string"])) or not names & (typed - {"text"})
        return bool(names & set(self.holders[family]))


class SqliteLoader(Loader):
    """SQLite through the standard library: ``executemany`` in an explicit transaction."""

    dialect = DIALECTS["sqlite"]

    def driver(self) -> Any:
        import sqlite3

        return sqlite3

    def connect(self) -> Any:
        return self.driver().connect(self.where.target, isolation_level=None)

    def begin(self) -> contextlib.AbstractContextManager[Any]:
        # Foreign keys are not checked row by row (a quarter of the load's time): every loaded
        # table, and every table that refers to one, is checked once before commit instead
        # (check_references), which also names the row.
        self.connection.execute("PRAGMA foreign_keys = OFF")
        # A page cache of 64 MiB for this connection only: the default 2 MiB spills the load's
        # pages to the file long before commit (about a tenth of the wall time); the journal,
        # and so the all-or-nothing commit, is unchanged.
        self.connection.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        return _explicit(self.connection, "BEGIN", "PRAGMA defer_foreign_keys = ON")

    def files(self) -> list[str]:
        path = self.where.target
        return [] if path == ":memory:" else [path, f"{path}-journal", f"{path}-wal", f"{path}-shm"]

    def existing(self, names: Iterable[str]) -> dict[str, TargetTable]:
        return sqlite_tables(self.connection, self.dialect.schema or "main", list(names))

    def load(self, table: str, columns: list[str], batches: Iterator[pa.RecordBatch]) -> None:
        names = ", ".join(self.dialect.ident(n) for n in columns)
        statement = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
        for batch in batches:
            self.connection.executemany(statement, zip(*(python_values(c) for c in batch.columns), strict=True))

    def advance_sequences(self, tables: dict[str, TargetTable]) -> None:
        """SQLite moves ``sqlite_sequence`` past explicit keys by itself; a row is added for an
        ``AUTOINCREMENT`` table that has none yet, and a lower one raised."""
        schema = self.dialect.ident(self.dialect.schema or "main")
        for name, target in tables.items():
            for column in target.sequences:
                top = self.largest(name, column)
                if top is None:
                    continue
                found = self.execute(f"SELECT seq FROM {schema}.sqlite_sequence WHERE name = ?", [name]).fetchone()
                if found is None:
                    self.execute(f"INSERT INTO {schema}.sqlite_sequence (name, seq) VALUES (?, ?)", [name, top])
                elif found[0] < top:
                    self.execute(f"UPDATE {schema}.sqlite_sequence SET seq = ? WHERE name = ?", [top, name])


    def check_references(self, tables: Iterable[str]) -> None:
        schema = self.dialect.ident(self.dialect.schema or "main")
        loaded = set(tables)
        everything = [r[0] for r in self.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
                                                 "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")]
        referring = {t for t in everything if any(
            r[2] in loaded for r in self.execute(f"PRAGMA {schema}.foreign_key_list({self.dialect.ident(t)})"))}
        for table in [t for t in everything if t in loaded or t in referring]:
            found = self.execute(f"PRAGMA {schema}.foreign_key_check({self.dialect.ident(table)})").fetchone()
            if found is None:
                continue
            _, rowid, parent, number = found
            keys = [r for r in self.execute(f"PRAGMA {schema}.foreign_key_list({self.dialect.ident(table)})")
                    if r[0] == number]
            columns = [r[3] for r in sorted(keys, key=lambda r: r[1])]
            values = self.execute(f"SELECT {', '.join(self.dialect.ident(c) for c in columns)} FROM "
                                  f"{self.dialect.table(table)} WHERE rowid = ?", [rowid]).fetchone()
            shown = ", ".join(f"{c} = {v!r}" for c, v in zip(columns, values or (), strict=False))
            raise OutputError([Diagnostic(
                "RG504", f"{self.where} refused the data of `{table}`: FOREIGN KEY constraint failed; "
                         f"DETAIL: row {rowid} has {shown}, which no row of `{parent}` has",
                self.locate(table, columns, None),
                hint="make the column a `ref` to a table the seed loads, or pick its parent table too (--tables)")])


class PostgresLoader(Loader):
    """PostgreSQL through psycopg 3: ``COPY ... FROM STDIN`` of CSV written by Arrow.

    ``COPY`` writes identity ``ALWAYS`` columns too (as ``INSERT ... OVERRIDING SYSTEM VALUE``
    would), so a key other tables refer to keeps the values the spec made for it.
    """

    dialect = DIALECTS["postgresql"]
    alters_constraints = True

    def driver(self) -> Any:
        try:
            import psycopg
        except ImportError:
            raise OutputError([Diagnostic("RG502", "PostgreSQL needs psycopg: pip install 'rulegen[postgresql]'")]
                              ) from None
        return psycopg

    def connect(self) -> Any:
        return self.driver().connect(self.where.target)

    @contextlib.contextmanager
    def begin(self) -> Iterator[None]:
        with self.connection.transaction():
            self.connection.execute("SET CONSTRAINTS ALL DEFERRED")
            yield

    def target_dialect(self) -> Dialect:
        """The connection's current schema (the first of its ``search_path`` that exists, as
        an unqualified CREATE would use), refused when it is a system schema."""
        schema = self.connection.execute("SELECT current_schema()").fetchone()[0]
        self.connection.rollback()  # the transaction starts in begin()
        if schema is None or schema.lower().startswith("pg_") or schema.lower() == "information_schema":
            found = "no schema" if schema is None else f"the system schema `{schema}`"
            raise OutputError([Diagnostic(
                "RG507", f"{self.where} puts new tables in {found}",
                hint="connect with a search_path whose first schema is yours, e.g. ?options=-csearch_path%3Dpublic")])
        return dataclasses.replace(self.dialect, schema=schema)

    def existing(self, names: Iterable[str]) -> dict[str, TargetTable]:
        schema = self.dialect.schema or "public"
        return postgres_tables(self.connection, schema, {
            name: (space or schema, table) for name in names for space, table in [self.dialect.place(name)]})

    def load(self, table: str, columns: list[str], batches: Iterator[pa.RecordBatch]) -> None:
        """One ``COPY`` for the whole table, fed from a thread (psycopg's queued writer), so the
        server parses one batch while the next is generated."""
        from psycopg.copy import QueuedLibpqWriter

        names = ", ".join(self.dialect.ident(n) for n in columns)
        cursor = self.connection.cursor()
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)",
                         writer=QueuedLibpqWriter(cursor)) as copy:
            for batch in batches:
                buffer = io.BytesIO()
                # Every value quoted, nulls left empty: COPY's CSV reads "" as an empty string,
                # and an empty field as NULL.
                # A duration as its seconds, which an interval column reads as such.
                pa_csv.write_csv(seconds_columns(batch), buffer,
                                 pa_csv.WriteOptions(include_header=False, quoting_style="all_valid"))
                copy.write(buffer.getbuffer())

    def advance_sequences(self, tables: dict[str, TargetTable]) -> None:
        for name, target in tables.items():
            for column, sequence in target.sequences.items():
                top = self.largest(name, column)
                if top is None:
                    continue
                # pg_sequence_last_value is null until the sequence is first used.
                self.execute("SELECT setval(%s::regclass, %s) WHERE coalesce(pg_sequence_last_value(%s::regclass) "
                             "< %s, true)", [sequence, top, sequence, top])


class DuckdbLoader(Loader):
    """DuckDB straight from Arrow (``INSERT ... SELECT`` from the registered batch)."""

    dialect = DIALECTS["duckdb"]

    def driver(self) -> Any:
        try:
            import duckdb
        except ImportError:
            raise OutputError([Diagnostic("RG502", "DuckDB needs duckdb: pip install 'rulegen[duckdb]'")]) from None
        return duckdb

    def connect(self) -> Any:
        return self.driver().connect(self.where.target)

    def begin(self) -> contextlib.AbstractContextManager[Any]:
        return _explicit(self.connection, "BEGIN TRANSACTION")

    def files(self) -> list[str]:
        path = self.where.target
        return [] if path == ":memory:" else [path, f"{path}.wal"]

    def execute(self, statement: str, parameters: Iterable[Any] = ()) -> Any:
        """Run one statement and read all its rows: DuckDB refuses any other work on a
        connection while a result is left unread."""
        return _Rows(super().execute(statement, parameters).fetchall())

    def existing(self, names: Iterable[str]) -> dict[str, TargetTable]:
        """The tables of ``names`` in the schemas their specs place them in (``main`` else).
        A schema that the file lacks is created, in the seed's transaction (so a failed seed
        leaves none behind): a DuckDB file is the user's new database, and its tables go where
        the spec says they live."""
        places = {name: (space or "main", table) for name in names for space, table in [self.dialect.place(name)]}
        for space in sorted({space for space, _ in places.values()} - {"main"}):
            self.execute(f"CREATE SCHEMA IF NOT EXISTS {self.dialect.ident(space)}")
        return duckdb_tables(self.connection, places)

    def advance_sequences(self, tables: dict[str, TargetTable]) -> None:
        """Move each sequence a column's default draws from (``DEFAULT nextval('seq')``) past
        the largest value in its table (never back)."""
        for name, target in tables.items():
            for column, sequence in target.sequences.items():
                top = self.largest(name, column)
                space, bare = name_parts(sequence)
                found = self.execute("SELECT last_value FROM duckdb_sequences() WHERE database_name = "
                                     "current_database() AND schema_name = ? AND sequence_name = ?",
                                     [space, bare]).fetchone()
                if top is not None and found is not None and (found[0] is None or found[0] < top):
                    self.execute("SELECT setval(?, ?)", [sequence, top])

    def number_rows(self, table: str, column: str) -> None:
        """A sequence starting past the largest key, in the table's schema, as the column's default."""
        space, name = self.dialect.place(table)
        sequence = f"{self.dialect.ident(space or 'main')}.{self.dialect.ident(f'{name}_{column}_seq')}"
        start = (self.largest(table, column) or 0) + 1
        self.execute(f"CREATE OR REPLACE SEQUENCE {sequence} START {start}")
        self.execute(f"ALTER TABLE {self.dialect.table(table)} ALTER COLUMN {self.dialect.ident(column)} "
                     f"SET DEFAULT nextval({self.dialect.literal(sequence)})")

    def load(self, table: str, columns: list[str], batches: Iterator[pa.RecordBatch]) -> None:
        names = ", ".join(self.dialect.ident(n) for n in columns)
        for batch in batches:
            self.connection.register("rulegen_batch", pa.Table.from_batches([batch]))
            try:
                self.connection.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM rulegen_batch")
            finally:
                self.connection.unregister("rulegen_batch")


class _Rows:
    """The rows of a statement, read: what :meth:`DuckdbLoader.execute` returns."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.rows = rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.rows)


@contextlib.contextmanager
def _explicit(connection: Any, *begin: str) -> Iterator[None]:
    """A transaction by statements: committed after the body, rolled back on any error."""
    for statement in begin:
        connection.execute(statement)
    try:
        yield
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


LOADERS: dict[str, type[Loader]] = {"sqlite": SqliteLoader, "postgresql": PostgresLoader, "duckdb": DuckdbLoader}
