"""Kinds of ``timeline`` tables: ``tick`` (the row's instant) and ``series`` (a value over time).

A timeline table has a row per tick (``timeline: {start, end, every}``), or a timeline per
parent row (``per``); the plan's :class:`~rulegen.plan.plan.Timeline` gives each row's instant
from its row number alone, so any block is made on its own.

A ``series`` is ``level * seasonal factor + daily swing + noise``: the level is ``base`` plus
``trend: {per_day: X}`` a day (or times ``(1 + growth)`` a year), the factor the product of the
``weekly``/``yearly``/24-hour weights, the swing ``amplitude * cos(2 pi (h - peak) / 24)`` in the
series' own units, and the noise a stationary AR(1) process (``noise: {ar1: phi, sigma}``, sigma
its standard deviation) that starts afresh with each timeline. Noise at a row depends on the
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


@register
class Tick(Kind):
    """The instant of the row's tick in its timeline."""

    name = "tick"
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
_TREND = {
    "type": "object", "additionalProperties": False, "minProperties": 1, "maxProperties": 1,
    "properties": {
        "per_day": {"type": "number", "description": "added to the level every day"},
        "growth": {"type": "number", "exclusiveMinimum": -1, "description": "the level grows by (1 + G) a year"},
    },
    "x-expect": "{per_day: X} or {growth: G}",
    "description": "{per_day: X} adds X a day; {growth: G} multiplies the level by (1 + G) a year",
}
_SWING = {
    "type": "object", "additionalProperties": False, "required": ["peak", "amplitude"],
    "properties": {
        "peak": {"type": "string", "pattern": r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$",
                 "x-expect": 'a time of day such as "14:00"'},
        "amplitude": {"type": "number", "description": "half the daily swing, in the series' units"},
    },
}


@register
class Series(Kind):
    """A value over the timeline: level, seasonal factors and swing, AR(1) noise."""

    name = "series"
    summary = "a time series over a `timeline`: base, trend, seasonality, AR(1) noise (and clip)"
    options = {
        "base": {"type": "number", "description": "the level at the start (default 0)"},
        "trend": _TREND,
        "seasonality": {
            "type": "object", "additionalProperties": False,
            "properties": {"daily": _SWING},
            "description": 'daily: {peak: "HH:MM", amplitude: A} adds A cos(2 pi (h - peak) / 24)',
        },
        "noise": _NOISE,
    }
    example = {"kind": "series", "base": 40, "trend": {"per_day": 0.01},
               "seasonality": {"daily": {"peak": "14:00", "amplitude": 15}},
               "noise": {"ar1": 0.8, "sigma": 3}, "clip": [0, 100]}
    value_rule = "range"

    def check(self, table: Any) -> list[Diagnostic]:
        return []

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
        """Base, trend, seasonal factor and daily swing at each row's tick."""
        timeline = self.timeline
        elapsed = (timeline.positions(rows) * timeline.every).astype(np.float64)
        base = float(self.option("base", 0.0))
        trend = self.option("trend") or {}
        if "growth" in trend:
            level = base * (1 + float(trend["growth"])) ** (elapsed / YEAR)
        else:
            level = base + float(trend.get("per_day", 0.0)) * elapsed / DAY
        swing = (self.option("seasonality") or {}).get("daily")
        if swing:
            hours, minutes = map(int, str(swing["peak"]).split(":"))
            hour = (timeline.seconds(rows) % DAY) / 3600.0
            level = level + float(swing["amplitude"]) * np.cos(2 * np.pi * (hour - hours - minutes / 60) / 24)
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
