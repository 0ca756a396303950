"""W1 with dbldatagen on local Spark (``local[2]``): a ``DataGenerator`` spec, written to Parquet.

* Run in an interpreter that has ``pyspark`` and ``dbldatagen`` (they pin their own stack, so
  they may live in a separate virtual environment: :func:`python` finds it) with ``java`` on
  PATH; run.py skips dbldatagen with the reason when either is missing or Spark cannot start.
* "setup" starts the JVM and the ``SparkSession`` (``local[2]``, UI off, UTC) and builds the
  ``DataGenerator(rows=n, partitions=2, randomSeed=seed)`` spec; Spark is lazy, so that is all.
* Columns, each one Spark SQL expression that dbldatagen derives from the seed ``id``:
  ``id`` a ranged ``long`` 1..N (not random: the sequence); first and last name
  ``values=`` Faker's en_US lists with ``random=True`` (uniform, the fast path without a 690-way
  ``CASE``; Faker's own fast path ``use_weighting=False`` is uniform too); email an ``expr``
  ``lower(concat(first_name, '.', last_name, id, '@example.com'))``; birthdate and signup_ts
  ``data_range=DateRange(..., "days=1" / "seconds=1"), random=True``; country ``values`` +
  ``weights`` (dbldatagen's weighted ``CASE``); balance ``expr`` ``round(exp(7 + 1.2 *
  randn(seed)), 2)``; is_active ``expr`` ``rand(seed) < 0.8``.
* In memory ("generate"): ``df.write.format("noop")``, Spark's sink that computes every row and
  column and writes nothing; to file: ``df.write.parquet(out/customers)`` (a folder of part files,
  one per partition, snappy), timed with the session start ("combined": setup + generate + write
  in one step, as Spark computes while it writes).
* CPU seconds: the in-process split sees only the Python driver; run.py adds the JVM's CPU time
  (sampled from /proc) to the whole-process figure and shows no CPU figure for the in-process
  modes.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.tools import common

NAME = "dbldatagen"
FORMAT = "parquet"
WRITE_COMBINED = True
OPTIONAL = True
JVM = True  # the work is done in a JVM child process: run.py samples its CPU time from /proc
MAX_REPS = 3  # each run starts a JVM (~10-20 s): the median of 3 after the warm-up
VENV_PYTHON = Path("/tmp/spark-venv/bin/python")  # where benchmarks/README-style setup puts it
ENV_PYTHON = "RULEGEN_BENCH_SPARK_PYTHON"


def python() -> str | None:
    """An interpreter with pyspark and dbldatagen: $RULEGEN_BENCH_SPARK_PYTHON, the venv under
    /tmp, or this one; None if none has them."""
    candidates = [os.environ.get(ENV_PYTHON), str(VENV_PYTHON) if VENV_PYTHON.exists() else None]
    for exe in filter(None, candidates):
        probe = subprocess.run([exe, "-c", "import pyspark, dbldatagen, faker"], capture_output=True)
        if probe.returncode == 0:
            return exe
    if all(importlib.util.find_spec(m) for m in ("pyspark", "dbldatagen")):
        return sys.executable
    return None


def unavailable() -> str | None:
    """Why dbldatagen cannot run here, or None."""
    if shutil.which("java") is None:
        return "no `java` on PATH (Spark needs a JVM)"
    if python() is None:
        return (f"no interpreter with pyspark + dbldatagen + faker (set {ENV_PYTHON}, or "
                f"`python -m venv /tmp/spark-venv && /tmp/spark-venv/bin/pip install pyspark dbldatagen faker`)")
    return None


def load() -> None:
    import dbldatagen  # noqa: F401
    import pyspark.sql  # noqa: F401
    from faker.providers.person.en_US import Provider  # noqa: F401


def setup(n: int, seed: int = common.SEED) -> Any:
    import dbldatagen as dg
    from faker.providers.person.en_US import Provider
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("rulegen-bench-w1")
             .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
             .config("spark.driver.memory", "2g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    countries = list(common.COUNTRY_WEIGHTS)
    spec = (
        dg.DataGenerator(spark, name="customers", rows=n, partitions=2, randomSeed=seed,
                         seedColumnName="_id")
        .withColumn("id", "long", minValue=1, maxValue=n)
        .withColumn("first_name", "string", values=list(Provider.first_names), random=True)
        .withColumn("last_name", "string", values=list(Provider.last_names), random=True)
        .withColumn("email", "string", baseColumn=["first_name", "last_name", "id"],
                    expr="lower(concat(first_name, '.', last_name, cast(id as string), '@example.com'))")
        .withColumn("birthdate", "date", random=True,
                    data_range=dg.DateRange("1940-01-01 00:00:00", "2008-12-31 00:00:00", "days=1"))
        .withColumn("signup_ts", "timestamp", random=True,
                    data_range=dg.DateRange("2020-01-01 00:00:00", "2025-12-31 23:59:59", "seconds=1"))
        .withColumn("country", "string", values=countries,
                    weights=[common.COUNTRY_WEIGHTS[c] for c in countries], random=True)
        .withColumn("balance", "double",
                    expr=f"round(exp({common.BALANCE_MU} + {common.BALANCE_SIGMA} * randn({seed})), 2)")
        .withColumn("is_active", "boolean", expr=f"rand({seed + 1}) < {common.ACTIVE_P}")
    )
    return spec.build()


def generate(n: int, seed: int = common.SEED, state: Any = None) -> int:
    """Every row computed by Spark's ``noop`` sink (nothing kept); returns the row count."""
    df = state if state is not None else setup(n, seed)
    df.write.format("noop").mode("overwrite").save()
    return n


def write(result: Any, out_dir: Path) -> Path:
    raise NotImplementedError("dbldatagen writes as it generates: run with --out (write_spec)")


def write_spec(n: int, out_dir: Path, seed: int = common.SEED) -> Path:
    """Session + spec + ``df.write.parquet``: the folder ``out_dir/customers`` of part files."""
    df = setup(n, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "customers"
    df.write.mode("overwrite").parquet(str(path))
    return path


if __name__ == "__main__":
    os.environ.setdefault("TZ", "UTC")
    common.main("benchmarks.tools.dbldatagen_w1")
