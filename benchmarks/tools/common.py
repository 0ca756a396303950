"""What every benchmark implementation shares: the workloads' constants and the per-process harness.

W1 "customers" (benchmarks/WORKLOADS.md): id 1..N; en_US first and last name; email
``lower(first).lower(last){id}@example.com``; birthdate uniform in [1940-01-01, 2008-12-31];
signup_ts uniform in [2020-01-01 00:00:00, 2025-12-31 23:59:59] at second resolution;
country from 20 weighted codes; balance ``round(lognormal(7, 1.2), 2)``; is_active with P 0.8.

W2 "orders", a child of W1: Poisson(3) orders per customer; order_id sequential; customer_id the
customer's id; order_ts the customer's signup_ts + U(0, 365 days) seconds; amount
``round(gamma(2, 30), 2)``; status from 5 weighted values. ``--rows N`` is the number of
customers; the rows counted are customers + orders (~4N).

W3 pure numeric: N rows of 10 float64 standard normals (f01..f10), 5 int64 uniform in
[0, 1,000,000) (i01..i05) and 5 categoricals (c01..c05) of 20 string levels L01..L20 with Zipf
weights 1/k.

The harness (:func:`main`) runs one tool in its own process and prints its split as a JSON
line: ``import`` (loading the tool's libraries), ``setup`` (building the generator or compiling
the spec), ``generate`` (making the rows in memory) and ``write`` (writing the file), each in wall
seconds and in CPU seconds (``cpu_*``: all threads of the process, less disturbed than wall time
when the machine is busy). This module imports only the standard library, so ``import`` counts
the tool's own imports.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import importlib
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

COLUMNS = (
    "id", "first_name", "last_name", "email", "birthdate", "signup_ts", "country", "balance", "is_active",
)

COUNTRY_WEIGHTS = {
    "US": 0.22, "GB": 0.09, "DE": 0.08, "FR": 0.07, "IN": 0.07, "BR": 0.06, "CA": 0.05, "AU": 0.04,
    "JP": 0.04, "ES": 0.04, "IT": 0.04, "MX": 0.03, "NL": 0.03, "SE": 0.02, "PL": 0.02, "KR": 0.02,
    "ZA": 0.02, "NG": 0.02, "AR": 0.02, "IE": 0.02,
}
COUNTRIES = tuple(COUNTRY_WEIGHTS)
COUNTRY_CUM_WEIGHTS = tuple(
    round(sum(list(COUNTRY_WEIGHTS.values())[: i + 1]), 10) for i in range(len(COUNTRY_WEIGHTS))
)

BIRTH_MIN = datetime.date(1940, 1, 1)
BIRTH_MAX = datetime.date(2008, 12, 31)
SIGNUP_MIN = datetime.datetime(2020, 1, 1, 0, 0, 0)
SIGNUP_MAX = datetime.datetime(2025, 12, 31, 23, 59, 59)
BALANCE_MU, BALANCE_SIGMA = 7.0, 1.2
ACTIVE_P = 0.8
SEED = 42

ORDER_COLUMNS = ("order_id", "customer_id", "order_ts", "amount", "status")
ORDERS_LAM = 3.0
ORDER_DELAY = datetime.timedelta(days=365)
AMOUNT_SHAPE, AMOUNT_SCALE = 2.0, 30.0
STATUS_WEIGHTS = {"delivered": 0.70, "shipped": 0.12, "processing": 0.08, "cancelled": 0.06, "returned": 0.04}
STATUSES = tuple(STATUS_WEIGHTS)
STATUS_CUM_WEIGHTS = tuple(
    round(sum(list(STATUS_WEIGHTS.values())[: i + 1]), 10) for i in range(len(STATUS_WEIGHTS))
)

W3_FLOATS = tuple(f"f{i:02d}" for i in range(1, 11))
W3_INTS = tuple(f"i{i:02d}" for i in range(1, 6))
W3_CATEGORICALS = tuple(f"c{i:02d}" for i in range(1, 6))
W3_COLUMNS = (*W3_FLOATS, *W3_INTS, *W3_CATEGORICALS)
W3_INT_HIGH = 1_000_000  # exclusive
W3_LEVELS = tuple(f"L{k:02d}" for k in range(1, 21))
W3_WEIGHTS = tuple(1 / k for k in range(1, 21))  # Zipf, 1/k (unnormalised)


def email(first: str, last: str, row_id: int) -> str:
    """The W1 email of one row (what the row-by-row tools compute per row)."""
    return f"{first}.{last}{row_id}@example.com".lower()


def poisson(random: Callable[[], float], lam: float) -> int:
    """One Poisson(lam) draw from uniform draws (Knuth's product method; fine for a small lam).

    The row-by-row tools have no Poisson provider (Faker, Mimesis, Python's ``random``), so they
    share this: ~lam + 1 calls of ``random`` per draw.
    """
    limit, k, product = math.exp(-lam), 0, random()
    while product > limit:
        k += 1
        product *= random()
    return k


def column_names(result: Any) -> list[str]:
    """Column names of what a tool's ``generate`` returned (a list of dicts or an Arrow table)."""
    if isinstance(result, list):
        return list(result[0]) if result else []
    return list(result.column_names)


def row_count(result: Any) -> int:
    """Rows in what ``generate`` returned: a list of rows, an Arrow table, a count, or a dict of
    tables (rows of all of them)."""
    if isinstance(result, dict):
        return sum(row_count(r) for r in result.values())
    if isinstance(result, int):
        return result
    return len(result) if isinstance(result, list) else result.num_rows


def write_csv_tables(tables: dict[str, list[dict[str, Any]]], out_dir: Path) -> Path:
    """``NAME.csv`` per table of rows (dicts) with ``csv.DictWriter``; returns the folder."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        with (out_dir / f"{name}.csv").open("w", encoding="utf-8", newline="") as fp:
            writer = csv.DictWriter(fp, list(rows[0]) if rows else [])
            writer.writeheader()
            writer.writerows(rows)
    return out_dir


def size_of(path: Path) -> int:
    """Bytes of a file, or of every file under a folder."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def main(module_name: str, argv: list[str] | None = None) -> None:
    """Run one tool in this process and print its timing split as a JSON line."""
    parser = argparse.ArgumentParser(description=f"benchmark: {module_name}")
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, help="folder to write to; without it, generate in memory only")
    args = parser.parse_args(argv)

    marks = [(time.perf_counter(), time.process_time())]

    def lap(phase: str) -> None:
        """Record the wall and CPU seconds (all threads of this process) since the last lap."""
        marks.append((time.perf_counter(), time.process_time()))
        result[phase] = marks[-1][0] - marks[-2][0]
        result[f"cpu_{phase}"] = marks[-1][1] - marks[-2][1]

    result: dict[str, Any] = {"tool": module_name, "rows": args.rows}
    module = importlib.import_module(module_name)
    module.load()
    lap("import")
    result["tool"] = module.NAME
    path = None
    if args.out is not None and getattr(module, "WRITE_COMBINED", False):
        # The tool's own one-call "spec to file" API: compile, generate and write are not separable.
        path = module.write_spec(args.rows, args.out, args.seed)
        lap("combined")
    else:
        state = module.setup(args.rows, args.seed)
        lap("setup")
        data = module.generate(args.rows, args.seed, state)
        lap("generate")
        result["made"] = row_count(data)
        if args.out is not None:
            path = module.write(data, args.out)
            lap("write")
        del data
    if path is not None:
        result["bytes"] = size_of(Path(path))
    print(json.dumps(result), flush=True)
