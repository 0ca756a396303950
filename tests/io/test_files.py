"""Writers: every format round-trips, and a failed run leaves no file behind."""

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

import rulegen
from rulegen.errors import GenerationError

SPEC = """
version: 1
seed: 3
tables:
  people:
    rows: 300
    primary_key: id
    columns:
      id: {kind: sequence}
      name: {kind: pattern, pattern: "[A-Z][a-z]{3,8}"}
      born: {kind: date, min: 1950-01-01, max: 2000-12-31}
      seen: {kind: timestamp, min: 2024-01-01, max: 2024-12-31}
      score: {kind: normal, loc: 10, scale: 2, round: 3, null: 0.2}
      active: {kind: bool}
      note: {kind: choice, values: ['say "hi"', "a,b", "line\\nbreak", "naïve"]}
  other:
    rows: 5
    columns:
      x: {kind: integers, low: 1, high: 3}
"""


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_formats_round_trip(tmp_path, fmt):
    expected = rulegen.generate(SPEC)["people"]
    paths = rulegen.write(SPEC, tmp_path, fmt)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"other.{fmt}", f"people.{fmt}"]
    path = paths["people"]
    if fmt == "parquet":
        frame = pq.read_table(path).to_pandas()
    elif fmt == "csv":
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    else:
        frame = pd.DataFrame([json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()])
    assert list(frame.columns) == list(expected.columns)
    assert frame["id"].tolist() == expected["id"].tolist()
    assert frame["name"].tolist() == expected["name"].tolist()
    assert frame["note"].tolist() == expected["note"].tolist()
    assert frame["score"].isna().tolist() == expected["score"].isna().tolist()
    assert [str(v)[:10] for v in frame["born"]] == [str(v) for v in expected["born"]]


def test_csv_values_are_plain_text(tmp_path):
    rulegen.write(SPEC, tmp_path, "csv")
    header, first = (tmp_path / "people.csv").read_text(encoding="utf-8").splitlines()[:2]
    assert header == '"id","name","born","seen","score","active","note"'
    assert first.split(",")[0] == "1"


def test_failed_run_leaves_no_files(tmp_path):
    spec = SPEC + """
  impossible:
    rows: 10
    columns:
      a: {kind: integers, low: 1, high: 10}
    constraints:
      - "a > 100"
"""
    with pytest.raises(GenerationError):
        rulegen.write(spec, tmp_path, "parquet")
    assert list(tmp_path.iterdir()) == []


def test_existing_files_survive_a_failed_run(tmp_path):
    rulegen.write(SPEC, tmp_path, "csv")
    before = (tmp_path / "people.csv").read_bytes()
    spec = SPEC.replace("rows: 300", "rows: 301").replace("x: {kind: integers, low: 1, high: 3}",
                                                         "x: {kind: integers, low: 1, high: 3, unique: true}")
    with pytest.raises(rulegen.SpecError):
        rulegen.write(spec, tmp_path, "csv")
    assert (tmp_path / "people.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.csv", "people.csv"]
