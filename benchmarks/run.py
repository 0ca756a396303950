#!/usr/bin/env python
"""Benchmarks W1, W2 and W3 (benchmarks/WORKLOADS.md) through rulegen and the other tools.

    python benchmarks/run.py --all          # everything below in one run (~25 min), updates BENCHMARKS.md
    python benchmarks/run.py --all --skip-100m   # the same without the 100M-row memory run (~1.5 min less)
    python benchmarks/run.py --all --wait-quiet 300  # each batch of runs first waits (<= 5 min) for idle cores
    python benchmarks/run.py                # W1 only (~5 min), as before
    python benchmarks/run.py --workload w2,w3    # chosen workloads only
    python benchmarks/run.py --workers-speedup   # W1, 10M rows to Parquet, CLI --workers 1 vs 2
    python benchmarks/run.py --peak-rss          # W1, 10M rows to Parquet, CLI: peak RSS (--workers 1, 2)
    python benchmarks/run.py --peak-rss-100m     # W1, 100M rows to Parquet, CLI --workers 2: peak RSS
    python benchmarks/run.py --summary           # the targets table again, from benchmarks/results.json
    python benchmarks/run.py --tpch [--sf 1] [--sf 10]  # TPC-H vs tpchgen-cli and DuckDB (benchmarks/tpch.py)
    python benchmarks/run.py --quick [...]       # small N, one repetition, prints only (smoke test)

Workloads and tools, each tool in its own module under ``benchmarks/tools/`` whose docstring
gives its idiomatic fastest path:

* W1 "customers": rulegen (``rulegen_w1``), a hand-written NumPy + Arrow version
  (``numpy_w1``), a plain Faker loop (``faker_w1``), Mimesis (``mimesis_w1``) and, when ``java``
  is on PATH and an interpreter with pyspark + dbldatagen is found, dbldatagen on local Spark
  (``dbldatagen_w1``; skipped with the reason otherwise);
* W2 "customers + orders" (Poisson(3) orders per customer, order_ts after the customer's
  signup): rulegen (``rulegen_w2``, ``specs/w2.yaml``), Faker (``faker_w2``), Mimesis
  (``mimesis_w2``) and Snowfakery (``snowfakery_w2``, a recipe). ``--rows N`` is the number of
  customers; rows/s counts customers + orders;
* W3 "20 numeric columns": rulegen (``rulegen_w3``, ``specs/w3.yaml``) and raw NumPy making
  the same arrays (``numpy_w3``).

Every measurement runs in a fresh Python process (so no cache of one run helps the next), one
warm-up then a median of 5 (``--reps``). Each process prints its in-process split (import /
setup / generate / write); run.py times the process from start to exit (the whole-process
figure) and takes its CPU time and peak RSS from ``os.wait4``. Modes in the tables:

* ``in memory``: setup + generate inside the process (rulegen: ``rulegen.compile`` + iterating
  ``rulegen.iter_blocks(plan, table, arrow=True)`` on one core, ``workers=1``);
* ``in memory, excl. setup``: generate only (rulegen: without compiling the spec);
* ``file, in-process``: setup + generate + write (rulegen: ``rulegen.write(..., "parquet",
  workers=1)``); Parquet for rulegen, NumPy and dbldatagen, CSV for Faker, Mimesis, Snowfakery;
* ``file, whole process``: interpreter start to exit (rulegen: the CLI,
  ``rulegen generate ... --format parquet --workers 1``; the others: their module with --out).

rows/s = rows made / seconds (rows made: counted in the files for file runs). "rulegen ÷ tool"
divides rulegen's rows/s by the tool's in the same mode. N per tool is chosen so a run takes
~2-20 s, as benchmarks/WORKLOADS.md asks.

``--workers-speedup`` times the whole CLI process writing W1 at 10M rows with ``--workers 1``
and ``--workers 2``, and two ``--workers 1`` runs started together, the machine's ceiling for
two processes (in turn, median of 3), with the CPU seconds of the CLI and the workers it forks
(wait4). ``--peak-rss`` samples the memory of the whole
process tree (PSS) every 50 ms besides ``wait4``'s maxrss.

Each section is written between its markers in BENCHMARKS.md (with the machine, versions, load
averages and the command) and to ``benchmarks/results.json``; the targets table (issue 7, "must
show") is rebuilt from that file after every run, so it always shows each figure with the load
average it was measured at. Run the full measurements when ``uptime`` shows a load below ~1.
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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.tools import rulegen_w1  # noqa: E402

BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
RESULTS_JSON = ROOT / "benchmarks" / "results.json"
MARK = "<!-- {name}:{edge} (written by benchmarks/run.py; edits inside are overwritten) -->"
GIB = 1 << 30

# Children run as on a user's machine: bytecode caches are written (the warm-up run writes them;
# this sandbox sets PYTHONDONTWRITEBYTECODE, which would recompile rulegen's sources every run).
# PYTHONPATH lets an interpreter of another environment (dbldatagen's) import benchmarks.tools.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
CHILD_ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))

MODES = ("in memory", "in memory, excl. setup", "file, in-process", "file, whole process")


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    tools: dict[str, str]  # label -> module under benchmarks/tools
    full_rows: dict[str, int]
    quick_rows: dict[str, int]
    rows_are: str = "rows"  # what --rows counts ("customers" for W2)


WORKLOADS = {
    "w1": Workload(
        "w1", "W1 customers",
        {"rulegen": "rulegen_w1", "numpy+arrow": "numpy_w1", "faker": "faker_w1", "mimesis": "mimesis_w1",
         "dbldatagen": "dbldatagen_w1"},
        {"rulegen": 3_000_000, "numpy+arrow": 3_000_000, "faker": 100_000, "mimesis": 100_000,
         "dbldatagen": 4_000_000},
        {"rulegen": 50_000, "numpy+arrow": 50_000, "faker": 2_000, "mimesis": 2_000, "dbldatagen": 20_000},
    ),
    "w2": Workload(
        "w2", "W1+W2 customers and orders",
        {"rulegen": "rulegen_w2", "faker": "faker_w2", "mimesis": "mimesis_w2", "snowfakery": "snowfakery_w2"},
        {"rulegen": 1_000_000, "faker": 25_000, "mimesis": 40_000, "snowfakery": 2_500},
        {"rulegen": 10_000, "faker": 300, "mimesis": 300, "snowfakery": 50},
        rows_are="customers",
    ),
    "w3": Workload(
        "w3", "W3 20 numeric columns",
        {"rulegen": "rulegen_w3", "numpy": "numpy_w3"},
        {"rulegen": 3_000_000, "numpy": 3_000_000},
        {"rulegen": 50_000, "numpy": 50_000},
    ),
}
PEAK_ROWS = 10_000_000
PEAK_100M_ROWS = 100_000_000
SPEEDUP_ROWS = 10_000_000
SPEEDUP_LONG_ROWS = 30_000_000  # --all also measures a run where the ~1 s of imports and compile weighs 4 %
SPEEDUP_REPS = 3
QUICK_SPEEDUP_ROWS = QUICK_PEAK_ROWS = 200_000  # --quick: a few blocks of 65,536 rows

# Targets of issue 7 ("must show") and the earlier ones kept in BENCHMARKS.md.
W1_MIN_RATE = 1_000_000
W1_VS = {"faker": 30.0, "mimesis": 20.0}
W1_NUMPY_WITHIN = 2.0
W2_VS_SNOWFAKERY = 300.0
W3_NUMPY_WITHIN = 2.0
SPEEDUP_MIN = 1.6
PEAK_LIMIT = {PEAK_ROWS: 1 * GIB, PEAK_100M_ROWS: 1.5 * GIB}


def _tool_module(workload: Workload, tool: str) -> Any:
    return importlib.import_module(f"benchmarks.tools.{workload.tools[tool]}")


# ----------------------------------------------------------------------------- child processes

@dataclass
class Child:
    """One finished benchmark process."""

    wall: float
    cpu: float  # the process and the children it waited for (wait4)
    maxrss: int  # bytes, from wait4 (the process and the children it waited for)
    split: dict[str, Any]
    tree_peak: int = 0  # bytes, sampled sum of PSS over the process tree (when asked for)
    tree_cpu: dict[int, float] = field(default_factory=dict)  # pid -> CPU s last sampled (descendants)


def _proc_table() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds so far) of every process."""
    ticks = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fp:
                stat = fp.read()
        except OSError:
            continue
        fields = stat.rsplit(b")", 1)[1].split()
        table[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    return table


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


def _tree(pid: int) -> dict[int, float]:
    """``pid`` and all its descendants: pid -> CPU seconds so far."""
    table = _proc_table()
    kids: dict[int, list[int]] = {}
    for p, (ppid, _) in table.items():
        kids.setdefault(ppid, []).append(p)
    found, todo = {}, [pid]
    while todo:
        p = todo.pop()
        if p in table:
            found[p] = table[p][1]
        todo.extend(kids.get(p, ()))
    return found


def _tree_memory(pid: int) -> int:
    """Bytes used now by ``pid`` and all its descendants (sum of PSS, so shared pages count once)."""
    return sum(_memory_of(p) for p in _tree(pid))


def run_child(cmd: list[str], *, sample_tree: bool = False, memory: bool = True, every: float = 0.05,
              env: dict[str, str] | None = None, cwd: Path = ROOT) -> Child:
    """Run ``cmd`` to completion; its wall time, CPU time, peak RSS and its JSON split line.

    With ``sample_tree``, a thread samples the process tree every ``every`` seconds: the CPU time
    of each descendant (cheap: /proc/PID/stat) and, with ``memory``, the sum of their PSS
    (smaps_rollup walks each process's page tables: a few ms per large process, so timing runs
    sample CPU only, and rarely, to leave the cores to the run)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=err, env=env or CHILD_ENV)
        peak = [0]
        cpu: dict[int, float] = {}
        stop = threading.Event()
        if sample_tree:
            def sample() -> None:
                while not stop.is_set():
                    tree = _tree(proc.pid)
                    cpu.update({p: max(s, cpu.get(p, 0.0)) for p, s in tree.items()})
                    if memory:
                        peak[0] = max(peak[0], sum(_memory_of(p) for p in tree))
                    stop.wait(every)
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
        out = proc.stdout.read() if proc.stdout else b""
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        if sample_tree:
            sampler.join()
        if proc.stdout:
            proc.stdout.close()
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.read().decode()[-3000:]}")
    split: dict[str, Any] = {}
    for line in out.decode(errors="replace").splitlines():
        if line.startswith("{"):
            split = json.loads(line)
    cpu.pop(proc.pid, None)
    return Child(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, split, peak[0], cpu)


def rows_in(out: Path) -> int:
    """Data rows in the files under ``out``: Parquet from its metadata, CSV by lines less the header."""
    total = 0
    for path in out.rglob("*"):
        if not path.is_file() or path.name.startswith((".", "_")):
            continue
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            total += pq.ParquetFile(path).metadata.num_rows
        elif path.suffix == ".csv":
            with path.open("rb") as fp:
                total += max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: fp.read(1 << 20), b"")) - 1)
    return total


def _module_cmd(module: Any, n: int, out: Path | None) -> list[str]:
    exe = module.python() if hasattr(module, "python") else sys.executable
    cmd = [exe or sys.executable, "-m", module.__name__, "--rows", str(n)]
    return [*cmd, "--out", str(out)] if out is not None else cmd


def repeat(label: str, make_cmd: Callable[[Path], list[str]], reps: int, warmup: int, tmp: Path,
           tree_cpu: bool = False) -> list[Child]:
    """``warmup`` + ``reps`` fresh processes; the ``reps`` measured ones. With ``tree_cpu``, the CPU
    time of the process's descendants that it does not wait for (a JVM) is sampled and added."""
    runs = []
    wait_quiet()  # once per batch: its runs follow each other (~10-60 s), inside one quiet spell if possible
    for i in range(warmup + reps):
        out = tmp / f"run{i}"
        child = run_child(make_cmd(out), sample_tree=tree_cpu, memory=False, every=0.25)
        if tree_cpu:
            child.cpu += sum(child.tree_cpu.values())
        if out.exists():
            child.split["rows_out"] = rows_in(out)
            if "bytes" not in child.split:  # the CLI prints no split: measure its files
                child.split["bytes"] = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        shutil.rmtree(out, ignore_errors=True)
        tag = "warm-up" if i < warmup else f"{i - warmup + 1}/{reps}"
        print(f"  {label:<32} {tag:>7}  {child.wall:7.2f} s wall  {child.cpu:7.2f} s cpu  load {_load()}",
              file=sys.stderr)
        if i >= warmup:
            runs.append(child)
    return runs


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def _busy(seconds: float = 2.0) -> float:
    """Share of all cores busy over the next ``seconds`` (from /proc/stat), 0..1."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as fp:
            fields = [int(x) for x in fp.readline().split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields[:8]) - idle, sum(fields[:8])
    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(1, total1 - total0)


QUIET = {"max_wait": 0.0, "busy": 0.15}


def wait_quiet() -> None:
    """With ``--wait-quiet S``: wait (at most S seconds) until other processes leave the cores idle
    (the machine is shared: other engineers' test suites come and go)."""
    deadline = time.monotonic() + QUIET["max_wait"]
    while QUIET["max_wait"] > 0:
        busy = _busy()
        if busy < QUIET["busy"]:
            return
        if time.monotonic() > deadline:
            print(f"  (still {busy:.0%} busy after waiting {QUIET['max_wait']:.0f} s; measuring anyway)",
                  file=sys.stderr)
            return
        print(f"  waiting for a quiet machine: {busy:.0%} of the cores busy, load {_load()}", file=sys.stderr)
        time.sleep(10)


# ----------------------------------------------------------------------------- measurements

@dataclass
class Result:
    tool: str
    mode: str
    n: int  # rows made
    seconds: float  # wall
    cpu: float  # CPU seconds of the same span (all threads; children too for whole-process runs)
    note: str = ""
    given: int = 0  # the --rows argument (customers for W2)

    @property
    def rate(self) -> float:
        return self.n / self.seconds if self.seconds > 0 else float("inf")

    @property
    def cpu_rate(self) -> float:
        return self.n / self.cpu if self.cpu > 0 else float("nan")


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


def _made(runs: list[Child], key: str, default: int) -> int:
    """Rows made (the same every run for a seeded tool; the median otherwise)."""
    values = [r.split[key] for r in runs if r.split.get(key)]
    return int(statistics.median(values)) if values else default


def _split(tool: str, run: str, n: int, runs: list[Child]) -> Split:
    sizes = [r.split.get("bytes") for r in runs if r.split.get("bytes")]
    return Split(tool, run, n, _phases(runs), statistics.median(r.wall for r in runs),
                 statistics.median(r.cpu for r in runs), max(r.maxrss for r in runs),
                 sizes[0] if sizes else None)


def measure_tool(workload: Workload, tool: str, n: int, reps: int, warmup: int,
                 tmp: Path) -> tuple[list[Result], list[Split]]:
    """Every mode the tool has, for one workload."""
    module = _tool_module(workload, tool)
    fmt = module.FORMAT.upper() if module.FORMAT == "csv" else module.FORMAT.capitalize()
    reps = min(reps, getattr(module, "MAX_REPS", reps))
    again = {"reps": reps, "warmup": warmup, "tmp": tmp, "tree_cpu": getattr(module, "JVM", False)}
    what = f"{n:,} {workload.rows_are}" if workload.rows_are != "rows" else ""
    results: list[Result] = []
    splits: list[Split] = []

    jvm = getattr(module, "JVM", False)

    def result(mode: str, made: int, seconds: float, cpu: float, note: str) -> None:
        if jvm and mode != MODES[3]:
            cpu = 0.0  # the in-process CPU clock sees the Python driver only, not the JVM doing the work
        results.append(Result(tool, mode, made, seconds, cpu, f"{note}; {what}" if what else note, n))

    if getattr(module, "WRITE_COMBINED", False):
        entry = module.__name__.rsplit(".", 1)[1]
        if getattr(module, "IN_MEMORY", True):
            mem = repeat(f"{tool} in memory", lambda _o: _module_cmd(module, n, None), **again)
            made = _made(mem, "made", n)
            splits.append(_split(tool, "in memory (setup + generate)", made, mem))
            result(MODES[0], made, _sum_median(mem, "setup", "generate"), _sum_median(mem, "cpu_setup", "cpu_generate"),
                   "compile + iter_blocks, workers=1" if tool == "rulegen" else "setup + generate")
            result(MODES[1], made, _sum_median(mem, "generate"), _sum_median(mem, "cpu_generate"),
                   "iter_blocks only" if tool == "rulegen" else "generate only")
        api = repeat(f"{tool} → {fmt} (API)", lambda o: _module_cmd(module, n, o), **again)
        made = _made(api, "rows_out", n)
        s_api = _split(tool, f"{'rulegen.write' if tool == 'rulegen' else 'one call'} → {fmt}", made, api)
        splits.append(s_api)
        result(MODES[2], made, _sum_median(api, "combined"), _sum_median(api, "cpu_combined"),
               "rulegen.write(.., 'parquet', workers=1)" if tool == "rulegen" else f"{entry}.write_spec → {fmt}")
        if hasattr(module, "cli_command"):
            cli = repeat(f"{tool} CLI → {fmt}", lambda o: module.cli_command(n, o), **again)
            made = _made(cli, "rows_out", n)
            s_cli = _split(tool, f"CLI → {fmt}", made, cli)
            splits.append(s_cli)
            result(MODES[3], made, s_cli.wall, s_cli.cpu,
                   f"rulegen generate {Path(module.SPEC).name} --format parquet --workers 1")
        else:
            result(MODES[3], made, s_api.wall, s_api.cpu, f"python -m benchmarks.tools.{entry}")
    else:
        runs = repeat(f"{tool} → {fmt}", lambda o: _module_cmd(module, n, o), **again)
        made = _made(runs, "made", n)
        s = _split(tool, f"generate + write → {fmt}", made, runs)
        splits.append(s)
        entry = module.__name__.rsplit(".", 1)[1]
        result(MODES[0], made, _sum_median(runs, "setup", "generate"), _sum_median(runs, "cpu_setup", "cpu_generate"),
               "setup + generate")
        result(MODES[1], made, _sum_median(runs, "generate"), _sum_median(runs, "cpu_generate"), "generate only")
        result(MODES[2], made, _sum_median(runs, "setup", "generate", "write"),
               _sum_median(runs, "cpu_setup", "cpu_generate", "cpu_write"), f"setup + generate + {fmt}")
        result(MODES[3], made, s.wall, s.cpu, f"python -m benchmarks.tools.{entry}")
    return results, splits


def measure(workload: Workload, rows: dict[str, int], reps: int, warmup: int,
            tools: list[str]) -> tuple[list[Result], list[Split], dict[str, str]]:
    """Every tool of ``workload`` in ``tools``; optional tools that cannot run are skipped with a reason."""
    results: list[Result] = []
    splits: list[Split] = []
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix=f"rulegen-bench-{workload.key}-") as tmp_name:
        tmp = Path(tmp_name)
        for tool in tools:
            module = _tool_module(workload, tool)
            why = module.unavailable() if hasattr(module, "unavailable") else None
            if why is None and not hasattr(module, "python"):
                why = _missing_import(module)
            if why is not None:
                skipped[tool] = why
                print(f"  {tool}: skipped: {why}", file=sys.stderr)
                continue
            try:
                found, split = measure_tool(workload, tool, rows[tool], reps, warmup, tmp)
            except RuntimeError as exc:
                if not getattr(module, "OPTIONAL", False):
                    raise
                skipped[tool] = f"could not run: {str(exc).strip().splitlines()[-1][:300]}"
                print(f"  {tool}: skipped: {exc}", file=sys.stderr)
                continue
            results += found
            splits += split
    return results, splits, skipped


def _missing_import(module: Any) -> str | None:
    """Why the tool's libraries cannot be imported in this interpreter, or None."""
    try:
        module.load()
    except ImportError as exc:
        return f"not installed ({exc})"
    return None


def measure_peak_rss(rows: int, workers_list: list[int]) -> list[dict[str, Any]]:
    """The rulegen CLI writing ``rows`` rows to Parquet: wall time and peak RSS per worker count."""
    found = []
    with tempfile.TemporaryDirectory(prefix="rulegen-peak-") as tmp_name:
        for workers in workers_list:
            out = Path(tmp_name) / f"w{workers}"
            wait_quiet()
            child = run_child(rulegen_w1.cli_command(rows, out, workers=workers), sample_tree=True)
            size = sum(p.stat().st_size for p in out.glob("*.parquet"))
            made = rows_in(out)
            shutil.rmtree(out, ignore_errors=True)
            found.append({"workers": workers, "rows": made, "wall": child.wall, "cpu": child.cpu,
                          "worker_cpu": sum(child.tree_cpu.values()),
                          "maxrss": child.maxrss, "tree_peak": child.tree_peak, "bytes": size})
            print(f"  rulegen CLI {rows:,} rows, --workers {workers}: {child.wall:.2f} s, "
                  f"peak RSS {child.maxrss / 2**20:,.0f} MiB (tree PSS {child.tree_peak / 2**20:,.0f} MiB); "
                  f"load {_load()}", file=sys.stderr)
    return found


def measure_speedup(rows: int, reps: int, warmup: int) -> list[dict[str, Any]]:
    """W1 to Parquet with the CLI, ``--workers 1``, ``--workers 2`` and two ``--workers 1`` runs
    at once (the machine's ceiling for two independent processes), in turn, ``reps`` times each."""
    found = []
    with tempfile.TemporaryDirectory(prefix="rulegen-speedup-") as tmp_name:
        for i in range(warmup + reps):
            tag = "warm-up" if i < warmup else f"{i - warmup + 1}/{reps}"
            for workers in (1, 2):
                out = Path(tmp_name) / f"w{workers}"
                wait_quiet()
                child = run_child(rulegen_w1.cli_command(rows, out, workers=workers), memory=False)
                made = rows_in(out)
                shutil.rmtree(out, ignore_errors=True)
                print(f"  rulegen CLI {rows:,} rows --workers {workers} {tag:>7}: {child.wall:.2f} s wall, "
                      f"{child.cpu:.2f} s CPU (with the workers it forked); load {_load()}", file=sys.stderr)
                if i >= warmup:
                    found.append({"workers": workers, "rows": made, "wall": child.wall, "cpu": child.cpu,
                                  "maxrss": child.maxrss})
            wait_quiet()
            pair = run_pair([rulegen_w1.cli_command(rows, Path(tmp_name) / f"pair{k}", workers=1) for k in (0, 1)])
            for k in (0, 1):
                shutil.rmtree(Path(tmp_name) / f"pair{k}", ignore_errors=True)
            print(f"  two rulegen CLI {rows:,} rows --workers 1 at once {tag:>7}: {pair:.2f} s wall; load {_load()}",
                  file=sys.stderr)
            if i >= warmup:
                found.append({"workers": "pair", "rows": 2 * rows, "wall": pair})
    return found


def run_pair(cmds: list[list[str]]) -> float:
    """Seconds until every one of ``cmds``, started together, has exited."""
    start = time.perf_counter()
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=CHILD_ENV)
             for cmd in cmds]
    codes = [proc.wait() for proc in procs]
    if any(codes):
        raise RuntimeError(f"{' '.join(cmds[0])} failed ({codes})")
    return time.perf_counter() - start


