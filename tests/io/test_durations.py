"""A duration column has one meaning in every output (rulegen.io.durations): seconds in CSV,
JSON Lines, SQLite and MySQL, Arrow durations in Parquet, INTERVAL in PostgreSQL and DuckDB;
and ``rulegen check`` reads each one back as the duration it was."""

from __future__ import annotations

import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.checking.convert import convert
from rulegen.checking.read import read_table
from rulegen.io.dialects import DIALECTS
from rulegen.io.durations import interval_text, seconds_columns, seconds_of, seconds_text
from rulegen.io.read import CSV_NULLS
from tests.security.sql_clients import (
    duckdb_query,
    load_duckdb,
    load_psql,
    load_sqlite_cli,
    postgres_query,
    sqlite_query,
)

SPEC_DATA = {
    "version": 1,
    "seed": 7,
    "tables": {"loans": {"rows": 40, "primary_key": "id", "columns": {
        "id": {"kind": "sequence"},
        "due_on": {"kind": "date", "min": "2024-01-01", "max": "2024-02-01"},
        "returned_at": {"kind": "timestamp", "min": "2023-12-01", "max": "2024-03-01", "null": 0.1},
        "late": {"kind": "expr", "expr": "date(returned_at) - due_on"},  # whole days, either sign, or null
        "kept": {"kind": "expr", "expr": "returned_at - timestamp(due_on)"},  # any number of seconds
    }}},
}
SPEC = yaml.safe_dump(SPEC_DATA)  # YAML text, as the API takes it
DAY = datetime.timedelta(days=1)


def expected() -> dict[str, list]:
    """The durations, computed in Python from the dates and timestamps the spec makes."""
    frame = rulegen.generate(SPEC)["loans"]
    due = [d.date() if hasattr(d, "date") else d for d in frame["due_on"]]
    back = [None if t is None or t != t else t.to_pydatetime() for t in frame["returned_at"]]
    late = [None if b is None else (b.date() - d) for d, b in zip(due, back, strict=True)]
    kept = [None if b is None else b - datetime.datetime.combine(d, datetime.time()) for d, b in
            zip(due, back, strict=True)]
    return {"late": late, "kept": kept}


def seconds(values: list) -> list:
    return [None if v is None else int(v.total_seconds()) for v in values]


@pytest.fixture(scope="module")
def durations() -> dict[str, list]:
    found = expected()
    assert any(v is not None and v < -DAY for v in found["late"]) and any(v is None for v in found["late"])
    return found


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_files_round_trip_through_check(tmp_path: Path, fmt: str, durations: dict[str, list]) -> None:
    paths = rulegen.write(SPEC, tmp_path, fmt)
    plan = rulegen.compile(SPEC)
    data = read_table(plan.tables["loans"], paths["loans"])
    assert not data.unparsed
    assert data.columns["late"].to_pylist() == durations["late"]
    assert data.columns["kept"].to_pylist() == durations["kept"]
    assert rulegen.check(SPEC, tmp_path).ok


def test_csv_and_jsonl_hold_seconds(tmp_path: Path, durations: dict[str, list]) -> None:
    paths = {fmt: rulegen.write(SPEC, tmp_path / fmt, fmt)["loans"] for fmt in ("csv", "jsonl")}
    first = next(i for i, v in enumerate(durations["late"]) if v is not None)
    late = seconds(durations["late"])[first]
    csv_row = paths["csv"].read_text().splitlines()[1 + first].split(",")
    assert csv_row[3] == str(late)
    assert f'"late":{late},' in paths["jsonl"].read_text().splitlines()[first]
    parquet = rulegen.write(SPEC, tmp_path / "parquet", "parquet")["loans"]
    assert pq.read_schema(parquet).field("late").type == pa.duration("s")


def test_check_flags_a_duration_that_is_not_seconds(tmp_path: Path) -> None:
    path = rulegen.write(SPEC, tmp_path, "csv")["loans"]
    lines = path.read_text().splitlines()
    cells = lines[1].split(",")
    cells[3] = "8 days"
    path.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    report = rulegen.check(SPEC, tmp_path)
    [violation] = report.violations
    assert (violation.table, violation.column_or_rule, violation.rule, violation.count) == ("loans", "late", "type", 1)
    assert violation.examples[0] == (0, "8 days")


