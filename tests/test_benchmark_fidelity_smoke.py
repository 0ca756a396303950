"""Smoke test of ``benchmarks/fidelity.py``: one small dataset end to end (rulegen and SDV's
GaussianCopula, every score printed). The figures themselves are BENCHMARKS.md's."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("sdv")
pytest.importorskip("sdmetrics")

from benchmarks import fidelity


@pytest.mark.slow
def test_fidelity_benchmark_runs_on_iris(capsys, tmp_path) -> None:
    out = tmp_path / "results.json"
    fidelity.main(["--datasets", "iris", "--json", str(out)])
    printed = capsys.readouterr().out
    assert "| iris | rulegen |" in printed and "| iris | gaussian_copula |" in printed
    results = json.loads(out.read_text())
    assert {r["synthesizer"] for r in results} == {"real 70 %", "rulegen", "gaussian_copula"}
    assert all(0 <= r["overall"] <= 1 and 0 <= r["pairs"] <= 1 for r in results)


def test_the_target_of_a_drawn_table_follows_the_rule() -> None:
    import pandas as pd

    frame = pd.DataFrame({"id": range(40), "kind": ["a", "b"] * 20, "size": [i % 13 for i in range(40)],
                          "price": [i * 1.5 for i in range(40)]})
    assert fidelity.target_of(frame) == "kind"
    assert fidelity.target_of(frame.drop(columns=["kind"])) == "price"
    assert fidelity.target_of(pd.DataFrame({"flag": ["x"] * 40, "n": [1, 2] * 20})) is None
