"""MySQL and MariaDB through PyMySQL: ``LOAD DATA LOCAL INFILE`` of CSV written by Arrow.

Measured against multi-row ``INSERT``s of the same rows (PyMySQL escapes each value in Python),
``LOAD DATA`` is over twice as fast (``benchmarks/seeding.py --mysql``), so each block of rows is
written as CSV to a private temporary file, while the next block is generated on a thread, and
loaded with one statement; where the server refuses local files (MySQL 8's default), rows go in
as multi-row ``INSERT``s instead. A ``LOCAL`` load turns errors into warnings and skips the
rows (the server cannot stop the client mid-file): every load is followed by a look at its
warnings, and the first one is raised as the database's refusal, so a duplicate key or a value
out of range fails the seed as an ``INSERT`` would. The client only answers a server's request
for a local file while it runs one of these loads.

MySQL commits before every DDL statement, so a seed cannot be one transaction as on
PostgreSQL. Instead: every table is created (or, for ``--if-exists replace``, the old one is
renamed out of the way) before the first row is written; the rows then go in one InnoDB
transaction, parents first, the server checking each row's foreign keys; a table whose parent
loads after it (a cycle) or that refers to itself loads with ``FOREIGN_KEY_CHECKS = 0``, and its
references are checked with a query before commit. On any failure the transaction
rolls back, the tables the seed created are dropped and the renamed ones get their names back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.types as pat

from rulegen.errors import Diagnostic, OutputError
from rulegen.io.dialects import DIALECTS, Dialect
from rulegen.io.durations import seconds_of
from rulegen.io.loaders import Loader
from rulegen.io.mysql_ddl import create_mysql_table
from rulegen.io.mysql_target import find_orphan, mysql_refusal, mysql_tables
from rulegen.io.target import TargetTable
from rulegen.plan.plan import Plan, TablePlan

__all__ = ["MysqlLoader", "connect_mysql"]

_SESSION = ("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
            "NO_ENGINE_SUBSTITUTION'", "SET SESSION time_zone = '+00:00'",
            # Notes (a decimal rounded to its scale) are not problems, and would hide warnings.
            "SET SESSION sql_notes = 0")
_SYSTEM = ("mysql", "information_schema", "performance_schema", "sys")
# Columns that read a value through a function rather than as written in the CSV file: spatial
# ones from well-known text; BIT from a number (LOAD DATA would store the text's bytes).
_CONVERSIONS = {**dict.fromkeys(("point", "geometry", "linestring", "polygon", "multipoint", "multilinestring",
                                 "multipolygon", "geometrycollection"), "ST_GeomFromText({})"),
                "bit": "CAST({} AS UNSIGNED)"}


def connect_mysql(url: str, **options: Any) -> Any:
    """A PyMySQL connection to a ``mysql://user:password@host:port/database`` URL (or
    ``?unix_socket=/path``); utf8mb4, a 10 s connect timeout.

    Raises:
        ImportError: PyMySQL is not installed.
        pymysql.Error: the server cannot be reached or refuses the login.
    """
    import pymysql

    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return pymysql.connect(host=parts.hostname or "localhost", port=parts.port or 3306,
                           user=unquote(parts.username) if parts.username else None,
                           password=unquote(parts.password) if parts.password else "",
                           database=unquote(parts.path.lstrip("/")) or None, unix_socket=query.get("unix_socket"),
                           charset="utf8mb4", connect_timeout=10, **options)


class MysqlLoader(Loader):
    """MySQL or MariaDB (InnoDB): tables created first, rows loaded in one transaction."""

    # Foreign keys are declared in CREATE TABLE, and those a load order cannot meet (a cycle, a
    # self-reference) are checked before commit: every one counts as deferrable.
    dialect = dataclasses.replace(DIALECTS["mysql"], alter_foreign_keys=False, deferrable=True)
    holders = {**Loader.holders, "int": (*Loader.holders["int"], "year", "bit"), "bool": ("bool", "int", "bit"),
               "date": ("date", "char", "text")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.created: list[str] = []  # the tables this seed created, qualified
        self.moved: list[tuple[str, str]] = []  # (where, back to) of the tables replace renamed
        self.converted: dict[str, dict[str, str]] = {}  # qualified table -> column -> how it reads its value
        self.unchecked: set[str] = set()  # tables loaded with foreign_key_checks = 0

    def driver(self) -> Any:
        try:
            import pymysql
        except ImportError:
            raise OutputError([Diagnostic("RG502", "MySQL needs PyMySQL: pip install 'rulegen[mysql]'")]) from None
        return pymysql

    def connect(self) -> Any:
        connection = connect_mysql(self.where.target, local_infile=True, autocommit=False)
        connection._local_infile = False  # answered only while one of our own loads runs (see load)
        return connection

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """As :meth:`Loader.transaction`, with MySQL's errors read as MySQL says them."""
        driver = self.driver()
        try:
            self.connection = self.connect()
        except driver.Error as exc:
            raise OutputError([Diagnostic("RG502", f"cannot open {self.where}: {_error_text(exc)}")]) from None
        try:
            self.dialect = self.target_dialect()
            with self.begin():
                yield
        except driver.Error as exc:
            raise OutputError([mysql_refusal(exc, str(self.where), self.loading, self.locate)]) from None
        finally:
            self.connection.close()

    def target_dialect(self) -> Dialect:
        """The URL's database, refused when the URL names none or a system one."""
        database = self.execute("SELECT DATABASE()").fetchone()[0]
        if database is None or database.lower() in _SYSTEM:
            found = "names no database" if database is None else f"names the system database `{database}`"
            raise OutputError([Diagnostic("RG547", f"{self.where} {found}",
                                          hint="name your database in the URL: mysql://user@host/DATABASE")])
        return dataclasses.replace(self.dialect, schema=database)

    @contextlib.contextmanager
    def begin(self) -> Iterator[None]:
        for statement in _SESSION:
            self.execute(statement)
        self.execute("SET SESSION foreign_key_checks = 0")
        self.connection.begin()
        try:
            yield
            self.connection.commit()
        except BaseException:
            with contextlib.suppress(self.driver().Error):
                self._undo()
                self.execute("SET SESSION foreign_key_checks = 1")
            raise
        with contextlib.suppress(self.driver().Error):  # committed: the replaced tables go
            self.execute("SET SESSION foreign_key_checks = 0")
            for where, _ in self.moved:
                self.execute(f"DROP TABLE {where}")
            self.execute("SET SESSION foreign_key_checks = 1")

    def _undo(self) -> None:
        """Roll back the rows, drop the tables created, give the replaced ones their names back."""
        self.connection.rollback()
        self.execute("SET SESSION foreign_key_checks = 0")  # tables that refer to each other drop in any order
        for name in reversed(self.created):
            self.execute(f"DROP TABLE IF EXISTS {name}")
        for where, back in reversed(self.moved):
            self.execute(f"RENAME TABLE {where} TO {back}")

    def execute(self, statement: str, parameters: Iterable[Any] = ()) -> Any:
        values = list(parameters)
        cursor = self.connection.cursor()
        cursor.execute(statement, values or None)  # without values, % in a name is not a placeholder
        return cursor

    def existing(self, names: Iterable[str]) -> dict[str, TargetTable]:
        found = mysql_tables(self.connection, self.dialect.schema or "", list(names))
        self.converted = {self.dialect.table(name): {c: _CONVERSIONS[declared.split("(")[0].strip().lower()]
                                                     for c, declared in target.columns.items()
                                                     if declared.split("(")[0].strip().lower() in _CONVERSIONS}
                          for name, target in found.items()}
        return found

    def create_table(self, plan: Plan, table: TablePlan, skip: list[tuple[str, ...]]) -> None:
        self.execute(create_mysql_table(plan, table, self.dialect))
        self.created.append(self.dialect.table(table.name))

    def drop_table(self, name: str) -> None:
        """Rename the table out of the way: it is dropped once the seed commits, and gets its
        name back if it fails."""
        backups = {back for back, _ in self.moved}
        referring = [row[0] for row in self.execute(
            "SELECT DISTINCT TABLE_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = %s "
            "AND REFERENCED_TABLE_SCHEMA = %s AND REFERENCED_TABLE_NAME = %s",
            [self.dialect.schema, self.dialect.schema, name]).fetchall()]
        outside = sorted(t for t in referring if t != name and self.dialect.table(t) not in backups)
        if outside:  # its foreign keys would follow the renamed table, and then point at nothing
            raise OutputError([Diagnostic(
                "RG548", f"`{name}` cannot be replaced: {', '.join(f'`{t}`' for t in outside)} in {self.where} "
                         "refers to it, and the seed does not replace that table", self.locate(name, [], None),
                hint="replace the referring tables too, or load with --if-exists append")])
        where = self.dialect.table(f"rulegen_old_{os.urandom(6).hex()}")
        self.execute(f"RENAME TABLE {self.dialect.table(name)} TO {where}")
        self.moved.append((where, self.dialect.table(name)))

    def load(self, table: str, columns: list[str], batches: Iterator[pa.RecordBatch]) -> None:
        """One ``LOAD DATA LOCAL INFILE`` per batch, the next batch written on a thread meanwhile;
        multi-row ``INSERT``s where the server refuses local files (MySQL 8's default)."""
        converted = self.converted.get(table, {})
        self._check_as_loaded(self.loading)
        if not self.execute("SELECT @@GLOBAL.local_infile").fetchone()[0]:
            self._insert(table, columns, converted, batches)
            return
        names = ", ".join(f"@v{i}" if n in converted else self.dialect.ident(n) for i, n in enumerate(columns))
        sets = ", ".join(f"{self.dialect.ident(n)} = {converted[n].format(f'@v{i}')}" for i, n in enumerate(columns)
                         if n in converted)
        names += f") SET {sets}" if sets else ")"
        folder = Path(tempfile.mkdtemp(prefix="rulegen-mysql-"))
        try:
            files = _csv_files(batches, folder)
            with ThreadPoolExecutor(1) as pool:
                made = pool.submit(next, files, None)
                while (written := made.result()) is not None:
                    made = pool.submit(next, files, None)
                    self._load_file(table, names, *written)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _check_as_loaded(self, name: str | None) -> None:
        """Let the server check a table's foreign keys row by row when each of its parents is
        loaded already (or not loaded now: it holds its rows); else (a cycle, a reference to its
        own table) check them with one query before commit (:meth:`check_references`)."""
        parents = {row[0] for row in self.execute(
            "SELECT REFERENCED_TABLE_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = %s "
            "AND TABLE_NAME = %s AND REFERENCED_TABLE_SCHEMA = %s",
            [self.dialect.schema, name, self.dialect.schema]).fetchall()}
        waiting = self.tables[self.tables.index(name):] if name in self.tables else [name]
        later = bool(parents & set(waiting))
        if later:
            self.unchecked.add(str(name))
        self.execute(f"SET SESSION foreign_key_checks = {0 if later else 1}")

    def _insert(self, table: str, columns: list[str], converted: dict[str, str],
                batches: Iterator[pa.RecordBatch]) -> None:
        """PyMySQL's ``executemany``: multi-row ``INSERT`` statements of up to a megabyte."""
        names = ", ".join(self.dialect.ident(n) for n in columns).replace("%", "%%")  # % is PyMySQL's placeholder
        values = ", ".join(converted[n].format("%s") if n in converted else "%s" for n in columns)
        statement = f"INSERT INTO {table.replace('%', '%%')} ({names}) VALUES ({values})"
        cursor = self.connection.cursor()
        for batch in batches:
            cursor.executemany(statement, list(zip(*(_values(c) for c in batch.columns), strict=True)))

    def _load_file(self, table: str, names: str, path: Path, rows: int) -> None:
        statement = (f"LOAD DATA LOCAL INFILE {self.dialect.literal(str(path))} INTO TABLE {table} "
                     "CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY '' "
                     f"LINES TERMINATED BY '\\n' ({names}")
        self.connection._local_infile = True
        try:
            cursor = self.execute(statement)
        finally:
            self.connection._local_infile = False
        if cursor.warning_count or cursor.rowcount != rows:
            warning = self.execute("SHOW WARNINGS LIMIT 1").fetchone()
            code, text = (warning[1], warning[2]) if warning else (0, f"{rows - cursor.rowcount} rows were not loaded")
            raise self.driver().err.IntegrityError(code, text)

    def check_references(self, tables: Iterable[str]) -> None:
        """Every foreign key of a table loaded unchecked has its parent row: the first row that
        does not is an error naming it. (A replace never orphans another table's rows: it
        refuses a table that one it does not replace refers to.)"""
        found = find_orphan(self, self.unchecked)
        if found is not None:
            table, columns, values, parent = found
            shown = ", ".join(f"{c} = {v!r}" for c, v in zip(columns, values, strict=True))
            raise OutputError([Diagnostic(
                "RG504", f"{self.where} refused the data of `{table}`: FOREIGN KEY constraint failed; "
                         f"DETAIL: a row has {shown}, which no row of `{parent}` has",
                self.locate(table, columns, None),
                hint="make the column a `ref` to a table the seed loads, or pick its parent table too (--tables)")])

    def holds(self, declared: str, value_type: pa.DataType) -> bool:
        """As :meth:`Loader.holds`; an ``ENUM``, ``SET`` or ``JSON`` column takes text."""
        if pat.is_string(value_type) and re.match(r"(enum|set)\s*\(|json\b", declared.lower()):
            return True
        return super().holds(declared, value_type)


