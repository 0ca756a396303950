"""Temporal kinds: ``date`` and ``timestamp`` between ``min`` and ``max`` (both inclusive).

A date-only ``max`` of a timestamp means the end of that day, so ``max: 2025-12-31`` includes
the evening of December 31st.

Values are uniform over [min, max] unless ``seasonality`` or ``trend`` shape their density
(:mod:`rulegen.kinds.seasonality`): then they are drawn by inverse CDF on a grid of rates built
once, when the column compiles. A value ``after`` another column is that one plus a drawn
delay; ``seasonality`` then keeps each row's candidates in proportion to their rate
(:mod:`rulegen.kinds.thinning`), and ``trend`` is refused. A timestamp's ``precision`` is
``s`` (default), ``ms``, ``us`` or ``day``; ``day`` values are midnights, typed
``timestamp[s]``: an instant in [min, max] truncated to its (local) day. ``tz`` names an IANA
zone: ``min`` and ``max`` without an offset are wall-clock times there, values are UTC instants
whose Arrow type carries the zone, and seasonality follows the zone's wall clock.
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.errors import Diagnostic, did_you_mean
from rulegen.expr.arithmetic import MAX_DURATION_SECONDS, RangeProblem, temporal_range
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.bounds import RowBounds, day_ticks, instant_ticks, is_expression
from rulegen.kinds.durations import (
    YEAR,
    is_duration_expression,
    parse_duration,
    unit_on_numbers,
    unitless_options,
    whole,
)
from rulegen.kinds.numeric import value_error
from rulegen.kinds.registry import register
from rulegen.kinds.seasonality import (
    MAX_BINS,
    SEASONALITY,
    TREND,
    RateGrid,
    Rates,
    build_grid,
    check_rates,
    grid_bins,
)
from rulegen.kinds.thinning import thin
from rulegen.kinds.validity import in_intervals, unknown, verdict
from rulegen.kinds.zones import check_zone, to_local, to_utc

__all__ = ["Date", "Timestamp", "parse_instant"]

_AFTER = {"type": "string", "description": "a date or timestamp column this one follows"}
_DELAY = {"type": "object", "required": ["kind"],
          "description": "a distribution of durations (`30s 15m 1h 30d 1w 1y`), e.g. {kind: exponential, scale: 30d}"}
_DATE_TEXT = {"type": "string", "x-expect": "a date such as 2024-01-31, or an expression over the row"}
_INSTANT_TEXT = {"type": "string", "x-expect": "a date or timestamp such as 2024-01-31 or 2024-01-31T08:00:00, or an "
                                               "expression over the row"}
_EPOCH = datetime.datetime(1970, 1, 1)
_DAY = 86_400
_MICROS = {"s": 1_000_000, "ms": 1_000, "us": 1, "day": _DAY * 1_000_000}


def parse_instant(text: str, *, end_of_day: bool = False) -> datetime.datetime | None:
    """A naive UTC datetime from ISO text (dates count as midnight, or as 23:59:59.999999)."""
    try:
        value = datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    if end_of_day and len(str(text).strip()) <= 10:
        value = value + datetime.timedelta(days=1, microseconds=-1)
    return value


class _Between(Kind):
    """Shared by date and timestamp: ticks in [min, max], uniform or shaped by seasonality."""

    delay: Any = None  # the delay distribution (in seconds), with `after`
    rates: Rates | None = None  # checked seasonality and trend, when given
    grid: RateGrid | None = None  # their grid over [min, max], built by compile
    years: tuple[int, int] = (1970, 1970)  # (local) years of min and max
    low: int = 0  # ticks of min and max given as dates
    high: int = 0
    row_bounds: RowBounds | None = None  # min or max given as expressions (kinds.bounds)
    value_rule = "range"

    def _instant(self, text: Any, *, end_of_day: bool) -> tuple[int, int] | None:
        """Ticks of ISO text and its (local) year; None when it is not a date."""
        raise NotImplementedError

    def _bounds(self) -> tuple[list[Diagnostic], int, int]:
        problems, ticks, years = [], [], []
        for option in ("min", "max"):
            if is_expression(self.option(option)):
                continue
            found = self._instant(self.option(option), end_of_day=option == "max")
            if found is None:
                problems.append(Diagnostic("RG205", f"must be a date such as 2024-01-31, got {self.option(option)!r}",
                                           self.pointer(option)))
            else:
                ticks.append(found[0])
                years.append(found[1])
                setattr(self, "low" if option == "min" else "high", found[0])
        if not problems and len(ticks) == 2:
            self.years = (years[0], years[1])
            if ticks[0] > ticks[1]:
                problems.append(Diagnostic("RG210", f"min must not be after max ({self.option('min')} > "
                                                    f"{self.option('max')})", self.pointer("min")))
        return problems, self.low, self.high

    def _check_own(self) -> list[Diagnostic]:
        """Problems of the kind's own options, checked before min and max."""
        return []

    def shaped(self) -> bool:
        """Whether seasonality or trend shape the values' density."""
        return self.option("seasonality") is not None or self.option("trend") is not None

    def check(self, table: Any) -> list[Diagnostic]:
        problems = self._check_own()
        after = self.option("after")
        if after is None:
            if self.option("min") is None or self.option("max") is None:
                return [*problems, Diagnostic("RG204", f"a {self.name} needs `min` and `max`, or `after` with a "
                                                       "`delay`", self.column.pointer)]
            found, self.low, self.high = self._bounds()
            texts = {name: self.option(name) for name in ("min", "max") if is_expression(self.option(name))}
            if texts:
                return problems + found + self._check_row_bounds(texts, table)
            if not found and self.shaped():
                found += self._check_rates()
            return problems + found
        if after not in table.columns:
            problems.append(Diagnostic("RG212", f"`after` names unknown column `{after}`", self.pointer("after"),
                                       hint=did_you_mean(after, table.columns)))
        for option in ("min", "max"):
            if self.option(option) is not None:
                problems.append(Diagnostic("RG210", f"`{option}` does not go with `after`", self.pointer(option),
                                           hint="a value after another is that one plus the delay: bound the "
                                                "delay with `truncate: [LOW, HIGH]`"))
        if self.option("trend") is not None:
            problems.append(Diagnostic("RG210", "`trend` does not go with `after`: a column after another has one "
                                                "value per row of it, however the years go", self.pointer("trend"),
                                       hint=f"give `{after}` the trend: the values after it follow it"))
        if self.option("seasonality") is not None:
            problems += self._check_after_rates()
        if self.option("delay") is None:
            return [*problems, Diagnostic("RG204", "`after` needs a `delay`", self.pointer("after"))]
        return problems + self._delay(table)

    def _check_row_bounds(self, texts: dict[str, str], table: Any) -> list[Diagnostic]:
        """Bounds given per row (:mod:`rulegen.kinds.bounds`): parsed, and alone (RG336)."""
        self.row_bounds = RowBounds(self.pointer)
        problems = self.row_bounds.parse(texts, table.columns)
        for option in ("seasonality", "trend"):
            if self.option(option) is not None:
                problems.append(Diagnostic(
                    "RG336", f"`{option}` shapes values over one range, and {_listed(texts)}",
                    self.pointer(option),
                    hint="give `min` and `max` as dates, or draw after a column: "
                         "`after: COL` with a `delay` takes `seasonality`"))
        return problems

    def _check_after_rates(self) -> list[Diagnostic]:
        """Seasonality of values after an anchor (:mod:`rulegen.kinds.thinning`): holidays need
        their years, there being no [min, max] to take them from."""
        seasonality = self.option("seasonality")
        yearless = [i for i, event in enumerate(seasonality.get("events", ()))
                    if "holidays" in event and "years" not in event]
        problems = [Diagnostic("RG361", "with `after`, holidays need their `years`: the values have no min and max "
                                        "to take them from", self.pointer("seasonality", "events", i, "holidays"),
                               hint="add e.g. `years: [2024, 2025]`, the years the values fall in")
                    for i in yearless]
        if yearless:  # checked without them, so that each problem is told once
            events = [e for i, e in enumerate(seasonality["events"]) if i not in yearless]
            seasonality = {**seasonality, "events": events}
        self.rates, found = check_rates(seasonality, None, self.pointer, years=(1, 9999), hours=self._no_hours())
        return problems + found

    def _check_rates(self) -> list[Diagnostic]:
        self.rates, problems = check_rates(self.option("seasonality"), self.option("trend"), self.pointer,
                                           years=self.years, hours=self._no_hours())
        hourly = self.rates.hourly is not None
        if not problems and grid_bins(self.low, self.high, self._unit(), hourly) > MAX_BINS:
            option = "seasonality" if self.option("seasonality") is not None else "trend"
            problems.append(Diagnostic("RG210", f"min and max are too far apart for a grid of {MAX_BINS:,} "
                                                f"{'hours' if hourly else 'days'}", self.pointer(option),
                                       hint="narrow [min, max]" + ("" if not hourly else ", or drop `daily`")))
        return problems

    def _no_hours(self) -> str | None:
        """Why ``daily`` does not apply to this column, or None when its values have hours."""
        raise NotImplementedError

    def _unit(self) -> str:
        """What a tick is: ``day``, or the precision of an instant (``s``, ``ms``, ``us``)."""
        raise NotImplementedError

    def _compile_grid(self, env: CompileEnv, zone: str | None = None) -> None:
        if self.rates is None or self.option("after"):
            return
        self.grid = build_grid(self.rates, self.low, self.high, unit=self._unit(), zone=zone,
                               hourly=self.rates.hourly is not None)
        if self.grid is None:
            option = "seasonality" if self.option("seasonality") is not None else "trend"
            env.report("RG210", f"the rates are 0 everywhere between min ({self.option('min')}) and max "
                                f"({self.option('max')})", self.pointer(option),
                       hint="give some weekday, month or hour in the range a weight above 0")

    def _delay(self, table: Any) -> list[Diagnostic]:
        """The delay as a numeric distribution in seconds (durations converted, then checked
        like any column of that kind)."""
        from rulegen.kinds.registry import KINDS
        from rulegen.spec.model import ColumnSpec
        from rulegen.spec.structure import check_column

        delay, pointer = self.option("delay"), self.pointer("delay")
        kind = KINDS.get(str(delay["kind"]))
        if kind is None or not hasattr(kind, "family"):
            return [Diagnostic("RG206", f"a delay needs a numeric distribution, got `{delay['kind']}`",
                               self.pointer("delay", "kind"))]
        if "given" in delay or "cases" in delay:  # cases would be lengths of time as well: not supported
            name = "given" if "given" in delay else "cases"
            return [Diagnostic("RG372", "a delay takes no `given` or `cases`", self.pointer("delay", name),
                               hint="write the parameter that changes as an expression over the row, e.g. "
                                    "`scale: \"if(country == 'US', days(2), days(5))\"`")]
        options: dict[str, Any] = {}
        problems = unitless_options(delay, self.pointer) + unit_on_numbers(delay, self.pointer)
        if problems:
            return problems
        for name, value in delay.items():
            if name == "kind":
                continue
            if isinstance(value, str) and parse_duration(value) is None and is_duration_expression(value):
                options[name] = value  # a duration expression over the row (kinds.parameters)
                continue
            values = value if isinstance(value, list) else [value]
            # Whole seconds stay integers, so an `integers` delay of `1d` passes its schema.
            seconds = [None if v is None else whole(parse_duration(v)) for v in values]
            if any(s is None and v is not None for s, v in zip(seconds, values, strict=True)):
                return [Diagnostic("RG205", f"must be a duration such as 30d or 1h, or a duration expression "
                                            f"such as days(30), got {value!r}", self.pointer("delay", name))]
            options[name] = seconds if isinstance(value, list) else seconds[0]
        problems = check_column({"kind": kind.name, **options}, pointer)
        if problems:
            return problems
        self.delay = kind(ColumnSpec(name=self.column.name, kind=kind.name, pointer=pointer, options=options))
        self.delay.per_row.durations = True
        if self.delay.texts:  # a law per row: its reach is checked on each block (RG413)
            return self.delay.check(table)
        return self.delay.check(table) or self._delay_range()

    def _delay_range(self) -> list[Diagnostic]:
        """A delay whose draws go past ±10,000 years: no date in the years 1 to 9999 has a follower."""
        reach = float(np.abs(self.delay.sample()).max())
        if reach <= MAX_DURATION_SECONDS:
            return []
        return [Diagnostic("RG277", f"the delay reaches {reach / YEAR:,.4g} years; delays are limited to "
                                    "±10,000 years", self.pointer("delay"),
                           hint="dates and timestamps must stay within the years 1 to 9999")]

    def dependencies(self) -> frozenset[str]:
        after = self.option("after")
        if not after:
            return self.row_bounds.names() if self.row_bounds is not None else frozenset()
        return frozenset([after]) | (self.delay.dependencies() if self.delay is not None else frozenset())

    def space_size(self) -> int | None:
        # Shaped values cannot be a permutation of the range: their uniqueness is checked instead.
        per_row = self.option("after") or self.row_bounds is not None
        return None if per_row or self.shaped() else self.high - self.low + 1

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        if self.option("after") or self.row_bounds is not None:
            return unknown(values, null=True)  # follows other columns: nulls come through them
        return self._valid_between(values)

    def _compile_after(self, env: CompileEnv) -> None:
        after = self.option("after")
        if after is None:
            return
        base = env.types.get(after)
        if base is not None and not (pa.types.is_timestamp(base) or pa.types.is_date(base)):
            env.report("RG224", f"`after` needs a date or timestamp column, and `{after}` is not one",
                       self.pointer("after"))
        self.delay.compile(env)

    def ticks_per_second(self) -> float:
        """Ticks of a delay in a second (a day is one tick of a date)."""
        raise NotImplementedError

    def shifted(self, base: pa.Array, ticks: np.ndarray) -> pa.Array:
        """``base`` moved on by ``ticks``."""
        raise NotImplementedError

    def draw(self, ctx: Any) -> np.ndarray:
        """Ticks in [min, max] for the rows of ``ctx``: uniform, or by the rate grid."""
        if self.grid is not None:
            return self.grid.sample(ctx.rng().random(ctx.n))
        return ctx.rng().integers(self.low, self.high, size=ctx.n, endpoint=True)

    def _storage_range(self) -> tuple[int, int]:
        """The first and last stored integer (days, or instants in the type's unit)."""
        return self.low, self.high

    def _valid_between(self, values: pa.Array) -> pa.Array:
        """Between ``min`` and ``max``, both inclusive (a date-only ``max`` of a timestamp is the
        end of that day), at the column's precision."""
        nulls = values.is_null().to_numpy(zero_copy_only=False)
        storage = pa.int32() if pa.types.is_date32(self.type) else pa.int64()
        low, high = self._storage_range()
        ticks = values.cast(self.type).view(storage).fill_null(low).to_numpy(zero_copy_only=False)
        ok = in_intervals(ticks.astype(np.float64), [low], [high], integer=True)
        return verdict(ok, nulls, False)

    def wall_seconds(self, stored: np.ndarray) -> np.ndarray:
        """The local wall-clock seconds of values given as their stored integers."""
        raise NotImplementedError

    def row_ticks(self, values: pa.Array, end: bool) -> np.ndarray:
        """Dates or timestamps as ticks of this column (``end``: a date means the end of its day)."""
        raise NotImplementedError

    def do_evaluate(self, ctx: Any) -> pa.Array:
        if self.row_bounds is not None:
            low, high, nulls = self.row_bounds.ticks(ctx, {"min": self.low, "max": self.high}, self.row_ticks,
                                                     lambda tick: str(self.values_at(np.array([tick - self.low]))[0]))
            values = self.values_at(ctx.rng().integers(low, high, endpoint=True) - self.low)
            return pc.if_else(pa.array(nulls), pa.scalar(None, values.type), values) if nulls.any() else values
        if self.option("after") is None:
            return self.values_at(self.draw(ctx) - self.low)
        if self.rates is None:
            return self._after(ctx)
        # A value of rate 0 moved on to one of weight may pass the year 9999: checked again.
        return self._in_range(thin(self._after, self.wall_seconds, self.rates, ctx, step=self.step,
                                   fail=self._nowhere), ctx)

    def step(self, stored: np.ndarray, steps: np.ndarray) -> np.ndarray:
        """Stored values moved on by ``steps`` hours (with ``daily``) or days: how a value of rate 0
        moves on to one of weight."""
        raise NotImplementedError

    def _nowhere(self, row: int) -> Exception:
        return value_error("RG362", f"the seasonality has a rate of 0 for over a year after the delay from "
                                    f"`{self.option('after')}`", self.pointer("seasonality"), row,
                           hint="give a weight above 0 to some hours, weekdays, months or days the values can reach")

    def _after(self, ctx: Any) -> pa.Array:
        """The values of ``after`` plus a drawn delay, for the rows of ``ctx`` (null where a
        parameter of the delay given per row is null)."""
        after = self.option("after")
        delays = self.delay.evaluate(ctx)
        seconds = delays.fill_null(0).to_numpy(zero_copy_only=False).astype(np.float64)
        too_long = np.abs(seconds) > MAX_DURATION_SECONDS  # also keeps the ticks far inside int64
        if too_long.any():
            first = int(too_long.argmax())
            raise value_error("RG413", f"a delay of {seconds[first] / YEAR:,.4g} years is beyond the limit of "
                                       "±10,000 years", self.pointer("delay"), int(ctx.rows[first]))
        moved = self.shifted(ctx.values[after], np.floor(seconds * self.ticks_per_second()).astype(np.int64))
        if delays.null_count:
            moved = pc.if_else(delays.is_null(), pa.scalar(None, moved.type), moved)
        return self._in_range(moved, ctx)

    def _in_range(self, values: pa.Array, ctx: Any) -> pa.Array:
        """``values`` (the anchor plus a delay), when all are dates of the years 1 to 9999."""
        try:
            return temporal_range(values)
        except RangeProblem as exc:
            raise value_error("RG412", f"`{self.option('after')}` + the delay: {exc.message}", self.pointer("delay"),
                              int(ctx.rows[exc.index])) from None


