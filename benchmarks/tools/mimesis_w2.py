"""W1 + W2 (customers and their orders) with Mimesis: its ``Schema`` for customers, then a loop.

* Customers exactly as ``mimesis_w1`` makes them (its ``Schema`` of bound provider methods,
  ``Schema.create()``).
* Orders: Mimesis has no per-parent child API, so a Python loop over the customers makes each
  one's orders with the providers' seeded ``random`` (Mimesis' ``Random``, a ``random.Random``):
  Poisson(3) by ``common.poisson`` (Mimesis has no Poisson provider), order_ts the signup plus
  ``timedelta(seconds=int(uniform(0, 365 days)))`` (``Datetime`` has no "between two datetimes"),
  amount ``round(gammavariate(2, 30), 2)``, status ``choices`` with cumulative weights (what
  ``weighted_choice`` calls, without rebuilding the lists per row).
* Written with ``csv.DictWriter`` (as ``Schema.to_csv`` does) to ``customers.csv`` and
  ``orders.csv``.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from benchmarks.tools import common, mimesis_w1

NAME = "mimesis"
FORMAT = "csv"


def load() -> None:
    mimesis_w1.load()


def setup(n: int, seed: int = common.SEED) -> Any:
    from mimesis import Generic
    from mimesis.locales import Locale

    return mimesis_w1.setup(n, seed), Generic(Locale.EN, seed=seed + 2).random


def generate(n: int, seed: int = common.SEED, state: Any = None) -> dict[str, list[dict[str, Any]]]:
    schema, rnd = state if state is not None else setup(n, seed)
    customers = schema.create()
    random, uniform, gammavariate, choices = rnd.random, rnd.uniform, rnd.gammavariate, rnd.choices
    statuses, cum_weights = common.STATUSES, common.STATUS_CUM_WEIGHTS
    lam, shape, scale = common.ORDERS_LAM, common.AMOUNT_SHAPE, common.AMOUNT_SCALE
    delay_s = common.ORDER_DELAY.total_seconds()
    timedelta, poisson = datetime.timedelta, common.poisson
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
                "order_ts": signup + timedelta(seconds=int(uniform(0, delay_s))),
                "amount": round(gammavariate(shape, scale), 2),
                "status": choices(statuses, cum_weights=cum_weights)[0],
            })
    return {"customers": customers, "orders": orders}


def write(tables: dict[str, list[dict[str, Any]]], out_dir: Path) -> Path:
    return common.write_csv_tables(tables, out_dir)


if __name__ == "__main__":
    common.main("benchmarks.tools.mimesis_w2")
