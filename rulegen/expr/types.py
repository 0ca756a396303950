"""The small type system of expressions, over Arrow types.

Values are int64, float64, bool, string, date32, timestamp, duration or null (a literal
``None``, compatible with everything). Checking types at load time turns ``name + 1`` into a
spec error with a position instead of a failure deep inside a run.
"""

from __future__ import annotations

import datetime
from typing import Any

import pyarrow as pa
import pyarrow.types as pat

__all__ = [
    "BOOL",
    "DATE",
    "FLOAT",
    "INT",
    "NULL",
    "STR",
    "common_type",
    "describe",
    "is_numeric",
    "is_temporal",
    "literal",
    "normalize",
]

INT = pa.int64()
FLOAT = pa.float64()
BOOL = pa.bool_()
STR = pa.string()
DATE = pa.date32()
NULL = pa.null()


def normalize(t: pa.DataType) -> pa.DataType:
    """Collapse Arrow's many widths onto the expression types."""
    if pat.is_integer(t):
        return INT
    if pat.is_floating(t) or pat.is_decimal(t):
        return FLOAT
    if pat.is_string(t) or pat.is_large_string(t) or pat.is_dictionary(t):
        return STR
    if pat.is_date(t):
        return DATE
    return t


def literal(value: Any) -> pa.Scalar:
    """A literal's scalar: a timestamp literal in whole seconds is ``timestamp[s]``, as the
    columns of the default precision are (else ``timestamp[us]``)."""
    if isinstance(value, datetime.datetime):
        return pa.scalar(value, pa.timestamp("s" if value.microsecond == 0 else "us"))
    return pa.scalar(value) if value is not None else pa.scalar(None, NULL)


def is_numeric(t: pa.DataType) -> bool:
    """Integers and floats (null counts too: it fits anywhere)."""
    return pat.is_integer(t) or pat.is_floating(t) or pat.is_decimal(t) or pat.is_null(t)


def is_temporal(t: pa.DataType) -> bool:
    """Dates and timestamps."""
    return pat.is_date(t) or pat.is_timestamp(t) or pat.is_null(t)


def _unit(*types: pa.DataType) -> str:
    order = ["s", "ms", "us", "ns"]
    units = [t.unit for t in types if pat.is_timestamp(t) or pat.is_duration(t)]
    return max(units, key=order.index) if units else "s"


def common_type(*types: pa.DataType) -> pa.DataType | None:
    """The type that holds values of all ``types``, or None when they do not mix."""
    known = [normalize(t) for t in types if not pat.is_null(t)]
    if not known:
        return NULL
    if all(is_numeric(t) for t in known):
        return INT if all(pat.is_integer(t) for t in known) else FLOAT
    if all(is_temporal(t) for t in known):
        return DATE if all(pat.is_date(t) for t in known) else pa.timestamp(_unit(*known))
    if all(pat.is_duration(t) for t in known):
        return pa.duration(_unit(*known))
    first = known[0]
    return first if all(t == first for t in known) else None


def arithmetic_type(op: str, left: pa.DataType, right: pa.DataType) -> pa.DataType | None:
    """Result type of ``left op right``, or None when the operation makes no sense."""
    left, right = normalize(left), normalize(right)
    if is_numeric(left) and is_numeric(right):
        if op == "/":
            return FLOAT
        return FLOAT if pat.is_floating(left) or pat.is_floating(right) else INT
    if op == "+" and pat.is_string(left) and pat.is_string(right):
        return STR
    dur_l, dur_r = pat.is_duration(left), pat.is_duration(right)
    if (op in "+-" and is_temporal(left) and dur_r) or (op == "+" and dur_l and is_temporal(right)):
        return pa.timestamp(_unit(left, right))
    if op == "-" and is_temporal(left) and is_temporal(right) and not (pat.is_null(left) and pat.is_null(right)):
        return pa.duration(_unit(left, right))
    if op in "+-" and dur_l and dur_r:
        return pa.duration(_unit(left, right))
    if op == "*" and ((dur_l and is_numeric(right)) or (dur_r and is_numeric(left))):
        return pa.duration("s")  # scaled in seconds, rounded to the second
    if op == "/" and dur_l and (dur_r or is_numeric(right)):
        return FLOAT if dur_r else pa.duration("s")
    return None


def describe(t: pa.DataType) -> str:
    """A short, user-facing name for a type."""
    t = normalize(t)
    if pat.is_integer(t):
        return "integer"
    if pat.is_floating(t):
        return "number"
    if pat.is_boolean(t):
        return "boolean"
    if pat.is_string(t):
        return "string"
    if pat.is_date(t):
        return "date"
    if pat.is_timestamp(t):
        return "timestamp"
    if pat.is_duration(t):
        return "duration"
    if pat.is_null(t):
        return "null"
    return str(t)
