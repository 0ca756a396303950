"""``schemas/library.yaml`` keeps a lending library's rules, in files and in real databases.

The spec is generated once (fixed seed, CSV as a user would write it), checked clean by
``rulegen check``, and seeded into SQLite and a private PostgreSQL server. The rules its header
promises are then asserted on the data: loans after the member joined, denser on Saturdays and
in winter; due dates 14 or 21 days after the loan; returns after the snapshot not made yet;
exactly one fine per late return and none otherwise, its amount the days late times the daily
rate. The same fine rules are asked of both databases in SQL, so a loader that changed a date
or a null would be caught.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

import rulegen
from tests.conftest import ROOT

SPEC = ROOT / "schemas" / "library.yaml"
SCALE = 0.5
SNAPSHOT = pd.Timestamp("2025-01-01")  # the end of the spec's `as_of: 2024-12-31`

# The fine rules in SQL, over the seeded tables: each query counts the rows breaking one rule.
BROKEN_IN_SQL = {
    "a fine without a late return": """
        SELECT COUNT(*) FROM fines f JOIN loans l ON l.loan_id = f.loan_id
        WHERE l.returned_at IS NULL OR CAST(l.returned_at AS DATE) <= l.due_on""",
    "a late return without one fine": """
        SELECT COUNT(*) FROM loans l
        WHERE l.returned_at IS NOT NULL AND CAST(l.returned_at AS DATE) > l.due_on
          AND (SELECT COUNT(*) FROM fines f WHERE f.loan_id = l.loan_id) <> 1""",
    "an amount other than days late times the rate": """
        SELECT COUNT(*) FROM fines WHERE ABS(amount - days_late * daily_rate) > 0.005""",
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The spec written as CSV files at a fixed seed and scale."""
    directory = tmp_path_factory.mktemp("library") / "out"
    rulegen.write(SPEC, directory, "csv", scale=SCALE)
    return directory


@pytest.fixture(scope="module")
def data(written: Path) -> dict[str, pd.DataFrame]:
    """The written files, read back with their dates parsed."""
    dates = {"members": ["joined_on"], "loans": ["loaned_at", "due_on", "returned_at"],
             "fines": ["issued_on", "paid_on"], "books": []}
    return {table: pd.read_csv(written / f"{table}.csv", parse_dates=columns) for table, columns in dates.items()}


