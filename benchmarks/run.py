#!/usr/bin/env python
"""Benchmark W1 "customers" (shared/benchmarks/WORKLOAD.md) through rulegen and three baselines.

    python benchmarks/run.py              # full run (~3-5 min), updates BENCHMARKS.md
    python benchmarks/run.py --quick      # small N, one repetition, prints only (smoke test)
    python benchmarks/run.py --peak-rss   # 10M rows to Parquet with the rulegen CLI: peak RSS

Tools, each in its own module under ``benchmarks/tools/`` whose docstring gives its idiomatic
path: rulegen (``rulegen_w1``), a hand-written NumPy + Arrow version (``numpy_w1``), a plain
Faker loop (``faker_w1``) and Mimesis (``mimesis_w1``).

Every measurement runs in a fresh Python process (so no cache of one run helps the next), one
warm-up then a median of 5 (``--reps``). Each process prints its in-process split (import /
setup / generate / write); run.py times the process from start to exit (the whole-process
figure) and takes its CPU time and peak RSS from ``os.wait4``. Modes in the table:

* ``in memory``: setup + generate inside the process (rulegen: ``rulegen.compile`` + iterating
  ``rulegen.iter_blocks(plan, "customers", arrow=True)`` on one core, ``workers=1``);
* ``in memory, excl. setup``: generate only (rulegen: without compiling the spec);
* ``file, in-process``: setup + generate + write (rulegen: ``rulegen.write(..., "parquet",
  workers=1)``); Parquet for rulegen and NumPy, CSV for Faker and Mimesis;
* ``file, whole process``: interpreter start to exit (rulegen: the CLI,
  ``rulegen generate ... --format parquet --workers 1``).

"rulegen ÷ tool" divides rulegen's rows/s by the tool's in the same mode.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import importlib.metadata
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.tools import rulegen_w1  # noqa: E402

BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
MARK = "<!-- w1-{name}:{edge} (written by benchmarks/run.py; edits inside are overwritten) -->"

FULL_ROWS = {"rulegen": 1_000_000, "numpy+arrow": 1_000_000, "faker": 100_000, "mimesis": 100_000}
QUICK_ROWS = {"rulegen": 50_000, "numpy+arrow": 50_000, "faker": 2_000, "mimesis": 2_000}
MODULES = {"rulegen": "rulegen_w1", "numpy+arrow": "numpy_w1", "faker": "faker_w1", "mimesis": "mimesis_w1"}
FORMATS = {"rulegen": "Parquet", "numpy+arrow": "Parquet", "faker": "CSV", "mimesis": "CSV"}
PEAK_ROWS = 10_000_000
GIB = 1 << 30

# Children run as on a user's machine: bytecode caches are written (the warm-up run writes them;
# this sandbox sets PYTHONDONTWRITEBYTECODE, which would recompile rulegen's sources every run).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

MODES = ("in memory", "in memory, excl. setup", "file, in-process", "file, whole process")


# ----------------------------------------------------------------------------- child processes

@dataclass
class Child:
    """One finished benchmark process."""

    wall: float
    cpu: float
    maxrss: int  # bytes, from wait4 (the process and the children it waited for)
    split: dict[str, Any]
    tree_peak: int = 0  # bytes, sampled sum of PSS over the process tree (when asked for)


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fp:
                stat = fp.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _memory_of(pid: int) -> int:
    """Proportional set size of ``pid`` in bytes (shared pages split among their users), else RSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fp:
            for line in fp:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as fp:
            return int(fp.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def _tree_memory(pid: int) -> int:
    """Bytes used now by ``pid`` and all its descendants (sum of PSS, so shared pages count once)."""
    kids, todo, total = _children_map(), [pid], 0
    while todo:
        p = todo.pop()
        total += _memory_of(p)
        todo.extend(kids.get(p, ()))
    return total


def run_child(cmd: list[str], *, sample_tree: bool = False) -> Child:
    """Run ``cmd`` to completion; its wall time, CPU time, peak RSS and its JSON split line."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, env=CHILD_ENV)
        peak = [0]
        stop = threading.Event()
        if sample_tree:
            def sample() -> None:
                while not stop.is_set():
                    peak[0] = max(peak[0], _tree_memory(proc.pid))
                    stop.wait(0.05)
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
        out = proc.stdout.read() if proc.stdout else b""
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        if proc.stdout:
            proc.stdout.close()
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.read().decode()[-3000:]}")
    split: dict[str, Any] = {}
    for line in out.decode().splitlines():
        if line.startswith("{"):
            split = json.loads(line)
    return Child(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, split, peak[0])


def _module_cmd(tool: str, n: int, out: Path | None) -> list[str]:
    cmd = [sys.executable, "-m", f"benchmarks.tools.{MODULES[tool]}", "--rows", str(n)]
    return [*cmd, "--out", str(out)] if out is not None else cmd


def repeat(label: str, make_cmd: Any, reps: int, warmup: int, tmp: Path) -> list[Child]:
    """``warmup`` + ``reps`` fresh processes; the ``reps`` measured ones."""
    runs = []
    for i in range(warmup + reps):
        out = tmp / f"run{i}"
        child = run_child(make_cmd(out))
        if "bytes" not in child.split and out.is_dir():  # the CLI prints no split: measure its file
            child.split["bytes"] = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
        shutil.rmtree(out, ignore_errors=True)
        tag = "warm-up" if i < warmup else f"{i - warmup + 1}/{reps}"
        print(f"  {label:<28} {tag:>7}  {child.wall:7.2f} s wall  {child.cpu:7.2f} s cpu", file=sys.stderr)
        if i >= warmup:
            runs.append(child)
    return runs


# ----------------------------------------------------------------------------- measurements

@dataclass
class Result:
    tool: str
    mode: str
    n: int
    seconds: float  # wall
    cpu: float  # CPU seconds of the same span (all threads; children too for whole-process runs)
    note: str = ""

    @property
    def rate(self) -> float:
        return self.n / self.seconds if self.seconds > 0 else float("inf")

    @property
    def cpu_rate(self) -> float:
        return self.n / self.cpu if self.cpu > 0 else float("inf")


@dataclass
class Split:
    tool: str
    run: str
    n: int
    phases: dict[str, float | None]
    wall: float
    cpu: float
    maxrss: int
    size: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _sum_median(runs: list[Child], *keys: str) -> float:
    """The median over runs of the sum of split ``keys`` in each run."""
    return statistics.median(sum(r.split[k] for k in keys) for r in runs)


def _median(runs: list[Child], key: str) -> float | None:
    values = [r.split.get(key) for r in runs]
    return statistics.median(values) if values and all(v is not None for v in values) else None


def _phases(runs: list[Child]) -> dict[str, float | None]:
    phases = {k: _median(runs, k) for k in ("import", "setup", "generate", "write", "combined")}
    # the in-process total, as the median of per-run totals (not the sum of medians)
    totals = [sum(r.split.get(k) or 0.0 for k in ("setup", "generate", "write", "combined")) for r in runs]
    phases["in-process"] = statistics.median(totals)
    return phases


def _split(tool: str, run: str, n: int, runs: list[Child]) -> Split:
    sizes = [r.split.get("bytes") for r in runs if r.split.get("bytes")]
    return Split(tool, run, n, _phases(runs), statistics.median(r.wall for r in runs),
                 statistics.median(r.cpu for r in runs), max(r.maxrss for r in runs),
                 sizes[0] if sizes else None)


def measure(
    rows: dict[str, int], reps: int, warmup: int, tools: list[str]
) -> tuple[list[Result], list[Split]]:
    results: list[Result] = []
    splits: list[Split] = []
    with tempfile.TemporaryDirectory(prefix="rulegen-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for tool in tools:
            n = rows[tool]
            if tool == "rulegen":
                again = {"reps": reps, "warmup": warmup, "tmp": tmp}
                mem = repeat("rulegen in memory", lambda _o, n=n: _module_cmd("rulegen", n, None), **again)
                api = repeat("rulegen.write parquet", lambda o, n=n: _module_cmd("rulegen", n, o), **again)
                cli = repeat("rulegen CLI parquet", lambda o, n=n: rulegen_w1.cli_command(n, o), **again)
                s_mem = _split(tool, "in memory (compile + iter_blocks)", n, mem)
                s_api = _split(tool, "rulegen.write → Parquet", n, api)
                s_cli = _split(tool, "CLI → Parquet", n, cli)
                splits += [s_mem, s_api, s_cli]
                results += [
                    Result(tool, MODES[0], n, _sum_median(mem, "setup", "generate"),
                           _sum_median(mem, "cpu_setup", "cpu_generate"), "compile + iter_blocks, workers=1"),
                    Result(tool, MODES[1], n, _sum_median(mem, "generate"), _sum_median(mem, "cpu_generate"),
                           "iter_blocks only"),
                    Result(tool, MODES[2], n, _sum_median(api, "combined"), _sum_median(api, "cpu_combined"),
                           "rulegen.write(.., 'parquet', workers=1)"),
                    Result(tool, MODES[3], n, s_cli.wall, s_cli.cpu,
                           "rulegen generate --format parquet --workers 1"),
                ]
            else:
                runs = repeat(f"{tool} → {FORMATS[tool]}", lambda o, t=tool, n=n: _module_cmd(t, n, o),
                              reps, warmup, tmp)
                s = _split(tool, f"generate + write → {FORMATS[tool]}", n, runs)
                splits.append(s)
                results += [
                    Result(tool, MODES[0], n, _sum_median(runs, "setup", "generate"),
                           _sum_median(runs, "cpu_setup", "cpu_generate"), "setup + generate"),
                    Result(tool, MODES[1], n, _sum_median(runs, "generate"),
                           _sum_median(runs, "cpu_generate"), "generate only"),
                    Result(tool, MODES[2], n, _sum_median(runs, "setup", "generate", "write"),
                           _sum_median(runs, "cpu_setup", "cpu_generate", "cpu_write"),
                           f"setup + generate + {FORMATS[tool]}"),
                    Result(tool, MODES[3], n, s.wall, s.cpu, f"python -m benchmarks.tools.{MODULES[tool]}"),
                ]
    return results, splits


def measure_peak_rss(rows: int, workers_list: list[int]) -> list[dict[str, Any]]:
    """The rulegen CLI writing ``rows`` rows to Parquet: wall time and peak RSS per worker count."""
    found = []
    with tempfile.TemporaryDirectory(prefix="rulegen-peak-") as tmp_name:
        for workers in workers_list:
            out = Path(tmp_name) / f"w{workers}"
            cmd = rulegen_w1.cli_command(rows, out)
            cmd[cmd.index("--workers") + 1] = str(workers)
            child = run_child(cmd, sample_tree=True)
            size = sum(p.stat().st_size for p in out.glob("*.parquet"))
            shutil.rmtree(out, ignore_errors=True)
            found.append({"workers": workers, "rows": rows, "wall": child.wall, "cpu": child.cpu,
                          "maxrss": child.maxrss, "tree_peak": child.tree_peak, "bytes": size})
            print(f"  rulegen CLI {rows:,} rows, --workers {workers}: {child.wall:.2f} s, "
                  f"peak RSS {child.maxrss / 2**20:,.0f} MiB (tree PSS {child.tree_peak / 2**20:,.0f} MiB)",
                  file=sys.stderr)
    return found


# ----------------------------------------------------------------------------- reporting

def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = {}
    for pkg in ("rulegen", "numpy", "pyarrow", "faker", "mimesis", "pandas"):
        try:
            versions[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    return {
        "CPU": cpu,
        "cores": f"{os.cpu_count()} ({usable} usable)",
        "RAM": ram,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }


def _fmt_rate(rate: float) -> str:
    return f"{rate:,.0f}"


def _fmt_s(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def results_table(results: list[Result]) -> list[str]:
    rulegen = {r.mode: r for r in results if r.tool == "rulegen"}
    lines = ["| tool | mode | N | seconds | rows/s | rulegen ÷ tool | CPU s | rows per CPU s | "
             "rulegen ÷ tool (CPU) | what is timed |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for mode in MODES:
        for r in (r for r in results if r.mode == mode):
            mine = rulegen.get(mode)
            if r.tool == "rulegen" or mine is None:
                ratio = ratio_cpu = "—"
            else:
                ratio, ratio_cpu = f"{mine.rate / r.rate:.2f}x", f"{mine.cpu_rate / r.cpu_rate:.2f}x"
            lines.append(f"| {r.tool} | {r.mode} | {r.n:,} | {r.seconds:.3f} | {_fmt_rate(r.rate)} | "
                         f"{ratio} | {r.cpu:.3f} | {_fmt_rate(r.cpu_rate)} | {ratio_cpu} | {r.note} |")
    return lines


def split_table(splits: list[Split]) -> list[str]:
    lines = ["| tool | run | N | import s | setup s | generate s | write s | in-process s | "
             "whole process s | CPU s (whole) | peak RSS MiB | file MiB |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in splits:
        p = s.phases
        if p.get("combined") is not None:
            setup = generate = write = "(in one call)"
        elif s.run.startswith("CLI"):
            setup = generate = write = "—"
        else:
            setup, generate, write = _fmt_s(p["setup"]), _fmt_s(p["generate"]), _fmt_s(p["write"])
        in_process = "—" if s.run.startswith("CLI") else _fmt_s(p["in-process"])
        size = "—" if not s.size else f"{s.size / 2**20:.1f}"
        lines.append(f"| {s.tool} | {s.run} | {s.n:,} | {_fmt_s(p['import'])} | {setup} | {generate} | "
                     f"{write} | {in_process} | {s.wall:.3f} | {s.cpu:.3f} | {s.maxrss / 2**20:,.0f} | "
                     f"{size} |")
    return lines


def targets(results: list[Result]) -> list[str]:
    """The project's W1 targets, judged on wall time and, as a check on a busy machine, CPU time."""
    got = {(r.tool, r.mode): r for r in results}
    lines = []
    if ("rulegen", MODES[0]) in got:
        mem, gen = got["rulegen", MODES[0]], got["rulegen", MODES[1]]
        verdict = "met" if mem.rate >= 1_000_000 else "missed"
        lines.append(f"- rulegen ≥ 1,000,000 rows/s in memory on one core (compile + iter_blocks): "
                     f"**{verdict}** at {_fmt_rate(mem.rate)} rows/s wall "
                     f"({_fmt_rate(mem.cpu_rate)} per CPU s); "
                     f"without compile {_fmt_rate(gen.rate)} wall ({_fmt_rate(gen.cpu_rate)} per CPU s)")
    for tool, need in (("faker", 30), ("mimesis", 20)):
        if (tool, MODES[0]) not in got or ("rulegen", MODES[0]) not in got:
            continue
        parts = []
        for mode in (MODES[0], MODES[2], MODES[3]):
            mine, theirs = got["rulegen", mode], got[tool, mode]
            ratio, ratio_cpu = mine.rate / theirs.rate, mine.cpu_rate / theirs.cpu_rate
            parts.append(f"{mode} {ratio:.1f}x wall ({'met' if ratio >= need else 'missed'}), "
                         f"{ratio_cpu:.1f}x CPU")
        lines.append(f"- rulegen ≥ {need}x {tool}: " + "; ".join(parts))
    return lines


def peak_lines(found: list[dict[str, Any]]) -> list[str]:
    lines = ["| rows | --workers | wall s | rows/s | CPU s | peak RSS MiB (wait4 maxrss) | "
             "peak MiB, whole process tree (sampled PSS sum) | file MiB | < 1 GiB |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for f in found:
        peak = max(f["maxrss"], f["tree_peak"])
        rate = _fmt_rate(f["rows"] / f["wall"])
        lines.append(f"| {f['rows']:,} | {f['workers']} | {f['wall']:.2f} | {rate} | {f['cpu']:.2f} | "
                     f"{f['maxrss'] / 2**20:,.0f} | {f['tree_peak'] / 2**20:,.0f} | "
                     f"{f['bytes'] / 2**20:,.0f} | {'yes' if peak < GIB else '**no**'} |")
    return lines


def context_lines(info: dict[str, str], load: tuple[tuple[float, ...], tuple[float, ...]], note: str,
                  how: str, script: str = "benchmarks/run.py") -> list[str]:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"Measured {stamp} by `python {script}{how}`.", ""]
    lines += [f"- **{k}**: {v}" for k, v in info.items()]
    before, after = load
    lines.append(f"- **load average** (1/5/15 min) at start {before[0]:.2f}/{before[1]:.2f}/{before[2]:.2f}, "
                 f"at end {after[0]:.2f}/{after[1]:.2f}/{after[2]:.2f}")
    if note:
        lines.append(f"- **note**: {note}")
    return lines


def update_markdown(name: str, body: list[str], title: str, mark: str = MARK) -> None:
    """Replace the section between ``mark``'s start and end lines (appended under ``title`` if absent)."""
    start, end = mark.format(name=name, edge="start"), mark.format(name=name, edge="end")
    block = "\n".join([start, *body, end])
    if BENCHMARKS_MD.exists():
        text = BENCHMARKS_MD.read_text()
    else:
        text = ("# Benchmarks\n\nFigures written by `benchmarks/run.py`; the workloads are defined in "
                "`shared/benchmarks/WORKLOAD.md`. Run `python benchmarks/run.py` (timings) and "
                "`python benchmarks/run.py --peak-rss` (memory) to refresh them.\n")
    if start in text and end in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + f"\n\n## {title}\n\n{block}\n"
    BENCHMARKS_MD.write_text(text)
    print(f"updated {BENCHMARKS_MD}", file=sys.stderr)


# ----------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="small N, one repetition, no warm-up; prints only")
    parser.add_argument("--peak-rss", action="store_true",
                        help=f"only: {PEAK_ROWS:,} rows to Parquet with the rulegen CLI, its peak RSS")
    parser.add_argument("--peak-workers", default="1,2", help="worker counts for --peak-rss (default 1,2)")
    parser.add_argument("--peak-rows", type=int, default=PEAK_ROWS, help=argparse.SUPPRESS)
    parser.add_argument("--reps", type=int, help="measured repetitions (default 5; 1 with --quick)")
    parser.add_argument("--warmup", type=int, help="warm-up runs (default 1; 0 with --quick)")
    parser.add_argument("--tools", default=",".join(MODULES),
                        help="comma-separated subset of: " + ", ".join(MODULES))
    parser.add_argument("--rows", action="append", default=[], metavar="TOOL=N", help="override a tool's N")
    parser.add_argument("--note", default="",
                        help="a note recorded with the results (e.g. 'machine was loaded')")
    parser.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md")
    args = parser.parse_args(argv)

    info = machine()
    load_before = os.getloadavg()
    given = argv if argv is not None else sys.argv[1:]
    how = f" {shlex.join(given)}" if given else ""
    write_md = not args.no_write and not args.quick

    if args.peak_rss:
        rows = 200_000 if args.quick else args.peak_rows
        found = measure_peak_rss(rows, [int(w) for w in args.peak_workers.split(",")])
        lines = peak_lines(found)
        print("\n".join(lines))
        if write_md:
            body = [
                *context_lines(info, (load_before, os.getloadavg()), args.note, how), "", *lines, "",
                "Target: peak RSS < 1 GiB for 10M rows. `wait4 maxrss` is the largest resident size of the "
                "CLI process (and the children it reaped); the tree figure adds the proportional set size "
                "(PSS: shared library pages split between the processes that map them) of every process "
                "of the tree, worker processes included, sampled every 50 ms. CPU s counts the CLI process "
                "and the children it reaped: with --workers 2 the pool's workers are started by a "
                "forkserver, so their CPU time is not in it.",
            ]
            update_markdown("peak-rss", body, "W1 peak memory: 10M rows to Parquet (rulegen CLI)")
        return 0

    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(tools) - set(MODULES)
    if unknown:
        parser.error(f"unknown tools {sorted(unknown)}; choose from {list(MODULES)}")
    rows = dict(QUICK_ROWS if args.quick else FULL_ROWS)
    for item in args.rows:
        tool, _, n = item.partition("=")
        rows[tool] = int(n)
    reps = args.reps or (1 if args.quick else 5)
    warmup = args.warmup if args.warmup is not None else (0 if args.quick else 1)

    print(f"W1 on {info['CPU']}, {info['cores']} cores; reps={reps}, warm-up={warmup}", file=sys.stderr)
    results, splits = measure(rows, reps, warmup, tools)
    table, split, goal = results_table(results), split_table(splits), targets(results)
    print()
    print("\n".join(table))
    print()
    print("\n".join(split))
    print()
    print("\n".join(goal))
    if write_md:
        body = context_lines(info, (load_before, os.getloadavg()), args.note, how)
        body += ["", f"Median of {reps} fresh processes after {warmup} warm-up; rows/s = N / seconds. "
                 "Modes are defined in `benchmarks/run.py`; each tool's path in its module under "
                 "`benchmarks/tools/`.", "", *table, "", "In-process split (medians, seconds):", "", *split,
                 "", "Targets:", "", *goal]
        update_markdown("results", body, "W1 customers: rulegen vs Faker, Mimesis, NumPy + Arrow")
    return 0


if __name__ == "__main__":
    sys.exit(main())
