"""Each guess from a name and a type: years, flags in the column's own form, rates on their
scale, money within the type's precision, Faker values that fit the column's width, and sampled
values of sensitive columns never kept."""

from __future__ import annotations

import datetime

import pytest

import rulegen
from rulegen.introspection.fitting import fitting_values
from rulegen.introspection.guesses import year_pattern
from rulegen.introspection.kinds import Hints, column_draft
from rulegen.introspection.model import ColumnInfo, classify_type
from rulegen.introspection.sample import summarize
from rulegen.kinds.pattern import parse_pattern
from rulegen.spec.emit import flow

TODAY = datetime.date(2025, 6, 30)


def draft(name: str, declared: str, *, table: str = "things", nullable: bool = False, hints: Hints | None = None,
          stats=None, unique: bool = False) -> dict:
    category, details = classify_type(declared)
    column = ColumnInfo(name=name, type_name=declared, category=category, nullable=nullable, **details)
    spec = column_draft(table, column, hints or Hints(), stats, dialect="sqlite", unique=unique, rows=1000,
                        today=TODAY).spec
    rulegen.compile(rulegen.load(f"version: 1\ntables:\n  t:\n    rows: 5\n    columns:\n      c: {flow(spec)}\n"))
    return spec


def test_years_are_recent_in_the_columns_own_form():
    assert draft("release_year", "INTEGER") == {"kind": "integers", "low": 1995, "high": 2025}
    assert draft("ModelYear", "YEAR") == {"kind": "integers", "low": 1995, "high": 2025}
    assert draft("year_of_birth", "SMALLINT") == {"kind": "integers", "low": 1940, "high": 2007}
    text = draft("release_year", "VARCHAR(4)")
    assert text["kind"] == "pattern"
    # A `year` domain's CHECK (1901..2155) keeps the recent years inside it.
    assert draft("release_year", "INTEGER", hints=Hints(low=1901, high=2155)) == \
        {"kind": "integers", "low": 1995, "high": 2025}


def test_year_pattern_makes_exactly_the_years():
    pattern = year_pattern(1995, 2025)
    import re

    assert [y for y in range(1000, 3000) if re.fullmatch(pattern, str(y))] == list(range(1995, 2026))
    assert year_pattern(2021, 2024) == "202[1-4]"
    parse_pattern(pattern)


@pytest.mark.parametrize(("name", "declared", "spec"), [
    ("is_active", "INTEGER", {"kind": "choice", "values": {1: 0.9, 0: 0.1}}),
    ("Discontinued", "BIT", {"kind": "choice", "values": {1: 0.1, 0: 0.9}}),
    ("has_pets", "TINYINT(1)", {"kind": "choice", "values": {1: 0.5, 0: 0.5}}),
    ("active", "CHAR(1)", {"kind": "choice", "values": {"Y": 0.9, "N": 0.1}}),
    ("vip_flag", "BOOLEAN", {"kind": "bool", "p": 0.5}),
    ("deleted", "BOOLEAN", {"kind": "bool", "p": 0.1}),
])
def test_flags_keep_the_columns_representation(name, declared, spec):
    assert draft(name, declared) == spec


def test_a_sample_overrules_a_flag_name():
    stats = summarize(ColumnInfo("active", "INTEGER", "integer"), list(range(50)))
    assert draft("active", "INTEGER", stats=stats)["kind"] != "choice"


@pytest.mark.parametrize(("name", "declared", "low", "high", "rounding"), [
    ("Discount", "REAL", 0, 0.3, None),
    ("discount", "NUMERIC(3, 2)", 0, 0.3, 2),
    ("discount", "NUMERIC(5, 2)", 0, 30, 2),
    ("discount", "INTEGER", 0, 30, None),
    ("tax_rate", "NUMERIC(4, 3)", 0, 1, 3),
    ("completion_pct", "NUMERIC(5, 2)", 0, 100, 2),
    ("ratio", "NUMERIC(2, 2)", 0, 0.99, 2),
])
def test_rates_on_their_scale(name, declared, low, high, rounding):
    spec = draft(name, declared)
    assert (spec["low"], spec["high"], spec.get("round")) == (low, high, rounding)