@pytest.fixture(scope="module")
def late(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The loans returned after their due day."""
    loans = data["loans"]
    return loans[loans.returned_at.notna() & (loans.returned_at.dt.normalize() > loans.due_on)]


def test_the_files_pass_check(written: Path) -> None:
    report = rulegen.check(SPEC, written)
    assert report.ok, report.render()
    assert not report.skipped, report.render()


def test_loans_come_after_joining_and_before_the_snapshot(data: dict[str, pd.DataFrame]) -> None:
    loans = data["loans"].merge(data["members"][["member_id", "tier", "joined_on"]], on="member_id")
    assert len(loans) > 1000
    assert (loans.loaned_at > loans.joined_on).all()
    assert (loans.loaned_at < SNAPSHOT).all()
    days = (loans.due_on - loans.loaned_at.dt.normalize()).dt.days
    assert days.eq(loans.tier.map({"premium": 21, "student": 14, "standard": 14})).all()
    assert loans.loan_days.eq(days).all()
    # A premium member borrows more a year than a standard one.
    years = (SNAPSHOT - data["members"].set_index("member_id").joined_on).dt.days / 365
    per_year = loans.groupby("member_id").size().reindex(years.index, fill_value=0) / years
    tiers = data["members"].set_index("member_id").tier
    assert per_year[tiers == "premium"].mean() > 1.8 * per_year[tiers == "standard"].mean()


def test_loans_are_denser_on_saturdays_and_in_winter(data: dict[str, pd.DataFrame]) -> None:
    at = data["loans"].loaned_at
    weekdays = at.dt.day_of_week.value_counts(normalize=True)
    assert weekdays[5] > 2 * weekdays[[0, 1, 2, 3, 4]].max()  # Saturday
    assert weekdays[6] < 0.5 * weekdays[[0, 1, 2, 3, 4]].min()  # Sunday: short opening hours
    # Per day of a year the library was open to these members (2024: all of them joined).
    months = at[at.dt.year == 2024].dt.month.value_counts()
    winter, summer = months[[1, 2]].sum() / 60, months[[6, 7, 8]].sum() / 92
    assert winter > 1.5 * summer
    assert at.dt.hour.value_counts().idxmax() in range(13, 18)


def test_returns_after_the_snapshot_are_not_made_yet(data: dict[str, pd.DataFrame]) -> None:
    loans = data["loans"]
    returned = loans.dropna(subset=["returned_at"])
    assert (returned.returned_at > returned.loaned_at).all() and (returned.returned_at < SNAPSHOT).all()
    open_loans = loans[loans.returned_at.isna()]
    assert 0 < len(open_loans) < 0.1 * len(loans)
    assert (open_loans.loaned_at > SNAPSHOT - pd.Timedelta(days=120)).all()
    overdue = open_loans.due_on < pd.Timestamp("2024-12-31")
    assert loans.overdue.eq(loans.loan_id.isin(open_loans.loan_id[overdue])).all() and overdue.any()


def test_every_late_return_has_exactly_one_fine_and_no_other_loan_has_one(
        data: dict[str, pd.DataFrame], late: pd.DataFrame) -> None:
    fines = data["fines"]
    assert 0.05 * len(data["loans"]) < len(late) < 0.5 * len(data["loans"])
    assert fines.loan_id.is_unique
    assert set(fines.loan_id) == set(late.loan_id)


def test_a_fine_is_the_days_late_times_the_daily_rate(data: dict[str, pd.DataFrame], late: pd.DataFrame) -> None:
    fines = data["fines"].merge(late, on="loan_id").merge(data["members"][["member_id", "tier"]], on="member_id")
    days_late = (fines.returned_at.dt.normalize() - fines.due_on).dt.days
    assert fines.days_late.eq(days_late).all() and (fines.days_late >= 1).all()
    assert fines.daily_rate.eq(fines.tier.map({"standard": 0.25, "student": 0.1, "premium": 0.1})).all()
    assert ((fines.amount - fines.days_late * fines.daily_rate).abs() < 0.005).all()
    assert fines.issued_on.eq(fines.returned_at.dt.normalize()).all()
    paid = fines.dropna(subset=["paid_on"])
    assert (paid.paid_on >= paid.issued_on).all() and (paid.paid_on < SNAPSHOT).all()
    assert 0.6 < len(paid) / len(fines) < 0.95


def test_best_sellers_are_lent_far_more(data: dict[str, pd.DataFrame]) -> None:
    books = data["books"].set_index("book_id")
    lent = data["loans"].groupby("book_id").size().reindex(books.index, fill_value=0)
    assert books.times_lent.eq(lent).all()
    assert lent.sort_values(ascending=False).head(len(books) // 10).sum() > 0.3 * lent.sum()


def test_seeded_into_sqlite_the_fine_rules_hold(data: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    database = tmp_path / "library.db"
    loaded = rulegen.seed_database(SPEC, f"sqlite:///{database}", scale=SCALE)
    assert loaded == {table: len(frame) for table, frame in data.items()}
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        # SQLite stores dates and timestamps as ISO text: compare the day of the return as text.
        for rule, query in BROKEN_IN_SQL.items():
            query = query.replace("CAST(l.returned_at AS DATE)", "substr(l.returned_at, 1, 10)")
            assert connection.execute(query).fetchone()[0] == 0, rule


def test_seeded_into_postgresql_the_fine_rules_hold(data: dict[str, pd.DataFrame], pg_database: str) -> None:
    import psycopg

    loaded = rulegen.seed_database(SPEC, pg_database, scale=SCALE)
    assert loaded == {table: len(frame) for table, frame in data.items()}
    with psycopg.connect(pg_database) as connection:
        types = dict(connection.execute(
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_name IN ('loans', 'fines')").fetchall())
        assert types["loans.due_on"] == "date" and types["loans.returned_at"].startswith("timestamp")
        for rule, query in BROKEN_IN_SQL.items():
            assert connection.execute(query).fetchone()[0] == 0, rule
        late = connection.execute("SELECT COUNT(*) FROM loans WHERE returned_at::date > due_on").fetchone()[0]
        assert late == len(data["fines"])
