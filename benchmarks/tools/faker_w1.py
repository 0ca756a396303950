"""W1 with a plain Faker loop: the idiomatic fastest Faker path.

* ``Faker("en_US", use_weighting=False)`` seeded with ``seed_instance``: ``use_weighting=False``
  is Faker's documented speed switch (names are then drawn uniformly from the en_US lists, not
  by frequency).
* One Python dict per row, built by a loop over bound provider methods (looked up once, outside
  the loop): ``first_name``, ``last_name``, ``date_between`` (uniform over days),
  ``date_time_between`` (truncated to whole seconds), ``pybool(80)``.
* Faker has no weighted-choice provider that honours weights under ``use_weighting=False`` and no
  lognormal provider, so country and balance use Faker's own seeded ``random.Random``
  (``choices`` with cumulative weights, ``lognormvariate``), as Faker users do.
* Email is computed per row from the row's names and id with an f-string and ``str.lower``.
* Rows are written with ``csv.DictWriter.writerows`` (the csv module), after generating them all.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from benchmarks.tools import common

NAME = "faker"
FORMAT = "csv"


def load() -> None:
    import faker  # noqa: F401


def setup(n: int, seed: int = common.SEED) -> Any:
    from faker import Faker

    fake = Faker("en_US", use_weighting=False)
    fake.seed_instance(seed)
    return fake


def generate(n: int, seed: int = common.SEED, state: Any = None) -> list[dict[str, Any]]:
    fake = state if state is not None else setup(n, seed)
    first_name, last_name = fake.first_name, fake.last_name
    date_between, date_time_between, pybool = fake.date_between, fake.date_time_between, fake.pybool
    choices, lognormvariate = fake.random.choices, fake.random.lognormvariate
    countries, cum_weights = common.COUNTRIES, common.COUNTRY_CUM_WEIGHTS
    b0, b1, s0, s1 = common.BIRTH_MIN, common.BIRTH_MAX, common.SIGNUP_MIN, common.SIGNUP_MAX
    mu, sigma = common.BALANCE_MU, common.BALANCE_SIGMA
    rows = []
    append = rows.append
    for i in range(1, n + 1):
        first, last = first_name(), last_name()
        append({
            "id": i,
            "first_name": first,
            "last_name": last,
            "email": f"{first}.{last}{i}@example.com".lower(),
            "birthdate": date_between(b0, b1),
            "signup_ts": date_time_between(s0, s1).replace(microsecond=0),
            "country": choices(countries, cum_weights=cum_weights)[0],
            "balance": round(lognormvariate(mu, sigma), 2),
            "is_active": pybool(80),
        })
    return rows


def write(rows: list[dict[str, Any]], out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "customers.csv"
    with path.open("w", encoding="utf-8", newline="") as fp:
        writer = csv.DictWriter(fp, common.COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


if __name__ == "__main__":
    common.main("benchmarks.tools.faker_w1")
