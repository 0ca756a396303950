"""Durations in a spec: ``30s``, ``15m``, ``1h``, ``30d``, ``1w`` and ``1y`` (years of 365.25 days).

A length of time written as a bare number has no unit: in a ``delay`` (the options of its law
that are lengths of time) and in a timeline's ``every``, it is refused with RG350 and a hint
that gives it one, never read as seconds. ``0`` is the same in every unit and needs none. The
other way round, a duration given to a delay's pure number (a gamma's ``shape``, a lognormal's
``mean``) is RG390: read as seconds it would make delays of centuries, or none at all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from rulegen.errors import Diagnostic

__all__ = ["YEAR", "is_duration_expression", "parse_duration", "unit_on_numbers", "unitless", "unitless_options",
           "whole"]

_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(s|m|h|d|w|y)\s*$")
_MISSPELT_DURATION = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*[A-Za-z]+\s*$")
YEAR = 31_557_600  # seconds in a year of 365.25 days
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800, "y": YEAR}


def is_duration_expression(text: str) -> bool:
    """Whether a delay's parameter is an expression rather than a misspelt duration (``30 days``
    is a number and a word: it stays a duration problem)."""
    return _MISSPELT_DURATION.match(text) is None


# The options of a delay's law that are lengths of time (the others, `shape`, `p`, `a`, are pure
# numbers): a bare number there has no unit, and is refused rather than read as seconds.
_TIME_OPTIONS = ("loc", "scale", "low", "high", "left", "mode", "right", "lam", "shift", "truncate")


def unitless_options(delay: dict[str, Any], pointer: Callable[..., str]) -> list[Diagnostic]:
    """A located RG350 for each duration option of ``delay`` written as a bare number."""
    problems = []
    for name in _TIME_OPTIONS:
        value = delay.get(name)
        for index, item in (enumerate(value) if isinstance(value, list) else [(None, value)]):
            at = pointer("delay", name) if index is None else pointer("delay", name, str(index))
            problems += unitless(item, f"the delay's `{name}`", at)
    return problems


def unit_on_numbers(delay: dict[str, Any], pointer: Callable[..., str]) -> list[Diagnostic]:
    """A located RG390 for each pure-number option of ``delay`` (not a length of time) written
    as a duration, such as a gamma's ``shape: 2d``."""
    problems = []
    for name, value in delay.items():
        if name in _TIME_OPTIONS or name == "kind" or isinstance(value, list) or parse_duration(value) is None:
            continue
        if isinstance(value, str):
            lengths = ", ".join(f"`{o}`" for o in _TIME_OPTIONS if o != "truncate")
            hint = (f"write `{name}` as a plain number; the lengths of time of a delay are its {lengths} and "
                    "`truncate`")
            if delay.get("kind") == "lognormal":
                hint = ("a lognormal's `mean` and `sigma` are those of the delay's natural logarithm in seconds: "
                        "a median of 2 days is `mean: 12.06` (ln 172,800)")
            problems.append(Diagnostic("RG390", f"the delay's `{name}` is a pure number, not a duration, got "
                                                f"{value!r}", pointer("delay", name), hint=hint))
    return problems


def unitless(value: Any, what: str, pointer: str) -> list[Diagnostic]:
    """RG350 when ``value`` is a bare number other than 0 where ``what`` needs a duration; else nothing.

    Args:
        value: the option's value as written.
        what: the option in words, e.g. "a timeline's `every`".
        pointer: the JSON pointer of the value.
    """
    # 0 is the same in every unit; .inf and .nan have their own error (RG270).
    if not isinstance(value, int | float) or isinstance(value, bool) or value == 0 or not math.isfinite(value):
        return []
    hint = f"write `{value:g}d` for {value:g} days, `{value:g}h` for hours or `{value:g}s` for seconds"
    larger = [(value // seconds, unit) for unit, seconds in _UNIT_SECONDS.items()
              if seconds > 1 and value >= seconds and value % seconds == 0]
    if larger:  # 3600 is more likely seconds than 3600 days: name the unit it is a whole number of
        hint += f" ({value:g} seconds is `{larger[-1][0]:g}{larger[-1][1]}`)"
    return [Diagnostic("RG350", f"{value!r} has no unit; {what} is a duration such as 30s, 15m, 1h, 30d, 1w or 1y",
                       pointer, hint=hint)]


def whole(seconds: float | None) -> float | None:
    """Whole seconds as an integer (so that an ``integers`` delay of ``1d`` passes its schema)."""
    return int(seconds) if seconds is not None and seconds.is_integer() else seconds


def parse_duration(value: Any) -> float | None:
    """Seconds in a duration such as ``30s``, ``15m``, ``1h``, ``30d``, ``1w`` or ``1y`` (a plain
    number is seconds); None when ``value`` is not one."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    found = _DURATION.match(str(value))
    return float(found.group(1)) * _UNIT_SECONDS[found.group(2)] if found else None
