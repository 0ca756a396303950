"""The function library of expressions: arity, typing rule and vectorised implementation.

Each function takes and returns Arrow arrays or scalars and runs on whole columns through
``pyarrow.compute``. The typing rule runs at load time and returns the result type, or a
message saying what the function expects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from rulegen.expr.arithmetic import (
    DURATION_UNITS,
    aligned,
    checked,
    duration_from_seconds,
    duration_seconds,
    finite,
    to_integer,
)
from rulegen.expr.strftime import strftime
from rulegen.expr.types import (
    BOOL,
    DATE,
    FLOAT,
    INT,
    STR,
    common_type,
    describe,
    is_numeric,
    is_temporal,
    normalize,
)

__all__ = ["FUNCTIONS", "ROUND_DIGITS", "Function", "lower", "upper"]

Value = pa.Array | pa.Scalar
ROUND_DIGITS = (-15, 15)  # round(x, n): beyond 15 decimals a float has no more digits to round
Typer = Callable[[Sequence[pa.DataType]], "pa.DataType | str"]


@dataclass(frozen=True, slots=True)
class Function:
    """One expression function."""

    name: str
    arity: tuple[int, int]
    typer: Typer
    impl: Callable[..., Value]
    doc: str

    def describe_arity(self) -> str:
        low, high = self.arity
        if low == high:
            return f"{low} argument{'s' if low != 1 else ''}"
        if high >= 99:
            return f"at least {low} arguments"
        return f"{low} to {high} arguments"


def _numeric(result: pa.DataType | None = None) -> Typer:
    def typer(types: Sequence[pa.DataType]) -> pa.DataType | str:
        if not all(is_numeric(t) for t in types):
            return "needs numbers, got " + ", ".join(describe(t) for t in types)
        return result or common_type(*types) or FLOAT

    return typer


def _same(types: Sequence[pa.DataType]) -> pa.DataType | str:
    return common_type(*types) or "needs arguments of one type, got " + ", ".join(describe(t) for t in types)


def _strings(result: pa.DataType) -> Typer:
    def typer(types: Sequence[pa.DataType]) -> pa.DataType | str:
        if not all(pat.is_string(normalize(t)) or pat.is_null(t) for t in types):
            return "needs strings, got " + ", ".join(describe(t) for t in types)
        return result

    return typer


def _temporal(result: pa.DataType) -> Typer:
    def typer(types: Sequence[pa.DataType]) -> pa.DataType | str:
        if not all(is_temporal(t) for t in types):
            return "needs a date or timestamp, got " + ", ".join(describe(t) for t in types)
        return result

    return typer


def _timestamp_only(result: pa.DataType) -> Typer:
    def typer(types: Sequence[pa.DataType]) -> pa.DataType | str:
        if not all(pat.is_timestamp(t) or pat.is_null(t) for t in types):
            return "needs a timestamp, got " + ", ".join(describe(t) for t in types)
        return result

    return typer


def _if_type(types: Sequence[pa.DataType]) -> pa.DataType | str:
    if not (pat.is_boolean(types[0]) or pat.is_null(types[0])):
        return f"needs a boolean condition first, got {describe(types[0])}"
    return _same(types[1:])


def _round_type(types: Sequence[pa.DataType]) -> pa.DataType | str:
    checked = _numeric()(types)
    if isinstance(checked, str):
        return checked
    return INT if len(types) == 1 else FLOAT


def _as_float(x: Value) -> Value:
    return pc.cast(x, pa.float64())


def _round(x: Value, ndigits: Value | None = None) -> Value:
    if ndigits is None:
        return to_integer(pc.round(_as_float(x)), "round")
    # The type check made `ndigits` an integer literal within ROUND_DIGITS.
    return pc.round(_as_float(x), ndigits=ndigits.as_py())


def _duration(name: str, seconds_per_unit: float) -> Callable[[Value], Value]:
    def make(n: Value) -> Value:
        shown = f"{name}({n.as_py()})" if isinstance(n, pa.Scalar) else f"`{name}`"
        return duration_from_seconds(pc.multiply(_as_float(n), seconds_per_unit), shown)

    return make


def _float_function(kernel: Callable[[Value], Value]) -> Callable[[Value], Value]:
    """A float function whose non-finite results (log(0), sqrt(-1), exp(1000)) are null."""
    return lambda x: finite(kernel(_as_float(x)))


def _integer_function(name: str, kernel: Callable[[Value], Value]) -> Callable[[Value], Value]:
    """A float-to-integer function (floor, ceil); integers pass as they are."""
    return lambda x: x if pat.is_integer(x.type) else to_integer(kernel(_as_float(x)), name)


def _abs(x: Value) -> Value:
    return checked(pc.abs_checked, "abs", x) if pat.is_integer(x.type) else pc.abs(x)


def _is_ascii(text: Value) -> bool:
    """Whether every string is plain ASCII (a scan of the raw bytes: far cheaper than a kernel)."""
    if isinstance(text, pa.Scalar):
        return text.as_py() is None or text.as_py().isascii()
    data = text.buffers()[2]
    return data is None or not (np.frombuffer(data, dtype=np.uint8) & 0x80).any()


def lower(text: Value) -> Value:
    """Lower-case text; ASCII text takes Arrow's ASCII kernel, many times faster than the UTF-8 one."""
    return pc.ascii_lower(text) if _is_ascii(text) else pc.utf8_lower(text)


