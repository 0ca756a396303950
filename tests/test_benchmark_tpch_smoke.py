"""Smoke test of the TPC-H benchmark (``benchmarks/tpch.py``): one quick round at sf 0.01 prints
rulegen, tpchgen-cli and DuckDB side by side (or why one of them is skipped). Speed is never
asserted here."""

from __future__ import annotations

import shutil

from benchmarks import tpch
from benchmarks.tools import duckdb_tpch


def test_quick_round_prints_the_tools_side_by_side(capsys) -> None:
    assert tpch.main(["--tpch", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "TPC-H sf 0.01 to Parquet" in out
    rulegen_row = next(line for line in out.splitlines() if line.startswith("| rulegen |"))
    cells = [c.strip() for c in rulegen_row.strip("|").split("|")]
    assert cells[2] == cells[3] == "1.00x"
    assert 80_000 < int(cells[5].replace(",", "")) < 95_000  # ~86,600 rows at sf 0.01
    if shutil.which("tpchgen-cli"):
        assert "| tpchgen-cli |" in out
    else:
        assert "tpchgen-cli: skipped" in out
    if duckdb_tpch.unavailable() is None:
        assert "| duckdb |" in out
    else:
        assert "duckdb: skipped" in out
