"""``rulegen.testing``: datasets and rows drawn by Hypothesis keep every rule of the spec."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.testing import Dataset, rows, tables
from tests.conftest import ROOT

SHOP = ROOT / "schemas" / "shop.yaml"
SMALL = """
version: 1
tables:
  customers:
    rows: 10
    primary_key: id
    columns:
      id:      {kind: sequence}
      country: {kind: choice, values: [US, DE, FR]}
  orders:
    rows: {per: customers, kind: poisson, lam: 1}
    primary_key: order_id
    columns:
      order_id:    {kind: sequence}
      customer_id: {kind: ref, to: customers.id}
      amount:      {kind: gamma, shape: 2, scale: 40, round: 2}
"""
QUICK = settings(max_examples=12, deadline=None, database=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(tables(SHOP, max_rows=25))
def test_datasets_keep_keys_references_and_aggregates(data: Dataset) -> None:
    assert list(data) == ["customers", "products", "orders", "order_items", "shipments", "returns"]
    assert data.rows.keys() == {"customers", "products", "returns"}
    customers, products, orders, items = data["customers"], data["products"], data["orders"], data["order_items"]
    for name, frame in data.items():
        # Only the children of a single customer may pass max_rows.
        assert len(frame) <= 25 or len(customers) == 1, name
    assert len(products) >= 1  # order lines refer to it, so it never comes empty
    assert orders["customer_id"].isin(customers["id"]).all()
    assert items["order_id"].isin(orders["order_id"]).all()
    assert items["sku"].notna().all() and items["sku"].isin(products["sku"]).all()
    assert data["shipments"]["item_id"].isin(items["item_id"]).all()
    assert data["returns"]["order_id"].notna().all() and data["returns"]["order_id"].isin(items["order_id"]).all()
    assert not data["returns"].empty or data.rows["returns"] == 0
    sums = items.groupby("order_id")["line_total"].sum().reindex(orders["order_id"], fill_value=0).round(2)
    assert (orders["items_total"].to_numpy() == pytest.approx(sums.to_numpy(), abs=0.011))


@settings(max_examples=3, deadline=None, database=None, derandomize=True)
@given(tables(SMALL, max_rows=30))
def test_a_dataset_is_what_generate_gives_for_its_seed_and_rows(data: Dataset) -> None:
    again = rulegen.generate(SMALL, seed=data.seed, rows=data.rows)
    assert list(again) == list(data)
    for name in data:
        pd.testing.assert_frame_equal(data[name], again[name])


@QUICK
@given(rows(SHOP, "order_items"))
def test_rows_are_single_rows_as_dicts(row: dict) -> None:
    assert list(row) == ["item_id", "order_id", "line_no", "sku", "unit_price", "quantity", "line_total"]
    assert 1 <= row["line_no"] <= 5 and row["quantity"] >= 1
    assert row["line_total"] == pytest.approx(round(row["quantity"] * row["unit_price"], 2))
    assert isinstance(row["item_id"], int) and isinstance(row["sku"], str)


def test_datasets_shrink_towards_few_rows() -> None:
    smallest = find(tables(SMALL), lambda data: True, settings=settings(database=None))
    assert {name: len(frame) for name, frame in smallest.items()} == {"customers": 0, "orders": 0}
    two_orders = find(tables(SMALL, max_rows=50), lambda data: len(data["orders"]) >= 2,
                      settings=settings(database=None, derandomize=True))
    assert len(two_orders["orders"]) == 2 and len(two_orders["customers"]) <= 2


def test_rows_shrink_to_an_early_row_and_take_fixed_seeds() -> None:
    third_line = find(rows(SHOP, "order_items", seeds=st.integers(0, 3)), lambda row: row["line_no"] == 3,
                      settings=settings(database=None, derandomize=True))
    assert third_line["line_no"] == 3 and third_line["item_id"] <= 5


def test_min_rows_and_specs_given_as_text_or_loaded() -> None:
    data = find(tables(rulegen.load(SMALL), min_rows=2), lambda data: True, settings=settings(database=None))
    assert len(data["customers"]) == 2
    assert repr(data) == f"Dataset(seed=0, rows={{'customers': 2}}: customers[2], orders[{len(data['orders'])}])"


def test_bad_arguments_fail_when_the_strategy_is_made() -> None:
    with pytest.raises(ValueError, match="max_rows >= 1"):
        tables(SMALL, max_rows=0)
    with pytest.raises(ValueError, match="min_rows <= max_rows"):
        tables(SMALL, min_rows=5, max_rows=3)
    with pytest.raises(KeyError, match="no table 'nope'; tables are: customers, orders"):
        rows(SMALL, "nope")
    with pytest.raises(rulegen.SpecError):
        tables("version: 1\ntables: {t: {rows: -1, columns: {a: {kind: sequence}}}}\n")


TIMELINES = """
version: 1
tables:
  hosts:
    rows: 50
    primary_key: id
    columns:
      id: {kind: sequence}
  cpu:
    timeline: {per: hosts, start: 2024-01-01, end: 2024-01-01T23:00:00, every: 1h}
    columns:
      host_id: {kind: ref, to: hosts.id}
      ts:      {kind: tick}
  clock:
    timeline: {start: 2024-01-01, end: 2024-01-03, every: 1h}
    columns:
      ts: {kind: tick}
"""


@settings(max_examples=8, deadline=None, database=None, derandomize=True)
@given(tables(TIMELINES, max_rows=30))
def test_timelines_keep_their_length_and_cut_their_parents(data: Dataset) -> None:
    assert len(data["clock"]) == 72  # its span (a date-only end is the end of that day), whatever max_rows
    assert len(data["cpu"]) == 24 * len(data["hosts"])
    assert len(data["hosts"]) <= 1  # two hosts' timelines would pass max_rows
