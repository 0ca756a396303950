"""Databases with a ``victim`` table, the SQL clients that load scripts into them, and what a
hostile spec must never change: the victim, the roles, the system catalogs.

Every database the corpus seeds or loads a script into starts with an unrelated table
``victim`` of three rows; after the run it must still have them. On PostgreSQL, where the tests
connect as the superuser ``postgres`` (as on most development machines), the roles, the
comments of ``pg_description`` and the relations outside ``public`` must not change either:
a name that resolves to ``pg_catalog.pg_authid`` creates a superuser.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["PgState", "Postgres", "make_duckdb", "make_sqlite", "run_client", "victim_duckdb", "victim_sqlite"]

VICTIM_ROWS = 3
_VICTIM_DDL = "CREATE TABLE victim (id INTEGER); INSERT INTO victim VALUES (1), (2), (3);"
_RESET = f"""
    DO $$ DECLARE s text; BEGIN
      FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
               AND nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
      LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP;
    END $$;
    CREATE SCHEMA public; {_VICTIM_DDL}"""
_OUTSIDE_PUBLIC = """
    SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('public', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_temp\\_%'
      AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'"""


def psycopg_connect(url: str) -> Any:
    """An autocommit connection."""
    import psycopg

    return psycopg.connect(url, autocommit=True)


_templates: dict[str, Path] = {}
_templates_lock = threading.Lock()


def _from_template(kind: str, path: Path, create: Callable[[Path], None]) -> None:
    """Copy a database made once (opening a DuckDB file costs 0.1 s, copying one 10 ms)."""
    with _templates_lock:
        if kind not in _templates:
            template = Path(tempfile.mkdtemp(prefix="rulegen-hostile-")) / f"victim.{kind}"
            create(template)
            _templates[kind] = template
    shutil.copyfile(_templates[kind], path)


def make_sqlite(path: Path) -> None:
    """Create an SQLite database holding the victim table."""
    _from_template("sqlite", path, _create_sqlite)


def _create_sqlite(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.executescript(_VICTIM_DDL)
        connection.commit()


def victim_sqlite(path: Path) -> str | None:
    """None when the victim is intact, else what happened to it."""
    try:
        if not path.exists():
            return "the database file is gone"
        # Read-write: a run killed mid-transaction leaves a hot journal that only a writer rolls back.
        with contextlib.closing(sqlite3.connect(path)) as connection:
            rows = connection.execute("SELECT count(*) FROM victim").fetchone()[0]
    except sqlite3.Error as exc:
        return f"victim unreadable: {exc}"
    return None if rows == VICTIM_ROWS else f"victim has {rows} rows, not {VICTIM_ROWS}"


def make_duckdb(path: Path) -> None:
    """Create a DuckDB database holding the victim table."""
    _from_template("duckdb", path, _create_duckdb)


def _create_duckdb(path: Path) -> None:
    import duckdb

    with contextlib.closing(duckdb.connect(str(path))) as connection:
        connection.execute(_VICTIM_DDL)


def victim_duckdb(path: Path) -> str | None:
    """None when the victim is intact, else what happened to it."""
    import duckdb

    try:
        with contextlib.closing(duckdb.connect(str(path), read_only=True)) as connection:
            rows = connection.execute("SELECT count(*) FROM victim").fetchone()[0]
    except Exception as exc:
        return f"victim unreadable: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None if rows == VICTIM_ROWS else f"victim has {rows} rows, not {VICTIM_ROWS}"


def run_client(command: list[str], cwd: Path, stdin: Path | None, log: Path, timeout: float) -> str | None:
    """Run an SQL client; None when it ended in time, else why not. Output goes to ``log``."""
    with log.open("ab") as out, (stdin.open("rb") if stdin else open("/dev/null", "rb")) as source:
        try:
            subprocess.run(command, cwd=cwd, stdin=source, stdout=out, stderr=out, timeout=timeout, check=False,
                           start_new_session=True)
        except subprocess.TimeoutExpired:
            return f"{command[0]} did not finish in {timeout:.0f} s"
    return None


@dataclass(frozen=True)
class PgState:
    """What a spec must not change in a PostgreSQL cluster."""

    victim: int | None
    roles: frozenset[str]
    descriptions: int
    outside_public: frozenset[str]

    def changes(self, after: PgState) -> list[str]:
        """What changed from this state to ``after``, one line each."""
        found = []
        if after.victim != self.victim:
            found.append(f"victim has {after.victim} rows, not {self.victim}" if after.victim is not None
                         else "victim dropped")
        if after.roles != self.roles:
            found.append(f"roles created: {sorted(after.roles - self.roles)}, "
                         f"dropped: {sorted(self.roles - after.roles)}")
        if after.descriptions != self.descriptions:
            found.append(f"pg_description went from {self.descriptions} to {after.descriptions} rows")
        if after.outside_public != self.outside_public:
            found.append(f"relations created outside public: {sorted(after.outside_public - self.outside_public)}")
        return found


class Postgres:
    """Databases with a victim on the tests' server; one lock serialises the cluster-wide checks."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.lock = threading.Lock()  # roles are per cluster: one hostile run at a time
        self._pool_lock = threading.Lock()
        self._free: list[str] = []
        self._roles = self._role_names()

    @contextlib.contextmanager
    def database(self) -> Iterator[str]:
        """A database holding nothing but the victim table in ``public``; its URL.

        Databases are reused (creating one takes 0.3 s, emptying one 2 ms): every schema but
        the system ones is dropped and ``public`` made again. A database that cannot be emptied
        is dropped and replaced.
        """
        with self._pool_lock:
            url = self._free.pop() if self._free else self._create()
        try:
            with psycopg_connect(url) as connection:
                connection.execute(_RESET)
        except Exception:
            self._drop(url)
            url = self._create()
            with psycopg_connect(url) as connection:
                connection.execute(_RESET)
        yield url
        with self._pool_lock:
            self._free.append(url)

    def close(self) -> None:
        """Drop the databases made so far."""
        for url in self._free:
            self._drop(url)
        self._free.clear()

    def _create(self) -> str:
        name = f"hostile_{uuid.uuid4().hex[:12]}"
        with psycopg_connect(self.url) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url.replace("@/postgres?", f"@/{name}?", 1)

    def _drop(self, url: str) -> None:
        name = url.split("@/", 1)[1].split("?", 1)[0]
        with psycopg_connect(self.url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def state(self, url: str) -> PgState:
        """The victim's rows and the catalog rows of the database at ``url``."""
        with psycopg_connect(url) as connection:
            exists = connection.execute("SELECT to_regclass('public.victim') IS NOT NULL").fetchone()[0]
            victim = connection.execute("SELECT count(*) FROM public.victim").fetchone()[0] if exists else None
            descriptions = connection.execute("SELECT count(*) FROM pg_catalog.pg_description").fetchone()[0]
            outside = frozenset(row[0] for row in connection.execute(_OUTSIDE_PUBLIC))
        return PgState(victim, self._role_names(), descriptions, outside)

    def drop_new_roles(self) -> None:
        """Remove roles a hostile run created, so that the next run starts clean."""
        import psycopg

        with psycopg_connect(self.url) as connection:
            for name in self._role_names() - self._roles:
                with contextlib.suppress(psycopg.Error):
                    connection.execute(f'DROP ROLE "{name.replace(chr(34), chr(34) * 2)}"')

    def _role_names(self) -> frozenset[str]:
        with psycopg_connect(self.url) as connection:
            return frozenset(row[0] for row in connection.execute("SELECT rolname FROM pg_catalog.pg_roles"))
