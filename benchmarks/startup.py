#!/usr/bin/env python
"""Start-up of small runs, whole process (issue 17, item 4): how long a command takes from the
interpreter's start to its exit when the data is small, so that the fixed cost is all there is.

    python benchmarks/startup.py                       # this checkout, median of 21; updates BENCHMARKS.md
    python benchmarks/startup.py --baseline dcc5cb4    # and the same runs of another commit, side by side
    python benchmarks/startup.py --quick               # 2 repetitions, prints only (smoke test)

Commands, each run as ``python -m rulegen ...`` in a fresh process (what the console script does):

* ``validate`` of ``benchmarks/specs/startup_small.yaml`` (3 columns, one of them Faker's);
* ``generate`` of ``benchmarks/specs/startup_1k.yaml`` (1,000 rows, 10 columns: W1's and a
  nullable Faker one) to CSV, to Parquet and to SQL, ``--workers 1``, and ``seed`` of it into
  SQLite;
* ``preview`` of the same spec (10 rows of it);
* ``python -c pass``, the interpreter alone, and ``import pyarrow, yaml, click``, what any
  command that compiles a spec imports first: the floors under the figures.

Each command runs once to warm up (bytecode compiled, Faker's answers kept in a cache folder of
the benchmark's own, as they are after a user's first run), then ``--reps`` times; commands and,
with ``--baseline``, the two checkouts take turns, so that a change of the machine's load hits
them alike. The figures are medians of the process's wall time, from ``subprocess`` start to
exit (the target's measure), and of its CPU time (user + system, ``wait4``), which another
process's load disturbs less. ``generate, no Faker cache`` runs with ``RULEGEN_NO_CACHE=1`` (this checkout only): what a
first run, or a run with the cache off, costs. ``-X importtime`` runs (the minimum of 5 for each
module) give the modules whose import takes longest, per command.

The baseline is the tree of ``--baseline`` (any git revision) exported with ``git archive`` to a
temporary folder and put first on ``PYTHONPATH``; both run on the installed dependencies.
Bytecode goes to a temporary ``PYTHONPYCACHEPREFIX`` (``PYTHONDONTWRITEBYTECODE`` is dropped: an
installed package has its bytecode).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.run import context_lines, machine, update_markdown  # noqa: E402

SPECS = ROOT / "benchmarks" / "specs"
SMALL, THOUSAND = SPECS / "startup_small.yaml", SPECS / "startup_1k.yaml"
MARK = "<!-- startup:{edge} (written by benchmarks/startup.py; edits inside are overwritten) -->"
TARGETS = {"validate": 0.25, "generate CSV": 0.4, "generate Parquet": 0.4}  # seconds, issue 17
TOP = 12  # modules listed per command in the import profile


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]  # after `python`
    env: tuple[tuple[str, str], ...] = ()
    baseline: bool = True  # also run on the baseline


def commands(out: Path) -> list[Command]:
    rulegen = ("-m", "rulegen")
    generate = (*rulegen, "generate", str(THOUSAND), "--workers", "1", "--quiet", "--out")
    return [
        Command("python -c pass", ("-c", "pass")),
        Command("import pyarrow, yaml, click", ("-c", "import pyarrow, yaml, click")),
        Command("validate", (*rulegen, "validate", str(SMALL))),
        Command("generate CSV", (*generate, str(out / "csv"), "--format", "csv")),
        Command("generate Parquet", (*generate, str(out / "parquet"), "--format", "parquet")),
        Command("generate SQL", (*generate, str(out / "sql"), "--format", "sql")),
        Command("seed SQLite", (*rulegen, "seed", str(THOUSAND), "--workers", "1", "--quiet", "--if-exists", "replace",
                                "--db", f"sqlite:///{out / 'seeded.db'}")),
        Command("preview", (*rulegen, "preview", str(THOUSAND), "-n", "10")),
        Command("generate CSV, no Faker cache", (*generate, str(out / "nocache"), "--format", "csv"),
                env=(("RULEGEN_NO_CACHE", "1"),), baseline=False),
    ]


def environment(tree: Path, scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "RULEGEN_NO_CACHE")}
    env.update(PYTHONPATH=str(tree), PYTHONPYCACHEPREFIX=str(scratch / "pycache"),
               RULEGEN_CACHE_DIR=str(scratch / "cache"), PYTHONUNBUFFERED="1")
    return env


def run_once(command: Command, env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall seconds from the process's start to its exit, and its CPU seconds (user + system,
    from ``wait4``; it must succeed)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, *command.args], env={**env, **dict(command.env)}, cwd=cwd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    errors = process.stderr.read() if process.stderr else b""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command.name} failed:\n{errors.decode(errors='replace')}")
    return seconds, usage.ru_utime + usage.ru_stime


def measure(trees: dict[str, Path], scratch: Path, reps: int) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """(wall, CPU) seconds of each (tree, command), the commands and trees taking turns."""
    out = scratch / "out"
    plan = [(label, command) for command in commands(out) for label in trees
            if command.baseline or label == "this checkout"]
    envs = {label: environment(tree, scratch / label) for label, tree in trees.items()}
    for label, command in plan:  # warm-up: bytecode written, Faker's answers kept
        run_once(command, envs[label], scratch)
    times: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for rep in range(reps):
        for label, command in plan if rep % 2 == 0 else reversed(plan):
            times[(label, command.name)].append(run_once(command, envs[label], scratch))
    return times


def import_profile(tree: Path, scratch: Path, args: Sequence[str], runs: int = 5) -> list[tuple[str, float, float]]:
    """The modules whose import takes longest: (module, cumulative ms, own ms), minimum of ``runs``."""
    env = environment(tree, scratch / "this checkout")
    own: dict[str, list[int]] = defaultdict(list)
    total: dict[str, list[int]] = defaultdict(list)
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-X", "importtime", *args], env=env, cwd=scratch,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=600)
        for line in done.stderr.splitlines():
            found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
            if found:
                own[found[4]].append(int(found[1]))
                total[found[4]].append(int(found[2]))
    return sorted(((name, min(total[name]) / 1000, min(own[name]) / 1000) for name in total),
                  key=lambda row: -row[1])[:TOP]


def export(revision: str, into: Path) -> Path:
    """The tree of ``revision`` in a folder of its own."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def _median(values: list[tuple[float, float]], which: int) -> float:
    return statistics.median(v[which] for v in values)


