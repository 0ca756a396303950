"""Seed a database from a plan: tables created and loaded in one transaction, all or nothing.

SQLite (the default target, no server) loads with ``executemany``; PostgreSQL with ``COPY`` of
CSV made by Arrow; DuckDB straight from Arrow. Tables are created, loaded parents first, and
their foreign keys added (or checked at commit), inside one transaction: any failure, whether a
rule the generator cannot meet or a row the database refuses, rolls everything back and leaves
the database as it was; a SQLite or DuckDB file the failed run created is removed.

Every statement names its tables with their schema (``"main"."t"``; for PostgreSQL the
connection's current schema, never a system one), so a table name cannot resolve to a system
catalog such as ``pg_catalog.pg_authid``; names a target cannot hold are refused before the
database is opened.

``if_exists`` says what to do with a table that is already there: ``fail`` (before anything is
written), ``replace`` (drop and create it again, in the same transaction), or ``append`` (load
into it, e.g. a table made by the user's own migrations: columns are matched by name, and
missing or mistyped ones are reported before anything is written).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.csv as pa_csv

from rulegen.engine.stream import stream_table
from rulegen.errors import Diagnostic, OutputError
from rulegen.io.sql import (
    DIALECTS,
    Dialect,
    add_foreign_keys,
    check_target_names,
    create_table,
    table_order,
    with_locations,
)
from rulegen.io.urls import DatabaseUrl, parse_url
from rulegen.plan.plan import Plan, TablePlan
from rulegen.progress import Progress

__all__ = ["IF_EXISTS", "seed_plan"]

IF_EXISTS = ("fail", "replace", "append")
# PostgreSQL types whose names contain a word of another family ("int" in interval and point)
# but that read their values from text.
_TEXT_INPUT = ("interval", "point", "tsvector", "tsquery", "line", "polygon", "circle", "box", "path", "lseg")


def seed_plan(plan: Plan, url: str, *, if_exists: str = "fail", workers: int = 1,
              progress: Progress | None = None) -> dict[str, int]:
    """Create and load every table of ``plan`` into the database at ``url``.

    Returns:
        The rows loaded per table.

    Raises:
        OutputError: the URL is wrong, the database cannot be reached, a table is in the way or
            does not fit (``append``), or the database refuses the data; nothing is left behind.
        GenerationError: the spec's rules cannot be met; nothing is left behind.
    """
    if if_exists not in IF_EXISTS:
        raise ValueError(f"if_exists must be one of {IF_EXISTS}, got {if_exists!r}")
    try:
        where = parse_url(url)
    except ValueError as exc:
        raise OutputError([Diagnostic("RG502", str(exc))]) from None
    check_target_names(plan, where.dialect)
    loader = LOADERS[where.dialect](where)
    with _removed_if_new(loader.files()):
        return _seed(loader, plan, if_exists, workers, progress)


def _seed(loader: Loader, plan: Plan, if_exists: str, workers: int, progress: Progress | None) -> dict[str, int]:
    """Create, load and link every table in one transaction; the rows loaded per table."""
    order, cyclic = table_order(plan)
    with loader.transaction():
        # Tables whose spec says where they live are written there (`schema:`), the others
        # into the connection's schema.
        loader.dialect = with_locations(plan, loader.dialect)
        existing = loader.existing(order)
        _plan_tables(loader, plan, order, existing, if_exists)
        loaded = {}
        for name in order:
            table = plan.tables[name]
            if name not in existing or if_exists == "replace":
                skip = [columns for (child, columns) in cyclic if child == name]
                loader.execute(create_table(plan, table, loader.dialect, skip=skip))
            loaded[name] = 0
            for batch in stream_table(table, plan.seed, workers=min(workers, max(1, table.blocks))):
                loader.load(name, batch)
                loaded[name] += batch.num_rows
                if progress is not None:
                    progress(name, loaded[name], table.rows)
        for name in order:
            if name not in existing or if_exists == "replace":
                for statement in add_foreign_keys(plan, plan.tables[name], loader.dialect):
                    loader.execute(statement)
    return loaded


def _plan_tables(loader: Loader, plan: Plan, order: list[str], existing: dict[str, dict[str, str]],
                 if_exists: str) -> None:
    """Refuse tables in the way (``fail``) or that do not fit (``append``); drop them (``replace``)."""
    problems = []
    if if_exists == "fail":
        problems = [Diagnostic("RG503", f"table `{name}` already exists in {loader.where}",
                               plan.spec.tables[name].pointer, hint="--if-exists replace or append")
                    for name in order if name in existing]
    elif if_exists == "append":
        for name in order:
            if name in existing:
                problems += _fit(plan.tables[name], existing[name], loader, plan.spec.tables[name].pointer)
    if problems:
        raise OutputError(problems)
    if if_exists == "replace":
        for name in reversed(order):
            if name in existing:
                loader.execute(f"DROP TABLE {loader.dialect.table(name)}")


def _fit(table: TablePlan, columns: dict[str, str], loader: Loader, pointer: str) -> list[Diagnostic]:
    """Columns the spec writes that the existing table lacks, or whose type cannot hold them."""
    problems = []
    for name in table.output:
        found = columns.get(name)
        if found is None:
            problems.append(Diagnostic("RG503", f"table `{table.name}` in {loader.where} has no column `{name}`",
                                       table.columns[name].spec.pointer))
        elif not loader.holds(found, table.columns[name].type):
            problems.append(Diagnostic("RG503", f"`{table.name}.{name}` in {loader.where} is {found}, which cannot "
                                                f"hold {table.columns[name].type} values",
                                       table.columns[name].spec.pointer))
    return problems


class Loader(ABC):
    """One database connection: DDL, loading Arrow batches, one transaction."""

    dialect: Dialect  # tables are qualified with its schema (the connection's, for PostgreSQL)
    # Words in a column type that hold each kind of value (append checks types with them).
    holders: ClassVar[dict[str, tuple[str, ...]]] = {
        "int": ("int", "serial", "numeric", "decimal", "real", "double", "float", "number"),
        "float": ("real", "double", "float", "numeric", "decimal", "number"),
        "bool": ("bool", "int"),
        "string": ("char", "text", "clob", "string", "uuid"),
        "date": ("date", "timestamp", "text"),
        "timestamp": ("timestamp", "datetime", "text"),
    }

    def __init__(self, where: DatabaseUrl) -> None:
        self.where = where
        self.connection: Any = None  # open inside transaction()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Connect, run the body in one transaction, commit; roll back on any error. Errors of
        the database become one-line diagnostics."""
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
            raise OutputError([Diagnostic("RG504", f"{self.where} refused the data: {_first_line(exc)}")]) from None
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
        """One transaction on :attr:`connection`, committed when the body ends."""

    def target_dialect(self) -> Dialect:
        """The dialect, with the schema to qualify every table with, for :attr:`connection`."""
        return self.dialect

    def files(self) -> list[str]:
        """The files the database keeps (none for a server or an in-memory database)."""
        return []

    @abstractmethod
    def existing(self, names: Iterable[str]) -> dict[str, dict[str, str]]:
        """Of ``names``, the tables that exist, with their column types by name (lower case)."""

    def execute(self, statement: str) -> None:
        """Run one statement."""
        self.connection.execute(statement)

    @abstractmethod
    def load(self, table: str, batch: pa.RecordBatch) -> None:
        """Append the rows of ``batch`` to ``table`` (columns by name)."""

    def holds(self, declared: str, value_type: pa.DataType) -> bool:
        """Whether a column declared ``declared`` can hold values of ``value_type``. Text goes
        into any type that reads text (enums, inet, json, user-defined types...), but not into
        numbers, booleans, dates or timestamps."""
        family = ("bool" if pa.types.is_boolean(value_type) else "int" if pa.types.is_integer(value_type)
                  else "float" if pa.types.is_floating(value_type) else "date" if pa.types.is_date(value_type)
                  else "timestamp" if pa.types.is_timestamp(value_type) else "string")
        declared = declared.lower()
        if declared in ("user-defined", "array") or declared.endswith("range") or declared in _TEXT_INPUT:
            return True  # a type that parses text (a domain over a domain, a range...): the database checks
        if family == "string":
            typed = {word for key in ("int", "float", "bool", "date", "timestamp") for word in self.holders[key]}
            return any(word in declared for word in self.holders["string"]) or not any(
                word in declared for word in typed - {"text"})
        return any(word in declared for word in self.holders[family])


