"""`rulegen introspect --sample` on two shop schemas written for these tests (a trading company
in PascalCase, a music store in camelCase), in SQLite and PostgreSQL: the spec validates, the
guesses follow the names, the seeded values fit the columns (`seed --if-exists append` into
the same schema), and no sampled value of a sensitive column appears anywhere in the spec.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import rulegen
from rulegen.cli import main

# Every identifier is quoted, so that PostgreSQL keeps its case, as real ports of such schemas do.
TRADING = """
CREATE TABLE "Supplier" ("SupplierID" INTEGER PRIMARY KEY, "CompanyName" VARCHAR(40) NOT NULL,
    "ContactName" VARCHAR(30), "ContactTitle" VARCHAR(30), "City" VARCHAR(15), "PostalCode" VARCHAR(10),
    "Country" VARCHAR(15), "Phone" VARCHAR(24), "HomePage" TEXT);
CREATE TABLE "Category" ("CategoryID" INTEGER PRIMARY KEY, "CategoryName" VARCHAR(15) NOT NULL, "Description" TEXT);
CREATE TABLE "Product" ("ProductID" INTEGER PRIMARY KEY, "ProductName" VARCHAR(40) NOT NULL,
    "SupplierID" INTEGER REFERENCES "Supplier" ("SupplierID"),
    "CategoryID" INTEGER REFERENCES "Category" ("CategoryID"),
    "UnitPrice" NUMERIC(10, 2), "UnitsInStock" SMALLINT, "Discontinued" INTEGER NOT NULL);
CREATE TABLE "Staff" ("StaffID" INTEGER PRIMARY KEY, "LastName" VARCHAR(20) NOT NULL, "FirstName" VARCHAR(10) NOT NULL,
    "BirthDate" DATE, "HireDate" DATE, "HomePhone" VARCHAR(24), "SSN" VARCHAR(11),
    "ManagerID" INTEGER REFERENCES "Staff" ("StaffID"));
CREATE TABLE "Client" ("ClientCode" CHAR(5) PRIMARY KEY, "CompanyName" VARCHAR(40) NOT NULL,
    "ContactName" VARCHAR(30), "Address" VARCHAR(60), "City" VARCHAR(15), "PostalCode" VARCHAR(10),
    "Country" VARCHAR(15), "Phone" VARCHAR(24), "Fax" VARCHAR(24), "Email" VARCHAR(60));
CREATE TABLE "SalesOrder" ("OrderID" INTEGER PRIMARY KEY,
    "ClientCode" CHAR(5) NOT NULL REFERENCES "Client" ("ClientCode"), "StaffID" INTEGER REFERENCES "Staff" ("StaffID"),
    "OrderDate" DATE NOT NULL, "RequiredDate" DATE, "ShippedDate" DATE, "Freight" NUMERIC(10, 2),
    "ShipCity" VARCHAR(15), "ShipCountry" VARCHAR(15));
CREATE TABLE "OrderLine" ("OrderID" INTEGER NOT NULL REFERENCES "SalesOrder" ("OrderID"),
    "ProductID" INTEGER NOT NULL REFERENCES "Product" ("ProductID"), "UnitPrice" NUMERIC(10, 2) NOT NULL,
    "Quantity" SMALLINT NOT NULL, "Discount" REAL NOT NULL, PRIMARY KEY ("OrderID", "ProductID"));
"""

MUSIC = """
CREATE TABLE "performer" ("performerId" INTEGER PRIMARY KEY, "name" VARCHAR(60));
CREATE TABLE "record" ("recordId" INTEGER PRIMARY KEY, "title" VARCHAR(80) NOT NULL,
    "performerId" INTEGER NOT NULL REFERENCES "performer" ("performerId"), "releaseYear" VARCHAR(4));
CREATE TABLE "song" ("songId" INTEGER PRIMARY KEY, "name" VARCHAR(100) NOT NULL,
    "recordId" INTEGER REFERENCES "record" ("recordId"), "composer" VARCHAR(120), "durationMs" INTEGER NOT NULL,
    "unitPrice" NUMERIC(4, 2) NOT NULL, "explicitFlag" CHAR(1));
CREATE TABLE "listener" ("listenerId" INTEGER PRIMARY KEY, "firstName" VARCHAR(20) NOT NULL,
    "lastName" VARCHAR(20) NOT NULL, "email" VARCHAR(60) NOT NULL, "phone" VARCHAR(24), "billingCity" VARCHAR(20),
    "billingCountry" VARCHAR(20), "billingPostalCode" VARCHAR(10), "passwordHash" CHAR(64), "apiToken" VARCHAR(40),
    "isActive" SMALLINT NOT NULL);
