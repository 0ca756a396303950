"""Kinds of ``timeline`` tables: ``tick`` (the row's instant) and ``series`` (a value over time).

A timeline table has a row per tick (``timeline: {start, end, every}``), or a timeline per
parent row (``per``); the plan's :class:`~rulegen.plan.plan.Timeline` gives each row's instant
from its row number alone, so any block is made on its own.

A ``series`` is ``level * seasonal factor + daily swing + noise``: the level is ``base`` plus
``trend: {per_day: X}`` a day, times ``(1 + growth)`` a year; the factor is the product of the
``weekly``, ``yearly``, 24-hour and ``events`` weights (the same :class:`Rates` that shape
timestamps); the swing ``amplitude * cos(2 pi (h - peak) / 24)`` is in the series' own units;
and the noise a stationary AR(1) process (``noise: {ar1: phi, sigma}``, sigma its standard
deviation) that starts afresh with each timeline. Noise at a row depends on the
innovations of the rows before it in its timeline; a block looks back as many rows as it takes
for ``phi**k`` to fall below 1e-12, drawing the earlier blocks' innovations again, so every block
is still made alone and gives the same values however blocks are scheduled.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa

from rulegen.engine.random import block_rng, stream_key
from rulegen.errors import Diagnostic
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.registry import register
from rulegen.kinds.seasonality import SEASONALITY, TREND, Rates, check_rates
from rulegen.kinds.validity import unknown

__all__ = ["Series", "Tick"]

DAY = 86_400
YEAR = 31_557_600  # 365.25 days, the `1y` of durations
_FORGET = 1e-12  # noise from rows further back than phi**k < this is left out


def _needs_timeline(kind: Kind, env: CompileEnv) -> bool:
    if env.timeline is None:
        env.report("RG218", f"a `{kind.name}` column needs a `timeline` table", kind.column.pointer,
                   hint="give the table `timeline: {start: 2024-01-01, end: 2024-12-31, every: 1h}` "
                        "instead of `rows`")
        return False
    return True


def _years(table: Any) -> tuple[int, int]:
    """The first and last year of a timeline table (the default years of `holidays` events)."""
    from rulegen.kinds.temporal import parse_instant

    span = [parse_instant(getattr(table.rows, end, "")) for end in ("start", "end")]
    return (span[0].year, span[1].year) if None not in span else (1970, 1970)


@register
class Tick(Kind):
    """The instant of the row's tick in its timeline."""

    name = "tick"
    drawn = False  # its value at a row is fixed, or follows its inputs
    summary = "the row's tick in a `timeline` table: start, start + every, ... up to end"
    options: dict[str, dict[str, Any]] = {}
    example = {"kind": "tick"}
    inherently_unique = False  # unique within one timeline; per-parent timelines repeat ticks

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.timestamp("s")
        self.timeline = env.timeline if _needs_timeline(self, env) else None

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """On the grid ``start + k * every`` for k in [0, ticks)."""
        timeline = self.timeline
        seconds = values.cast(pa.timestamp("s")).view(pa.int64()).fill_null(timeline.start).to_numpy(
            zero_copy_only=False)
        k, off = np.divmod(seconds - timeline.start, timeline.every)
        ok = (off == 0) & (k >= 0) & (k < timeline.ticks)
        return pa.array(np.where(values.is_null().to_numpy(zero_copy_only=False), None, ok), type=pa.bool_())

    def do_evaluate(self, ctx: Any) -> pa.Array:
        return pa.array(self.timeline.seconds(ctx.rows), type=pa.int64()).view(self.type)


_NOISE = {
    "type": "object", "additionalProperties": False, "required": ["sigma"],
    "properties": {
        "ar1": {"type": "number", "minimum": 0, "maximum": 0.999,
                "description": "autocorrelation of consecutive ticks (0: white noise)"},
        "sigma": {"type": "number", "minimum": 0, "description": "standard deviation of the noise"},
    },
    "description": "{ar1: phi, sigma}: a stationary AR(1) process with standard deviation sigma",
}
_SWING = {
    "type": "object", "additionalProperties": False, "required": ["peak", "amplitude"],
    "properties": {
        "peak": {"type": "string", "pattern": r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$",
                 "x-expect": 'a time of day such as "14:00"'},
        "amplitude": {"type": "number", "description": "half the daily swing, in the series' own units"},
    },
}
_SEASONALITY = {
    **SEASONALITY,
    "properties": {**SEASONALITY["properties"], "daily": {
        "anyOf": [SEASONALITY["properties"]["daily"]["anyOf"][0], _SWING],
        "x-expect": '24 hourly factors, or {peak: "HH:MM", amplitude: A} in the series\' units',
        "description": "24 hourly factors, or {peak, amplitude}: adds A cos(2 pi (h - peak) / 24)",
    }},
    "description": "factors by hour, weekday, month and event day that multiply the level; "
                   "daily {peak, amplitude} adds a swing instead",
}


