"""A small shop written as CSV files with known relations and laws, for `rulegen infer` tests.

customers (id 1..n, names, emails, phones, a city, a signup date quieter at weekends, a tier
with one rare value, free-text notes naming people), orders (a Poisson number per customer,
amounts from a gamma law, a status) and order_lines (1 to 4 per order, numbered within the
order, SKU codes).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pandas as pd

CUSTOMERS = 600
ORDERS_PER_CUSTOMER = 3.0
RARE_TIER = "platinum"  # held by 2 customers: must not be copied without --allow-values
NOTE_PEOPLE = ("Rosalind Quennell", "Tobias Wexford", "Imogen Haverly")  # named in free text
CITIES = {"Springfield": 0.4, "Riverton": 0.3, "Lakeside": 0.2, "Hillview": 0.1}
WEEKDAY_RATES = np.array([1.0, 1.1, 1.1, 1.0, 1.2, 0.4, 0.3])


def write_shop(folder: Path, seed: int = 7) -> Path:
    """Write customers.csv, orders.csv and order_lines.csv into ``folder``; return it."""
    from faker import Faker

    rng = np.random.default_rng(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = np.arange(1, CUSTOMERS + 1)
    first = [fake.first_name() for _ in ids]
    last = [fake.last_name() for _ in ids]
    tiers = rng.choice(["bronze", "silver", "gold"], size=CUSTOMERS, p=[0.6, 0.3, 0.1]).astype(object)
    tiers[[5, 17]] = RARE_TIER
    notes = [f"Spoke with {NOTE_PEOPLE[i % 3]} on {fake.date_this_decade()} about {fake.bs()}, ref {fake.bban()}"
             if i % 4 == 0 else None for i in range(CUSTOMERS)]
    customers = pd.DataFrame({
        "id": ids,
        "first_name": first,
        "last_name": last,
        "email": [f"{a}.{b}{i}@example.com".lower() for a, b, i in zip(first, last, ids, strict=True)],
        "phone": [f"555-{rng.integers(100, 1000)}-{rng.integers(0, 10_000):04d}" for _ in ids],
        "city": rng.choice(list(CITIES), size=CUSTOMERS, p=list(CITIES.values())),
        "signup_date": _weekly_dates(rng, CUSTOMERS, datetime.date(2022, 1, 1), datetime.date(2023, 12, 31)),
        "tier": tiers,
        "notes": notes,
    })
    counts = rng.poisson(ORDERS_PER_CUSTOMER, size=CUSTOMERS)
    parent = np.repeat(ids, counts)
    orders = pd.DataFrame({
        "order_id": np.arange(1, len(parent) + 1),
        "customer_id": parent,
        "ordered_at": pd.to_datetime(_weekly_dates(rng, len(parent), datetime.date(2023, 1, 1),
                                                   datetime.date(2024, 6, 30)))
        + pd.to_timedelta(rng.integers(0, 86_400, size=len(parent)), unit="s"),
        "status": rng.choice(["delivered", "pending", "cancelled"], size=len(parent), p=[0.7, 0.2, 0.1]),
        "amount": np.round(rng.gamma(2.0, 40.0, size=len(parent)), 2),
    })
    lines_per_order = rng.integers(1, 5, size=len(orders))
    order_of_line = np.repeat(orders["order_id"].to_numpy(), lines_per_order)
    starts = np.repeat(np.cumsum(lines_per_order) - lines_per_order, lines_per_order)
    lines = pd.DataFrame({
        "order_id": order_of_line,
        "line_no": np.arange(len(order_of_line)) - starts + 1,
        "sku": [f"SKU-{n:05d}" for n in rng.integers(0, 100_000, size=len(order_of_line))],
        "quantity": rng.poisson(1.0, size=len(order_of_line)) + 1,
        "unit_price": np.round(rng.lognormal(3.0, 0.5, size=len(order_of_line)), 2),
    })
    customers.to_csv(folder / "customers.csv", index=False)
    orders.to_csv(folder / "orders.csv", index=False)
    lines.to_csv(folder / "order_lines.csv", index=False)
    return folder


def _weekly_dates(rng: np.random.Generator, n: int, first: datetime.date, last: datetime.date) -> list[str]:
    days = pd.date_range(first, last, freq="D")
    weights = WEEKDAY_RATES[days.day_of_week]
    picked = rng.choice(len(days), size=n, p=weights / weights.sum())
    return [days[i].date().isoformat() for i in picked]
