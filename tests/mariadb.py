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
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.servers import as_user, owned_folder, wait_until_ready

_SERVER_USER = "mysql"  # mariadbd refuses to run as root without --user: as root it runs as this user
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


@pytest.fixture(scope="session")
def mariadb_url() -> Iterator[str]:
    """The ``mysql://`` URL (root, unix socket, no database) of a private MariaDB server."""
    pytest.importorskip("pymysql", reason="PyMySQL is not installed: pip install -e '.[test]'")
    found = find_mariadb()
    if found is None:
        pytest.skip("no MariaDB server binaries (mariadbd, mariadb-install-db): apt-get install mariadb-server")
    server_binary, install = found
    owner = as_user(_SERVER_USER, "MariaDB")
    base = owned_folder("rulegen-maria-", owner)
    data, log, socket = base / "data", base / "server.log", base / "mysqld.sock"
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
        import pymysql

        wait_until_ready(lambda: pymysql.connect(unix_socket=str(socket), user="root", connect_timeout=5).close(),
                         pymysql.err.OperationalError, log, "MariaDB", running=lambda: server.poll() is None)
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
