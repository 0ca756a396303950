"""The fork server's time limits (tests.hostile.runner): a run is held to its CPU time, which
other jobs on the machine do not stretch (a wall deadline a few budgets long is there for a run
that waits without using it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.runner import Runner

BUDGET = 1  # CPU seconds


@pytest.fixture(scope="module")
def runner():
    server = Runner()
    yield server
    server.close()


def _request(tmp_path: Path, **op: object) -> dict:
    return {**op, "cwd": str(tmp_path), "stdout": str(tmp_path / "out"), "stderr": str(tmp_path / "err"),
            "stack": str(tmp_path / "stack"), "env": {}, "timeout": BUDGET, "memory": 1 << 30, "file_size": 1 << 30}


def _sql(tmp_path: Path, sql: str) -> dict:
    script = tmp_path / "run.sql"
    script.write_text(sql)
    return _request(tmp_path, op="duckdb", db=str(tmp_path / "x.duckdb"), scripts=[str(script)])


def test_a_run_that_spends_its_cpu_time_is_killed_and_timed_out(runner, tmp_path):
    outcome = runner.run(_sql(tmp_path, "SELECT sum(range) FROM range(100000000000000);\n"))
    assert outcome.timed_out and outcome.signal is not None and outcome.cpu >= BUDGET


def test_a_quick_run_is_not_timed_out(runner, tmp_path):
    outcome = runner.run(_sql(tmp_path, "CREATE TABLE victim AS SELECT 1 AS a;\n"))
    assert outcome.exit == 0 and not outcome.timed_out
    assert "victim rows: 1" in (tmp_path / "out").read_text()
