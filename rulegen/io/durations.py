"""How a duration column is written, in every output: one decision, in one place.

A duration (an ``expr`` such as ``date(returned_at) - due_on``) is a length of time, and each
output gets the type that holds one exactly and that its readers take without help:

- **CSV and JSON Lines**: a number of seconds (``691200`` for 8 days): an integer when the
  column's unit is the second (every duration an expression makes from second-precision
  columns), a decimal number such as ``1.5`` when it is finer (a 64-bit float: exact to the
  millisecond over ±10,000 years, to the microsecond up to about 100 days). PostgreSQL's ``COPY``
  reads a number into an ``interval`` as seconds, and any other tool reads a number.
- **Parquet**: Arrow's ``duration`` type, kept by the file's Arrow schema.
- **SQL and databases**: ``INTERVAL`` where the database has one (PostgreSQL, DuckDB), written
  as days and a time of day (``INTERVAL '8 days 03:07:47'``, the way PostgreSQL prints the
  difference of two timestamps); a ``BIGINT`` number of seconds where it has none (SQLite, MySQL),
  as in CSV.

``rulegen check`` reads each of them back as the duration it was.
"""

from __future__ import annotations

import datetime

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

__all__ = ["interval_text", "seconds_columns", "seconds_of", "seconds_text"]

_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_MICROS = 1_000_000


def seconds_of(column: pa.Array) -> pa.Array:
    """A duration column as its number of seconds: int64 in the unit of seconds, float64 when
    finer (exact to the microsecond, as far as a float holds); any other column as it is."""
    if not pat.is_duration(column.type):
        return column
    ticks = pc.cast(column, pa.int64())
    if column.type.unit == "s":
        return ticks
    # Past 2**53 ticks (285 years in microseconds) the float rounds: a relative 1e-16, far below a tick.
    return pc.divide(pc.cast(ticks, pa.float64(), safe=False), float(_PER_SECOND[column.type.unit]))


def seconds_columns(batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` with every duration column as its number of seconds (:func:`seconds_of`)."""
    if not any(pat.is_duration(field.type) for field in batch.schema):
        return batch
    return pa.RecordBatch.from_arrays([seconds_of(column) for column in batch.columns], names=batch.schema.names)


def _micros(value: datetime.timedelta) -> int:
    return (value.days * 86_400 + value.seconds) * _MICROS + value.microseconds


def seconds_text(value: datetime.timedelta) -> str:
    """A duration as a SQL number of seconds: ``691200``, or ``1.5`` below the second."""
    whole, micros = divmod(abs(_micros(value)), _MICROS)
    sign = "-" if _micros(value) < 0 else ""
    return f"{sign}{whole}" if not micros else f"{sign}{whole}.{micros:06d}".rstrip("0")


def interval_text(value: datetime.timedelta) -> str:
    """A duration as the text of an ``INTERVAL`` that PostgreSQL and DuckDB read alike:
    ``8 days 03:07:47``, ``-11 days -22:57:12`` (every field carries the sign), ``00:00:01.5``."""
    total = _micros(value)
    sign = "-" if total < 0 else ""
    seconds, micros = divmod(abs(total), _MICROS)
    days, seconds = divmod(seconds, 86_400)
    clock = f"{sign}{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if micros:
        clock += f".{micros:06d}".rstrip("0")
    return f"{sign}{days} days {clock}" if days else clock
