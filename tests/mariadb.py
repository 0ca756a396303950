"""A real MariaDB server for the tests, started by the tests themselves (one per run: the
fixtures are registered in tests/conftest.py).

``mariadb_url`` runs ``mariadb-install-db`` and starts a private ``mariadbd`` for the whole
session: unix socket in a temp folder only (``--skip-networking``, so parallel sessions never
collide), no durability (the data is thrown away), run as the ``mysql`` user when the tests run
as root. ``mysql_database`` gives each test a fresh database on it. Without the server binaries
the tests that need them skip; CI installs them (``mariadb-server``, see ``.ci/run``).
"""

from __future__ import annotations

import contextlib
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

_SERVER_USER = "mysql"  # mariadbd refuses to run as root without --user: as root it runs as this user
_START_TIMEOUT = 60  # seconds for the server to accept connections
_SETTINGS = [  # a throwaway server: speed over durability
    "--skip-networking", "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0",
    "--innodb-buffer-pool-size=64M", "--skip-log-bin", "--local-infile=1", "--max-connections=30",
    "--character-set-server=utf8mb4", "--collation-server=utf8mb4_bin",
]


def find_mariadb() -> tuple[str, str] | None:
    """The paths of ``mariadbd`` and ``mariadb-install-db``, or None."""
    server = shutil.which("mariadbd") or next((p for p in ("/usr/sbin/mariadbd",) if os.path.exists(p)), None)
    install = shutil.which("mariadb-install-db")
    return (server, install) if server and install else None


def _owner() -> dict[str, Any]:
    """subprocess arguments that run a command as the server's user (only needed as root)."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam(_SERVER_USER)
    except KeyError:
        pytest.skip(f"running as root and there is no `{_SERVER_USER}` user to run MariaDB as")
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _wait_until_ready(socket: Path, server: subprocess.Popen[bytes], log: Path) -> None:
    import pymysql

    deadline = time.monotonic() + _START_TIMEOUT
    while True:
        try:
            pymysql.connect(unix_socket=str(socket), user="root", connect_timeout=5).close()
            return
        except pymysql.err.OperationalError as exc:
            if server.poll() is not None or time.monotonic() > deadline:
                text = log.read_text(errors="replace") if log.exists() else "(no log)"
                raise RuntimeError(f"MariaDB did not accept connections: {exc}\n{text}") from exc
            time.sleep(0.2)


@pytest.fixture(scope="session")
def mariadb_url() -> Iterator[str]:
    """The ``mysql://`` URL (root, unix socket, no database) of a private MariaDB server."""
    pytest.importorskip("pymysql", reason="PyMySQL is not installed: pip install -e '.[test]'")
    found = find_mariadb()
    if found is None:
        pytest.skip("no MariaDB server binaries (mariadbd, mariadb-install-db): apt-get install mariadb-server")
    server_binary, install = found
    owner = _owner()
    base = Path(tempfile.mkdtemp(prefix="rulegen-maria-"))
    data, log, socket = base / "data", base / "server.log", base / "mysqld.sock"
    if owner:
        os.chown(base, owner["user"], owner["group"])
    result = subprocess.run([install, "--no-defaults", f"--datadir={data}", "--auth-root-authentication-method=normal",
                             "--skip-test-db", *(["--user=" + _SERVER_USER] if owner else [])],
                            capture_output=True, text=True, check=False, **owner)
    if result.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"mariadb-install-db failed:\n{result.stdout}{result.stderr}")
    server = subprocess.Popen([server_binary, "--no-defaults", f"--datadir={data}", f"--socket={socket}",
                               f"--pid-file={base / 'server.pid'}", f"--log-error={log}", *_SETTINGS],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **owner)
    try:
        _wait_until_ready(socket, server, log)
        yield f"mysql://root@localhost/?unix_socket={socket}"
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=30)
        if server.poll() is None:
            server.kill()
        shutil.rmtree(base, ignore_errors=True)


def mysql_connect(url: str, **options: Any) -> Any:
    """A PyMySQL connection (autocommit) to the database of a ``mysql://`` URL of the fixtures."""
    from urllib.parse import parse_qs, urlsplit

    import pymysql

    parts = urlsplit(url)
    socket = parse_qs(parts.query)["unix_socket"][0]
    return pymysql.connect(unix_socket=socket, user=parts.username or "root", database=parts.path.strip("/") or None,
                           autocommit=True, charset="utf8mb4", **options)


@pytest.fixture
def mysql_database(mariadb_url: str) -> Iterator[str]:
    """The URL of a fresh, empty database on the session's server, dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    with contextlib.closing(mysql_connect(mariadb_url)) as connection:
        connection.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    try:
        yield mariadb_url.replace("@localhost/?", f"@localhost/{name}?", 1)
    finally:
        with contextlib.closing(mysql_connect(mariadb_url)) as connection:
            connection.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
