"""Seeded databases stay usable: sequences and identity columns end past the data, generated
columns are left to the database, appends never collide with the rows already there, cycles of
foreign keys load, and a refusal says what the database said. On the schemas of
tests/db/schemas, created in a real PostgreSQL server and in SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import rulegen
from rulegen.cli import main
from rulegen.errors import OutputError

SCHEMAS = Path(__file__).parent / "schemas"
# The application's next row of each table with a sequence, written without its key.
PG_NEXT = {
    "authors": "INSERT INTO authors (name) VALUES ('new') RETURNING author_id",
    "books": "INSERT INTO books (author_id, title, pages) VALUES (1, 'new', 50) RETURNING book_id",
    "readers": "INSERT INTO readers (name) VALUES ('new') RETURNING reader_id",
    "loans": "INSERT INTO loans (book_id, reader_id, days) VALUES (1, 1, 3) RETURNING loan_id",
    "visits": "INSERT INTO visits (reader_id, note) VALUES (1, 'new') RETURNING visit_id",
}
SQLITE_NEXT = {
    "tags": "INSERT INTO tags (label) VALUES ('new') RETURNING tag_id",
    "notes": "INSERT INTO notes (tag_id, body) VALUES (1, 'new') RETURNING note_id",
    "users": "INSERT INTO users (home_id) VALUES (1) RETURNING user_id",
    "folders": "INSERT INTO folders (owner_id) VALUES (1) RETURNING folder_id",
}


def spec(name: str) -> Path:
    return SCHEMAS / f"{name}.yaml"


def counts(connection, tables) -> dict[str, int]:
    return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


# ------------------------------------------------------------------------------------ PostgreSQL
@pytest.fixture()
def pg(pg_database: str):
    """A function that creates a schema of tests/db/schemas in the test's database."""
    psycopg = pytest.importorskip("psycopg")

    def create(name: str) -> None:
        with psycopg.connect(pg_database, autocommit=True) as connection:
            connection.execute((SCHEMAS / f"{name}.sql").read_text())

    return create


def test_sequences_end_past_two_appends_and_the_next_insert_gets_a_new_key(pg, pg_database: str) -> None:
    import psycopg

    pg("pg_keys")
    first = rulegen.seed_database(spec("pg_keys"), pg_database, if_exists="append")
    second = rulegen.seed_database(spec("pg_keys"), pg_database, if_exists="append", seed=8)
    with psycopg.connect(pg_database) as connection:
        assert counts(connection, first) == {t: first[t] + second[t] for t in first}
        # the second load's keys start after the first's, and its references moved with them
        assert connection.execute("SELECT min(author_id), max(author_id) FROM authors").fetchone() == (1, 60)
        assert connection.execute("SELECT count(*) FROM books b JOIN authors a USING (author_id)").fetchone()[0] == \
            first["books"] + second["books"]
        # the generated column is the database's, whatever the spec said
        assert connection.execute("SELECT count(*) FROM loans WHERE weeks <> days / 7.0").fetchone()[0] == 0
        for table, statement in PG_NEXT.items():
            key = connection.execute(statement).fetchone()[0]
            assert key == first[table] + second[table] + 1, table


def test_keys_too_wide_for_a_smallint_are_refused_before_any_row(pg, pg_database: str) -> None:
    import psycopg

    pg("pg_keys")
    with pytest.raises(OutputError) as error:
        rulegen.seed_database(spec("pg_keys"), pg_database, if_exists="append", rows={"shelves": 40_000})
    [problem] = error.value.diagnostics
    assert problem.code == "RG542" and "`shelves.shelf_id` is smallint" in problem.message
    assert "40,000" in problem.message and problem.pointer == "/tables/shelves/columns/shelf_id"
    with psycopg.connect(pg_database) as connection:
        assert set(counts(connection, ["authors", "books", "shelves"]).values()) == {0}


