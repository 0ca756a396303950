#!/usr/bin/env python
"""TPC-H at scale factor SF to Parquet: rulegen against tpchgen-cli and DuckDB's dbgen, side by side.

    python benchmarks/run.py --tpch                 # sf 1, median of 3 rounds, updates BENCHMARKS.md
    python benchmarks/run.py --tpch --sf 1 --sf 10  # sf 1 (3 rounds) then sf 10 (1 round)
    python benchmarks/run.py --tpch --quick         # sf 0.01, one round, prints only (smoke test)
    python benchmarks/run.py --tpch --sf 10 --tools rulegen   # rulegen alone (its peak memory at sf 10)
    python benchmarks/run.py --tpch --tools rulegen --baseline ../main --no-write  # this tree against another

Each tool makes TPC-H's eight tables at the scale factor and writes one Parquet file per table,
as a whole process timed from start to exit, on every core of the machine:

* rulegen: ``rulegen generate benchmarks/specs/tpch.yaml --scale SF --format parquet`` (the
  spec's row counts are scale factor 1's; region and nation are fixed);
* tpchgen-cli (Rust, from PyPI): ``tpchgen-cli parquet -s SF -o DIR``;
* DuckDB: ``CALL dbgen(sf=SF)`` into memory, then ``COPY`` of each table to Parquet
  (``benchmarks/tools/duckdb_tpch.py``, which says where its tpch extension comes from);
* with ``--baseline TREE``, also ``rulegen-baseline``: the same rulegen command run from another
  source tree (a checkout of an earlier commit), its spec included, to measure a change side by
  side on a loaded machine (its "÷ rulegen, per round" is the ratio to trust there).

rulegen makes ``orders`` together with ``lineitem`` (the blocks its aggregates read are made
once, :mod:`rulegen.engine.costream`), and gives Parquet statistics to every column but text.

A round runs the three one after the other; the figures are the median of the rounds (3 at
sf <= 1, 1 above: sf 10 takes minutes), so load that changes during the run hits all three
alike. "÷ rulegen" divides a tool's median seconds by rulegen's (above 1: rulegen is faster), and
"÷ rulegen, per round" is the median of the rounds' own ratios (each against rulegen's run of
the same round, so load that changes between rounds cancels out). Peak
memory is the most the process tree held at once (the sum of its processes' PSS, sampled every
0.25 s), and maxrss the largest single process (``wait4``). The machine's load average is
printed before and after each round.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.run import (  # noqa: E402
    CHILD_ENV,
    GIB,
    Child,
    context_lines,
    machine,
    rows_in,
    run_child,
    save_section,
    update_markdown,
)
from benchmarks.tools import duckdb_tpch  # noqa: E402

SPEC = ROOT / "benchmarks" / "specs" / "tpch.yaml"
TOOLS = ("rulegen", "tpchgen-cli", "duckdb", "rulegen-baseline")


def commands(sf: float, out: Path, baseline: Path | None = None) -> dict[str, list[str] | None]:
    """Each tool's command writing scale factor ``sf`` under ``out`` (None: not available here);
    ``rulegen-baseline`` runs rulegen from the source tree ``baseline``."""
    duck = duckdb_tpch.python()
    tpchgen = shutil.which("tpchgen-cli")
    rulegen = [sys.executable, "-m", "rulegen", "generate", "--scale", f"{sf:g}", "--format", "parquet", "--quiet"]
    return {
        "rulegen": [*rulegen, str(SPEC), "-o", str(out / "rulegen")],
        "tpchgen-cli": [tpchgen, "parquet", "-s", f"{sf:g}", "-o", str(out / "tpchgen-cli")] if tpchgen else None,
        "duckdb": [duck, "-m", "benchmarks.tools.duckdb_tpch", "--sf", f"{sf:g}", "--out", str(out / "duckdb")]
        if duck else None,
        "rulegen-baseline": [*rulegen, str(baseline / SPEC.relative_to(ROOT)), "-o", str(out / "rulegen-baseline")]
        if baseline else None,
    }


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def measure(sf: float, rounds: int, tools: tuple[str, ...] = TOOLS,
            baseline: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """``rounds`` rounds of ``tools`` at ``sf``: per tool, each run's wall, CPU, rows, bytes, memory
    (``baseline``: the source tree of ``rulegen-baseline``)."""
    found: dict[str, list[dict[str, Any]]] = {tool: [] for tool in TOOLS}
    with tempfile.TemporaryDirectory(prefix="rulegen-tpch-") as tmp:
        for i in range(rounds):
            cmds = commands(sf, Path(tmp), baseline)
            for tool, cmd in cmds.items():
                if cmd is None or tool not in tools:
                    continue
                out = Path(tmp) / tool
                (out if tool == "tpchgen-cli" else out.parent).mkdir(parents=True, exist_ok=True)
                before = _load()
                # `python -m` imports from its working folder first: the baseline's runs start in its tree
                where = {"env": {**CHILD_ENV, "PYTHONPATH": str(baseline)}, "cwd": baseline} \
                    if tool == "rulegen-baseline" and baseline else {}
                child: Child = run_child(cmd, sample_tree=True, memory=True, every=0.25, **where)
                files = [p for p in out.rglob("*") if p.is_file()]
                # wait4's CPU already holds every process the tool reaped (rulegen's workers) and
                # every thread: adding the sampled tree again counted rulegen's workers twice.
                run = {"wall": child.wall, "cpu": child.cpu, "rows": rows_in(out),
                       "bytes": sum(p.stat().st_size for p in files), "tree_peak": child.tree_peak,
                       "maxrss": child.maxrss, "load": f"{before} -> {_load()}"}
                found[tool].append(run)
                print(f"  sf {sf:g} round {i + 1}/{rounds} {tool:<12} {run['wall']:7.2f} s  {run['rows']:>11,} rows  "
                      f"{run['bytes'] / 2**20:8.1f} MiB  peak {run['tree_peak'] / GIB:.2f} GiB  load {run['load']}",
                      file=sys.stderr)
                shutil.rmtree(out, ignore_errors=True)
    return found


def table_lines(sf: float, found: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The side-by-side table of one scale factor (medians of the rounds)."""
    med = {tool: {k: statistics.median(r[k] for r in runs) for k in ("wall", "cpu", "rows", "bytes", "tree_peak",
                                                                        "maxrss")}
           for tool, runs in ((t, found.get(t)) for t in TOOLS) if runs}
    base = med.get("rulegen", {}).get("wall")
    lines = [f"TPC-H sf {sf:g} to Parquet, whole process, median of {len(found['rulegen'])} round(s):", "",
             "| tool | wall s | ÷ rulegen | ÷ rulegen, per round | CPU s | rows | rows/s | MiB written | "
             "peak memory (tree) | maxrss |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for tool, m in med.items():
        ratio = f"{m['wall'] / base:.2f}x" if base else "-"
        # each round's ratio against rulegen's run of the same round: load that changes between
        # rounds cancels out; the median of those
        pairs = [r["wall"] / g["wall"] for r, g in zip(found[tool], found.get("rulegen", []), strict=False)]
        paired = f"{statistics.median(pairs):.2f}x" if pairs else "-"
        lines.append(f"| {tool} | {m['wall']:.2f} | {ratio} | {paired} | {m['cpu']:.1f} | {m['rows']:,.0f} | "
                     f"{m['rows'] / m['wall']:,.0f} | {m['bytes'] / 2**20:,.1f} | {m['tree_peak'] / GIB:.2f} GiB | "
                     f"{m['maxrss'] / GIB:.2f} GiB |")
    missing = [tool for tool in TOOLS if not found.get(tool)]
    if "duckdb" in missing and duckdb_tpch.unavailable():
        lines += ["", f"- duckdb: skipped: {duckdb_tpch.unavailable()}"]
    if "tpchgen-cli" in missing and not shutil.which("tpchgen-cli"):
        lines += ["", "- tpchgen-cli: skipped: not on PATH (`pip install tpchgen-cli`)"]
    lines += ["", "Load average of each run (before -> after): " + "; ".join(
        f"{tool} {r['load']}" for tool in TOOLS for r in found.get(tool, []))]
    return lines


def _versions() -> str:
    parts = []
    for exe, what in ((shutil.which("tpchgen-cli"), "--version"),):
        if exe:
            parts.append(subprocess.run([exe, what], capture_output=True, text=True).stdout.strip())
    duck = duckdb_tpch.python()
    if duck:
        version = subprocess.run([duck, "-c", "import duckdb; print(duckdb.__version__)"], capture_output=True,
                                 text=True).stdout.strip()
        parts.append(f"duckdb {version}")
    return ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tpch", action="store_true", help=argparse.SUPPRESS)  # as given to run.py
    parser.add_argument("--sf", type=float, action="append", help="scale factor (repeatable; default 1)")
    parser.add_argument("--rounds", type=int, help="rounds per scale factor (default 3 at sf <= 1, else 1)")
    parser.add_argument("--quick", action="store_true", help="sf 0.01, one round, prints only")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of: " + ", ".join(TOOLS))
    parser.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md / results.json")
    parser.add_argument("--note", default="", help="a note written with the figures")
    parser.add_argument("--baseline", type=Path, metavar="TREE",
                        help="also run rulegen from this source tree (rulegen-baseline), side by side")
    args = parser.parse_args(argv)
    factors = [0.01] if args.quick else (args.sf or [1.0])
    write = not (args.quick or args.no_write)
    info = machine()
    info["generators"] = _versions()
    body: list[str] = []
    load_before = os.getloadavg()
    for sf in factors:
        rounds = args.rounds or (1 if args.quick or sf > 1 else 3)
        print(f"TPC-H sf {sf:g}: {rounds} round(s); load {_load()}", file=sys.stderr)
        tools = tuple(t.strip() for t in args.tools.split(",")) + (("rulegen-baseline",) if args.baseline else ())
        found = measure(sf, rounds, tools, args.baseline.resolve() if args.baseline else None)
        lines = table_lines(sf, found)
        print("\n".join(lines))
        body += [*lines, ""]
        if write:
            save_section(f"tpch-sf{sf:g}", {"load": [load_before, os.getloadavg()], "runs": found})
    if write:
        how = " " + " ".join(argv if argv is not None else sys.argv[1:])
        sfs = "-".join(f"sf{sf:g}" for sf in factors)  # a section per set of scale factors
        title = f"TPC-H {sfs.replace('-', ', ')}: rulegen vs tpchgen-cli and DuckDB dbgen"
        context = context_lines(info, (load_before, os.getloadavg()), args.note, how)
        update_markdown(f"tpch-{sfs}", [*context, "", *body], title)
    return 0


if __name__ == "__main__":
    sys.exit(main())
