"""Properties of names: whatever text a spec uses as a table or column name, ``generate``
either refuses it with a located error, or writes exactly one file per table inside ``--out``
and nothing anywhere else; and SQL scripts carry names and values through the real sqlite3 and
psql clients unchanged (read back from each database's catalog).

Names are drawn over the whole of Unicode (lone surrogates, controls, NUL, bidi marks), mixed
with the characters that make paths and SQL (``/``, ``\\``, ``.``, ``..``, quotes). They reach
the spec as YAML escapes (``\\U0000000a``), so the loader reads exactly the drawn text.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rulegen.cli import main
from rulegen.io.manifest import MANIFEST_NAME
from tests.security.sql_clients import load_psql, load_sqlite_cli, postgres_execute, postgres_query, sqlite_query

LOCATED = re.compile(r"spec\.yaml:\d+:\d+: error\[RG\d{3}\]")

_ANY_CHARACTER = st.one_of(st.characters(), st.integers(0, 0x10FFFF).map(chr))  # the second: surrogates too
_SQL_AND_PATHS = st.sampled_from([*"ab./\\'\"`;- \n\r\t\x00é", "..", "--", "/*", "'); DROP TABLE x; --"])
_VISIBLE = st.characters(exclude_categories=["Cc", "Cf", "Cs", "Zl", "Zp"])
_PLAUSIBLE = st.text(_VISIBLE, min_size=1, max_size=12).map(str.strip).filter(bool)  # most of them are written
NAMES = st.one_of(
    _PLAUSIBLE,
    _PLAUSIBLE,
    _PLAUSIBLE,
    st.text(_ANY_CHARACTER, max_size=12),
    st.lists(_SQL_AND_PATHS, max_size=6).map("".join),
    st.sampled_from([".", "..", "../x", "/abs/x", "a\\b", ".hidden", "pg_authid", "SQLite_x", "sys", "x" * 208,
                     "x\nDROP TABLE victim;\n--", "Ω" * 40, "select", "2024", 'we"ird', "it's"]),
)
# Values may hold anything UTF-8 can: Arrow strings cannot hold lone surrogates.
VALUES = st.lists(st.one_of(st.characters(exclude_categories=["Cs"]), _SQL_AND_PATHS.filter(lambda c: c != "\x00")),
                  max_size=8).map("".join)


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar that loads as exactly ``text``."""
    return '"' + "".join(c if " " <= c <= "~" and c not in '"\\' else
                         f"\\{c}" if c in '"\\' else f"\\U{ord(c):08x}" for c in text) + '"'


def _spec(table: str, column: str, value: str, choices: list[str]) -> str:
    listed = ", ".join(_quoted(c) for c in choices)
    return (f"version: 1\nseed: 7\ntables:\n  {_quoted(table)}:\n    rows: 4\n    columns:\n"
            f"      {_quoted(column)}: {{kind: constant, value: {_quoted(value)}}}\n"
            f"      k: {{kind: choice, values: [{listed}]}}\n"
            "  other:\n    rows: 1\n    columns:\n      id: {kind: sequence}\n")


@contextmanager
def _workspace(text: str) -> Iterator[tuple[Path, Path]]:
    """A fresh folder holding ``spec.yaml`` and the folder ``work`` that ``--out`` goes into."""
    with tempfile.TemporaryDirectory(prefix="rulegen-names-") as base:
        root = Path(base)
        (root / "spec.yaml").write_text(text, encoding="utf-8")
        (root / "work").mkdir()
        yield root / "spec.yaml", root / "work"


def _generate(spec: Path, out: Path, *extra: str) -> Result:
    result = CliRunner().invoke(main, ["generate", str(spec), "-o", str(out), "-q", "--workers", "1", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert LOCATED.search(result.stderr), result.stderr
    event("refused" if result.exit_code else "written")
    return result


@settings(max_examples=80, deadline=None)
@given(table=NAMES, column=NAMES)
def test_a_name_is_refused_with_a_location_or_is_one_file_inside_out(table: str, column: str) -> None:
    with _workspace(_spec(table, column, "v", ["a"])) as (spec, work):
        result = _generate(spec, work / "out")
        everything = sorted(str(p.relative_to(spec.parent)) for p in spec.parent.rglob("*"))
        if result.exit_code == 1:
            assert everything == ["spec.yaml", "work"]
            return
        assert sorted(os.listdir(work / "out")) == sorted([f"{table}.csv", "other.csv", MANIFEST_NAME])
        assert everything == sorted(["spec.yaml", "work", "work/out", f"work/out/{table}.csv", "work/out/other.csv",
                                     f"work/out/{MANIFEST_NAME}"])


@settings(max_examples=60, deadline=None)
@given(table=NAMES, column=NAMES, value=VALUES, choices=st.lists(VALUES, min_size=1, max_size=3, unique=True))
def test_sqlite_scripts_round_trip_names_and_values_through_sqlite3(table: str, column: str, value: str,
                                                                  choices: list[str]) -> None:
    with _workspace(_spec(table, column, value, choices)) as (spec, work):
        if _generate(spec, work / "out", "-f", "sql", "--dialect", "sqlite").exit_code == 1:
            return
        db = work / "loaded.db"
        load_sqlite_cli(db, [work / "out" / "other.sql", work / "out" / f"{table}.sql"])
        names = sqlite_query(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name = 'other'")
        assert names == [(table,), ("other",)]
        assert [row[1] for row in sqlite_query(db, "SELECT * FROM pragma_table_info(?)", [table])] == [column, "k"]
        rows = sqlite_query(db, f'SELECT * FROM "{table.replace(chr(34), chr(34) * 2)}"')
        assert len(rows) == 4 and {row[0] for row in rows} == {value} and {row[1] for row in rows} <= set(choices)


@pytest.fixture(scope="module")
def scratch_database(postgres_url: str) -> Iterator[str]:
    """One database for every example (each starts from an empty ``public`` schema)."""
    name = f"names_{uuid.uuid4().hex[:10]}"
    postgres_execute(postgres_url, f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url.replace("@/postgres?", f"@/{name}?", 1)
    finally:
        postgres_execute(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=NAMES, column=NAMES, value=VALUES, choices=st.lists(VALUES, min_size=1, max_size=3, unique=True))
def test_postgresql_scripts_round_trip_names_and_values_through_psql(scratch_database: str, table: str, column: str,
                                                                    value: str, choices: list[str]) -> None:
    with _workspace(_spec(table, column, value, choices)) as (spec, work):
        if _generate(spec, work / "out", "-f", "sql", "--dialect", "postgresql").exit_code == 1:
            return
        postgres_execute(scratch_database, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        errors = load_psql(scratch_database, [work / "out" / "other.sql", work / "out" / f"{table}.sql"], cwd=work)
        assert not any(errors), errors
        names = postgres_query(scratch_database, "SELECT table_name FROM information_schema.tables "
                                                 "WHERE table_schema = 'public' ORDER BY table_name = 'other'")
        assert names == [(table,), ("other",)]
        columns = postgres_query(scratch_database, "SELECT column_name FROM information_schema.columns "
                                                   "WHERE table_schema = 'public' AND table_name = %s "
                                                   "ORDER BY ordinal_position", [table])
        assert columns == [(column,), ("k",)]
        rows = postgres_query(scratch_database, f'SELECT * FROM public."{table.replace(chr(34), chr(34) * 2)}"')
        assert len(rows) == 4 and {row[0] for row in rows} == {value} and {row[1] for row in rows} <= set(choices)
        assert sorted(os.listdir(work)) == ["out"]  # psql ran no command that wrote a file
