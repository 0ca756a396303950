"""A fork server that runs ``rulegen`` commands under resource limits, for the hostile corpus.

Starting Python and importing rulegen (NumPy, pandas, pyarrow, Faker, DuckDB) takes a second;
the corpus makes thousands of runs. So one server process imports everything once and forks a
child per run. The child puts itself in a new process group, sets its limits (CPU time,
address space, file size, no core dumps), points its standard streams at files, changes to the
run's folder and calls :func:`rulegen.cli.entry`, the console script itself, which exits the
process. A run's time is its CPU time, which the machine's other jobs do not stretch: at
``timeout`` CPU seconds the child writes its Python stack, a second later the kernel kills it.
The server also waits with a wall deadline (:data:`WALL_SLACK` times longer) and kills the whole
group when it passes, so a run that hangs without using CPU (or a worker it left) cannot
outlive its budget either.

The server runs one request at a time: a JSON line on its stdin, a JSON line back on stdout.
:class:`Runner` is the client the tests use. Besides rulegen commands the server loads SQL
scripts into DuckDB in the same way (the DuckDB command line is not installed; its Python
package is), since a hostile script must be held to the same limits as rulegen.

A run may map ``memory`` bytes beyond what the server had mapped when it forked (about 600 MB
of libraries, more than a single command loads: counting them would take a different share
from each command). Allocators are told not to reserve address space they do not use (Arrow's
mimalloc reserves 1 GiB at its first allocation, OpenBLAS a buffer per thread), so that
``RLIMIT_AS`` measures what a run really maps. :data:`SERVER_ENV` is set on the server before
it imports anything.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
import os
import pkgutil
import resource
import select
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

__all__ = ["SERVER_ENV", "Outcome", "Runner"]

ROOT = Path(__file__).resolve().parents[2]
SERVER_ENV = {
    "ARROW_DEFAULT_MEMORY_POOL": "system",  # mimalloc reserves 1 GiB of address space up front
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
    "PYTHONHASHSEED": "0",
    "COLUMNS": "200",
}
# Modules rulegen imports lazily inside functions: a child that imported them itself would pay
# for it on every run (and map their libraries under its own address-space limit).
_PRELOAD = ["scipy.stats", "scipy.special", "sqlite3", "duckdb", "psycopg", "pyarrow.parquet", "pyarrow.csv",
            "pyarrow.json", "pyarrow.compute", "pandas", "faker", "holidays", "zoneinfo", "orjson", "jsonschema",
            "yaml", "click", "tqdm"]
_EXIT_UNCAUGHT = 70  # an exception escaped the command: the child printed its traceback
WALL_SLACK = 4  # the wall deadline, in CPU budgets: room for a loaded machine


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one run ended.

    Attributes:
        exit: the exit code, or None when a signal ended the run.
        signal: the signal that ended it (SIGKILL after the deadline), or None.
        timed_out: the run used up its CPU time, or passed its wall deadline, and was killed.
        seconds: wall time from fork to exit.
        cpu: CPU seconds (user + system) of the run's own process.
        max_rss: the child's peak resident set, in bytes.
        leftover: processes of the run's group still alive after it exited (they were killed).
    """

    exit: int | None
    signal: int | None
    timed_out: bool
    seconds: float
    cpu: float
    max_rss: int
    leftover: bool