class SqliteLoader(Loader):
    """SQLite through the standard library: ``executemany`` in an explicit transaction."""

    dialect = DIALECTS["sqlite"]

    def driver(self) -> Any:
        import sqlite3

        return sqlite3

    def connect(self) -> Any:
        return self.driver().connect(self.where.target, isolation_level=None)

    def begin(self) -> contextlib.AbstractContextManager[Any]:
        self.connection.execute("PRAGMA foreign_keys = ON")  # checked at commit: they are deferred
        return _explicit(self.connection, "BEGIN")

    def files(self) -> list[str]:
        path = self.where.target
        return [] if path == ":memory:" else [path, f"{path}-journal", f"{path}-wal", f"{path}-shm"]

    def existing(self, names: Iterable[str]) -> dict[str, dict[str, str]]:
        found = {}
        schema = self.dialect.ident(self.dialect.schema or "main")
        for name in names:
            rows = self.connection.execute(f"PRAGMA {schema}.table_info({self.dialect.ident(name)})").fetchall()
            if rows:
                found[name] = {row[1]: row[2] or "text" for row in rows}
        return found

    def load(self, table: str, batch: pa.RecordBatch) -> None:
        columns = [_python_values(column) for column in batch.columns]
        names = ", ".join(self.dialect.ident(n) for n in batch.schema.names)
        marks = ", ".join("?" * batch.num_columns)
        self.connection.executemany(f"INSERT INTO {self.dialect.table(table)} ({names}) VALUES ({marks})",
                                    zip(*columns, strict=True))


