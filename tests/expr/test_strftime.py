"""``strftime(t, format)``: the text matches Python's for every directive both know, ``%q`` is
the quarter, nulls stay null, and no value is longer than the format's bound."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from rulegen.expr.strftime import DIRECTIVES, format_problem, format_width, strftime

_PYTHON = [d for d in DIRECTIVES if d not in ("q", "e")]  # Python's strftime has no %q; %e is glibc's


@given(st.lists(st.one_of(st.none(), st.datetimes(min_value=dt.datetime(1000, 1, 1))), min_size=1, max_size=20),
       st.lists(st.sampled_from(_PYTHON), min_size=1, max_size=6))
def test_each_directive_writes_what_python_writes(moments, directives):
    fmt = "-".join(f"%{d}" for d in directives)
    values = pa.array(moments, pa.timestamp("us"))
    written = strftime(values, pa.scalar(fmt)).to_pylist()
    for moment, text in zip(moments, written, strict=True):
        assert text == (None if moment is None else moment.replace(microsecond=0).strftime(fmt))
        assert text is None or len(text.encode()) <= format_width(fmt)


@given(st.lists(st.dates(min_value=dt.date(1, 1, 1)), min_size=1, max_size=20))
def test_the_quarter_and_the_padded_day(days):
    written = strftime(pa.array(days, pa.date32()), pa.scalar("%Y Q%q|%e|%%q")).to_pylist()
    assert written == [f"{d.year:04d} Q{(d.month - 1) // 3 + 1}|{d.day:2d}|%q" for d in days]


def test_a_zoned_timestamp_reads_its_zone_and_a_null_column_stays_null():
    noon = pa.array([dt.datetime(2024, 7, 1, 12)], pa.timestamp("s", tz="Europe/Berlin"))
    assert strftime(noon, pa.scalar("%H:%M")).to_pylist() == ["14:00"]
    assert strftime(pa.nulls(2), pa.scalar("%Y")).to_pylist() == [None, None]
    assert strftime(pa.array([dt.date(2024, 1, 5)]), pa.scalar("day")).to_pylist() == ["day"]


def test_unknown_directives_are_named():
    assert format_problem("%Y %b %q %%") is None
    assert "`%k`" in format_problem("%k")
    assert "at the end" in format_problem("100%")
