"""Smoke test of the MySQL part of ``benchmarks/seeding.py``: both comparisons run end to end on
a few rows against the test server (speed is not asserted)."""

from __future__ import annotations

from benchmarks import seeding


def test_the_mysql_seeding_benchmark_runs(mysql_database: str, capsys) -> None:
    assert seeding.main(["--customers", "200", "--skip-postgres", "--mysql", mysql_database]) == 0
    out = capsys.readouterr().out
    assert "MySQL (LOAD DATA): rulegen" in out and "MySQL (multi-row INSERT): rulegen" in out and "x CPU" in out
