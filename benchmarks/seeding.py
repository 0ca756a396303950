#!/usr/bin/env python
"""Seeding speed: ``rulegen seed`` against the database's own bulk load of the same rows.

    python benchmarks/seeding.py [--customers 250000] [--db postgresql://...] [--reps 1] [--skip-postgres]
                                 [--mysql [mysql://...]]

The schema is W2 (benchmarks/specs/w2.yaml: customers and a Poisson(3) number of orders each,
so about 4 x ``--customers`` rows in all; 250,000 customers make about 1M rows). Each figure is
the whole load, in one transaction, from an empty database:

- **PostgreSQL, rulegen**: ``rulegen.seed_database(..., if_exists="replace", workers=1)``:
  generating the rows, creating the tables, ``COPY``, adding the foreign key, moving the
  identity sequences.
- **PostgreSQL, psql**: the same rows written to CSV beforehand (not timed), then
  ``psql --single-transaction`` of a script that creates the same tables (rulegen's DDL), runs
  ``\\copy ... FROM 'file.csv' CSV HEADER`` per table and adds the foreign key: what a restore
  of the same data costs.
- **SQLite, rulegen**: ``rulegen.seed_database`` into a new file.
- **SQLite, executemany**: the same rows made into Python tuples beforehand (not timed), then
  the same DDL and one ``executemany`` of a prepared ``INSERT`` per table, in one transaction.

With ``--mysql``, MySQL or MariaDB too (:mod:`benchmarks.seeding_mysql`: against the server's
own ``LOAD DATA`` of the same CSV, and against multi-row ``INSERT``s).

Without ``--db`` a private PostgreSQL server is started in a temporary folder (the server
binaries of ``/usr/lib/postgresql/*/bin``) and removed at the end. The target is rulegen within
1.3x of the database's own load.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SPEC = ROOT / "benchmarks" / "specs" / "w2.yaml"
TARGET = 1.3


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print one line per database; 0 when it ran."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=250_000)
    parser.add_argument("--db", help="a PostgreSQL URL (default: a private server started here)")
    parser.add_argument("--reps", type=int, default=1, help="runs of each load (the median is shown)")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--mysql", nargs="?", const="", metavar="URL",
                        help="compare on MySQL too (benchmarks/seeding_mysql.py): a mysql:// URL, or none for a "
                             "private MariaDB started here")
    args = parser.parse_args(argv)
    import rulegen

    rows = {"customers": args.customers}
    plan = rulegen.compile(SPEC, rows=rows)
    total = sum(t.rows for t in plan.tables.values())
    tables = ", ".join(f"{n} {t.rows:,}" for n, t in plan.tables.items())
    print(f"W2 with {args.customers:,} customers: {total:,} rows ({tables})")
    with tempfile.TemporaryDirectory(prefix="rulegen-seed-bench-") as folder:
        work = Path(folder)
        _compare("SQLite", total, args.reps, lambda: _rulegen_sqlite(work, rows), _sqlite_baseline(work, plan))
        if not args.skip_postgres:
            with _server(args.db, work) as (url, data):
                _compare("PostgreSQL", total, args.reps, lambda: _rulegen_postgres(url, rows),
                         _psql_baseline(work, plan, url, rows), _server_cpu(data) if data else lambda: 0.0)
    if args.mysql is not None:
        from benchmarks.seeding_mysql import compare

        compare(args.customers, args.mysql or None, args.reps)
    return 0


def _compare(name: str, total: int, reps: int, ours: Callable[[], None], theirs: Callable[[], None],
             server: Callable[[], float] = lambda: 0.0) -> None:
    """Time both loads ``reps`` times (alternating) and print the medians and their ratios: of
    wall time, and of CPU time (this process, its children such as psql, and the server's
    processes), which a busy machine disturbs less."""
    times: dict[str, list[tuple[float, float]]] = {"rulegen": [], "baseline": []}
    for _ in range(reps):
        for key, load in (("rulegen", ours), ("baseline", theirs)):
            cpu, started = _cpu() + server(), time.perf_counter()
            load()
            times[key].append((time.perf_counter() - started, _cpu() + server() - cpu))
    (mine, mine_cpu), (base, base_cpu) = (tuple(statistics.median(t[i] for t in times[k]) for i in (0, 1))
                                          for k in ("rulegen", "baseline"))
    verdict = "met" if mine_cpu <= TARGET * base_cpu else "not met"
    print(f"{name}: rulegen {mine:.2f} s wall, {mine_cpu:.2f} s CPU ({total / mine:,.0f} rows/s); the database's "
          f"own load {base:.2f} s wall, {base_cpu:.2f} s CPU ({total / base:,.0f} rows/s): {mine / base:.2f}x wall, "
          f"{mine_cpu / base_cpu:.2f}x CPU (target <= {TARGET}x: {verdict}); load average {os.getloadavg()[0]:.1f}")


def _cpu() -> float:
    """CPU seconds of this process and its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _server_cpu(data: Path) -> Callable[[], float]:
    """CPU seconds of a PostgreSQL server: its postmaster, its finished backends, and the live ones."""
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    tick = os.sysconf("SC_CLK_TCK")

    def seconds(pid: int, children: bool) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return 0.0  # it ended between the listing and the read: its time is in the postmaster's
        return sum(int(f) for f in fields[11:15 if children else 13]) / tick

    def total() -> float:
        live = [int(p) for p in Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()]
        return seconds(postmaster, True) + sum(seconds(pid, False) for pid in live)

    return total


