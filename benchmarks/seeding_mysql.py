#!/usr/bin/env python
"""Seeding speed on MySQL or MariaDB: ``rulegen seed`` against the server's own ``LOAD DATA`` of
the same CSV, and against multi-row ``INSERT``s (the other bulk path rulegen could take).

    python benchmarks/seeding_mysql.py [--customers 250000] [--db mysql://...] [--reps 1]

(also run by ``benchmarks/seeding.py --mysql``). The schema is W2, as in
:mod:`benchmarks.seeding`. Each figure is the whole load from an empty database:

- **rulegen**: ``rulegen.seed_database(..., if_exists="replace", workers=1)``: generating the
  rows, creating the tables (keys, foreign key), one ``LOAD DATA LOCAL INFILE`` per block of
  CSV that Arrow writes, the reference check, commit.
- **LOAD DATA**: the same rows written to CSV beforehand (not timed), then the ``mariadb`` (or
  ``mysql``) client running one script: the same tables (rulegen's DDL), ``LOAD DATA LOCAL
  INFILE`` of each file, commit.
- **multi-row INSERT**: the same rows as Python tuples made beforehand (not timed), loaded
  with PyMySQL's ``executemany`` (which sends multi-row ``INSERT``s of up to 1 MB), one
  transaction: what rulegen would cost on that path before generating anything.

Without ``--db`` a private MariaDB server is started in a temporary folder and removed at the
end. The target is rulegen within 1.3x of the server's own ``LOAD DATA``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.seeding import SPEC, _compare  # noqa: E402  (after the path is set)

_DATABASE = "rulegen_bench"


def main(argv: list[str] | None = None) -> int:
    """Run the comparisons and print one line each; 0 when they ran."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=250_000)
    parser.add_argument("--db", help="a mysql:// URL naming a database (default: a private MariaDB started here)")
    parser.add_argument("--reps", type=int, default=1, help="runs of each load (the median is shown)")
    args = parser.parse_args(argv)
    compare(args.customers, args.db, args.reps)
    return 0


def compare(customers: int, url: str | None, reps: int = 1) -> None:
    """Print rulegen's load against ``LOAD DATA`` and against multi-row ``INSERT``s."""
    import rulegen

    rows = {"customers": customers}
    plan = rulegen.compile(SPEC, rows=rows)
    total = sum(t.rows for t in plan.tables.values())
    with tempfile.TemporaryDirectory(prefix="rulegen-mysql-bench-") as folder, \
            _server(url, Path(folder)) as (url, server):
        work = Path(folder)
        ours = lambda: rulegen.seed_database(SPEC, url, rows=rows, workers=1, if_exists="replace")  # noqa: E731
        _compare("MySQL (LOAD DATA)", total, reps, ours, _load_data(work, plan, url, rows), server)
        _compare("MySQL (multi-row INSERT)", total, reps, ours, _inserts(plan, url), server)


