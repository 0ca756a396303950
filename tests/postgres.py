"""A real PostgreSQL server for the tests, started by the tests themselves (one per run: the
fixtures are registered in tests/conftest.py).

``postgres_url`` runs ``initdb`` and starts a private server for the whole session: unix socket
only (no TCP port, so parallel sessions never collide), fsync off and small buffers, since the
data is thrown away. ``pg_database`` gives each test a fresh database on it. Without server
binaries (``/usr/lib/postgresql/*/bin`` or ``pg_config --bindir``) the tests that need them skip;
CI installs them (see ``.ci/run``).
"""

from __future__ import annotations

import contextlib
import glob
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import START_TIMEOUT, as_user, owned_folder, wait_until_ready

_SERVER_USER = "postgres"  # the server refuses to run as root: as root, it runs as this user
_SETTINGS = {  # a throwaway server: speed over durability
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "16MB",
    "max_connections": "30",
}


def find_server_binaries() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres`` (newest version first), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parts[-3].split(".")])
    if found:
        return Path(found[-1]).parent
    if shutil.which("pg_config"):
        result = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        bindir = Path(result.stdout.strip())
        if result.returncode == 0 and (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return None


def _run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, check=False,
                            **as_user(_SERVER_USER, "PostgreSQL"), **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


def _connect(url: str) -> None:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as connection:
        connection.execute("select 1")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The libpq URL of a private PostgreSQL server, started for this test session."""
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[test]'")
    bindir = find_server_binaries()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin or `pg_config --bindir`): "
                    "apt-get install postgresql")
    base = owned_folder("rulegen-pg-", as_user(_SERVER_USER, "PostgreSQL"))
    data, log = base / "data", base / "server.log"
    started = False
    try:
        _run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync",
              "-E", "UTF8", "--locale=C"])
        settings = {**_SETTINGS, "unix_socket_directories": f"'{base}'"}
        with (data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", str(START_TIMEOUT), "start"])
        started = True
        url = f"postgresql://postgres@/postgres?host={base}"
        import psycopg

        wait_until_ready(lambda: _connect(url), psycopg.OperationalError, log, "PostgreSQL")
        yield url
    finally:
        if started:
            with contextlib.suppress(RuntimeError):
                _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_database(postgres_url: str) -> Iterator[str]:
    """The URL of a fresh, empty database on the session's server, dropped after the test."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url.replace("@/postgres?", f"@/{name}?", 1)
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
