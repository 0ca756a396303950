"""`rulegen seed --db mysql://...` against a real MariaDB: every domain spec loads with its keys,
foreign keys and checks met; a failure leaves the database as it was (no table, no row);
``--if-exists`` replaces and appends; the application's next insert gets a key."""

from __future__ import annotations

import contextlib
import re
from typing import Any

import pytest
from click.testing import CliRunner

import rulegen
from rulegen.cli import main
from rulegen.errors import GenerationError, OutputError
from rulegen.io.sql import foreign_keys
from tests.conftest import ROOT
from tests.mariadb import mysql_connect

SCHEMAS = ROOT / "schemas"
SPECS = sorted(path.name for path in SCHEMAS.glob("*.yaml"))
SHOP = SCHEMAS / "shop.yaml"
SCALE = 0.02
# order_items (the fourth table loaded) with a rule no row can meet.
IMPOSSIBLE = SHOP.read_text().replace("  shipments:\n", "    constraints: [\"quantity > 100\"]\n  shipments:\n")


def query(url: str, statement: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(mysql_connect(url)) as connection:
        cursor = connection.cursor()
        cursor.execute(statement)
        return list(cursor.fetchall())


def tables(url: str) -> dict[str, int]:
    """Each table of the URL's database and its row count."""
    names = [row[0] for row in query(url, "SHOW TABLES")]
    return {name: query(url, f"SELECT count(*) FROM `{name}`")[0][0] for name in names}


def orphans(url: str) -> list[tuple[str, str]]:
    """(table, constraint) of every foreign key with a row that has no parent."""
    keys: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for table, name, column, parent, parent_column in query(
            url, "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME "
                 "FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() "
                 "AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY ORDINAL_POSITION"):
        keys.setdefault((table, name), []).append((column, parent, parent_column))
    bad = []
    for (table, name), parts in keys.items():
        match = " AND ".join(f"p.`{pc}` = c.`{c}`" for c, _, pc in parts)
        filled = " AND ".join(f"c.`{c}` IS NOT NULL" for c, _, _ in parts)
        count = query(url, f"SELECT count(*) FROM `{table}` c WHERE {filled} AND NOT EXISTS "
                           f"(SELECT 1 FROM `{parts[0][1]}` p WHERE {match})")[0][0]
        if count:
            bad.append((table, name))
    return bad


@pytest.mark.parametrize("name", SPECS)
def test_every_domain_spec_seeds_with_its_foreign_keys_met(mysql_database: str, name: str) -> None:
    loaded = rulegen.seed_database(SCHEMAS / name, mysql_database, scale=SCALE)
    assert tables(mysql_database) == loaded
    keys = query(mysql_database, "SELECT count(*) FROM information_schema.REFERENTIAL_CONSTRAINTS "
                                 "WHERE CONSTRAINT_SCHEMA = DATABASE()")[0][0]
    plan = rulegen.compile(SCHEMAS / name, scale=SCALE)
    assert keys == sum(len(foreign_keys(plan, table)) for table in plan.tables.values())
    assert orphans(mysql_database) == []


def test_shop_declares_its_keys_types_and_numbers_new_rows(mysql_database: str) -> None:
    rulegen.seed_database(SHOP, mysql_database, scale=SCALE)
    declared = {(t, c): (k, x) for t, c, k, x in query(
        mysql_database, "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, EXTRA FROM information_schema.COLUMNS "
                        "WHERE TABLE_SCHEMA = DATABASE()")}
    assert declared["customers", "id"] == ("int(11)", "auto_increment")
    assert declared["customers", "country"][0].startswith("enum(")
    assert declared["customers", "email"][0].startswith("varchar(")
    assert declared["orders", "items_total"][0] == "decimal(20,2)"
    assert declared["orders", "ordered_at"][0] == "datetime"
    keys = {(t, c) for t, c in query(mysql_database, "SELECT TABLE_NAME, REFERENCED_TABLE_NAME FROM "
                                                     "information_schema.REFERENTIAL_CONSTRAINTS "
                                                     "WHERE CONSTRAINT_SCHEMA = DATABASE()")}
    assert ("orders", "customers") in keys and ("returns", "order_items") in keys
    top = query(mysql_database, "SELECT max(id) FROM customers")[0][0]
    with contextlib.closing(mysql_connect(mysql_database)) as connection:
        cursor = connection.cursor()
        cursor.execute("INSERT INTO customers (first_name, last_name, email, signup_at, country) "
                       "VALUES ('Ada', 'L', 'new@example.org', '2024-01-01', 'FR')")
        assert cursor.lastrowid == top + 1


def test_a_failure_halfway_leaves_no_table_and_no_row(mysql_database: str, tmp_path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(IMPOSSIBLE)
    with pytest.raises(GenerationError):
        rulegen.seed_database(spec, mysql_database, scale=SCALE)
    assert tables(mysql_database) == {}


def test_a_refused_row_rolls_back_and_says_what_the_database_said(mysql_database: str, spec_file) -> None:
    query(mysql_database, "CREATE TABLE t (id INT PRIMARY KEY, n INT, CONSTRAINT small CHECK (n < 5))")
    query(mysql_database, "INSERT INTO t VALUES (1000, 1)")
    spec = spec_file("""
        version: 1
        tables:
          t:
            rows: 200
            columns:
              id: {kind: sequence}
              n: {kind: integers, low: 1, high: 9}
        """)
    with pytest.raises(OutputError) as caught:
        rulegen.seed_database(spec, mysql_database, if_exists="append")
    assert query(mysql_database, "SELECT id, n FROM t") == [(1000, 1)]
    text = str(caught.value)
    assert "error[RG504]" in text and "`small`" in text and "refused the data of `t`" in text


def test_replace_that_fails_keeps_the_old_tables(mysql_database: str, tmp_path) -> None:
    rulegen.seed_database(SHOP, mysql_database, scale=SCALE)
    before = tables(mysql_database)
    spec = tmp_path / "shop.yaml"
    spec.write_text(IMPOSSIBLE)
    with pytest.raises(GenerationError):
        rulegen.seed_database(spec, mysql_database, scale=SCALE, if_exists="replace")
    assert tables(mysql_database) == before
    assert orphans(mysql_database) == []


def test_replace_and_append(mysql_database: str) -> None:
    first = rulegen.seed_database(SHOP, mysql_database, scale=SCALE)
    rulegen.seed_database(SHOP, mysql_database, scale=SCALE, if_exists="replace")
    assert tables(mysql_database) == first
    rulegen.seed_database(SHOP, mysql_database, scale=SCALE, if_exists="append", seed=7, tables=["orders"])
    assert tables(mysql_database)["orders"] > first["orders"]
    assert orphans(mysql_database) == []


def test_fail_refuses_a_table_in_the_way_and_writes_nothing(mysql_database: str) -> None:
    query(mysql_database, "CREATE TABLE products (x INT)")
    result = CliRunner().invoke(main, ["seed", str(SHOP), "--db", mysql_database, "--scale", str(SCALE)])
    assert result.exit_code == 1
    assert "error[RG503]" in result.output and "products" in result.output
    assert tables(mysql_database) == {"products": 0}


def test_a_url_without_a_database_is_refused(mariadb_url: str) -> None:
    result = CliRunner().invoke(main, ["seed", str(SHOP), "--db", mariadb_url])
    assert result.exit_code == 1
    assert "error[RG547]" in result.output and "names no database" in result.output


def test_replace_refuses_a_table_another_table_refers_to(mysql_database: str) -> None:
    rulegen.seed_database(SHOP, mysql_database, scale=SCALE)
    query(mysql_database, "CREATE TABLE notes (customer_id INT, FOREIGN KEY (customer_id) REFERENCES customers (id))")
    before = tables(mysql_database)
    result = CliRunner().invoke(main, ["seed", str(SHOP), "--db", mysql_database, "--scale", str(SCALE),
                                       "--if-exists", "replace"])
    assert result.exit_code == 1
    assert "error[RG548]" in result.output and "`notes`" in result.output and "`customers`" in result.output
    assert tables(mysql_database) == before
    assert orphans(mysql_database) == []


CYCLE = ROOT / "tests" / "db" / "schemas" / "pg_impossible.yaml"  # eggs <-> hens, NOT NULL both ways


@pytest.mark.parametrize("made_by", ["rulegen", "the application"])
def test_a_cycle_of_not_null_foreign_keys_loads_and_stays_checked(mysql_database: str, made_by: str) -> None:
    if made_by == "the application":
        with contextlib.closing(mysql_connect(mysql_database)) as connection:
            cursor = connection.cursor()
            cursor.execute("SET foreign_key_checks = 0")
            cursor.execute("CREATE TABLE eggs (egg_id INT PRIMARY KEY, hen_id INT NOT NULL, "
                           "FOREIGN KEY (hen_id) REFERENCES hens (hen_id))")
            cursor.execute("CREATE TABLE hens (hen_id INT PRIMARY KEY, egg_id INT NOT NULL, "
                           "FOREIGN KEY (egg_id) REFERENCES eggs (egg_id))")
    loaded = rulegen.seed_database(CYCLE, mysql_database, if_exists="append")
    assert tables(mysql_database) == loaded == {"eggs": 5, "hens": 5}
    assert orphans(mysql_database) == []
    with contextlib.closing(mysql_connect(mysql_database)) as connection, \
            pytest.raises(Exception, match="foreign key constraint fails"):
        connection.cursor().execute("INSERT INTO eggs VALUES (100, 100)")


def test_a_row_without_its_parent_is_named_before_commit(mysql_database: str, spec_file) -> None:
    query(mysql_database, "CREATE TABLE hens (hen_id INT PRIMARY KEY)")
    query(mysql_database, "INSERT INTO hens VALUES (1), (2)")
    query(mysql_database, "CREATE TABLE eggs (egg_id INT PRIMARY KEY, hen_id INT NOT NULL, "
                          "FOREIGN KEY (hen_id) REFERENCES hens (hen_id))")
    # The spec's eggs point at hens it makes itself, which it does not load (--tables eggs), and
    # whose keys the database does not hold past 2.
    spec = spec_file("""
        version: 1
        tables:
          hens:
            rows: 9
            primary_key: hen_id
            columns:
              hen_id: {kind: sequence, start: 1}
          eggs:
            rows: 30
            primary_key: egg_id
            columns:
              egg_id: {kind: sequence}
              hen_id: {kind: integers, low: 1, high: 9}
        """)
    result = CliRunner().invoke(main, ["seed", str(spec), "--db", mysql_database, "--if-exists", "append",
                                       "--tables", "eggs"])
    assert result.exit_code == 1
    assert "error[RG504]" in result.output and "foreign key constraint fails" in result.output
    assert "REFERENCES `hens`" in result.output and "tables.eggs.columns.hen_id" in result.output
    assert tables(mysql_database) == {"hens": 2, "eggs": 0}


def test_a_row_of_a_table_loaded_unchecked_without_its_parent_is_named_before_commit(mysql_database: str,
                                                                                     spec_file) -> None:
    query(mysql_database, "CREATE TABLE staff (id INT PRIMARY KEY, boss INT, FOREIGN KEY (boss) REFERENCES staff (id))")
    spec = spec_file("""
        version: 1
        tables:
          staff:
            rows: 30
            columns:
              id: {kind: sequence}
              boss: {kind: integers, low: 25, high: 40}
        """)
    result = CliRunner().invoke(main, ["seed", str(spec), "--db", mysql_database, "--if-exists", "append"])
    assert result.exit_code == 1
    assert "error[RG504]" in result.output and "FOREIGN KEY constraint failed" in result.output
    assert re.search(r"a row has boss = (3[1-9]|40), which no row of `staff` has", result.output)
    assert "tables.staff.columns.boss" in result.output
    assert tables(mysql_database) == {"staff": 0}


def test_a_row_of_many_wide_texts_fits(mysql_database: str) -> None:
    columns = "".join(f'      c{i}: {{kind: pattern, pattern: "[a-z]{{900}}"}}\n' for i in range(30))
    loaded = rulegen.seed_database(f"version: 1\ntables:\n  t:\n    rows: 3\n    columns:\n{columns}", mysql_database)
    assert tables(mysql_database) == loaded == {"t": 3}
    types = {t for (t,) in query(mysql_database, "SELECT DATA_TYPE FROM information_schema.COLUMNS "
                                                 "WHERE TABLE_SCHEMA = DATABASE()")}
    assert types == {"varchar", "text"}


def test_a_server_that_cannot_be_reached_is_one_line(tmp_path) -> None:
    result = CliRunner().invoke(main, ["seed", str(SHOP), "--db",
                                       f"mariadb://app:secret@localhost/shop?unix_socket={tmp_path}/none.sock"])
    assert result.exit_code == 1
    assert result.output.startswith("rulegen: error[RG502] cannot open mysql://app:***@localhost/shop")
    assert "secret" not in result.output and "Traceback" not in result.output


def test_a_failure_after_a_cycle_loaded_leaves_no_table(mysql_database: str) -> None:
    # eggs <-> hens (a cycle rulegen creates), then a child of hens (loaded with its foreign keys
    # checked) that cannot be made: the cycle's tables must still drop.
    spec = CYCLE.read_text() + ("  nests:\n    rows: 3\n    columns:\n      id: {kind: sequence}\n"
                                "      hen: {kind: ref, to: hens.hen_id}\n"
                                "      n: {kind: integers, low: 1, high: 3}\n"
                                "    constraints: [\"n > 5\"]\n")
    with pytest.raises(GenerationError):
        rulegen.seed_database(spec, mysql_database)
    assert tables(mysql_database) == {}


def test_unique_indexes_are_read_and_met_on_append(mysql_database: str) -> None:
    """A composite unique index the database declares (not the spec) keeps appended rows apart;
    an index over a prefix of a column does not count as one."""
    query(mysql_database, "CREATE TABLE slots (slot_id INT AUTO_INCREMENT PRIMARY KEY, shelf INT NOT NULL, "
                          "bin VARCHAR(20) NOT NULL, UNIQUE KEY slots_place (shelf, bin), "
                          "UNIQUE KEY slots_prefix (bin(1), slot_id))")
    spec = """
version: 1
seed: 1
tables:
  slots:
    rows: 1
    primary_key: slot_id
    columns:
      slot_id: {kind: sequence}
      shelf: {kind: integers, low: 1, high: 4}
      bin: {kind: choice, values: [x, y, z]}
"""
    loaded = sum(rulegen.seed_database(spec, mysql_database, if_exists="append", seed=s)["slots"] for s in range(1, 25))
    held = query(mysql_database, "SELECT shelf, bin FROM slots")
    assert len(held) == len(set(held)) == loaded and 4 < loaded < 24  # 12 combinations: some draws repeat
    query(mysql_database, "INSERT INTO slots (shelf, bin) VALUES (9, 'new')")
    assert query(mysql_database, "SELECT max(slot_id) FROM slots")[0][0] == loaded + 1
