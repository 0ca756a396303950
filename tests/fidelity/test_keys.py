"""A key named like a plain column (``state`` of two-letter codes) is found through the table
that refers to it, and codes stay codes."""

from __future__ import annotations

import numpy as np
import pandas as pd

import rulegen
from rulegen.fidelity.infer import infer
from rulegen.spec.loader import load_document

CODES = [a + b for a in "ABCDEFGH" for b in "KLMNOP"]  # 48 two-letter codes


def test_a_state_code_referred_to_is_a_key_and_the_reference_a_ref(tmp_path):
    rng = np.random.default_rng(4)
    pd.DataFrame({"state": CODES, "poverty": rng.normal(14, 3, len(CODES)).round(1)}).to_csv(
        tmp_path / "states.csv", index=False)
    pd.DataFrame({"iata": [f"X{i:03d}" for i in range(900)], "state": rng.choice(CODES, 900),
                  "elevation": rng.gamma(2, 300, 900).round()}).to_csv(tmp_path / "airports.csv", index=False)
    text = infer(tmp_path)
    spec = load_document(text)[0]["tables"]
    assert spec["states"]["primary_key"] == "state"
    assert spec["airports"]["columns"]["state"] == {"kind": "ref", "to": "states.state"}
    assert spec["airports"]["rows"]["per"] == "states"
    made = rulegen.generate(text, seed=1)
    assert made["states"]["state"].str.fullmatch("[A-Z]{2}").all()
    assert set(made["airports"]["state"]) <= set(made["states"]["state"])


def test_state_codes_alone_stay_codes(tmp_path):
    rng = np.random.default_rng(5)
    # 48 codes over 60 rows: too many to be categories, so a place provider is asked
    pd.DataFrame({"state": rng.choice(CODES, 60), "n": rng.integers(0, 9, 60)}).to_csv(
        tmp_path / "t.csv", index=False)
    column = load_document(infer(tmp_path))[0]["tables"]["t"]["columns"]["state"]
    assert column.get("provider") != "state"
    made = rulegen.generate(infer(tmp_path), seed=1)["t"]["state"]
    assert made.str.fullmatch("[A-Z]{2}").all()


def test_no_key_is_invented_without_a_reference(tmp_path):
    pd.DataFrame({"state": CODES, "x": np.arange(len(CODES))}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame({"other": CODES * 2}).to_csv(tmp_path / "b.csv", index=False)
    spec = load_document(infer(tmp_path))[0]["tables"]
    assert spec["a"].get("primary_key") != "state" or spec["a"]["primary_key"] == "x"
    assert "ref" not in str(spec["b"])


def test_unique_codes_of_three_or_four_characters_validate_and_generate(tmp_path):
    rng = np.random.default_rng(12)
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
    codes = {"".join(rng.choice(alphabet, rng.integers(3, 5))) for _ in range(1_100)}
    pd.DataFrame({"code": sorted(codes)[:1_000], "n": rng.integers(0, 50, 1_000)}).to_csv(
        tmp_path / "codes.csv", index=False)
    text = infer(tmp_path / "codes.csv")
    column = load_document(text)[0]["tables"]["codes"]["columns"]["code"]
    assert column.get("unique") is True
    made = rulegen.generate(text, seed=1)["codes"]["code"]
    assert made.is_unique and made.str.fullmatch("[A-Z0-9]{3,4}").all()
