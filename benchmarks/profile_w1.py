#!/usr/bin/env python
"""Where rulegen's W1 in-memory time goes: cProfile plus a per-column breakdown.

    python benchmarks/profile_w1.py [--rows 1000000] [--top 25]

Profiles exactly the benchmark's in-memory path in this (fresh) process: ``rulegen.compile`` of
``benchmarks/specs/w1.yaml`` then iterating ``rulegen.iter_blocks(plan, "customers", arrow=True)``
with ``workers=1``. Then, without the profiler, it times the same run with each column's
evaluation, the streaming uniqueness check and the batch assembly wrapped by timers (wall and
CPU seconds), so the cost per column is visible.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import functools
import io
import pstats
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.tools import rulegen_w1  # noqa: E402


def _run(n: int) -> tuple[float, float]:
    import rulegen

    t0 = time.perf_counter()
    plan = rulegen.compile(rulegen_w1.SPEC, rows={rulegen_w1.TABLE: n})
    t1 = time.perf_counter()
    rows = sum(b.num_rows for b in rulegen.iter_blocks(plan, rulegen_w1.TABLE, arrow=True, workers=1))
    assert rows == n
    return t1 - t0, time.perf_counter() - t1


def _timed(totals: dict[str, list[float]], key: Any, fn: Any) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        w, c = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            name = key(*args, **kwargs) if callable(key) else key
            totals[name][0] += time.perf_counter() - w
            totals[name][1] += time.process_time() - c

    return wrapper


def breakdown(n: int) -> list[str]:
    """Per-column and per-stage seconds of one more in-memory run (timers patched in)."""
    from rulegen.engine import evaluate, stream, unique

    totals: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0])
    evaluate._evaluate_column = _timed(totals, lambda column, *a, **k: f"column {column.spec.name}",
                                       evaluate._evaluate_column)
    evaluate.row_hashes = _timed(totals, "unique check: row hashes (per block)", evaluate.row_hashes)
    unique.UniqueChecker.add = _timed(totals, "unique check: add (per block)", unique.UniqueChecker.add)
    unique.UniqueChecker.finish = _timed(totals, "unique check: finish (sort of all hashes)",
                                         unique.UniqueChecker.finish)
    evaluate.evaluate_block = _timed(totals, "evaluate_block (all of the above per block)",
                                     evaluate.evaluate_block)
    import rulegen.scale.local as local

    local.evaluate_block = evaluate.evaluate_block
    del stream
    compile_s, generate_s = _run(n)
    lines = [f"timed run: compile {compile_s:.3f} s, iter_blocks {generate_s:.3f} s wall "
             f"({n / generate_s:,.0f} rows/s without compile)", "",
             "| stage | wall s | CPU s | share of iter_blocks wall |", "| --- | ---: | ---: | ---: |"]
    for name, (wall, cpu) in sorted(totals.items(), key=lambda kv: -kv[1][0]):
        lines.append(f"| {name} | {wall:.3f} | {cpu:.3f} | {wall / generate_s:.0%} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    import pyarrow  # noqa: F401

    import rulegen  # noqa: F401

    print(f"import rulegen: {time.perf_counter() - t0:.3f} s")
    profiler = cProfile.Profile()
    profiler.enable()
    compile_s, generate_s = _run(args.rows)
    profiler.disable()
    print(f"profiled run: compile {compile_s:.3f} s, iter_blocks {generate_s:.3f} s "
          f"({args.rows / (compile_s + generate_s):,.0f} rows/s with compile; profiler overhead included)")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(f"\n--- top {args.top} by {order} ---")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:12000])
    print()
    print("\n".join(breakdown(args.rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
