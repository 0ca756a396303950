"""Seasonality and trend of ``date`` and ``timestamp`` columns: how densely values fall in time.

The options (docs/time.md, "Seasonality and trend") are a product of relative rates: ``daily`` (by
hour of the day), ``weekly``, ``yearly`` (by month), ``events`` (days with a factor, or a
country's public holidays), and ``trend: {growth: G}``, (1 + G) a year, continuously. They are
checked into a frozen :class:`Rates`. A column then builds a :class:`RateGrid` once, when it
compiles: the rate over [min, max] as a step function on bins of one hour (when ``daily`` is
given) or one day, each bin weighed by its rate times its overlap with [min, max]. Values are
drawn by inverse CDF: a uniform picks a bin on the cumulative weights (through a guide table,
so the cost does not grow with the grid), and the same uniform, rescaled, places the value
uniformly inside the bin, at the column's precision.

Rates are read on the local wall clock: the hour, weekday, month and event days of a zoned
column are those of its zone, and its bins are local hours or days, which a DST change makes
23 or 25 hours long in real time (and weighs as such).

``daily: {peak, amplitude}`` is rate(h) = 1 + A cos(2 pi (h - peak) / 24). Each hour's bin
gets the curve's mean over that hour (its integral), so the mass of every hour is exact; within
the hour values are uniform.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rulegen.errors import Diagnostic, did_you_mean
from rulegen.kinds.zones import to_local, to_utc

__all__ = ["SEASONALITY", "TREND", "RateGrid", "Rates", "build_grid", "check_rates", "grid_bins"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
YEAR_SECONDS = 31_557_600  # 365.25 days, the `1y` of durations
MAX_BINS = 2_000_000  # 5,475 years of days, 228 years of hours (~100 MB of grid, 0.3 GB to build)
MAX_HOLIDAY_YEARS = 1_000  # years of holidays looked up for one events entry

_TICKS_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000}
_EPOCH = datetime.date(1970, 1, 1)  # a Thursday: weekday (Monday 0) of day d is (d + 3) % 7
_SEARCH_STEPS = 8  # guide-table corrections before the rest of a block falls back to a binary search

# --- option schemas (composed into the spec schema by the registry) --------------------------
_WEIGHT = {"type": "number", "minimum": 0}


def _weights_schema(names: Sequence[str], first: str, what: str) -> dict[str, Any]:
    n = len(names)
    return {
        "anyOf": [
            {"type": "array", "items": _WEIGHT, "minItems": n, "maxItems": n},
            {"type": "object", "properties": dict.fromkeys(names, _WEIGHT), "additionalProperties": False},
        ],
        "x-expect": f"{n} weights ({first} first) or a mapping {names[0]}..{names[-1]}",
        "description": f"relative rates by {what}: {n} weights ({first} first), or a mapping "
                       f"{names[0]}..{names[-1]} where absent ones weigh 1",
    }


_DAILY = {
    "anyOf": [
        {"type": "array", "items": _WEIGHT, "minItems": 24, "maxItems": 24},
        {"type": "object", "additionalProperties": False, "required": ["peak", "amplitude"], "properties": {
            "peak": {"type": "string", "pattern": r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$",
                     "x-expect": 'a time of day such as "20:00"', "description": "the busiest time of day"},
            "amplitude": {"type": "number", "minimum": 0, "maximum": 1,
                          "description": "A in rate(h) = 1 + A cos(2 pi (h - peak) / 24)"},
        }},
    ],
    "x-expect": '24 hourly weights, or {peak: "HH:MM", amplitude: A}',
    "description": "relative rates by hour of the day (local time): 24 weights from 00:00, or "
                   '{peak: "HH:MM", amplitude: A} for 1 + A cos(2 pi (h - peak) / 24)',
}

_EVENT = {
    "type": "object", "additionalProperties": False, "required": ["factor"],
    "properties": {
        "date": {"type": "string", "x-expect": "a date such as 2024-11-29", "description": "first day"},
        "days": {"type": "integer", "minimum": 1, "description": "how many days from `date` (default 1)"},
        "holidays": {"type": "string", "minLength": 1,
                     "description": "every public holiday of a country (ISO code such as US, DE)"},
        "years": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 9999}, "minItems": 1,
                  "description": "years of the holidays (default: the years of [min, max])"},
        "factor": {"type": "number", "minimum": 0, "description": "multiplies the rate on those days"},
    },
}

SEASONALITY: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {
        "daily": _DAILY,
        "weekly": _weights_schema(WEEKDAYS, "Monday", "day of the week"),
        "yearly": _weights_schema(MONTHS, "January", "month"),
        "events": {"type": "array", "items": _EVENT,
                   "description": "days whose rate is multiplied by `factor`: {date, days, factor}, or "
                                  "{holidays: COUNTRY, factor} for a country's public holidays"},
    },
    "description": "relative rates that multiply: how densely values fall by hour, weekday, month and day",
}

TREND: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {
        "growth": {"type": "number", "exclusiveMinimum": -1,
                   "description": "the rate is multiplied by (1 + growth) a year, continuously"},
        "per_day": {"type": "number", "description": "added a day (series only)"},
    },
    "description": "{growth: G}: values grow denser by (1 + G) a year",
}


# --- checked options -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Rates:
    """Checked seasonality and trend: the relative rates whose product shapes a column's density.

    Attributes:
        hourly: 24 rates by local hour (the mean over each hour), or None for no ``daily``.
        weekly: 7 rates, Monday first.
        monthly: 12 rates, January first.
        events: (first day as days since 1970-01-01, number of days, factor), holidays included.
        growth: G of ``trend: {growth: G}``; the rate is (1 + G) ** (years since min).
    """

    hourly: tuple[float, ...] | None = None
    weekly: tuple[float, ...] = (1.0,) * 7
    monthly: tuple[float, ...] = (1.0,) * 12
    events: tuple[tuple[int, int, float], ...] = ()
    growth: float = 0.0

    def rate(self, wall: np.ndarray, years: np.ndarray) -> np.ndarray:
        """The rate of bins starting at local wall-clock seconds ``wall``, ``years`` after min."""
        day = wall // 86_400
        rate = np.asarray(self.weekly)[(day + 3) % 7]
        month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
        rate = rate * np.asarray(self.monthly)[month]
        if self.hourly is not None:
            rate = rate * np.asarray(self.hourly)[(wall // 3_600) % 24]
        with np.errstate(over="ignore"):  # an infinite rate sends build_grid to log_rate
            if self.events and len(day):
                rate = rate * _event_factors(day, self.events, log=False)
            if self.growth:
                rate = rate * np.power(1.0 + self.growth, years)
        return rate

    def log_rate(self, wall: np.ndarray, years: np.ndarray) -> np.ndarray:
        """The natural log of :meth:`rate` (-inf where it is 0), which cannot overflow: weights
        of 1e308 that multiply, or a growth of 1e300 a year, are finite sums here."""
        day = wall // 86_400
        with np.errstate(divide="ignore"):  # log(0) = -inf: a rate of 0
            logs = [np.log(np.asarray(self.weekly))[(day + 3) % 7],
                    np.log(np.asarray(self.monthly))[day.astype("datetime64[D]").astype("datetime64[M]")
                                                     .astype(np.int64) % 12]]
            if self.hourly is not None:
                logs.append(np.log(np.asarray(self.hourly))[(wall // 3_600) % 24])
        if self.events and len(day):
            logs.append(_event_factors(day, self.events, log=True))
        return sum(logs) + (years * math.log1p(self.growth) if self.growth else 0.0)


def _event_factors(day: np.ndarray, events: Sequence[tuple[int, int, float]], *, log: bool) -> np.ndarray:
    """The product of the factors of the events on each ``day`` (the sum of their logs, with ``log``)."""
    first = int(day.min())
    factors = np.full(int(day.max()) - first + 1, 0.0 if log else 1.0)
    for start, days, factor in events:
        lo, hi = max(start - first, 0), min(start + days - first, len(factors))
        if lo < hi and log:
            factors[lo:hi] += math.log(factor) if factor > 0 else -math.inf
        elif lo < hi:
            factors[lo:hi] *= factor
    return factors[day - first]


def check_rates(
    seasonality: Mapping[str, Any] | None, trend: Mapping[str, Any] | None, pointer: Callable[..., str], *,
    years: tuple[int, int], hours: str | None,
) -> tuple[Rates, list[Diagnostic]]:
    """The :class:`Rates` of a column's ``seasonality`` and ``trend`` (already valid against
    their schemas), and the problems of their meaning.

    Args:
        pointer: the column's pointer maker (``pointer("seasonality", "weekly")``).
        years: the first and last (local) year of [min, max]: the default years of holidays.
        hours: None when the column has hours, else why ``daily`` does not apply to it.
    """
    seasonality, problems = seasonality or {}, []
    fields: dict[str, Any] = {}
    for option, names, field in (("weekly", WEEKDAYS, "weekly"), ("yearly", MONTHS, "monthly")):
        if option in seasonality:
            fields[field], found = _weights(seasonality[option], names, pointer("seasonality", option))
            problems += found
    if "daily" in seasonality:
        if hours is not None:
            problems.append(Diagnostic("RG210", f"`daily` does not apply: {hours}", pointer("seasonality", "daily"),
                                       hint="drop `daily`, or use a timestamp with precision s, ms or us"))
        else:
            fields["hourly"], found = _daily(seasonality["daily"], pointer)
            problems += found
    events: list[tuple[int, int, float]] = []
    for i, event in enumerate(seasonality.get("events", ())):
        found = _event(event, lambda *keys, i=i: pointer("seasonality", "events", i, *keys), years, events)
        problems += found
    fields["events"] = tuple(events)
    trend = trend or {}
    if "per_day" in trend:
        problems.append(Diagnostic("RG210", "`per_day` is for `series` columns: dates and timestamps grow by "
                                            "`growth`", pointer("trend", "per_day"),
                                   hint="write trend: {growth: 0.1} for 10 % more values a year"))
    fields["growth"] = float(trend.get("growth", 0.0))
    return Rates(**{k: v for k, v in fields.items() if v is not None}), problems


def _weights(value: Any, names: Sequence[str], pointer: str) -> tuple[tuple[float, ...] | None, list[Diagnostic]]:
    """A list of weights in ``names`` order, or a mapping by name where absent ones weigh 1."""
    weights = [float(w) for w in value] if isinstance(value, list) else [float(value.get(n, 1)) for n in names]
    if not any(w > 0 for w in weights):
        return None, [Diagnostic("RG210", "weights must not all be 0", pointer)]
    return tuple(weights), []


def _daily(value: Any, pointer: Callable[..., str]) -> tuple[tuple[float, ...] | None, list[Diagnostic]]:
    if isinstance(value, list):
        return _weights(value, [str(h) for h in range(24)], pointer("seasonality", "daily"))
    hours, minutes = (int(part) for part in value["peak"].split(":"))
    centre = np.arange(24) + 0.5 - (hours + minutes / 60)
    # The mean of cos over an hour [h, h + 1] is cos at its middle times sin(pi/24) / (pi/24).
    mean = math.sin(math.pi / 24) / (math.pi / 24)
    curve = 1 + float(value["amplitude"]) * mean * np.cos(2 * np.pi * centre / 24)
    return tuple(float(r) for r in np.maximum(curve, 0.0)), []


def _event(event: Mapping[str, Any], pointer: Callable[..., str], years: tuple[int, int],
           events: list[tuple[int, int, float]]) -> list[Diagnostic]:
    """Check one events entry and append its days to ``events``."""
    factor = float(event["factor"])
    if "date" in event and "holidays" in event:
        return [Diagnostic("RG210", "an event has a `date` or `holidays`, not both", pointer("holidays"))]
    if "date" in event:
        if "years" in event:
            return [Diagnostic("RG210", "`years` goes with `holidays`, not with `date`", pointer("years"))]
        try:
            day = (datetime.date.fromisoformat(str(event["date"])) - _EPOCH).days
        except ValueError:
            return [Diagnostic("RG205", f"must be a date such as 2024-11-29, got {event['date']!r}", pointer("date"))]
        events.append((day, int(event.get("days", 1)), factor))
        return []
    if "holidays" not in event:
        return [Diagnostic("RG204", "an event needs a `date` (and `days`), or `holidays` with a country code",
                           pointer())]
    if "days" in event:
        return [Diagnostic("RG210", "`days` goes with `date`: a holiday lasts its own days", pointer("days"))]
    wanted = sorted({y for y in event.get("years", range(years[0], years[1] + 1)) if years[0] <= y <= years[1]})
    if len(wanted) > MAX_HOLIDAY_YEARS:
        return [Diagnostic("RG210", f"holidays of {len(wanted):,} years are too many to look up "
                                    f"(at most {MAX_HOLIDAY_YEARS:,})", pointer("holidays"),
                           hint="give the `years` that matter")]
    country = str(event["holidays"])
    days = _holidays(country, wanted)
    if days is None:
        return [Diagnostic("RG206", f"unknown holidays country `{country}`", pointer("holidays"),
                           hint=_country_hint(country))]
    events.extend((day, 1, factor) for day in days)
    return []


def _holidays(country: str, years: list[int]) -> list[int] | None:
    """Days (since 1970-01-01) of the public holidays of ``country`` in ``years``; None when the
    ``holidays`` package does not list the country among its supported countries.

    The registry is asked first: ``country_holidays`` looks the code up as an attribute of the
    package, so any other name (``financial_holidays``, ``HolidayBase``) would call whatever
    the package exports under it.
    """
    import holidays  # imported on demand: it takes ~0.1 s

    if country not in holidays.list_supported_countries():
        return None
    try:
        found = holidays.country_holidays(country, years=years)
    except (NotImplementedError, KeyError):
        return None
    return sorted((day - _EPOCH).days for day in found)


def _country_hint(country: str) -> str:
    import holidays

    known = holidays.list_supported_countries()
    if country.upper() in known:
        return f"did you mean `{country.upper()}`?"
    same_length = [code for code in known if len(code) == len(country)]  # alpha-2 or alpha-3
    return did_you_mean(country, same_length) or "use an ISO 3166 country code such as US, DE or FR"


# --- the grid ------------------------------------------------------------------------------
def _weights_of(rates: Rates, wall: np.ndarray, years: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Each bin's rate times its length; rescaled through logs when the product or its sum
    overflows (the rates are relative: only their ratios matter)."""
    with np.errstate(over="ignore", invalid="ignore"):
        weights = rates.rate(wall, years) * length
        if math.isfinite(weights.sum()):  # the common case, as it always was computed
            return weights
    log = rates.log_rate(wall, years)
    if not np.isfinite(log).any():
        return np.zeros(len(log))
    with np.errstate(under="ignore"):  # a rate far below the largest weighs 0
        return np.exp(log - log[np.isfinite(log)].max()) * length


