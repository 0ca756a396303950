"""Temporal kinds: ``date`` and ``timestamp`` between ``min`` and ``max`` (both inclusive).

A date-only ``max`` of a timestamp means the end of that day, so ``max: 2025-12-31`` includes
the evening of December 31st.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.errors import Diagnostic, did_you_mean
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.registry import register
from rulegen.kinds.validity import in_intervals, unknown, verdict

__all__ = ["Date", "Timestamp", "parse_instant"]

_AFTER = {"type": "string", "description": "a date or timestamp column this one follows"}
_DELAY = {"type": "object", "required": ["kind"],
          "description": "a distribution of durations (`30s 15m 1h 30d 1w 1y`), e.g. {kind: exponential, scale: 30d}"}
_DATE_TEXT = {"type": "string", "format": "date", "x-expect": "a date such as 2024-01-31"}
_INSTANT_TEXT = {"type": "string", "x-expect": "a date or timestamp such as 2024-01-31 or 2024-01-31T08:00:00"}


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
    """Shared by date and timestamp: a uniform draw of integer ticks in [min, max]."""

    delay: Any = None  # the delay distribution (in seconds), with `after`
    value_rule = "range"

    def _bounds(self) -> tuple[list[Diagnostic], int, int]:
        problems, ticks = [], []
        for option in ("min", "max"):
            value = parse_instant(self.option(option), end_of_day=option == "max")
            if value is None:
                problems.append(Diagnostic("RG205", f"must be a date such as 2024-01-31, got {self.option(option)!r}",
                                           self.pointer(option)))
            else:
                ticks.append(self._ticks(value))
        if not problems and ticks[0] > ticks[1]:
            problems.append(Diagnostic("RG210", f"min must not be after max ({self.option('min')} > "
                                                f"{self.option('max')})", self.pointer("min")))
        return problems, *(ticks if len(ticks) == 2 else (0, 0))

    def _ticks(self, value: datetime.datetime) -> int:
        raise NotImplementedError

    def check(self, table: Any) -> list[Diagnostic]:
        after = self.option("after")
        if after is None:
            if self.option("min") is None or self.option("max") is None:
                return [Diagnostic("RG204", f"a {self.name} needs `min` and `max`, or `after` with a `delay`",
                                   self.column.pointer)]
            problems, self.low, self.high = self._bounds()
            return problems
        problems = []
        if after not in table.columns:
            problems.append(Diagnostic("RG212", f"`after` names unknown column `{after}`", self.pointer("after"),
                                       hint=did_you_mean(after, table.columns)))
        for option in ("min", "max"):
            if self.option(option) is not None:
                problems.append(Diagnostic("RG210", f"`{option}` does not go with `after`", self.pointer(option)))
        if self.option("delay") is None:
            return [*problems, Diagnostic("RG204", "`after` needs a `delay`", self.pointer("after"))]
        return problems + self._delay(table)

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
        options: dict[str, Any] = {}
        for name, value in delay.items():
            if name == "kind":
                continue
            values = value if isinstance(value, list) else [value]
            seconds = [None if v is None else parse_duration(v) for v in values]
            if any(s is None and v is not None for s, v in zip(seconds, values, strict=True)):
                return [Diagnostic("RG205", f"must be a duration such as 30d or 1h, got {value!r}",
                                   self.pointer("delay", name))]
            options[name] = seconds if isinstance(value, list) else seconds[0]
        problems = check_column({"kind": kind.name, **options}, pointer)
        if problems:
            return problems
        self.delay = kind(ColumnSpec(name=self.column.name, kind=kind.name, pointer=pointer, options=options))
        return self.delay.check(table)

    def dependencies(self) -> frozenset[str]:
        after = self.option("after")
        return frozenset([after]) if after else frozenset()

    def space_size(self) -> int | None:
        return None if self.option("after") else self.high - self.low + 1

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        if self.option("after"):
            return unknown(values, null=True)  # follows another column: nulls come through it
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
        """Ticks of this kind's values in a second (a day is one tick of a date)."""
        raise NotImplementedError

    def shifted(self, base: pa.Array, ticks: np.ndarray) -> pa.Array:
        """``base`` moved on by ``ticks``."""
        raise NotImplementedError

    def draw(self, ctx: Any) -> np.ndarray:
        return ctx.rng().integers(self.low, self.high, size=ctx.n, endpoint=True)

    def _valid_between(self, values: pa.Array) -> pa.Array:
        """Between ``min`` and ``max``, both inclusive (a date-only ``max`` of a timestamp is the
        end of that day), at the column's precision."""
        nulls = values.is_null().to_numpy(zero_copy_only=False)
        storage = pa.int32() if pa.types.is_date32(self.type) else pa.int64()
        ticks = values.cast(self.type).view(storage).fill_null(self.low).to_numpy(zero_copy_only=False)
        ok = in_intervals(ticks.astype(np.float64), [self.low], [self.high], integer=True)
        return verdict(ok, nulls, False)

    def do_evaluate(self, ctx: Any) -> pa.Array:
        after = self.option("after")
        if after is None:
            return self.values_at(self.draw(ctx) - self.low)
        seconds = self.delay.evaluate(ctx).to_numpy(zero_copy_only=False).astype(np.float64)
        return self.shifted(ctx.values[after], np.floor(seconds * self.ticks_per_second()).astype(np.int64))