CREATE TABLE "purchase" ("purchaseId" INTEGER PRIMARY KEY,
    "listenerId" INTEGER NOT NULL REFERENCES "listener" ("listenerId"), "purchasedAt" TIMESTAMP NOT NULL,
    "total" NUMERIC(10, 2) NOT NULL);
CREATE TABLE "purchase_line" ("purchaseLineId" INTEGER PRIMARY KEY,
    "purchaseId" INTEGER NOT NULL REFERENCES "purchase" ("purchaseId"),
    "songId" INTEGER NOT NULL REFERENCES "song" ("songId"), "unitPrice" NUMERIC(4, 2) NOT NULL,
    "quantity" INTEGER NOT NULL);
CREATE TABLE "schema_migrations" ("version" VARCHAR(20) PRIMARY KEY);
"""

# Invented surnames and given names, few of them, so that a column of them looks categorical.
SURNAMES = ["Quixley", "Brannagh", "Ostrowe", "Velancourt", "Thimbleby"]
GIVEN = ["Aldwyn", "Berengar", "Corisande", "Dervla", "Elspeth"]
CITIES = ["Lisbon", "Oslo", "Quito", "Hanoi"]
COUNTRIES = ["Portugal", "Norway", "Ecuador", "Vietnam"]

# The columns whose sampled values must never reach the spec.
SENSITIVE = {
    "Supplier": ["ContactName", "Phone", "HomePage", "PostalCode", "CompanyName"],
    "Staff": ["LastName", "FirstName", "HomePhone", "SSN", "BirthDate"],
    "Client": ["ContactName", "Address", "Phone", "Fax", "Email", "PostalCode", "CompanyName"],
    "listener": ["firstName", "lastName", "email", "phone", "billingPostalCode", "passwordHash", "apiToken"],
}


def _phone(r: random.Random) -> str:
    return f"({r.randint(200, 999)}) 555-{r.randint(1000, 9999)}"


def trading_rows(r: random.Random) -> dict[str, list[tuple[Any, ...]]]:
    """A small trading company: few distinct contact values, so only the privacy rule keeps them out."""
    day = datetime.date(2021, 1, 1)
    suppliers = [(i, f"{SURNAMES[i % 5]} Trading", f"{GIVEN[i % 5]} {SURNAMES[i % 3]}", "Owner", CITIES[i % 4],
                  f"{40000 + i % 3}", COUNTRIES[i % 4], _phone(random.Random(i % 3)),
                  f"https://{SURNAMES[i % 5]}.test/")
                 for i in range(1, 13)]
    categories = [(i, f"Shelf {i}", "Goods of one kind") for i in range(1, 6)]
    products = [(i, f"Item {i}", 1 + i % 12, 1 + i % 5, decimal.Decimal(r.lognormvariate(3, 0.8)).quantize(
        decimal.Decimal("0.01")), r.randint(0, 120), int(i % 9 == 0)) for i in range(1, 78)]
    staff = [(i, SURNAMES[i % 5], GIVEN[i % 5], day.replace(year=1960 + i * 3), day.replace(year=2010 + i),
              _phone(random.Random(100 + i % 2)), f"{100 + i % 2:03d}-55-{4000 + i % 2}", None if i == 1 else 1)
             for i in range(1, 10)]
    clients = [(f"C{i:04d}", f"{SURNAMES[i % 5]} & Sons", f"{GIVEN[i % 5]} {SURNAMES[(i + 1) % 5]}",
                f"{10 + i % 4} {SURNAMES[i % 4]} Street", CITIES[i % 4], f"{90000 + i % 2}", COUNTRIES[i % 4],
                _phone(random.Random(200 + i % 3)), _phone(random.Random(300 + i % 2)),
                f"{GIVEN[i % 5].lower()}@{SURNAMES[i % 3].lower()}.test") for i in range(1, 92)]
    orders, lines = [], []
    for i in range(1, 831):
        ordered = day + datetime.timedelta(days=r.randint(0, 700))
        shipped = None if i % 20 == 0 else ordered + datetime.timedelta(days=r.randint(1, 9))
        orders.append((i, clients[r.randrange(len(clients))][0], 1 + i % 9, ordered, ordered + datetime.timedelta(28),
                       shipped, decimal.Decimal(r.expovariate(1 / 80)).quantize(decimal.Decimal("0.01")),
                       CITIES[i % 4], COUNTRIES[i % 4]))
        for product in r.sample(range(1, 78), r.randint(1, 4)):
            lines.append((i, product, products[product - 1][4], r.randint(1, 40), r.choice([0, 0, 0.05, 0.1, 0.25])))
    return {"Supplier": suppliers, "Category": categories, "Product": products, "Staff": staff, "Client": clients,
            "SalesOrder": orders, "OrderLine": lines}


def music_rows(r: random.Random) -> dict[str, list[tuple[Any, ...]]]:
    """A small music store; listeners' personal values repeat (a handful of distinct ones)."""
    performers = [(i, f"The {SURNAMES[i % 5]}s {i}") for i in range(1, 41)]
    records = [(i, f"Record {i}", 1 + i % 40, str(1970 + i % 50)) for i in range(1, 101)]
    songs = [(i, f"Song {i}", 1 + i % 100, None if i % 3 else f"{GIVEN[i % 5]} {SURNAMES[i % 5]}",
              int(r.gammavariate(8, 30_000)), decimal.Decimal("0.99") if i % 10 else decimal.Decimal("1.99"),
              "Y" if i % 7 == 0 else "N") for i in range(1, 501)]
    listeners = [(i, GIVEN[i % 5], SURNAMES[i % 5], f"{GIVEN[i % 5].lower()}.{SURNAMES[i % 5].lower()}@post.test",
                  _phone(random.Random(i % 4)), CITIES[i % 4], COUNTRIES[i % 4], f"{1000 + i % 3}",
                  hashlib.sha256(f"pw{i % 3}".encode()).hexdigest(),
                  f"tok_{hashlib.md5(str(i % 2).encode()).hexdigest()}",
                  int(i % 6 != 0)) for i in range(1, 60)]
    purchases, lines = [], []
    line = 0
    for i in range(1, 413):
        at = datetime.datetime(2022, 1, 1) + datetime.timedelta(minutes=r.randint(0, 900_000))
        picked = [r.randint(1, 500) for _ in range(r.choice([1, 1, 2, 5, 9]))]
        purchases.append((i, 1 + r.randrange(59), at, decimal.Decimal(sum(songs[s - 1][5] for s in picked))))
        for song in picked:
            line += 1
            lines.append((line, i, song, songs[song - 1][5], 1))
    return {"performer": performers, "record": records, "song": songs, "listener": listeners, "purchase": purchases,
            "purchase_line": lines, "schema_migrations": [("20240101120000",), ("20240301090000",)]}


