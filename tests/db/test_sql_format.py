"""`generate --format sql`: scripts per table and dialect that load back the exact values.

Awkward names (spaces, quotes, reserved words) and values (quotes, backslashes, newlines,
non-ASCII text) must survive the round trip through a real database.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

import rulegen
from rulegen.io.sql import DIALECTS

AWKWARD = r'''
version: 1
seed: 3
tables:
  "order":
    rows: 40
    primary_key: "select"
    columns:
      "select": {kind: sequence}
      "my name": {kind: choice, values: ["O'Brien", 'back\slash', "new\nline", "Zoë ☃ 東京", 'say "hi"', ""]}
      'we"ird': {kind: uniform, low: -5, high: 5, round: 2}
      "when": {kind: timestamp, min: 2024-01-01, max: 2024-12-31}
      day: {kind: date, min: 2024-01-01, max: 2024-12-31}
      flag: {kind: bool, p: 0.5}
      maybe: {kind: integers, low: 1, high: 9, null: 0.5}
  "line item":
    rows: {per: "order", count: 2}
    primary_key: ["select", n]
    columns:
      "select": {kind: ref, to: order.select}
      n: {kind: sequence, within: "select"}
'''


def frames() -> dict[str, pd.DataFrame]:
    return rulegen.generate(AWKWARD)


@pytest.mark.parametrize("fmt_dialect", ["sqlite", "duckdb"])
def test_sql_scripts_load_back_the_exact_values(tmp_path: Path, fmt_dialect: str) -> None:
    paths = rulegen.write(AWKWARD, tmp_path, "sql", dialect=fmt_dialect)
    assert list(paths) == ["order", "line item"], "parents first: the order to load them in"
    if fmt_dialect == "sqlite":
        connection = sqlite3.connect(":memory:", isolation_level=None)
        connection.execute("PRAGMA foreign_keys = ON")
        for path in paths.values():
            connection.executescript(path.read_text(encoding="utf-8"))
        loaded = pd.read_sql('SELECT * FROM "order" ORDER BY "select"', connection)
    else:
        duckdb = pytest.importorskip("duckdb")
        connection = duckdb.connect()
        for path in paths.values():
            connection.execute(path.read_text(encoding="utf-8"))
        loaded = connection.execute('SELECT * FROM "order" ORDER BY "select"').df()
    expected = frames()["order"]
    assert loaded["my name"].tolist() == expected["my name"].tolist()
    assert sorted(set(loaded["my name"])) == sorted(["O'Brien", "back\\slash", "new\nline", "Zoë ☃ 東京",
                                                     'say "hi"', ""])
    assert loaded['we"ird'].astype(float).tolist() == expected['we"ird'].tolist()
    assert pd.to_datetime(loaded["when"]).tolist() == expected["when"].tolist()
    assert loaded.maybe.isna().tolist() == expected.maybe.isna().tolist()


def test_postgresql_script_loads_with_psql_semantics(tmp_path: Path, pg_database: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    paths = rulegen.write(AWKWARD, tmp_path, "sql", dialect="postgresql")
    with psycopg.connect(pg_database, autocommit=True) as connection:
        for path in paths.values():
            connection.execute(path.read_text(encoding="utf-8"))
        rows = connection.execute('SELECT "my name", "we""ird", "when" FROM "order" ORDER BY "select"').fetchall()
        fks = connection.execute("SELECT count(*) FROM information_schema.table_constraints "
                                 "WHERE constraint_type = 'FOREIGN KEY'").fetchone()[0]
    expected = frames()["order"]
    assert [r[0] for r in rows] == expected["my name"].tolist()
    assert [float(r[1]) for r in rows] == expected['we"ird'].tolist()
    assert fks == 1


def test_mysql_literals_escape_backslashes_and_quote_names_with_backticks() -> None:
    mysql = DIALECTS["mysql"]
    assert mysql.ident("we`ird") == "`we``ird`"
    assert mysql.literal("back\\slash 'q'") == "'back\\\\slash ''q'''"
    # E'' reads the same whatever standard_conforming_strings says
    assert DIALECTS["postgresql"].literal("back\\slash") == "E'back\\\\slash'"
    assert DIALECTS["postgresql"].ident('we"ird') == '"we""ird"'


def test_ddl_types_keys_and_checks(tmp_path: Path) -> None:
    paths = rulegen.write(AWKWARD, tmp_path, "sql", dialect="postgresql")
    script = paths["order"].read_text(encoding="utf-8")
    assert '"we""ird" NUMERIC(3, 2) NOT NULL' in script
    assert 'CHECK ("we""ird" BETWEEN -5.0 AND 5.0)' in script
    assert '"maybe" SMALLINT,' in script and 'CHECK ("maybe" BETWEEN 1 AND 9)' in script
    assert 'PRIMARY KEY ("select")' in script
    lines = paths["line item"].read_text(encoding="utf-8")
    assert ('ALTER TABLE "public"."line item" ADD FOREIGN KEY ("select") REFERENCES "public"."order" ("select") '
            "DEFERRABLE INITIALLY DEFERRED") in lines
