"""Which declared column types hold which values on ``--if-exists append``: by the words of the
type, never by a substring (``int`` is in ``interval`` and ``point``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa
import pytest

import rulegen
from rulegen.errors import OutputError
from rulegen.io.loaders import LOADERS, Loader, SqliteLoader, type_names
from rulegen.io.urls import parse_url

INT, FLOAT, BOOL, TEXT = pa.int64(), pa.float64(), pa.bool_(), pa.string()
DATE, STAMP, SECONDS = pa.date32(), pa.timestamp("s"), pa.duration("s")

CASES = [
    # (declared, values, held)
    ("interval", INT, False), ("interval", FLOAT, False), ("interval", SECONDS, True), ("interval", TEXT, True),
    ("interval day to second", INT, False), ("point", INT, False), ("point", TEXT, True),
    ("integer", INT, True), ("int4", INT, True), ("bigint", BOOL, True), ("smallserial", INT, True),
    ("tinyint(1)", BOOL, True), ("numeric(10,2)", INT, True), ("double precision", FLOAT, True),
    ("integer", TEXT, False), ("integer", DATE, False), ("integer", SECONDS, True),
    ("year (integer)", INT, True), ("minutes (interval)", INT, False), ("minutes (interval)", SECONDS, True),
    ("character varying(20)", TEXT, True), ("varchar (20)", TEXT, True), ("varchar (20)", INT, False),
    ("text", DATE, True), ("text", STAMP, True), ("timestamp without time zone", STAMP, True),
    ("timestamptz", STAMP, True), ("datetime", DATE, True), ("date", STAMP, False),
    ("mood", TEXT, True), ("mood", INT, False), ("inet", TEXT, True), ("inet", INT, False),
    ("int4range", INT, True), ("smalldatetime", DATE, True), ("nvarchar(5)", TEXT, True), ("citext", TEXT, True),
    ("tsvector", INT, False), ("int2vector", TEXT, True), ("integer[]", TEXT, True), ("uuid", TEXT, True),
    ("jsonb", TEXT, True),
]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "duckdb"])
@pytest.mark.parametrize(("declared", "values", "held"), CASES)
def test_a_type_holds_values_by_its_words(dialect: str, declared: str, values: pa.DataType, held: bool) -> None:
    loader = LOADERS[dialect](parse_url(f"{dialect}:///x" if dialect != "postgresql" else "postgresql://h/db"))
    assert loader.holds(declared, values) is held


def test_the_names_in_a_type() -> None:
    assert {"character", "char", "varying", "20"} <= type_names("Character Varying(20)")
    assert type_names("year (integer)") == {"integer", "int"}
    assert {"varchar", "char", "20"} <= type_names("VARCHAR (20)")
    assert type_names("interval") == {"interval"} and type_names("point") == {"point"}
    assert {"tinyint", "int"} <= type_names("tinyint(1)") and {"date", "datetime"} <= type_names("datetime")


class Extended(SqliteLoader):
    """A loader whose ``holders`` add names of their own, as a dialect's loader may."""

    holders = {**Loader.holders, "int": (*Loader.holders["int"], "year"), "bool": ("bool", "int", "bit"),
               "date": ("date", "char", "text")}


@pytest.mark.parametrize(("declared", "values", "held"), [
    ("year", INT, True), ("tinyint(1)", BOOL, True), ("bit(1)", BOOL, True), ("datetime", DATE, True),
    ("varchar(10)", DATE, True), ("mediumtext", DATE, True), ("interval", INT, False)])
def test_names_a_loader_adds_match_whole_names_too(declared: str, values: pa.DataType, held: bool) -> None:
    assert Extended(parse_url("sqlite:///x")).holds(declared, values) is held


def test_integers_into_an_interval_column_are_refused_before_any_row(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, wait INTERVAL)")
    spec = ("version: 1\nseed: 1\ntables:\n  t:\n    rows: 5\n    primary_key: id\n    columns:\n"
            "      id: {kind: sequence}\n      wait: {kind: integers, low: 1, high: 9}\n")
    with pytest.raises(OutputError) as info:
        rulegen.seed_database(spec, f"sqlite:///{db}", if_exists="append")
    assert [d.code for d in info.value.diagnostics] == ["RG503"]
    assert "`t.wait` in" in info.value.diagnostics[0].message and "is interval, which cannot hold int64" in \
        info.value.diagnostics[0].message
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM t").fetchone() == (0,)
