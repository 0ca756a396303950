"""What every W1 implementation shares: the workload's constants and the per-process harness.

W1 "customers" (WORKLOAD.md): id 1..N; en_US first and last name; email
``lower(first).lower(last){id}@example.com``; birthdate uniform in [1940-01-01, 2008-12-31];
signup_ts uniform in [2020-01-01 00:00:00, 2025-12-31 23:59:59] at second resolution;
country from 20 weighted codes; balance ``round(lognormal(7, 1.2), 2)``; is_active with P 0.8.

The harness (:func:`main`) runs one tool in its own process and prints its split as a JSON
line: ``import`` (loading the tool's libraries), ``setup`` (building the generator or compiling
the spec), ``generate`` (making the rows in memory) and ``write`` (writing the file), each in wall
seconds and in CPU seconds (``cpu_*``: all threads of the process, less disturbed than wall time
when the machine is busy). This module imports only the standard library, so ``import`` counts
the tool's own imports.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import time
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


def email(first: str, last: str, row_id: int) -> str:
    """The W1 email of one row (what the row-by-row tools compute per row)."""
    return f"{first}.{last}{row_id}@example.com".lower()


def column_names(result: Any) -> list[str]:
    """Column names of what a tool's ``generate`` returned (a list of dicts or an Arrow table)."""
    if isinstance(result, list):
        return list(result[0]) if result else []
    return list(result.column_names)


def row_count(result: Any) -> int:
    return len(result) if isinstance(result, list) else result.num_rows


def main(module_name: str, argv: list[str] | None = None) -> None:
    """Run one tool in this process and print its timing split as a JSON line."""
    parser = argparse.ArgumentParser(description=f"W1 benchmark: {module_name}")
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
        result["bytes"] = Path(path).stat().st_size
    print(json.dumps(result), flush=True)
