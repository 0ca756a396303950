"""W1 + W2 (customers and their orders) with Snowfakery: the recipe ``snowfakery_w2.recipe.yml``.

* Snowfakery's idiomatic path is a YAML recipe run by ``snowfakery.generate_data(recipe,
  output_format="csv", output_folder=out, target_number=(N, "customers"))`` (the Python API of
  the ``snowfakery`` command, with the same options): it interprets the recipe row by row
  (Jinja for every ``${{ }}`` field) and streams each row to ``customers.csv`` / ``orders.csv``,
  so generating and writing are one call (timed together, "combined").
* Orders are ``friends`` of each customer: ``count`` a Poisson(3) from Snowfakery's standard
  ``StatisticalDistributions`` plugin, ``customer_id`` a ``reference`` to the customer,
  ``order_ts`` a ``datetime_between`` the customer's signup and a year after it; lognormal
  balance and gamma amount from the same plugin; weighted values by ``random_choice``; names by
  ``fake: FirstName`` / ``LastName`` (Faker's en_US lists, ``use_weighting=False`` as Snowfakery
  builds its Faker).
* Every table gets Snowfakery's own ``id`` column (W2's order_id is orders.id). Snowfakery has no
  seed option, so runs differ; the row counts follow the Poisson draws.
* The whole-process figure runs this module (the API) rather than the ``snowfakery`` console
  script: in this environment the script fails at import (``snowfakery.utils.versions`` imports
  ``pkg_resources``, gone from setuptools 81 on), while the API does not import it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tools import common

NAME = "snowfakery"
FORMAT = "csv"
WRITE_COMBINED = True
IN_MEMORY = False  # Snowfakery streams rows to an output; there is no in-memory result
RECIPE = Path(__file__).resolve().with_name("snowfakery_w2.recipe.yml")
PARENT = "customers"


def load() -> None:
    import snowfakery  # noqa: F401


def write_spec(n: int, out_dir: Path, seed: int = common.SEED) -> Path:
    """Both CSV files through ``snowfakery.generate_data`` (the recipe run once, N customers)."""
    from snowfakery import generate_data

    out_dir.mkdir(parents=True, exist_ok=True)
    generate_data(str(RECIPE), output_format="csv", output_folder=str(out_dir), target_number=(n, PARENT))
    return out_dir


def setup(n: int, seed: int = common.SEED) -> Any:
    raise NotImplementedError("Snowfakery writes as it generates: run with --out (write_spec)")


def generate(n: int, seed: int = common.SEED, state: Any = None) -> Any:
    raise NotImplementedError("Snowfakery writes as it generates: run with --out (write_spec)")


def write(result: Any, out_dir: Path) -> Path:
    raise NotImplementedError("Snowfakery writes as it generates: run with --out (write_spec)")


if __name__ == "__main__":
    common.main("benchmarks.tools.snowfakery_w2")
