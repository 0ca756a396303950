"""The data cache behind ``rulegen_data``: exact frames, keys, invalidation, atomic entries."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import rulegen
from rulegen.pytest_plugin import DataCache, database_url, entry_key, resolve_spec
from tests.conftest import ROOT

SHOP = ROOT / "schemas" / "shop.yaml"

TYPES = """
version: 1
seed: 5
tables:
  t:
    rows: 60
    primary_key: id
    columns:
      id:    {kind: sequence}
      n:     {kind: integers, low: 1, high: 5, null: 0.3}
      flag:  {kind: bool, p: 0.5, null: 0.2}
      yes:   {kind: bool, p: 0.5}
      at:    {kind: timestamp, min: 2020-01-01, max: 2021-01-01, tz: Europe/Berlin}
      ms:    {kind: timestamp, min: 2020-01-01, max: 2021-01-01, precision: ms}
      day:   {kind: date, min: 2020-01-01, max: 2021-01-01}
      pick:  {kind: choice, values: [x, y], null: 0.5}
      x:     {kind: uniform, low: 0, high: 1, null: 0.5}
      key:   {kind: uuid}
  empty:
    rows: 0
    columns:
      n:  {kind: integers, low: 1, high: 5, null: 0.3}
      at: {kind: timestamp, min: 2020-01-01, max: 2021-01-01}
"""


def assert_same(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    assert list(left) == list(right)
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], check_dtype=True, check_exact=True)


@pytest.mark.parametrize("spec, scale", [("shop", 0.02), ("types", 1.0)])
def test_a_miss_and_a_hit_give_generates_frames_and_dtypes(spec_file, tmp_path: Path, spec: str,
                                                            scale: float) -> None:
    path = SHOP if spec == "shop" else spec_file(TYPES)
    expected = rulegen.generate(path, seed=3, scale=scale)
    miss = DataCache(tmp_path / "cache")
    assert_same(miss.load(path, seed=3, scale=scale), expected)
    assert_same(miss.load(path, seed=3, scale=scale), expected)  # from memory
    fresh = DataCache(tmp_path / "cache")  # a new session: from disk
    assert_same(fresh.load(path, seed=3, scale=scale), expected)
    assert (miss.stats.generated, miss.stats.reused, fresh.stats.read, fresh.stats.generated) == (1, 1, 1, 0)


def test_frames_are_fresh_copies(tmp_path: Path) -> None:
    cache = DataCache(tmp_path)
    first = cache.load(SHOP, seed=1, scale=0.01)
    first["customers"].loc[0, "id"] = -1
    del first["orders"]["status"]
    again = cache.load(SHOP, seed=1, scale=0.01)
    assert again["customers"].loc[0, "id"] == 1 and "status" in again["orders"]


def test_the_key_follows_bytes_seed_scale_rows_and_version(monkeypatch: pytest.MonkeyPatch) -> None:
    base = entry_key(b"spec", seed=1, scale=0.5, rows=None)
    assert base == entry_key(b"spec", seed=1, scale=0.5, rows={})
    others = [entry_key(b"spec ", seed=1, scale=0.5, rows=None), entry_key(b"spec", seed=2, scale=0.5, rows=None),
              entry_key(b"spec", seed=None, scale=0.5, rows=None), entry_key(b"spec", seed=1, scale=1, rows=None),
              entry_key(b"spec", seed=1, scale=0.5, rows={"t": 3})]
    monkeypatch.setattr(rulegen, "__version__", "99.0")
    others.append(entry_key(b"spec", seed=1, scale=0.5, rows=None))
    assert len({base, *others}) == len(others) + 1


def test_a_changed_sampled_file_is_a_miss(spec_file, tmp_path: Path) -> None:
    data = tmp_path / "prices.csv"
    data.write_text("price\n1\n2\n3\n")
    path = spec_file("""
        version: 1
        tables:
          t:
            rows: 20
            columns:
              price: {kind: sample, from: prices.csv}
        """)
    cache = DataCache(tmp_path / "cache")
    assert set(cache.load(path, seed=1)["t"]["price"]) <= {1, 2, 3}
    data.write_text("price\n7\n8\n9\n")
    assert set(cache.load(path, seed=1)["t"]["price"]) <= {7, 8, 9}
    assert set(DataCache(tmp_path / "cache").load(path, seed=1)["t"]["price"]) <= {7, 8, 9}
    assert cache.stats.generated == 2


def test_a_broken_entry_is_generated_again_and_nothing_temporary_is_left(tmp_path: Path) -> None:
    DataCache(tmp_path).load(SHOP, seed=1, scale=0.01)
    (entry,) = tmp_path.iterdir()
    (entry / "2.parquet").write_bytes(b"not parquet")
    cache = DataCache(tmp_path)
    assert_same(cache.load(SHOP, seed=1, scale=0.01), rulegen.generate(SHOP, seed=1, scale=0.01))
    assert cache.stats.generated == 1
    assert [p.name for p in tmp_path.iterdir()] == [entry.name]


def test_specs_are_found_next_to_the_test_then_in_the_rootdir(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "spec.yaml").write_text("root")
    test = tmp_path / "tests" / "test_x.py"
    assert resolve_spec("spec.yaml", test, tmp_path) == tmp_path / "spec.yaml"
    (tmp_path / "tests" / "spec.yaml").write_text("local")
    assert resolve_spec("spec.yaml", test, tmp_path) == tmp_path / "tests" / "spec.yaml"
    assert resolve_spec(tmp_path / "spec.yaml", test, tmp_path / "elsewhere") == tmp_path / "spec.yaml"
    with pytest.raises(TypeError, match="path of a spec file"):
        resolve_spec(rulegen.load(SHOP), test, tmp_path)  # type: ignore[arg-type]


@pytest.mark.parametrize("server, expected", [
    ("postgresql://postgres@/postgres?host=/tmp/pg", "postgresql://postgres@/rulegen_test_1?host=/tmp/pg"),
    ("postgresql://u:p@db:5432/postgres", "postgresql://u:p@db:5432/rulegen_test_1"),
    ("postgresql://u@db/?dbname=postgres&sslmode=require", "postgresql://u@db/rulegen_test_1?sslmode=require"),
])
def test_database_urls_name_the_new_database(server: str, expected: str) -> None:
    assert database_url(server, "rulegen_test_1") == expected