def test_money_within_the_columns_precision():
    assert draft("UnitPrice", "NUMERIC(4, 2)") == {"kind": "uniform", "low": 1, "high": 99.99, "round": 2}
    assert draft("salary", "NUMERIC(10, 2)") == {"kind": "uniform", "low": 20000, "high": 150000, "round": 2}
    assert draft("salary", "NUMERIC(4, 2)")["high"] == 99.99  # the type wins over the name
    assert draft("rental_rate", "NUMERIC(4, 2)")["high"] == 99.99  # money, not a share


@pytest.mark.parametrize(("name", "declared", "width"), [
    ("City", "VARCHAR(10)", 10), ("Country", "NVARCHAR(8)", 8), ("CompanyName", "VARCHAR(14)", 14),
    ("FirstName", "VARCHAR(6)", 6), ("Phone", "VARCHAR(12)", 12), ("Fax", "VARCHAR(24)", 24),
    ("PostalCode", "VARCHAR(5)", 5), ("ContactName", "VARCHAR(16)", 16),
])
def test_faker_values_fit_the_width(name, declared, width):
    spec = draft(name, declared, table="customers")
    frame = rulegen.generate(rulegen.load(
        f"version: 1\ntables:\n  t:\n    rows: 300\n    columns:\n      c: {flow(spec)}\n"))["t"]
    lengths = frame["c"].str.len()
    assert lengths.max() <= width
    assert spec["kind"] in ("faker", "choice", "pattern") and "[a-z]" not in spec.get("pattern", "")


def test_fitting_values_drop_long_values_only():
    values = fitting_values("city", 9)
    assert len(values) >= 5 and all(len(v) <= 9 for v in values) and len(set(values)) == len(values)


def test_sensitive_columns_keep_no_values():
    emails = ["ann@example.org", "bob@example.org"] * 30
    by_name = summarize(ColumnInfo("contact_email", "TEXT", "text"), emails, table="people")
    assert by_name.sensitive and by_name.categories is None
    disguised = summarize(ColumnInfo("login", "TEXT", "text"), emails, table="x")  # the shape gives it away
    assert disguised.sensitive and disguised.categories is None
    ssn = summarize(ColumnInfo("ssn", "INTEGER", "integer"), list(range(100_000_000, 100_000_060)))
    assert ssn.low is None and ssn.law is None
    kept = summarize(ColumnInfo("login", "TEXT", "text"), emails, allow_values=True)
    assert kept.categories == {"ann@example.org": 30, "bob@example.org": 30}
    plain = summarize(ColumnInfo("status", "TEXT", "text"), ["open", "closed"] * 30)
    assert not plain.sensitive and plain.categories == {"closed": 30, "open": 30}


@pytest.mark.parametrize("value", [
    "jane.doe@mail.example.com", "078-05-1120", "+1 (555) 123-4567", "4111111111111111",
    "GB82WEST12345698765432", "10.0.0.12", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    "5f4dcc3b5aa765d61d8327deb882cf99", "$2b$12$KIXQJ1x9n0o0aWq7sG3bOe", "eyJhbGciOiJIUzI1NiJ9.payload1",
    "742 Evergreen Terrace", "1600 Pennsylvania Ave NW",
])
def test_sensitive_shapes(value):
    from rulegen.introspection.sensitive import sensitive_shape

    assert sensitive_shape(value)


@pytest.mark.parametrize("value", ["open", "2024-01-31", "2024-01-31 10:00:00", "19.99", "New York", "A-113",
                                   "premium plan"])
def test_plain_values_are_not_sensitive(value):
    from rulegen.introspection.sensitive import sensitive_shape

    assert not sensitive_shape(value)