def test_sqlite_script_loads_seconds(tmp_path: Path, durations: dict[str, list]) -> None:
    paths = rulegen.write(SPEC, tmp_path, "sql", dialect="sqlite")
    assert '"late" INTEGER' in paths["loans"].read_text()
    load_sqlite_cli(tmp_path / "db.sqlite", [paths["loans"]])
    rows = sqlite_query(tmp_path / "db.sqlite", "SELECT late, kept FROM loans ORDER BY id")
    assert [r[0] for r in rows] == seconds(durations["late"])
    assert [r[1] for r in rows] == seconds(durations["kept"])


def test_postgresql_script_loads_intervals(tmp_path: Path, pg_database: str, durations: dict[str, list]) -> None:
    paths = rulegen.write(SPEC, tmp_path, "sql", dialect="postgresql")
    assert '"late" INTERVAL' in paths["loans"].read_text()
    assert not any(load_psql(pg_database, [paths["loans"]]))
    rows = postgres_query(pg_database, "SELECT late, kept, pg_typeof(late)::text FROM loans ORDER BY id")
    assert [r[0] for r in rows] == durations["late"]
    assert [r[1] for r in rows] == durations["kept"]
    assert rows[0][2] == "interval"


def test_duckdb_script_loads_intervals(tmp_path: Path, durations: dict[str, list]) -> None:
    paths = rulegen.write(SPEC, tmp_path, "sql", dialect="duckdb")
    load_duckdb(tmp_path / "db.duckdb", [paths["loans"]])
    rows = duckdb_query(tmp_path / "db.duckdb", "SELECT late, kept, typeof(late) FROM loans ORDER BY id")
    assert [r[0] for r in rows] == durations["late"]
    assert [r[1] for r in rows] == durations["kept"]
    assert rows[0][2] == "INTERVAL"


def test_seed_sqlite_and_duckdb(tmp_path: Path, durations: dict[str, list]) -> None:
    rulegen.seed_database(SPEC, f"sqlite:///{tmp_path / 'a.sqlite'}")
    rows = sqlite_query(tmp_path / "a.sqlite", "SELECT late, kept, typeof(late) FROM loans ORDER BY id")
    assert [r[0] for r in rows] == seconds(durations["late"])
    assert [r[1] for r in rows] == seconds(durations["kept"])
    assert {r[2] for r in rows} == {"integer", "null"}
    rulegen.seed_database(SPEC, f"duckdb:///{tmp_path / 'a.duckdb'}")
    rows = duckdb_query(tmp_path / "a.duckdb", "SELECT late, kept, typeof(late) FROM loans ORDER BY id")
    assert [r[0] for r in rows] == durations["late"]
    assert [r[1] for r in rows] == durations["kept"]
    assert rows[0][2] == "INTERVAL"


def test_seed_postgresql(pg_database: str, durations: dict[str, list]) -> None:
    pytest.importorskip("psycopg")
    rulegen.seed_database(SPEC, pg_database)
    rows = postgres_query(pg_database, "SELECT late, kept, pg_typeof(late)::text FROM loans ORDER BY id")
    assert [r[0] for r in rows] == durations["late"]
    assert [r[1] for r in rows] == durations["kept"]
    assert rows[0][2] == "interval"


_TIMEDELTAS = st.timedeltas(min_value=datetime.timedelta(days=-3_000_000), max_value=datetime.timedelta(days=3_000_000))


@settings(deadline=None, max_examples=200)
@given(_TIMEDELTAS)
def test_duckdb_reads_the_interval_text_as_the_duration(value: datetime.timedelta) -> None:
    duckdb = pytest.importorskip("duckdb")
    with duckdb.connect() as connection:
        read = connection.execute(f"SELECT INTERVAL '{interval_text(value)}'").fetchone()[0]
    assert read == value


