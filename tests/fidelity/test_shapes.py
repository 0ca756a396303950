"""Point masses: a value repeated in many rows at the edge of a column of full precision is
kept exactly (a censored histogram, still in the copula); a column without one gets none."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

import rulegen
from rulegen.fidelity.infer import infer
from rulegen.spec.loader import load_document

ROWS = 3_000


@pytest.fixture(scope="module")
def weather(tmp_path_factory):
    rng = np.random.default_rng(8)
    wet = rng.random(ROWS) >= 0.4
    rain = np.where(wet, rng.gamma(2, 3, ROWS), 0.0)  # no rain on 40 % of days
    score = np.minimum(rng.normal(80, 15, ROWS), 100.0)  # capped at 100: 9 % of rows
    smooth = rng.gamma(3, 2, ROWS)  # no point mass
    humidity = 50 + 40 * wet + rng.normal(0, 5, ROWS)  # follows rain, so it is in the copula with it
    frame = pd.DataFrame({"rain": rain, "score": score, "smooth": smooth, "humidity": humidity})
    path = tmp_path_factory.mktemp("weather") / "weather.csv"
    frame.to_csv(path, index=False)
    text = infer(path)
    return pd.read_csv(path), text, load_document(text)[0]["tables"]["weather"]


def test_masses_are_found_at_either_edge_and_not_invented(weather):
    _, _, table = weather
    columns = table["columns"]
    assert columns["rain"]["clip"] == [0.0, None]
    assert columns["score"]["clip"] == [None, 100.0]
    assert "clip" not in columns["smooth"]
    assert any("rain" in pair["columns"] for pair in table["correlations"])


@pytest.mark.parametrize("seed", [1, 2])
def test_masses_are_reproduced(weather, seed):
    real, text, _ = weather
    made = rulegen.generate(text, seed=seed)["weather"]
    assert (made["rain"] == 0).mean() == pytest.approx(0.4, abs=0.03)
    assert (made["score"] == 100).mean() == pytest.approx((real["score"] == 100).mean(), abs=0.02)
    assert (made["smooth"] == made["smooth"].min()).mean() < 0.01
    for name in ("rain", "score", "smooth"):
        assert ks_2samp(real[name], made[name]).statistic < 0.05, name
    # rain still moves with humidity, as in the data
    rho = made["rain"].corr(made["humidity"], method="spearman")
    assert rho == pytest.approx(real["rain"].corr(real["humidity"], method="spearman"), abs=0.1)


def test_first_days_stay_first_days_and_other_dates_stay_dates(tmp_path):
    rng = np.random.default_rng(9)
    n = 600
    frame = pd.DataFrame({
        "founded": pd.to_datetime(pd.DataFrame({"year": rng.integers(1990, 2020, n), "month": 1, "day": 1})),
        "billed": pd.to_datetime(pd.DataFrame({"year": rng.integers(2010, 2020, n),
                                               "month": rng.integers(1, 13, n), "day": 1})),
        "seen": pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 3000, n), unit="D"),
    }).apply(lambda column: column.dt.date)
    frame.to_csv(tmp_path / "dates.csv", index=False)
    text = infer(tmp_path / "dates.csv")
    columns = load_document(text)[0]["tables"]["dates"]["columns"]
    assert columns["founded"]["kind"] == columns["billed"]["kind"] == "expr"
    assert columns["seen"]["kind"] == "date" and "seen_day" not in columns
    made = rulegen.generate(text, seed=2)["dates"].apply(pd.to_datetime)
    assert (made["founded"].dt.day_of_year == 1).all() and (made["billed"].dt.day == 1).all()
    assert made["billed"].dt.month.nunique() == 12 and made["founded"].dt.year.nunique() > 20
    assert made["founded"].dt.year.between(1990, 2019).all()
    assert (made["seen"].dt.day != 1).mean() > 0.9


def test_values_missing_together_stay_together(tmp_path):
    rng = np.random.default_rng(10)
    n = 4_000
    frame = pd.DataFrame({"a": rng.normal(0, 1, n), "b": rng.gamma(2, 1, n), "c": rng.normal(5, 1, n),
                          "d": rng.normal(9, 1, n)})
    together = rng.random(n) < 0.2
    frame.loc[together, ["a", "b"]] = np.nan
    frame.loc[rng.random(n) < 0.05, "b"] = np.nan  # b also misses alone
    frame.loc[rng.random(n) < 0.1, "c"] = np.nan  # c misses on its own
    frame.to_csv(tmp_path / "t.csv", index=False)
    text = infer(tmp_path / "t.csv")
    columns = load_document(text)[0]["tables"]["t"]["columns"]
    assert columns["a"]["when"] == columns["b"]["when"] == "not a_missing"
    assert "when" not in columns["c"] and "when" not in columns["d"] and columns["c"]["null"] > 0
    made = rulegen.generate(text, seed=3)["t"]
    missing = made.isna()
    assert (missing["a"] & missing["b"]).mean() == pytest.approx((frame["a"].isna() & frame["b"].isna()).mean(),
                                                                   abs=0.02)
    assert missing["b"].mean() == pytest.approx(frame["b"].isna().mean(), abs=0.02)
    assert missing["c"][missing["a"]].mean() == pytest.approx(0.1, abs=0.04)  # c's are not tied to a's
