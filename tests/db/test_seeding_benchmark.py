"""Smoke test of ``benchmarks/seeding.py``: both comparisons run end to end on a few rows (speed
is not asserted)."""

from __future__ import annotations

import pytest

from benchmarks import seeding


def test_the_seeding_benchmark_runs(pg_database: str, capsys) -> None:
    pytest.importorskip("psycopg")
    assert seeding.main(["--customers", "200", "--db", pg_database]) == 0
    out = capsys.readouterr().out
    assert "SQLite: rulegen" in out and "PostgreSQL: rulegen" in out and "x CPU" in out
