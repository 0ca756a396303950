"""pyarrow without pandas until it is imported (rulegen.lazy_pandas): the commands that defer it
write the bytes they wrote with pandas loaded, and pandas works as before once imported."""

from __future__ import annotations

import filecmp
import sqlite3
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import rulegen

ROOT = Path(__file__).resolve().parents[2]

_AFTER_PANDAS = """
import sys
from rulegen.lazy_pandas import defer_pandas
defer_pandas()
import pyarrow as pa
pa.array(["x", None]); pa.table({"a": [1, 2]})
assert "pandas" not in sys.modules
import pandas as pd
series = pd.Series([1, None], dtype="Int64")
assert pa.array(series).to_pylist() == [1, None]
categories = pa.array(pd.Categorical(["a", "b"]))
assert pa.types.is_dictionary(categories.type) and categories.to_pylist() == ["a", "b"]
frame = pd.DataFrame({"t": pd.to_datetime(["2024-01-01 00:00:00.000000001", None]).tz_localize("UTC"), "n": series})
table = pa.Table.from_pandas(frame)
assert table.schema.field("t").type == pa.timestamp("ns", "UTC")
assert table.to_pandas().equals(frame)
assert isinstance(pa.array([1], pa.timestamp("ns"))[0].as_py(), pd.Timestamp)
print("ok")
"""


def test_pandas_works_once_imported():
    done = subprocess.run([sys.executable, "-c", _AFTER_PANDAS], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr


SAMPLED = """
version: 1
seed: 3
tables:
  t:
    rows: 5
    sample_rows: {from: source.parquet}
    columns:
      at: {kind: sample}
      took: {kind: sample}
      n: {kind: sample}
"""


def _spec(spec_name: str, tmp_path: Path) -> Path:
    """A benchmark spec, or `sampled`: nanosecond timestamps and durations, whose Python values
    are pandas' with pandas loaded."""
    if spec_name != "sampled":
        return ROOT / "benchmarks" / "specs" / f"{spec_name}.yaml"
    pq.write_table(pa.table({
        "at": pa.array([1_700_000_000_123_456_789, None], pa.timestamp("ns")),
        "took": pa.array([5, 1_000_000_007], pa.duration("ns")),
        "n": pa.array([1, 2]),
    }), tmp_path / "source.parquet")
    spec = tmp_path / "sampled.yaml"
    spec.write_text(SAMPLED)
    return spec


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rulegen", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "sql"])
@pytest.mark.parametrize("spec_name", ["startup_1k", "sampled"])
def test_the_command_line_writes_what_the_api_writes(spec_name, fmt, tmp_path):
    """The CLI defers pandas, this test process has it loaded: the same files, which the CLI's
    `check` finds clean."""
    spec = _spec(spec_name, tmp_path)
    api = rulegen.write(spec, tmp_path / "api", fmt)
    done = _cli("generate", str(spec), "--out", str(tmp_path / "cli"), "--format", fmt, "--quiet")
    assert done.returncode == 0, done.stderr
    for name, path in api.items():
        assert filecmp.cmp(path, tmp_path / "cli" / path.name, shallow=False), name
    if fmt != "sql":
        checked = _cli("check", str(spec), str(tmp_path / "cli"))
        assert checked.returncode == 0 and "ok: no violations" in checked.stdout, checked.stdout + checked.stderr


@pytest.mark.parametrize("spec_name", ["startup_1k", "sampled"])
def test_the_command_line_seeds_what_the_api_seeds(spec_name, tmp_path):
    spec = _spec(spec_name, tmp_path)
    rulegen.seed_database(spec, f"sqlite:///{tmp_path / 'api.db'}")
    done = _cli("seed", str(spec), "--db", f"sqlite:///{tmp_path / 'cli.db'}", "--quiet")
    assert done.returncode == 0, done.stderr
    dumps = []
    for name in ("api.db", "cli.db"):
        with sqlite3.connect(tmp_path / name) as connection:
            dumps.append(list(connection.iterdump()))
    assert dumps[0] == dumps[1]