def report(times: dict[tuple[str, str], list[tuple[float, float]]], trees: dict[str, Path],
           revision: str | None) -> list[str]:
    names = list(dict.fromkeys(name for _, name in times))
    labels = list(trees)
    head = "| command | " + " | ".join(f"{label}: wall s (min-max) | {label}: CPU s" for label in labels)
    head += " | this ÷ baseline, wall | this ÷ baseline, CPU |" if revision else " |"
    lines = [head, "| --- |" + " ---: |" * (2 * len(labels) + (2 if revision else 0))]
    for name in names:
        cells = []
        for label in labels:
            values = times.get((label, name))
            walls = [v[0] for v in values or ()]
            cells += ["—", "—"] if not values else [
                f"{_median(values, 0):.3f} ({min(walls):.3f}-{max(walls):.3f})", f"{_median(values, 1):.3f}"]
        if revision:
            ours, theirs = times.get(("this checkout", name)), times.get(("baseline", name))
            cells += [f"{_median(ours, i) / _median(theirs, i):.2f}x" if ours and theirs else "—" for i in (0, 1)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    floor = times[("this checkout", "python -c pass")]
    lines += ["", f"Targets (issue 17, item 4: whole process, on a quiet machine; the interpreter alone takes "
                  f"{_median(floor, 0):.3f} s here, {_median(floor, 1):.3f} s of CPU):", ""]
    for name, target in TARGETS.items():
        wall, cpu = _median(times[("this checkout", name)], 0), _median(times[("this checkout", name)], 1)
        lines.append(f"- {name}: {wall:.3f} s wall, {cpu:.3f} s CPU, against {target} s: "
                     f"**{'met' if wall <= target else 'not met'}** (wall)")
    return lines


def profile_lines(profiles: dict[str, list[tuple[str, float, float]]]) -> list[str]:
    if not profiles:
        return []
    lines = ["Slowest imports of this checkout (`python -X importtime`, minimum of 5 runs, ms; a module's "
             "cumulative time includes what it imports):", ""]
    for name, rows in profiles.items():
        lines += [f"`{name}`:", "", "| module | cumulative ms | own ms |", "| --- | ---: | ---: |"]
        lines += [f"| {module} | {total:.1f} | {own:.1f} |" for module, total, own in rows]
        lines.append("")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", metavar="REV", help="also run the tree of this git revision, side by side")
    parser.add_argument("--reps", type=int, default=21, help="repetitions of each command (default 21)")
    parser.add_argument("--quick", action="store_true", help="2 repetitions, no import profile, prints only")
    parser.add_argument("--no-write", action="store_true", help="print only; do not update BENCHMARKS.md")
    parser.add_argument("--note", default="", help="a note for the report (e.g. the machine's state)")
    args = parser.parse_args(argv)
    reps = 2 if args.quick else args.reps
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="rulegen-startup-") as folder:
        scratch = Path(folder)
        trees = {"this checkout": ROOT}
        if args.baseline:
            trees["baseline"] = export(args.baseline, scratch / "baseline-tree")
        times = measure(trees, scratch, reps)
        profiles = {} if args.quick else {
            "rulegen validate (small spec)": import_profile(ROOT, scratch, ["-m", "rulegen", "validate", str(SMALL)]),
            "rulegen generate (1,000 rows to Parquet)": import_profile(
                ROOT, scratch, ["-m", "rulegen", "generate", str(THOUSAND), "--workers", "1", "--quiet", "--format",
                                "parquet", "--out", str(scratch / "out" / "profile")]),
        }
        shutil.rmtree(scratch / "out", ignore_errors=True)
    load = (load_before, os.getloadavg())
    revision = args.baseline
    how = "".join(f" {a}" for a in sys.argv[1:]) if argv is None else " " + shlex.join(argv)
    body = [*context_lines(machine(), load, args.note, how, script="benchmarks/startup.py"), ""]
    body.append(f"Whole process, `python -m rulegen ...` from start to exit; median (min-max) of {reps} runs after "
                "a warm-up, commands" + (" and checkouts" if revision else "") + " taking turns"
                + (f"; baseline: `{revision}`" if revision else "") + ". Faker's answers come from the cache "
                "the warm-up filled, except in the `no Faker cache` row.")
    body += ["", *report(times, trees, revision), "", *profile_lines(profiles)]
    print("\n".join(body))
    if not (args.quick or args.no_write):
        update_markdown("startup", body, "Start-up of small runs (issue 17)", mark=MARK)


if __name__ == "__main__":
    main()