def _rulegen_sqlite(work: Path, rows: dict[str, int]) -> None:
    import rulegen

    path = work / "rulegen.db"
    path.unlink(missing_ok=True)
    rulegen.seed_database(SPEC, f"sqlite:///{path}", rows=rows, workers=1)


def _ddl(plan, dialect) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """rulegen's CREATE TABLE statements (parents first) and its foreign keys."""
    from rulegen.io.sql import add_foreign_keys, create_table, table_order

    order = table_order(plan)[0]
    return ([create_table(plan, plan.tables[n], dialect) for n in order],
            [s for n in order for s in add_foreign_keys(plan, plan.tables[n], dialect)])


def _sqlite_baseline(work: Path, plan) -> Callable[[], None]:  # type: ignore[no-untyped-def]
    """The executemany load, its rows made beforehand."""
    import rulegen
    from rulegen.io.rows import python_values
    from rulegen.io.sql import DIALECTS

    creates, _ = _ddl(plan, DIALECTS["sqlite"])
    prepared = {}
    for name in plan.tables:
        batches = list(rulegen.iter_blocks(plan, name, arrow=True))
        names = batches[0].schema.names
        tuples = [row for batch in batches for row in zip(*(python_values(c) for c in batch.columns), strict=True)]
        prepared[name] = (f'INSERT INTO "main"."{name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
                          f'VALUES ({", ".join("?" * len(names))})', tuples)

    def load() -> None:
        path = work / "baseline.db"
        path.unlink(missing_ok=True)
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN")
        for statement in creates:
            connection.execute(statement)
        for statement, tuples in prepared.values():
            connection.executemany(statement, tuples)
        connection.execute("COMMIT")
        connection.close()

    return load


def _rulegen_postgres(url: str, rows: dict[str, int]) -> None:
    import rulegen

    rulegen.seed_database(SPEC, url, rows=rows, workers=1, if_exists="replace")


def _psql_baseline(work: Path, plan, url: str, rows: dict[str, int]) -> Callable[[], None]:  # type: ignore[no-untyped-def]
    """``psql --single-transaction`` of a restore script over CSV files written beforehand."""
    import rulegen
    from rulegen.io.sql import DIALECTS

    paths = rulegen.write(SPEC, work / "csv", "csv", rows=rows)
    creates, fks = _ddl(plan, DIALECTS["postgresql"])
    drops = [f'DROP TABLE IF EXISTS "public"."{n}" CASCADE' for n in plan.tables]
    copies = [f"\\copy \"public\".\"{n}\" FROM '{paths[n]}' CSV HEADER" for n in plan.tables]
    script = work / "restore.sql"
    script.write_text(";\n".join([*drops, *creates]) + ";\n" + "\n".join(copies) + "\n" + ";\n".join(fks) + ";\n")

    def load() -> None:
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", str(script), url],
                       check=True, capture_output=True)

    return load


@contextlib.contextmanager
def _server(url: str | None, work: Path) -> Iterator[tuple[str, Path | None]]:
    """``url``, or a private PostgreSQL server's (and its data folder), started for the run."""
    if url is not None:
        yield url, None
        return
    bindir = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    base = Path(tempfile.mkdtemp(prefix="rulegen-pg-"))
    owner = {}
    if os.geteuid() == 0:  # the server refuses root: run it as `postgres`
        entry = pwd.getpwnam("postgres")
        owner = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        os.chown(base, entry.pw_uid, entry.pw_gid)
    data = base / "data"

    def run(*command: str) -> None:
        subprocess.run(command, check=True, capture_output=True, **owner)  # type: ignore[call-overload]

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(f"listen_addresses = ''\nunix_socket_directories = '{base}'\nfsync = off\n"
                       "synchronous_commit = off\nfull_page_writes = off\n")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "start")
        yield f"postgresql://postgres@/postgres?host={base}", data
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
