"""Rows for SQLite's ``executemany``: Python values made from Arrow columns.

SQLite takes its rows as Python tuples. :func:`python_values` makes a column's values the way
SQLite stores them (dates and timestamps as Python's ISO text, durations as seconds), in Arrow
rather than value by value wherever Arrow's text is Python's: after ``executemany`` itself,
this conversion is what a SQLite seed costs beyond the rows' generation.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from rulegen.io.durations import seconds_of

__all__ = ["python_values"]


def python_values(column: pa.Array) -> list[Any]:
    """Values as SQLite stores them: dates and timestamps as ISO text (Python's ``isoformat``,
    made by Arrow where its text is the same: dates, and zoneless timestamps in seconds or
    microseconds)."""
    if pa.types.is_date(column.type):
        return column.cast(pa.string()).to_pylist()
    if pa.types.is_duration(column.type):  # a number of seconds, as in CSV (rulegen.io.durations)
        return seconds_of(column).to_pylist()
    if pa.types.is_timestamp(column.type) and column.type.tz is None:
        with contextlib.suppress(pa.ArrowInvalid):  # nanoseconds: Python has none, it rounds them its way
            return _iso_text(column).to_pylist()
    if pa.types.is_timestamp(column.type):
        return [None if v is None else v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
                for v in column.to_pylist()]
    return column.to_pylist()


def _iso_text(column: pa.Array) -> pa.Array:
    """Zoneless timestamps as ``datetime.isoformat(sep=" ")`` writes them: whole seconds with no
    fraction, others with six digits. Arrow's cast to text is some 25 times faster than
    ``strftime`` (the largest cost of a load's conversion when it was used).

    Raises:
        pyarrow.ArrowInvalid: a value with a part of a microsecond.
    """
    with contextlib.suppress(pa.ArrowInvalid):  # a fraction of a second somewhere
        return column.cast(pa.timestamp("s")).cast(pa.string())
    text = column.cast(pa.timestamp("us")).cast(pa.string())
    return pc.replace_substring_regex(text, pattern=r"\.000000$", replacement="")