def upper(text: Value) -> Value:
    """Upper-case text (see :func:`lower`)."""
    return pc.ascii_upper(text) if _is_ascii(text) else pc.utf8_upper(text)


def _concat(*args: Value) -> Value:
    as_text = [a if pat.is_string(a.type) else pc.cast(a, pa.string()) for a in args]
    return pc.binary_join_element_wise(*as_text, "", null_handling="replace", null_replacement="")


def _fold(fn: Callable[[Value, Value], Value]) -> Callable[..., Value]:
    def apply(first: Value, *rest: Value) -> Value:
        result = first
        for item in rest:
            result = fn(result, item)
        return result

    return apply


def _clip(x: Value, lo: Value, hi: Value) -> Value:
    return pc.min_element_wise(pc.max_element_wise(x, lo), hi)


def _instant(result: pa.DataType | None) -> Typer:
    """``date(x)`` (``result`` a date) and ``timestamp(x)`` (None: a timestamp, of x's unit) of a
    date or a timestamp. A text literal never gets here: the parser made it a date or timestamp."""
    def typer(types: Sequence[pa.DataType]) -> pa.DataType | str:
        if not is_temporal(types[0]):
            return (f"needs a date, a timestamp, or a text literal such as '2024-01-31', got {describe(types[0])} "
                    "(only a literal is read as a date)")
        if result is not None:
            return result
        return types[0] if pat.is_timestamp(types[0]) else pa.timestamp("s")

    return typer


def _timestamp(x: Value) -> Value:
    return pc.cast(x, pa.timestamp("s")) if pat.is_date(x.type) or pat.is_null(x.type) else x


def _between_type(unit: str) -> Typer:
    def typer(types: Sequence[pa.DataType]) -> pa.DataType | str:
        if not all(is_temporal(t) for t in types):
            text = " (text is a date when written `date('2024-01-31')`)" if any(pat.is_string(t) for t in types) else ""
            return "needs two dates or timestamps, got " + ", ".join(describe(t) for t in types) + text
        return INT if unit == "days" and all(pat.is_date(t) for t in types) else FLOAT

    return typer


def _between(unit: str) -> Callable[[Value, Value], Value]:
    """``b - a`` in ``unit``s: whole days between two dates, a number otherwise."""
    def between(a: Value, b: Value) -> Value:
        seconds = duration_seconds(pc.subtract(*reversed(aligned(a, b))))
        if unit == "days" and pat.is_date(a.type) and pat.is_date(b.type):
            return pc.cast(pc.divide(seconds, 86_400.0), pa.int64())  # whole days: exact
        return pc.divide(seconds, float(DURATION_UNITS[unit]))

    return between


def _compute(name: str) -> Callable[..., Value]:
    """Arrow's compute function ``name``, looked up when called: importing this module reads no
    attribute of ``pc``, so that a command computing nothing never imports it (rulegen.lazy_compute)."""
    return lambda *args, **options: getattr(pc, name)(*args, **options)


def _strftime_type(types: Sequence[pa.DataType]) -> pa.DataType | str:
    if not is_temporal(types[0]):
        return f"needs a date or timestamp first, got {describe(types[0])}"
    return STR  # the format is a checked text literal (expr.check)


