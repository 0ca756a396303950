"""Properties of `introspect --sample` over random tables: the spec always validates and
generates, the sample is drawn at random (not the first rows) and within its time bound."""

from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.introspection.model import Catalog, ColumnInfo, TableInfo
from rulegen.introspection.sample import _durations, read_samples
from rulegen.kinds.durations import parse_duration

NAMES = ["email", "Discount", "release_year", "is_active", "UnitPrice", "phone", "from_date", "to_date",
         "created_at", "updated_at", "BirthDate", "HireDate", "notes", "qty", "score", "BillingCity", "status",
         "tax_rate", "ModelYear", "discontinued", "amount", "ssn", "api_token", "percentComplete", "end_time",
         "start_time", "x"]

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
TYPES = {
    "INTEGER": st.integers(-10**9, 10**9),
    "SMALLINT": st.integers(-32768, 32767),
    "REAL": st.floats(-1e6, 1e6, allow_nan=False),
    "NUMERIC(5, 2)": st.decimals("-999.99", "999.99", places=2).map(float),
    "NUMERIC(3, 2)": st.decimals("-9.99", "9.99", places=2).map(float),
    "VARCHAR(4)": _TEXT.map(lambda s: s[:4]),
    "VARCHAR(12)": _TEXT,
    "CHAR(1)": st.sampled_from(["Y", "N", "y", "1", "x"]),
    "TEXT": _TEXT | st.emails() | st.sampled_from(["open", "closed"]),
    "DATE": st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 1, 1)).map(datetime.date.isoformat),
    "TIMESTAMP": st.datetimes(datetime.datetime(1950, 1, 1), datetime.datetime(2090, 1, 1)).map(
        lambda d: d.isoformat(sep=" ")),
    "BOOLEAN": st.sampled_from([0, 1]),
}


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[tuple[str, str]], list[tuple]]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True))
    types = [draw(st.sampled_from(sorted(TYPES))) for _ in names]
    rows = draw(st.lists(st.tuples(*[st.none() | TYPES[t] for t in types]), min_size=0, max_size=80))
    return list(zip(names, types, strict=True)), rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(table=tables())
def test_a_sampled_spec_always_validates_and_generates(tmp_path_factory, table):
    columns, rows = table
    path: Path = tmp_path_factory.mktemp("db") / "random.db"
    with sqlite3.connect(path) as connection:
        listed = ", ".join(f'"{n}" {t}' for n, t in columns)
        connection.execute(f'CREATE TABLE "t" (id INTEGER PRIMARY KEY, {listed})')
        if rows:
            connection.executemany(f'INSERT INTO "t" VALUES (NULL, {", ".join("?" * len(columns))})', rows)
    text = rulegen.introspect(f"sqlite:///{path}", sample=40)
    spec = rulegen.load(text)
    rulegen.compile(spec)
    frame = rulegen.generate(spec, rows={"t": 30})["t"]
    assert len(frame) == 30


def _numbers_db(path: Path, rows: int) -> Catalog:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE n (i INTEGER)")
        connection.executemany("INSERT INTO n VALUES (?)", [(i,) for i in range(rows)])
    column = ColumnInfo("i", "INTEGER", "integer")
    return Catalog("test", "sqlite", {"n": TableInfo("n", {"i": column}, rows=rows)})


def test_the_sample_is_random_rows_not_the_first(tmp_path):
    catalog = _numbers_db(tmp_path / "n.db", 5000)
    with sqlite3.connect(tmp_path / "n.db") as connection:
        stats = read_samples(connection, catalog, {}, 100)["n"].columns["i"]
    assert stats.count == 100 and stats.high > 1000  # the first 100 rows would end at 99


def test_a_sample_past_its_time_reads_the_first_rows(tmp_path):
    catalog = _numbers_db(tmp_path / "n.db", 5000)
    with sqlite3.connect(tmp_path / "n.db") as connection:
        stats = read_samples(connection, catalog, {}, 100, seconds=0)["n"].columns["i"]
    assert (stats.count, stats.low, stats.high) == (100, 0, 99)


def test_the_same_sample_every_run(tmp_path):
    catalog = _numbers_db(tmp_path / "n.db", 5000)
    with sqlite3.connect(tmp_path / "n.db") as connection:
        first, second = (read_samples(connection, catalog, {}, 100)["n"].columns["i"] for _ in range(2))
    assert (first.low, first.high, first.law) == (second.low, second.high, second.law)


