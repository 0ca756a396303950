"""Convert a column read from a file to the type the plan gives it, finding every value that
does not convert.

Arrow casts a whole array or fails on the first bad value, so the failing rows are found by
halving: a slice that casts is kept, one that fails is split, down to single values. Text is
first screened with a regular expression per type, so a column of garbage costs one vectorised
pass, not one cast per row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

__all__ = ["convert"]

# Text a cast to each type may accept (a superset: the cast itself has the last word).
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_INTEGER = r"^[+-]?[0-9]+$"
_FLOAT = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$|^[+-]?(?i:inf|infinity|nan)$"
_BOOL = r"^(?i:true|false|1|0)$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TIMESTAMP = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}(:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?)?"
              r"(Z|[+-][0-9]{2}:?[0-9]{2})?$")  # an optional UTC offset (zoned columns)


def convert(array: pa.Array, target: pa.DataType) -> tuple[pa.Array, np.ndarray]:
    """``array`` as ``target``, with values that do not convert made null, and the mask of them.

    Nulls stay null and are never flagged. A date read as a timestamp (JSON text such as
    ``2024-01-31T08:00:00``) must fall on midnight: Arrow would quietly drop the time of day.
    """
    bad = np.zeros(len(array), dtype=bool)
    if array.type == target:
        return array, bad
    if pat.is_duration(target) and not pat.is_duration(array.type):
        return _duration(array, target)
    present = ~array.is_null().to_numpy(zero_copy_only=False)
    if pat.is_string(array.type) or pat.is_large_string(array.type):
        screen = _screen(target)
        if screen is not None:
            looks = pc.match_substring_regex(array, screen).fill_null(True).to_numpy(zero_copy_only=False)
            bad |= ~looks
            array = pc.if_else(pa.array(looks), array, pa.scalar(None, array.type))
    try:
        result = _cast(array, target, bad)
    except pa.ArrowNotImplementedError:  # no cast between these types at all
        return pa.nulls(len(array), target), present
    if pat.is_timestamp(array.type) and pat.is_date(target):
        midnight = pc.equal(result.cast(array.type), array).fill_null(True).to_numpy(zero_copy_only=False)
        bad |= ~midnight
        result = pc.if_else(pa.array(midnight), result, pa.scalar(None, target))
    return result, bad


def _duration(array: pa.Array, target: pa.DataType) -> tuple[pa.Array, np.ndarray]:
    """A duration written as its number of seconds (CSV, JSON Lines, SQLite: see
    :mod:`rulegen.io.durations`), back as ``target``; a number that is not a whole number of
    the target's ticks (``1.5`` for a duration in seconds) does not convert. Decimal seconds are
    not exact in binary, so a tick is whole within a thousandth of itself, or within the float's
    own precision (about 1e-15 of the value) for long durations."""
    seconds, bad = convert(array, pa.float64())
    ticks = pc.multiply(seconds, float(_PER_SECOND[target.unit]))
    whole = pc.round(ticks)
    tolerance = pc.max_element_wise(pc.multiply(pc.abs(ticks), 1e-15), 1e-3)
    fits = pc.and_(pc.less_equal(pc.abs(pc.subtract(ticks, whole)), tolerance), pc.less(pc.abs(whole), 2.0**62))
    fits = fits.fill_null(True).to_numpy(zero_copy_only=False)
    bad |= ~fits
    whole = pc.if_else(pa.array(fits), whole, pa.scalar(None, pa.float64()))
    return pc.cast(pc.cast(whole, pa.int64()), target), bad


def _screen(target: pa.DataType) -> str | None:
    if pat.is_integer(target):
        return _INTEGER
    if pat.is_floating(target):
        return _FLOAT
    if pat.is_boolean(target):
        return _BOOL
    if pat.is_date(target):
        return _DATE
    if pat.is_timestamp(target):
        return _TIMESTAMP
    return None


def _cast(array: pa.Array, target: pa.DataType, bad: np.ndarray) -> pa.Array:
    """Cast ``array``, halving around the values that fail (marked in ``bad``, made null)."""
    pieces: list[pa.Array] = []
    todo = [(0, len(array))]
    while todo:  # depth first, left half first, so pieces come out in row order
        start, stop = todo.pop()
        chunk = array.slice(start, stop - start)
        try:
            pieces.append(chunk.cast(target))
        except (pa.ArrowInvalid, OverflowError):
            if stop - start == 1:
                bad[start] = True
                pieces.append(pa.nulls(1, target))
            else:
                middle = (start + stop) // 2
                todo += [(middle, stop), (start, middle)]
    return pa.concat_arrays(pieces) if pieces else pa.array([], type=target)
