#!/usr/bin/env python
"""Where the time goes when rulegen writes W1 to Parquet with ``workers=1`` and ``workers=2``.

    python benchmarks/profile_workers.py [--rows 10000000] [--workers 1,2]

Measures, in this process, what the CLI's ``rulegen generate w1.yaml --format parquet`` path
does (``rulegen.write(spec, out, "parquet", workers=W)``), without changing rulegen:

0. **perf stat** (when ``perf`` is on PATH) of the whole CLI process tree with each worker
   count: CPU seconds of all processes, context switches, CPU migrations and page faults.
1. **Cost per block, one process** (what each side of the pool has to do): for the first
   blocks of the table, ``evaluate_block`` (the worker's work), pickling its result as the pool
   does (``multiprocessing.reduction.ForkingPickler.dumps``: in the worker) and unpickling it
   (``ForkingPickler.loads``: in the main process's result thread), the streaming unique check
   of ``email`` (``UniqueChecker.add``: main) and ``ParquetWriter.write`` (main).
2. **The real run** with ``workers=W``, timed from inside: ``rulegen.write`` is run with
   ``rulegen.engine.stream.run_blocks`` wrapped so that the time the main thread waits for each
   block's result is measured, and ``ParquetWriter.write`` and ``UniqueChecker.add`` wrapped by
   timers. The time to the first block includes the pool's start (a forkserver, then each
   worker importing rulegen and unpickling the table plan). CPU seconds of this process (all its
   threads: the writer and the pool's result thread) come from ``time.process_time``, those of
   the worker processes (and the forkserver) from /proc, sampled every 50 ms.

The model the figures test: with ``workers=1`` one process does generate + hash + write; with
``workers=2`` the two workers generate and pickle while the main process unpickles, checks and
writes, and all three share 2 cores. The main process's own work per block is then the floor of
the time per block.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.run import _load, _tree  # noqa: E402
from benchmarks.tools import rulegen_w1  # noqa: E402


class Timers:
    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.count: dict[str, int] = defaultdict(int)

    def wrap(self, key: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.wall[key] += time.perf_counter() - t
                self.count[key] += 1
        return timed


def per_block_costs(rows: int, sample_blocks: int) -> dict[str, float]:
    """Median seconds per block of each step, in this one process."""
    from multiprocessing.reduction import ForkingPickler

    import rulegen
    from rulegen.engine.evaluate import evaluate_block
    from rulegen.engine.unique import UniqueChecker
    from rulegen.io.files import ParquetWriter, TableOutput

    t = time.perf_counter()
    plan = rulegen.compile(rulegen_w1.SPEC, rows={rulegen_w1.TABLE: rows})
    compile_s = time.perf_counter() - t
    table = plan.tables[rulegen_w1.TABLE]
    steps: dict[str, list[float]] = defaultdict(list)
    checker = UniqueChecker(0)
    size = 0
    with tempfile.TemporaryDirectory() as tmp:
        output = TableOutput(table.name, table.schema, lambda: iter(()),
                             categorical=tuple(c for c in table.output if table.columns[c].kind.low_cardinality()))
        writer = ParquetWriter(Path(tmp) / "x.parquet", output)
        evaluate_block(table, plan.seed, 0)  # warm caches (Faker pools, parent columns)
        for block in range(min(sample_blocks, table.blocks)):
            t0 = time.perf_counter()
            result = evaluate_block(table, plan.seed, block)
            t1 = time.perf_counter()
            payload = ForkingPickler.dumps(result)
            t2 = time.perf_counter()
            batch, hashes = ForkingPickler.loads(payload)
            t3 = time.perf_counter()
            for h in hashes:
                checker.add(h)
            t4 = time.perf_counter()
            writer.write(batch)
            t5 = time.perf_counter()
            size = len(payload)
            for key, a, b in (("generate", t0, t1), ("pickle", t1, t2), ("unpickle", t2, t3),
                              ("unique check", t3, t4), ("parquet write", t4, t5)):
                steps[key].append(b - a)
        writer.close()
    found = {k: statistics.median(v) for k, v in steps.items()}
    found["compile"] = compile_s
    found["blocks"] = table.blocks
    found["block_rows"] = table.block_rows
    found["pickled MiB"] = size / 2**20
    return found


def real_run(rows: int, workers: int) -> dict[str, float]:
    """``rulegen.write(..., workers=W)`` with the main thread's waits and work timed from inside."""
    import rulegen
    import rulegen.engine.stream as stream
    import rulegen.engine.unique as unique
    import rulegen.io.files as files

    timers = Timers()
    original_run_blocks = stream.run_blocks
    first: list[float] = []
    start = [0.0]

    def run_blocks(*args: Any, **kwargs: Any) -> Iterator[Any]:
        blocks = original_run_blocks(*args, **kwargs)
        while True:
            t = time.perf_counter()
            try:
                item = next(blocks)
            except StopIteration:
                timers.wall["wait for block (incl. pool start)"] += time.perf_counter() - t
                return
            timers.wall["wait for block (incl. pool start)"] += time.perf_counter() - t
            timers.count["wait for block (incl. pool start)"] += 1
            if not first:
                first.append(time.perf_counter() - start[0])
            yield item

    cpu_seen: dict[int, float] = {}
    roles: dict[int, str] = {}
    stop = threading.Event()

    def sample() -> None:
        me = os.getpid()
        while not stop.is_set():
            for pid, cpu in _tree(me).items():
                if pid != me:
                    cpu_seen[pid] = max(cpu, cpu_seen.get(pid, 0.0))
                    if pid not in roles:
                        roles[pid] = _role(pid, me)
            stop.wait(0.05)

    patches = [
        (stream, "run_blocks", run_blocks),
        (files.ParquetWriter, "write", timers.wrap("parquet write", files.ParquetWriter.write)),
        (unique.UniqueChecker, "add", timers.wrap("unique check", unique.UniqueChecker.add)),
    ]
    saved = [(obj, name, getattr(obj, name)) for obj, name, _ in patches]
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        for obj, name, value in patches:
            setattr(obj, name, value)
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu = time.perf_counter(), time.process_time()
            start[0] = wall
            rulegen.write(rulegen_w1.SPEC, tmp, "parquet", rows={rulegen_w1.TABLE: rows}, workers=workers)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        for obj, name, value in saved:
            setattr(obj, name, value)
        stop.set()
        sampler.join()
    per_process = {f"  CPU of {roles.get(pid, '?')} (pid {pid})": cpu for pid, cpu in sorted(cpu_seen.items())}
    return {"wall (rulegen.write: compile + generate + write)": wall, "main process CPU (all threads)": cpu,
            "other processes CPU (forkserver + workers)": sum(cpu_seen.values()),
            "processes seen": len(cpu_seen),
            "first block back after (compile included)": first[0] if first else float("nan"), **timers.wall,
            **per_process}


