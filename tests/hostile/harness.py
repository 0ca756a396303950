"""Runs every corpus input through every command and checks what a hostile spec must not do.

For one input, :class:`InputRun` makes a sandbox (see :mod:`tests.hostile.corpus`) and runs
``validate``, ``generate`` in every format (and SQL in every dialect), ``preview``, ``check``
(on the CSV that generate wrote) and ``seed`` into SQLite, DuckDB and PostgreSQL, each in a
child of the fork server (:mod:`tests.hostile.runner`) under 10 s of CPU time and a 1 GiB
address-space limit. Every run is checked for (:func:`check_run`):

- its exit code: validate's is the input's ``expect``, the other runs' follow it (or the
  input's ``exit`` directives); 2 only where a usage error is expected;
- on exit 1, every stderr line located (``FILE:LINE:COL: ``), a hint, the count of problems
  or a ``rulegen: `` line;
- no ``Traceback``, no ``internal error``, no Python warning (``RuntimeWarning`` above all);
- not killed (deadline, address space, file size), no process left behind;
- nothing written outside its output folder, no temp file left, no line of the victim's
  secret file printed.

The SQL scripts that generate wrote are then loaded into the real ``sqlite3`` and ``psql``
clients and into DuckDB, each going on after errors (so an injected statement after a broken
one would run); seeds and loads must leave the ``victim`` table, the roles and the catalogs
as they were (:mod:`tests.hostile.databases`). A run that was killed gets the innermost
rulegen frame of its stack (dumped just before the kill) as the likely culprit.
"""

from __future__ import annotations

import dataclasses
import glob
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from tests.hostile import databases as db
from tests.hostile.corpus import SECRET, Input, Sandbox, make_sandbox, restore_victims
from tests.hostile.runner import Outcome, Runner

__all__ = ["FILE_SIZE", "MEMORY", "RUNS", "TIMEOUT", "Failure", "InputRun", "Result", "check_run"]

TIMEOUT = 10.0  # seconds of CPU time per run (the wall deadline is a few times longer)
MEMORY = 1 << 30  # bytes of address space per run
FILE_SIZE = 512 << 20  # bytes per file a run writes (keeps a runaway run off the disk)
RUNS = ["validate", "generate-csv", "generate-jsonl", "generate-parquet", "generate-sql-sqlite",
        "generate-sql-postgresql", "generate-sql-duckdb", "generate-sql-mysql", "preview", "check",
        "seed-sqlite", "seed-duckdb", "seed-postgresql"]
_TAKES = {"generate": {"--seed", "--scale", "--rows"}, "seed": {"--seed", "--scale", "--rows"},
          "check": {"--seed", "--scale", "--rows"}, "preview": {"--seed"}, "validate": set()}
_LOCATED = re.compile(r"^\S.*?:\d+:\d+: ")
_ALLOWED_LINES = [_LOCATED, re.compile(r"^rulegen: "), re.compile(r"^    hint: "), re.compile(r"^\d+ problems? found$")]
_WARNING = re.compile(r"^.*?:\d+: \w*Warning: .*$", re.M)
_MEMORY = re.compile(r"MemoryError|Unable to allocate|bad_alloc|Cannot allocate memory|failed to map segment"
                     r"|out of memory", re.I)
_FRAME = re.compile(r'File "[^"]*?/(rulegen/[^"]+)", line (\d+),? in (\S+)')
_LOCATE = ("time", "internal-error", "memory", "traceback")  # failures worth the rulegen frame they come from
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # a terminal obeys these: never print them raw
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SIGNALS = {9: "SIGKILL", 6: "SIGABRT", 11: "SIGSEGV", 25: "SIGXFSZ (file size limit)", 7: "SIGBUS"}


@dataclass(frozen=True)
class Failure:
    """One broken promise: an input, the run that broke it, the check and a one-line reason."""

    input: str
    run: str
    check: str
    reason: str
    where: str | None = None  # rulegen/...py:LINE (function), from a stack when there was one

    @property
    def category(self) -> str:
        """The input's category."""
        return self.input.split("/", 1)[0]

    def line(self) -> str:
        """``input · run · check: reason``."""
        return f"{self.input} · {self.run} · {self.check}: {self.reason}" + (f" [at {self.where}]" * bool(self.where))


@dataclass
class Result:
    """The runs of one input: how many, how long, and what failed."""

    input: Input
    failures: list[Failure] = field(default_factory=list)
    runs: int = 0
    seconds: float = 0.0