def test_the_same_postgres_sample_every_run(pg_database):
    import psycopg

    with psycopg.connect(pg_database) as connection:
        connection.execute("CREATE TABLE n (i integer, x numeric(8, 2))")
        connection.execute("INSERT INTO n SELECT g, (g * 7919 % 1000) / 10.0 FROM generate_series(1, 5000) AS g")
    first, second = (rulegen.introspect(pg_database, sample=200) for _ in range(2))
    assert first == second and "i:" in first


def test_a_postgres_table_past_the_count_cap_is_thinned_then_shuffled(pg_database, monkeypatch):
    import psycopg

    from rulegen.introspection import postgres

    monkeypatch.setattr(postgres, "ROW_COUNT_CAP", 1000)  # as if the table had millions of rows
    with psycopg.connect(pg_database) as connection:
        connection.execute("CREATE TABLE n (i integer)")
        connection.execute("INSERT INTO n SELECT g FROM generate_series(1, 20000) AS g")
        connection.execute("ANALYZE n")
    catalog = postgres.read_postgres(postgres.connect_postgres(pg_database), "test")
    connection = postgres.connect_postgres(pg_database)
    stats = [read_samples(connection, catalog, {}, 100)["n"].columns["i"] for _ in range(2)]
    assert stats[0].count == 100 and stats[0].high > 5000  # not the first rows
    assert (stats[0].low, stats[0].high) == (stats[1].low, stats[1].high)  # the same every run


def test_children_counted_past_their_time_are_left_to_the_guess(tmp_path):
    from rulegen.introspection.model import ForeignKey

    catalog = _numbers_db(tmp_path / "n.db", 5000)
    with sqlite3.connect(tmp_path / "n.db") as connection:
        connection.execute("CREATE TABLE c (n_i INTEGER NOT NULL)")
        connection.executemany("INSERT INTO c VALUES (?)", [(i % 5000,) for i in range(20000)])
    link = ForeignKey(("n_i",), "n", ("i",))
    catalog.tables["c"] = TableInfo("c", {"n_i": ColumnInfo("n_i", "INTEGER", "integer", nullable=False)},
                                    foreign_keys=[link], rows=20000)
    with sqlite3.connect(tmp_path / "n.db") as connection:
        assert read_samples(connection, catalog, {"c": link}, 100)["c"].children == {4: 5000}
        assert read_samples(connection, catalog, {"c": link}, 100, seconds=0)["c"].children is None


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(gaps=st.lists(st.integers(0, 10**8), min_size=30, max_size=80) | st.integers(0, 10**8).map(lambda g: [g] * 40),
       dates=st.booleans())
def test_fitted_delays_always_validate(tmp_path_factory, gaps, dates):
    start = datetime.datetime(2020, 1, 1)
    path: Path = tmp_path_factory.mktemp("db") / "gaps.db"
    kind = "DATE" if dates else "TIMESTAMP"
    with sqlite3.connect(path) as connection:
        connection.execute(f"CREATE TABLE trip (id INTEGER PRIMARY KEY, start_time {kind}, end_time {kind})")
        rows = [(start + datetime.timedelta(hours=i), start + datetime.timedelta(hours=i, seconds=g))
                for i, g in enumerate(gaps)]
        text = (lambda d: d.date().isoformat()) if dates else (lambda d: d.isoformat(sep=" "))
        connection.executemany("INSERT INTO trip (start_time, end_time) VALUES (?, ?)",
                               [(text(a), text(b)) for a, b in rows])
    spec = rulegen.load(rulegen.introspect(f"sqlite:///{path}", sample=100))
    frame = rulegen.generate(spec, rows={"trip": 50})["trip"]
    assert len(frame) == 50



@given(seconds=st.floats(0, 1e13) | st.sampled_from([7.10219e-16, 1e-7, 4.9e-7, 86_400 * 1e7]),
       kind=st.sampled_from(["gamma", "uniform"]))
def test_a_fitted_delay_is_written_as_a_duration_the_spec_reads(seconds, kind):
    # A fit's lower bound of 7.1e-16 s was written `7.10219e-16s`, which no duration parses.
    written = _durations({"kind": kind, "scale": seconds, "truncate": [seconds, 2 * seconds]})
    for text, value in ((written["scale"], seconds), *zip(written["truncate"], (seconds, 2 * seconds), strict=True)):
        assert "e" not in text and parse_duration(text) == pytest.approx(value, rel=1e-5, abs=1e-6)
