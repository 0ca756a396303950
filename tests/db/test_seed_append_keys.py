"""Appending never repeats a combination of values that a composite unique key of the table
holds already (the spec's ``unique`` lists and the database's unique constraints and indexes):
such rows are left out, or, when other tables refer to the table, the seed is refused before
anything is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import rulegen
from rulegen.errors import OutputError
from rulegen.io.target import sqlite_tables

# 4 x 3 = 12 combinations of (shelf, bin) for 6 rows a seed.
SPEC = """
version: 1
seed: 1
tables:
  slots:
    rows: 6
    primary_key: slot_id
    unique: [[shelf, bin]]
    columns:
      slot_id: {kind: sequence}
      shelf: {kind: integers, low: 1, high: 4}
      bin: {kind: choice, values: [x, y, z]}
"""
CHILD = SPEC + """  items:
    rows: {per: slots, count: 1}
    primary_key: item_id
    columns:
      item_id: {kind: sequence}
      slot_id: {kind: ref, to: slots.slot_id}
"""
DDL = """
CREATE TABLE slots (slot_id INTEGER PRIMARY KEY, shelf INTEGER NOT NULL, bin TEXT NOT NULL, UNIQUE (shelf, bin));
CREATE TABLE items (item_id INTEGER PRIMARY KEY, slot_id INTEGER NOT NULL REFERENCES slots);
"""


def combinations(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT shelf, bin FROM slots").fetchall()


def test_appended_rows_never_repeat_a_combination_the_table_holds(tmp_path: Path) -> None:
    db = tmp_path / "slots.db"
    with sqlite3.connect(db) as connection:
        connection.executescript(DDL)
    url = f"sqlite:///{db}"
    rulegen.seed_database(SPEC, url, if_exists="append")
    loaded = [rulegen.seed_database(SPEC, url, if_exists="append", seed=seed)["slots"] for seed in (2, 3)]
    held = combinations(db)
    assert len(held) == len(set(held)) == 6 + sum(loaded)
    assert loaded[0] < 6 or loaded[1] < 6  # 6 rows of 12 combinations: some were taken and left out


def test_a_taken_combination_in_a_table_others_refer_to_is_refused_before_any_row(tmp_path: Path) -> None:
    db = tmp_path / "slots.db"
    with sqlite3.connect(db) as connection:
        connection.executescript(DDL)
    url = f"sqlite:///{db}"
    rulegen.seed_database(CHILD, url, if_exists="append")
    before = combinations(db)
    with pytest.raises(OutputError) as error:
        rulegen.seed_database(CHILD, url, if_exists="append", seed=2)
    problem = error.value.diagnostics[0]
    assert problem.code == "RG570" and "(shelf, bin) of `slots` is unique and the database holds" in problem.message
    assert problem.pointer == "/tables/slots/columns/shelf"
    assert combinations(db) == before


def test_the_unique_keys_a_sqlite_table_declares_are_read(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "k.db") as connection:
        connection.executescript(DDL + """
            CREATE TABLE pairs (a INT, b INT, c INT, d INT, PRIMARY KEY (a, b), UNIQUE (c));
            CREATE UNIQUE INDEX pairs_cd ON pairs (c, d);
            CREATE UNIQUE INDEX pairs_partial ON pairs (d) WHERE d > 0;
            CREATE UNIQUE INDEX pairs_lower ON pairs (lower(d), a);
        """)
        found = sqlite_tables(connection, "main", ["slots", "pairs"])
    assert found["slots"].unique == [("slot_id",), ("shelf", "bin")]
    assert sorted(found["pairs"].unique) == [("a", "b"), ("c",), ("c", "d")]


def test_postgres_unique_indexes_are_read_and_met_on_append(pg_database: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    with psycopg.connect(pg_database) as connection:
        connection.execute("CREATE TABLE slots (slot_id serial PRIMARY KEY, shelf int NOT NULL, bin text NOT NULL)")
        connection.execute("CREATE UNIQUE INDEX slots_place ON slots (shelf, bin)")
        connection.execute("CREATE UNIQUE INDEX slots_lower ON slots (lower(bin), slot_id)")  # an expression
        connection.execute("CREATE UNIQUE INDEX slots_some ON slots (bin) WHERE shelf > 100")  # partial
    rulegen.seed_database(SPEC, pg_database, if_exists="append")
    # The spec without its unique list: the database's index is what keeps the new rows apart.
    lone = SPEC.replace("    unique: [[shelf, bin]]\n", "").replace("rows: 6", "rows: 1")
    loaded = sum(rulegen.seed_database(lone, pg_database, if_exists="append", seed=s)["slots"] for s in range(2, 12))
    with psycopg.connect(pg_database) as connection:
        held = connection.execute("SELECT shelf, bin FROM slots").fetchall()
        assert connection.execute("INSERT INTO slots (shelf, bin) VALUES (9, 'new') RETURNING slot_id"
                                  ).fetchone()[0] == 6 + loaded + 1
    assert len(held) == len(set(held)) == 6 + loaded and loaded < 10
