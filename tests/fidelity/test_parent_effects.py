"""A child number that sits at its parent's level: the share of its variance between parents
is found, written as a hidden parent level plus a deviation, and reproduced; a number its
parent does not explain is left as it was."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rulegen
from rulegen.fidelity.infer import infer
from rulegen.fidelity.parent_effects import parent_effect
from rulegen.spec.loader import load_document

FIRMS, YEARS = 60, 12


def _share(frame: pd.DataFrame, column: str) -> float:
    """The share of ``column``'s variance its parent explains (between-firm means over the total)."""
    return float(frame.groupby("firm_id")[column].transform("mean").var() / frame[column].var())


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    rng = np.random.default_rng(21)
    folder = tmp_path_factory.mktemp("panel")
    size = rng.normal(0, 1, FIRMS)
    firms = pd.DataFrame({"firm_id": np.arange(1, FIRMS + 1), "employees": np.round(np.exp(5 + size)).astype(int)})
    firm = np.repeat(firms["firm_id"], YEARS).to_numpy()
    years = pd.DataFrame({
        "firm_id": firm,
        "year": np.tile(np.arange(2000, 2000 + YEARS), FIRMS),
        # invest: the firm's level (read from its size) times a yearly factor; noise: no parent in it
        "invest": np.round(np.exp(3 + 1.2 * size[firm - 1] + rng.normal(0, 0.3, len(firm))), 1),
        "noise": np.round(rng.normal(50, 5, len(firm)), 2),
    })
    firms.to_csv(folder / "firms.csv", index=False)
    years.to_csv(folder / "years.csv", index=False)
    text = infer(folder)
    return years, text, load_document(text)[0]


def test_the_planted_effect_is_found_and_the_absent_one_not(panel):
    _, _, spec = panel
    firms, years = spec["tables"]["firms"]["columns"], spec["tables"]["years"]["columns"]
    assert years["invest"]["kind"] == "expr" and "invest_level" in years["invest"]["expr"]
    assert firms["years_invest"]["hidden"] and years["invest_level"]["kind"] == "lookup"
    assert years["noise"]["kind"] != "expr" and "years_noise" not in firms
    # The level of a firm follows its size: the copula of the parent holds the pair.
    pairs = {tuple(c["columns"]): c["rho"] for c in spec["tables"]["firms"]["correlations"]}
    assert pairs[("employees", "years_invest")] > 0.8


@pytest.mark.parametrize("seed", [1, 2])
def test_the_parent_effect_is_reproduced(panel, seed):
    real, text, _ = panel
    made = rulegen.generate(text, seed=seed)
    years, firms = made["years"], made["firms"]
    assert _share(years, "invest") == pytest.approx(_share(real, "invest"), abs=0.1)
    assert _share(years, "noise") < 0.25  # as in the data: a twelfth of the variance by chance
    level = years.groupby("firm_id")["invest"].mean()
    assert level.corr(firms.set_index("firm_id")["employees"], method="spearman") > 0.7


def test_parent_effect_statistics():
    rng = np.random.default_rng(3)
    groups = np.repeat(np.arange(200), 5)
    share, p, between, within = parent_effect(rng.normal(0, 1, 1000) + rng.normal(0, 1, 200)[groups], groups)
    assert share == pytest.approx(0.5, abs=0.08) and p < 1e-10
    assert between == pytest.approx(1, rel=0.25) and within == pytest.approx(1, rel=0.1)
    share, p, _, _ = parent_effect(rng.normal(0, 1, 1000), groups)
    assert share < 0.05 and p > 1e-3


def test_a_parent_category_sets_the_level(tmp_path):
    rng = np.random.default_rng(22)
    customers = pd.DataFrame({"customer_id": np.arange(1, 401),
                              "tier": rng.choice(["basic", "premium"], 400, p=[0.7, 0.3]),
                              "age": rng.integers(18, 80, 400)})
    level = np.where(customers["tier"] == "premium", 120.0, 60.0) + rng.normal(0, 10, 400)
    per = rng.integers(3, 9, 400)
    owner = np.repeat(np.arange(400), per)
    amount = np.round(level[owner] + rng.normal(0, 8, len(owner)), 2)
    orders = pd.DataFrame({"customer_id": owner + 1, "amount": amount})
    customers.to_csv(tmp_path / "customers.csv", index=False)
    orders.to_csv(tmp_path / "orders.csv", index=False)
    text = infer(tmp_path)
    columns = load_document(text)[0]["tables"]["customers"]["columns"]
    assert "tier == 'premium'" in columns["orders_amount"]["expr"] and columns["orders_amount_rest"]["hidden"]
    made = rulegen.generate(text, seed=4)
    joined = made["orders"].merge(made["customers"], on="customer_id")
    means = joined.groupby("tier")["amount"].mean()
    assert means["premium"] == pytest.approx(120, abs=6) and means["basic"] == pytest.approx(60, abs=4)
    # age has no part in it: no level by age is invented
    assert joined["amount"].corr(joined["age"], method="spearman") == pytest.approx(0, abs=0.1)


def test_a_whole_number_set_by_its_parent_stays_whole(tmp_path):
    """A count each firm sets the level of (hires per year): its level plus deviation is rounded
    back to whole numbers, as the data has them."""
    rng = np.random.default_rng(5)
    size = rng.gamma(2, 5, FIRMS)
    firm = np.repeat(np.arange(1, FIRMS + 1), YEARS)
    pd.DataFrame({"firm_id": np.arange(1, FIRMS + 1)}).to_csv(tmp_path / "firms.csv", index=False)
    pd.DataFrame({"firm_id": firm, "hires": rng.poisson(size[firm - 1])}).to_csv(tmp_path / "years.csv", index=False)
    text = infer(tmp_path)
    hires = load_document(text)[0]["tables"]["years"]["columns"]["hires"]
    assert hires["kind"] == "expr" and hires["expr"].startswith("round(")
    made = rulegen.generate(text, seed=1)["years"]["hires"]
    assert (made == made.round()).all()


def test_a_child_date_that_trends_with_a_number_beside_a_parent_level(tmp_path):
    # Monthly prices of a few symbols (vega_datasets' stocks): the price rises with the date, so
    # the date joins the copula as hidden days, and each symbol sets the price's level.
    rng = np.random.default_rng(23)
    symbols = pd.DataFrame({"symbol": [f"S{i}" for i in range(8)]})
    months = pd.date_range("2001-01-01", periods=60, freq="MS")
    level = rng.normal(4, 1, len(symbols))
    prices = pd.DataFrame({"symbol": np.repeat(symbols["symbol"], len(months)),
                           "date": np.tile(months.strftime("%Y-%m-%d"), len(symbols))})
    trend = np.tile(np.arange(len(months)) * 0.02, len(symbols))
    prices["price"] = np.round(np.exp(np.repeat(level, len(months)) + trend + rng.normal(0, 0.1, len(prices))), 2)
    symbols.to_csv(tmp_path / "symbols.csv", index=False)
    prices.to_csv(tmp_path / "prices.csv", index=False)
    text = infer(tmp_path)
    columns = load_document(text)[0]["tables"]["prices"]["columns"]
    assert columns["date_days"]["hidden"] and "price_level" in columns["price"]["expr"]
    made = rulegen.generate(text, seed=1)["prices"]
    share = made.groupby("symbol")["price"].transform("mean").var() / made["price"].var()
    assert share > 0.5
