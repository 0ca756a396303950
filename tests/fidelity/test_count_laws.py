"""The law of children per parent row with few parents: chosen by AICc, so the histogram wins
where a family fits poorly, the true family where it holds; stratified for small parents; and
no parent column read that the counts do not depend on."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import rulegen
from rulegen.fidelity.children import STRATIFY_BELOW, fit_children
from rulegen.fidelity.infer import infer
from rulegen.spec.loader import load_document

PARENTS = 51


def _bimodal(rng: np.random.Generator, n: int = PARENTS) -> np.ndarray:
    """Counts of two kinds of parents: small ones around 10, large ones around 80."""
    return np.where(rng.random(n) < 0.4, rng.poisson(10, n), rng.poisson(80, n))


def _kind(counts: np.ndarray, parent: dict[str, np.ndarray] | None = None) -> str:
    rows = fit_children(counts, parent or {}, column="n_child").rows
    return rows.get("kind", "hidden column")


@pytest.mark.parametrize(("planted", "kind"), [
    (lambda rng: rng.poisson(3, PARENTS), "poisson"),
    (lambda rng: rng.negative_binomial(2, 0.03, PARENTS), "negative_binomial"),
    (_bimodal, "histogram"),
])
def test_the_planted_law_is_chosen_from_51_parents(planted, kind):
    found = [_kind(planted(np.random.default_rng(seed))) for seed in range(10)]
    assert found.count(kind) >= 9, found


@pytest.mark.parametrize(("planted", "kind"), [
    (lambda rng: rng.poisson(20, 12), "poisson"),
    (lambda rng: rng.negative_binomial(2, 0.05, 12), "negative_binomial"),
])
def test_twelve_parents_keep_their_family_over_two_bins(planted, kind):
    assert [_kind(planted(np.random.default_rng(seed))) for seed in range(10)] == [kind] * 10


def test_the_family_is_still_chosen_from_many_parents():
    for seed in range(5):
        rng = np.random.default_rng(seed)
        assert _kind(rng.poisson(3, 2_000)) == "poisson"
        assert _kind(rng.negative_binomial(2, 0.3, 2_000)) == "negative_binomial"


def test_a_histogram_is_written_in_rows_and_stratified_for_few_parents():
    counts = _bimodal(np.random.default_rng(3))
    law = fit_children(counts, {}, column="n_child")
    assert law.rows["kind"] == "histogram" and law.rows["stratified"] is True and law.hidden is None
    assert "least AICc" in law.note and law.ks < 0.1
    many = fit_children(_bimodal(np.random.default_rng(3), STRATIFY_BELOW), {}, column="n_child")
    assert "stratified" not in many.rows


def test_no_parent_column_is_read_that_the_counts_ignore():
    for seed in range(10):
        rng = np.random.default_rng(seed)
        parent = {"revenue": rng.normal(30, 10, PARENTS), "age": rng.normal(40, 10, PARENTS)}
        assert fit_children(rng.negative_binomial(2, 0.03, PARENTS), parent, column="n_child").reads == []


def test_overdispersed_counts_read_no_unrelated_column():
    # Thirty times as variable as a Poisson law, and six columns to choose from: a Poisson
    # likelihood, or AICc's charge of 2 a column, reads some of them by chance.
    read = 0
    for seed in range(30):
        rng = np.random.default_rng(seed)
        parent = {f"x{i}": rng.normal(0, 1, PARENTS) for i in range(6)}
        read += bool(fit_children(rng.negative_binomial(2, 0.03, PARENTS), parent, column="n_child").reads)
    assert read <= 1


def test_overdispersed_counts_still_read_the_column_they_depend_on():
    rng = np.random.default_rng(8)
    size = rng.normal(0, 1, 300)
    counts = rng.negative_binomial(2, 2 / (2 + np.exp(3 + 0.8 * size)))
    law = fit_children(counts, {"size": size, "noise": rng.normal(0, 1, 300)}, column="n_child")
    assert law.reads == ["size"] and law.rows["kind"] == "negative_binomial"


def test_the_mean_still_reads_a_parent_column_it_depends_on():
    rng = np.random.default_rng(2)
    revenue = rng.normal(30, 10, 200)
    law = fit_children(rng.poisson(np.exp(0.5 + 0.05 * revenue)), {"revenue": revenue}, column="n_child")
    assert law.reads == ["revenue"] and "revenue" in law.rows["lam"] and law.rows["stratified"] is True


def _write(folder, counts: np.ndarray) -> None:
    ids = np.arange(1, len(counts) + 1)
    pd.DataFrame({"state_id": ids, "poverty": np.random.default_rng(1).normal(12, 3, len(ids)).round(1)}).to_csv(
        folder / "states.csv", index=False)
    pd.DataFrame({"airport_id": np.arange(1, counts.sum() + 1), "state_id": np.repeat(ids, counts)}).to_csv(
        folder / "airports.csv", index=False)


def test_infer_from_51_parents_generates_counts_close_to_the_data(tmp_path):
    counts = _bimodal(np.random.default_rng(5))
    _write(tmp_path, counts)
    text = infer(tmp_path)
    rows = load_document(text)[0]["tables"]["airports"]["rows"]
    assert rows["kind"] == "histogram" and rows["stratified"] is True
    for seed in (1, 2, 3):
        made = rulegen.generate(text, seed=seed)
        drawn = made["airports"]["state_id"].value_counts().reindex(made["states"]["state_id"], fill_value=0)
        k = np.arange(max(counts.max(), drawn.max()) + 1)
        ks = np.abs(np.searchsorted(np.sort(counts), k, side="right")
                    - np.searchsorted(np.sort(drawn.to_numpy()), k, side="right")).max() / PARENTS
        assert ks <= 0.12  # two independent samples of 51 differ by 0.17 on average


def test_aicc_charges_each_parameter_more_with_few_observations():
    from rulegen.fidelity.children import _Law

    law = _Law("negative_binomial", loglik=-100.0, params=2)
    assert law.aicc(51) == pytest.approx(2 * 2 + 200 + 2 * 2 * 3 / 48)
    assert law.aicc(3) == math.inf  # n <= k + 1: no estimate


def test_few_parents_never_get_a_uniform_range():
    # Five parents make one bin of at least five: a uniform range from 68 to 123, far from four
    # parents at 123; a family is kept instead.
    law = fit_children(np.array([68, 123, 123, 123, 123]), {}, column="n_child")
    assert law.rows["kind"] == "negative_binomial" and law.ks < 0.5