@given(_TIMEDELTAS)
def test_seconds_text_and_seconds_of_agree_with_python(value: datetime.timedelta) -> None:
    assert float(seconds_text(value)) == pytest.approx(value.total_seconds(), abs=1e-6)
    assert seconds_of(pa.array([value], pa.duration("us")))[0].as_py() == pytest.approx(value.total_seconds())
    if value.microseconds == 0:
        assert seconds_text(value) == str(int(value.total_seconds()))
        assert seconds_of(pa.array([value], pa.duration("s")))[0].as_py() == int(value.total_seconds())


@pytest.mark.parametrize(("text", "target", "value", "bad"), [
    ("691200", pa.duration("s"), datetime.timedelta(days=8), False),
    ("-1.5", pa.duration("ms"), datetime.timedelta(seconds=-1.5), False),
    ("0.1", pa.duration("ms"), datetime.timedelta(milliseconds=100), False),
    ("1.5", pa.duration("s"), None, True),
    ("315569519999.999", pa.duration("ms"), datetime.timedelta(days=3_652_424, seconds=86_399, milliseconds=999),
     False),
    ("8 days", pa.duration("s"), None, True),
])
def test_convert_reads_seconds_as_durations(text: str, target: pa.DataType, value: object, bad: bool) -> None:
    converted, flagged = convert(pa.array([text, None]), target)
    assert converted.type == target
    assert converted.to_pylist() == [value, None]
    assert flagged.tolist() == [bad, False]


TRICKY = [datetime.timedelta(0), datetime.timedelta(seconds=-1.5), datetime.timedelta(microseconds=1),
          datetime.timedelta(days=-12, seconds=3768), datetime.timedelta(days=3_652_424, seconds=86_399),
          datetime.timedelta(days=-3_652_424), datetime.timedelta(hours=25, microseconds=-1)]


def test_postgresql_reads_the_interval_text_as_the_duration(pg_database: str) -> None:
    texts = [interval_text(value) for value in TRICKY]
    rows = postgres_query(pg_database, "SELECT t::interval FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, i) "
                                       "ORDER BY i", [texts])
    assert [r[0] for r in rows] == TRICKY


@pytest.mark.parametrize(("dialect", "value", "literal"), [
    ("postgresql", datetime.timedelta(days=8, seconds=3), "INTERVAL '8 days 00:00:03'"),
    ("duckdb", datetime.timedelta(days=-12, seconds=3768), "INTERVAL '-11 days -22:57:12'"),
    ("sqlite", datetime.timedelta(days=8, seconds=3), "691203"),
    ("mysql", datetime.timedelta(seconds=-1.5), "-1.5"),
])
def test_sql_literals_of_durations(dialect: str, value: datetime.timedelta, literal: str) -> None:
    assert DIALECTS[dialect].literal(value) == literal


@settings(deadline=None)
@given(st.lists(st.one_of(st.none(), _TIMEDELTAS), max_size=20), st.sampled_from(["s", "ms", "us"]))
def test_seconds_in_csv_read_back_as_the_same_durations(values: list, unit: str) -> None:
    per_tick = {"s": datetime.timedelta(seconds=1), "ms": datetime.timedelta(milliseconds=1),
                "us": datetime.timedelta(microseconds=1)}[unit]
    values = [None if v is None else (v // per_tick) * per_tick for v in values]  # whole ticks of the unit
    if unit == "us":  # a float of seconds holds microseconds exactly up to about 100 days (rulegen.io.durations)
        values = [None if v is None else v % datetime.timedelta(days=100) for v in values]
    column = pa.array(values, pa.duration(unit))
    sink = pa.BufferOutputStream()
    rows = pa.array(range(len(values)))  # a second column: a row of one empty field would be an empty line
    pa_csv.write_csv(seconds_columns(pa.record_batch([rows, column], names=["i", "d"])), sink)
    read = pa_csv.read_csv(pa.BufferReader(sink.getvalue()),
                           convert_options=pa_csv.ConvertOptions(column_types={"d": pa.string()}, **CSV_NULLS))
    converted, bad = convert(read.column("d").combine_chunks(), pa.duration(unit))
    assert not bad.any()
    assert converted.to_pylist() == values
