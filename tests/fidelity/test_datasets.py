"""What `rulegen infer` learnt from real tables it had not been tuned on (statsmodels, vega_datasets,
scikit-learn): each shape planted in a small table of known law, with fixed seeds, is found, and
the table without it gets none."""

from __future__ import annotations

import numpy as np
import pandas as pd

import rulegen
from rulegen.fidelity.infer import infer
from rulegen.spec.loader import load_document


def _infer(frame: pd.DataFrame, tmp_path, name: str = "t") -> tuple[dict, str]:
    path = tmp_path / f"{name}.csv"
    frame.to_csv(path, index=False)
    text = infer(path)
    return load_document(text)[0]["tables"][name], text


# --- a unique integer column is a measurement unless it is a key ------------------------------
def test_a_unique_measurement_keeps_its_law_and_correlations(tmp_path):
    # statsmodels' cancer (county populations), vega's wheat (years 1565, 1570...), us_employment
    # (a month's payroll count): unique integers that were taken as the primary key and drawn
    # uniformly, unrelated to anything.
    rng = np.random.default_rng(0)
    population = np.unique(rng.lognormal(9, 1, 400).astype(int))[:300]
    rng.shuffle(population)
    cases = rng.poisson(population / 500)
    table, text = _infer(pd.DataFrame({"population": population, "cases": cases}), tmp_path)
    assert "primary_key" not in table
    assert table["columns"]["population"]["kind"] != "integers"
    assert any(set(pair["columns"]) == {"population", "cases"} and pair["rho"] > 0.8
               for pair in table["correlations"])
    synthetic = rulegen.generate(text, seed=1)["t"]
    assert synthetic["population"].corr(synthetic["cases"], method="spearman") > 0.8


def test_keys_stay_keys(tmp_path):
    # The same values named like a key, or numbering the rows 1, 2, 3..., stay a key: no
    # structure is invented for them.
    rng = np.random.default_rng(1)
    ids = rng.permutation(np.arange(1000, 5000))[:300]
    named, _ = _infer(pd.DataFrame({"customer_id": ids, "amount": rng.gamma(2, 10, 300).round(2)}), tmp_path, "n")
    assert named["primary_key"] == "customer_id"
    assert named["columns"]["customer_id"]["unique"] is True
    rows = pd.DataFrame({"row": rng.permutation(np.arange(1, 301)), "amount": rng.gamma(2, 10, 300).round(2)})
    numbered, _ = _infer(rows, tmp_path, "r")
    assert numbered["primary_key"] == "row" and numbered["columns"]["row"]["kind"] == "sequence"