def _csv_files(batches: Iterator[pa.RecordBatch], folder: Path) -> Iterator[tuple[Path, int]]:
    """Each batch as a CSV file ``LOAD DATA`` reads (every value quoted, nulls the bare word
    ``NULL``), with its row count."""
    options = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid", null_string="NULL")
    for number, batch in enumerate(batches):
        path = folder / f"{number}.csv"
        pa_csv.write_csv(_for_csv(batch), path, options)
        yield path, batch.num_rows


def _for_csv(batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` with values as MySQL reads them from CSV: booleans as 0/1, timestamps as
    their UTC wall time to the microsecond, durations as seconds."""
    arrays = []
    for column in batch.columns:
        if pat.is_boolean(column.type):
            column = column.cast(pa.int8())
        elif pat.is_timestamp(column.type):
            column = column.cast(pa.timestamp("us", tz=column.type.tz)).cast(pa.timestamp("us"))
        elif pat.is_duration(column.type):
            column = seconds_of(column)
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def _values(column: pa.Array) -> list[Any]:
    """A column's values for PyMySQL: timestamps as their UTC wall time, durations as seconds."""
    if pat.is_timestamp(column.type):
        column = column.cast(pa.timestamp("us", tz=column.type.tz)).cast(pa.timestamp("us"))
    return seconds_of(column).to_pylist()


def _error_text(exc: BaseException) -> str:
    """PyMySQL's ``(code, "message")`` as the message."""
    args = getattr(exc, "args", ())
    return str(args[1]) if len(args) >= 2 else str(exc)
