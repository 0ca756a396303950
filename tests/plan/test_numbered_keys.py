"""A key made of a row's own parent and a ``sequence`` numbering the rows within it (an order
line's ``(order_id, line_no)``) is distinct by construction: nothing is checked or kept for it
while streaming, which keeps memory flat on tables of any size. Anything that could merge two
numbers (a rounded sequence, nulls) keeps the streaming check."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

import rulegen

SPEC = """
version: 1
seed: 3
tables:
  orders:
    rows: 500
    primary_key: id
    columns:
      id: {kind: sequence}
  lines:
    rows: {per: orders, kind: poisson, lam: 4}
    unique: [[order_id, line_no]]
    columns:
      order_id: {kind: ref, to: orders.id}
      line_no:  {kind: sequence, within: order_id LINE_OPTIONS}
"""


def _plan(tmp_path: Path, options: str = "") -> tuple[Path, object]:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC.replace(" LINE_OPTIONS", options))
    return spec, rulegen.compile(spec)


def test_parent_and_number_within_it_need_no_streaming_check(tmp_path: Path) -> None:
    spec, plan = _plan(tmp_path)
    assert plan.tables["lines"].unique_checks == ()
    rulegen.write(spec, tmp_path / "out", "parquet")
    lines = pq.read_table(tmp_path / "out" / "lines.parquet").to_pylist()
    keys = [(r["order_id"], r["line_no"]) for r in lines]
    assert len(keys) > 1000 and len(set(keys)) == len(keys)


@pytest.mark.parametrize("options", [", round: -1", ", null: 0.1"])
def test_a_number_that_may_repeat_keeps_the_check(tmp_path: Path, options: str) -> None:
    _, plan = _plan(tmp_path, options)
    assert [c.columns for c in plan.tables["lines"].unique_checks] == [("order_id", "line_no")]
