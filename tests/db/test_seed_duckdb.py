"""DuckDB: tables go into the schema their spec places them in (created with the seed, and
rolled back with it), and a column's ``DEFAULT nextval('seq')`` ends past the seeded keys, as
PostgreSQL's sequences do."""

from __future__ import annotations

from pathlib import Path

import pytest

import rulegen
from rulegen.errors import GenerationError

duckdb = pytest.importorskip("duckdb")

SPEC = """
version: 1
seed: 1
tables:
  sales.tickets:
    schema: sales
    rows: 5
    primary_key: id
    columns:
      id: {kind: sequence}
      title: {kind: faker, provider: word}
  sales.replies:
    schema: sales
    rows: {per: sales.tickets, count: 2}
    primary_key: reply_id
    columns:
      reply_id: {kind: sequence}
      ticket_id: {kind: ref, to: sales.tickets.id}
"""


def rows(path: Path, query: str) -> list[tuple]:
    connection = duckdb.connect(str(path))
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def test_tables_go_into_their_schema_and_new_rows_get_new_keys(tmp_path: Path) -> None:
    path = tmp_path / "desk.duckdb"
    url = f"duckdb:///{path}"
    assert rulegen.seed_database(SPEC, url) == {"sales.tickets": 5, "sales.replies": 10}
    assert rulegen.seed_database(SPEC, url, if_exists="append", seed=2) == {"sales.tickets": 5, "sales.replies": 10}
    assert sorted(rows(path, "SELECT table_schema, table_name FROM information_schema.tables")) == [
        ("sales", "replies"), ("sales", "tickets")]
    assert rows(path, "SELECT count(*), count(DISTINCT id), max(id) FROM sales.tickets") == [(10, 10, 10)]
    assert rows(path, "SELECT count(*) FROM sales.replies r JOIN sales.tickets t ON t.id = r.ticket_id") == [(20,)]
    assert rows(path, "INSERT INTO sales.tickets (title) VALUES ('new') RETURNING id") == [(11,)]


def test_a_sequence_default_of_an_existing_table_ends_past_the_seeded_keys(tmp_path: Path) -> None:
    path = tmp_path / "desk.duckdb"
    connection = duckdb.connect(str(path))
    connection.execute("CREATE SCHEMA sales")
    connection.execute("CREATE SEQUENCE sales.ticket_numbers")  # named bare below: the table's schema's
    connection.execute("CREATE TABLE sales.tickets (id INTEGER PRIMARY KEY DEFAULT nextval('ticket_numbers'), "
                       "title TEXT NOT NULL)")
    connection.execute("CREATE TABLE sales.replies (reply_id BIGINT PRIMARY KEY, "
                       "ticket_id INTEGER NOT NULL REFERENCES sales.tickets (id))")
    connection.execute("INSERT INTO sales.tickets (title) VALUES ('a'), ('b')")
    connection.close()
    loaded = rulegen.seed_database(SPEC, f"duckdb:///{path}", if_exists="append")
    assert loaded == {"sales.tickets": 5, "sales.replies": 10}
    assert rows(path, "SELECT min(id), max(id) FROM sales.tickets WHERE title NOT IN ('a', 'b')") == [(3, 7)]
    assert rows(path, "INSERT INTO sales.tickets (title) VALUES ('new') RETURNING id") == [(8,)]


def test_a_failed_seed_leaves_no_schema_behind(tmp_path: Path) -> None:
    path = tmp_path / "desk.duckdb"
    connection = duckdb.connect(str(path))
    connection.execute("CREATE TABLE kept (a INTEGER)")
    connection.close()
    ref = "      ticket_id: {kind: ref, to: sales.tickets.id}\n"
    impossible = SPEC.replace(ref, ref + '    constraints: ["ticket_id < 0"]\n')
    with pytest.raises(GenerationError):
        rulegen.seed_database(impossible, f"duckdb:///{path}")
    assert rows(path, "SELECT schema_name FROM information_schema.schemata WHERE schema_name = 'sales'") == []
    assert rows(path, "SELECT table_name FROM information_schema.tables") == [("kept",)]