def test_a_not_null_column_the_spec_does_not_write_is_named_before_any_row(pg, pg_database: str) -> None:
    pg("pg_keys")
    text = spec("pg_keys").read_text().replace("      note:      {kind: faker, provider: sentence}\n", "")
    with pytest.raises(OutputError) as error:
        rulegen.seed_database(text, pg_database, if_exists="append")
    [problem] = error.value.diagnostics
    assert problem.code == "RG546" and "`visits.note`" in problem.message and "NOT NULL with no default" in \
        problem.message
    assert problem.pointer == "/tables/visits"


def test_created_tables_number_new_rows_and_keys_are_never_smallint(pg_database: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    loaded = rulegen.seed_database(spec("pg_keys"), pg_database)
    with psycopg.connect(pg_database) as connection:
        types = dict(connection.execute("SELECT column_name, data_type FROM information_schema.columns "
                                        "WHERE table_name = 'shelves'").fetchall())
        assert types["shelf_id"] == "integer"
        created = {**PG_NEXT, "shelves": "INSERT INTO shelves (label) VALUES ('x') RETURNING shelf_id",
                   "loans": "INSERT INTO loans (book_id, reader_id, days, weeks) VALUES (1, 1, 3, 0) RETURNING loan_id"}
        for table, statement in created.items():
            assert connection.execute(statement).fetchone()[0] == loaded[table] + 1, table


def test_a_postgresql_script_leaves_identity_columns_past_its_rows(tmp_path: Path, pg_database: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    paths = rulegen.write(spec("pg_keys"), tmp_path, "sql", dialect="postgresql")
    with psycopg.connect(pg_database, autocommit=True) as connection:
        for path in paths.values():
            connection.execute(path.read_text(encoding="utf-8"))
        assert connection.execute(PG_NEXT["authors"]).fetchone()[0] == 31


def test_deferrable_and_nullable_cycles_load(pg, pg_database: str) -> None:
    import psycopg

    pg("pg_cycles")
    loaded = rulegen.seed_database(spec("pg_cycles"), pg_database, if_exists="append")
    with psycopg.connect(pg_database) as connection:
        assert counts(connection, loaded) == loaded
        heads = connection.execute("SELECT count(head_id) FROM departments").fetchone()[0]
        assert 0 < heads < loaded["departments"] or heads == loaded["departments"]  # set after the load
        assert connection.execute("SELECT count(*) FROM departments d JOIN employees e ON e.emp_id = d.head_id"
                                  ).fetchone()[0] == heads


def test_a_cycle_of_immediate_not_null_keys_loads_and_its_keys_stay_immediate(pg, pg_database: str) -> None:
    import psycopg

    pg("pg_impossible")
    loaded = rulegen.seed_database(spec("pg_impossible"), pg_database, if_exists="append")
    with psycopg.connect(pg_database) as connection:
        assert counts(connection, loaded) == loaded == {"eggs": 5, "hens": 5}
        assert connection.execute("SELECT bool_or(condeferrable) FROM pg_constraint WHERE contype = 'f'"
                                  ).fetchone()[0] is False
        connection.execute("SET CONSTRAINTS ALL DEFERRED")  # still immediate: a bad row is refused at once
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            connection.execute("INSERT INTO eggs VALUES (100, 100)")


def test_a_refusal_keeps_the_databases_detail_and_context_at_the_spec_column(pg, pg_database: str) -> None:
    import psycopg

    pg("pg_keys")
    with psycopg.connect(pg_database, autocommit=True) as connection:
        connection.execute("ALTER TABLE readers ADD CONSTRAINT short_names CHECK (length(name) < 5)")
    result = CliRunner().invoke(main, ["seed", str(spec("pg_keys")), "--db", pg_database, "--if-exists", "append"])
    assert result.exit_code == 1
    assert 'violates check constraint "short_names"' in result.stderr
    assert "DETAIL: Failing row contains" in result.stderr and "CONTEXT: COPY readers, line 1" in result.stderr
    lines = spec("pg_keys").read_text().splitlines()
    readers = lines.index("  readers:")
    line = next(n for n, text in enumerate(lines[readers:], readers + 1) if text.strip().startswith("name:"))
    assert f"pg_keys.yaml:{line}:" in result.stderr and "tables.readers.columns.name" in result.stderr
    with psycopg.connect(pg_database) as connection:
        assert counts(connection, ["authors", "readers"]) == {"authors": 0, "readers": 0}


def test_tables_and_exclude_pick_tables_and_missing_parents_are_named(pg, pg_database: str) -> None:
    import psycopg

    pg("pg_keys")
    with pytest.raises(OutputError) as error:
        rulegen.seed_database(spec("pg_keys"), pg_database, if_exists="append", tables=["books", "loans"])
    messages = sorted(p.message for p in error.value.diagnostics)
    assert [p.code for p in error.value.diagnostics] == ["RG544"] * 2  # authors and readers
    assert "`books` refers to `authors`, which is not seeded now" in messages[0]
    loaded = rulegen.seed_database(spec("pg_keys"), pg_database, if_exists="append", exclude=["loans", "shelves"])
    assert set(loaded) == {"authors", "books", "readers", "visits"}
    result = CliRunner().invoke(main, ["seed", str(spec("pg_keys")), "--db", pg_database, "--if-exists", "append",
                                       "--tables", "loans", "--seed", "4"])
    assert result.exit_code == 0, result.output
    unknown = CliRunner().invoke(main, ["seed", str(spec("pg_keys")), "--db", pg_database, "--tables", "loan"])
    assert unknown.exit_code == 1 and "error[RG543]" in unknown.stderr and "loans" in unknown.stderr
    with psycopg.connect(pg_database) as connection:
        assert counts(connection, ["loans", "shelves"]) == {"loans": 120, "shelves": 0}


# ------------------------------------------------------------------------------------ SQLite
def test_sqlite_autoincrement_rowid_generated_and_cycles_after_two_appends(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    with sqlite3.connect(db) as connection:
        connection.executescript((SCHEMAS / "sqlite_keys.sql").read_text())
    first = rulegen.seed_database(spec("sqlite_keys"), f"sqlite:///{db}", if_exists="append")
    second = rulegen.seed_database(spec("sqlite_keys"), f"sqlite:///{db}", if_exists="append", seed=6)
    with sqlite3.connect(db) as connection:
        assert counts(connection, first) == {t: first[t] + second[t] for t in first}
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert dict(connection.execute("SELECT name, seq FROM sqlite_sequence").fetchall()) == {
            "tags": first["tags"] + second["tags"], "users": first["users"] + second["users"]}
        assert connection.execute("SELECT count(*) FROM notes WHERE size <> length(body)").fetchone()[0] == 0
        for table, statement in SQLITE_NEXT.items():
            assert connection.execute(statement).fetchone()[0] == first[table] + second[table] + 1, table


def test_a_sqlite_refusal_names_the_table_and_points_at_the_column(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    with sqlite3.connect(db) as connection:
        connection.executescript((SCHEMAS / "sqlite_keys.sql").read_text().replace(
            "label TEXT NOT NULL", "label TEXT NOT NULL CHECK (length(label) < 3)"))
    with pytest.raises(OutputError) as error:
        rulegen.seed_database(spec("sqlite_keys"), f"sqlite:///{db}", if_exists="append")
    [problem] = error.value.diagnostics
    assert "refused the data of `tags`: CHECK constraint failed" in problem.message
    assert problem.pointer == "/tables/tags/columns/label"
    with sqlite3.connect(db) as connection:
        assert counts(connection, ["tags", "notes"]) == {"tags": 0, "notes": 0}


def test_a_table_seeded_alone_points_at_the_parent_rows_the_database_holds(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    with sqlite3.connect(db) as connection:
        connection.executescript((SCHEMAS / "sqlite_keys.sql").read_text())
    rulegen.seed_database(spec("sqlite_keys"), f"sqlite:///{db}", if_exists="append", tables=["tags"],
                          rows={"tags": 3})
    loaded = rulegen.seed_database(spec("sqlite_keys"), f"sqlite:///{db}", if_exists="append", tables=["notes"])
    with sqlite3.connect(db) as connection:
        assert counts(connection, ["tags", "notes"]) == {"tags": 3, "notes": loaded["notes"]}
        assert {r[0] for r in connection.execute("SELECT DISTINCT tag_id FROM notes")} == {1, 2, 3}
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_sqlite_foreign_key_refused_at_commit_names_the_row_and_column(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    with sqlite3.connect(db) as connection:
        connection.executescript((SCHEMAS / "sqlite_keys.sql").read_text())
    text = spec("sqlite_keys").read_text().replace("tag_id:  {kind: ref, to: tags.tag_id}",
                                                   "tag_id:  {kind: integers, low: 500, high: 600}")
    with pytest.raises(OutputError) as error:
        rulegen.seed_database(text, f"sqlite:///{db}", if_exists="append")
    [problem] = error.value.diagnostics
    assert "refused the data of `notes`: FOREIGN KEY constraint failed; DETAIL: row 1 has tag_id = 5" in \
        problem.message and "which no row of `tags` has" in problem.message
    assert problem.pointer == "/tables/notes/columns/tag_id"
    with sqlite3.connect(db) as connection:
        assert counts(connection, ["tags", "notes"]) == {"tags": 0, "notes": 0}


def test_an_append_never_repeats_a_unique_value_the_table_holds(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    with sqlite3.connect(db) as connection:
        connection.executescript((SCHEMAS / "sqlite_keys.sql").read_text().replace(
            "label TEXT NOT NULL", "label TEXT NOT NULL UNIQUE"))
    text = spec("sqlite_keys").read_text().replace("label:  {kind: faker, provider: word}",
                                                   'label:  {kind: pattern, pattern: "[ab][0-9]", unique: true}')
    url = f"sqlite:///{db}"
    rulegen.seed_database(text, url, if_exists="append", tables=["tags"])
    with pytest.raises(OutputError) as error:  # 12 more labels of 20 repeat some; notes refer to those rows
        rulegen.seed_database(text, url, if_exists="append", seed=6)
    assert [p.code for p in error.value.diagnostics] == ["RG545"]
    assert "`tags.label` is unique and the database holds" in error.value.diagnostics[0].message
    again = rulegen.seed_database(text, url, if_exists="append", seed=6, tables=["tags"])  # no one refers: left out
    with sqlite3.connect(db) as connection:
        labels = [r[0] for r in connection.execute("SELECT label FROM tags")]
        assert len(labels) == len(set(labels)) == 12 + again["tags"] and 0 < again["tags"] < 12


def test_partitions_foreign_keys_order_the_load_and_a_domain_holds_integers(pg, pg_database: str) -> None:
    import psycopg

    pg("pg_partitions")
    loaded = rulegen.seed_database(spec("pg_partitions"), pg_database, if_exists="append")
    with psycopg.connect(pg_database) as connection:
        assert counts(connection, loaded) == loaded
        assert connection.execute("INSERT INTO shops (stars) VALUES (3) RETURNING shop_id").fetchone()[0] == 11
        assert connection.execute("INSERT INTO sales (shop_id, sold_on) VALUES (1, '2024-02-02') "
                                  "RETURNING sale_id").fetchone()[0] == 201


def test_a_row_outside_every_partition_points_at_its_column(pg, pg_database: str) -> None:
    pg("pg_partitions")
    text = spec("pg_partitions").read_text().replace("max: 2024-12-31", "max: 2026-12-31")
    with pytest.raises(OutputError) as error:
        rulegen.seed_database(text, pg_database, if_exists="append")
    [problem] = error.value.diagnostics
    assert "no partition of relation" in problem.message and "DETAIL: Partition key of the failing row" in \
        problem.message
    assert problem.pointer == "/tables/sales/columns/sold_on" and "partitions" in (problem.hint or "")


def test_duckdb_created_keys_number_new_rows(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "library.duckdb"
    for _ in range(2):  # the second run replaces the tables and their sequences
        loaded = rulegen.seed_database(spec("pg_keys"), f"duckdb:///{path}", if_exists="replace")
    connection = duckdb.connect(str(path))
    try:
        assert connection.execute(PG_NEXT["authors"]).fetchone()[0] == loaded["authors"] + 1
    finally:
        connection.close()
