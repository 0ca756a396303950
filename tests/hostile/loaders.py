"""Loading the SQL scripts ``generate --format sql`` wrote into real clients.

Each dialect's scripts go into its own client, which goes on after an error, so that a
statement injected after a broken one would still run: the ``sqlite3`` shell (batch mode goes
on by default), ``psql`` with ``ON_ERROR_STOP`` off, and DuckDB (its shell's statement
splitting, in the fork server, see :func:`tests.hostile.runner._load_duckdb`). MySQL has no
server here: its scripts, like all others, are only checked for raw NUL bytes, which the
clients cut lines at. Every load starts from a database with a ``victim`` table and must leave
it, the roles and the catalogs as they were, and write nothing outside its folder (a shell
command such as ``.shell`` or ``\\!`` smuggled into a script would).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from tests.hostile import databases as db

if TYPE_CHECKING:
    from tests.hostile.harness import InputRun

__all__ = ["load_scripts", "script_order"]

CLIENT_TIMEOUT = 10.0


def script_order(folder: Path, stdout: str, home: Path) -> list[Path]:
    """The scripts of ``folder`` in the order generate printed them (parents first)."""
    found = sorted(p for p in folder.glob("*.sql") if p.is_file())
    printed = []
    for line in stdout.splitlines():
        if line.startswith("wrote "):
            path = (home / line.removeprefix("wrote ")).resolve()
            if path in found and path not in printed:
                printed.append(path)
    return printed + [p for p in found if p not in printed]


def load_scripts(run: InputRun, name: str) -> None:
    """Check the scripts of run ``name`` (``generate-sql-DIALECT``) and load them."""
    folder = run.home / "out" / name
    scripts = script_order(folder.resolve(), _text(run.box.logs / f"{name}.out"), run.home)
    for script in scripts:
        if b"\x00" in script.read_bytes():
            run.fail(name, "nul", f"{script.name} holds a raw NUL byte (sqlite3 and psql cut the line there)")
            break
    dialect = name.removeprefix("generate-sql-")
    if not scripts or dialect == "mysql":
        return
    load = f"load-{dialect}"
    target = run.home / "out" / load
    target.mkdir()
    before = _snapshot(run)
    if dialect == "sqlite":
        _sqlite(run, load, target, scripts)
    elif dialect == "duckdb":
        _duckdb(run, load, target, scripts)
    elif run.postgres is not None:
        _psql(run, load, scripts)
    run.check_tree(load, before, [f"{run.rel}/out/{load}"])


def _snapshot(run: InputRun) -> dict[str, tuple[int, ...]]:
    from tests.hostile.harness import snapshot

    return snapshot(run.box.root)


def _sqlite(run: InputRun, load: str, target: Path, scripts: list[Path]) -> None:
    path = target / "victim.db"
    db.make_sqlite(path)
    for script in scripts:
        problem = db.run_client([shutil.which("sqlite3") or "sqlite3", str(path)], run.home, script,
                                run.box.logs / f"{load}.log", CLIENT_TIMEOUT)
        if problem:
            run.fail(load, "time", problem)
            return
    damage = db.victim_sqlite(path)
    if damage:
        run.fail(load, "victim", f"sqlite3 shell: {damage}")


def _duckdb(run: InputRun, load: str, target: Path, scripts: list[Path]) -> None:
    from tests.hostile.harness import FILE_SIZE, MEMORY

    path = target / "victim.duckdb"
    db.make_duckdb(path)
    log, answer = run.box.logs / f"{load}.log", run.box.logs / f"{load}.out"
    outcome = run.runner.run({"op": "duckdb", "db": str(path), "scripts": [str(s) for s in scripts],
                              "cwd": str(run.home), "stdout": str(answer), "stderr": str(log),
                              "env": {"TMPDIR": str(run.box.tmp)}, "timeout": CLIENT_TIMEOUT,
                              "memory": MEMORY, "file_size": FILE_SIZE})
    if outcome.timed_out or outcome.exit != 0:
        run.fail(load, "load", f"the DuckDB load ended badly (exit {outcome.exit}, "
                               f"{'timed out' if outcome.timed_out else 'in time'}): {_text(log)[-160:]!r}")
    said = _text(answer).strip()
    if said != f"victim rows: {db.VICTIM_ROWS}":
        run.fail(load, "victim", f"DuckDB: {said or 'no answer'}")


def _psql(run: InputRun, load: str, scripts: list[Path]) -> None:
    postgres = run.postgres
    assert postgres is not None
    with postgres.database() as url, postgres.lock:
        before = postgres.state(url)
        for script in scripts:
            command = [shutil.which("psql") or "psql", "-X", "-q", "-v", "ON_ERROR_STOP=0", "-d", url,
                       "-f", str(script)]
            problem = db.run_client(command, run.home, None, run.box.logs / f"{load}.log", CLIENT_TIMEOUT)
            if problem:
                run.fail(load, "time", problem)
                break
        for change in before.changes(postgres.state(url)):
            run.fail(load, "database", f"psql: {change}")
        postgres.drop_new_roles()


def _text(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""
