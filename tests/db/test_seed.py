"""`rulegen seed`: real SQLite, DuckDB and PostgreSQL databases get the spec's tables, keys,
foreign keys and checks, and data that satisfies them; a failure leaves them as they were."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import rulegen
from rulegen.cli import main
from rulegen.errors import GenerationError, OutputError
from tests.conftest import ROOT

SHOP = ROOT / "schemas" / "shop.yaml"
SCALE = 0.05
FOREIGN_KEYS = {  # (child, columns) -> (parent, columns), as the shop spec declares them
    ("orders", ("customer_id",)): ("customers", ("id",)),
    ("order_items", ("order_id",)): ("orders", ("order_id",)),
    ("order_items", ("sku",)): ("products", ("sku",)),
    ("shipments", ("item_id",)): ("order_items", ("item_id",)),
    ("returns", ("order_id", "line_no")): ("order_items", ("order_id", "line_no")),
}
# order_items (the fourth table loaded) with a rule no row can meet.
IMPOSSIBLE = SHOP.read_text().replace("  shipments:\n", "    constraints: [\"quantity > 100\"]\n  shipments:\n")
PRIMARY_KEYS = {"customers": ("id",), "products": ("sku",), "orders": ("order_id",), "order_items": ("item_id",),
                "shipments": ("shipment_id",), "returns": ("return_id",)}


def expected_rows() -> dict[str, int]:
    plan = rulegen.compile(SHOP, scale=SCALE)
    return {name: t.rows for name, t in plan.tables.items()}


# ------------------------------------------------------------------------------------ SQLite
def sqlite_constraints(path: Path) -> tuple[dict, dict]:
    with sqlite3.connect(path) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        fks, pks = {}, {}
        for table in tables:
            rows = connection.execute(f'PRAGMA foreign_key_list("{table}")').fetchall()
            for fk_id in {r[0] for r in rows}:
                parts = sorted((r for r in rows if r[0] == fk_id), key=lambda r: r[1])
                fks[(table, tuple(r[3] for r in parts))] = (parts[0][2], tuple(r[4] for r in parts))
            info = connection.execute(f'PRAGMA table_info("{table}")').fetchall()
            pks[table] = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
    return fks, pks


def test_seed_sqlite_declares_every_key_and_the_data_satisfies_them(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    loaded = rulegen.seed_database(SHOP, f"sqlite:///{db}", scale=SCALE)
    assert loaded == expected_rows()
    fks, pks = sqlite_constraints(db)
    assert fks == FOREIGN_KEYS
    assert pks == PRIMARY_KEYS
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for table, rows in loaded.items():
            assert connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == rows


def test_the_cli_seeds_sqlite_and_refuses_existing_tables(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    args = ["seed", str(SHOP), "--db", f"sqlite:///{db}", "--scale", str(SCALE)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "seeded 6 tables" in first.output
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1
    assert "error[RG503]" in again.stderr and "table `customers` already exists" in again.stderr
    assert "Traceback" not in again.stderr
    replaced = CliRunner().invoke(main, [*args, "--if-exists", "replace", "--seed", "9"])
    assert replaced.exit_code == 0, replaced.output


def snapshot(db: Path) -> list:
    with sqlite3.connect(db) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                   "ORDER BY name")]
        return [tables] + [connection.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables]


def test_a_rule_that_fails_in_the_third_table_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE mine (x INTEGER)")
        connection.execute("INSERT INTO mine VALUES (1)")
    before = snapshot(db)
    with pytest.raises(GenerationError):
        rulegen.seed_database(IMPOSSIBLE, f"sqlite:///{db}", scale=SCALE)
    assert snapshot(db) == before


def test_a_row_the_database_refuses_leaves_it_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as connection:  # the user's own migration, stricter than the spec
        connection.execute('CREATE TABLE products (sku TEXT PRIMARY KEY, name TEXT, price REAL CHECK (price < 50), '
                           'units_sold INTEGER)')
    before = snapshot(db)
    with pytest.raises(OutputError, match=r"refused the data of `products`: CHECK constraint failed: price < 50"):
        rulegen.seed_database(SHOP, f"sqlite:///{db}", scale=SCALE, if_exists="append")
    assert snapshot(db) == before


def test_append_loads_into_the_users_tables_and_reports_misfits_first(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as connection:
        connection.execute('CREATE TABLE products (extra TEXT DEFAULT \'x\', sku TEXT PRIMARY KEY, name TEXT, '
                           'price REAL CHECK (price > 0), units_sold INTEGER)')
    rulegen.seed_database(SHOP, f"sqlite:///{db}", scale=SCALE, if_exists="append")
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*), min(extra) FROM products").fetchone() == (25, "x")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE products (sku TEXT, price TEXT)")
    with pytest.raises(OutputError) as info:
        rulegen.seed_database(SHOP, f"sqlite:///{other}", scale=SCALE, if_exists="append")
    messages = [d.message for d in info.value.diagnostics]
    assert any("has no column `name`" in m for m in messages)
    assert any("`products.price`" in m and "cannot hold" in m for m in messages)
    with sqlite3.connect(other) as connection:
        assert [r[0] for r in connection.execute("SELECT name FROM sqlite_master")] == ["products"]


def test_a_bad_url_is_one_clear_error() -> None:
    result = CliRunner().invoke(main, ["seed", str(SHOP), "--db", "mongodb://x"])
    assert result.exit_code == 1
    assert "rulegen: error[RG502]" in result.stderr and "Traceback" not in result.stderr


def test_progress_reports_rows_per_table(tmp_path: Path) -> None:
    seen: dict[str, list[int]] = {}
    rulegen.seed_database(SHOP, f"sqlite:///{tmp_path / 'p.db'}", scale=SCALE,
                          progress=lambda table, done, total: seen.setdefault(table, []).append(done))
    assert {t: counts[-1] for t, counts in seen.items()} == expected_rows()


# ------------------------------------------------------------------------------------ DuckDB
def test_seed_duckdb_declares_keys_and_loads_from_arrow(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    db = tmp_path / "shop.duckdb"
    loaded = rulegen.seed_database(SHOP, f"duckdb:///{db}", scale=SCALE)
    connection = duckdb.connect(str(db))
    kinds = connection.execute("SELECT table_name, constraint_type, constraint_column_names "
                               "FROM duckdb_constraints()").fetchall()
    fks = {(t, tuple(c)) for t, kind, c in kinds if kind == "FOREIGN KEY"}
    assert fks == set(FOREIGN_KEYS)
    pks = {t: tuple(c) for t, kind, c in kinds if kind == "PRIMARY KEY"}
    assert pks == PRIMARY_KEYS
    for table, rows in loaded.items():
        assert connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == rows


def test_a_failed_duckdb_seed_leaves_no_table(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    db = tmp_path / "shop.duckdb"
    with duckdb.connect(str(db)) as connection:
        connection.execute("CREATE TABLE mine (x INTEGER)")
    with pytest.raises(GenerationError):
        rulegen.seed_database(IMPOSSIBLE, f"duckdb:///{db}", scale=SCALE)
    with duckdb.connect(str(db)) as connection:
        assert connection.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("mine",)]


# ------------------------------------------------------------------------------------ files
@pytest.mark.parametrize("scheme, name", [("sqlite", "new.db"), ("duckdb", "new.duckdb")])
def test_a_failed_seed_removes_the_database_file_it_created(tmp_path: Path, scheme: str, name: str) -> None:
    if scheme == "duckdb":
        pytest.importorskip("duckdb")
    with pytest.raises(GenerationError):
        rulegen.seed_database(IMPOSSIBLE, f"{scheme}:///{tmp_path / name}", scale=SCALE)
    assert list(tmp_path.iterdir()) == []  # nor a journal or a write-ahead log


def _make_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE mine (x INTEGER)")
        connection.execute("INSERT INTO mine VALUES (1)")
    connection.close()


def _make_duckdb(path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE mine (x INTEGER); INSERT INTO mine VALUES (1)")


@pytest.mark.parametrize("scheme, name, make", [("sqlite", "old.db", _make_sqlite),
                                                ("duckdb", "old.duckdb", _make_duckdb)])
@pytest.mark.parametrize("spec, error", [(IMPOSSIBLE, GenerationError),
                                         ("tables: {mine: {rows: 1, columns: {x: {kind: sequence}}}}", OutputError)])
def test_a_failed_seed_leaves_a_database_file_that_was_there_byte_for_byte(
        tmp_path: Path, scheme: str, name: str, make, spec: str, error: type[Exception]) -> None:
    path = tmp_path / name
    make(path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(error):
        rulegen.seed_database(spec, f"{scheme}:///{path}", scale=SCALE)  # a rule no row meets; a table in the way
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


# ------------------------------------------------------------------------------------ PostgreSQL
def pg_constraints(connection) -> tuple[set, dict]:
    rows = connection.execute("""
        SELECT c.conrelid::regclass::text, c.contype,
               ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)
        FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace WHERE ns.nspname = 'public'
    """).fetchall()
    return ({(t, tuple(cols)) for t, kind, cols in rows if kind == "f"},
            {t: tuple(cols) for t, kind, cols in rows if kind == "p"})


def test_seed_postgresql_declares_every_key_and_the_data_satisfies_them(pg_database: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    loaded = rulegen.seed_database(SHOP, pg_database, scale=SCALE)
    with psycopg.connect(pg_database) as connection:
        fks, pks = pg_constraints(connection)
        assert fks == set(FOREIGN_KEYS)
        assert pks == PRIMARY_KEYS
        for table, rows in loaded.items():
            assert connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == rows
        types = dict(connection.execute("SELECT column_name, data_type FROM information_schema.columns "
                                        "WHERE table_name = 'products'").fetchall())
        assert types["price"] == "numeric"


def test_postgresql_failures_roll_everything_back(pg_database: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    with pytest.raises(GenerationError):
        rulegen.seed_database(IMPOSSIBLE, pg_database, scale=SCALE)
    with psycopg.connect(pg_database, autocommit=True) as connection:
        assert connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0
        connection.execute("CREATE TABLE products (sku TEXT PRIMARY KEY, name TEXT, "
                           "price NUMERIC(10, 2) CHECK (price < 50), units_sold BIGINT)")
    with pytest.raises(OutputError, match="refused the data"):
        rulegen.seed_database(SHOP, pg_database, scale=SCALE, if_exists="append")
    with psycopg.connect(pg_database) as connection:
        tables = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        assert tables == [("products",)]
        assert connection.execute("SELECT count(*) FROM products").fetchone()[0] == 0


def test_postgresql_append_into_tables_with_extra_checks(pg_database: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    with psycopg.connect(pg_database, autocommit=True) as connection:
        connection.execute("CREATE TABLE customers (id BIGINT PRIMARY KEY, first_name TEXT NOT NULL, "
                           "last_name TEXT, email TEXT UNIQUE CHECK (email LIKE '%@%'), signup_at TIMESTAMP, "
                           "country TEXT CHECK (country IN ('US', 'DE', 'FR', 'GB', 'IN')), "
                           "created_by TEXT DEFAULT current_user)")
    loaded = rulegen.seed_database(SHOP, pg_database, scale=SCALE, if_exists="append")
    with psycopg.connect(pg_database) as connection:
        assert connection.execute("SELECT count(*) FROM customers WHERE created_by = 'postgres'").fetchone()[0] == \
            loaded["customers"]
        fks, _ = pg_constraints(connection)
        assert ("orders", ("customer_id",)) in fks


def test_sqlite_replace_that_would_orphan_another_tables_rows_is_refused(tmp_path) -> None:
    spec = ("version: 1\nseed: 1\ntables:\n  customers:\n    rows: ROWS\n    primary_key: id\n"
            "    columns: {id: {kind: sequence}}\n")
    db = tmp_path / "app.db"
    rulegen.seed_database(spec.replace("ROWS", "10"), f"sqlite:///{db}")
    with sqlite3.connect(db) as connection:  # the application's own table, not in the spec
        connection.execute("CREATE TABLE reviews (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL "
                           "REFERENCES customers (id))")
        connection.execute("INSERT INTO reviews (customer_id) VALUES (9)")
    connection.close()
    with pytest.raises(rulegen.OutputError) as caught:
        rulegen.seed_database(spec.replace("ROWS", "5"), f"sqlite:///{db}", if_exists="replace")
    assert "reviews" in caught.value.render() and "FOREIGN KEY" in caught.value.render()
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM customers").fetchone() == (10,)  # as it was
    connection.close()
    rulegen.seed_database(spec.replace("ROWS", "12"), f"sqlite:///{db}", if_exists="replace")  # keeps id 9