class Runner:
    """A fork server in a child process; :meth:`run` runs one command in it."""

    def __init__(self) -> None:
        env = {**os.environ, **SERVER_ENV}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        self._process = subprocess.Popen([sys.executable, "-m", "tests.hostile.runner"], cwd=ROOT, env=env,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        ready = self._process.stdout.readline() if self._process.stdout else ""
        if ready.strip() != "ready":
            raise RuntimeError(f"the hostile runner did not start (said {ready!r})")

    def run(self, request: dict[str, Any]) -> Outcome:
        """Run one request (see :func:`_serve`) and return how it ended.

        Raises:
            RuntimeError: the server died.
        """
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(request) + "\n")
        answer = self._process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the hostile runner died (exit {self._process.poll()})")
        return Outcome(**json.loads(answer))

    def close(self) -> None:
        """Stop the server."""
        with contextlib.suppress(OSError):
            if self._process.stdin:
                self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def _preload() -> None:
    import rulegen

    for module in pkgutil.walk_packages(rulegen.__path__, "rulegen."):
        if not module.name.endswith("__main__"):  # rulegen.__main__ runs the command line
            importlib.import_module(module.name)
    for name in _PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _mapped() -> int:
    """The bytes of address space this process maps (its ``VmSize``)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _redirect(fd: int, path: str | None, flags: int) -> None:
    target = os.open(path or os.devnull, flags, 0o644)
    os.dup2(target, fd)
    os.close(target)


def _child(request: dict[str, Any]) -> None:
    """The forked child: limits, streams, folder, then the command; never returns."""
    code = _EXIT_UNCAUGHT
    try:
        os.setpgid(0, 0)
        limit = _mapped() + int(request["memory"])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(request["file_size"]),) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        budget = math.ceil(float(request["timeout"]))
        resource.setrlimit(resource.RLIMIT_CPU, (budget, budget + 1))  # SIGXCPU, then SIGKILL
        _redirect(0, None, os.O_RDONLY)
        _redirect(1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        _redirect(2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.chdir(request["cwd"])
        for link, target in request.get("plant", []):  # an attacker who guessed this run's pid
            os.symlink(target, link.replace("{pid}", str(os.getpid())))
        os.environ.update(request.get("env", {}))
        import tempfile

        tempfile.tempdir = None  # read TMPDIR again
        if request.get("stack"):  # where a run that is about to be killed spends its time
            import faulthandler

            stack = open(request["stack"], "w")  # noqa: SIM115  (open until the process ends)
            faulthandler.register(signal.SIGXCPU, file=stack)  # at the CPU budget
            faulthandler.dump_traceback_later(max(float(request["timeout"]) * WALL_SLACK - 0.5, 0.1), file=stack)
        if request["op"] == "rulegen":
            import rulegen.cli

            sys.argv = ["rulegen", *request["args"]]
            rulegen.cli.entry()  # exits the process itself, as the console script does
            code = 0
        else:
            _load_duckdb(request["db"], request["scripts"])
            code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _load_duckdb(db: str, scripts: list[str]) -> None:
    """Run SQL scripts statement by statement and go on after an error, as the DuckDB shell does.

    The shell (like sqlite3's, which it derives from) cuts its input into statements with
    ``sqlite3_complete``: Python's :func:`sqlite3.complete_statement` is that function.
    """
    import sqlite3

    import duckdb

    connection = duckdb.connect(db)
    for script in scripts:
        buffer = ""
        with open(script, encoding="utf-8", errors="surrogateescape", newline="") as lines:
            for line in lines:
                if "\0" in line:  # the shell reads C strings: a line ends at its first NUL
                    line = line.split("\0", 1)[0] + ("\n" if line.endswith("\n") else "")
                buffer += line
                if sqlite3.complete_statement(buffer):
                    _execute_each(connection, buffer)
                    buffer = ""
        if buffer.strip():
            _execute_each(connection, buffer)
    with contextlib.suppress(Exception):  # the shell rolls back what a script left open when it exits
        connection.execute("ROLLBACK")
    try:  # the victim's rows, for the tests to check (opening the file again costs 0.1 s)
        print(f"victim rows: {connection.execute('SELECT count(*) FROM victim').fetchone()[0]}")
    except Exception as exc:
        print(f"victim rows: none ({type(exc).__name__}: {str(exc).splitlines()[0]})")
    connection.close()


def _execute_each(connection: Any, text: str) -> None:
    try:
        statements = connection.extract_statements(text)
    except Exception as exc:
        print(f"duckdb: {type(exc).__name__}: {exc}", file=sys.stderr)
        return
    for statement in statements:
        try:
            connection.execute(statement)
        except Exception as exc:
            print(f"duckdb: {type(exc).__name__}: {exc}", file=sys.stderr)


def _wait(pid: int, timeout: float) -> tuple[int, Any, bool]:
    """Wait for ``pid`` until ``timeout``; kill its process group when it passes."""
    pidfd = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([pidfd], [], [], timeout)
    finally:
        os.close(pidfd)
    if not ready:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    _, status, usage = os.wait4(pid, 0)
    return status, usage, not ready


def _serve(request: dict[str, Any]) -> dict[str, Any]:
    """Fork a child for ``request`` and report how it ended.

    A request has ``op`` ("rulegen" with ``args``, or "duckdb" with ``db`` and ``scripts``),
    ``cwd``, ``stdout``, ``stderr``, ``env``, ``timeout`` (CPU seconds), ``memory`` (bytes of
    address space beyond the server's) and ``file_size`` (bytes); and optionally ``stack`` (a
    file that gets the Python stack when the CPU budget is spent) and ``plant``
    (``[link, target]`` symlinks the child makes before the command, ``{pid}`` in ``link``
    being its own process id).
    """
    sys.stdout.flush()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        _child(request)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also here: the child may not have run yet
    budget = float(request["timeout"])
    status, usage, timed_out = _wait(pid, budget * WALL_SLACK)
    seconds = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGKILL, signal.SIGXCPU):
        timed_out = timed_out or cpu >= math.ceil(budget)
    leftover = False
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, 0)  # anything still in the run's group is a process it left behind
        leftover = True
        os.killpg(pid, signal.SIGKILL)
    return {"exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "timed_out": timed_out, "seconds": round(seconds, 3), "cpu": round(cpu, 3),
            "max_rss": usage.ru_maxrss * 1024, "leftover": leftover}


def main(requests: TextIO = sys.stdin, answers: TextIO = sys.stdout) -> None:
    """Import everything, say ``ready``, then serve one request per line until stdin closes."""
    _preload()
    answers.write("ready\n")
    answers.flush()
    for line in requests:
        answers.write(json.dumps(_serve(json.loads(line))) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
