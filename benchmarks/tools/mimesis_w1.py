"""W1 with Mimesis: its idiomatic fastest path, a ``Schema`` of bound provider methods.

* Providers are built once with a seed: ``Person(Locale.EN)``, ``Datetime(Locale.EN)``; the row
  function calls bound methods looked up once (``first_name``, ``last_name``, ``Datetime.date``,
  ``Datetime.datetime``) and is run ``n`` times by ``Schema(...).create()`` (Mimesis' bulk API,
  which evaluates into a list of dicts; ``Fieldset`` is per column and could not share names
  between first_name and email).
* Mimesis draws names uniformly from its own en list (3,490 first names, 1,000 surnames).
* ``Datetime.date(1940, 2008)`` and ``Datetime.datetime(2020, 2025)`` span exactly the W1 ranges
  but draw year, then month, then day (each month equally likely, so not exactly uniform over
  days); datetimes come with microseconds and are truncated to whole seconds.
* Country, balance and is_active use the provider's seeded ``random`` (Mimesis' ``Random``, a
  ``random.Random``): ``choices`` with cumulative weights (what ``weighted_choice`` calls, without
  rebuilding the lists per row), ``lognormvariate`` and ``random() < 0.8``.
* Written with ``csv.DictWriter`` exactly as ``Schema.to_csv`` does (create, then writerows),
  split so the generate and write phases can be timed apart.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path
from typing import Any

from benchmarks.tools import common

NAME = "mimesis"
FORMAT = "csv"


def load() -> None:
    import mimesis  # noqa: F401


def setup(n: int, seed: int = common.SEED) -> Any:
    from mimesis import Datetime, Person, Schema
    from mimesis.locales import Locale

    person = Person(Locale.EN, seed=seed)
    dt = Datetime(Locale.EN, seed=seed + 1)
    rnd = person.random
    first_name, last_name, date, datetime_ = person.first_name, person.last_name, dt.date, dt.datetime
    choices, lognormvariate, random = rnd.choices, rnd.lognormvariate, rnd.random
    countries, cum_weights = common.COUNTRIES, common.COUNTRY_CUM_WEIGHTS
    b0, b1 = common.BIRTH_MIN.year, common.BIRTH_MAX.year
    s0, s1 = common.SIGNUP_MIN.year, common.SIGNUP_MAX.year
    mu, sigma, p = common.BALANCE_MU, common.BALANCE_SIGMA, common.ACTIVE_P
    ids = itertools.count(1)

    def row() -> dict[str, Any]:
        i = next(ids)
        first, last = first_name(), last_name()
        return {
            "id": i,
            "first_name": first,
            "last_name": last,
            "email": f"{first}.{last}{i}@example.com".lower(),
            "birthdate": date(b0, b1),
            "signup_ts": datetime_(s0, s1).replace(microsecond=0),
            "country": choices(countries, cum_weights=cum_weights)[0],
            "balance": round(lognormvariate(mu, sigma), 2),
            "is_active": random() < p,
        }

    return Schema(schema=row, iterations=n)


def generate(n: int, seed: int = common.SEED, state: Any = None) -> list[dict[str, Any]]:
    schema = state if state is not None else setup(n, seed)
    return schema.create()


def write(rows: list[dict[str, Any]], out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "customers.csv"
    with path.open("w", encoding="utf-8", newline="") as fp:
        writer = csv.DictWriter(fp, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


if __name__ == "__main__":
    common.main("benchmarks.tools.mimesis_w1")
