"""Smoke test of ``benchmarks/fixtures.py``: it runs end to end on a small dataset (speed is not asserted)."""

from __future__ import annotations

from benchmarks import fixtures


def test_fixtures_benchmark_runs(capsys) -> None:
    assert fixtures.main(["--scale", "0.01", "--reps", "1"]) == 0
    out = capsys.readouterr().out
    assert "6 tables" in out
    for label in ("miss, first in a process", "miss", "hit from disk", "hit in memory"):
        assert f"  {label} " in out
