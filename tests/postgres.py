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
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_SERVER_USER = "postgres"  # the server refuses to run as root: as root, it runs as this user
_START_TIMEOUT = 60  # seconds for the server to accept connections
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


def _as_server_user() -> dict[str, Any]:
    """subprocess arguments that run a command as the server's user (only needed as root)."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam(_SERVER_USER)
    except KeyError:
        pytest.skip(f"running as root and there is no `{_SERVER_USER}` user to run PostgreSQL as")
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, check=False, **_as_server_user(), **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


def _wait_until_ready(url: str, log: Path) -> None:
    import psycopg

    deadline = time.monotonic() + _START_TIMEOUT
    while True:
        try:
            with psycopg.connect(url, connect_timeout=5) as connection:
                connection.execute("select 1")
            return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                text = log.read_text(errors="replace") if log.exists() else "(no log)"
                raise RuntimeError(f"PostgreSQL did not accept connections: {exc}\n{text}") from exc
            time.sleep(0.2)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The libpq URL of a private PostgreSQL server, started for this test session."""
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[test]'")
    bindir = find_server_binaries()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin or `pg_config --bindir`): "
                    "apt-get install postgresql")
    base = Path(tempfile.mkdtemp(prefix="rulegen-pg-"))
    data, log = base / "data", base / "server.log"
    owner = _as_server_user()
    if owner:
        os.chown(base, owner["user"], owner["group"])
    started = False
    try:
        _run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync",
              "-E", "UTF8", "--locale=C"])
        settings = {**_SETTINGS, "unix_socket_directories": f"'{base}'"}
        with (data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", str(_START_TIMEOUT), "start"])
        started = True
        url = f"postgresql://postgres@/postgres?host={base}"
        _wait_until_ready(url, log)
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
