"""`rulegen compare`: distances, correlations, relations, privacy, the score, text and HTML reports."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

from rulegen.fidelity.compare import compare
from rulegen.fidelity.compare_commands import compare as compare_command
from rulegen.fidelity.datafiles import write_table

N = 2000


def _real(seed: int = 7) -> dict[str, pd.DataFrame]:
    """Customers with five strongly correlated numeric and date columns, a category, free text,
    and orders referring to them."""
    rng = np.random.default_rng(seed)
    x = rng.normal(50, 10, N)
    customers = pd.DataFrame({
        "id": np.arange(1, N + 1),
        "x": x,
        "y": 2 * x + rng.normal(0, 3, N),
        "z": -x + rng.normal(0, 4, N),
        "k": np.rint(x / 5 + rng.normal(0, 0.5, N)).astype(np.int64),
        "seen": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.rint(x * 3 + rng.normal(0, 5, N)), unit="D"),
        "c": rng.choice(["a", "b", "c", "d"], N, p=[0.4, 0.3, 0.2, 0.1]),
        "name": ["".join(rng.choice(list("abcdefgh"), 4 + i % 9)) for i in range(N)],
    })
    customers.loc[rng.random(N) < 0.1, "y"] = np.nan
    orders = pd.DataFrame({
        "order_id": np.arange(1, 3 * N + 1),
        "customer_id": rng.integers(1, N + 1, 3 * N),
        "amount": np.round(rng.gamma(2.0, 40.0, 3 * N), 2),
    })
    return {"customers": customers, "orders": orders}


def _shuffled(frames: dict[str, pd.DataFrame], seed: int = 1) -> dict[str, pd.DataFrame]:
    """Each column permuted on its own: same marginals, relationships gone."""
    rng = np.random.default_rng(seed)
    return {name: pd.DataFrame({c: rng.permutation(frame[c].to_numpy()) for c in frame})
            for name, frame in frames.items()}


def _write(frames: dict[str, pd.DataFrame], folder: Path, fmt: str) -> Path:
    for name, frame in frames.items():
        write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / f"{name}.{fmt}")
    return folder


@pytest.fixture(scope="module")
def real() -> dict[str, pd.DataFrame]:
    return _real()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_data_compared_with_itself_scores_1_and_fails_privacy(tmp_path, real, fmt):
    folder = _write(real, tmp_path / "real", fmt)
    result = compare(folder, folder)
    assert result.score == pytest.approx(1.0)
    kinds = {c.column: c.kind for c in result.tables[0].columns}
    assert kinds == {"id": "key", "x": "numeric", "y": "numeric", "z": "numeric", "k": "numeric",
                     "seen": "datetime", "c": "categorical", "name": "text"}
    scored = [c for t in result.tables for c in t.columns if c.distance is not None]
    assert len(scored) == 8
    assert all(c.distance == 0 for c in scored)
    assert result.column("customers", "c").coverage == 1.0
    assert [r.label for r in result.relations] == ["orders.customer_id -> customers.id"]
    assert result.relations[0].distance == 0
    # Every synthetic row is a real row: the privacy check must fail, loudly.
    for table in result.tables:
        assert table.privacy.copies == 1.0
        assert table.privacy.dcr_p05 == 0
        assert not table.privacy.ok
    assert not result.privacy_ok
    assert "privacy FAILED" in result.render()


def test_shuffled_columns_keep_marginals_but_lose_correlation(real):
    same = compare(real, real)
    result = compare(real, _shuffled(real))
    assert all(c.distance == pytest.approx(0.0) for t in result.tables for c in t.columns if c.distance is not None)
    corr = result.tables[0].correlation
    assert corr.columns == ("x", "y", "z", "k", "seen")
    assert corr.max_abs > 0.9
    assert corr.mean_abs > 0.6
    assert result.correlation_term < 0.4
    assert result.score < 0.4 < same.score - 0.5
    customers = result.tables[0]
    assert customers.privacy.copies == 0.0 and customers.privacy.ok


def test_shifted_column_has_a_high_ks(real):
    shifted = {name: frame.copy() for name, frame in real.items()}
    shifted["customers"]["x"] += 10.0  # one standard deviation
    result = compare(real, shifted)
    assert result.column("customers", "x").distance > 0.35
    assert result.column("customers", "y").distance == 0
    assert result.column("customers", "x").synth.mean == pytest.approx(result.column("customers", "x").real.mean + 10)
    assert result.correlation_term == pytest.approx(1.0)
    assert 0.9 < result.score < 0.97


def test_a_fresh_sample_of_the_same_population_scores_high_and_keeps_privacy(real):
    result = compare(real, _real(seed=8))
    assert result.score > 0.9
    assert result.correlation_term > 0.97
    assert all(c.distance < 0.1 for t in result.tables for c in t.columns if c.distance is not None)
    assert result.relations[0].distance < 0.1
    assert result.privacy_ok, result.render()


def test_near_copies_fail_the_distance_to_closest_record(real):
    rng = np.random.default_rng(5)
    jittered = real["customers"].copy()
    for column in ("x", "y", "z"):
        jittered[column] += rng.normal(0, 0.001, N)
    privacy = compare({"customers": real["customers"]}, {"customers": jittered}).tables[0].privacy
    assert privacy.copies == 0.0
    assert privacy.dcr_p05 < 0.5 * privacy.baseline_p05
    assert not privacy.ok
    assert "distance to the closest real row" in privacy.problems[0]


def test_categories_report_coverage_and_novel_values(real):
    synth = {name: frame.copy() for name, frame in real.items()}
    synth["customers"]["c"] = synth["customers"]["c"].replace({"d": "e"})
    column = compare(real, synth).column("customers", "c")
    assert column.coverage == 0.75
    assert column.novel == pytest.approx((real["customers"]["c"] == "d").mean())
    assert column.distance == pytest.approx(column.novel)


def test_relations_compare_children_per_parent(real):
    synth = {name: frame.copy() for name, frame in real.items()}
    counts = np.random.default_rng(3).integers(1, 101, 3 * N)  # all orders on the first 100 customers
    synth["orders"]["customer_id"] = counts
    relation = compare(real, synth).relations[0]
    assert relation.distance > 0.9
    assert relation.synth.childless == pytest.approx(0.95)
    assert relation.synth.orphans == 0.0
    synth["orders"]["customer_id"] += N  # now none has a parent
    assert compare(real, synth).relations[0].synth.orphans == 1.0


def test_missing_column_counts_as_distance_1(real):
    synth = {name: frame.drop(columns=["c"]) if name == "customers" else frame for name, frame in real.items()}
    result = compare(real, synth)
    assert result.column("customers", "c").distance == 1.0
    assert result.columns_term == pytest.approx(8 / 9)


def test_text_report_has_one_line_per_column_and_a_score(real):
    text = compare(real, _shuffled(real)).render()
    lines = text.splitlines()
    for table, frame in real.items():
        for column in frame:
            assert sum(line.strip().startswith(f"{table}.{column} ") for line in lines) == 1
    assert lines[-1].startswith("score 0.")
    assert "x correlation" in lines[-1]
    assert any(line.startswith("relation orders.customer_id -> customers.id") for line in lines)


def test_cli_prints_the_report_and_honours_min_score(tmp_path, real):
    real_dir = _write(real, tmp_path / "real", "parquet")
    synth_dir = _write(_shuffled(real), tmp_path / "synth", "csv")
    runner = CliRunner()
    ok = runner.invoke(compare_command, [str(real_dir), str(synth_dir)])
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines()[-1].startswith("score ")
    low = runner.invoke(compare_command, [str(real_dir), str(synth_dir), "--min-score", "0.9"])
    assert low.exit_code == 1
    assert "is below --min-score 0.9" in low.output
    same = runner.invoke(compare_command, [str(real_dir), str(real_dir), "--min-score", "0.99"])
    assert same.exit_code == 0
    private = runner.invoke(compare_command, [str(real_dir), str(real_dir), "--fail-on-privacy"])
    assert private.exit_code == 1


@pytest.mark.parametrize("case", ["missing", "no_common_table", "bad_file"])
def test_cli_errors_are_one_line(tmp_path, real, case):
    real_dir = _write(real, tmp_path / "real", "csv")
    if case == "missing":
        other = tmp_path / "nowhere"
    elif case == "no_common_table":
        other = _write({"products": real["orders"], "shipments": real["orders"]}, tmp_path / "other", "csv")
    else:
        other = tmp_path / "bad.parquet"
        other.write_text("not parquet")
    result = CliRunner().invoke(compare_command, [str(real_dir), str(other)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("rulegen compare: ")


def test_single_files_with_different_names_are_paired(tmp_path, real):
    a = tmp_path / "real.csv"
    b = tmp_path / "fake.parquet"
    write_table(pa.Table.from_pandas(real["orders"]), a)
    write_table(pa.Table.from_pandas(real["orders"]), b)
    result = compare(a, b)
    assert result.score == pytest.approx(1.0)
    assert result.notes == ("compared real table real with synthetic table fake",)


# -- HTML ---------------------------------------------------------------------------------------

PLOTTED = 7 + 1  # customers: x, y, z, k, seen, c, name, plus orders.amount
HEATMAPS = 1  # customers (orders has one numeric column)
RELATIONS = 1
PAIRS = 1  # customers: the categorical-numeric pair that differs most (c is its only category)
IMG = '<img src="data:image/png;base64,'


@pytest.fixture(scope="module")
def report(tmp_path_factory, real) -> Path:
    from rulegen.fidelity.report import write_html

    path = tmp_path_factory.mktemp("report") / "report.html"
    write_html(compare(real, _shuffled(real)), path)
    return path


def test_html_embeds_one_image_per_plotted_column(report):
    text = report.read_text(encoding="utf-8")
    assert text.count(IMG) == PLOTTED + HEATMAPS + RELATIONS + PAIRS
    assert text.count('alt="histogram of ') == 7  # numbers, dates and text lengths
    assert text.count('alt="bar chart of ') == 1
    assert text.count('alt="correlation heatmaps of ') == HEATMAPS
    assert text.count('alt="means of customers.') == PAIRS
    assert "<script" not in text and "http" not in text  # nothing to fetch, nothing to run


def test_cli_writes_the_html_report(tmp_path, real):
    real_dir = _write(real, tmp_path / "real", "parquet")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(compare_command, [str(real_dir), str(real_dir), "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count(IMG) == PLOTTED + HEATMAPS + RELATIONS + PAIRS


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium) to render the report")
def test_html_report_renders_in_headless_chromium(tmp_path, report):
    import matplotlib.image

    shot = tmp_path / "out.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1200,2000", report.resolve().as_uri()],
                   check=True, capture_output=True, timeout=180, cwd=tmp_path)
    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (2000, 1200)
    assert pixels.reshape(-1, 3).std(axis=0).max() > 0.05  # not a blank page

    def near(rgb: tuple[int, int, int]) -> np.ndarray:
        return (np.abs(pixels * 255 - np.array(rgb)).max(axis=2) < 40)

    # The real (blue, filled at half opacity) and synthetic (orange) series exist only in the plots.
    blue, orange = near((143, 187, 217)) | near((31, 119, 180)), near((255, 127, 14))
    assert blue.sum() > 2000 and orange.sum() > 200
    rows, cols = np.nonzero(blue)
    region = pixels[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    assert region.reshape(-1, 3).std(axis=0).mean() > 0.1  # the plots are pictures, not flat boxes


def test_compare_reads_nulls_as_infer_does(tmp_path):
    """`NA` in a real CSV is a null to `infer`, which writes a null rate; `compare` reads it alike,
    so the generated nulls (empty fields) match it instead of a category `NA`."""
    real, made = tmp_path / "real", tmp_path / "made"
    real.mkdir()
    made.mkdir()
    for folder, values in [(real, ["DE", "NA", "FR", "null"]), (made, ["DE", "", "FR", ""])]:
        (folder / "t.csv").write_text("id,country\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values * 50)))
    column = compare(real, made).column("t", "country")
    assert column.distance == pytest.approx(0.0) and column.coverage == pytest.approx(1.0)


def test_html_report_of_a_table_of_no_rows(tmp_path):
    # The joint shares of two categories of no rows: drawing them raised "zero-size array".
    pytest.importorskip("matplotlib")
    folder = tmp_path / "real"
    folder.mkdir()
    pd.DataFrame({"a": pd.Series([], dtype=str), "b": pd.Series([], dtype=str)}).to_csv(folder / "t.csv", index=False)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(compare_command, [str(folder), str(folder), "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("<!DOCTYPE html>")
