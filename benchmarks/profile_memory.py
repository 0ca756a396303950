#!/usr/bin/env python
"""Memory over time of the rulegen CLI writing W1 to Parquet: where the peak is, and what grows.

    python benchmarks/profile_memory.py [--rows 30000000] [--workers 1]

Runs ``rulegen generate w1.yaml --rows customers=N --format parquet --workers W`` and samples the
memory of its process tree (sum of PSS, as ``run.py --peak-rss`` does) every 100 ms. Prints the
memory at each tenth of the run, the peak and when it came (seconds before the process ended),
and, for comparison, what the streaming unique check of ``email`` holds: 8 bytes of hash per row
(``UniqueChecker`` keeps every block's hashes), then, in ``UniqueChecker.finish``, one
``np.concatenate`` of them and the sorted copy ``np.sort`` makes, 3 x 8 bytes per row at the end.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.run import CHILD_ENV, _load, _tree_memory  # noqa: E402
from benchmarks.tools import rulegen_w1  # noqa: E402

MIB = 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=30_000_000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)

    print(f"load average {_load()} at start")
    samples: list[tuple[float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        cmd = rulegen_w1.cli_command(args.rows, Path(tmp) / "out", workers=args.workers)
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=CHILD_ENV)
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                samples.append((time.perf_counter() - start, _tree_memory(proc.pid)))
                stop.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        proc.wait()
        end = time.perf_counter() - start
        stop.set()
        sampler.join()
    if proc.returncode:
        print(f"{' '.join(cmd)} failed ({proc.returncode})")
        return 1
    peak_t, peak = max(samples, key=lambda s: s[1])
    print(f"\n{args.rows:,} rows, --workers {args.workers}: {end:.1f} s; peak {peak / MIB:,.0f} MiB at "
          f"{peak_t:.1f} s ({end - peak_t:.1f} s before the end)")
    print("\n| time s | share of the run | tree PSS MiB |")
    print("| ---: | ---: | ---: |")
    for tenth in range(1, 11):
        t = end * tenth / 10
        at = max((s for s in samples if s[0] <= t), key=lambda s: s[0], default=samples[0])
        print(f"| {at[0]:.1f} | {tenth * 10}% | {at[1] / MIB:,.0f} |")
    hashes = args.rows * 8 / MIB
    print(f"\nUnique check of `email`: {hashes:,.0f} MiB of hashes kept while streaming (8 bytes a row); at the "
          f"end np.concatenate + np.sort hold {3 * hashes:,.0f} MiB (3 x 8 bytes a row).")
    print(f"load average {_load()} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
