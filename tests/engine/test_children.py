"""Aggregates over a parent block's own children (rulegen/engine/children.py): each parent's run of
child rows reduced as Arrow's grouped aggregation over the whole child table reduces it, value for
value, so the faster path leaves every byte as it was; and the same data whatever the blocks,
the block size or the number of workers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.engine.children import SumRangeError, reduce_runs

ROOT = Path(__file__).resolve().parents[2]
TPCH = ROOT / "benchmarks" / "specs" / "tpch.yaml"
FNS = ("sum", "count", "min", "max", "mean")


def _arrow(values: pa.Array, counts: np.ndarray, fn: str, result_type: pa.DataType) -> pa.Array:
    """The reference: Arrow's group_by over (parent, value), as the whole-table aggregate does."""
    owner = np.repeat(np.arange(len(counts)), counts)
    grouped = pa.table({"i": owner, "v": values}).group_by("i").aggregate([("v", fn)])
    out: list = [0 if fn in ("sum", "count") else None] * len(counts)
    for i, v in zip(grouped.column("i").to_pylist(), grouped.column(1).cast(result_type).to_pylist(), strict=True):
        out[i] = v
    return pa.array(out, type=result_type)


def _result_type(fn: str, value_type: pa.DataType) -> pa.DataType:
    return {"count": pa.int64(), "mean": pa.float64()}.get(fn, value_type)


@given(counts=st.lists(st.integers(0, 9), min_size=1, max_size=40), fn=st.sampled_from(FNS),
       integers=st.booleans(), nulls=st.booleans(), data=st.data())
@settings(max_examples=300, deadline=None)
def test_runs_reduce_as_arrow_groups_do(counts: list[int], fn: str, integers: bool, nulls: bool,
                                        data: st.DataObject) -> None:
    n = sum(counts)
    element = st.integers(-10**6, 10**6) if integers else st.floats(-1e6, 1e6, allow_nan=False)
    raw = data.draw(st.lists(element | st.none() if nulls else element, min_size=n, max_size=n))
    values = pa.array(raw, type=pa.int64() if integers else pa.float64())
    counts_ = np.array(counts, dtype=np.int64)
    result_type = _result_type(fn, values.type)
    got = reduce_runs(values, counts_, fn, result_type)
    assert got.equals(_arrow(values, counts_, fn, result_type))


def test_float_sums_add_in_row_order_as_arrow_does() -> None:
    """Sums that depend on the order of additions: 1e16 + 1 + 1 - 1e16 is 0 in order."""
    values = pa.array([1e16, 1.0, 1.0, -1e16, 0.1, 0.2, 0.3])
    counts = np.array([4, 3])
    got = reduce_runs(values, counts, "sum", pa.float64())
    assert got.equals(_arrow(values, counts, "sum", pa.float64()))


def test_strings_and_dates_take_arrows_path() -> None:
    values = pa.array(["b", "a", None, "c"])
    counts = np.array([2, 0, 2])
    assert reduce_runs(values, counts, "min", pa.string()).to_pylist() == ["a", None, "c"]
    assert reduce_runs(values, counts, "count", pa.int64()).to_pylist() == [2, 0, 1]


def test_integer_sums_near_the_edge_ask_for_the_exact_check() -> None:
    values = pa.array([2**62, 2**61, 1], type=pa.int64())
    counts = np.array([2, 1])
    with pytest.raises(SumRangeError):
        reduce_runs(values, counts, "sum", pa.int64())
    assert reduce_runs(values, counts, "sum", pa.int64(), checked=True).to_pylist() == [2**62 + 2**61, 1]


SPEC = """
version: 1
seed: 7
tables:
  orders:
    rows: 300
    primary_key: id
    columns:
      id:      {kind: sequence}
      lines:   {kind: aggregate, of: items.qty, fn: count}
      total:   {kind: aggregate, of: items.price, fn: sum, round: 2}
      biggest: {kind: aggregate, of: items.qty, fn: max}
      first:   {kind: aggregate, of: items.day, fn: min}
      average: {kind: aggregate, of: items.price, fn: mean}
  items:
    rows: {per: orders, kind: poisson, lam: 3}
    columns:
      order_id: {kind: ref, to: orders.id}
      qty:      {kind: integers, low: 1, high: 9, null: 0.2}
      price:    {kind: uniform, low: 1, high: 100}
      day:      {kind: date, min: 2024-01-01, max: 2024-12-31}
"""


def test_aggregates_equal_the_reductions_of_the_written_children(tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC)
    rulegen.write(spec, tmp_path / "out", "parquet")
    import pyarrow.parquet as pq

    orders = pq.read_table(tmp_path / "out" / "orders.parquet")
    items = pq.read_table(tmp_path / "out" / "items.parquet")
    grouped = items.group_by("order_id").aggregate([("qty", "count"), ("price", "sum"), ("qty", "max"),
                                                    ("day", "min"), ("price", "mean")])
    expected = {row["order_id"]: row for row in grouped.to_pylist()}
    for row in orders.to_pylist():
        children = expected.get(row["id"])
        if children is None:
            assert (row["lines"], row["total"], row["biggest"], row["first"]) == (0, 0, None, None)
            continue
        assert row["lines"] == children["qty_count"] and row["biggest"] == children["qty_max"]
        assert row["first"] == children["day_min"]
        assert row["total"] == pytest.approx(children["price_sum"], abs=0.006)
        assert row["average"] == pytest.approx(children["price_mean"])


def test_tpch_files_are_the_same_bytes_for_one_and_two_workers(tmp_path: Path) -> None:
    one = rulegen.write(TPCH, tmp_path / "one", "parquet", scale=0.005, workers=1)
    two = rulegen.write(TPCH, tmp_path / "two", "parquet", scale=0.005, workers=2)
    assert set(one) == set(two) and len(one) == 8
    for table, path in one.items():
        assert path.read_bytes() == two[table].read_bytes(), f"{table} differs between 1 and 2 workers"


def test_an_aggregate_reads_the_same_whatever_child_blocks_are_kept(tmp_path: Path) -> None:
    """The child blocks kept between parent blocks are a cache: a plan evaluated block by block
    in reverse order (nothing kept helps) gives the same parent values."""
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC.replace("rows: 300", "rows: 200000"))
    plan = rulegen.compile(spec)
    forward = pa.Table.from_batches(list(rulegen.iter_blocks(plan, "orders", arrow=True)))
    backward = pa.Table.from_batches([b for block in reversed(range(plan.tables["orders"].blocks))
                                      for b in rulegen.iter_blocks(rulegen.compile(spec), "orders", arrow=True,
                                                                   blocks=[block])][::-1])
    assert pc.all(pc.equal(forward.column("total"), backward.column("total"))).as_py()
    assert forward.equals(backward)
