"""What the private database servers of the tests share (tests/postgres.py, tests/mariadb.py):
running them as their own user when the tests run as root, a folder that user owns, and waiting
until they accept connections."""

from __future__ import annotations

import os
import pwd
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

START_TIMEOUT = 60  # seconds for a server to accept connections


def as_user(name: str, server: str) -> dict[str, Any]:
    """subprocess arguments that run a command as the user ``name`` (only needed as root: both
    servers refuse to run as root); skips the test when there is no such user."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        pytest.skip(f"running as root and there is no `{name}` user to run {server} as")
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def owned_folder(prefix: str, owner: dict[str, Any]) -> Path:
    """A new temp folder, owned by the server's user when ``owner`` (from :func:`as_user`) says so."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    if owner:
        os.chown(base, owner["user"], owner["group"])
    return base


def wait_until_ready(connect: Callable[[], None], refused: type[Exception], log: Path, server: str,
                     running: Callable[[], bool] = lambda: True) -> None:
    """Call ``connect`` until it no longer raises ``refused``.

    Raises:
        RuntimeError: the server stopped, or did not accept a connection in START_TIMEOUT
            seconds; with its log.
    """
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            connect()
            return
        except refused as exc:
            if not running() or time.monotonic() > deadline:
                text = log.read_text(errors="replace") if log.exists() else "(no log)"
                raise RuntimeError(f"{server} did not accept connections: {exc}\n{text}") from exc
            time.sleep(0.2)
