"""``examples/seed_postgres.py`` seeds a PostgreSQL database and prints what it loaded."""

from __future__ import annotations

import subprocess
import sys

import rulegen
from tests.conftest import ROOT

SCRIPT = ROOT / "examples" / "seed_postgres.py"
SPEC = ROOT / "examples" / "tiny_app" / "shop.yaml"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT,
                          env=_env(), timeout=300, check=False)


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def test_it_seeds_the_database_and_prints_the_counts(pg_database: str) -> None:
    import psycopg

    result = run(str(SPEC), pg_database, "--scale", "0.05", "--seed", "3")
    assert result.returncode == 0, result.stderr
    printed = dict(line.rsplit(None, 1) for line in result.stdout.splitlines())
    expected = {name: len(frame) for name, frame in rulegen.generate(SPEC, seed=3, scale=0.05).items()}
    assert {name: int(n.replace(",", "")) for name, n in printed.items()} == {
        **expected, "total": sum(expected.values())}
    with psycopg.connect(pg_database) as connection:
        for name, rows in expected.items():
            assert connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == rows

    again = run(str(SPEC), pg_database, "--scale", "0.05")  # the tables are there: --if-exists fail
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.startswith("seed_postgres: ") and "Traceback" not in again.stderr
    replaced = run(str(SPEC), pg_database, "--scale", "0.05", "--if-exists", "replace")
    assert replaced.returncode == 0, replaced.stderr