_SHAPE = {"seasonality": SEASONALITY, "trend": TREND}


@register
class Date(_Between):
    """Dates in [min, max], uniform or shaped by ``seasonality`` and ``trend`` (days of UTC)."""

    name = "date"
    summary = "dates in [min, max] (both inclusive), or `after` a column by a `delay` distribution"
    options = {"min": {**_DATE_TEXT, "description": "the first date (inclusive)"},
               "max": {**_DATE_TEXT, "description": "the last date (inclusive)"},
               "after": _AFTER, "delay": _DELAY, **_SHAPE}
    example = {"kind": "date", "min": "1940-01-01", "max": "2008-12-31"}

    def _instant(self, text: Any, *, end_of_day: bool) -> tuple[int, int] | None:
        value = parse_instant(text, end_of_day=end_of_day)
        return None if value is None else ((value.date() - _EPOCH.date()).days, value.year)

    def _no_hours(self) -> str | None:
        return "a date has no time of day"

    def _unit(self) -> str:
        return "day"

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.date32()
        if self.row_bounds is not None:
            self.row_bounds.compile(env, self.name)
        self._compile_after(env)
        self._compile_grid(env)

    def ticks_per_second(self) -> float:
        return 1 / _DAY

    def row_ticks(self, values: pa.Array, end: bool) -> np.ndarray:
        return day_ticks(values, None)

    def wall_seconds(self, stored: np.ndarray) -> np.ndarray:
        return stored.astype(np.int64) * _DAY

    def step(self, stored: np.ndarray, steps: np.ndarray) -> np.ndarray:
        return stored + steps.astype(stored.dtype)

    def shifted(self, base: pa.Array, ticks: np.ndarray) -> pa.Array:
        days = base.cast(pa.date32()).view(pa.int32()).to_numpy(zero_copy_only=False)
        return pa.array(days + ticks.astype(np.int32), mask=base.is_null().to_numpy(zero_copy_only=False),
                        type=pa.int32()).view(pa.date32())

    def values_at(self, index: np.ndarray) -> pa.Array:
        return pa.array((index + self.low).astype(np.int32), type=pa.int32()).view(pa.date32())