@pytest.mark.parametrize(("declared", "width"), [("VARCHAR(20)", 20), ("VARCHAR(30)", 30), ("VARCHAR(12)", 12)])
def test_unique_emails_and_logins_keep_their_shape_within_the_width(declared, width):
    for name in ("email", "username"):
        spec = draft(name, declared, unique=True)
        assert spec["unique"] and (spec["kind"] == "pattern" or spec.get("provider") == "user_name")
        assert ("@" in spec.get("pattern", "")) == (name == "email")
        frame = rulegen.generate(rulegen.load(
            f"version: 1\ntables:\n  t:\n    rows: 300\n    columns:\n      c: {flow(spec)}\n"))["t"]
        assert frame["c"].str.len().max() <= width and frame["c"].is_unique


@pytest.mark.parametrize(("column", "sensitive"), [
    ("email", True), ("ContactEmail", True), ("birth_year", True), ("password_reset_token", True),
    ("PhoneNumber", True), ("ip_address", True), ("ssn", True), ("card_number", True), ("Latitude", True),
    ("phone_type", False), ("card_type", False), ("address_kind", False), ("session_count", False),
    ("status", False), ("Country", False), ("unit_price", False),
])
def test_sensitive_names(column, sensitive):
    from rulegen.introspection.sensitive import sensitive_by_name

    assert sensitive_by_name("things", column) is sensitive


def test_faker_values_that_happen_to_be_real_ones_are_left_out(tmp_path):
    import sqlite3

    real = list(fitting_values("first_name", 10)[:5])  # real rows holding some of Faker's own names
    path = tmp_path / "staff.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE staff (id INTEGER PRIMARY KEY, FirstName VARCHAR(10) NOT NULL)")
        connection.executemany("INSERT INTO staff (FirstName) VALUES (?)", [(n,) for n in real * 20])
    text = rulegen.introspect(f"sqlite:///{path}", sample=100)
    spec = rulegen.load(text).tables["staff"].columns["FirstName"]
    assert spec.kind == "choice" and len(spec.options["values"]) >= 5
    assert not any(name in text for name in real)


def test_single_precision_categories_read_as_written():
    import numpy as np

    values = [float(np.float32(v)) for v in (0.05, 0.1, 0.25, 0.0)] * 10  # what PostgreSQL's real returns
    assert set(summarize(ColumnInfo("discount", "real", "float"), values).categories) == {0.05, 0.1, 0.25, 0.0}
    doubles = [0.123456789, 0.5] * 10
    assert set(summarize(ColumnInfo("share", "REAL", "float"), doubles).categories) == {0.123456789, 0.5}


def test_wide_char_columns_are_text_and_narrow_ones_codes():
    """A char(n) up to 16 wide holds codes of exactly n characters; a wider one is padded text
    (a name in a char(45) is not 45 capital letters)."""
    assert draft("iata", "CHAR(3)") == {"kind": "pattern", "pattern": "[A-Z]{3}"}
    assert draft("GovernmentForm", "CHAR(45)") == {"kind": "faker", "provider": "word"}
    assert draft("LocalName", "CHAR(45)")["kind"] != "pattern"


@pytest.mark.parametrize(("name", "spec"), [
    ("quantityOrdered", {"kind": "integers", "low": 1, "high": 10}),
    ("quantityInStock", {"kind": "integers", "low": 0, "high": 1000}),
    ("units_in_stock", {"kind": "integers", "low": 0, "high": 100}),
    ("Population", {"kind": "integers", "low": 1000, "high": 10_000_000}),
    ("orderLineNumber", {"kind": "integers", "low": 1, "high": 10}),
])
def test_counts_of_things_are_never_negative(name, spec):
    assert draft(name, "INT") == spec


@pytest.mark.parametrize("name", ["HeadOfState", "passenger_name", "guestName", "reviewer_name"])
def test_the_names_of_people_are_names(name):
    assert draft(name, "VARCHAR(60)") == {"kind": "faker", "provider": "name"}


def test_a_timestamp_bound_from_a_check_is_written_to_the_second():
    # `due <= now() + 1 year` on a timestamp: a date-only max would mean the end of that day, past the bound.
    high = datetime.datetime(2026, 6, 30)
    spec = draft("due", "TIMESTAMP", hints=Hints(high=high))
    assert spec["max"] == "2026-06-30T00:00:00"
    assert draft("due", "DATE", hints=Hints(high=high))["max"] == "2026-06-30"