# ----------------------------------------------------------------------------- reporting

def _version_of(python: str | None, packages: tuple[str, ...]) -> dict[str, str]:
    if python is None:
        return {}
    code = "\n".join([
        "import importlib.metadata as m, json", "out = {}", f"for p in {packages!r}:",
        "    try: out[p] = m.version(p)", "    except m.PackageNotFoundError: out[p] = 'not installed'",
        "print(json.dumps(out))"])
    try:
        done = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
        return json.loads(done.stdout)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return {}


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
    for pkg in ("rulegen", "numpy", "pyarrow", "faker", "mimesis", "snowfakery", "pandas"):
        try:
            versions[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    info = {
        "CPU": cpu,
        "cores": f"{os.cpu_count()} ({usable} usable)",
        "RAM": ram,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }
    from benchmarks.tools import dbldatagen_w1

    spark_python = dbldatagen_w1.python()
    spark = _version_of(spark_python, ("pyspark", "dbldatagen"))
    if spark:
        where = "" if spark_python == sys.executable else f" (in `{spark_python}`)"
        info["Spark"] = ", ".join(f"{k} {v}" for k, v in spark.items()) + where
    java = shutil.which("java")
    if java:
        try:
            done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
            info["Java"] = (done.stderr or done.stdout).splitlines()[0].strip()
        except (OSError, IndexError, subprocess.TimeoutExpired):
            pass
    return info


def _fmt_rate(rate: float) -> str:
    return f"{rate:,.0f}"


def _fmt_s(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def results_table(results: list[Result]) -> list[str]:
    rulegen = {r.mode: r for r in results if r.tool == "rulegen"}
    lines = ["| tool | mode | rows | seconds | rows/s | rulegen ÷ tool | CPU s | rows per CPU s | "
             "rulegen ÷ tool (CPU) | what is timed |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for mode in MODES:
        for r in (r for r in results if r.mode == mode):
            mine = rulegen.get(mode)
            if r.tool == "rulegen" or mine is None:
                ratio = ratio_cpu = "—"
            else:
                ratio = f"{mine.rate / r.rate:.2f}x"
                ratio_cpu = f"{mine.cpu_rate / r.cpu_rate:.2f}x" if r.cpu else "—"
            cpu, cpu_rate = (f"{r.cpu:.3f}", _fmt_rate(r.cpu_rate)) if r.cpu else ("—", "—")
            lines.append(f"| {r.tool} | {r.mode} | {r.n:,} | {r.seconds:.3f} | {_fmt_rate(r.rate)} | "
                         f"{ratio} | {cpu} | {cpu_rate} | {ratio_cpu} | {r.note} |")
    return lines


def split_table(splits: list[Split]) -> list[str]:
    lines = ["| tool | run | rows | import s | setup s | generate s | write s | in-process s | "
             "whole process s | CPU s (whole) | peak RSS MiB | files MiB |",
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


@dataclass
class Target:
    target: str
    measure: str
    figure: str
    need: str
    met: bool | None  # None: not measured
    when: str = ""


def _ratio_targets(results: list[dict[str, Any]], name: str, other: str, modes: tuple[str, ...],
                   need: float, *, within: bool) -> list[Target]:
    """rulegen ≥ ``need`` x ``other`` (or, ``within``, ``other`` ≤ ``need`` x rulegen) per mode."""
    got = {(r["tool"], r["mode"]): r for r in results}
    found = []
    for mode in modes:
        mine, theirs = got.get(("rulegen", mode)), got.get((other, mode))
        if mine is None or theirs is None:
            continue
        ratio = (mine["n"] / mine["seconds"]) / (theirs["n"] / theirs["seconds"])
        cpu = (mine["n"] / mine["cpu"]) / (theirs["n"] / theirs["cpu"]) if mine["cpu"] and theirs["cpu"] else 0
        if within:  # how many times slower rulegen is than the ceiling (≤ 1: as fast or faster)
            slower, slower_cpu = 1 / ratio, (1 / cpu if cpu else float("nan"))
            found.append(Target(name, mode, f"rulegen takes {slower:.2f}x {other}'s time ({slower_cpu:.2f}x CPU)",
                                f"≤ {need:g}x", slower <= need))
        else:
            found.append(Target(name, mode, f"{ratio:,.1f}x ({cpu:,.1f}x per CPU s)", f"≥ {need:g}x",
                                ratio >= need))
    return found


def targets_from(store: dict[str, Any]) -> list[Target]:
    """The targets, each judged on the figures stored in results.json (None where not measured)."""
    found: list[Target] = []

    def section(key: str, targets: list[Target]) -> None:
        entry = store.get(key)
        when = _when(entry) if entry else ""
        for t in targets:
            t.when = when
        found.extend(targets)

    w1 = store.get("w1", {}).get("results", [])
    w1_targets = []
    mem = [r for r in w1 if r["tool"] == "rulegen" and r["mode"] == MODES[0]]
    if mem:
        rate = mem[0]["n"] / mem[0]["seconds"]
        w1_targets.append(Target("W1 ≥ 1M rows/s in memory, one core", MODES[0], f"{rate:,.0f} rows/s",
                                 f"≥ {W1_MIN_RATE:,}", rate >= W1_MIN_RATE))
    for tool, need in W1_VS.items():
        got = _ratio_targets(w1, f"W1 ≥ {need:g}x {tool}", tool, (MODES[0], MODES[2], MODES[3]), need,
                             within=False)
        w1_targets += got or [Target(f"W1 ≥ {need:g}x {tool}", "—", "not measured", f"≥ {need:g}x", None)]
    got = _ratio_targets(w1, f"W1 within {W1_NUMPY_WITHIN:g}x of NumPy + Arrow", "numpy+arrow", MODES,
                         W1_NUMPY_WITHIN, within=True)
    w1_targets += got or [Target(f"W1 within {W1_NUMPY_WITHIN:g}x of NumPy + Arrow", "—", "not measured",
                                 f"≤ {W1_NUMPY_WITHIN:g}x", None)]
    section("w1", w1_targets)

    w2 = store.get("w2", {}).get("results", [])
    got = _ratio_targets(w2, f"W1+W2 ≥ {W2_VS_SNOWFAKERY:g}x Snowfakery", "snowfakery", (MODES[2], MODES[3]),
                         W2_VS_SNOWFAKERY, within=False)
    section("w2", got or [Target(f"W1+W2 ≥ {W2_VS_SNOWFAKERY:g}x Snowfakery", "—", "not measured",
                                 f"≥ {W2_VS_SNOWFAKERY:g}x", None)])

    w3 = store.get("w3", {}).get("results", [])
    got = _ratio_targets(w3, f"W3 within {W3_NUMPY_WITHIN:g}x of raw NumPy", "numpy", MODES, W3_NUMPY_WITHIN,
                         within=True)
    section("w3", got or [Target(f"W3 within {W3_NUMPY_WITHIN:g}x of raw NumPy", "—", "not measured",
                                 f"≤ {W3_NUMPY_WITHIN:g}x", None)])

    for key in ["workers", *sorted(k for k in store if k.startswith("workers-"))]:
        runs = store.get(key, {}).get("runs", [])
        rows = runs[0].get("rows", SPEEDUP_ROWS) if runs else SPEEDUP_ROWS
        name = f"1 → 2 workers ≥ {SPEEDUP_MIN:g}x (W1, {rows // 1_000_000}M rows, Parquet, CLI)"
        if not runs:
            section(key, [Target(name, "—", "not measured", f"≥ {SPEEDUP_MIN:g}x", None)])
            continue
        one = statistics.median(r["wall"] for r in runs if r["workers"] == 1)
        two = statistics.median(r["wall"] for r in runs if r["workers"] == 2)
        ceiling = speedup_ceiling(runs)
        limit = "" if ceiling is None else f"; the machine's ceiling for two processes: {ceiling:.2f}x"
        section(key, [Target(name, "file, whole process", f"{one / two:.2f}x ({one:.2f} s → {two:.2f} s{limit})",
                             f"≥ {SPEEDUP_MIN:g}x", one / two >= SPEEDUP_MIN)])

    for key, rows in (("peak-rss", PEAK_ROWS), ("peak-rss-100m", PEAK_100M_ROWS)):
        limit = PEAK_LIMIT[rows]
        name = f"W1 {rows // 1_000_000}M rows to Parquet: peak memory < {limit / GIB:g} GiB"
        entries = store.get(key, {}).get("found", [])
        if not entries:
            section(key, [Target(name, "—", "not measured", f"< {limit / GIB:g} GiB", None)])
            continue
        section(key, [Target(name, f"CLI --workers {f['workers']}",
                             f"{max(f['maxrss'], f['tree_peak']) / 2**20:,.0f} MiB (wait4 {f['maxrss'] / 2**20:,.0f}, "
                             f"tree PSS {f['tree_peak'] / 2**20:,.0f})", f"< {limit / GIB:g} GiB",
                             max(f["maxrss"], f["tree_peak"]) < limit) for f in entries])
    return found


def _when(entry: dict[str, Any]) -> str:
    before, after = entry["load"]
    return f"{entry['stamp']}, load {before[0]:.2f} → {after[0]:.2f}"


def targets_table(targets: list[Target]) -> list[str]:
    lines = ["| target | measured as | figure | needed | verdict | measured (1-min load at start → end) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for t in targets:
        verdict = "not measured" if t.met is None else ("**met**" if t.met else "**not met**")
        lines.append(f"| {t.target} | {t.measure} | {t.figure} | {t.need} | {verdict} | {t.when or '—'} |")
    return lines


def peak_lines(found: list[dict[str, Any]], limit: float) -> list[str]:
    lines = ["| rows | --workers | wall s | rows/s | CPU s, CLI process | CPU s, worker processes | "
             "peak RSS MiB (wait4 maxrss) | peak MiB, whole process tree (sampled PSS sum) | file MiB | "
             f"< {limit / GIB:g} GiB |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for f in found:
        peak = max(f["maxrss"], f["tree_peak"])
        rate = _fmt_rate(f["rows"] / f["wall"])
        lines.append(f"| {f['rows']:,} | {f['workers']} | {f['wall']:.2f} | {rate} | {f['cpu']:.2f} | "
                     f"{f.get('worker_cpu', 0):.2f} | {f['maxrss'] / 2**20:,.0f} | {f['tree_peak'] / 2**20:,.0f} | "
                     f"{f['bytes'] / 2**20:,.0f} | {'yes' if peak < limit else '**no**'} |")
    return lines


def speedup_lines(runs: list[dict[str, Any]]) -> list[str]:
    lines = ["| --workers | rows | runs | wall s (median) | rows/s | CPU s (CLI and its workers, wait4) | "
             "peak RSS MiB, CLI process | speed-up |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    base = None
    for workers in (1, 2):
        mine = [r for r in runs if r["workers"] == workers]
        if not mine:
            continue
        wall = statistics.median(r["wall"] for r in mine)
        base = base or wall
        lines.append(f"| {workers} | {mine[0]['rows']:,} | {len(mine)} | {wall:.2f} | "
                     f"{_fmt_rate(mine[0]['rows'] / wall)} | {statistics.median(r['cpu'] for r in mine):.2f} | "
                     f"{max(r['maxrss'] for r in mine) / 2**20:,.0f} | {base / wall:.2f}x |")
    ceiling = speedup_ceiling(runs)
    if ceiling is not None and base is not None:
        pair = statistics.median(r["wall"] for r in runs if r["workers"] == "pair")
        two = [r["wall"] for r in runs if r["workers"] == 2]
        lines += ["", f"The machine's ceiling: two `--workers 1` runs started together took {pair:.2f} s (median) "
                  f"for twice the rows, {ceiling:.2f}x the rows/s of one run alone. Two independent processes "
                  "share the cores' caches and memory bandwidth (and the host's, on a VM), so no parallel "
                  "program does better here; `--workers 2` reaches "
                  f"{(base / statistics.median(two)) / ceiling:.0%} of it." if two else ""]
    lines += ["", "Each run: " + "; ".join(
        f"--workers {r['workers']} {r['wall']:.2f} s" if r["workers"] != "pair" else f"two at once {r['wall']:.2f} s"
        for r in runs)]
    return lines


def speedup_ceiling(runs: list[dict[str, Any]]) -> float | None:
    """Rows/s of two one-worker runs at once over rows/s of one alone (medians), if measured."""
    ones = [r["wall"] for r in runs if r["workers"] == 1]
    pairs = [r["wall"] for r in runs if r["workers"] == "pair"]
    return 2 * statistics.median(ones) / statistics.median(pairs) if ones and pairs else None


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
                "`benchmarks/WORKLOADS.md`. Run `python benchmarks/run.py --all` to refresh them.\n")
    if start in text and end in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + f"\n\n## {title}\n\n{block}\n"
    BENCHMARKS_MD.write_text(text)
    print(f"updated {BENCHMARKS_MD}", file=sys.stderr)


def load_store() -> dict[str, Any]:
    try:
        return json.loads(RESULTS_JSON.read_text())
    except (OSError, ValueError):
        return {}


def save_section(key: str, entry: dict[str, Any]) -> dict[str, Any]:
    store = load_store()
    store[key] = entry
    RESULTS_JSON.write_text(json.dumps(store, indent=1, sort_keys=True) + "\n")
    return store


# ----------------------------------------------------------------------------- sections

@dataclass
class Run:
    """What every section of one invocation shares."""

    info: dict[str, str]
    how: str
    note: str
    quick: bool
    write: bool
    reps: int
    warmup: int
    session: dict[str, Any] = field(default_factory=dict)  # this invocation's sections, as in results.json

    def stamp(self) -> str:
        return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")

    def record(self, key: str, marker: str, title: str, load_before: tuple[float, ...], body: list[str],
               data: dict[str, Any]) -> None:
        """Keep one section for the targets; write it to BENCHMARKS.md and results.json (not with
        --quick / --no-write)."""
        load = (load_before, os.getloadavg())
        entry = {"stamp": self.stamp(), "load": load, "command": f"python benchmarks/run.py{self.how}",
                 "note": self.note, **data}
        self.session[key] = entry
        if self.write:
            update_markdown(marker, [*context_lines(self.info, load, self.note, self.how), "", *body], title)
            save_section(key, entry)


def run_workload(run: Run, workload: Workload, tools: list[str], overrides: dict[str, int]) -> None:
    load_before = os.getloadavg()
    rows = dict(workload.quick_rows if run.quick else workload.full_rows)
    rows.update(overrides)
    print(f"{workload.title} on {run.info['CPU']}, {run.info['cores']} cores; reps={run.reps}, "
          f"warm-up={run.warmup}; load {_load()}", file=sys.stderr)
    results, splits, skipped = measure(workload, rows, run.reps, run.warmup, tools)
    table, split = results_table(results), split_table(splits)
    skip_lines = [f"- {tool}: skipped: {why}" for tool, why in skipped.items()]
    print(f"\n## {workload.title}\n")
    print("\n".join(table))
    print()
    print("\n".join(split))
    if skip_lines:
        print("\n" + "\n".join(skip_lines))
    counted = ("rows = customers + orders made (--rows gives the customers)" if workload.rows_are == "customers"
               else "rows = rows made")
    fewer = [f"{t}: {_tool_module(workload, t).MAX_REPS}" for t in tools
             if getattr(_tool_module(workload, t), "MAX_REPS", run.reps) < run.reps]
    reps = f"{run.reps} ({', '.join(fewer)})" if fewer else f"{run.reps}"
    body = [f"Median of {reps} fresh processes after {run.warmup} warm-up; rows/s = rows / seconds, "
            f"{counted}. Modes are defined in `benchmarks/run.py`; each tool's path in its module under "
            "`benchmarks/tools/`.", "", *table, "", "In-process split (medians, seconds):", "", *split]
    if skip_lines:
        body += ["", *skip_lines]
    run.record(workload.key, f"{workload.key}-results", f"{workload.title}: rulegen vs "
               + ", ".join(t for t in workload.tools if t != "rulegen"), load_before, body,
               {"results": [asdict(r) for r in results], "skipped": skipped})


def run_speedup(run: Run, reps: int | None, warmup: int | None, rows: int = SPEEDUP_ROWS) -> None:
    load_before = os.getloadavg()
    millions = rows // 1_000_000
    key, marker = ("workers", "workers-speedup") if rows == SPEEDUP_ROWS else (
        f"workers-{millions}m", f"workers-speedup-{millions}m")
    rows = QUICK_SPEEDUP_ROWS if run.quick else rows
    reps = reps or (1 if run.quick else SPEEDUP_REPS)
    warmup = warmup if warmup is not None else (0 if run.quick else 1)
    print(f"W1 worker speed-up, {rows:,} rows; load {_load()}", file=sys.stderr)
    runs = measure_speedup(rows, reps, warmup)
    lines = speedup_lines(runs)
    print("\n## Worker speed-up\n")
    print("\n".join(lines))
    body = [f"`rulegen generate w1.yaml --rows customers={rows} --format parquet --workers W` (the whole CLI "
            f"process), W = 1, then 2, then two W = 1 runs started together, in turn, {reps} times each after "
            f"{warmup} warm-up round; the median wall time. CPU s come from wait4, which counts the workers: "
            "the CLI forks them and waits for them.", "", *lines]
    run.record(key, marker, f"Worker speed-up: W1, {millions}M rows to Parquet, --workers 1 vs 2",
               load_before, body, {"runs": runs})


def run_peak(run: Run, rows: int, workers: list[int], key: str, title: str) -> None:
    load_before = os.getloadavg()
    limit = PEAK_LIMIT.get(rows, PEAK_LIMIT[PEAK_ROWS])
    rows = QUICK_PEAK_ROWS if run.quick else rows
    print(f"W1 peak memory, {rows:,} rows; load {_load()}", file=sys.stderr)
    found = measure_peak_rss(rows, workers)
    lines = peak_lines(found, limit)
    print(f"\n## {title}\n")
    print("\n".join(lines))
    body = [*lines, "",
            f"Target: peak memory < {limit / GIB:g} GiB for {rows:,} rows. `wait4 maxrss` is the largest resident "
            "size of the CLI process (and the children it reaped); the tree figure adds the proportional set "
            "size (PSS: shared library pages split between the processes that map them) of every process of the "
            "tree, worker processes included, sampled every 50 ms. CPU s of the CLI process come from wait4; with "
            "--workers 2 the pool's workers are started by a forkserver, so their CPU time is sampled from /proc."]
    run.record(key, f"w1-{key}", title, load_before, body, {"found": found})


def print_summary(write: bool, session: dict[str, Any] | None = None) -> None:
    """The targets table: from results.json when writing, else from this invocation's figures."""
    store = load_store() if write else dict(session or {})
    lines = targets_table([t for t in targets_from(store) if write or t.met is not None])
    print("\n## Targets" + ("" if write else " (this run only; nothing written)") + "\n")
    print("\n".join(lines))
    if write:
        update_markdown("targets", [
            "Each figure as last measured (`benchmarks/results.json`), with the 1-minute load average at the "
            "start and end of its run; the sections below have the details. Ratios are rows/s over rows/s "
            "in the same mode; \"within 2x\" shows how many times rulegen's time the ceiling's time is "
            "(≤ 2 is met, < 1 means rulegen was faster).", "", *lines],
            "Targets (issue 7)")


# ----------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    given = argv if argv is not None else sys.argv[1:]
    if "--tpch" in given:  # TPC-H against tpchgen-cli and DuckDB: its own options (benchmarks/tpch.py)
        from benchmarks import tpch

        return tpch.main(given)
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--all", action="store_true",
                        help="W1, W2, W3 through every tool, the worker speed-up, the 10M and 100M memory runs")
    parser.add_argument("--skip-100m", action="store_true", help="with --all: leave out the 100M-row memory run")
    parser.add_argument("--workload", default="", help="comma-separated subset of: " + ", ".join(WORKLOADS))
    parser.add_argument("--quick", action="store_true",
                        help="small N, one repetition, no warm-up; prints only")
    parser.add_argument("--speedup-rows", type=int, default=SPEEDUP_ROWS, metavar="N",
                        help="rows of the --workers-speedup runs (10M by default; others get a section of their own)")
    parser.add_argument("--workers-speedup", action="store_true",
                        help=f"only: W1, {SPEEDUP_ROWS:,} rows to Parquet, CLI --workers 1 vs 2")
    parser.add_argument("--peak-rss", action="store_true",
                        help=f"only: {PEAK_ROWS:,} rows to Parquet with the rulegen CLI, its peak RSS")
    parser.add_argument("--peak-rss-100m", action="store_true",
                        help=f"only: {PEAK_100M_ROWS:,} rows to Parquet, CLI --workers 2, its peak RSS")
    parser.add_argument("--peak-workers", default="1,2", help="worker counts for --peak-rss (default 1,2)")
    parser.add_argument("--peak-rows", type=int, default=PEAK_ROWS, help=argparse.SUPPRESS)
    parser.add_argument("--summary", action="store_true", help="only: the targets table from results.json")
    parser.add_argument("--reps", type=int, help="measured repetitions (default 5; 1 with --quick)")
    parser.add_argument("--warmup", type=int, help="warm-up runs (default 1; 0 with --quick)")
    parser.add_argument("--tools", default="", help="comma-separated subset of the tools (default: all)")
    parser.add_argument("--rows", action="append", default=[], metavar="[WORKLOAD:]TOOL=N",
                        help="override a tool's N (in every workload, or in one: w2:faker=1000)")
    parser.add_argument("--note", default="",
                        help="a note recorded with the results (e.g. 'machine was loaded')")
    parser.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md / results.json")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="S",
                        help="before each batch of runs, wait up to S seconds for the cores to be idle "
                             "(< 15%% busy over 2 s)")
    args = parser.parse_args(argv)
    QUIET["max_wait"] = args.wait_quiet

    given = argv if argv is not None else sys.argv[1:]
    run = Run(machine(), f" {shlex.join(given)}" if given else "", args.note, args.quick,
              not args.no_write and not args.quick, args.reps or (1 if args.quick else 5),
              args.warmup if args.warmup is not None else (0 if args.quick else 1))

    if args.summary:
        lines = targets_table(targets_from(load_store()))
        print("\n".join(lines))
        if run.write:
            print_summary(True)
        return 0

    only = args.workers_speedup or args.peak_rss or args.peak_rss_100m
    if args.all:
        keys = list(WORKLOADS)
    elif args.workload:
        keys = [k.strip().lower() for k in args.workload.split(",") if k.strip()]
    else:
        keys = [] if only else ["w1"]
    unknown = set(keys) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workloads {sorted(unknown)}; choose from {list(WORKLOADS)}")
    chosen = [t.strip() for t in args.tools.split(",") if t.strip()]
    every_tool = {t for k in keys for t in WORKLOADS[k].tools}
    if set(chosen) - every_tool:
        parser.error(f"unknown tools {sorted(set(chosen) - every_tool)}; choose from {sorted(every_tool)}")
    overrides: dict[str, dict[str, int]] = {k: {} for k in WORKLOADS}
    for item in args.rows:
        scope, _, rest = item.rpartition(":")
        tool, _, n = rest.partition("=")
        for k in ([scope] if scope else WORKLOADS):
            if tool in WORKLOADS[k].tools:
                overrides[k][tool] = int(n)

    for key in keys:
        workload = WORKLOADS[key]
        tools = [t for t in workload.tools if not chosen or t in chosen]
        run_workload(run, workload, tools, overrides[key])
    if args.workers_speedup:
        run_speedup(run, args.reps, args.warmup, args.speedup_rows)
    elif args.all:
        for rows in (SPEEDUP_ROWS, SPEEDUP_LONG_ROWS):
            run_speedup(run, args.reps, args.warmup, rows)
    if args.all or args.peak_rss:
        run_peak(run, args.peak_rows, [int(w) for w in args.peak_workers.split(",")], "peak-rss",
                 "W1 peak memory: 10M rows to Parquet (rulegen CLI)")
    if (args.all and not args.skip_100m) or args.peak_rss_100m:
        run_peak(run, PEAK_100M_ROWS, [2], "peak-rss-100m", "W1 peak memory: 100M rows to Parquet (rulegen CLI)")
    print_summary(run.write, run.session)
    return 0


if __name__ == "__main__":
    sys.exit(main())
