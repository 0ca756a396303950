"""The tiny app's tests: realistic data from ../shop.yaml through rulegen's pytest fixtures.

No import is needed for ``rulegen_data`` and ``rulegen_db``: installing rulegen registers them.
``pytest --rulegen-seed N`` reruns the tests that take the default seed on other data;
``pytest --rulegen-db-url postgresql://...`` runs the database test on PostgreSQL.
"""

from __future__ import annotations

import contextlib

import pytest
from shop_app import connect, repeat_customer_rate, revenue_by_country, top_customers

SPEC = "shop.yaml"  # found in the rootdir (this project's folder)


def test_revenue_by_country_adds_up_to_the_orders_kept(rulegen_data) -> None:
    data = rulegen_data(SPEC, scale=0.1)  # the default seed: --rulegen-seed changes it
    customers, orders = data["customers"], data["orders"]
    revenue = revenue_by_country(customers, orders)
    assert list(revenue) == sorted(revenue, reverse=True)
    assert set(revenue.index) <= set(customers["country"])
    kept = orders.loc[orders["status"] != "cancelled", "total"].sum()
    assert revenue.sum() == pytest.approx(kept, abs=0.01 * len(revenue))


def test_repeat_customer_rate_is_a_share(rulegen_data) -> None:
    orders = rulegen_data(SPEC, scale=0.1)["orders"]
    rate = repeat_customer_rate(orders)
    assert 0 < rate < 1
    assert repeat_customer_rate(orders.iloc[:0]) == 0.0


def test_top_customers_from_a_seeded_database(rulegen_db, rulegen_data) -> None:
    url = rulegen_db(SPEC, seed=1, scale=0.1)
    with contextlib.closing(connect(url)) as connection:
        top = top_customers(connection, n=3)
    orders = rulegen_data(SPEC, seed=1, scale=0.1)["orders"]  # the same data, as frames
    spent = orders[orders["status"] == "delivered"].groupby("customer_id")["total"].sum().round(2)
    expected = sorted(spent.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    assert [c for c, _ in top] == [c for c, _ in expected]
    assert [s for _, s in top] == pytest.approx([s for _, s in expected])