def grid_bins(low: int, high: int, unit: str, hourly: bool) -> int:
    """About how many bins the grid of [low, high] (ticks of ``unit``, or days) has."""
    if unit == "day":
        return high - low + 1
    return (high - low) // (_TICKS_PER_SECOND[unit] * (3_600 if hourly else 86_400)) + 2


@dataclass(frozen=True, slots=True, eq=False)
class RateGrid:
    """The cumulative rate over [min, max] on a grid of bins, ready for inverse-CDF draws.

    Attributes:
        bins: one row per bin: the share of all values up to the end of the bin (non-decreasing,
            the last exactly 1), the share before it, its ticks per unit of share (0 for bins
            that get no values), and its first tick inside [min, max] (int64 bits). One row is
            one 32-byte gather, which keeps a draw to two cache misses.
        guide: for each of K equal slices of [0, 1) (K a power of two), the bin of its first point.
    """

    bins: np.ndarray
    guide: np.ndarray

    def sample(self, u: np.ndarray) -> np.ndarray:
        """Ticks at quantiles ``u`` in [0, 1): the bin where the cumulative share passes u, then
        a point of that bin in proportion to where u falls within the bin's share."""
        # u * K is exact (K is a power of two), so slice j holds exactly the u in [j/K, (j+1)/K).
        b = self.guide.take((u * len(self.guide)).astype(np.int32))
        rows = self.bins.take(b, axis=0)
        late = np.flatnonzero(rows[:, 0] <= u)  # the answer lies after the slice's first bin
        if len(late):
            upper, todo = self.bins[:, 0], late
            for _ in range(_SEARCH_STEPS):
                b[todo] += 1
                todo = todo[upper.take(b[todo]) <= u[todo]]
                if not len(todo):
                    break
            if len(todo):  # a slice that spans many bins (tiny weights): search the rest
                b[todo] = np.searchsorted(upper, u[todo], side="right")
            rows[late] = self.bins.take(b[late], axis=0)
        offset = u - rows[:, 1]
        offset *= rows[:, 2]
        ticks = offset.astype(np.int64)
        ticks += rows[:, 3].view(np.int64)
        return ticks