def _ddl(plan, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Drop the tables, and rulegen's CREATE TABLE statements for them (parents first)."""
    import dataclasses

    from rulegen.io.mysql import MysqlLoader
    from rulegen.io.mysql_ddl import create_mysql_table
    from rulegen.io.sql import table_order

    dialect = dataclasses.replace(MysqlLoader.dialect, schema=urlsplit(url).path.strip("/"))
    order = table_order(plan)[0]
    return (["SET foreign_key_checks = 0", *(f"DROP TABLE IF EXISTS {dialect.table(n)}" for n in order)]
            + [create_mysql_table(plan, plan.tables[n], dialect) for n in order])


def _load_data(work: Path, plan, url: str, rows: dict[str, int]) -> Callable[[], None]:  # type: ignore[no-untyped-def]
    """The client's ``LOAD DATA LOCAL INFILE`` of CSV files written beforehand, in one script."""
    import rulegen

    paths = rulegen.write(SPEC, work / "csv", "csv", rows=rows)
    loads = []
    for name in plan.tables:
        names = plan.tables[name].output
        # rulegen's CSV writes booleans as true/false: read them into the BOOLEAN column
        fields = ", ".join(f"@{n}" if n == "is_active" else f"`{n}`" for n in names)
        sets = " SET is_active = (@is_active = 'true')" if "is_active" in names else ""
        loads.append(f"LOAD DATA LOCAL INFILE '{paths[name]}' INTO TABLE `{name}` CHARACTER SET utf8mb4 "
                     "FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\\n' "
                     f"IGNORE 1 LINES ({fields}){sets}")
    script = work / "load.sql"
    # foreign keys checked as rows come, as rulegen checks them before commit
    script.write_text(";\n".join([*_ddl(plan, url), "SET foreign_key_checks = 1", "START TRANSACTION", *loads,
                                   "COMMIT"]) + ";\n")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    client = shutil.which("mariadb") or shutil.which("mysql") or "mysql"
    command = [client, "--local-infile=1", f"--user={parts.username or 'root'}", parts.path.strip("/")]
    if "unix_socket" in query:
        command.append(f"--socket={query['unix_socket'][0]}")
    else:
        command += [f"--host={parts.hostname or 'localhost'}", f"--port={parts.port or 3306}"]
    if parts.password:
        command.append(f"--password={parts.password}")

    def load() -> None:
        with script.open() as source:
            subprocess.run(command, stdin=source, check=True, capture_output=True)

    return load


def _inserts(plan, url: str) -> Callable[[], None]:  # type: ignore[no-untyped-def]
    """PyMySQL's ``executemany`` of prepared tuples (multi-row INSERTs), in one transaction."""
    import rulegen
    from rulegen.io.mysql import connect_mysql

    creates = _ddl(plan, url)
    prepared = []
    for name in plan.tables:
        batches = list(rulegen.iter_blocks(plan, name, arrow=True))
        names = batches[0].schema.names
        tuples = [row for batch in batches for row in zip(*(c.to_pylist() for c in batch.columns), strict=True)]
        prepared.append((f"INSERT INTO `{name}` ({', '.join(f'`{n}`' for n in names)}) "
                         f"VALUES ({', '.join(['%s'] * len(names))})", tuples))

    def load() -> None:
        connection = connect_mysql(url, autocommit=False)
        try:
            cursor = connection.cursor()
            for statement in creates:
                cursor.execute(statement)
            cursor.execute("SET foreign_key_checks = 1")
            connection.begin()
            for statement, tuples in prepared:
                cursor.executemany(statement, tuples)
            connection.commit()
        finally:
            connection.close()

    return load


@contextlib.contextmanager
def _server(url: str | None, work: Path) -> Iterator[tuple[str, Callable[[], float]]]:
    """``url``, or the URL of a database on a private MariaDB server started for the run; and
    the CPU seconds the server has used so far (0 for a server not started here)."""
    if url is not None:
        yield url, lambda: 0.0
        return
    owner = {}
    if os.geteuid() == 0:  # mariadbd refuses root: run it as `mysql`
        entry = pwd.getpwnam("mysql")
        owner = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    base = Path(tempfile.mkdtemp(prefix="rulegen-maria-"))
    if owner:
        os.chown(base, owner["user"], owner["group"])
    socket = base / "mysqld.sock"
    subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={base / 'data'}", "--skip-test-db",
                    "--auth-root-authentication-method=normal", *(["--user=mysql"] if owner else [])],
                   check=True, capture_output=True, **owner)  # type: ignore[call-overload]
    server = subprocess.Popen(
        [shutil.which("mariadbd") or "/usr/sbin/mariadbd", "--no-defaults", f"--datadir={base / 'data'}",
         f"--socket={socket}", "--skip-networking", "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0",
         "--skip-log-bin", "--local-infile=1", "--innodb-buffer-pool-size=256M", f"--log-error={base / 'log'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **owner)  # type: ignore[call-overload]
    try:
        from rulegen.io.mysql import connect_mysql

        root = f"mysql://root@localhost/?unix_socket={socket}"
        for _ in range(300):
            try:
                connection = connect_mysql(root, autocommit=True)
                break
            except Exception:  # not up yet
                time.sleep(0.2)
        else:
            raise RuntimeError("MariaDB did not start")
        connection.cursor().execute(f"CREATE DATABASE {_DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        connection.close()
        tick = os.sysconf("SC_CLK_TCK")
        stat = Path(f"/proc/{server.pid}/stat")  # one process: its threads' time is in its own
        yield (f"mysql://root@localhost/{_DATABASE}?unix_socket={socket}",
               lambda: sum(int(f) for f in stat.read_text().rpartition(")")[2].split()[11:13]) / tick)
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
