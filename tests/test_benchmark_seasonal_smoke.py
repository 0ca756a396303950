"""Smoke test of ``benchmarks/seasonal.py``: it runs end to end on a few rows (speed is not asserted)."""

from __future__ import annotations

from benchmarks import seasonal


def test_seasonal_benchmark_runs(capsys) -> None:
    assert seasonal.main(["--rows", "3000", "--reps", "1"]) == 0
    out = capsys.readouterr().out
    assert "compile excluded" in out and "compile included" in out