def _insert(execute: Any, table: str, rows: list[tuple[Any, ...]], marker: str) -> None:
    execute(f'INSERT INTO "{table}" VALUES ({", ".join([marker] * len(rows[0]))})', rows)


def _sensitive_values(rows: dict[str, list[tuple[Any, ...]]], schema: str, table: str, column: str) -> set[str]:
    """Every value of one column, as text (and dates as ISO text)."""
    columns = _column_names(schema, table)
    index = columns.index(column)
    return {str(row[index]) for row in rows[table] if row[index] is not None}


def _column_names(schema: str, table: str) -> list[str]:
    connection = sqlite3.connect(":memory:")
    connection.executescript(schema)
    return [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]


def _assert_no_sensitive_value(text: str, rows: dict[str, list[tuple[Any, ...]]], schema: str) -> None:
    for table, columns in SENSITIVE.items():
        if table not in rows:
            continue
        for column in columns:
            leaked = [v for v in _sensitive_values(rows, schema, table, column) if v in text]
            assert not leaked, f"{table}.{column}: {leaked[:3]} copied into the spec"


CASES = [("trading", TRADING, trading_rows), ("music", MUSIC, music_rows)]


# --- SQLite -------------------------------------------------------------------------------
def _sqlite_source(path: Path, schema: str, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    def plain(value: Any) -> Any:
        if isinstance(value, decimal.Decimal):
            return float(value)
        return value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else \
            value.isoformat() if isinstance(value, datetime.date) else value

    with sqlite3.connect(path) as connection:
        connection.executescript(schema)
        for table, values in rows.items():
            _insert(connection.executemany, table, [tuple(map(plain, row)) for row in values], "?")


@pytest.mark.parametrize(("name", "schema", "make"), CASES, ids=[c[0] for c in CASES])
def test_sqlite_sampled_spec_validates_seeds_and_keeps_no_sensitive_value(tmp_path, name, schema, make):
    rows = make(random.Random(7))
    source = tmp_path / "source.db"
    _sqlite_source(source, schema, rows)
    out = tmp_path / "spec.yaml"
    runner = CliRunner()
    result = runner.invoke(main, ["introspect", f"sqlite:///{source}", "--sample", "500", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["validate", str(out)]).exit_code == 0
    text = out.read_text()
    _assert_no_sensitive_value(text, rows, schema)
    target = tmp_path / "copy.db"
    with sqlite3.connect(target) as connection:
        connection.executescript(schema)
    loaded = rulegen.seed_database(rulegen.load(text), f"sqlite:///{target}", if_exists="append")
    assert min(loaded.values()) > 0
    with sqlite3.connect(target) as connection:  # SQLite does not enforce widths: check them here
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        for table in loaded:
            for _, column, declared, *_ in connection.execute(f'PRAGMA table_info("{table}")'):
                if "CHAR(" in declared.upper():
                    width = int(declared.split("(")[1].rstrip(")"))
                    longest = connection.execute(f'SELECT max(length("{column}")) FROM "{table}"').fetchone()[0]
                    assert (longest or 0) <= width, f"{table}.{column}: {longest} > {declared}"


def test_sqlite_trading_guesses_follow_the_names(tmp_path):
    rows = trading_rows(random.Random(7))
    source = tmp_path / "source.db"
    _sqlite_source(source, TRADING, rows)
    text = rulegen.introspect(f"sqlite:///{source}", sample=2000)
    spec = rulegen.load(text)
    product, order, line = (spec.tables[t].columns for t in ("Product", "SalesOrder", "OrderLine"))
    assert product["Discontinued"].kind == "choice" and set(product["Discontinued"].options["values"]) == {0, 1}
    assert product["UnitPrice"].kind not in ("uniform", "integers")  # a law fitted to the sample
    assert order["ShippedDate"].options["after"] == "OrderDate"
    assert order["RequiredDate"].options["after"] == "OrderDate"
    delay = order["ShippedDate"].options["delay"]  # 1 to 9 days in the sample: fitted
    assert delay.get("truncate", ["1d", "9d"]) == ["1d", "9d"]
    assert [c.expr for c in spec.tables["Staff"].constraints] == ["HireDate >= BirthDate + years(16)"]
    assert set(line["Discount"].options["values"]) == {0, 0.05, 0.1, 0.25}  # few values: weighted as sampled
    staff = spec.tables["Staff"].columns
    assert staff["LastName"].kind == "faker" and staff["SSN"].kind != "choice"  # few values, all personal
    law = spec.tables["SalesOrder"].rows.law  # clients with 0..n orders, fitted
    assert law.kind in ("poisson", "negative_binomial", "integers", "binomial")


def test_sqlite_bookkeeping_tables_are_left_out_unless_kept(tmp_path):
    source = tmp_path / "source.db"
    _sqlite_source(source, MUSIC, music_rows(random.Random(7)))
    text = rulegen.introspect(f"sqlite:///{source}")
    assert "schema_migrations:" not in text and "schema_migrations (Rails" in text
    kept = rulegen.introspect(f"sqlite:///{source}", keep_bookkeeping=True)
    assert "  schema_migrations:" in kept


def test_allow_values_lets_sampled_values_in(tmp_path):
    source = tmp_path / "source.db"
    rows = music_rows(random.Random(7))
    _sqlite_source(source, MUSIC, rows)
    result = CliRunner().invoke(main, ["introspect", f"sqlite:///{source}", "--sample", "500", "--allow-values"])
    assert result.exit_code == 0 and "Quixley" in result.output  # lastName: five values, kept when allowed


# --- PostgreSQL ---------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "schema", "make"), CASES, ids=[c[0] for c in CASES])
def test_postgres_sampled_spec_validates_seeds_and_keeps_no_sensitive_value(pg_database, name, schema, make):
    import psycopg

    rows = make(random.Random(7))
    with psycopg.connect(pg_database) as connection:
        connection.execute(schema)
        with connection.cursor() as cursor:
            for table, values in rows.items():
                _insert(cursor.executemany, table, values, "%s")
    text = rulegen.introspect(pg_database, sample=300)
    spec = rulegen.load(text)
    rulegen.compile(spec)
    _assert_no_sensitive_value(text, rows, schema)
    with psycopg.connect(pg_database) as connection:  # the same schema, emptied: the seed must fit it
        connection.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in rows) + " CASCADE")
    loaded = rulegen.seed_database(spec, pg_database, if_exists="append")
    assert min(loaded.values()) > 0 and "schema_migrations" not in loaded