def _date_part(fn: Callable[[Value], Value]) -> Callable[[Value], Value]:
    return lambda x: pc.cast(fn(x), pa.int64())


_TABLE: list[tuple[str, tuple[int, int], Typer, Callable[..., Value], str]] = [
    ("abs", (1, 1), _numeric(), _abs, "absolute value"),
    ("round", (1, 2), _round_type, _round,
     f"round(x) to an integer, round(x, n) to n decimals (n a whole number from {ROUND_DIGITS[0]} to "
     f"{ROUND_DIGITS[1]}; negative: tens, hundreds, ...)"),
    ("floor", (1, 1), _numeric(INT), _integer_function("floor", _compute("floor")), "round down"),
    ("ceil", (1, 1), _numeric(INT), _integer_function("ceil", _compute("ceil")), "round up"),
    ("min", (2, 99), _same, _fold(_compute("min_element_wise")), "smallest of its arguments, row by row"),
    ("max", (2, 99), _same, _fold(_compute("max_element_wise")), "largest of its arguments, row by row"),
    ("clip", (3, 3), _same, _clip, "clip(x, lo, hi) clamps x into [lo, hi]"),
    ("log", (1, 1), _numeric(FLOAT), _float_function(_compute("ln")), "natural logarithm (null for x <= 0)"),
    ("exp", (1, 1), _numeric(FLOAT), _float_function(_compute("exp")),
     "e to the power x (null beyond about e**709)"),
    ("sqrt", (1, 1), _numeric(FLOAT), _float_function(_compute("sqrt")), "square root (null for x < 0)"),
    ("if", (3, 3), _if_type, lambda c, a, b: pc.if_else(c, a, b), "if(cond, a, b): a where cond, else b"),
    ("lower", (1, 1), _strings(STR), lower, "lower-case"),
    ("upper", (1, 1), _strings(STR), upper, "upper-case"),
    ("concat", (1, 99), lambda types: STR, _concat, "join values as text (nulls as empty)"),
    ("len", (1, 1), _strings(INT), lambda x: pc.cast(pc.utf8_length(x), pa.int64()), "length of a string"),
    ("coalesce", (1, 99), _same, _compute("coalesce"), "first non-null argument"),
    ("is_null", (1, 1), lambda types: BOOL, _compute("is_null"), "true where the value is null"),
    ("year", (1, 1), _temporal(INT), _date_part(_compute("year")), "year of a date or timestamp"),
    ("month", (1, 1), _temporal(INT), _date_part(_compute("month")), "month 1..12"),
    ("day", (1, 1), _temporal(INT), _date_part(_compute("day")), "day of month 1..31"),
    ("weekday", (1, 1), _temporal(INT), _date_part(_compute("day_of_week")), "0 for Monday .. 6 for Sunday"),
    ("hour", (1, 1), _timestamp_only(INT), _date_part(_compute("hour")), "hour 0..23"),
    ("strftime", (2, 2), _strftime_type, strftime,
     "strftime(t, format): t as text, e.g. '%d.%m.%Y', '%Y %b' (1998 Jan), '%Y Q%q' (1998 Q1), '%G W%V' (ISO week)"),
    ("date", (1, 1), _instant(DATE), lambda x: pc.cast(x, pa.date32()),
     "the date of a timestamp; `date('2024-01-31')` is a date literal"),
    ("timestamp", (1, 1), _instant(None), _timestamp,
     "the midnight of a date; `timestamp('2024-01-31 12:00')` is a timestamp literal"),
    *((f"{unit}_between", (2, 2), _between_type(unit), _between(unit),
       f"{unit}_between(a, b): the {unit} from a to b (b - a), "
       + ("whole for two dates, else a number" if unit == "days" else "a number"))
      for unit in ("days", "hours", "minutes", "seconds")),
    *((unit, (1, 1), _numeric(pa.duration("s")), _duration(unit, seconds), f"a duration of n {unit}")
      for unit, seconds in DURATION_UNITS.items() if unit != "years"),
    ("years", (1, 1), _numeric(pa.duration("s")), _duration("years", DURATION_UNITS["years"]),
     "n years of 365.25 days"),
]

FUNCTIONS: dict[str, Function] = {
    name: Function(name, arity, typer, impl, doc) for name, arity, typer, impl, doc in _TABLE
}
