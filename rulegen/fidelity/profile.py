"""One profile per column: its type, nulls, distinct values, decimals, and its values as NumPy.

Arrow types decide the category (``integer``, ``float``, ``bool``, ``date``, ``timestamp``,
``string``); floats that are all whole numbers (integers with nulls, as pandas writes them)
count as integers (text that is all dates was read as dates already, :mod:`rulegen.fidelity.text_dates`).
Dates are kept as days since 1970-01-01, timestamps as seconds (on the wall clock of their
zone, for zoned ones).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["ColumnProfile", "decimals_of", "named_zone", "profile_column", "profile_table"]

MAX_DECIMALS = 6  # finer values are kept at full precision (no `round`)


@dataclass(slots=True)
class ColumnProfile:
    """What a column holds, summed up from the rows read."""

    name: str
    category: str  # integer, float, bool, date, timestamp, string
    count: int  # rows read
    nulls: int
    values: np.ndarray  # the non-null values (days for dates, seconds for timestamps)
    distinct: int
    decimals: int | None = None  # digits after the point every float value fits (None: more)
    zone: str | None = None  # the time zone of zoned timestamps
    notes: list[str] = field(default_factory=list)

    @property
    def present(self) -> int:
        return self.count - self.nulls

    @property
    def null_rate(self) -> float:
        return self.nulls / self.count if self.count else 0.0

    @property
    def unique(self) -> bool:
        """No value repeats (and there are a few values to tell)."""
        return self.present >= 2 and self.distinct == self.present

    @property
    def numeric(self) -> bool:
        return self.category in ("integer", "float")


def profile_table(data: pa.Table) -> dict[str, ColumnProfile]:
    """A profile of every column of ``data``, in column order."""
    return {name: profile_column(name, data.column(name)) for name in data.column_names}


def profile_column(name: str, column: pa.ChunkedArray) -> ColumnProfile:
    """The profile of one Arrow column."""
    kind = column.type
    nulls = column.null_count
    present = pc.drop_null(column).combine_chunks() if len(column) else pa.array([], type=kind)
    zone = None
    if pa.types.is_dictionary(kind):
        present = present.cast(kind.value_type)
        kind = kind.value_type
    if pa.types.is_boolean(kind):
        category, values = "bool", present.to_numpy(zero_copy_only=False).astype(bool)
    elif pa.types.is_integer(kind):
        category, values = "integer", present.to_numpy(zero_copy_only=False).astype(np.int64)
    elif pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        values = present.cast(pa.float64()).to_numpy(zero_copy_only=False)
        finite = np.isfinite(values)
        nulls += int((~finite).sum())  # NaN and infinities count as missing
        values = values[finite]
        category = "float"
        if len(values) and np.all(values == np.round(values)) and np.abs(values).max() < 2**53:
            category, values = "integer", values.astype(np.int64)
    elif pa.types.is_date(kind):
        category = "date"
        values = present.cast(pa.date32()).cast(pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)
    elif pa.types.is_timestamp(kind):
        category, zone = "timestamp", named_zone(kind.tz)
        if zone and zone != "UTC":  # the zone's wall clock: what min, max and seasonality of a zoned column are read on
            present = pc.local_timestamp(present)
        values = present.cast(pa.timestamp("s"), safe=False).cast(pa.int64()).to_numpy(zero_copy_only=False)
    else:
        category = "string"
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            present = pa.array([str(v) for v in present.to_pylist()], type=pa.string())
        values = np.asarray(present.to_pylist(), dtype=object)
    distinct = len(np.unique(values)) if len(values) else 0
    profile = ColumnProfile(name=name, category=category, count=len(column), nulls=nulls, values=values,
                            distinct=distinct, zone=zone)
    if category == "float":
        profile.decimals = decimals_of(values)
    return profile


def named_zone(tz: str | None) -> str | None:
    """An Arrow time zone as a spec names it: a fixed offset of whole hours (``-08:00``, what a
    Parquet writer may store) as its IANA zone (``Etc/GMT+8``: POSIX signs are reversed), one of
    minutes (``+05:30``) as ``UTC`` (the instants are right, the wall clock of the offset is
    lost); a named zone as it is."""
    offset = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", tz or "")
    if offset is None:
        return tz
    sign, hours, minutes = offset.groups()
    if minutes != "00" or int(hours) > (14 if sign == "+" else 12):  # Etc/GMT-14 to Etc/GMT+12
        return "UTC"
    return "UTC" if int(hours) == 0 else f"Etc/GMT{'-' if sign == '+' else '+'}{int(hours)}"


def decimals_of(values: np.ndarray) -> int | None:
    """The fewest digits after the point that hold every value (None when more than MAX_DECIMALS)."""
    if not len(values) or np.abs(values).max() >= 2.0**62:
        return None  # whole numbers this large do not fit the 64-bit integers `round: 0` writes
    sample = np.unique(values)[:20_000]
    for digits in range(MAX_DECIMALS + 1):
        scaled = sample * 10.0**digits
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-6 + 1e-9 * np.abs(scaled)):
            return digits
    return None


def as_floats(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A numeric column's values as float64 NumPy (nulls as NaN)."""
    values = pc.cast(column, pa.float64(), safe=False)  # an integer past 2^53 rounds to the nearest float
    return values.to_numpy(zero_copy_only=False).astype(np.float64)