DJANGO_LIKE = """
CREATE TABLE "django_migrations" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "app" VARCHAR(255) NOT NULL,
    "name" VARCHAR(255) NOT NULL, "applied" DATETIME NOT NULL);
CREATE TABLE "django_content_type" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "app_label" VARCHAR(100) NOT NULL,
    "model" VARCHAR(100) NOT NULL, UNIQUE ("app_label", "model"));
CREATE TABLE "auth_permission" ("id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "content_type_id" INTEGER NOT NULL REFERENCES "django_content_type" ("id"),
    "codename" VARCHAR(100) NOT NULL, "name" VARCHAR(255) NOT NULL);
CREATE TABLE "auth_user" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "password" VARCHAR(128) NOT NULL,
    "last_login" DATETIME NULL, "is_superuser" BOOL NOT NULL, "username" VARCHAR(150) NOT NULL UNIQUE,
    "last_name" VARCHAR(150) NOT NULL, "email" VARCHAR(254) NOT NULL, "is_staff" BOOL NOT NULL,
    "is_active" BOOL NOT NULL, "date_joined" DATETIME NOT NULL, "first_name" VARCHAR(150) NOT NULL);
CREATE TABLE "shop_order" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "created_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL, "discount_pct" SMALLINT NOT NULL, "is_gift" BOOL NOT NULL,
    "user_id" INTEGER NOT NULL REFERENCES "auth_user" ("id"));
"""


