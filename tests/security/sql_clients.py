"""Load SQL scripts the way people do (``sqlite3 db < f.sql``, ``psql < f.sql``, DuckDB's
``execute``) into databases that hold an unrelated ``victim`` table, and read back what is there.

The clients run with their defaults, so a failed statement does not stop the script: the worst
case for injection, where text after a broken literal would still run.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

VICTIM_ROWS = [(1,), (2,), (3,)]
_VICTIM = "CREATE TABLE victim (id INTEGER); INSERT INTO victim VALUES (1), (2), (3);"
_TIMEOUT = 60


def _client(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"the {name} client is not installed")
    return path


def sqlite_with_victim(db: Path) -> Path:
    """A SQLite database file holding only the victim table."""
    with sqlite3.connect(db) as connection:
        connection.executescript(_VICTIM)
    connection.close()
    return db


def load_sqlite_cli(db: Path, scripts: Iterable[Path]) -> None:
    """``sqlite3 DB < SCRIPT`` for each script, in order."""
    for script in scripts:
        with script.open("rb") as stdin:
            subprocess.run([_client("sqlite3"), str(db)], stdin=stdin, capture_output=True, timeout=_TIMEOUT,
                           check=False)


def sqlite_query(db: Path, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of a query, read through Python's sqlite3 (which keeps NULs inside text)."""
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql, list(params)).fetchall()
    finally:
        connection.close()


def duckdb_with_victim(db: Path) -> Path:
    """A DuckDB database file holding only the victim table."""
    duckdb = pytest.importorskip("duckdb")
    with duckdb.connect(str(db)) as connection:
        connection.execute(_VICTIM)
    return db


def load_duckdb(db: Path, scripts: Iterable[Path]) -> None:
    """Each script through DuckDB's ``execute`` (several statements at once), on its own
    connection (closing it rolls back a transaction a failed statement left open)."""
    duckdb = pytest.importorskip("duckdb")
    for script in scripts:
        with duckdb.connect(str(db)) as connection, contextlib.suppress(duckdb.Error):
            connection.execute(script.read_text(encoding="utf-8"))


def duckdb_query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query on a DuckDB file."""
    duckdb = pytest.importorskip("duckdb")
    with duckdb.connect(str(db)) as connection:
        return connection.execute(sql).fetchall()


def postgres_with_victim(url: str) -> str:
    """The database at ``url`` with the victim table added."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(_VICTIM)
    return url


def load_psql(url: str, scripts: Iterable[Path], cwd: Path | None = None) -> list[str]:
    """``psql URL < SCRIPT`` for each script (no psqlrc); the stderr of each run."""
    errors = []
    for script in scripts:
        with script.open("rb") as stdin:
            result = subprocess.run([_client("psql"), "-X", "-q", url], stdin=stdin, capture_output=True,
                                    timeout=_TIMEOUT, check=False, cwd=cwd)
        errors.append(result.stderr.decode("utf-8", "replace"))
    return errors


def postgres_query(url: str, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of a query on the database at ``url``."""
    import psycopg

    values = list(params)  # none passed when there are none: psycopg would read a `%` in a name as a placeholder
    with psycopg.connect(url, autocommit=True) as connection:
        return (connection.execute(sql, values) if values else connection.execute(sql)).fetchall()


def postgres_execute(url: str, sql: str) -> None:
    """Run one statement that returns no rows."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql)


def postgres_roles(url: str) -> set[tuple[str, bool]]:
    """Every role of the server with whether it is a superuser."""
    return set(postgres_query(url, "SELECT rolname, rolsuper FROM pg_roles"))
