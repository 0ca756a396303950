"""Smoke test of the benchmarks: each W1 tool makes ~200 well-formed W1 rows, and the W2
child-table benchmark (``benchmarks/child.py``) runs end to end on a small size.

Speed is never asserted here; ``python benchmarks/run.py`` and ``benchmarks/child.py`` measure it.
"""

from __future__ import annotations

import datetime
import importlib

import pytest
import yaml

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


def test_w2_spec_copies_w1_customers() -> None:
    from benchmarks import child
    from benchmarks.tools import rulegen_w1

    w1 = yaml.safe_load(rulegen_w1.SPEC.read_text())["tables"]
    w2 = yaml.safe_load(child.W2.read_text())["tables"]
    assert w2[child.PARENT] == w1[rulegen_w1.TABLE]
    assert list(w2) == [child.PARENT, child.CHILD]


def test_flat_twin_has_the_child_columns() -> None:
    from benchmarks import child

    orders = yaml.safe_load(child.W2.read_text())["tables"][child.CHILD]["columns"]
    flat = yaml.safe_load(child.flat_spec(1234))["tables"][child.FLAT_TABLE]["columns"]
    assert list(flat) == [name for name, column in orders.items() if not column.get("hidden")]
    assert flat["customer_id"] == {"kind": "integers", "low": 1, "high": 1234}
    assert all(flat[c] == orders[c] for c in ("order_id", "amount", "status"))


def test_child_benchmark_quick_run(capsys, monkeypatch) -> None:
    from benchmarks import child

    monkeypatch.setattr(child, "update_markdown", lambda *a, **k: pytest.fail("--quick wrote BENCHMARKS.md"))
    assert child.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "| orders (child) | second pass, parent cache warm |" in out
    assert "| orders_flat | iter_blocks |" in out
    assert "| 30,000 |" in out  # the W1+W2 Parquet row: customers
    assert "it equals the full pass's last block" in out
