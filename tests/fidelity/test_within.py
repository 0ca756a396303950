"""A child column set by the row's numbering within its parent (the fourth travel mode of each
traveller is the car, whose wait is 0) or by a small integer code: the dependency is found by
BIC, written as `given` on the numbering, and reproduced together with the parent's level; a
numbering or a code that says nothing about a column is never made its `given`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rulegen
from rulegen.fidelity.infer import infer
from rulegen.spec.loader import load_document

TRAVELLERS, MODES = 150, 4
WAIT = np.array([60.0, 35.0, 40.0, 0.0])  # the mean wait of each mode; the car (4) never waits
COST = np.array([4.4, 3.9, 3.4, 2.9])  # the mean log cost of each mode
PICKED = np.array([0.1, 0.1, 0.2, 0.6])  # the share of families who choose each mode (one each)


def _share(frame: pd.DataFrame, column: str, by: str = "traveller_id") -> float:
    """The share of ``column``'s variance between the groups of ``by`` (the groups' means over the total)."""
    return float(frame.groupby(by)[column].transform("mean").var() / frame[column].var())


def _write(folder: Path, travellers: pd.DataFrame, trips: pd.DataFrame) -> tuple[str, dict]:
    travellers.to_csv(folder / "travellers.csv", index=False)
    trips.to_csv(folder / "trips.csv", index=False)
    text = infer(folder)
    return text, load_document(text)[0]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, str, dict]:
    rng = np.random.default_rng(16)
    travellers = pd.DataFrame({"traveller_id": np.arange(1, TRAVELLERS + 1),
                               "income": np.round(rng.lognormal(3.5, 0.5, TRAVELLERS), 1),
                               "party": rng.choice(["alone", "family"], TRAVELLERS)})
    who = np.repeat(travellers["traveller_id"].to_numpy(), MODES)
    mode = np.tile(np.arange(1, MODES + 1), TRAVELLERS)
    wait = np.where(mode == 4, 0.0, np.round(WAIT[mode - 1] + rng.normal(0, 8, len(mode))))
    # The cost: the traveller's level (the trip's length) plus the mode's own, on a log scale.
    level = rng.normal(0, 0.5, TRAVELLERS)[who - 1]
    cost = np.round(np.exp(COST[mode - 1] + level + rng.normal(0, 0.2, len(mode))))
    # Each traveller chooses one mode; a family takes the car (4) more often than one alone.
    family = travellers["party"].to_numpy() == "family"
    picks = np.where(family, rng.choice(np.arange(1, MODES + 1), TRAVELLERS, p=PICKED),
                     rng.choice(np.arange(1, MODES + 1), TRAVELLERS, p=PICKED[::-1]))
    chosen = picks[who - 1] == mode
    trips = pd.DataFrame({"traveller_id": who, "mode": mode, "wait": np.maximum(wait, 0).astype(int),
                          "cost": cost.astype(int), "noise": np.round(rng.normal(10, 2, len(mode)), 2),
                          "chosen": chosen.astype(int)})
    text, spec = _write(tmp_path_factory.mktemp("modes"), travellers, trips)
    return trips, text, spec


def test_the_numbering_is_found_as_the_given(planted) -> None:
    _, _, spec = planted
    columns = spec["tables"]["trips"]["columns"]
    assert columns["mode"] == {"kind": "sequence", "within": "traveller_id"}
    assert columns["wait"]["given"] == "mode" and set(columns["wait"]["cases"]) == {1, 2, 3, 4}
    # The cost: the traveller's level plus a deviation whose law is per mode.
    assert columns["cost"]["kind"] == "expr" and "cost_level" in columns["cost"]["expr"]
    assert columns["cost_deviation"]["given"] == "mode"
    locs = [columns["cost_deviation"]["cases"][m]["loc"] for m in range(1, MODES + 1)]
    assert locs == sorted(locs, reverse=True)
    assert "given" not in columns["noise"]


def test_each_dependency_says_why(planted) -> None:
    _, text, _ = planted
    wait = next(line for line in text.splitlines() if line.strip().startswith("wait:"))
    assert "mode explains" in wait and "BIC" in wait
    cost = next(line for line in text.splitlines() if line.strip().startswith("cost:"))
    assert "apart from mode is between travellers rows" in cost


@pytest.mark.parametrize("seed", [1, 2])
def test_the_dependency_and_the_parent_level_are_reproduced(planted, seed: int) -> None:
    real, text, _ = planted
    made = rulegen.generate(text, seed=seed)["trips"]
    assert (made.loc[made["mode"] == 4, "wait"] == 0).all()
    assert (made.loc[made["mode"] != 4, "wait"] > 0).mean() > 0.95
    for column in ("wait", "cost"):
        assert _share(made, column) == pytest.approx(_share(real, column), abs=0.1)
        assert _share(made, column, "mode") == pytest.approx(_share(real, column, "mode"), abs=0.1)
    assert made.groupby("mode")["wait"].mean().to_numpy() == pytest.approx(WAIT, abs=4)
    # One chosen mode per traveller, each mode as often as in the data.
    assert (made.groupby("traveller_id")["chosen"].sum() == 1).all()
    shares = made.groupby("mode")["chosen"].mean().to_numpy()
    assert shares == pytest.approx(real.groupby("mode")["chosen"].mean().to_numpy(), abs=0.12)  # 150 picks
    parties = rulegen.generate(text, seed=seed)["travellers"].set_index("traveller_id")["party"]
    cars = made[made["chosen"] == 1].set_index("traveller_id")["mode"].eq(4)
    assert cars.groupby(parties).mean()["family"] > cars.groupby(parties).mean()["alone"] + 0.3


def test_a_flag_of_one_child_per_parent_is_the_parents_pick(planted) -> None:
    _, _, spec = planted
    travellers, trips = spec["tables"]["travellers"]["columns"], spec["tables"]["trips"]["columns"]
    assert trips["chosen"] == {"kind": "expr", "expr": "if(mode == chosen_pick, 1, 0)"}
    assert trips["chosen_pick"] == {"kind": "lookup", "via": "traveller_id", "column": "trips_chosen",
                                    "hidden": True}
    pick = travellers["trips_chosen"]
    assert pick["kind"] == "choice" and pick["given"] == "party" and set(pick["cases"]) == {"alone", "family"}
    assert max(pick["cases"]["family"], key=pick["cases"]["family"].get) == 4
    assert max(pick["cases"]["alone"], key=pick["cases"]["alone"].get) == 1


def test_an_absent_dependency_is_not_invented(tmp_path: Path) -> None:
    rng = np.random.default_rng(17)
    travellers = pd.DataFrame({"traveller_id": np.arange(1, TRAVELLERS + 1),
                               "party": rng.choice(["alone", "family"], TRAVELLERS)})
    rows = TRAVELLERS * MODES
    picks = np.repeat(rng.choice(np.arange(1, MODES + 1), TRAVELLERS, p=PICKED), MODES)
    trips = pd.DataFrame({"traveller_id": np.repeat(travellers["traveller_id"], MODES),
                          "mode": np.tile(np.arange(1, MODES + 1), TRAVELLERS),
                          "code": rng.integers(1, 5, rows),
                          "wait": np.round(rng.gamma(4, 10, rows)).astype(int),
                          "cost": np.round(rng.normal(50, 10, rows), 1),
                          "flag": (rng.random(rows) < 0.25).astype(int)})
    trips["chosen"] = (picks == trips["mode"]).astype(int)  # one per traveller, whatever the party
    _, spec = _write(tmp_path, travellers, trips)
    columns = spec["tables"]["trips"]["columns"]
    assert not [name for name, column in columns.items() if "given" in column]
    assert "given" not in spec["tables"]["travellers"]["columns"]["trips_chosen"]
    assert columns["flag"]["kind"] == "choice"  # some travellers flag none or several: no pick


def test_a_small_integer_code_is_a_given_of_the_columns_after_it(tmp_path: Path) -> None:
    rng = np.random.default_rng(18)
    rows = 800
    code = rng.integers(1, 5, rows)
    frame = pd.DataFrame({"reading": np.round(rng.normal(10, 1, rows), 2), "code": code,
                          "wait": np.round(WAIT[code - 1] + rng.normal(0, 3, rows), 1)})
    frame["reading"] += np.where(code == 4, 5.0, 0.0)  # before the code: no case on it
    folder = tmp_path / "codes"
    folder.mkdir()
    frame.to_csv(folder / "rows.csv", index=False)
    text = infer(folder)
    columns = load_document(text)[0]["tables"]["rows"]["columns"]
    assert columns["wait"]["given"] == "code" and "given" not in columns["reading"]
    made = rulegen.generate(text, seed=3)["rows"]
    means = made.groupby("code")["wait"].mean().to_numpy()
    assert means == pytest.approx(WAIT, abs=2)


def test_a_code_is_a_given_of_a_category_after_it_and_no_cycle_is_made(tmp_path: Path) -> None:
    rng = np.random.default_rng(19)
    rows = 900
    code = rng.integers(1, 5, rows)
    # The label follows the code; the code, drawn first, cannot then be given the label.
    label = np.where(rng.random(rows) < 0.85, np.array(["a", "b", "c", "d"])[code - 1],
                     rng.choice(["a", "b", "c", "d"], rows))
    folder = tmp_path / "codes"
    folder.mkdir()
    pd.DataFrame({"code": code, "label": label}).to_csv(folder / "rows.csv", index=False)
    text = infer(folder)
    columns = load_document(text)[0]["tables"]["rows"]["columns"]
    assert columns["label"]["given"] == "code" and "given" not in columns["code"]
    made = rulegen.generate(text, seed=4)["rows"]
    agree = (made["label"] == np.array(["a", "b", "c", "d"])[made["code"] - 1]).mean()
    assert agree == pytest.approx(0.85 + 0.15 / 4, abs=0.05)


def test_no_pick_when_the_counts_vary(tmp_path: Path) -> None:
    rng = np.random.default_rng(20)
    counts = rng.integers(2, 6, TRAVELLERS)
    who = np.repeat(np.arange(1, TRAVELLERS + 1), counts)
    number = np.concatenate([np.arange(1, c + 1) for c in counts])
    first = (number == 1).astype(int)  # one per traveller, but a pick could pass a traveller's count
    travellers = pd.DataFrame({"traveller_id": np.arange(1, TRAVELLERS + 1)})
    trips = pd.DataFrame({"traveller_id": who, "leg": number, "first": first})
    _, spec = _write(tmp_path, travellers, trips)
    assert spec["tables"]["trips"]["columns"]["first"]["kind"] != "expr"


def _nests(rng: np.random.Generator, nests: int, missing: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nests of two birds, one male and one female (the male first in 80 % of nests), each
    bird's sex missing with probability ``missing``."""
    male_first = rng.random(nests) < 0.8
    sex = np.where(np.repeat(male_first, 2) == np.tile([True, False], nests), "MALE", "FEMALE").astype(object)
    sex[rng.random(2 * nests) < missing] = None
    birds = pd.DataFrame({"nest_id": np.repeat(np.arange(1, nests + 1), 2), "bird": np.tile([1, 2], nests),
                          "sex": sex, "mass": np.round(rng.normal(4000, 300, 2 * nests))})
    nests_frame = pd.DataFrame({"nest_id": np.arange(1, nests + 1)})
    return nests_frame, birds