def _listed(texts: dict[str, str]) -> str:
    """What the bounds given as expressions are, in words."""
    return "here " + " and ".join(f"`{name}`" for name in texts) + (" changes" if len(texts) == 1 else " change") \
        + " from row to row"


@register
class Timestamp(_Between):
    """Timestamps in [min, max] at a ``precision`` of s (default), ms, us or day, in UTC or in
    the zone ``tz``; or, with ``after: COL``, that column's instant plus a ``delay`` drawn from
    a duration distribution.

    Ticks are UTC instants in the precision's unit, except for ``day``: (local) days since
    1970-01-01, stored as the instant of their midnight in ``timestamp[s]``.
    """

    name = "timestamp"
    summary = "timestamps in [min, max] (both inclusive), or `after` a column by a `delay` distribution"
    options = {"min": {**_INSTANT_TEXT, "description": "the first instant (inclusive)"},
               "max": {**_INSTANT_TEXT, "description": "the last instant (inclusive; a date alone means its end)"},
               "precision": {"enum": ["s", "ms", "us", "day"],
                             "description": "resolution of the values (default s; day: midnights, as timestamp[s])"},
               "tz": {"type": "string", "minLength": 1,
                      "description": "IANA time zone (e.g. Europe/Berlin): min and max without an offset are local "
                                     "times there, values are instants typed with the zone, seasonality is local"},
               "after": _AFTER, "delay": _DELAY, **_SHAPE}
    example = {"kind": "timestamp", "min": "2020-01-01", "max": "2025-12-31"}

    zone: str | None = None

    @property
    def precision(self) -> str:
        """``s``, ``ms``, ``us`` or ``day``."""
        return self.option("precision", "s")

    def _check_own(self) -> list[Diagnostic]:
        name = self.option("tz")
        if name is None:
            return []
        problem = check_zone(name, self.pointer("tz"))
        if problem is None:
            self.zone = name
        return [problem] if problem else []

    def _instant(self, text: Any, *, end_of_day: bool) -> tuple[int, int] | None:
        try:
            value = datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
        except ValueError:
            return None
        if end_of_day and len(str(text).strip()) <= 10:
            value = value + datetime.timedelta(days=1, microseconds=-1)
        if value.tzinfo is not None:  # an instant: its wall clock is the zone's
            utc = _micros(value.astimezone(datetime.UTC).replace(tzinfo=None))
            wall = int(to_local(np.array([utc]), self.zone, "us")[0]) if self.zone else utc
        else:  # a wall-clock time in the zone (UTC without one)
            wall = _micros(value)
            utc = int(to_utc(np.array([wall]), self.zone, "us")[0]) if self.zone else wall
        year = int(np.datetime64(wall, "us").astype("datetime64[Y]").astype(np.int64)) + 1970  # past 9999 too
        return (wall if self.precision == "day" else utc) // _MICROS[self.precision], year

    def _no_hours(self) -> str | None:
        return "`precision: day` has no time of day" if self.precision == "day" else None

    def _unit(self) -> str:
        return self.precision

    def compile(self, env: CompileEnv) -> None:
        base = env.types.get(self.option("after")) if self.option("after") else None
        if self.zone is None and base is not None and pa.types.is_timestamp(base) and base.tz:
            self.zone = base.tz  # an instant after a zoned one keeps its zone
        found = self.row_bounds.compile(env, self.name) if self.row_bounds is not None else {}
        zones = [t.tz for t in found.values() if pa.types.is_timestamp(t) and t.tz]
        if self.zone is None and zones:
            self.zone = zones[0]  # as after a column: values between zoned instants keep their zone
        self.type = pa.timestamp("s" if self.precision == "day" else self.precision, tz=self.zone)
        self._compile_after(env)
        self._compile_grid(env, self.zone)

    def _midnights(self, days: np.ndarray) -> np.ndarray:
        """The instants (seconds) at which (local) days begin."""
        wall = days.astype(np.int64) * _DAY
        return to_utc(wall, self.zone) if self.zone else wall

    def values_at(self, index: np.ndarray) -> pa.Array:
        ticks = index + self.low
        if self.precision == "day":
            ticks = self._midnights(ticks)
        return pa.array(ticks.astype(np.int64), type=pa.int64()).view(self.type)

    def _storage_range(self) -> tuple[int, int]:
        if self.precision == "day":
            low, high = self._midnights(np.array([self.low, self.high]))
            return int(low), int(high)
        return self.low, self.high

    def row_ticks(self, values: pa.Array, end: bool) -> np.ndarray:
        if self.precision == "day":
            return day_ticks(values, self.zone)
        return instant_ticks(values, end, self.precision, self._midnights)

    def ticks_per_second(self) -> float:
        return {"s": 1, "ms": 1_000, "us": 1_000_000, "day": 1}[self.precision]

    def wall_seconds(self, stored: np.ndarray) -> np.ndarray:
        seconds = stored // (_MICROS["s"] // _MICROS[self.type.unit])
        return to_local(seconds, self.zone) if self.zone else seconds

    def step(self, stored: np.ndarray, steps: np.ndarray) -> np.ndarray:
        if self.precision == "day":  # from local midnight to local midnight, whatever DST does
            return self._midnights(self.wall_seconds(stored) // _DAY + steps)
        hourly = self.rates is not None and self.rates.hourly is not None
        return stored + steps * (3_600 if hourly else _DAY) * (_MICROS["s"] // _MICROS[self.type.unit])

    def shifted(self, base: pa.Array, ticks: np.ndarray) -> pa.Array:
        if pa.types.is_date(base.type) and self.zone:  # a date starts at local midnight
            days = base.view(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False)
            start = pa.array(self._midnights(days) * _MICROS["s"] // _MICROS[self.type.unit],
                             mask=base.is_null().to_numpy(zero_copy_only=False), type=pa.int64()).view(self.type)
        else:
            start = base.cast(self.type, safe=False)
        moved = pc.add(start, pa.array(ticks, type=pa.int64()).cast(pa.duration(self.type.unit)))
        if self.precision != "day":
            return moved
        seconds = moved.view(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
        days = (to_local(seconds, self.zone) if self.zone else seconds) // _DAY
        return pa.array(self._midnights(days), mask=moved.is_null().to_numpy(zero_copy_only=False),
                        type=pa.int64()).view(self.type)


def _micros(value: datetime.datetime) -> int:
    """Microseconds of a naive datetime since 1970-01-01."""
    return (value - _EPOCH) // datetime.timedelta(microseconds=1)
