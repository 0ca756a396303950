#!/usr/bin/env python
"""What seasonality costs: 1M uniform timestamps against 1M seasonal ones (docs/time.md).

    python benchmarks/seasonal.py [--rows 1000000] [--reps 5]

Both runs go through the rulegen API in this process, one column of one table, on one core:
``rulegen.compile(spec)`` then every block of ``rulegen.iter_blocks(plan, "t", arrow=True)``
gathered into a ``pyarrow.Table``. The seasonal column has these rates over
2020-2025: weekly x daily (peak 20:00) x yearly (Nov, Dec) x an event day x a 50 % yearly
growth, so its grid has hourly bins (about 52,600). Each figure is the median of ``--reps``
runs after one warm-up, with compiling excluded (generate only) and included. The target is a
seasonal run at most 3x the uniform one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

UNIFORM = """
version: 1
tables:
  t:
    rows: {rows}
    columns:
      signup_at: {{kind: timestamp, min: 2020-01-01, max: 2025-12-31}}
"""

SEASONAL = """
version: 1
tables:
  t:
    rows: {rows}
    columns:
      signup_at:
        kind: timestamp
        min: 2020-01-01
        max: 2025-12-31
        trend: {{growth: 0.5}}
        seasonality:
          weekly: [1.0, 1.1, 1.1, 1.0, 1.2, 0.6, 0.5]
          daily: {{peak: "20:00", amplitude: 0.6}}
          yearly: {{nov: 1.4, dec: 1.8}}
          events: [{{date: 2024-11-29, days: 1, factor: 5}}]
"""


def _generate(plan) -> int:
    import pyarrow as pa

    import rulegen

    table = pa.Table.from_batches(list(rulegen.iter_blocks(plan, "t", arrow=True, workers=1)))
    return table.num_rows


def measure(text: str, rows: int, reps: int) -> tuple[float, float]:
    """Median seconds of (generate only, compile + generate)."""
    import rulegen

    spec = rulegen.load(text)
    assert _generate(rulegen.compile(spec)) == rows  # warm-up
    excluded, included = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        plan = rulegen.compile(spec)
        t1 = time.perf_counter()
        _generate(plan)
        t2 = time.perf_counter()
        excluded.append(t2 - t1)
        included.append(t2 - t0)
    return statistics.median(excluded), statistics.median(included)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    uniform = measure(UNIFORM.format(rows=args.rows), args.rows, args.reps)
    seasonal = measure(SEASONAL.format(rows=args.rows), args.rows, args.reps)
    print(f"{args.rows:,} timestamps, median of {args.reps} after a warm-up, one core")
    print(f"{'':22} {'uniform':>16} {'seasonal':>16} {'ratio':>7}")
    for i, mode in enumerate(("compile excluded", "compile included")):
        u, s = uniform[i], seasonal[i]
        print(f"{mode:22} {args.rows / u:>11,.0f} r/s {args.rows / s:>11,.0f} r/s {s / u:>6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
