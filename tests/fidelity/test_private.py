"""`rulegen infer --epsilon`: differentially private inference and its mechanisms."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import rulegen
from rulegen.cli import main
from rulegen.fidelity import dp
from rulegen.fidelity.private import PrivacyOptionError

N = 800
RARE = "zz-rare"  # held by two rows: never released whatever the seed


def _people(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    grade = rng.choice(["low", "mid", "high"], N, p=[0.5, 0.3, 0.2]).astype(object)
    grade[[3, 9]] = RARE
    return pd.DataFrame({"id": np.arange(1, N + 1), "age": rng.integers(18, 80, N),
                         "income": np.round(rng.gamma(3.0, 15_000.0, N), 2), "member": rng.random(N) < 0.3,
                         "grade": grade})


def _write(frame: pd.DataFrame, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "people.csv", index=False)
    return folder


def _columns(text: str) -> dict:
    return yaml.safe_load(text)["tables"]["people"]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return _write(_people(), tmp_path_factory.mktemp("dp") / "a")


def test_a_fixed_seed_reproduces_the_spec_and_another_seed_changes_it(data):
    first = rulegen.infer(data, epsilon=1.0, seed=5)
    assert first == rulegen.infer(data, epsilon=1.0, seed=5)
    assert first != rulegen.infer(data, epsilon=1.0, seed=6)
    assert first.startswith("# --epsilon 1: learnt from noisy counts only")


def test_the_private_spec_validates_generates_and_copies_no_rare_value(tmp_path, data):
    for seed in range(5):
        text = rulegen.infer(data, epsilon=2.0, seed=seed)
        assert RARE not in text
        table = _columns(text)
        assert table["columns"]["id"] == {"kind": "sequence"}
        assert table["columns"]["income"]["kind"] == "histogram"
        assert table["columns"]["member"]["kind"] == "bool"
    grade = _columns(rulegen.infer(data, epsilon=2.0, seed=0))["columns"]["grade"]
    assert grade["kind"] == "choice" and "low" in grade["values"]
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(spec), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "out" / "people.csv")
    assert abs(len(out) - N) < 50 and set(out.columns) == {"id", "age", "income", "member", "grade"}


def test_one_row_more_moves_the_counts_within_the_sensitivity(tmp_path):
    """Neighbouring data sets under one seed: the noise is the same, so each release may differ
    by no more than what one row can change (its sensitivity: 1)."""
    base = _people()
    one_more = pd.concat([base, base.iloc[[0]].assign(id=N + 1, income=55_555.0)], ignore_index=True)
    bounds = {"people.age": (0.0, 100.0), "people.income": (0.0, 200_000.0)}
    texts = [rulegen.infer(_write(frame, tmp_path / name), epsilon=1.0, seed=11, bounds=bounds)
             for name, frame in (("a", base), ("b", one_more))]
    a, b = (_columns(t) for t in texts)
    assert 0 <= b["rows"] - a["rows"] <= 1
    for column in ("age", "income"):
        wa, wb = a["columns"][column]["weights"], b["columns"][column]["weights"]
        assert a["columns"][column]["edges"][0] == b["columns"][column]["edges"][0]
        size = max(len(wa), len(wb))
        moved = np.abs(np.pad(wb, (0, size - len(wb))) - np.pad(wa, (0, size - len(wa)))).sum()
        assert moved <= 1, column
    assert a["columns"]["member"]["p"] == pytest.approx(b["columns"]["member"]["p"], abs=2 / N)


def test_the_geometric_mechanism_is_epsilon_private():
    """P(noisy = k | count c) <= exp(epsilon) P(noisy = k | count c + 1), measured over many draws."""
    epsilon, draws = 0.7, 400_000
    rng = np.random.default_rng(3)
    a = dp.noisy_counts(np.full(draws, 50), epsilon, rng, floor=False)
    b = dp.noisy_counts(np.full(draws, 51), epsilon, rng, floor=False)
    for k in range(46, 56):
        pa_, pb = (a == k).mean(), (b == k).mean()
        assert max(pa_ / pb, pb / pa_) <= math.exp(epsilon) * 1.08, k
    assert abs(a.mean() - 50) < 0.05  # unbiased
    assert a.var() == pytest.approx(2 * math.exp(-epsilon) / (1 - math.exp(-epsilon)) ** 2, rel=0.05)


def test_thresholded_counts_release_a_category_one_row_holds_at_most_delta_of_the_time():
    rng = np.random.default_rng(0)
    values = ["common"] * 500 + ["single"]
    released = sum("single" in dp.thresholded_counts(values, 1.0, 1e-3, rng, limit=10) for _ in range(4000))
    assert released <= 4000 * 1e-3 * 3
    assert all("common" in dp.thresholded_counts(values, 1.0, 1e-3, rng, limit=10) for _ in range(50))


def test_a_private_range_holds_the_data_and_ignores_far_outliers():
    rng = np.random.default_rng(2)
    values = np.concatenate([rng.normal(1000, 50, 5000), [1e9]])
    low, high = dp.private_range(values, 1.0, rng)
    assert 700 < low < 900 and 1100 < high < 1400


@pytest.mark.parametrize(("args", "code"), [
    (["--epsilon", "-1"], "RG600"),
    (["--epsilon", "1", "--bounds", "people.nothing=0:1"], "RG601"),
    (["--epsilon", "1", "--bounds", "people.age=5:1"], "RG602"),
    (["--epsilon", "1", "--allow-values"], "RG603"),
    (["--bounds", "people.age=0:100"], "RG603"),
])
def test_bad_privacy_options_are_diagnostics(data, args, code):
    result = CliRunner().invoke(main, ["infer", str(data), *args])
    assert result.exit_code == 1
    assert f"error[{code}]" in result.output and "Traceback" not in result.output


def test_the_api_raises_the_same_error(data):
    with pytest.raises(PrivacyOptionError, match="--epsilon must be a number > 0"):
        rulegen.infer(data, epsilon=0.0)


def test_related_tables_get_a_count_law_from_noisy_counts(tmp_path):
    rng = np.random.default_rng(4)
    customers = pd.DataFrame({"id": np.arange(1, 1001), "age": rng.integers(18, 90, 1000)})
    per = rng.poisson(3.0, 1000)
    orders = pd.DataFrame({"order_id": np.arange(1, per.sum() + 1), "customer_id": np.repeat(customers["id"], per),
                           "total": np.round(rng.gamma(2.0, 30.0, per.sum()), 2)})
    customers.to_csv(tmp_path / "customers.csv", index=False)
    orders.to_csv(tmp_path / "orders.csv", index=False)
    spec = yaml.safe_load(rulegen.infer(tmp_path, epsilon=2.0, seed=1))
    rows = spec["tables"]["orders"]["rows"]
    assert rows["per"] == "customers" and rows["kind"] in ("poisson", "negative_binomial")
    assert spec["tables"]["orders"]["columns"]["customer_id"] == {"kind": "ref", "to": "customers.id"}
    mean = rows["lam"] if rows["kind"] == "poisson" else rows["n"] * (1 - rows["p"]) / rows["p"]
    assert mean == pytest.approx(3.0, abs=0.3)


def test_tables_that_refer_to_each_other_make_a_valid_spec(tmp_path):
    rng = np.random.default_rng(6)
    teams = pd.DataFrame({"id": np.arange(1, 201), "captain_id": rng.integers(1, 601, 200)})
    players = pd.DataFrame({"id": np.arange(1, 601), "team_id": rng.integers(1, 201, 600),
                            "score": rng.normal(50, 10, 600)})
    teams.rename(columns={"captain_id": "player_id"}).to_csv(tmp_path / "teams.csv", index=False)
    players.to_csv(tmp_path / "players.csv", index=False)
    text = rulegen.infer(tmp_path, epsilon=1.0, seed=2)
    spec = yaml.safe_load(text)
    per = [t for t in spec["tables"].values() if isinstance(t["rows"], dict)]
    assert len(per) == 1  # one of the two is generated per the other, never both
    rulegen.compile(text)


def test_a_planted_month_is_found_under_noise_and_the_spec_keeps_it(tmp_path):
    rng = np.random.default_rng(12)
    days = pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 4 * 365, 3000), unit="D")
    december = pd.to_datetime([f"{y}-12-{d:02d}" for y, d in zip(rng.integers(2020, 2024, 3000),
                                                                 rng.integers(1, 29, 3000), strict=True)])
    frame = pd.DataFrame({"sold": np.where(rng.random(3000) < 0.5, december, days)})
    frame["sold"] = frame["sold"].dt.date
    frame.to_csv(tmp_path / "sales.csv", index=False)
    column = yaml.safe_load(rulegen.infer(tmp_path, epsilon=1.0, seed=4))["tables"]["sales"]["columns"]["sold"]
    assert column["kind"] == "date" and str(column["min"]) < "2020-03-01" and str(column["max"]) > "2023-10-01"
    weights = column["seasonality"]["yearly"]
    assert weights[11] == 1.0 and max(weights[:11]) < 0.3
