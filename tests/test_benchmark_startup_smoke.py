"""Smoke test of ``benchmarks/startup.py``: it runs end to end (speed is not asserted)."""

from __future__ import annotations

from benchmarks import startup


def test_startup_benchmark_runs(capsys) -> None:
    startup.main(["--quick"])
    out = capsys.readouterr().out
    for name in ("validate", "generate CSV", "generate Parquet", "preview", "generate CSV, no Faker cache"):
        assert f"| {name}" in out
    assert "against 0.25 s" in out