@register
class Date(_Between):
    """Dates uniform in [min, max]."""

    name = "date"
    summary = "dates in [min, max] (both inclusive), or `after` a column by a `delay` distribution"
    options = {"min": _DATE_TEXT, "max": _DATE_TEXT, "after": _AFTER, "delay": _DELAY}
    example = {"kind": "date", "min": "1940-01-01", "max": "2008-12-31"}

    def _ticks(self, value: datetime.datetime) -> int:
        return (value.date() - datetime.date(1970, 1, 1)).days

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.date32()
        self._compile_after(env)

    def ticks_per_second(self) -> float:
        return 1 / 86_400

    def shifted(self, base: pa.Array, ticks: np.ndarray) -> pa.Array:
        days = base.cast(pa.date32()).view(pa.int32()).to_numpy(zero_copy_only=False)
        return pa.array(days + ticks.astype(np.int32), mask=base.is_null().to_numpy(zero_copy_only=False),
                        type=pa.int32()).view(pa.date32())

    def values_at(self, index: np.ndarray) -> pa.Array:
        return pa.array((index + self.low).astype(np.int32), type=pa.int32()).view(pa.date32())


_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(s|m|h|d|w|y)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800, "y": 31_557_600}  # y: 365.25 d


def parse_duration(value: Any) -> float | None:
    """Seconds in a duration such as ``30s``, ``15m``, ``1h``, ``30d``, ``1w`` or ``1y`` (a plain
    number is seconds); None when ``value`` is not one."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    found = _DURATION.match(str(value))
    return float(found.group(1)) * _UNIT_SECONDS[found.group(2)] if found else None


@register
class Timestamp(_Between):
    """Timestamps uniform in [min, max] at a ``precision`` of s (default), ms or us; or, with
    ``after: COL``, that column's instant plus a ``delay`` drawn from a duration distribution."""

    name = "timestamp"
    summary = "timestamps in [min, max] (both inclusive), or `after` a column by a `delay` distribution"
    options = {"min": _INSTANT_TEXT, "max": _INSTANT_TEXT,
               "precision": {"enum": ["s", "ms", "us"], "description": "resolution of the values (default s)"},
               "after": _AFTER, "delay": _DELAY}
    example = {"kind": "timestamp", "min": "2020-01-01", "max": "2025-12-31"}

    def _ticks(self, value: datetime.datetime) -> int:
        unit = self.option("precision", "s")
        micros = (value - datetime.datetime(1970, 1, 1)) // datetime.timedelta(microseconds=1)
        return micros // {"s": 1_000_000, "ms": 1_000, "us": 1}[unit]

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.timestamp(self.option("precision", "s"))
        self._compile_after(env)

    def values_at(self, index: np.ndarray) -> pa.Array:
        return pa.array((index + self.low).astype(np.int64), type=pa.int64()).view(self.type)

    def ticks_per_second(self) -> float:
        return {"s": 1, "ms": 1_000, "us": 1_000_000}[self.option("precision", "s")]

    def shifted(self, base: pa.Array, ticks: np.ndarray) -> pa.Array:
        return pc.add(base.cast(self.type), pa.array(ticks, type=pa.int64()).cast(pa.duration(self.type.unit)))