def _write_nests(folder: Path, nests: pd.DataFrame, birds: pd.DataFrame) -> tuple[str, dict]:
    nests.to_csv(folder / "nests.csv", index=False)
    birds.to_csv(folder / "birds.csv", index=False)
    text = infer(folder)
    return text, load_document(text)[0]


def test_one_of_each_per_parent_is_a_pick_though_some_values_are_missing(tmp_path: Path) -> None:
    # palmerpenguins' nests: one male and one female bird each, 3 % of the sexes not told.
    nests, birds = _nests(np.random.default_rng(24), 200, 0.03)
    text, spec = _write_nests(tmp_path, nests, birds)
    sex = spec["tables"]["birds"]["columns"]["sex"]
    assert sex["expr"] in ("if(bird == sex_pick, 'MALE', 'FEMALE')", "if(bird == sex_pick, 'FEMALE', 'MALE')")
    assert sex["null"] == pytest.approx(0.03, abs=0.02)
    made = rulegen.generate(text, seed=5)["birds"]
    told = made.dropna(subset=["sex"])
    males = told[told["sex"] == "MALE"].groupby("nest_id").size()
    assert males.max() == 1  # never two males in a nest
    assert (told[told["bird"] == 1]["sex"] == "MALE").mean() == pytest.approx(0.8, abs=0.08)
    assert made["sex"].isna().mean() == pytest.approx(0.03, abs=0.03)


def test_a_column_mostly_missing_is_no_pick(tmp_path: Path) -> None:
    # Nearly every nest has a bird whose sex is missing: one value per nest could be chance.
    nests, birds = _nests(np.random.default_rng(25), 60, 0.6)
    _, spec = _write_nests(tmp_path, nests, birds)
    assert spec["tables"]["birds"]["columns"]["sex"]["kind"] == "choice"