def check_run(outcome: Outcome, expected: frozenset[int], stdout: str, stderr: str,
              data_on_stdout: bool = False) -> list[tuple[str, str]]:
    """The ``(check, reason)`` pairs a run breaks, from its outcome and output.

    ``data_on_stdout``: the run prints generated values (preview, check), which may hold
    control characters a spec asked for; only its stderr is searched for them.
    """
    found: list[tuple[str, str]] = []
    text = stdout + "\n" + stderr
    if outcome.timed_out:
        found.append(("time", f"killed after {TIMEOUT:.0f} s of CPU time"))
    elif outcome.signal is not None:
        found.append(("killed", f"killed by {_SIGNALS.get(outcome.signal, f'signal {outcome.signal}')}"))
    memory = _MEMORY.search(stderr)
    if memory and not outcome.timed_out:
        found.append(("memory", f"out of the {MEMORY >> 30} GiB address space: {_line_of(stderr, memory.start())}"))
    if outcome.exit is not None and outcome.exit not in expected:
        said = (_first_line(stdout) or _first_line(stderr)) if outcome.exit == 0 else (
            _first_line(stderr) or _first_line(stdout))
        found.append(("exit", f"exit {outcome.exit}, expected {'|'.join(map(str, sorted(expected)))}: "
                              f"{said or '(no output)'}"))
    if "Traceback" in text:
        found.append(("traceback", f"a Python traceback: {_last_exception(text)}"))
    if "internal error" in text and not memory:  # an internal MemoryError is reported once, as memory
        found.append(("internal-error", _line_of(text, text.index("internal error"))))
    warning = _WARNING.search(stderr)
    if warning:
        found.append(("warning", warning.group(0)[:200]))
    if outcome.exit == 1:
        stray = [line for line in stderr.splitlines() if not any(p.match(line) for p in _ALLOWED_LINES)]
        if stray:
            found.append(("unlocated", f"{len(stray)} stderr line(s) without FILE:LINE:COL, first {stray[0][:120]!r}"))
    for stream, text_of in (("stderr", stderr), ("stdout", "" if data_on_stdout else stdout)):
        control = _CONTROL.search(text_of)
        if control:
            found.append(("control", f"printed a raw control character U+{ord(control.group(0)):04X} to {stream}: "
                                     f"{_line_of(text_of, control.start())!r}"))
            break
    if SECRET in text:
        found.append(("secret", "printed the content of victim/secret.csv, a file outside the spec's folder"))
    if outcome.leftover:
        found.append(("processes", "left processes running after it exited"))
    return found


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates escaped (reasons quote hostile names)."""
    return _UNPRINTABLE.sub(lambda m: m.group(0).encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def _first_line(text: str) -> str:
    return next((line.strip()[:160] for line in text.splitlines() if line.strip()), "")


def _line_of(text: str, index: int) -> str:
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return text[start:end if end >= 0 else None].strip()[:200]


def _last_exception(text: str) -> str:
    tail = text[text.rindex("Traceback"):].strip().splitlines()
    return tail[-1][:160] if tail else ""


def innermost_frame(stack: str, most_recent_first: bool) -> str | None:
    """``rulegen/x.py:LINE (function)`` of the innermost rulegen frame of a dumped stack."""
    frames = _FRAME.findall(stack)
    if not frames:
        return None
    path, line, function = frames[0] if most_recent_first else frames[-1]
    return f"{path}:{line} ({function})"


# -- the sandbox's tree -----------------------------------------------------------------------------

def snapshot(root: Path) -> dict[str, tuple[int, ...]]:
    """Every path under ``root`` with its type; files also with size, inode and mtime."""
    tree: dict[str, tuple[int, ...]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            kind = stat.S_IFMT(info.st_mode)
            key = os.path.relpath(path, root)
            # A folder's mtime changes whenever a file comes and goes: only its existence counts.
            tree[key] = (kind,) if kind == stat.S_IFDIR else (kind, info.st_size, info.st_ino, info.st_mtime_ns)
    return tree


def changes(before: dict[str, tuple[int, ...]], after: dict[str, tuple[int, ...]], allowed: list[str]) -> list[str]:
    """Paths created, removed or changed, except under the ``allowed`` prefixes."""
    found = []
    for path in sorted(set(before) | set(after)):
        if before.get(path) == after.get(path) or any(path == a or path.startswith(a + "/") for a in allowed):
            continue
        what = "created" if path not in before else "removed" if path not in after else "changed"
        found.append(f"{what} {path}")
    return found


# -- one input --------------------------------------------------------------------------------------

class InputRun:
    """Every run of one input, in its own sandbox."""

    def __init__(self, item: Input, root: Path, runner: Runner, postgres: db.Postgres | None, debug: bool) -> None:
        self.item, self.runner, self.postgres, self.debug = item, runner, postgres, debug
        self.box: Sandbox = make_sandbox(item, root)
        self.home = self.box.home
        self.rel = os.path.relpath(self.home, self.box.root)
        self.result = Result(item)
        self.exits: dict[str, int | None] = {}
        self.killed = 0
        self.pending: list[tuple[str, int, int]] = []  # (run, first failure, failures) to locate

    def run_all(self) -> Result:
        """Run everything; the sandbox is removed afterwards."""
        runs = [r for r in [*RUNS, "generate-dask"] if r != "generate-dask" or self.item.has("dask")]
        if self.postgres is None:
            runs.remove("seed-postgresql")
        try:
            for name in runs:
                if self.killed and (self.exits.get("validate", 0) is None or self.killed >= 2):
                    skipped = runs[runs.index(name):]
                    self.fail("runs", "not-run", f"{len(skipped)} runs skipped ({', '.join(skipped)}): "
                                                 "earlier runs of this input were killed")
                    break
                self.run(name)
                if name.startswith("generate-sql-") and self.exits.get(name) == 0:
                    self.load_scripts(name)
            self.locate_pending()
        finally:
            shutil.rmtree(self.box.root, ignore_errors=True)
            if not self.result.failures:
                shutil.rmtree(self.box.logs, ignore_errors=True)
        return self.result

    def fail(self, run: str, check: str, reason: str, where: str | None = None) -> None:
        """Record a failure of this input."""
        self.result.failures.append(Failure(self.item.id, run, check, printable(reason), where))

    def expected(self, name: str) -> frozenset[int]:
        """The exit codes ``name`` may end with."""
        codes = self.item.expect
        for runs, values in self.item.args_of("exit"):
            if runs == name or (runs == "runs" and name != "validate") or name.startswith(runs + "-"):
                codes = frozenset(int(c) for c in values.split("|"))
        if name == "check" and self.exits.get("generate-csv") != 0:
            return frozenset({1, *(c for c in codes if c == 2)})  # nothing valid to check
        return codes

    def command(self, name: str, db_url: str | None = None) -> list[str]:
        """The arguments of run ``name``."""
        verb = name.split("-")[0]
        spec = self.box.spec
        if verb == "generate":
            fmt = name.split("-")[1]
            args = ["generate", spec, "--out", f"out/{name}", "--workers", "1", "--format", fmt]
            if fmt == "sql":
                args += ["--dialect", name.split("-")[2]]
            elif fmt == "dask":
                args[-1:] = ["parquet", "--engine", "dask"]
        elif verb == "check":
            args = ["check", spec, "out/generate-csv"]
        elif verb == "seed":
            args = ["seed", spec, "--db", db_url or "", "--workers", "1"]
        elif verb == "preview":
            args = ["preview", spec, "-n", "5"]
        else:
            args = ["validate", spec]
        if self.box.lock:
            args += ["--lock", self.box.lock]
        for option, value in self.item.args_of("args"):
            if option in _TAKES[verb]:
                args += [option, value]
        return args

    def run(self, name: str) -> None:
        """Run ``name`` and check it."""
        out = self.home / "out" / name
        out.mkdir(exist_ok=True)
        db_url = self._prepare_database(name, out)
        if name == "seed-postgresql" and self.postgres is not None:
            with self.postgres.database() as url, self.postgres.lock:
                before = self.postgres.state(url)
                self.execute(name, self.command(name, url))
                for change in before.changes(self.postgres.state(url)):
                    self.fail(name, "database", change)
                self.postgres.drop_new_roles()
            return
        self.execute(name, self.command(name, db_url))
        damage = (db.victim_sqlite(out / "db.sqlite") if name == "seed-sqlite"
                  else db.victim_duckdb(out / "db.duckdb") if name == "seed-duckdb" else None)
        if damage:
            self.fail(name, "victim", damage)

    def _prepare_database(self, name: str, out: Path) -> str | None:
        """The URL of a database with a victim for a seed into SQLite or DuckDB (else None)."""
        if name == "seed-sqlite":
            db.make_sqlite(out / "db.sqlite")
            return f"sqlite:///{out / 'db.sqlite'}"
        if name == "seed-duckdb":
            db.make_duckdb(out / "db.duckdb")
            return f"duckdb:///{out / 'db.duckdb'}"
        return None

    def execute(self, name: str, args: list[str]) -> None:
        """Run ``args`` in the fork server and apply :func:`check_run` and the tree checks."""
        logs = self.box.logs
        stdout, stderr, stack = logs / f"{name}.out", logs / f"{name}.err", logs / f"{name}.stack"
        plant = [[f"out/{name}/{link}", target.replace("@SANDBOX@", str(self.home))]
                 for link, target in self.item.args_of("plant") if _plants_into(link, name)]
        restore_victims(self.home)
        before = snapshot(self.box.root)
        outcome = self.runner.run({
            "op": "rulegen", "args": args, "cwd": str(self.home), "stdout": str(stdout), "stderr": str(stderr),
            "stack": str(stack), "env": {"TMPDIR": str(self.box.tmp)}, "timeout": TIMEOUT, "memory": MEMORY,
            "file_size": FILE_SIZE, "plant": plant})
        self.result.runs += 1
        self.result.seconds += outcome.seconds
        self.exits[name] = outcome.exit
        if outcome.timed_out or outcome.signal is not None:
            self.killed += 1
        out_text, err_text = _read(stdout), _read(stderr)
        where = (innermost_frame(_read(stack), most_recent_first=True) if outcome.timed_out
                 else innermost_frame(err_text, most_recent_first=False) if "Traceback" in err_text else None)
        found = check_run(outcome, self.expected(name), out_text, err_text,
                          data_on_stdout=name in ("preview", "check"))
        if where is None and self.debug and any(check in _LOCATE for check, _ in found):
            self.pending.append((name, len(self.result.failures), len(found)))
        for check, reason in found:
            self.fail(name, check, reason, where if check in _LOCATE else None)
        self.check_tree(name, before, [f"{self.rel}/out/{name}"])

    def locate_pending(self) -> None:
        """Rerun the runs that failed without a stack with ``--debug``, into their own output
        folders and databases, and give their failures the innermost rulegen frame."""
        for name, first, count in self.pending:
            out = self.home / "out" / f"{name}-debug"
            out.mkdir(exist_ok=True)
            db_url = self._prepare_database(name, out)
            if name == "seed-postgresql" and self.postgres is not None:
                with self.postgres.database() as url, self.postgres.lock:
                    trace = self._debug_run(name, self.command(name, url))
                    self.postgres.drop_new_roles()
            else:
                args = self.command(name, db_url)
                trace = self._debug_run(name, [f"out/{name}-debug" if a == f"out/{name}" else a for a in args])
            where = innermost_frame(trace, most_recent_first=False)
            for index in range(first, first + count):
                failure = self.result.failures[index]
                if failure.check in _LOCATE:
                    self.result.failures[index] = dataclasses.replace(failure, where=where)

    def _debug_run(self, name: str, args: list[str]) -> str:
        trace = self.box.logs / f"{name}.debug"
        self.runner.run({"op": "rulegen", "args": [*args, "--debug"], "cwd": str(self.home), "stdout": os.devnull,
                         "stderr": str(trace), "env": {"TMPDIR": str(self.box.tmp)}, "timeout": TIMEOUT,
                         "memory": MEMORY, "file_size": FILE_SIZE})
        return _read(trace)

    def check_tree(self, name: str, before: dict[str, tuple[int, ...]], allowed: list[str]) -> None:
        """Record writes outside ``allowed`` and files left in the temp folder."""
        after = snapshot(self.box.root)
        tmp = f"{self.rel}/tmp"
        outside = changes(before, after, [*allowed, tmp])
        if outside:
            self.fail(name, "outside", f"{len(outside)} path(s) outside its output folder: {'; '.join(outside[:3])}")
        left = [c for c in changes(before, after, []) if c.startswith("created " + tmp + "/")]
        if left:
            self.fail(name, "temp", f"left {len(left)} temp file(s): {left[0].split(tmp + '/', 1)[1]}")
        for (pattern,) in self.item.args_of("watch"):
            for path in glob.glob(pattern):
                self.fail(name, "outside", f"created {path}, outside the sandbox")
                shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.unlink(path)

    def load_scripts(self, name: str) -> None:
        """Load the scripts of a ``generate-sql-*`` run into the dialect's client."""
        from tests.hostile.loaders import load_scripts

        load_scripts(self, name)


def _plants_into(link: str, run: str) -> bool:
    """Whether a planted ``link`` goes into the output folder of ``run``: a name with a format's
    extension into that format's generate runs only, any other name into every generate run."""
    if not run.startswith("generate-"):
        return False
    extensions = {".csv": "generate-csv", ".jsonl": "generate-jsonl", ".parquet": "generate-parquet",
                  ".sql": "generate-sql-"}
    owners = [owner for extension, owner in extensions.items() if extension + "." in link + "."]
    return not owners or any(run.startswith(owner) for owner in owners)


def _read(path: Path, limit: int = 1 << 20) -> str:
    try:
        with path.open("rb") as f:
            return f.read(limit).decode("utf-8", errors="replace")
    except OSError:
        return ""
