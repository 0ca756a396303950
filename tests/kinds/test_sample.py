"""`sample`: bootstrap draws from real data, whole rows with `sample_rows`, and jitter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

import rulegen
from rulegen.errors import SpecError


@pytest.fixture
def people(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    n = 3000
    height = rng.normal(170, 10, n).round(1)
    frame = pd.DataFrame({"height": height, "weight": (height * 0.9 - 90 + rng.normal(0, 4, n)).round(1),
                          "city": rng.choice(["Oslo", "Lima", "Pune"], n, p=[0.5, 0.3, 0.2]),
                          "score": rng.integers(10, 100, n)})
    frame.loc[::10, "city"] = None
    (tmp_path / "data").mkdir()
    frame.to_csv(tmp_path / "data" / "people.csv", index=False)
    frame.to_parquet(tmp_path / "data" / "people.parquet")
    return tmp_path


def spec(folder: Path, body: str) -> Path:
    path = folder / "spec.yaml"
    path.write_text("version: 1\nseed: 5\ntables:\n  p:\n    rows: 20000\n" + body)
    return path


@pytest.mark.parametrize("source", ["data/people.csv", "data/people.parquet"])
def test_sample_rows_keep_the_joint_distribution(people: Path, source: str) -> None:
    path = spec(people, f"    sample_rows: {{from: {source}}}\n    columns:\n      height: {{kind: sample}}\n"
                        "      weight: {kind: sample}\n      town: {kind: sample, column: city}\n")
    made = rulegen.generate(path)["p"]
    real = pd.read_csv(people / "data" / "people.csv")
    pairs = set(zip(real.height, real.weight, strict=True))
    assert all(pair in pairs for pair in zip(made.height, made.weight, strict=True)), "whole rows, never mixed"
    assert made.height.corr(made.weight) == pytest.approx(real.height.corr(real.weight), abs=0.02)
    assert made.town.isna().mean() == pytest.approx(0.1, abs=0.01), "nulls of the source come along"
    shares = made.town.value_counts(normalize=True)
    assert shares["Oslo"] / shares["Pune"] == pytest.approx(2.5, rel=0.1)


def test_independent_columns_bootstrap_each_marginal(people: Path) -> None:
    path = spec(people, "    columns:\n      h: {kind: sample, from: data/people.csv, column: height}\n"
                        "      w: {kind: sample, from: data/people.csv, column: weight}\n")
    made = rulegen.generate(path)["p"]
    real = pd.read_csv(people / "data" / "people.csv")
    assert st.ks_2samp(made.h, real.height).pvalue > 1e-3
    assert abs(made.h.corr(made.w)) < 0.03, "without sample_rows, columns are drawn independently"


def test_jitter_moves_numbers_within_the_declared_band(people: Path) -> None:
    path = spec(people, "    columns:\n      s: {kind: sample, from: data/people.csv, column: score, jitter: 0.1}\n")
    made = rulegen.generate(path)["p"].s
    assert made.dtype == np.int64
    assert made.between(9, 110).all() and not made.isin(range(10, 100)).all()
    assert made.mean() == pytest.approx(54.5, rel=0.03)


def test_sampled_data_checks_clean(people: Path, tmp_path: Path) -> None:
    path = spec(people, "    sample_rows: {from: data/people.csv}\n    columns:\n      height: {kind: sample}\n"
                        "      town: {kind: sample, column: city}\n"
                        "      s: {kind: sample, from: data/people.csv, column: score, jitter: 0.1}\n")
    rulegen.write(path, tmp_path / "out", "csv")
    assert rulegen.check(path, tmp_path / "out").ok


def test_constraints_redraw_sampled_rows_together(people: Path) -> None:
    path = spec(people, "    sample_rows: {from: data/people.csv}\n    columns:\n      height: {kind: sample}\n"
                        "      weight: {kind: sample}\n    constraints: [\"height > 180\"]\n")
    made = rulegen.generate(path)["p"]
    real = pd.read_csv(people / "data" / "people.csv")
    assert (made.height > 180).all()
    pairs = set(zip(real.height, real.weight, strict=True))
    assert all(pair in pairs for pair in zip(made.height, made.weight, strict=True))


@pytest.mark.parametrize(("column", "code", "where"), [
    ("{kind: sample, from: ../outside.csv}", "RG226", "/tables/p/columns/x/from"),
    ("{kind: sample, from: /etc/passwd}", "RG226", "/tables/p/columns/x/from"),
    ("{kind: sample, from: data/missing.csv}", "RG226", "/tables/p/columns/x/from"),
    ("{kind: sample, from: data/people.csv, column: heigth}", "RG212", "/tables/p/columns/x/column"),
    ("{kind: sample}", "RG204", "/tables/p/columns/x"),
    ("{kind: sample, from: data/people.csv, column: height, jitter: 2}", "RG203", "/tables/p/columns/x/jitter"),
])
def test_sample_mistakes_are_spec_errors(people: Path, column: str, code: str, where: str) -> None:
    (people / "outside.csv").write_text("a\n1\n")
    path = spec(people / "data", f"    columns:\n      x: {column}\n") if "outside" in column else \
        spec(people, f"    columns:\n      x: {column}\n")
    if "outside" in column:
        (people / "data" / "data").mkdir(exist_ok=True)
    with pytest.raises(SpecError) as info:
        rulegen.compile(path)
    assert [(d.code, d.pointer) for d in info.value.diagnostics] == [(code, where)], info.value.render()


@pytest.mark.parametrize(("data", "where"), [
    (b"value\nab\xffcd\n", "byte 0xff at offset 8 (line 2, byte 3 of the line)"),
    (b"val\xe9ue\nab\n", "byte 0xe9 at offset 3 (line 1, byte 4 of the line)"),  # in the header
    (b"value\nab\n\xe2\x82", "byte 0xe2 at offset 9 (line 3, byte 1 of the line)"),  # cut at the end
])
def test_a_csv_that_is_not_utf8_is_located(tmp_path: Path, data: bytes, where: str) -> None:
    (tmp_path / "data.csv").write_bytes(data)
    with pytest.raises(SpecError) as caught:
        rulegen.compile(spec(tmp_path, "    columns:\n      v: {kind: sample, from: data.csv, column: value}\n"))
    (problem,) = caught.value.diagnostics
    assert problem.code == "RG226" and problem.pointer == "/tables/p/columns/v/from"
    assert f"'data.csv': it is not UTF-8 text: {where} is invalid" in problem.message


def test_utf8_characters_across_chunks_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rulegen.kinds import sample

    monkeypatch.setattr(sample, "_UTF8_CHUNK", 4)  # every € (3 bytes) is cut by some chunk's end
    text = "value\n" + "".join(f"€{i}\n" for i in range(20))
    with pytest.raises(sample.SourceTextError, match=f"offset {len(text.encode()):,} "):
        sample._check_utf8(text.encode() + b"\x80")
    sample._check_utf8(text.encode())  # valid: no error


def test_a_source_column_of_bytes_is_refused(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"blob": pa.array([b"\x00\xff", b"ab"], type=pa.binary())}), tmp_path / "b.parquet")
    with pytest.raises(SpecError) as caught:
        rulegen.compile(spec(tmp_path, "    columns:\n      v: {kind: sample, from: b.parquet, column: blob}\n"))
    (problem,) = caught.value.diagnostics
    assert problem.code == "RG226" and "holds bytes" in problem.message