def _python_values(column: pa.Array) -> list[Any]:
    """Values as SQLite stores them: dates and timestamps as ISO text."""
    if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
        return [None if v is None else v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
                for v in column.to_pylist()]
    return column.to_pylist()


class PostgresLoader(Loader):
    """PostgreSQL through psycopg 3: ``COPY ... FROM STDIN`` of CSV written by Arrow."""

    dialect = DIALECTS["postgresql"]

    def driver(self) -> Any:
        try:
            import psycopg
        except ImportError:
            raise OutputError([Diagnostic("RG502", "PostgreSQL needs psycopg: pip install 'rulegen[postgresql]'")]
                              ) from None
        return psycopg

    def connect(self) -> Any:
        return self.driver().connect(self.where.target)

    def begin(self) -> contextlib.AbstractContextManager[Any]:
        return self.connection.transaction()

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

    def existing(self, names: Iterable[str]) -> dict[str, dict[str, str]]:
        located = dict(self.dialect.locations)
        where = {located.get(name, (self.dialect.schema, name)): name for name in names}
        rows = self.connection.execute(
            "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = ANY(%s) AND table_name = ANY(%s)",
            [sorted({s for s, _ in where}), sorted({n for _, n in where})]).fetchall()
        return _by_table((where[(s, t)], c, d) for s, t, c, d in rows if (s, t) in where)

    def load(self, table: str, batch: pa.RecordBatch) -> None:
        names = ", ".join(self.dialect.ident(n) for n in batch.schema.names)
        buffer = io.BytesIO()
        # Every value quoted, nulls left empty: COPY's CSV reads "" as an empty string, and an
        # empty field as NULL.
        pa_csv.write_csv(batch, buffer, pa_csv.WriteOptions(include_header=False, quoting_style="all_valid"))
        with self.connection.cursor().copy(f"COPY {self.dialect.table(table)} ({names}) FROM STDIN "
                                           "(FORMAT csv)") as copy:
            copy.write(buffer.getbuffer())


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

    def existing(self, names: Iterable[str]) -> dict[str, dict[str, str]]:
        return _by_table(self.connection.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND table_schema = ? AND list_contains(?, table_name)",
            [self.dialect.schema, list(names)]).fetchall())

    def load(self, table: str, batch: pa.RecordBatch) -> None:
        names = ", ".join(self.dialect.ident(n) for n in batch.schema.names)
        self.connection.register("rulegen_batch", pa.Table.from_batches([batch]))
        try:
            self.connection.execute(f"INSERT INTO {self.dialect.table(table)} ({names}) "
                                    f"SELECT {names} FROM rulegen_batch")
        finally:
            self.connection.unregister("rulegen_batch")


@contextlib.contextmanager
def _removed_if_new(paths: list[str]) -> Iterator[None]:
    """If the body fails and the database file (the first of ``paths``) did not exist before
    it, remove it and each of its side files (journal, write-ahead log) that did not exist
    either. A database that was there is never touched: its journal may be what restores it."""
    new = [path for path in paths if not os.path.lexists(path)] if paths and not os.path.lexists(paths[0]) else []
    try:
        yield
    except BaseException:
        for path in new:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        raise


@contextlib.contextmanager
def _explicit(connection: Any, begin: str) -> Iterator[None]:
    """A transaction by statements: committed after the body, rolled back on any error."""
    connection.execute(begin)
    try:
        yield
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _by_table(rows: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, str]]:
    """(table, column, type) rows as the column types of each table."""
    found: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        found.setdefault(table, {})[column] = data_type
    return found


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


LOADERS: dict[str, type[Loader]] = {"sqlite": SqliteLoader, "postgresql": PostgresLoader, "duckdb": DuckdbLoader}
