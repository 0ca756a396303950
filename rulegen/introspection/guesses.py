"""Guesses from a column's name and type together: years, flags, rates and amounts.

A name alone says what a column means; the type says how the database writes it. A flag is a
``bool`` in a boolean column, 0 and 1 in an integer one and ``Y``/``N`` in a ``char(1)``; a year
is a number in an integer column and four digits in a ``varchar(4)``; a discount is a share
(0-1) in a ``numeric(3, 2)`` or a float, a percentage (0-100) in an integer or a numeric with
three integer digits. Each guess returns a :class:`~rulegen.introspection.kinds.Draft`, or None
when the name and the type do not agree on one.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from rulegen.introspection.model import ColumnInfo, ColumnStats
from rulegen.introspection.names import flag_share, is_birth, is_money, is_year, number_hint, rate_kind

if TYPE_CHECKING:
    from rulegen.introspection.kinds import Draft

__all__ = ["flag_draft", "range_hint", "year_draft", "year_pattern"]

RECENT_YEARS = 30  # a year column holds the last this many years


def _draft(spec: dict[str, Any], *notes: str) -> Draft:
    from rulegen.introspection.kinds import Draft

    return Draft(spec, list(notes))


def _sampled_within(stats: ColumnStats | None, low: float, high: float) -> bool:
    """No sample, or every sampled value in [low, high] (a sample can overrule a name)."""
    if stats is None or stats.low is None:
        return True
    try:
        return low <= float(stats.low) and float(stats.high) <= high
    except (TypeError, ValueError):
        return False


def flag_draft(column: ColumnInfo, stats: ColumnStats | None) -> Draft | None:
    """A flag named like one (``is_*``, ``has_*``, ``*_flag``, ``active``, ``discontinued``...), in the
    column's own representation: a ``bool``, 0/1 integers, or ``Y``/``N`` in a one-character text."""
    share = flag_share(column.name)
    if share is None:
        return None
    if column.category == "bool":
        if stats is not None and stats.values:
            share = round(stats.true / stats.values, 3)
        return _draft({"kind": "bool", "p": share}, "a flag: set on about this share of rows")
    weights = {1: share, 0: round(1 - share, 3)}
    bits = column.category == "unknown" and re.fullmatch(r"bit(\s*\(\s*1\s*\))?|tinyint\s*\(\s*1\s*\)",
                                                          column.type_name.strip().lower()) is not None
    if (column.category == "integer" or bits) and _sampled_within(stats, 0, 1):
        return _draft({"kind": "choice", "values": weights}, "a flag: 1 or 0 (from the name)")
    if column.category == "text" and column.length == 1 and (stats is None or not stats.longest
                                                                or stats.longest <= 1):
        return _draft({"kind": "choice", "values": {"Y": share, "N": weights[0]}}, "a flag: Y or N (from the name)")
    return None


def year_pattern(low: int, high: int) -> str:
    """A ``pattern`` of the four-digit years low..high (one alternative per decade)."""
    parts = []
    for decade in range(low // 10, high // 10 + 1):
        first, last = max(low, decade * 10) % 10, min(high, decade * 10 + 9) % 10
        digit = str(first) if first == last else f"[{first}-{last}]"
        parts.append(f"{decade:03d}{digit}")
    return parts[0] if len(parts) == 1 else f"({'|'.join(parts)})"


def year_draft(column: ColumnInfo, stats: ColumnStats | None, today: datetime.date) -> Draft | None:
    """Recent years for a ``YEAR`` column, or a column named like a year (``*_year``, ``year_of_*``)
    held as an integer or as four characters of text."""
    named = is_year(column.name)
    low, high = today.year - RECENT_YEARS, today.year
    note = f"a year: the last {RECENT_YEARS} years"
    if is_birth(column.name):
        low, high, note = today.year - 85, today.year - 18, "a year of birth: adults"
    if column.type_name.strip().lower() == "year":  # MySQL's YEAR, as SQLite or a port declares it
        return _draft({"kind": "integers", "low": low, "high": high}, note)
    if not named or (stats is not None and stats.low is not None):
        return None  # a sampled year column: its sampled range
    if column.category == "text" and column.length == 4:
        return _draft({"kind": "pattern", "pattern": year_pattern(low, high)}, f"{note}, as text")
    return None


def range_hint(column: ColumnInfo, year: int) -> tuple[tuple[float, float], bool, str] | None:
    """The range of a number from its name and type: (low, high), whether it is the values' real
    scale (kept inside a wider CHECK range), and the note that explains it.

    Rates and percentages take the scale the type can hold: a share (0-1) in a float or a numeric
    with a single integer digit, a percentage (0-100) in an integer or a wider numeric.
    """
    rate = rate_kind(column.name)
    if rate is not None and column.category in ("integer", "decimal", "float"):
        digits = None if column.precision is None else column.precision - (column.scale or 0)
        hundreds = column.category == "integer" or (digits is not None and digits >= 3) or (
            rate == "percent" and column.category == "float")
        top = 0.3 if "discount" in column.name.lower() else 1.0
        if hundreds:
            return (0, 100 * top), True, f"a {rate} in percent (0-100)"
        if digits is not None and digits < 1:
            top = min(top, 1 - 10.0 ** -(column.scale or 0))
        return (0, top), True, f"a {rate} on the scale 0-1"
    guessed = number_hint(column.name, year)
    if guessed is None:
        return None
    bounds, firm = guessed
    what = ("a year of birth: adults" if is_birth(column.name) else f"a year: the last {RECENT_YEARS} years") \
        if is_year(column.name) else "an amount of money" if is_money(column.name) else "range from the name"
    return bounds, firm, what
