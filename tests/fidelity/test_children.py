"""Children per parent row: each planted law is found (and a parent column its mean reads), no
law or column is invented, and a uniform range is never written by default."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

import rulegen
from rulegen.fidelity.children import fit_children
from rulegen.fidelity.infer import infer
from rulegen.spec.loader import load_document

PARENTS = 2_000


@pytest.fixture(scope="module")
def parent() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(11)
    return {"revenue": rng.normal(30, 10, PARENTS), "age": rng.normal(40, 10, PARENTS)}


def _planted(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    revenue = np.random.default_rng(11).normal(30, 10, PARENTS)
    return {
        "poisson": rng.poisson(3, PARENTS),
        "negative_binomial": rng.negative_binomial(2, 0.3, PARENTS),
        "zip": np.where(rng.random(PARENTS) < 0.3, 0, rng.poisson(4, PARENTS)),
        "reads_revenue": rng.poisson(np.exp(0.2 + 0.03 * revenue)),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_planted_law_is_found(parent, seed):
    planted = _planted(seed)
    found = {name: fit_children(counts, parent, column="n_cars") for name, counts in planted.items()}
    assert found["poisson"].rows["kind"] == "poisson" and not found["poisson"].reads
    assert found["poisson"].rows["lam"] == pytest.approx(3, rel=0.05)
    assert found["negative_binomial"].rows["kind"] == "negative_binomial" and not found["negative_binomial"].reads
    assert found["negative_binomial"].rows["n"] == pytest.approx(2, rel=0.25)
    zip_law = found["zip"]
    assert zip_law.rows == {"count": "coalesce(n_cars, 0)"} and zip_law.hidden is not None
    assert zip_law.hidden[1]["kind"] == "poisson" and zip_law.hidden[1]["null"] == pytest.approx(0.3, abs=0.04)
    # The mean reads revenue, and age (independent of the counts) is never read.
    assert found["reads_revenue"].reads == ["revenue"]
    assert "revenue" in found["reads_revenue"].rows["lam"]
    for law in found.values():
        assert law.ks < 0.03


def test_constant_counts_are_fixed_and_a_uniform_law_only_for_uniform_counts(parent):
    assert fit_children(np.full(50, 4), {}, column="n_x").rows == {"count": 4}
    # Counts uniform on 1..6: the uniform law wins on likelihood (a hidden column of the parent).
    uniform = fit_children(np.random.default_rng(5).integers(1, 7, PARENTS), parent, column="n_lines")
    assert uniform.rows == {"count": "n_lines"} and uniform.hidden[1]["kind"] in ("integers", "histogram")
    assert uniform.ks < 0.01 and not uniform.reads
    # Skewed counts over the same range: never a uniform range.
    skewed = np.minimum(np.random.default_rng(6).geometric(0.5, PARENTS), 6)
    assert "integers" not in str(fit_children(skewed, parent, column="n_lines"))


def _write_related(folder, counts: np.ndarray, revenue: np.ndarray) -> None:
    ids = np.arange(1, len(counts) + 1)
    pd.DataFrame({"firm_id": ids, "revenue": revenue.round(2)}).to_csv(folder / "firms.csv", index=False)
    rng = np.random.default_rng(7)
    firm = np.repeat(ids, counts)
    pd.DataFrame({"car_id": np.arange(1, len(firm) + 1), "firm_id": firm,
                  "price": rng.normal(20, 3, len(firm)).round(1)}).to_csv(folder / "cars.csv", index=False)


@pytest.mark.parametrize("law", ["negative_binomial", "zip", "reads_revenue"])
def test_infer_writes_a_law_that_generates_the_counts(tmp_path, law):
    counts = _planted(4)[law]
    revenue = np.random.default_rng(11).normal(30, 10, PARENTS)
    _write_related(tmp_path, counts, revenue)
    text = infer(tmp_path)
    spec = load_document(text)[0]
    assert spec["tables"]["cars"]["rows"]["per"] == "firms"
    assert "integers" not in str(spec["tables"]["cars"]["rows"])
    data = rulegen.generate(text, seed=2)
    made = data["cars"]["firm_id"].value_counts().reindex(data["firms"]["firm_id"], fill_value=0).to_numpy()
    assert ks_2samp(counts, made).statistic < 0.05
    if law == "reads_revenue":  # firms with more revenue have more cars, as in the data
        rho = pd.Series(made).corr(data["firms"]["revenue"].reset_index(drop=True), method="spearman")
        assert rho == pytest.approx(pd.Series(counts).corr(pd.Series(revenue), method="spearman"), abs=0.08)


def test_the_hidden_count_has_a_free_name_an_expression_can_read(tmp_path):
    rng = np.random.default_rng(14)
    ids = np.arange(1, 301)
    counts = np.where(rng.random(300) < 0.3, 0, rng.poisson(4, 300))  # zero-inflated: a hidden column
    pd.DataFrame({"firm_id": ids, "n_fleet_cars": rng.integers(0, 9, 300)}).to_csv(tmp_path / "firms.csv",
                                                                                  index=False)
    firm = np.repeat(ids, counts)
    pd.DataFrame({"firm_id": firm, "km": rng.gamma(2, 1000, len(firm)).round()}).to_csv(
        tmp_path / "fleet-cars.csv", index=False)
    text = infer(tmp_path)
    spec = load_document(text)[0]["tables"]
    assert "n_fleet_cars_2" in spec["firms"]["columns"]
    assert spec["fleet-cars"]["rows"] == {"per": "firms", "count": "coalesce(n_fleet_cars_2, 0)"}
    made = rulegen.generate(text, seed=1)
    assert (made["fleet-cars"]["firm_id"].value_counts().reindex(made["firms"]["firm_id"], fill_value=0) == 0).mean() \
        == pytest.approx((counts == 0).mean(), abs=0.07)
