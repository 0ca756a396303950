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
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"other.{fmt}", f"people.{fmt}", "rulegen-manifest.json"]
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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.csv", "people.csv", "rulegen-manifest.json"]


ZONED = """
version: 1
seed: 5
tables:
  visits:
    rows: 500
    columns:
      at: {kind: timestamp, min: 2024-03-01, max: 2024-11-30, tz: Europe/Berlin, null: 0.1,
           seasonality: {daily: {peak: "20:00", amplitude: 0.5}}}
      fine: {kind: timestamp, min: 2024-01-01, max: 2024-12-31, tz: America/New_York, precision: us}
      day: {kind: timestamp, min: 2024-01-01, max: 2024-12-31, tz: Asia/Kolkata, precision: day}
"""


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_zoned_and_day_timestamps_round_trip(tmp_path, fmt):
    """Zoned columns are written as instants with their offset (Parquet keeps the zone), and read
    back as the same instants; `rulegen check` accepts the files."""
    expected = rulegen.generate(ZONED)["visits"]
    path = rulegen.write(ZONED, tmp_path, fmt)["visits"]
    if fmt == "parquet":
        table = pq.read_table(path)
        assert table.schema.field("at").type.tz == "Europe/Berlin"
        frame = table.to_pandas()
    elif fmt == "csv":
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
        assert "+01" in path.read_text(encoding="utf-8") or "+02" in path.read_text(encoding="utf-8")
    else:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert json.loads(lines[0])["day"].endswith("T00:00:00+05:30")  # RFC 3339 offsets
        frame = pd.DataFrame([json.loads(line) for line in lines])
    for name in ("at", "fine", "day"):
        got = pd.to_datetime(frame[name], utc=True, format="ISO8601")
        assert got.isna().tolist() == expected[name].isna().tolist()
        assert (got.dropna() == expected[name].dropna().dt.tz_convert("UTC")).all(), name


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_check_accepts_zoned_files(tmp_path, fmt):
    rulegen.write(ZONED, tmp_path, fmt)
    report = rulegen.check(ZONED, tmp_path)
    assert report.ok, report.render()


# A table of one column: a null is its row's only field. An empty line would be skipped by
# pandas and Arrow (losing the row), so it is written `""` and read back as a null.
LONE = """
version: 1
seed: 4
tables:
{tables}
"""
LONE_COLUMNS = {
    "numbers": "{kind: integers, low: 1, high: 9, null: 0.3}",
    "days": "{kind: date, min: 2024-01-01, max: 2024-12-31, null: 0.3}",
    "stamps": "{kind: timestamp, min: 2024-01-01, max: 2024-12-31, tz: Europe/Berlin, null: 0.3}",
    "flags": "{kind: bool, null: 0.3}",
    "texts": "{kind: choice, values: [\"a\", \"two\\nlines\", '\"quoted\"', \"\\x1enull0\\x1e\"], null: 0.3}",
    "nothing": "{kind: constant, value: x, null: 1.0}",
}


def test_a_lone_null_field_is_quoted_and_reads_back_as_null_in_pandas_and_check(tmp_path):
    tables = "\n".join(f"  {name}:\n    rows: 200\n    columns:\n      value: {column}"
                       for name, column in LONE_COLUMNS.items())
    spec = tmp_path / "lone.yaml"
    spec.write_text(LONE.format(tables=tables), encoding="utf-8")
    expected = rulegen.generate(spec)
    paths = rulegen.write(spec, tmp_path / "out", "csv")
    for name, path in paths.items():
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        assert "" not in lines[:-1] and '""' in lines, name  # no empty line, and some null
        read = pd.read_csv(path, keep_default_na=True)
        assert len(read) == 200, name  # pandas skips no row
        assert read["value"].isna().tolist() == expected[name]["value"].isna().tolist(), name
    frame = pd.read_csv(paths["texts"])
    assert set(frame["value"].dropna()) <= {"a", "two\nlines", '"quoted"', "\x1enull0\x1e"}
    report = rulegen.check(spec, tmp_path / "out")
    assert report.ok, report.render()
    assert "".join(paths["nothing"].read_text(encoding="utf-8").splitlines()[1:]) == '""' * 200
