"""Dependencies `rulegen infer` learns (rulegen.fidelity.dependencies), on data with planted
structure and fixed seeds: a planted dependency is found and reproduced by the generated rows,
and an absent one is not invented, also on small data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rulegen
from rulegen.fidelity.infer import infer
from tests.fidelity.test_infer import read_spec

GENERATED = 20_000


def _infer(tmp_path: Path, frame: pd.DataFrame) -> tuple[str, dict, pd.DataFrame]:
    """The inferred spec text, its columns, and rows generated from it."""
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    text = infer(path)
    columns = read_spec(text)["tables"]["t"]["columns"]
    return text, columns, rulegen.generate(text, seed=7, rows={"t": GENERATED})["t"]


def _planted(rows: int, seed: int = 1) -> pd.DataFrame:
    """`group` picks `island` (mostly) and `size`'s mean; `colour` and `noise` depend on nothing;
    `sex` depends on the pair (group, island)."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["A", "B", "C"], size=rows, p=[0.5, 0.3, 0.2])
    island = np.where(group == "A", rng.choice(["X", "Y"], size=rows, p=[0.8, 0.2]),
                      np.where(group == "B", "Y", rng.choice(["X", "Z"], size=rows)))
    female = np.where((group == "A") == (island == "X"), 0.9, 0.1)
    sex = np.where(rng.random(rows) < female, "f", "m")
    size = np.select([group == "A", group == "B"], [10.0, 20.0], 30.0) + rng.normal(0, 1.5, rows)
    return pd.DataFrame({"group": group, "island": island, "sex": sex,
                         "colour": rng.choice(["red", "blue", "green"], size=rows),
                         "size": size.round(2), "noise": rng.gamma(3.0, 2.0, rows).round(3)})


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, pd.DataFrame, pd.DataFrame]:
    real = _planted(3000)
    return (*_infer(tmp_path_factory.mktemp("planted"), real), real)


def _conditional(frame: pd.DataFrame, given: list[str], column: str) -> pd.DataFrame:
    return pd.crosstab([frame[g] for g in given], frame[column], normalize="index")


def test_a_categorical_dependency_is_found_and_reproduced(planted) -> None:
    _, columns, synth, real = planted
    assert columns["island"]["given"] == "group"
    gap = (_conditional(real, ["group"], "island") - _conditional(synth, ["group"], "island")).abs()
    assert gap.max().max() < 0.04
    assert ((synth["group"] == "B") & (synth["island"] != "Y")).sum() == 0  # never seen: never made


def test_a_dependency_on_two_columns_is_found_and_reproduced(planted) -> None:
    _, columns, synth, real = planted
    assert sorted(columns["sex"]["given"]) == ["group", "island"]
    gap = (_conditional(real, ["group", "island"], "sex") - _conditional(synth, ["group", "island"], "sex")).abs()
    assert gap.max().max() < 0.05


def test_a_numeric_column_follows_its_category(planted) -> None:
    _, columns, synth, real = planted
    assert columns["size"]["given"] == "group"
    means = synth.groupby("group")["size"].mean() - real.groupby("group")["size"].mean()
    assert means.abs().max() < 0.2
    explained = 1 - synth.groupby("group")["size"].var().mul(synth["group"].value_counts()).sum() / (
        synth["size"].var() * len(synth))
    assert explained > 0.9


def test_no_dependency_is_invented(planted) -> None:
    _, columns, _, _ = planted
    assert "given" not in columns["colour"]
    assert "given" not in columns["noise"]
    assert "given" not in columns["group"]


def test_each_dependency_says_why_it_was_kept(planted) -> None:
    text, _, _, _ = planted
    lines = {line.split(":")[0].strip(): line for line in text.splitlines() if "{kind:" in line}
    assert "depends on group: BIC -" in lines["island"]
    assert "group explains 9" in lines["size"] and "of size's variance: BIC -" in lines["size"]


