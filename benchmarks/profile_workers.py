#!/usr/bin/env python
"""Where the time goes when rulegen writes W1 to Parquet with ``workers=1`` and ``workers=2``.

    python benchmarks/profile_workers.py [--rows 10000000] [--workers 1,2]

Measures, in this process, what the CLI's ``rulegen generate w1.yaml --format parquet`` path
does (``rulegen.write(spec, out, "parquet", workers=W)``), without changing rulegen:

0. **perf stat** (when ``perf`` is on PATH) of the whole CLI process tree with each worker
   count: CPU seconds of all processes, context switches, CPU migrations and page faults.
1. **Cost per block, one process** (what each side of the pool has to do): for the first
   blocks of the table, ``evaluate_block`` (a worker's work, or the only process's), encoding
   the block as Parquet (``ParquetEncoder``: in the worker), copying it into the shared-memory
   slot (worker), assembling it into the file (``ParquetAssembler.append``: main), and, for
   ``workers=1``, the one streaming ``ParquetWriter`` that encodes blocks made in-process.
2. **The real run** with ``workers=W``, timed from inside: ``rulegen.write`` is run with
   ``rulegen.engine.stream.run_blocks`` wrapped so that the time the main thread waits for each
   block is measured. The time to the first block includes the pool's start. CPU seconds of
   this process come from ``time.process_time``, those of the workers (forked children) from
   ``getrusage(RUSAGE_CHILDREN)``.

The model the figures test: with ``workers=1`` one process generates and encodes every block;
with ``workers=2`` the two workers generate and encode while the main process only appends
bytes, so the workers' work bounds the time per block.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.run import _load  # noqa: E402
from benchmarks.tools import rulegen_w1  # noqa: E402


def per_block_costs(rows: int, sample_blocks: int) -> dict[str, float]:
    """Median seconds per block of each step, in this one process."""
    import pyarrow as pa

    import rulegen
    from rulegen.engine.evaluate import evaluate_block
    from rulegen.io.parquet import ParquetAssembler, ParquetEncoder

    t = time.perf_counter()
    plan = rulegen.compile(rulegen_w1.SPEC, rows={rulegen_w1.TABLE: rows})
    compile_s = time.perf_counter() - t
    table = plan.tables[rulegen_w1.TABLE]
    encode = ParquetEncoder(table.schema, table.categorical)
    steps: dict[str, list[float]] = defaultdict(list)
    size = 0
    with tempfile.TemporaryDirectory() as tmp:
        slot = pa.memory_map(str(_slot_file(Path(tmp))), "r+")
        with open(Path(tmp) / "assembled.parquet", "wb") as assembled, \
                encode.writer(str(Path(tmp) / "direct.parquet")) as direct:
            assembler = ParquetAssembler(assembled)
            evaluate_block(table, plan.seed, 0)  # warm caches (Faker pools)
            for block in range(min(sample_blocks, table.blocks)):
                t0 = time.perf_counter()
                batch, _ = evaluate_block(table, plan.seed, block)
                t1 = time.perf_counter()
                data = encode(batch)
                t2 = time.perf_counter()
                slot.seek(0)
                slot.write(data)
                t3 = time.perf_counter()
                assembler.append(data)
                t4 = time.perf_counter()
                direct.write_batch(batch)
                t5 = time.perf_counter()
                size = len(data)
                for key, a, b in (("generate", t0, t1), ("encode Parquet", t1, t2), ("copy into slot", t2, t3),
                                  ("assemble", t3, t4), ("streaming Parquet write", t4, t5)):
                    steps[key].append(b - a)
            assembler.finish()
        slot.close()
    found = {k: statistics.median(v) for k, v in steps.items()}
    found["compile"] = compile_s
    found["blocks"] = table.blocks
    found["block_rows"] = table.block_rows
    found["encoded MiB"] = size / 2**20
    return found


def _slot_file(folder: Path) -> Path:
    path = folder / "slot"
    path.write_bytes(b"\0" * (64 << 20))
    return path


def real_run(rows: int, workers: int) -> dict[str, float]:
    """``rulegen.write(..., workers=W)`` with the main thread's waits timed from inside.

    No sampling thread: with one, the workers would start from the fork server instead of a
    fork of this process, which is not what the CLI does. They are forked children, so their
    CPU time is this process's children's once the pool has joined them."""
    import resource

    import rulegen
    import rulegen.engine.stream as stream

    original_run_blocks = stream.run_blocks
    waits: list[float] = []

    def run_blocks(*args: Any, **kwargs: Any) -> Iterator[Any]:
        blocks = original_run_blocks(*args, **kwargs)
        while True:
            t = time.perf_counter()
            item = next(blocks, None)
            waits.append(time.perf_counter() - t)
            if item is None:
                return
            yield item

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    stream.run_blocks = run_blocks
    try:
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu, other = time.perf_counter(), time.process_time(), children_cpu()
            rulegen.write(rulegen_w1.SPEC, tmp, "parquet", rows={rulegen_w1.TABLE: rows}, workers=workers)
            wall, cpu, other = time.perf_counter() - wall, time.process_time() - cpu, children_cpu() - other
    finally:
        stream.run_blocks = original_run_blocks
    return {"wall (rulegen.write: compile + generate + write)": wall, "main process CPU": cpu,
            "worker processes CPU": other, "first block back after (compile included)": waits[0],
            "wait for blocks (after the first)": sum(waits[1:])}


def perf_stat(rows: int, workers: int) -> dict[str, float]:
    """``perf stat`` of the whole CLI process tree (children inherit the counters), if perf is here."""
    import shutil
    import subprocess

    perf = shutil.which("perf")
    if perf is None:
        return {}
    events = "task-clock,context-switches,cpu-migrations,page-faults"
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [perf, "stat", "-x", ",", "-e", events, "--",
               *rulegen_w1.cli_command(rows, Path(tmp) / "out", workers=workers)]
        t = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t
    found = {"wall s": wall}
    for line in done.stderr.splitlines():
        parts = line.split(",")
        if len(parts) > 3 and parts[2] in events.split(","):
            try:
                value = float(parts[0])
            except ValueError:
                continue
            found[parts[2] + (" s (CPU, all processes)" if parts[2] == "task-clock" else "")] = (
                value / 1000 if parts[2] == "task-clock" else value)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--sample-blocks", type=int, default=20)
    args = parser.parse_args(argv)

    print(f"load average {_load()} at start")
    stats = {int(w): perf_stat(args.rows, int(w)) for w in args.workers.split(",")}
    if any(stats.values()):
        print(f"\n0. perf stat of the CLI (`rulegen generate w1.yaml --rows customers={args.rows} --format parquet "
              "--workers W`), the whole process tree:")
        print("| counter | " + " | ".join(f"--workers {w}" for w in stats) + " |")
        print("| --- | " + " | ".join("---:" for _ in stats) + " |")
        for key in dict.fromkeys(k for found in stats.values() for k in found):
            print(f"| {key} | " + " | ".join(f"{found.get(key, 0):,.2f}" for found in stats.values()) + " |")
    costs = per_block_costs(args.rows, args.sample_blocks)
    blocks = int(costs["blocks"])
    print(f"\n1. Per block ({int(costs['block_rows']):,} rows; median of {args.sample_blocks} blocks), one process; "
          f"{blocks} blocks for {args.rows:,} rows; {costs['encoded MiB']:.1f} MiB of Parquet per block")
    print("| step | side | ms per block | s for all blocks |")
    print("| --- | --- | ---: | ---: |")
    sides = {"generate": "worker (workers=1: the process)", "encode Parquet": "worker",
             "copy into slot": "worker", "assemble": "main",
             "streaming Parquet write": "workers=1 only (instead of encode + assemble)"}
    for key, side in sides.items():
        print(f"| {key} | {side} | {costs[key] * 1000:.1f} | {costs[key] * blocks:.2f} |")
    one = costs["generate"] + costs["streaming Parquet write"]
    worker = costs["generate"] + costs["encode Parquet"] + costs["copy into slot"]
    print(f"\nworkers=1: {one * 1000:.1f} ms per block ({one * blocks:.2f} s); workers=2: each worker "
          f"{worker * 1000:.1f} ms per block ({worker * blocks / 2:.2f} s for half the blocks), main "
          f"{costs['assemble'] * 1000:.1f} ms per block; compile {costs['compile']:.2f} s.")

    print("\n2. The real run, rulegen.write(plan, out, 'parquet', workers=W), timed from inside (seconds):")
    runs = {int(w): real_run(args.rows, int(w)) for w in args.workers.split(",")}
    keys = list(dict.fromkeys(k for r in runs.values() for k in r))
    print("| figure | " + " | ".join(f"workers={w}" for w in runs) + " |")
    print("| --- | " + " | ".join("---:" for _ in runs) + " |")
    for key in keys:
        print(f"| {key} | " + " | ".join(f"{r.get(key, 0):.2f}" for r in runs.values()) + " |")
    print(f"\nload average {_load()} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