_STARTED: list[float] = []


def _timed_init(table: Any, seed: int) -> None:
    """The pool's initializer (``rulegen.scale.local._init``), noting when the worker got there."""
    from rulegen.scale import local

    _STARTED.append(time.perf_counter())
    local._init(table, seed)


def _timed_work(block: int) -> tuple[Any, dict[str, float]]:
    """``rulegen.scale.local._work(block)`` with its wall and CPU time, measured in the worker."""
    from rulegen.scale import local

    wall, cpu = time.perf_counter(), time.process_time()
    result = local._work(block)
    return result, {"pid": os.getpid(), "start": wall, "wall": time.perf_counter() - wall,
                    "cpu": time.process_time() - cpu, "worker_started": _STARTED[0] if _STARTED else float("nan")}


def pool_replica(rows: int, workers: int) -> dict[str, float]:
    """``rulegen.scale.local.run_blocks`` re-enacted (the same forkserver pool, initializer and
    2 x workers blocks in flight) with timings taken inside the workers, feeding the same unique
    check and Parquet writer as ``rulegen.write``. CLOCK_MONOTONIC is shared by all processes,
    so the workers' start times are comparable with the main process's."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    import rulegen
    from benchmarks import profile_workers as me
    from rulegen.engine.unique import UniqueChecker
    from rulegen.io.files import ParquetWriter, TableOutput

    plan = rulegen.compile(rulegen_w1.SPEC, rows={rulegen_w1.TABLE: rows})
    table = plan.tables[rulegen_w1.TABLE]
    checker = UniqueChecker(0)
    wait = write = 0.0
    stats: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        output = TableOutput(table.name, table.schema, lambda: iter(()),
                             categorical=tuple(c for c in table.output if table.columns[c].kind.low_cardinality()))
        writer = ParquetWriter(Path(tmp) / "x.parquet", output)
        start, cpu = time.perf_counter(), time.process_time()
        context = multiprocessing.get_context("forkserver")
        first = float("nan")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=me._timed_init,
                                 initargs=(table, plan.seed)) as pool:
            pending: deque[Any] = deque()
            todo = iter(range(table.blocks))
            for block in todo:
                pending.append(pool.submit(me._timed_work, block))
                if len(pending) >= 2 * workers:
                    break
            while pending:
                t = time.perf_counter()
                (batch, hashes), info = pending.popleft().result()
                wait += time.perf_counter() - t
                if first != first:
                    first = time.perf_counter() - start
                for block in todo:
                    pending.append(pool.submit(me._timed_work, block))
                    break
                stats.append(info)
                t = time.perf_counter()
                for h in hashes:
                    checker.add(h)
                writer.write(batch)
                write += time.perf_counter() - t
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        writer.close()
    by_worker: dict[int, list[dict[str, float]]] = defaultdict(list)
    for info in stats:
        by_worker[int(info["pid"])].append(info)
    found = {"wall (pool start to pool shut)": wall, "main process CPU (all threads)": cpu,
             "first result after": first, "main thread waiting for results": wait,
             "main thread checking + writing": write}
    for i, (_pid, infos) in enumerate(sorted(by_worker.items())):
        found[f"worker {i}: started after"] = infos[0]["worker_started"] - start
        found[f"worker {i}: first block started after"] = min(x["start"] for x in infos) - start
        found[f"worker {i}: blocks"] = len(infos)
        found[f"worker {i}: generate s (sum of wall)"] = sum(x["wall"] for x in infos)
        found[f"worker {i}: generate CPU s"] = sum(x["cpu"] for x in infos)
        found[f"worker {i}: ms per block (median wall)"] = 1000 * statistics.median(x["wall"] for x in infos)
    return found


def _role(pid: int, main: int) -> str:
    """What a process of the pool is: the forkserver (a child of the main process), a worker (forked
    by the forkserver, so with the same command line) or the resource tracker."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        parent = int(Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return "?"
    if "forkserver" in cmd:
        return "forkserver" if parent == main else "worker"
    if "resource_tracker" in cmd:
        return "resource tracker"
    return "worker" if "multiprocessing" in cmd or "python" in cmd else cmd[:40]


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
          f"{blocks} blocks for {args.rows:,} rows; pickled result {costs['pickled MiB']:.1f} MiB per block")
    print("| step | side | ms per block | s for all blocks |")
    print("| --- | --- | ---: | ---: |")
    sides = {"generate": "worker", "pickle": "worker", "unpickle": "main (result thread)",
             "unique check": "main", "parquet write": "main"}
    for key, side in sides.items():
        print(f"| {key} | {side} | {costs[key] * 1000:.1f} | {costs[key] * blocks:.2f} |")
    main_side = sum(costs[k] for k in ("unpickle", "unique check", "parquet write"))
    worker_side = sum(costs[k] for k in ("generate", "pickle"))
    one = sum(costs[k] for k in ("generate", "unique check", "parquet write"))
    print(f"\nworkers=1 does generate + check + write: {one * 1000:.1f} ms per block ({one * blocks:.2f} s); "
          f"workers=2: main {main_side * 1000:.1f} ms per block ({main_side * blocks:.2f} s), each worker "
          f"{worker_side * 1000:.1f} ms per block ({worker_side * blocks / 2:.2f} s for half the blocks); "
          f"compile {costs['compile']:.2f} s.")
    both = (main_side + worker_side) * blocks
    print(f"CPU needed in all with 2 workers: {both:.2f} s, on 2 cores at least {both / 2:.2f} s of wall, "
          f"against {one * blocks:.2f} s on one core with workers=1.")

    print("\n2. The real run, rulegen.write(plan, out, 'parquet', workers=W), timed from inside (seconds):")
    runs = {int(w): real_run(args.rows, int(w)) for w in args.workers.split(",")}
    keys = list(dict.fromkeys(k for r in runs.values() for k in r))
    print("| figure | " + " | ".join(f"workers={w}" for w in runs) + " |")
    print("| --- | " + " | ".join("---:" for _ in runs) + " |")
    for key in keys:
        print(f"| {key} | " + " | ".join(f"{r.get(key, 0):.2f}" for r in runs.values()) + " |")
    print("\n3. The pool re-enacted (rulegen.scale.local's pool, timed inside the workers), seconds from pool start:")
    replicas = {int(w): pool_replica(args.rows, int(w)) for w in args.workers.split(",") if int(w) > 1}
    for w, found in replicas.items():
        print(f"| figure (workers={w}) | value |")
        print("| --- | ---: |")
        for key, value in found.items():
            print(f"| {key} | {value:.2f} |")
    print(f"\nload average {_load()} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
