"""Hostile names and values seeded into a real MariaDB: whatever a spec names its tables and
columns, and whatever text its values hold (NUL, control bytes, quotes, backslashes, the text
that closes a quote, ``NULL`` as text), a seed either refuses the name with a located error
before connecting, or loads exactly those names and values, and nothing else runs."""

from __future__ import annotations

import contextlib
import re
import tempfile
from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.cli import main
from tests.mariadb import mysql_connect
from tests.mysql.test_seed import query
from tests.security.test_names_property import NAMES, VALUES, _spec
from tests.security.test_sql_injection import HOSTILE_VALUES, _expected

LOCATED = re.compile(r"spec\.yaml:\d+:\d+: error\[RG\d{3}\]")
# Text that a loader reading CSV or SQL could take for something else.
TRICKY = ["NULL", "\\N", '"', '""', "a,b", "line\nbreak", "cr\r\nlf", "\\", "back\\", "tab\there", "'", "`", ""]


def _victim(url: str) -> None:
    query(url, "CREATE TABLE victim (id INT PRIMARY KEY)")
    query(url, "INSERT INTO victim VALUES (1), (2)")


def test_nul_control_bytes_and_quotes_round_trip(mysql_database: str) -> None:
    _victim(mysql_database)
    rulegen.seed_database(HOSTILE_VALUES, mysql_database)
    expected = _expected(HOSTILE_VALUES)
    assert query(mysql_database, "SELECT * FROM parent ORDER BY id") == expected["parent"]
    assert sorted(query(mysql_database, "SELECT * FROM child")) == sorted(expected["child"])
    assert query(mysql_database, "SELECT * FROM victim") == [(1,), (2,)]


def test_text_that_looks_like_null_or_csv_stays_text(mysql_database: str) -> None:
    listed = ", ".join('"' + t.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
                       .replace("\t", "\\t") + '"' for t in TRICKY)
    spec = (f"version: 1\ntables:\n  t:\n    rows: {len(TRICKY)}\n    columns:\n      id: {{kind: sequence}}\n"
            f"      v: {{kind: choice, values: [{listed}]}}\n      n: {{kind: integers, low: 1, high: 9, null: 0.5}}\n")
    rulegen.seed_database(spec, mysql_database)
    expected = _expected(spec)["t"]
    found = query(mysql_database, "SELECT id, v, n FROM t ORDER BY id")
    assert [(r[0], r[1]) for r in found] == [(r[0], r[1]) for r in expected]
    assert [r[2] for r in found] == [None if pd.isna(r[2]) else int(r[2]) for r in expected]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=NAMES, column=NAMES, value=VALUES, choices=st.lists(VALUES, min_size=1, max_size=3, unique=True))
@example(table="0", column="0", value="", choices=["\x1f "])  # a control byte in a CHECK's list (not an ENUM)
@example(table="t", column="c", value="a\\b", choices=["n\r\n", "it's \\", "NULL"])
def test_names_and_values_round_trip_or_are_refused_before_connecting(mysql_database: str, table: str, column: str,
                                                                      value: str, choices: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="rulegen-names-") as base:
        spec = Path(base) / "spec.yaml"
        spec.write_text(_spec(table, column, value, choices), encoding="utf-8")
        result = CliRunner().invoke(main, ["seed", str(spec), "--db", mysql_database, "--if-exists", "replace"])
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    if result.exit_code == 1 and LOCATED.search(result.output) and "RG504" not in result.output:
        return  # refused before anything was written
    assert result.exit_code == 0, result.output
    names = {row[0] for row in query(mysql_database, "SHOW TABLES")}
    assert {table, "other"} <= names
    with contextlib.closing(mysql_connect(mysql_database)) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                       "AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION", [table])
        assert [row[0] for row in cursor.fetchall()] == [column, "k"]
        cursor.execute(f"SELECT * FROM `{table.replace('`', '``')}`")
        rows = cursor.fetchall()
    assert len(rows) == 4 and {row[0] for row in rows} == {value} and {row[1] for row in rows} <= set(choices)
    with contextlib.closing(mysql_connect(mysql_database)) as connection:  # the next example starts empty
        cursor = connection.cursor()
        cursor.execute("SET foreign_key_checks = 0")
        for name in names:
            cursor.execute(f"DROP TABLE `{name.replace('`', '``')}`")


def test_without_local_files_rows_go_in_as_inserts(mysql_database: str) -> None:
    """A server that refuses LOAD DATA LOCAL (MySQL 8's default) gets multi-row INSERTs: the
    same values, hostile ones included, in a table whose name holds a placeholder."""
    spec = HOSTILE_VALUES.replace("  child:\n", "  '%s child':\n").replace("      pick:", "      '%(x)s':")
    query(mysql_database, "SET GLOBAL local_infile = 0")
    try:
        rulegen.seed_database(spec, mysql_database)
    finally:
        query(mysql_database, "SET GLOBAL local_infile = 1")
    expected = _expected(spec)
    assert query(mysql_database, "SELECT * FROM parent ORDER BY id") == expected["parent"]
    assert sorted(query(mysql_database, "SELECT * FROM `%s child`")) == sorted(expected["%s child"])


def test_mysql_scripts_with_control_bytes_load_back_through_the_mariadb_client(tmp_path: Path,
                                                                              mysql_database: str) -> None:
    """The ``--dialect mysql`` script's CHECK lists a choice holding control characters: MariaDB
    keeps the CHECK as written and then accepts exactly the script's own rows."""
    import subprocess
    from urllib.parse import parse_qs, urlsplit

    _victim(mysql_database)
    paths = rulegen.write(HOSTILE_VALUES, tmp_path / "out", "sql", dialect="mysql")
    parts = urlsplit(mysql_database)
    socket = parse_qs(parts.query)["unix_socket"][0]
    for path in paths.values():  # parents first
        with path.open("rb") as script:
            done = subprocess.run(["mariadb", f"--socket={socket}", "-uroot", "--binary-mode",
                                   parts.path.strip("/")], stdin=script, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
    expected = _expected(HOSTILE_VALUES)
    assert query(mysql_database, "SELECT * FROM victim ORDER BY id") == [(1,), (2,)]
    assert query(mysql_database, "SELECT * FROM parent ORDER BY id") == expected["parent"]
    assert sorted(query(mysql_database, "SELECT * FROM child")) == sorted(expected["child"])
