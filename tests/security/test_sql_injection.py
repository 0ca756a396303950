"""The SQL injections of issue 13, replayed through the real clients.

A table name with a newline broke out of the scripts' header comment, and a NUL or a control
byte in a value cut a line in sqlite3 and psql so that the next value closed the quote: both
dropped an unrelated ``victim`` table. Names like these are now refused at load time; values are
written with no control byte inside a literal (NUL refused for PostgreSQL, which cannot hold it),
so every script below loads into sqlite3, psql and DuckDB with ``victim`` intact and the values
read back as generated.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import rulegen
from rulegen.cli import main
from rulegen.io.sql import DIALECTS, comment
from rulegen.spec.build import build_spec
from rulegen.spec.loader import load_document
from tests.security.sql_clients import (
    VICTIM_ROWS,
    duckdb_query,
    duckdb_with_victim,
    load_duckdb,
    load_psql,
    load_sqlite_cli,
    postgres_execute,
    postgres_query,
    postgres_with_victim,
    sqlite_query,
    sqlite_with_victim,
)

BREAKOUTS = ["x\nDROP TABLE victim;\n--", "x\rDROP TABLE victim;\r--", "x\r\nDROP TABLE victim;\r\n--"]
LOCATED = re.compile(r"spec\.yaml:\d+:\d+: error\[RG\d{3}\]")

# Values that reached the scripts raw: NUL (from a constant, through a lookup and a template),
# control bytes, and the text that closes a quote once a client has cut the line before it.
HOSTILE_VALUES = textwrap.dedent(r'''
    version: 1
    seed: 1
    tables:
      parent:
        rows: 3
        primary_key: id
        columns:
          id: {kind: sequence}
          label: {kind: constant, value: "a\0b"}
      child:
        rows: 12
        columns:
          parent_id: {kind: ref, to: parent.id}
          copied: {kind: lookup, via: parent_id, column: label}
          made: {kind: template, template: "x\0{parent_id}"}
          pick: {kind: choice, values: ["n\0", "'); DROP TABLE victim; --", "cr\r'); DROP TABLE victim; --",
                                        "\e[2J", "nl\n\\! touch PWNED\n", "back\\", "\x85\u2028"]}
''')
# The reproduction of the issue: sqlite3 cut row 1 at its NUL, so row 2's opening quote closed
# row 1's literal, and row 2's text ended the INSERT and dropped the victim.
NUL_THEN_PAYLOAD = textwrap.dedent(r'''
    version: 1
    tables:
      pairs:
        rows: 2
        columns:
          id: {kind: sequence}
          x: {kind: constant, value: "a\0", when: "id == 1", else: "); DROP TABLE victim; --", hidden: true}
          pick: {kind: template, template: "{x}"}
''')
# The same without NUL: what PostgreSQL can hold.
CONTROL_VALUES = HOSTILE_VALUES.replace(r"\0", r"\x01").replace('"n\\x01", ', "")


def _invoke(args: list[str]):
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result


def _spec_past_the_checks(text: str) -> rulegen.Spec:
    """A spec built without the structure and name checks: what the writers do with a name
    that somehow got through."""
    data, smap = load_document(text)
    return build_spec(data, smap)


def _expected(text: str) -> dict[str, list[tuple]]:
    frames = rulegen.generate(text)
    return {name: [tuple(row) for row in frame.itertuples(index=False)] for name, frame in frames.items()}


@pytest.mark.parametrize("name", BREAKOUTS, ids=["lf", "cr", "crlf"])
def test_a_table_name_that_breaks_out_of_a_comment_is_refused(tmp_path: Path, name: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(f'tables:\n  "{name.encode("unicode_escape").decode()}":\n    rows: 1\n'
                    "    columns: {id: {kind: sequence}}\n", encoding="utf-8")
    for dialect in DIALECTS:
        result = _invoke(["generate", str(spec), "-o", str(tmp_path / "out"), "-f", "sql", "--dialect", dialect])
        assert result.exit_code == 1
        assert LOCATED.search(result.stderr) and "error[RG240]" in result.stderr
        assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", BREAKOUTS, ids=["lf", "cr", "crlf"])
def test_the_header_comment_escapes_a_name_that_got_past_the_checks(tmp_path: Path, pg_database: str,
                                                                    name: str) -> None:
    table = {"rows": 2, "columns": {"id": {"kind": "sequence"}}}
    spec = _spec_past_the_checks(json.dumps({"tables": {name: table}}, indent=1))
    for dialect in ("sqlite", "duckdb", "postgresql"):
        script = rulegen.write(spec, tmp_path / dialect, "sql", dialect=dialect)[name]
        header = script.read_text(encoding="utf-8").splitlines()[0]
        assert header == f"-- {comment(name)}: written by rulegen ({dialect})"
        # (inside the quoted identifier of CREATE TABLE the name stays as it is: clients read quotes)
    sqlite_db = sqlite_with_victim(tmp_path / "v.db")
    load_sqlite_cli(sqlite_db, [tmp_path / "sqlite" / f"{name}.sql"])
    assert sqlite_query(sqlite_db, "SELECT * FROM victim") == VICTIM_ROWS
    # (sqlite3 reads \r\n as \n even inside quotes: the table is there, under a name close to it)
    assert sqlite_query(sqlite_db, "SELECT count(*) FROM sqlite_master WHERE name != 'victim'") == [(1,)]
    duck = duckdb_with_victim(tmp_path / "v.duckdb")
    load_duckdb(duck, [tmp_path / "duckdb" / f"{name}.sql"])
    assert duckdb_query(duck, "SELECT * FROM victim ORDER BY id") == VICTIM_ROWS
    postgres_with_victim(pg_database)
    load_psql(pg_database, [tmp_path / "postgresql" / f"{name}.sql"])
    assert postgres_query(pg_database, "SELECT * FROM victim ORDER BY id") == VICTIM_ROWS
    assert postgres_query(pg_database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(2,)]


@pytest.mark.parametrize("dialect", ["sqlite", "duckdb", "mysql"])
def test_no_control_byte_is_written_inside_a_literal(tmp_path: Path, dialect: str) -> None:
    paths = rulegen.write(HOSTILE_VALUES, tmp_path, "sql", dialect=dialect)
    for path in paths.values():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", text), path.name
        assert "\\! touch" not in text.split("\n")[0]
        assert not any(line.startswith("\\") for line in text.split("\n"))  # no psql command can start


def test_values_with_nul_and_control_bytes_load_back_through_sqlite3(tmp_path: Path) -> None:
    paths = rulegen.write(HOSTILE_VALUES, tmp_path / "out", "sql", dialect="sqlite")
    db = sqlite_with_victim(tmp_path / "v.db")
    load_sqlite_cli(db, paths.values())
    assert sqlite_query(db, "SELECT * FROM victim") == VICTIM_ROWS
    expected = _expected(HOSTILE_VALUES)
    assert sqlite_query(db, "SELECT * FROM main.parent") == expected["parent"]
    assert sqlite_query(db, "SELECT * FROM main.child") == expected["child"]
    assert {row[1] for row in expected["parent"]} == {"a\0b"}  # the NUL made it, both ways


def test_values_with_nul_and_control_bytes_load_back_through_duckdb(tmp_path: Path) -> None:
    paths = rulegen.write(HOSTILE_VALUES, tmp_path / "out", "sql", dialect="duckdb")
    db = duckdb_with_victim(tmp_path / "v.duckdb")
    load_duckdb(db, paths.values())
    assert duckdb_query(db, "SELECT * FROM victim ORDER BY id") == VICTIM_ROWS
    expected = _expected(HOSTILE_VALUES)
    assert duckdb_query(db, "SELECT * FROM main.parent ORDER BY id") == expected["parent"]
    assert sorted(duckdb_query(db, "SELECT * FROM main.child")) == sorted(expected["child"])


def test_the_nul_reproduction_loads_as_data_into_sqlite3_and_duckdb(tmp_path: Path) -> None:
    sqlite_script = rulegen.write(NUL_THEN_PAYLOAD, tmp_path / "sqlite", "sql", dialect="sqlite")["pairs"]
    db = sqlite_with_victim(tmp_path / "v.db")
    load_sqlite_cli(db, [sqlite_script])
    assert sqlite_query(db, "SELECT * FROM victim") == VICTIM_ROWS
    assert sqlite_query(db, "SELECT * FROM pairs") == [(1, "a\0"), (2, "); DROP TABLE victim; --")]
    duck_script = rulegen.write(NUL_THEN_PAYLOAD, tmp_path / "duckdb", "sql", dialect="duckdb")["pairs"]
    duck = duckdb_with_victim(tmp_path / "v.duckdb")
    load_duckdb(duck, [duck_script])
    assert duckdb_query(duck, "SELECT * FROM victim ORDER BY id") == VICTIM_ROWS
    assert duckdb_query(duck, "SELECT * FROM pairs ORDER BY id") == [(1, "a\0"), (2, "); DROP TABLE victim; --")]


def test_nul_is_refused_for_postgresql_before_anything_is_written(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(HOSTILE_VALUES, encoding="utf-8")
    result = _invoke(["generate", str(spec), "-o", str(tmp_path / "out"), "-f", "sql", "--dialect", "postgresql",
                      "--workers", "1"])
    assert result.exit_code == 1
    assert "error[RG506] tables.parent.columns.label" in result.stderr and LOCATED.search(result.stderr)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_control_bytes_load_back_through_psql_and_run_no_command(tmp_path: Path, pg_database: str) -> None:
    paths = rulegen.write(CONTROL_VALUES, tmp_path / "out", "sql", dialect="postgresql")
    postgres_with_victim(pg_database)
    errors = load_psql(pg_database, paths.values(), cwd=tmp_path)
    assert not any(errors), errors
    assert postgres_query(pg_database, "SELECT * FROM victim ORDER BY id") == VICTIM_ROWS
    assert not (tmp_path / "PWNED").exists()
    expected = _expected(CONTROL_VALUES)
    assert postgres_query(pg_database, "SELECT * FROM public.parent ORDER BY id") == expected["parent"]
    assert sorted(postgres_query(pg_database, "SELECT * FROM public.child")) == sorted(expected["child"])


def test_backslashes_read_the_same_whatever_standard_conforming_strings_says(tmp_path: Path,
                                                                            pg_database: str) -> None:
    """A value ending in a backslash closed nothing on a server with the old string syntax."""
    paths = rulegen.write(CONTROL_VALUES, tmp_path / "out", "sql", dialect="postgresql")
    postgres_with_victim(pg_database)
    database = postgres_query(pg_database, "SELECT current_database()")[0][0]
    postgres_execute(pg_database, f'ALTER DATABASE "{database}" SET standard_conforming_strings = off')
    assert postgres_query(pg_database, "SHOW standard_conforming_strings") == [("off",)]
    load_psql(pg_database, paths.values(), cwd=tmp_path)
    assert postgres_query(pg_database, "SELECT * FROM victim ORDER BY id") == VICTIM_ROWS
    expected = _expected(CONTROL_VALUES)
    assert sorted(postgres_query(pg_database, "SELECT * FROM public.child")) == sorted(expected["child"])
