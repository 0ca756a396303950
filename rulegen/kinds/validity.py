"""Helpers for :meth:`Kind.valid`: vectorised "could the kind have made this value?" tests.

A kind answers with a boolean array (see :meth:`rulegen.kinds.base.Kind.valid`); these helpers
turn the common shapes of a value space into that answer: unions of closed intervals (laws,
histograms, date ranges), finite sets of numbers, regular expressions. Every test is over whole
arrays; nothing runs per row in Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.expr.arithmetic import INT64_MAX, INT64_MIN

__all__ = ["in_integer_range", "in_intervals", "in_progression", "matches", "near", "near_integers", "numbers",
           "unknown", "verdict"]

# Relative slack on float comparisons: a value that went through float arithmetic (a shift, a
# histogram edge, the edge of a rounding step) may sit an ulp beyond an exact bound.
_RELATIVE = 1e-12


def numbers(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``values`` as float64 (nulls as NaN), and the mask of nulls. An integer past 2**53 becomes
    its nearest float (Arrow's safe cast would refuse it): tests that must be exact there take
    the integers themselves (:func:`in_integer_range`, :func:`near_integers`)."""
    nulls = values.is_null().to_numpy(zero_copy_only=False)
    if len(values) == 0:
        return np.zeros(0), nulls
    x = pc.cast(values, pa.float64(), safe=False).fill_null(np.nan).to_numpy(zero_copy_only=False)
    return x.astype(np.float64, copy=False), nulls


def in_integer_range(values: pa.Array, low: int | None, high: int | None, *, within: float = 0.0) -> np.ndarray:
    """Whether an integer of ``[low, high]`` (an open end is None) lies within ``within`` of each
    of the integer ``values``, compared exactly: a 64-bit integer past 2**53 has no float of its
    own, so a float comparison would pass its neighbours and refuse values on a bound.

    Nulls answer False (the caller's :func:`verdict` decides them).
    """
    x = values.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    reach = math.floor(within * (1 + 1e-9))  # an integer x reaches the integers x - reach .. x + reach
    ok = np.ones(len(x), dtype=bool)
    if low is not None:
        ok &= _at_least(x, low - reach)
    if high is not None:
        ok &= ~_at_least(x, high + reach + 1)
    return ok


def _at_least(x: np.ndarray, bound: int) -> np.ndarray:
    """``x >= bound`` for int64 ``x`` and any Python integer ``bound`` (no wrap past 64 bits)."""
    if bound <= INT64_MIN:
        return np.ones(len(x), dtype=bool)
    if bound > INT64_MAX:
        return np.zeros(len(x), dtype=bool)
    return x >= np.int64(bound)


def near_integers(values: pa.Array, points: Sequence[int], within: float = 0.0) -> np.ndarray:
    """:func:`near` for integer ``values`` and ``points``, exact over the whole int64 range (no
    float has a value of its own for most integers past 2**53). Nulls answer False."""
    x = values.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    points = np.unique(np.asarray(points, dtype=np.int64))
    reach = math.floor(within * (1 + 1e-9))
    if reach > INT64_MAX:
        return np.full(len(x), len(points) > 0)
    # [x - reach, x + reach], saturated at the ends of int64 rather than wrapped.
    lo = np.maximum(x, np.int64(INT64_MIN + reach)) - np.int64(reach)
    hi = np.minimum(x, np.int64(INT64_MAX - reach)) + np.int64(reach)
    return np.searchsorted(points, lo, side="left") < np.searchsorted(points, hi, side="right")


def in_progression(x: np.ndarray, start: int, step: int, terms: int, *, within: float = 0.0) -> np.ndarray:
    """Whether one of the ``terms`` first terms of start, start + step, ... lies within ``within``
    of each int64 ``x``: exact, in int64 while no difference can wrap, else in Python integers."""
    reach = math.floor(within * (1 + 1e-9))
    small = max(abs(start), abs(step), reach, -int(x.min(initial=0)), int(x.max(initial=0))) < 2**60
    offset = (x if small else x.astype(object)) - start
    if step < 0:  # count the terms downwards
        offset, step = -offset, -step
    first = np.maximum(-((reach - offset) // step), 0)  # ceil((offset - reach) / step)
    last = np.minimum((offset + reach) // step, terms - 1)
    return np.asarray(first <= last, dtype=bool)


def verdict(ok: np.ndarray, nulls: np.ndarray, null: bool | None) -> pa.Array:
    """The answer of :meth:`Kind.valid`: ``ok`` on values, ``null`` on null rows (None: cannot tell)."""
    ok = np.asarray(ok, dtype=bool).copy()
    if null is None:
        return pa.array(ok, type=pa.bool_(), mask=nulls)
    ok[nulls] = null
    return pa.array(ok, type=pa.bool_())


def unknown(values: pa.Array, *, null: bool | None) -> pa.Array:
    """An answer that cannot tell for any value, but knows whether the kind makes nulls."""
    nulls = values.is_null().to_numpy(zero_copy_only=False)
    if null is None:
        return pa.nulls(len(values), pa.bool_())
    return pa.array(np.where(nulls, null, False), type=pa.bool_(), mask=~nulls)


def in_intervals(x: np.ndarray, starts: Sequence[float], ends: Sequence[float], *, within: float = 0.0,
                 integer: bool = False) -> np.ndarray:
    """Whether some point of the union of closed intervals ``[starts[i], ends[i]]`` (integers
    only, when ``integer``) lies within ``within`` of each ``x``.

    Bounds may be infinite; intervals may overlap and come in any order.
    """
    starts, ends = np.asarray(starts, dtype=np.float64), np.asarray(ends, dtype=np.float64)
    reach = within * (1 + 1e-9) + (0.0 if integer else _RELATIVE * np.abs(np.nan_to_num(x)))
    lo, hi = x - reach, x + reach
    if integer:
        lo, hi = np.ceil(lo), np.floor(hi)
        starts, ends = np.ceil(starts), np.floor(ends)
    keep = starts <= ends
    starts, ends = starts[keep], ends[keep]
    if len(starts) == 0:
        return np.zeros(len(x), dtype=bool)
    order = np.argsort(starts, kind="stable")
    starts, furthest = starts[order], np.maximum.accumulate(ends[order])
    last = np.searchsorted(starts, hi, side="right") - 1  # last interval starting at or before hi
    with np.errstate(invalid="ignore"):
        return (last >= 0) & (furthest[np.maximum(last, 0)] >= lo) & (lo <= hi)


def near(x: np.ndarray, points: Sequence[float], within: float = 0.0) -> np.ndarray:
    """Whether some of ``points`` lies within ``within`` of each ``x`` (exact equality at 0)."""
    points = np.unique(np.asarray(points, dtype=np.float64))
    return in_intervals(x, points, points, within=within)


def matches(values: pa.Array, regex: str) -> np.ndarray | None:
    """Whether each string fully matches ``regex`` (RE2 syntax); None when RE2 rejects it."""
    try:
        found = pc.match_substring_regex(values, f"^(?:{regex})$")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return found.fill_null(False).to_numpy(zero_copy_only=False)
