"""Smoke test of the W1 benchmark modules: each tool makes ~200 well-formed W1 rows.

Speed is never asserted here; ``python benchmarks/run.py`` measures it.
"""

from __future__ import annotations

import datetime
import importlib

import pytest

from benchmarks.tools import TOOLS, common

N = 200


def _rows(result) -> list[dict]:
    return result if isinstance(result, list) else result.to_pylist()


def _date(value) -> datetime.date:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


@pytest.mark.parametrize("name", TOOLS)
def test_tool_makes_w1_rows(name: str, tmp_path) -> None:
    if name == "mimesis_w1":
        pytest.importorskip("mimesis")
    module = importlib.import_module(f"benchmarks.tools.{name}")
    module.load()
    result = module.generate(N, common.SEED, module.setup(N, common.SEED))

    assert common.column_names(result) == list(common.COLUMNS)
    assert common.row_count(result) == N
    rows = _rows(result)
    assert [r["id"] for r in rows] == list(range(1, N + 1))
    for r in rows:
        assert r["email"] == common.email(r["first_name"], r["last_name"], r["id"])
        assert common.BIRTH_MIN <= _date(r["birthdate"]) <= common.BIRTH_MAX
        assert common.SIGNUP_MIN <= r["signup_ts"] <= common.SIGNUP_MAX
        assert r["signup_ts"].microsecond == 0
        assert r["country"] in common.COUNTRY_WEIGHTS
        assert r["balance"] > 0 and round(r["balance"], 2) == r["balance"]
        assert isinstance(r["is_active"], bool)
    assert len({r["email"] for r in rows}) == N
    assert any(r["is_active"] for r in rows) and not all(r["is_active"] for r in rows)

    path = module.write(result, tmp_path / "out")
    assert path.exists() and path.stat().st_size > 0


def test_rulegen_spec_to_parquet(tmp_path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    from benchmarks.tools import rulegen_w1

    path = rulegen_w1.write_spec(N, tmp_path / "out")
    table = pq.read_table(path)
    assert table.column_names == list(common.COLUMNS) and table.num_rows == N