def build_grid(rates: Rates, low: int, high: int, *, unit: str, zone: str | None = None,
               hourly: bool = False) -> RateGrid | None:
    """The grid of ``rates`` over ticks [low, high] (both inclusive); None when the rate is 0
    all over it.

    Args:
        unit: ``s``, ``ms`` or ``us`` for ticks that are UTC instants, or ``day`` for ticks
            that are (local) days since 1970-01-01, one bin each.
        zone: the column's time zone: bins are its local hours or days.
        hourly: bins of an hour (for ``daily``) rather than a day.
    """
    if unit == "day":
        days = np.arange(low, high + 1, dtype=np.int64)
        wall, start, length = days * 86_400, days, np.ones(len(days), dtype=np.int64)
        years = (days - low + 0.5) * 86_400 / YEAR_SECONDS
    else:
        per_second, size = _TICKS_PER_SECOND[unit], 3_600 if hourly else 86_400
        ends = np.array([low // per_second, high // per_second], dtype=np.int64)
        first, last = to_local(ends, zone) if zone else ends
        wall = np.arange(first // size * size, last // size * size + size, size, dtype=np.int64)
        edges = np.append(wall, wall[-1] + size)
        edges = (to_utc(edges, zone) if zone else edges) * per_second
        start, stop = np.maximum(edges[:-1], low), np.minimum(edges[1:], high + 1)
        start[0], stop[-1] = low, high + 1  # the first and last bins hold min and max
        length = np.maximum(stop - start, 0)
        years = ((start + stop) / 2 - low) / (per_second * YEAR_SECONDS)
    cumulative = np.cumsum(_weights_of(rates, wall, years, length))
    total = cumulative[-1]
    if not total > 0:
        return None
    upper = cumulative / total
    upper[-1] = 1.0
    lower = np.concatenate([[0.0], upper[:-1]])
    share = upper - lower
    # Slightly under length / share, so that u just below `upper` still lands inside the bin.
    with np.errstate(over="ignore"):  # a share far below its length: the bin's first tick, as for 0
        scale = np.divide(length, share, out=np.zeros(len(share)), where=share > 0) * (1 - 2.0**-50)
    scale[~np.isfinite(scale)] = 0.0
    slices = 1 << min(22, max(4, math.ceil(math.log2(4 * len(upper)))))
    # guide[j] counts the bins with upper <= j/K (searchsorted of j/K, side right), in one pass:
    # bin b is counted from slice ceil(upper[b] * K) on (exact, K being a power of two).
    counts = np.bincount(np.ceil(upper * slices).astype(np.int64), minlength=slices + 1)
    guide = np.cumsum(counts[:slices]).astype(np.int32)
    bins = np.stack([upper, lower, scale, start.astype(np.int64).view(np.float64)], axis=1)
    return RateGrid(bins=bins, guide=guide)
