"""Dates that follow each other by name, and framework bookkeeping tables left out."""

from __future__ import annotations

import pandas as pd
import pytest

import rulegen
from rulegen.introspection.bookkeeping import bookkeeping_tables
from rulegen.introspection.kinds import Draft
from rulegen.introspection.model import Catalog, ColumnInfo, ForeignKey, TableInfo
from rulegen.introspection.related import relate_dates
from rulegen.spec.emit import flow


def _dates(*names: str, kind: str = "date") -> dict[str, Draft]:
    return {n: Draft({"kind": kind, "min": "2020-01-01", "max": "2024-12-31"}) for n in names}


@pytest.mark.parametrize(("later", "earlier"), [
    ("to_date", "from_date"), ("valid_to", "valid_from"), ("DateTo", "DateFrom"), ("end_date", "start_date"),
    ("EndTime", "StartTime"), ("period_end", "period_start"), ("ends", "starts"), ("return_date", "rental_date"),
    ("ShippedDate", "OrderDate"), ("RequiredDate", "OrderDate"), ("updated_at", "created_at"),
    ("last_update", "create_date"), ("LastModified", "Created"), ("delivered_on", "shipped_on"),
    ("due_date", "invoice_date"), ("closed_at", "opened_at"), ("check_out", "check_in"), ("left_on", "hired_on"),
])
def test_pairs_follow_by_name(later, earlier):
    columns = _dates(earlier, later, "something_else")
    assert relate_dates(columns, set()) == []
    assert columns[later].spec["after"] == earlier and "min" not in columns[later].spec
    assert "after" not in columns[earlier].spec and "after" not in columns["something_else"].spec


@pytest.mark.parametrize(("first", "second"), [("start_date", "end_of_start"), ("order_date", "payment_date"),
                                               ("created_at", "birth_date"), ("from_date", "to_city")])
def test_unrelated_names_stay_apart(first, second):
    columns = _dates(first, second)
    relate_dates(columns, set())
    assert not any("after" in d.spec for d in columns.values())


def test_fixed_and_unique_columns_keep_their_range():
    columns = _dates("from_date", "to_date")
    relate_dates(columns, {"to_date"})
    assert "after" not in columns["to_date"].spec
    columns["to_date"].spec["unique"] = True
    relate_dates(columns, set())
    assert "after" not in columns["to_date"].spec


def test_hire_date_is_a_constraint_and_the_rows_meet_it():
    columns = {"birth_date": Draft({"kind": "date", "min": "1940-01-01", "max": "2007-12-31"}),
               "hire_date": Draft({"kind": "date", "min": "1995-01-01", "max": "2025-06-30", "null": 0.1})}
    constraints = relate_dates(columns, set())
    assert constraints == ["hire_date >= birth_date + years(16)"]
    assert columns["birth_date"].spec["max"] == "2007-12-31"  # hires up to 2025: every birth date fits
    listed = "\n".join(f"      {n}: {flow(d.spec)}" for n, d in columns.items())
    spec = rulegen.load(f"version: 1\ntables:\n  staff:\n    rows: 500\n    columns:\n{listed}\n"
                        f"    constraints: [{constraints[0]!r}]\n")
    frame = rulegen.generate(spec)["staff"]
    hired = frame.dropna()
    years = (pd.to_datetime(hired.hire_date) - pd.to_datetime(hired.birth_date)).dt.days / 365.25
    assert len(hired) > 300 and years.min() >= 16


def test_a_chain_of_dates_has_no_cycle():
    columns = _dates("order_date", "shipped_date", "delivered_date", kind="timestamp")
    relate_dates(columns, set())
    assert columns["shipped_date"].spec["after"] == "order_date"
    assert columns["delivered_date"].spec["after"] in ("shipped_date", "order_date")
    assert "after" not in columns["order_date"].spec


def _catalog(*tables: TableInfo) -> Catalog:
    return Catalog("test", "sqlite", {t.name: t for t in tables})


def _table(name: str, *columns: str, fks: list[ForeignKey] | None = None) -> TableInfo:
    return TableInfo(name, {c: ColumnInfo(c, "TEXT", "text") for c in columns}, foreign_keys=fks or [])


def test_bookkeeping_tables():
    catalog = _catalog(_table("alembic_version", "version_num"), _table("django_migrations", "id", "app", "name"),
                       _table("__EFMigrationsHistory", "MigrationId"), _table("schema_migrations", "version"),
                       _table("migrations", "id", "migration", "batch"), _table("customers", "id"),
                       _table("django_content_type", "id", "app_label", "model"),
                       _table("auth_permission", "id", "content_type_id",
                              fks=[ForeignKey(("content_type_id",), "django_content_type", ("id",))]))
    assert set(bookkeeping_tables(catalog)) == {"alembic_version", "django_migrations", "__EFMigrationsHistory",
                                                "schema_migrations", "migrations"}


def test_bookkeeping_names_that_are_application_data_are_kept():
    catalog = _catalog(_table("migrations", "id", "person_id", "moved_on"),  # people migrating: data
                       _table("schema_migrations", "version"), _table("audit", "id", "version_id",
                              fks=[ForeignKey(("version_id",), "schema_migrations", ("version",))]))
    assert bookkeeping_tables(catalog) == {}


def _sampled(tmp_path, rows: list[tuple[str, str]]) -> rulegen.Spec:
    import sqlite3

    path = tmp_path / "trips.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE trip (id INTEGER PRIMARY KEY, start_date DATE, end_date DATE)")
        connection.executemany("INSERT INTO trip (start_date, end_date) VALUES (?, ?)", rows)
    return rulegen.load(rulegen.introspect(f"sqlite:///{path}", sample=500))


def test_a_sample_fits_the_delay(tmp_path):
    import datetime

    day = datetime.date(2024, 1, 1)
    rows = [((day + datetime.timedelta(i)).isoformat(), (day + datetime.timedelta(i + 2 + i % 5)).isoformat())
            for i in range(200)]
    end = _sampled(tmp_path, rows).tables["trip"].columns["end_date"]
    assert end.options["after"] == "start_date"
    assert end.options["delay"].get("truncate", ["2d", "6d"]) == ["2d", "6d"]


def test_rows_out_of_order_leave_the_dates_apart(tmp_path):
    rows = [("2024-01-10", "2024-01-12")] * 100 + [("2024-02-10", "2024-02-01")]
    end = _sampled(tmp_path, rows).tables["trip"].columns["end_date"]
    assert "after" not in end.options


def test_births_end_sixteen_years_before_the_last_hire():
    columns = {"BirthDate": Draft({"kind": "date", "min": "1941-01-01", "max": "2008-12-31"}),
               "HireDate": Draft({"kind": "date", "min": "1992-04-01", "max": "1994-11-15"})}
    relate_dates(columns, set())
    assert columns["BirthDate"].spec == {"kind": "date", "min": "1941-01-01", "max": "1978-11-15"}