def test_a_django_style_schema_leaves_out_its_migrations_only(tmp_path):
    source = tmp_path / "app.db"
    with sqlite3.connect(source) as connection:
        connection.executescript(DJANGO_LIKE)
    text = rulegen.introspect(f"sqlite:///{source}")
    spec = rulegen.load(text)
    assert "django_migrations" not in spec.tables and "django_content_type" in spec.tables
    user, order = spec.tables["auth_user"].columns, spec.tables["shop_order"].columns
    assert (user["is_active"].kind, user["is_active"].options["p"]) == ("bool", 0.9)
    assert order["updated_at"].options["after"] == "created_at"
    assert (order["discount_pct"].options["low"], order["discount_pct"].options["high"]) == (0, 30)
    target = tmp_path / "copy.db"
    with sqlite3.connect(target) as connection:
        connection.executescript(DJANGO_LIKE)
    loaded = rulegen.seed_database(spec, f"sqlite:///{target}", if_exists="append", scale=0.1)
    assert min(loaded.values()) > 0
    with sqlite3.connect(target) as connection:
        assert connection.execute("SELECT count(*) FROM django_migrations").fetchone()[0] == 0


PG_GUESSES = """
CREATE DOMAIN year AS integer CHECK (VALUE >= 1901 AND VALUE <= 2155);
CREATE TABLE "catalog_item" (
    "item_id" serial PRIMARY KEY, "releaseYear" year, "model_year" varchar(4),
    "inStock" char(1) NOT NULL, "has_warranty" smallint NOT NULL, "active" boolean NOT NULL,
    "discount" numeric(3, 2) NOT NULL, "taxRatePct" numeric(5, 2), "unitPrice" numeric(6, 2) NOT NULL,
    "supplierPhone" varchar(14), "originCountry" varchar(12), "City" varchar(9), "valid_from" date NOT NULL,
    "valid_to" date);
"""


def test_postgres_guesses_load_in_the_columns_own_types(pg_database):
    """Years in a domain, flags as char(1) and smallint, rates, money and places that fit their
    widths: PostgreSQL checks every one of them on load."""
    import psycopg

    with psycopg.connect(pg_database) as connection:
        connection.execute(PG_GUESSES)
    spec = rulegen.load(rulegen.introspect(pg_database))
    item = spec.tables["catalog_item"].columns
    assert (item["releaseYear"].options["low"], item["releaseYear"].options["high"]) == \
        (datetime.date.today().year - 30, datetime.date.today().year)
    assert set(item["has_warranty"].options["values"]) == {0, 1}
    assert set(item["inStock"].options["values"]) == {"Y", "N"}
    assert item["discount"].options["high"] == 0.3 and item["taxRatePct"].options["high"] == 100
    assert item["valid_to"].options["after"] == "valid_from"
    loaded = rulegen.seed_database(spec, pg_database, if_exists="append", rows={"catalog_item": 500})
    assert loaded == {"catalog_item": 500}
    with psycopg.connect(pg_database) as connection:
        out_of_order = connection.execute('SELECT count(*) FROM "catalog_item" WHERE "valid_to" < "valid_from"')
        assert out_of_order.fetchone()[0] == 0
