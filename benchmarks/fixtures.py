#!/usr/bin/env python
"""What a ``rulegen_data`` call costs: a cache miss (generate and store) against a hit.

    python benchmarks/fixtures.py [--spec schemas/shop.yaml] [--scale 0.1] [--reps 5]

The call is the fixture's own code path, ``rulegen.pytest_plugin.DataCache.load``, on a cache
folder in a temporary directory; schemas/shop.yaml at scale 0.1 is six tables, about 10,000
rows. Four figures, each the median of ``--reps`` calls:

- miss, first in a process: the first call made here, with the set-up any first generation pays
  (Faker, SciPy); one call only;
- miss: a new, empty cache folder each call (generate, write one Parquet file per table);
- hit from disk: a new ``DataCache`` on a filled folder each call, as a new test session;
- hit in memory: the same ``DataCache`` again, as a later test of the same session.

Targets (issue 8): a miss under 1 s and a hit under 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default=str(ROOT / "schemas" / "shop.yaml"))
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)

    from rulegen.pytest_plugin import DataCache

    def load(cache: DataCache) -> dict:
        return cache.load(args.spec, seed=args.seed, scale=args.scale)

    with tempfile.TemporaryDirectory(prefix="rulegen-fixtures-") as base:
        base_dir = Path(base)
        first_cache = DataCache(base_dir / "first")
        first = _timed(lambda: load(first_cache))
        rows = sum(len(frame) for frame in load(first_cache).values())
        misses = [_timed(lambda i=i: load(DataCache(base_dir / f"miss-{i}"))) for i in range(args.reps)]
        filled = base_dir / "miss-0"
        disk = [_timed(lambda: load(DataCache(filled))) for _ in range(args.reps)]
        memory_cache = DataCache(filled)
        load(memory_cache)
        memory = [_timed(lambda: load(memory_cache)) for _ in range(args.reps)]

    print(f"rulegen_data({Path(args.spec).name!r}, seed={args.seed}, scale={args.scale}): "
          f"{len(load_tables(args.spec))} tables, {rows:,} rows; median of {args.reps}")
    figures = [("miss, first in a process", first, 1.0), ("miss", statistics.median(misses), 1.0),
               ("hit from disk", statistics.median(disk), 0.05), ("hit in memory", statistics.median(memory), 0.05)]
    for label, seconds, target in figures:
        verdict = "ok" if seconds < target else "over"
        print(f"  {label:<26} {seconds * 1000:8.1f} ms   (target < {target * 1000:.0f} ms: {verdict})")
    return 0


def load_tables(spec: str) -> list[str]:
    """The spec's table names."""
    import rulegen

    return list(rulegen.load(spec).tables)


if __name__ == "__main__":
    sys.exit(main())
