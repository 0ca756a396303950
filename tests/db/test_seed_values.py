"""SQLite stores dates and timestamps as Python's ISO text, whichever way the loader makes it."""

from __future__ import annotations

import datetime

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from rulegen.io.rows import python_values

UTC = datetime.UTC


def iso(values: list) -> list:
    return [None if v is None else v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat() for v in values]


@settings(deadline=None)
@given(st.lists(st.one_of(st.none(), st.dates()), max_size=20))
def test_dates_are_isoformat(values: list) -> None:
    assert python_values(pa.array(values, pa.date32())) == iso(values)


@settings(deadline=None)
@given(st.lists(st.one_of(st.none(), st.datetimes()), max_size=20), st.booleans(), st.sampled_from(["s", "ms", "us"]))
def test_timestamps_are_isoformat(values: list, whole: bool, unit: str) -> None:
    if whole or unit == "s":
        values = [None if v is None else v.replace(microsecond=0) for v in values]
    elif unit == "ms":
        values = [None if v is None else v.replace(microsecond=v.microsecond // 1000 * 1000) for v in values]
    assert python_values(pa.array(values, pa.timestamp(unit))) == iso(values)


@settings(deadline=None)
@given(st.lists(st.datetimes(timezones=st.just(UTC)), max_size=5))
def test_zoned_timestamps_keep_their_offset(values: list) -> None:
    assert python_values(pa.array(values, pa.timestamp("us", tz="UTC"))) == iso(values)
