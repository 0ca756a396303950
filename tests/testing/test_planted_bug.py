"""A planted bug, found by a property test over ``rulegen.testing.tables`` and shrunk to a
dataset of at most 3 rows: the demonstration issue 8 asks for."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings

from rulegen.testing import Dataset, tables

SPEC = """
version: 1
tables:
  customers:
    rows: 1000
    primary_key: id
    columns:
      id:      {kind: sequence}
      country: {kind: choice, values: {US: 4, DE: 1, FR: 1}}
  orders:
    rows: {per: customers, kind: poisson, lam: 1.5}
    primary_key: order_id
    columns:
      order_id:    {kind: sequence}
      customer_id: {kind: ref, to: customers.id}
      amount:      {kind: gamma, shape: 2, scale: 40, round: 2}
"""


def average_order_value(customers: pd.DataFrame, orders: pd.DataFrame) -> dict[int, float]:
    """The mean order amount of each customer. The planted bug: a customer without orders
    divides by zero (it should be left out, or get 0)."""
    totals = orders.groupby("customer_id")["amount"].sum()
    counts = orders.groupby("customer_id").size()
    return {int(c): float(totals.get(c, 0.0)) / int(counts.get(c, 0)) for c in customers["id"]}


def test_the_property_test_finds_the_bug_and_shrinks_it_to_at_most_3_rows() -> None:
    tried: list[Dataset] = []

    @settings(max_examples=200, deadline=None, database=None, derandomize=True)
    @given(tables(SPEC, max_rows=50))
    def test_average_order_value_is_positive(data: Dataset) -> None:
        tried.append(data)
        values = average_order_value(data["customers"], data["orders"])
        assert all(value > 0 for value in values.values())

    with pytest.raises(ZeroDivisionError) as failure:
        test_average_order_value_is_positive()

    # Hypothesis replays the shrunk example last, to raise its error.
    shrunk = tried[-1]
    sizes = {name: len(frame) for name, frame in shrunk.items()}
    assert sum(sizes.values()) <= 3, sizes
    assert sizes["customers"] >= 1
    with_orders = set(shrunk["orders"]["customer_id"])
    assert any(c not in with_orders for c in shrunk["customers"]["id"])  # the customer without orders
    assert max(sum(len(f) for f in data.values()) for data in tried) > 3  # it did look at larger data
    # The report names the dataset, and how to make it again.
    report = "\n".join(failure.value.__notes__)
    assert f"data={shrunk!r}" in report
    assert f"rulegen.generate(spec, seed={shrunk.seed}, rows={shrunk.rows!r})" in report
