"""`rulegen augment`: SMOTE-style rows for small classes, inside their class, reproducible."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

from rulegen.fidelity.augment import augment
from rulegen.fidelity.compare_commands import augment as augment_command
from rulegen.fidelity.datafiles import read_table, write_table

MAJORITY, MINORITY = 900, 100


def _data() -> pa.Table:
    """A 90/10 table: the minority class sits apart in every numeric column and uses only two categories."""
    rng = np.random.default_rng(11)
    n = MAJORITY + MINORITY
    fraud = np.arange(n) % 10 == 3  # minority rows spread through the file
    amount = np.where(fraud, rng.normal(500, 50, n), rng.normal(100, 30, n))
    amount[rng.random(n) < 0.1] = np.nan
    frame = pd.DataFrame({
        "id": np.arange(1, n + 1),
        "amount": amount,
        "items": np.where(fraud, rng.integers(5, 12, n), rng.integers(1, 30, n)),
        "day": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.where(fraud, rng.integers(100, 150, n),
                                                                     rng.integers(0, 365, n)), unit="D"),
        "at": pd.Timestamp("2024-06-01") + pd.to_timedelta(np.where(fraud, rng.integers(0, 3600, n),
                                                                    rng.integers(0, 86400 * 30, n)), unit="s"),
        "channel": np.where(fraud, rng.choice(["web", "app"], n), rng.choice(["web", "app", "shop", "phone"], n)),
        "flagged": rng.random(n) < 0.2,
        "label": np.where(fraud, "fraud", "ok"),
    })
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    day = table.schema.get_field_index("day")
    return table.set_column(day, "day", table.column("day").cast(pa.date32()))


@pytest.fixture(scope="module")
def data() -> pa.Table:
    return _data()


@pytest.mark.parametrize(("ratio", "expected"), [(1.0, 900), (0.5, 450)])
def test_minority_reaches_the_ratio_exactly(data, ratio, expected):
    out, result = augment(data, "label", ratio=ratio, seed=1)
    labels = pd.Series(out.column("label").to_pylist()).value_counts()
    assert labels["ok"] == MAJORITY
    assert labels["fraud"] == expected
    assert result.before == {"ok": MAJORITY, "fraud": MINORITY}
    assert result.after == {"ok": MAJORITY, "fraud": expected}
    assert result.added == expected - MINORITY


def test_new_rows_stay_inside_the_minority_class(data):
    out, _ = augment(data, "label", seed=2)
    original = data.to_pandas()
    new = out.slice(data.num_rows).to_pandas()
    minority = original[original["label"] == "fraud"]
    assert (new["label"] == "fraud").all()
    for column in ("amount", "items", "day", "at"):
        values = new[column].dropna()
        assert len(values) > 0.8 * len(new)
        assert values.min() >= minority[column].min(), column
        assert values.max() <= minority[column].max(), column
    assert set(new["channel"]) <= set(minority["channel"]) == {"web", "app"}
    assert set(new["flagged"]) <= set(minority["flagged"])
    # Nulls are kept from either side, so some new rows have them.
    assert new["amount"].isna().any()
    # Interpolated, not copied: most new amounts are no existing value.
    assert (~new["amount"].dropna().isin(minority["amount"])).mean() > 0.9


def test_types_and_original_rows_are_kept(data):
    out, _ = augment(data, "label", seed=3)
    assert out.schema == data.schema
    assert out.slice(0, data.num_rows).equals(data)
    assert pd.api.types.is_integer_dtype(out.to_pandas()["items"])


def test_same_seed_same_output(data):
    first, _ = augment(data, "label", seed=5)
    again, _ = augment(data, "label", seed=5)
    other, _ = augment(data, "label", seed=6)
    assert first.equals(again)
    assert not first.equals(other)


def test_k_1_interpolates_towards_the_nearest_neighbour():
    table = pa.table({"x": [0.0, 1.0, 10.0, 11.0, 100.0, 101.0, 102.0, 103.0, 104.0, 105.0],
                      "y": ["a", "a", "a", "a", "b", "b", "b", "b", "b", "b"]})
    out, _ = augment(table, "y", k=1, seed=0)
    new = out.column("x").to_numpy()[10:]
    assert len(new) == 2
    # 0 and 1 are each other's nearest, as are 10 and 11: nothing lands in between.
    assert all((0 <= v <= 1) or (10 <= v <= 11) for v in new)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_cli_writes_the_same_format_atomically(tmp_path, data, fmt):
    source = write_table(data, tmp_path / f"sales.{fmt}")
    result = CliRunner().invoke(augment_command, [str(source), "--balance", "label", "--ratio", "0.5",
                                                  "--seed", "4"])
    assert result.exit_code == 0, result.output
    out = tmp_path / f"sales_augmented.{fmt}"
    assert f"wrote {out}" in result.output
    assert "label=fraud: 100 -> 450 rows (+350)" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"sales.{fmt}", f"sales_augmented.{fmt}"])
    before, after = read_table(source), read_table(out)
    assert after.num_rows == 1350
    assert after.schema == before.schema
    assert after.slice(0, before.num_rows).equals(before)


def test_cli_output_option_and_determinism(tmp_path, data):
    source = write_table(data, tmp_path / "sales.parquet")
    runner = CliRunner()
    for name in ("a.parquet", "b.parquet"):
        result = runner.invoke(augment_command, [str(source), "--balance", "label", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    assert read_table(tmp_path / "a.parquet").equals(read_table(tmp_path / "b.parquet"))


@pytest.mark.parametrize(("args", "message"), [
    (["--balance", "lable"], "no column 'lable' to balance"),
    (["--balance", "flagged", "--ratio", "1.5"], "Invalid value for '--ratio'"),
])
def test_cli_errors(tmp_path, data, args, message):
    source = write_table(data, tmp_path / "sales.csv")
    result = CliRunner().invoke(augment_command, [str(source), *args])
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_class_of_one_row_cannot_grow(tmp_path):
    source = write_table(pa.table({"x": [1.0, 2.0, 3.0], "y": ["a", "a", "b"]}), tmp_path / "tiny.csv")
    result = CliRunner().invoke(augment_command, [str(source), "--balance", "y"])
    assert result.exit_code == 1
    assert result.output.strip() == "rulegen augment: class y=b has a single row: at least 2 are needed to interpolate"
    assert not (tmp_path / "tiny_augmented.csv").exists()


def test_cli_missing_file_is_one_line(tmp_path):
    result = CliRunner().invoke(augment_command, [str(tmp_path / "nope.csv"), "--balance", "x"])
    assert result.exit_code == 1
    assert result.output.strip() == f"rulegen augment: {tmp_path / 'nope.csv'}: no such file"
