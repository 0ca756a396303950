"""``as_of`` (rulegen/spec/as_of.py): the day a spec's data describes, named in expressions.

It is a date when written as one and a timestamp otherwise, every table reads it (expressions,
counts per parent row, bounds of dates), it is never written, a table's own column of that name
wins, and a spec without it has no such column at all.
"""

from __future__ import annotations

import pandas as pd

import rulegen

SPEC = """
version: 1
{as_of}
tables:
  loans:
    rows: 400
    primary_key: id
    columns:
      id:        {{kind: sequence}}
      loaned_on: {{kind: date, min: 2024-01-01, max: as_of}}
      open:      {{kind: expr, expr: "loaned_on + days(30) > as_of"}}
  reminders:
    rows: {{per: loans, count: "if(open, 0, 1)"}}
    columns:
      loan_id: {{kind: ref, to: loans.id}}
      at:      {{kind: expr, expr: "as_of"}}
"""


def test_as_of_is_a_date_read_by_every_table_and_never_written() -> None:
    data = rulegen.generate(SPEC.format(as_of="as_of: 2024-03-31"), seed=1)
    loans, reminders = data["loans"], data["reminders"]
    assert "as_of" not in loans.columns and "as_of" not in reminders.columns
    loaned = pd.to_datetime(loans.loaned_on)
    assert loaned.max() <= pd.Timestamp("2024-03-31") and loaned.min() >= pd.Timestamp("2024-01-01")
    assert loans.open.eq(loaned + pd.Timedelta(days=30) > pd.Timestamp("2024-03-31")).all()
    assert set(reminders.loan_id) == set(loans.id[~loans.open]) and len(reminders) > 0
    assert set(reminders["at"].astype(str)) == {"2024-03-31"}


def test_as_of_written_as_an_instant_is_a_timestamp() -> None:
    reminders = rulegen.generate(SPEC.format(as_of='as_of: "2024-03-31 18:30"'), seed=1)["reminders"]
    assert set(reminders["at"]) == {pd.Timestamp("2024-03-31 18:30")}


def test_a_tables_own_as_of_column_wins_and_without_as_of_there_is_none() -> None:
    spec = rulegen.load(SPEC.format(as_of="as_of: 2024-03-31").replace(
        "      open:", "      as_of:     {kind: date, min: 2024-02-01, max: 2024-02-01}\n      open:"))
    assert spec.tables["loans"].columns["as_of"].pointer.startswith("/tables/loans/")
    assert spec.tables["reminders"].columns["as_of"].pointer == "/as_of"
    loans = rulegen.generate(spec, seed=1)["loans"]
    assert pd.to_datetime(loans.loaned_on).max() <= pd.Timestamp("2024-02-01")
    plain = rulegen.load("version: 1\ntables:\n  t:\n    rows: 1\n    columns:\n      x: {kind: sequence}\n")
    assert list(plain.tables["t"].columns) == ["x"]


def test_a_bound_that_is_as_of_is_a_fixed_range() -> None:
    spec = """
version: 1
as_of: "2024-06-30 12:00"
tables:
  visits:
    rows: 180
    columns:
      day:   {kind: date, min: 2024-01-01, max: as_of, unique: true}
      at:    {kind: timestamp, min: 2024-01-01, max: as_of, seasonality: {weekly: {sat: 10}}}
      local: {kind: timestamp, min: 2024-01-01, max: as_of, tz: Europe/Berlin}
"""
    plan = rulegen.compile(spec)
    visits = plan.tables["visits"].columns
    assert visits["day"].spec.options["max"] == "2024-06-30"  # a date's bound: the day of the instant
    assert visits["at"].spec.options["max"] == "2024-06-30 12:00"
    assert visits["local"].spec.options["max"] == "as_of"  # wall clock against an instant: kept an expression
    data = rulegen.generate(spec, seed=2)["visits"]
    at = pd.to_datetime(data["at"])
    assert at.max() <= pd.Timestamp("2024-06-30 12:00") and (at.dt.day_of_week == 5).mean() > 0.4  # seasonal
    assert pd.to_datetime(data["day"]).max() <= pd.Timestamp("2024-06-30")


def test_a_date_bound_from_an_instant_with_an_offset_is_its_utc_day() -> None:
    spec = rulegen.load("""
version: 1
as_of: 2024-12-31T01:00:00+02:00
tables:
  t: {rows: 5, columns: {day: {kind: date, min: 2024-01-01, max: as_of}}}
""")
    assert spec.tables["t"].columns["day"].options["max"] == "2024-12-30"  # as the expression `as_of` reads