@register
class Series(Kind):
    """A value over the timeline: level, seasonal factors and swing, AR(1) noise."""

    name = "series"
    drawn = False  # its value at a row is fixed, or follows its inputs
    summary = "a time series over a `timeline`: base, trend, seasonality, AR(1) noise (and clip)"
    options = {
        "base": {"type": "number", "description": "the level at the start (default 0)"},
        "trend": {**TREND, "description": "{per_day: X} adds X a day; {growth: G} multiplies by (1 + G) a year"},
        "seasonality": _SEASONALITY,
        "noise": _NOISE,
    }
    example = {"kind": "series", "base": 40, "trend": {"per_day": 0.01},
               "seasonality": {"daily": {"peak": "14:00", "amplitude": 15}},
               "noise": {"ar1": 0.8, "sigma": 3}, "clip": [0, 100]}
    value_rule = "range"

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.rates = Rates()
        self.swing: tuple[float, float] | None = None  # (peak hour, amplitude) of a daily swing

    def check(self, table: Any) -> list[Diagnostic]:
        seasonality = dict(self.option("seasonality") or {})
        daily = seasonality.get("daily")
        if isinstance(daily, dict):  # a swing in the series' units, not a factor
            hours, minutes = map(int, str(daily["peak"]).split(":"))
            self.swing = (hours + minutes / 60, float(daily["amplitude"]))
            del seasonality["daily"]
        trend = {k: v for k, v in (self.option("trend") or {}).items() if k != "per_day"}
        self.rates, problems = check_rates(seasonality, trend, self.pointer, years=_years(table), hours=None)
        return problems

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.float64()
        self.timeline = env.timeline if _needs_timeline(self, env) else None
        self.block_rows, self.rows = env.block_rows, env.rows
        noise = self.option("noise") or {}
        self.phi, self.sigma = float(noise.get("ar1", 0.0)), float(noise.get("sigma", 0.0))
        self.lookback = 0 if self.phi == 0 else math.ceil(math.log(_FORGET) / math.log(self.phi))

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """Any number: noise is unbounded (``clip`` bounds are checked as the common option)."""
        return unknown(values, null=False)

    def level(self, rows: np.ndarray) -> np.ndarray:
        """Base and trend, times the seasonal factors, plus the daily swing, at each row's tick."""
        timeline = self.timeline
        elapsed = (timeline.positions(rows) * timeline.every).astype(np.float64)
        seconds = timeline.seconds(rows)
        per_day = float((self.option("trend") or {}).get("per_day", 0.0))
        level = (float(self.option("base", 0.0)) + per_day * elapsed / DAY) * self.rates.rate(seconds, elapsed / YEAR)
        if self.swing is not None:
            peak, amplitude = self.swing
            level = level + amplitude * np.cos(2 * np.pi * ((seconds % DAY) / 3600.0 - peak) / 24)
        return level

    def noise(self, ctx: Any) -> np.ndarray:
        """AR(1) noise at ``ctx.rows``, each timeline starting from the stationary law."""
        if self.sigma == 0:
            return np.zeros(ctx.n)
        size = self.block_rows
        first = ctx.block * size
        low = max(first - self.lookback, 0)
        high = min(first + size, self.rows)
        key = stream_key(ctx.seed, ctx.table, ctx.column, "noise")
        # Innovations of rows [low, high): each block's own stream, whole, so they never depend
        # on which rows asked for them.
        z = np.concatenate([block_rng(key, b, 0).standard_normal(min(size, self.rows - b * size))
                            for b in range(low // size, ctx.block + 1)])[low - (low // size) * size:][: high - low]
        window = np.arange(low, high, dtype=np.int64)
        starts = window - self.timeline.positions(window)  # first row of each row's timeline
        shock = z * (self.sigma * math.sqrt(1 - self.phi**2))
        fresh = starts == window
        shock[fresh] = z[fresh] * self.sigma  # a timeline starts from the stationary law
        from scipy.signal import lfilter  # imported when needed: SciPy is slow to import

        y = lfilter([1.0], [1.0, -self.phi], shock)
        # Forget what came before each row's own timeline: y_t - phi**(t - s + 1) * y_(s-1).
        since = np.maximum(starts, low)
        before = np.where(since > low, y[np.maximum(since - 1 - low, 0)], 0.0)
        x = y - self.phi ** (window - since + 1) * before
        return x[ctx.rows - low]

    def do_evaluate(self, ctx: Any) -> pa.Array:
        return pa.array(self.level(ctx.rows) + self.noise(ctx), type=pa.float64())
