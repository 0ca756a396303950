"""A parent and the children its aggregates read, made together (rulegen/engine/costream.py):
every child block has one owner and comes in order, the tables made together are the tables
made apart, value for value and byte for byte on any number of workers, and a failure in
either leaves no file."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.engine.costream import companions, owned_blocks
from rulegen.engine.stream import stream_table, stream_together
from rulegen.errors import GenerationError
from rulegen.plan.compiler import compile_spec

ROOT = Path(__file__).resolve().parents[2]
TPCH = ROOT / "benchmarks" / "specs" / "tpch.yaml"

# Orders whose aggregates read their items; items read the order's day back (a lookup), redraw
# rows against a constraint and keep a composite key unique.
SPEC = """
version: 1
seed: {seed}
tables:
  orders:
    rows: {rows}
    primary_key: id
    columns:
      id:      {{kind: sequence, start: 1}}
      day:     {{kind: date, min: 2024-01-01, max: 2024-12-31}}
      lines:   {{kind: aggregate, of: items.qty, fn: count}}
      total:   {{kind: aggregate, of: items.price, fn: sum, round: 2}}
      last:    {{kind: aggregate, of: items.shipped, fn: max}}
  items:
    rows: {{per: orders, {law}}}
    primary_key: [order_id, line]
    columns:
      order_id: {{kind: ref, to: orders.id}}
      line:     {{kind: sequence, within: order_id}}
      qty:      {{kind: integers, low: 1, high: 9, null: 0.2}}
      price:    {{kind: uniform, low: 1, high: 100}}
      ordered:  {{kind: lookup, via: order_id, column: day, hidden: true}}
      shipped:  {{kind: date, after: ordered, delay: {{kind: integers, low: 0d, high: 9d}}}}
      note:     {{kind: pattern, pattern: "[a-z]{{3,8}}"}}
    constraints: ["price > 5 or qty > 2"]
"""

LAWS = ["kind: poisson, lam: 0", "kind: poisson, lam: 0.4", "kind: poisson, lam: 3", "count: 0", "count: 1",
        "count: 2", "kind: integers, low: 1, high: 7"]


def spec_text(rows: int, law: str, seed: int = 3) -> str:
    return SPEC.format(rows=rows, law=law, seed=seed)


@given(rows=st.integers(0, 300), law=st.sampled_from(LAWS), block_rows=st.integers(1, 40))
@settings(max_examples=60, deadline=None)
def test_each_child_block_has_one_owner_and_owners_come_in_order(rows: int, law: str, block_rows: int) -> None:
    plan = compile_spec(rulegen.load(spec_text(rows, law)), block_rows=block_rows)
    orders, items = plan.tables["orders"], plan.tables["items"]
    owned = [block for parent in range(orders.blocks) for block in owned_blocks(orders, items, parent)]
    assert owned == list(range(items.blocks))


@given(rows=st.integers(0, 120), law=st.sampled_from(LAWS), block_rows=st.integers(1, 40), seed=st.integers(0, 99))
@settings(max_examples=40, deadline=None)
def test_tables_made_together_equal_the_tables_made_apart(rows: int, law: str, block_rows: int, seed: int) -> None:
    text = spec_text(rows, law, seed)
    together = compile_spec(rulegen.load(text), block_rows=block_rows)
    orders, items = together.tables["orders"], together.tables["items"]
    made: dict[int, list[pa.RecordBatch]] = {0: [], 1: []}
    for position, batch in stream_together(orders, (items,), together.seed):
        made[position].append(batch)
    for position, name in enumerate(["orders", "items"]):
        apart = compile_spec(rulegen.load(text), block_rows=block_rows)  # nothing kept from the run above
        expected = pa.Table.from_batches(list(stream_table(apart.tables[name], apart.seed)), apart.tables[name].schema)
        got = pa.Table.from_batches(made[position], expected.schema)
        assert got.equals(expected), f"{name} made together differs from {name} made apart"


def test_only_a_parent_and_its_own_children_are_grouped() -> None:
    chain = """
version: 1
tables:
  customers:
    rows: 10
    primary_key: id
    columns:
      id:     {kind: sequence}
      orders: {kind: aggregate, of: orders.id, fn: count}
  orders:
    rows: {per: customers, count: 2}
    primary_key: id
    columns:
      id:       {kind: sequence}
      customer: {kind: ref, to: customers.id}
      lines:    {kind: aggregate, of: items.qty, fn: count}
  items:
    rows: {per: orders, count: 3}
    columns:
      order_id: {kind: ref, to: orders.id}
      qty:      {kind: integers, low: 1, high: 9}
  notes:
    rows: {per: orders, count: 1}
    columns:
      order_id: {kind: ref, to: orders.id}
"""
    plan = rulegen.compile(chain)
    # orders makes its items (not its notes, which no aggregate reads); customers makes its
    # orders apart, as orders has children of its own.
    assert companions(plan, plan.tables) == {"orders": ("items",)}
    assert companions(plan, ["orders", "notes"]) == {}  # items not written: nothing to make together


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_tpch_made_together_on_two_workers_is_the_same_bytes_as_made_apart(tmp_path: Path, fmt: str) -> None:
    """Orders (two blocks at this scale) with lineitem, against each written alone (apart)."""
    together = rulegen.write(TPCH, tmp_path / "together", fmt, scale=0.05, workers=2,
                             tables=["orders", "lineitem"])
    for name in ("orders", "lineitem"):
        alone = rulegen.write(TPCH, tmp_path / name, fmt, scale=0.05, workers=2, tables=[name])
        assert together[name].read_bytes() == alone[name].read_bytes(), f"{name}.{fmt} differs"
    assert list(together) == ["orders", "lineitem"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_child_that_fails_leaves_no_file(tmp_path: Path, workers: int) -> None:
    # Item rows past 200,000 can never meet the constraint: the parent's first blocks and their
    # items are written, then a later one fails.
    failing = spec_text(140_000, "count: 2").replace('["price > 5 or qty > 2"]',
                                                       '["order_id < 100000 or price > 500"]')
    with pytest.raises(GenerationError) as raised:
        rulegen.write(failing, tmp_path / "out", "parquet", workers=workers)
    assert "items" in str(raised.value)
    assert not (tmp_path / "out").exists()


def test_progress_reports_every_table_made_together(tmp_path: Path) -> None:
    reports: list[tuple[str, int, int]] = []
    rulegen.write(spec_text(200, "kind: poisson, lam: 3"), tmp_path, "csv",
                  progress=lambda *report: reports.append(report))
    rows = {name: total for name, _, total in reports}
    items = rows["items"]
    assert [r for r in reports if r[0] == "items"] == [("items", 0, items), ("items", items, items)]
    assert reports[-3] == ("orders", 200, 200)
