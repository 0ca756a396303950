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


# ----------------------------------------------------------------------------- W2, W3 and run.py's modes

def _w2_tables(result) -> tuple[list[dict], list[dict]]:
    return _rows(result["customers"]), _rows(result["orders"])


@pytest.mark.parametrize("name", ["faker_w2", "mimesis_w2", "rulegen_w2"])
def test_tool_makes_w2_rows(name: str, tmp_path) -> None:
    pytest.importorskip(name.split("_")[0])
    module = importlib.import_module(f"benchmarks.tools.{name}")
    module.load()
    result = module.generate(N, common.SEED, module.setup(N, common.SEED))
    customers, orders = _w2_tables(result)

    assert list(customers[0]) == list(common.COLUMNS) and len(customers) == N
    assert list(orders[0]) == list(common.ORDER_COLUMNS)
    assert 2 * N < len(orders) < 4 * N  # Poisson(3) per customer
    assert common.row_count(result) == N + len(orders)
    assert [o["order_id"] for o in orders] == list(range(1, len(orders) + 1))
    signup = {c["id"]: c["signup_ts"] for c in customers}
    for o in orders:
        assert signup[o["customer_id"]] <= o["order_ts"] <= signup[o["customer_id"]] + common.ORDER_DELAY
        assert o["amount"] > 0 and round(o["amount"], 2) == o["amount"]
        assert o["status"] in common.STATUS_WEIGHTS
    ids = [o["customer_id"] for o in orders]
    assert ids == sorted(ids)  # orders come customer by customer

    out = module.write(result, tmp_path / "out")
    assert {p.stem for p in out.iterdir()} == {"customers", "orders"}


def test_poisson_helper_has_the_right_mean() -> None:
    import random

    rng = random.Random(1)
    draws = [common.poisson(rng.random, 3.0) for _ in range(20_000)]
    assert abs(sum(draws) / len(draws) - 3.0) < 0.1


def test_snowfakery_recipe_writes_both_tables(tmp_path) -> None:
    pytest.importorskip("snowfakery")
    from benchmarks import run
    from benchmarks.tools import snowfakery_w2

    out = snowfakery_w2.write_spec(20, tmp_path / "out")
    customers = (out / "customers.csv").read_text().splitlines()
    orders = (out / "orders.csv").read_text().splitlines()
    assert len(customers) == 21
    assert set(customers[0].split(",")) == {*common.COLUMNS}  # `id` is Snowfakery's own
    assert set(orders[0].split(",")) == {"id", "customer_id", "order_ts", "amount", "status"}
    assert run.rows_in(out) == 20 + len(orders) - 1


