"""A tiny shop back office: the code under test in this example.

Two reports over DataFrames and one over a database (any DB-API connection: SQLite or
PostgreSQL), so its tests use both of rulegen's fixtures.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pandas as pd


def connect(url: str) -> Any:
    """A DB-API connection to ``sqlite:///path`` or ``postgresql://...``."""
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"))
    import psycopg

    return psycopg.connect(url)


def revenue_by_country(customers: pd.DataFrame, orders: pd.DataFrame) -> pd.Series:
    """Revenue of the orders that were not cancelled, by the customer's country, largest first."""
    kept = orders[orders["status"] != "cancelled"]
    joined = kept.merge(customers[["id", "country"]], left_on="customer_id", right_on="id")
    return joined.groupby("country")["total"].sum().round(2).sort_values(ascending=False)


def repeat_customer_rate(orders: pd.DataFrame) -> float:
    """The share of ordering customers who ordered more than once (0 with no orders)."""
    per_customer = orders.groupby("customer_id").size()
    return float((per_customer > 1).mean()) if len(per_customer) else 0.0


def top_customers(connection: Any, n: int = 3) -> list[tuple[int, float]]:
    """The ``n`` customers who spent the most on delivered orders: (id, amount), ties by id."""
    cursor = connection.cursor()
    cursor.execute(
        "SELECT customer_id, ROUND(CAST(SUM(total) AS NUMERIC), 2) AS spent FROM orders"
        " WHERE status = 'delivered' GROUP BY customer_id ORDER BY spent DESC, customer_id"
        f" LIMIT {int(n)}"
    )
    return [(int(customer), float(spent)) for customer, spent in cursor.fetchall()]
