"""W1 + W2 (customers and their orders) with a plain Faker loop, the idiomatic fastest Faker path.

* Customers exactly as ``faker_w1`` makes them (same ``Faker("en_US", use_weighting=False)``,
  same loop); then, for each customer in turn, its orders.
* Orders per customer: Poisson(3) by ``common.poisson`` on Faker's seeded ``random.Random``
  (Faker has no Poisson provider; Knuth's product method, ~4 ``random()`` calls a customer).
* order_ts: ``fake.date_time_between(signup_ts, signup_ts + 365 days)`` (Faker's own "between
  two datetimes", uniform), truncated to whole seconds; amount
  ``round(random.gammavariate(2, 30), 2)``; status ``random.choices`` with cumulative weights.
  order_id counts up across all customers.
* Both tables are lists of dicts, written with ``csv.DictWriter.writerows`` to
  ``customers.csv`` and ``orders.csv`` after generating them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tools import common, faker_w1

NAME = "faker"
FORMAT = "csv"


def load() -> None:
    faker_w1.load()


def setup(n: int, seed: int = common.SEED) -> Any:
    return faker_w1.setup(n, seed)


def generate(n: int, seed: int = common.SEED, state: Any = None) -> dict[str, list[dict[str, Any]]]:
    fake = state if state is not None else setup(n, seed)
    customers = faker_w1.generate(n, seed, fake)
    date_time_between = fake.date_time_between
    random, gammavariate, choices = fake.random.random, fake.random.gammavariate, fake.random.choices
    statuses, cum_weights = common.STATUSES, common.STATUS_CUM_WEIGHTS
    lam, delay, shape, scale = common.ORDERS_LAM, common.ORDER_DELAY, common.AMOUNT_SHAPE, common.AMOUNT_SCALE
    poisson = common.poisson
    orders = []
    append = orders.append
    order_id = 0
    for customer in customers:
        signup, customer_id = customer["signup_ts"], customer["id"]
        for _ in range(poisson(random, lam)):
            order_id += 1
            append({
                "order_id": order_id,
                "customer_id": customer_id,
                "order_ts": date_time_between(signup, signup + delay).replace(microsecond=0),
                "amount": round(gammavariate(shape, scale), 2),
                "status": choices(statuses, cum_weights=cum_weights)[0],
            })
    return {"customers": customers, "orders": orders}


def write(tables: dict[str, list[dict[str, Any]]], out_dir: Path) -> Path:
    return common.write_csv_tables(tables, out_dir)


if __name__ == "__main__":
    common.main("benchmarks.tools.faker_w2")