@pytest.mark.parametrize("name", ["rulegen_w3", "numpy_w3"])
def test_tool_makes_w3_arrays(name: str, tmp_path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    module = importlib.import_module(f"benchmarks.tools.{name}")
    module.load()
    n = 5_000
    table = module.generate(n, common.SEED, module.setup(n, common.SEED))

    assert table.column_names == list(common.W3_COLUMNS) and table.num_rows == n
    assert all(table.schema.field(c).type == pa.float64() for c in common.W3_FLOATS)
    assert all(table.schema.field(c).type == pa.int64() for c in common.W3_INTS)
    assert all(table.schema.field(c).type == pa.string() for c in common.W3_CATEGORICALS)
    for c in common.W3_INTS:
        values = table[c].to_numpy()
        assert values.min() >= 0 and values.max() < common.W3_INT_HIGH
    for c in common.W3_CATEGORICALS:
        counts = dict.fromkeys(common.W3_LEVELS, 0)
        for v in table[c].to_pylist():
            counts[v] += 1
        assert counts["L01"] > counts["L02"] > counts["L10"]  # Zipf
    assert abs(float(table["f01"].to_numpy().mean())) < 0.1

    path = module.write(table, tmp_path / "out")
    written = pq.ParquetFile(path)
    assert written.metadata.num_rows == n
    encodings = written.metadata.row_group(0).column(len(common.W3_FLOATS) + len(common.W3_INTS)).encodings
    assert any("DICTIONARY" in e for e in encodings)


def test_w3_spec_has_zipf_weights() -> None:
    from benchmarks.tools import rulegen_w3

    columns = yaml.safe_load(rulegen_w3.SPEC.read_text())["tables"][rulegen_w3.TABLE]["columns"]
    assert list(columns) == list(common.W3_COLUMNS)
    for c in common.W3_CATEGORICALS:
        weights = columns[c]["values"]
        assert list(weights) == list(common.W3_LEVELS)
        assert all(weights["L01"] == k * w for k, w in enumerate(weights.values(), start=1))


@pytest.mark.slow
def test_dbldatagen_is_skipped_with_a_reason_or_writes_w1(tmp_path) -> None:
    """The reason is checked when Spark is missing; with it, one tiny run (~30 s: a JVM starts)
    only when RULEGEN_BENCH_SPARK=1, so the suite does not pay for a JVM on every run."""
    import os
    import subprocess

    from benchmarks import run
    from benchmarks.tools import dbldatagen_w1

    why = dbldatagen_w1.unavailable()
    if why is not None:
        assert "java" in why or "pyspark" in why
        pytest.skip(why)
    if os.environ.get("RULEGEN_BENCH_SPARK") != "1":
        pytest.skip("Spark is here; set RULEGEN_BENCH_SPARK=1 to start it (~30 s)")
    out = tmp_path / "out"
    cmd = [dbldatagen_w1.python(), "-m", "benchmarks.tools.dbldatagen_w1", "--rows", "500", "--out", str(out)]
    done = subprocess.run(cmd, cwd=run.ROOT, env=run.CHILD_ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    pq = pytest.importorskip("pyarrow.parquet")
    table = pq.read_table(out / "customers")
    assert table.column_names == list(common.COLUMNS) and table.num_rows == 500
    assert sorted(table["id"].to_pylist()) == list(range(1, 501))


def _no_writes(monkeypatch) -> None:
    from benchmarks import run

    monkeypatch.setattr(run, "update_markdown", lambda *a, **k: pytest.fail("--quick wrote BENCHMARKS.md"))
    monkeypatch.setattr(run, "save_section", lambda *a, **k: pytest.fail("--quick wrote results.json"))


def test_run_quick_w2_w3(capsys, monkeypatch) -> None:
    from benchmarks import run

    _no_writes(monkeypatch)
    tools = ["rulegen", "numpy", "faker", "snowfakery"]
    argv = ["--quick", "--workload", "w2,w3", "--tools", ",".join(tools), "--rows", "w2:rulegen=2000",
            "--rows", "w3:rulegen=20000", "--rows", "w3:numpy=20000", "--rows", "w2:snowfakery=10"]
    assert run.main(argv) == 0
    out = capsys.readouterr().out
    assert "## W1+W2 customers and orders" in out and "## W3 20 numeric columns" in out
    assert "| rulegen | file, whole process |" in out and "| numpy | in memory |" in out
    assert "| faker | file, in-process |" in out
    assert "W3 within 2x of raw NumPy" in out
    try:
        import snowfakery  # noqa: F401
    except ImportError:
        assert "snowfakery: skipped" in out
    else:
        assert "| snowfakery | file, whole process |" in out and "≥ 300x Snowfakery" in out


def test_run_quick_speedup_and_peak(capsys, monkeypatch) -> None:
    from benchmarks import run

    _no_writes(monkeypatch)
    monkeypatch.setattr(run, "QUICK_SPEEDUP_ROWS", 140_000)
    monkeypatch.setattr(run, "QUICK_PEAK_ROWS", 140_000)
    assert run.main(["--quick", "--workers-speedup", "--peak-rss-100m"]) == 0
    out = capsys.readouterr().out
    assert "## Worker speed-up" in out and "| 2 | 140,000 | 1 |" in out
    assert "## W1 peak memory: 100M rows to Parquet (rulegen CLI)" in out and "< 1.5 GiB" in out
    assert "1 → 2 workers ≥ 1.6x" in out


def test_targets_are_judged_from_stored_figures() -> None:
    from benchmarks import run

    def result(tool: str, mode: str, rate: float) -> dict:
        return {"tool": tool, "mode": mode, "n": int(rate), "seconds": 1.0, "cpu": 1.0}

    entry = {"stamp": "now", "load": [[0.1, 0, 0], [0.2, 0, 0]]}
    store = {
        "w1": {**entry, "results": [result("rulegen", m, 1_200_000) for m in run.MODES]
               + [result("faker", m, 30_000) for m in run.MODES]
               + [result("numpy+arrow", m, 3_000_000) for m in run.MODES]},
        "w3": {**entry, "results": [result("rulegen", m, 1_000_000) for m in run.MODES]
               + [result("numpy", m, 1_500_000) for m in run.MODES]},
        "workers": {**entry, "runs": [{"workers": 1, "wall": 10.0}, {"workers": 2, "wall": 8.0}]},
        "workers-30m": {**entry, "runs": [{"workers": 1, "rows": 30_000_000, "wall": 30.0},
                                          {"workers": 2, "rows": 30_000_000, "wall": 17.0},
                                          {"workers": "pair", "rows": 60_000_000, "wall": 32.0}]},
        "peak-rss-100m": {**entry, "found": [{"workers": 2, "maxrss": 300 << 20, "tree_peak": 900 << 20}]},
    }
    got = {(t.target, t.measure): t for t in run.targets_from(store)}
    assert got["W1 ≥ 30x faker", "in memory"].met is True  # 40x
    assert got["W1 within 2x of NumPy + Arrow", "in memory"].met is False  # 2.5x slower
    assert got["W3 within 2x of raw NumPy", "file, whole process"].met is True  # 1.5x slower
    assert got["W1 ≥ 20x mimesis", "—"].met is None
    assert got["1 → 2 workers ≥ 1.6x (W1, 10M rows, Parquet, CLI)", "file, whole process"].met is False
    longer = got["1 → 2 workers ≥ 1.6x (W1, 30M rows, Parquet, CLI)", "file, whole process"]
    assert longer.met is True and "ceiling for two processes: 1.88x" in longer.figure  # 1.76x; 2 x 30 / 32
    assert got["W1 100M rows to Parquet: peak memory < 1.5 GiB", "CLI --workers 2"].met is True
    assert "load 0.10 → 0.20" in got["W1 ≥ 30x faker", "in memory"].when
