"""Shared test helpers."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest

from tests.mariadb import mariadb_url, mysql_database  # noqa: F401  (fixtures: one server for the whole run)
from tests.postgres import pg_database, postgres_url  # noqa: F401  (fixtures: one server for the whole run)

ROOT = Path(__file__).resolve().parents[1]

# Faker's answers (rulegen.kinds.faker_cache) are kept in a folder of the test run's own, never
# in the user's cache; subprocesses inherit it.
if "RULEGEN_CACHE_DIR" not in os.environ:
    os.environ["RULEGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="rulegen-test-cache-")
    atexit.register(shutil.rmtree, os.environ["RULEGEN_CACHE_DIR"], ignore_errors=True)


@pytest.fixture
def spec_file(tmp_path: Path):
    """Write YAML text (dedented) to a file and return its path."""

    def write(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write