def test_small_data_keeps_weak_dependencies_out(tmp_path: Path) -> None:
    """40 rows whose columns are independent: chance associations do not pay for their parameters."""
    for seed in range(5):
        rng = np.random.default_rng(seed)
        frame = pd.DataFrame({"a": rng.choice(["p", "q"], 40), "b": rng.choice(["u", "v", "w"], 40),
                              "x": rng.normal(0, 1, 40).round(3)})
        _, columns, _ = _infer(tmp_path, frame)
        assert all("given" not in spec for spec in columns.values()), (seed, columns)


def test_correlations_are_kept_within_each_category(tmp_path: Path) -> None:
    """Within each group x and y rise together while the group means fall: the inferred copula holds
    the within-group correlation, which the generated rows show in every group."""
    rng = np.random.default_rng(3)
    group = rng.choice(["A", "B", "C"], 2000)
    shift = np.select([group == "A", group == "B"], [0.0, 10.0], 20.0)
    common = rng.normal(0, 1, 2000)
    frame = pd.DataFrame({"group": group, "x": (shift + common + rng.normal(0, 0.5, 2000)).round(3),
                          "y": (-shift + common + rng.normal(0, 0.5, 2000)).round(3)})
    assert frame[["x", "y"]].corr(method="spearman").iloc[0, 1] < -0.5  # over all groups
    _, columns, synth = _infer(tmp_path, frame)
    assert columns["x"]["given"] == columns["y"]["given"] == "group"
    for _, rows in synth.groupby("group"):
        assert rows[["x", "y"]].corr(method="spearman").iloc[0, 1] > 0.7


def test_awkward_values_still_make_a_valid_spec(tmp_path: Path) -> None:
    """Categories holding commas (not joinable into a key of two columns), nulls among the
    parents, YAML words as values and numbers as categories: the spec validates, generates and
    keeps the dependencies it can write."""
    rng = np.random.default_rng(4)
    rows = 1500
    town = rng.choice(["Paris, FR", "Lyon, FR", "Bern, CH"], rows)
    kind = rng.choice(["yes", "no", "null"], rows)
    level = np.where(town == "Bern, CH", 3, rng.choice([1, 2], rows))
    answer = np.where((kind == "yes") == (level == 3), "ok", "ko")
    amount = np.where(town == "Bern, CH", 100.0, 10.0) + rng.normal(0, 2, rows)
    frame = pd.DataFrame({"town": town, "kind": kind, "level": level, "answer": answer, "amount": amount.round(2)})
    frame.loc[rng.random(rows) < 0.1, "kind"] = None
    _, columns, synth = _infer(tmp_path, frame)
    assert columns["level"]["given"] == "town"
    assert columns["amount"]["given"] in ("town", "level", ["town", "level"], ["level", "town"])
    assert not isinstance(columns["answer"].get("given"), list) or "town" not in columns["answer"]["given"]
    assert synth.loc[synth["town"] == "Bern, CH", "level"].eq(3).all()


def test_booleans_take_part(tmp_path: Path) -> None:
    """A boolean column depends on a category, and a number on the boolean."""
    rng = np.random.default_rng(6)
    group = rng.choice(["a", "b"], 2000)
    member = np.where(group == "a", rng.random(2000) < 0.9, rng.random(2000) < 0.2)
    spend = np.where(member, 50.0, 20.0) + rng.normal(0, 3, 2000)
    frame = pd.DataFrame({"group": group, "member": member, "spend": spend.round(2)})
    _, columns, synth = _infer(tmp_path, frame)
    assert columns["member"]["kind"] == "choice" and columns["member"]["given"] == "group"
    assert columns["spend"]["given"] in ("member", ["member", "group"], ["group", "member"])
    assert abs(synth.loc[synth["group"] == "a", "member"].mean() - 0.9) < 0.03
    assert abs(synth.loc[synth["member"], "spend"].mean() - 50) < 0.5
