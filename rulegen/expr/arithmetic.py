"""Checked arithmetic for expressions: every result is exact, null by definition, or an error.

The rules (documented in docs/spec.md, Expression operators):

- Integers are 64-bit. ``+ - * // % **``, unary ``-``, ``abs`` and the float-to-integer
  functions (``round(x)``, ``floor``, ``ceil``) never wrap around: a result outside
  [-2**63, 2**63 - 1] stops the run with an error naming the row. Overflow is detected by
  Arrow's ``*_checked`` kernels on whole columns; only on failure is the first failing row
  searched for, by bisection over prefixes of the block.
- ``//`` and ``%`` follow Python (the quotient rounds down, the remainder takes the divisor's
  sign); a divisor of 0 gives null. An integer ``**`` with a negative exponent is an error.
- A float result that is not a finite number (``x / 0``, ``log(0)``, ``sqrt(-1)``, a value
  beyond about 1.8e308) is null, so no NaN or infinity ever reaches a file or a database.
- Durations stay within :data:`MAX_DURATION_SECONDS` (10,000 years) and dates and timestamps
  within the years 1 to 9999, which every output format and database can hold; a result
  outside is an error naming the row.

A failure raises :class:`RangeProblem` with the position of the offending row in the arrays;
the evaluator adds the operator's place in the expression and the row's number.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

__all__ = [
    "DURATION_UNITS",
    "INT64_MAX",
    "INT64_MIN",
    "MAX_DURATION_SECONDS",
    "RULES",
    "RangeProblem",
    "aligned",
    "binary",
    "checked",
    "duration_from_seconds",
    "duration_seconds",
    "finite",
    "temporal_range",
    "to_integer",
]

Value = pa.Array | pa.Scalar

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_DURATION_SECONDS = 10_000 * 31_557_600  # 10,000 years of 365.25 days: even in microseconds, far from 2**63
# The duration functions of expressions and the seconds in one of their units.
DURATION_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "weeks": 7 * 86400,
                  "years": 31_557_600}
_EPOCH = datetime.date(1970, 1, 1)
_FIRST_DAY = (datetime.date(1, 1, 1) - _EPOCH).days
_LAST_DAY = (datetime.date(9999, 12, 31) - _EPOCH).days
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


# The rules above in the reference's words (docs/spec.md, "Expression arithmetic").
RULES = (
    "Integers are 64-bit: `+`, `-`, `*`, `//`, `%`, `**`, unary `-`, `abs`, and `round(x)`, `floor`, `ceil` "
    "of a float never wrap around; a result outside [`-2**63`, `2**63 - 1`] stops the run with "
    "`error[RG410]` at the operator, naming the first row. Literals and arithmetic on literals alone "
    "(`10 ** 400`) are checked when the spec is read (`RG271`).",
    "`x // y` and `x % y` follow Python (the quotient rounds down, the remainder has the sign of y); "
    "**a divisor of 0 gives null**, for integers and floats alike, and so does `x / 0`.",
    "An integer to a negative power is refused (`RG272` for a literal exponent, `RG411` at run time): "
    "make the base a float (`2.0 ** -1`).",
    "A float result that is not a finite number is null: `log(0)`, `sqrt(-1)`, `exp(1000)`, `1e308 * 10`; "
    "no NaN or infinity reaches a file or a database.",
    "`round(x, n)` takes n, a whole-number literal from -15 to 15 (`RG273`).",
    "`strftime(t, format)` takes the format as a text literal of the directives expressions.md lists "
    "(`RG283`).",
    "Durations are limited to ±10,000 years (`RG413`) and dates and timestamps to the years 1 to 9999 "
    "(`RG412`), whether made by an expression or by `after` with a `delay`; a duration of literals "
    "(`years(1e300)`) is refused when the spec is read (`RG280`).",
)


class RangeProblem(Exception):
    """An operation has no value at a row: ``index`` is the row's position in the arrays (0 when
    every operand is a scalar); ``offset`` is filled in by the evaluator."""

    def __init__(self, code: str, message: str, index: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.index, self.hint = code, message, index, hint
        self.offset: int | None = None


def _length(*values: Value) -> int:
    return max((len(v) for v in values if isinstance(v, pa.Array)), default=1)


def _at(value: Value, index: int) -> object:
    return value[index].as_py() if isinstance(value, pa.Array) else value.as_py()


def _prefix(value: Value, stop: int) -> Value:
    return value.slice(0, stop) if isinstance(value, pa.Array) else value


def _overflows(kernel: Callable[..., Value], *args: Value) -> bool:
    try:
        kernel(*args)
    except pa.ArrowInvalid:
        return True
    return False


def _first_failing(kernel: Callable[..., Value], *args: Value) -> int:
    """Index of the first row at which ``kernel`` fails (it fails on the whole arrays): the
    shortest failing prefix, found by bisection (only ever run on the way to an error)."""
    low, high = 0, _length(*args)  # the prefix of `low` rows passes, of `high` rows fails
    while high - low > 1:
        middle = (low + high) // 2
        if _overflows(kernel, *(_prefix(a, middle) for a in args)):
            high = middle
        else:
            low = middle
    return high - 1


def checked(kernel: Callable[..., Value], symbol: str, *args: Value) -> Value:
    """``kernel(*args)`` (an Arrow ``*_checked`` kernel), or :class:`RangeProblem` at the first
    row whose result is outside the 64-bit integers."""
    try:
        return kernel(*args)
    except pa.ArrowInvalid as exc:
        if "overflow" not in str(exc):
            raise
    index = _first_failing(kernel, *args)
    shown = [_at(a, index) for a in args]
    if len(shown) == 1:
        what = f"{symbol}({shown[0]})"
    else:
        what = f"{shown[0]} {symbol} {shown[1]}"
        if symbol in ("+", "-", "*") and all(isinstance(v, int) for v in shown):
            exact = {"+": shown[0] + shown[1], "-": shown[0] - shown[1], "*": shown[0] * shown[1]}[symbol]
            what += f" = {exact}"
    raise RangeProblem("RG410", f"{what} does not fit in a 64-bit integer", index,
                       hint="keep the values smaller, or compute in floats (multiply by 1.0 first)")


def finite(value: Value) -> Value:
    """Floats with every NaN and infinity replaced by null (anything else as is)."""
    if not pat.is_floating(value.type):
        return value
    return pc.if_else(pc.is_finite(value), value, pa.scalar(None, value.type))


def to_integer(value: Value, name: str) -> Value:
    """Whole floats (``floor``'d, ``ceil``'d or ``round``'ed) as int64, or :class:`RangeProblem`
    at the first row outside the 64-bit integers (non-finite values are null)."""
    value = finite(value)
    # 2**63 is a float exactly: [-2**63, 2**63) holds exactly the floats that fit.
    outside = pc.or_(pc.less(value, float(INT64_MIN)), pc.greater_equal(value, 2.0**63))
    if pc.any(outside).as_py():
        index = _first_true(outside)
        raise RangeProblem("RG410", f"{name}({_at(value, index)}) does not fit in a 64-bit integer", index,
                           hint="keep the value within about ±9.2e18, or keep it a float")
    return pc.cast(value, pa.int64())


def _first_true(mask: Value) -> int:
    if isinstance(mask, pa.Scalar):
        return 0
    return int(np.flatnonzero(mask.fill_null(False).to_numpy(zero_copy_only=False))[0])


def duration_from_seconds(seconds: Value, name: str) -> Value:
    """Seconds (floats) as a ``duration[s]``, rounded; null where not finite. A duration beyond
    :data:`MAX_DURATION_SECONDS` either way is :class:`RangeProblem`."""
    seconds = pc.round(finite(pc.cast(seconds, pa.float64())))
    outside = pc.greater(pc.abs(seconds), float(MAX_DURATION_SECONDS))
    if pc.any(outside).as_py():
        index = _first_true(outside)
        years = _at(seconds, index) / 31_557_600
        raise RangeProblem("RG413", f"a duration of {years:,.4g} years (from {name}) is beyond the limit of "
                                    "±10,000 years", index, hint="dates and timestamps only span the years 1 to 9999")
    return pc.cast(pc.cast(seconds, pa.int64()), pa.duration("s"))


def temporal_range(value: Value) -> Value:
    """``value`` unchanged when every date and timestamp in it is within the years 1 to 9999, and
    every duration within ±10,000 years; else :class:`RangeProblem` at the first row outside."""
    if pat.is_date32(value.type):
        low, high, storage = _FIRST_DAY, _LAST_DAY, pa.int32()
    elif pat.is_timestamp(value.type) or pat.is_duration(value.type):
        per_second = _PER_SECOND[value.type.unit]
        low = _FIRST_DAY * 86_400 * per_second
        high = (_LAST_DAY + 1) * 86_400 * per_second - 1
        if pat.is_duration(value.type):
            low, high = -MAX_DURATION_SECONDS * per_second, MAX_DURATION_SECONDS * per_second
        storage = pa.int64()
    else:
        return value
    ticks = pc.cast(value, storage)
    outside = pc.or_(pc.less(ticks, low), pc.greater(ticks, high))
    if not pc.any(outside).as_py():
        return value
    index = _first_true(outside)
    tick = _at(ticks, index)
    if pat.is_duration(value.type):
        years = tick / _PER_SECOND[value.type.unit] / 31_557_600
        raise RangeProblem("RG413", f"a duration of {years:,.4g} years is beyond the limit of ±10,000 years", index,
                           hint="dates and timestamps only span the years 1 to 9999")
    days = tick if pat.is_date32(value.type) else tick // (86_400 * _PER_SECOND[value.type.unit])
    year = 1970 + int(np.datetime64(days, "D").astype("datetime64[Y]").astype(np.int64))  # past 9999 too
    raise RangeProblem("RG412", f"the result falls in the year {year:,}; dates and timestamps must be "
                                "within the years 1 to 9999", index,
                       hint="keep the durations added to dates shorter")


def _floor_divide(op: str, left: Value, right: Value) -> Value:
    """Python's ``//`` and ``%`` on integers; a divisor of 0 gives null."""
    divisor = pc.if_else(pc.equal(right, 0), pa.scalar(None, pa.int64()), right)
    if op == "%":  # x % -1 is 0 for every x, but x / -1 overflows for the smallest x
        divisor = pc.if_else(pc.equal(divisor, -1), pa.scalar(1, pa.int64()), divisor)
    quotient = checked(pc.divide_checked, "//", left, divisor)  # rounds towards 0
    remainder = pc.subtract(left, pc.multiply(quotient, divisor))  # exact: |q * d| <= |left|
    # Rounding towards 0 instead of down differs where the remainder and the divisor differ in sign.
    fix = pc.and_(pc.not_equal(remainder, 0), pc.not_equal(pc.less(remainder, 0), pc.less(divisor, 0)))
    if op == "//":
        return pc.if_else(fix, pc.subtract(quotient, 1), quotient)  # a fixed quotient is <= 0
    return pc.if_else(fix, pc.add(remainder, divisor), remainder)


def _integer_power(left: Value, right: Value) -> Value:
    negative = pc.and_(pc.less(right, 0), pc.is_valid(left))  # a null base gives null, whatever the exponent
    if pc.any(negative).as_py():
        index = _first_true(negative)
        raise RangeProblem("RG411", f"{_at(left, index)} ** {_at(right, index)} has a negative exponent, and "
                                    "an integer power must be a whole number", index,
                           hint="make the base a float (multiply it by 1.0) to allow fractions")
    return checked(pc.power_checked, "**", left, right)


_CHECKED = {"+": "add_checked", "-": "subtract_checked", "*": "multiply_checked"}  # names: rulegen.lazy_compute


def binary(op: str, left: Value, right: Value) -> Value:
    """``left op right`` for numbers, durations and instants (both of a type that allows it; see
    :func:`rulegen.expr.types.arithmetic_type`), by the rules of the module docstring."""
    both_int = pat.is_integer(left.type) and pat.is_integer(right.type)
    if op in ("//", "%") and both_int:
        return _floor_divide(op, left, right)
    if op == "**" and both_int:
        return _integer_power(left, right)
    if op == "*" and (pat.is_duration(left.type) or pat.is_duration(right.type)):
        duration, factor = (left, right) if pat.is_duration(left.type) else (right, left)
        seconds = pc.multiply(duration_seconds(duration), pc.cast(factor, pa.float64()))
        return duration_from_seconds(seconds, "`*`")
    if op == "/" and pat.is_duration(left.type):
        if pat.is_duration(right.type):  # a ratio of lengths of time: `late / days(1)` is days late
            return finite(pc.divide(duration_seconds(left), duration_seconds(right)))
        return duration_from_seconds(finite(pc.divide(duration_seconds(left), pc.cast(right, pa.float64()))), "`/`")
    if op in _CHECKED and not (pat.is_floating(left.type) or pat.is_floating(right.type)):
        return temporal_range(checked(getattr(pc, _CHECKED[op]), op, left, right))  # integers, durations, instants
    as_float = pc.cast(left, pa.float64()), pc.cast(right, pa.float64())
    if op == "/":
        return finite(pc.divide(*as_float))
    if op in ("//", "%"):
        quotient = pc.floor(pc.divide(*as_float))
        return finite(quotient if op == "//" else pc.subtract(as_float[0], pc.multiply(quotient, as_float[1])))
    return finite({"+": pc.add, "-": pc.subtract, "*": pc.multiply, "**": pc.power}[op](*as_float))


def aligned(left: Value, right: Value) -> tuple[Value, Value]:
    """Bring dates and timestamps, or a null and a typed value, to one type before an operation."""
    lt, rt = left.type, right.type
    zoned = (pat.is_timestamp(lt) and lt.tz is not None) or (pat.is_timestamp(rt) and rt.tz is not None)
    if zoned and lt != rt:  # zoned timestamps hold UTC instants, as plain ones do: compare them as such
        left, right = _utc(left), _utc(right)
        lt, rt = left.type, right.type
    if pat.is_date(lt) and pat.is_timestamp(rt):
        return pc.cast(left, rt), right
    if pat.is_timestamp(lt) and pat.is_date(rt):
        return left, pc.cast(right, lt)
    if pat.is_null(lt) and not pat.is_null(rt):
        return pc.cast(left, rt), right
    if pat.is_null(rt) and not pat.is_null(lt):
        return left, pc.cast(right, lt)
    return left, right


def _utc(value: Value) -> Value:
    """A zoned timestamp as the plain (UTC) timestamp of the same instant; anything else as is."""
    if pat.is_timestamp(value.type) and value.type.tz is not None:
        return pc.cast(value, pa.timestamp(value.type.unit))
    return value


def duration_seconds(value: Value) -> Value:
    """A duration (of any unit) as float64 seconds; a null as a null float."""
    if pat.is_null(value.type):
        return pc.cast(value, pa.float64())
    ticks = pc.cast(pc.cast(value, pa.int64()), pa.float64(), safe=False)  # past 2**53 ticks: rounded, not refused
    return pc.divide(ticks, float(_PER_SECOND[value.type.unit]))
