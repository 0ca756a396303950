"""`rulegen compare` judges what models learn: category pairs, category-number pairs, efficacy,
parent effects; and reads awkward data (constant columns, booleans however written, columns
named like keys that are not) without inventing anything."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rulegen import load
from rulegen.fidelity.associations import correlation_ratio, cramers_v
from rulegen.fidelity.compare import compare
from rulegen.fidelity.compare_commands import compare as compare_command
from rulegen.fidelity.datafiles import write_table
from rulegen.fidelity.references import parent_effect

N = 1500


def _penguins(seed: int, linked: bool = True) -> pd.DataFrame:
    """Species decides island and bill length when ``linked``; drawn independently otherwise,
    with the same marginals."""
    rng = np.random.default_rng(seed)
    species = rng.choice(["Adelie", "Gentoo", "Chinstrap"], N, p=[0.45, 0.35, 0.2])
    home = {"Adelie": "Torgersen", "Gentoo": "Biscoe", "Chinstrap": "Dream"}
    mean = {"Adelie": 38.0, "Gentoo": 47.5, "Chinstrap": 49.0}
    driver = species if linked else rng.permutation(species)
    island = np.array([home[s] if rng.random() < 0.9 else "Dream" for s in driver])
    bill = np.array([mean[s] for s in (species if linked else rng.permutation(species))]) + rng.normal(0, 1.5, N)
    mass = rng.normal(4200, 400, N)
    return pd.DataFrame({"species": species, "island": island, "bill": bill, "mass": mass})


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    return _penguins(1)


def test_a_planted_category_pair_scores_high_and_its_removal_low(real):
    kept = compare(real, _penguins(2)).tables[0]
    lost = compare(real, _penguins(2, linked=False)).tables[0]
    pair = {(p.a, p.b): p for p in kept.categorical_pairs}[("species", "island")]
    gone = {(p.a, p.b): p for p in lost.categorical_pairs}[("species", "island")]
    assert pair.similarity > 0.95 and pair.real_v > 0.8 and pair.synth_v > 0.8
    assert gone.similarity < 0.6 and gone.synth_v < 0.1
    # The columns alone look the same either way: only the pair tells.
    assert compare(real, _penguins(2, linked=False)).columns_term > 0.95


def test_a_planted_category_number_link_is_measured_by_the_correlation_ratio(real):
    kept = {(p.category, p.number): p for p in compare(real, _penguins(2)).tables[0].mixed_pairs}
    lost = {(p.category, p.number): p for p in compare(real, _penguins(2, linked=False)).tables[0].mixed_pairs}
    assert kept[("species", "bill")].real_eta > 0.9
    assert kept[("species", "bill")].similarity > 0.97
    assert lost[("species", "bill")].synth_eta < 0.1
    assert lost[("species", "bill")].similarity < 0.2
    # No link in the real data: none is credited, none is missed.
    assert kept[("species", "mass")].real_eta < 0.1 and kept[("species", "mass")].similarity > 0.9


def test_the_association_term_enters_the_score(real):
    kept, lost = compare(real, _penguins(2)), compare(real, _penguins(2, linked=False))
    assert kept.association_term > 0.9
    assert lost.association_term < 0.7
    assert lost.score < kept.score - 0.25
    assert "category pairs: contingency similarity" in lost.render()
    assert "species -> bill eta" in lost.render()


def test_cramers_v_and_eta_on_known_tables():
    assert cramers_v(np.array([[50.0, 0.0], [0.0, 50.0]])) == pytest.approx(1.0)
    assert cramers_v(np.array([[25.0, 25.0], [25.0, 25.0]])) == pytest.approx(0.0)
    assert cramers_v(np.array([[10.0, 5.0]])) == 0.0
    groups = np.array(["a"] * 5 + ["b"] * 5, dtype=object)
    assert correlation_ratio(groups, np.array([1.0] * 5 + [3.0] * 5)) == pytest.approx(1.0)
    assert correlation_ratio(groups, np.array([1.0, 3.0] * 5)) == pytest.approx(0.0, abs=0.25)
    assert correlation_ratio(groups, np.full(10, 2.0)) == 0.0


# -- machine-learning efficacy -------------------------------------------------------------------

def test_efficacy_of_a_faithful_synthesis_is_near_1_and_of_an_unlinked_one_low(real):
    pytest.importorskip("sklearn")
    good = compare(real, _penguins(2), targets=["species"]).tables[0].efficacy[0]
    bad = compare(real, _penguins(2, linked=False), targets=["data.species"]).tables[0].efficacy[0]
    assert good.task == "classification" and good.metric == "accuracy"
    assert good.real_score > 0.9 and good.ratio > 0.95
    assert bad.ratio < 0.75
    assert good.test_rows == round(N * 0.3)
    regression = compare(real, _penguins(2), targets=["bill"]).tables[0].efficacy[0]
    assert regression.metric == "R2" and regression.real_score > 0.8 and regression.ratio > 0.9


def test_efficacy_tests_on_the_holdout_when_given(real):
    pytest.importorskip("sklearn")
    result = compare(real, _penguins(2), targets=["species"], holdout=_penguins(3))
    efficacy = result.tables[0].efficacy[0]
    assert efficacy.test_rows == N
    assert result.efficacy_term == pytest.approx(efficacy.ratio)
    assert "efficacy predicting species" in result.render()


@pytest.mark.parametrize(("target", "message"), [
    ("wings", "no such column"),
    ("nowhere.species", "no such column"),  # one table: a dotted name is a column name
])
def test_bad_targets_are_one_line_errors(tmp_path, real, target, message):
    path = tmp_path / "p.csv"
    write_table(_table(real), path)
    result = CliRunner().invoke(compare_command, [str(path), str(path), "--target", target])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def _table(frame: pd.DataFrame):
    import pyarrow as pa

    return pa.Table.from_pandas(frame, preserve_index=False)


# -- parent effect -------------------------------------------------------------------------------

def _panel(seed: int, inherit: bool) -> dict[str, pd.DataFrame]:
    """Firms and their yearly rows; each firm's size sets its rows' sales when ``inherit``."""
    rng = np.random.default_rng(seed)
    firms = pd.DataFrame({"id": np.arange(1, 301), "size": rng.lognormal(3, 1, 300)})
    firm = np.repeat(firms["id"].to_numpy(), 5)
    level = np.log(firms["size"].to_numpy())[firm - 1] if inherit else rng.normal(3, 1, firm.size)
    years = pd.DataFrame({"firm_id": firm, "year": np.tile(np.arange(2000, 2005), 300),
                          "sales": level + rng.normal(0, 0.3, firm.size)})
    return {"firms": firms, "years": years}


def test_parent_effect_is_measured_on_both_sides():
    real = _panel(1, inherit=True)
    kept = compare(real, _panel(2, inherit=True)).relations[0]
    lost = compare(real, _panel(2, inherit=False)).relations[0]
    assert kept.label == "years.firm_id -> firms.id"
    effects = {e.column: e for e in kept.effects}
    assert effects["sales"].real > 0.85 and effects["sales"].difference < 0.05
    assert effects["year"].real < 0.05  # the same years under every firm: the parent explains none of it
    sales = {e.column: e for e in lost.effects}["sales"]
    assert sales.synth < 0.05 and sales.difference > 0.8
    assert compare(real, _panel(2, inherit=False)).association_term < 0.8
    assert "parent effect of years.firm_id -> firms.id on sales" in compare(real, _panel(2, True)).render()


def test_parent_effect_is_adjusted_for_small_groups():
    rng = np.random.default_rng(4)
    groups = np.repeat(np.arange(500), 2).astype(object)
    assert parent_effect(groups, rng.normal(size=1000)) == pytest.approx(0.0, abs=0.1)
    assert parent_effect(np.arange(10).astype(object), rng.normal(size=10)) is None  # one child per parent


# -- reading awkward data ------------------------------------------------------------------------

def test_a_constant_column_is_compared_and_plotted(tmp_path):
    frame = pd.DataFrame({"when": pd.to_datetime(["2024-01-01"] * 50), "big": np.full(50, 1e17),
                          "x": np.arange(50.0), "flag": ["a"] * 50})
    result = compare(frame, frame)
    assert result.column("data", "when").distance == 0
    from rulegen.fidelity.report import write_html

    text = write_html(result, tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'alt="histogram of data.when"' in text and 'alt="histogram of data.big"' in text


@pytest.mark.parametrize(("real", "synth"), [
    (["t", "f", "t"], [True, False, True]),
    (["true", "false", "true"], ["T", "F", "T"]),
    (["yes", "no", "yes"], [1, 0, 1]),
    ([1, 0, 1], [True, False, True]),
])
def test_booleans_read_the_same_however_written(real, synth):
    r = pd.DataFrame({"flag": real * 20, "x": np.arange(60.0)})
    s = pd.DataFrame({"flag": synth * 20, "x": np.arange(60.0)})
    column = compare(r, s).column("data", "flag")
    assert column.kind == "categorical" and column.distance == 0 and column.coverage == 1.0


def test_a_column_named_like_a_key_is_scored_unless_the_data_makes_it_one():
    rng = np.random.default_rng(3)
    regions = pd.DataFrame({"id": np.arange(1, 11), "area": rng.normal(size=10)})
    shops = pd.DataFrame({"shop_id": np.arange(1, 201), "region_id": rng.integers(1, 11, 200),
                          "customers_id": rng.integers(500, 900, 200)})
    real = {"regions": regions, "shops": shops}
    result = compare(real, real)
    kinds = {c.column: c.kind for c in result.tables[1].columns}
    assert kinds["shop_id"] == "key"  # unique, never null, named as an identifier
    assert kinds["region_id"] == "key"  # a reference: named for regions.id, and every value is one
    assert kinds["customers_id"] != "key"  # named like a reference, but to no table: scored
    assert [r.label for r in result.relations] == ["shops.region_id -> regions.id"]
    # A name is not enough: values outside the parent's keys make no reference.
    shops2 = shops.assign(region_id=shops["region_id"] + 5)
    assert compare({"regions": regions, "shops": shops2}, real).relations == ()


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium) to render the report")
def test_the_pair_plots_render_in_headless_chromium(tmp_path, real):
    import matplotlib.image

    from rulegen.fidelity.report import write_html

    report = write_html(compare(real, _penguins(2, linked=False)), tmp_path / "pairs.html")
    text = report.read_text(encoding="utf-8")
    assert text.count('alt="joint shares of data.') == 1 and text.count('alt="means of data.') == 1
    shot = tmp_path / "out.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1200,3000", report.resolve().as_uri()],
                   check=True, capture_output=True, timeout=180, cwd=tmp_path)
    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (3000, 1200)
    # The joint shares are drawn in blues (real) and oranges (synthetic): both appear.
    blue = (pixels[..., 2] - pixels[..., 0] > 0.3).sum()
    orange = (pixels[..., 0] - pixels[..., 2] > 0.3).sum()
    assert blue > 2000 and orange > 2000


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 6), st.integers(2, 5), st.floats(0.0, 1.0))
def test_pair_measures_stay_in_0_1_and_equal_1_on_identical_data(seed, ka, kb, link):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, ka, 200)
    b = np.where(rng.random(200) < link, a % kb, rng.integers(0, kb, 200))
    x = a * link + rng.normal(size=200)
    frame = pd.DataFrame({"a": a.astype(str), "b": b.astype(str), "x": x, "g": rng.integers(0, 20, 200).astype(float)})
    other = frame.sample(frac=1.0, random_state=seed % 1000).reset_index(drop=True)
    same = compare(frame, frame).tables[0]
    assert all(p.similarity == pytest.approx(1.0) for p in (*same.categorical_pairs, *same.mixed_pairs))
    for p in compare(frame, other).tables[0].categorical_pairs:
        assert 0.0 <= p.similarity <= 1.0 + 1e-12 and 0.0 <= p.real_v <= 1.0 and 0.0 <= p.synth_v <= 1.0
    assert 0.0 <= correlation_ratio(frame["a"].to_numpy(dtype=object), x) <= 1.0
    effect = parent_effect(frame["a"].to_numpy(dtype=object), x)
    assert effect is None or 0.0 <= effect <= 1.0


SPEC = """\
version: 1
tables:
  customers:
    rows: 100
    primary_key: id
    columns:
      id: {kind: sequence}
  sales:
    rows: 300
    columns:
      buyer: {kind: ref, to: customers.id}
      seller: {kind: ref, to: customers.id}
"""


def test_references_declared_by_a_spec_need_no_matching_name(tmp_path):
    rng = np.random.default_rng(8)
    customers = pd.DataFrame({"id": np.arange(1, 101)})
    sales = pd.DataFrame({"buyer": rng.integers(1, 101, 300), "seller": rng.integers(90, 131, 300)})
    real = {"customers": customers, "sales": sales}
    assert compare(real, real).relations == ()  # no name says so
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    result = compare(real, real, spec=load(spec))
    assert [r.label for r in result.relations] == ["sales.buyer -> customers.id"]
    assert any("sales.seller -> customers.id is not compared: some real values" in n for n in result.notes)
    assert result.column("sales", "buyer").kind == "key" and result.column("sales", "seller").kind != "key"
    folder = tmp_path / "real"
    for name, frame in real.items():
        write_table(_table(frame), folder / f"{name}.csv")
    cli = CliRunner().invoke(compare_command, [str(folder), str(folder), "--spec", str(spec)])
    assert cli.exit_code == 0, cli.output
    assert "relation sales.buyer -> customers.id" in cli.output
