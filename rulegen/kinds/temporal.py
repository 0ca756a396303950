"""Temporal kinds: ``date`` and ``timestamp`` between ``min`` and ``max`` (both inclusive).

A date-only ``max`` of a timestamp means the end of that day, so ``max: 2025-12-31`` includes
the evening of December 31st.
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import pyarrow as pa

from rulegen.errors import Diagnostic
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.registry import register
from rulegen.kinds.validity import in_intervals, verdict

__all__ = ["Date", "Timestamp", "parse_instant"]

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

    unit_seconds: float = 1.0
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

    def check(self, table: Any) -> list[Diagnostic]:
        problems, self.low, self.high = self._bounds()
        return problems

    def _ticks(self, value: datetime.datetime) -> int:
        raise NotImplementedError

    def draw(self, ctx: Any) -> np.ndarray:
        return ctx.rng().integers(self.low, self.high, size=ctx.n, endpoint=True)

    def space_size(self) -> int:
        return self.high - self.low + 1

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """Between ``min`` and ``max``, both inclusive (a date-only ``max`` of a timestamp is the
        end of that day), at the column's precision."""
        nulls = values.is_null().to_numpy(zero_copy_only=False)
        storage = pa.int32() if pa.types.is_date32(self.type) else pa.int64()
        ticks = values.cast(self.type).view(storage).fill_null(self.low).to_numpy(zero_copy_only=False)
        ok = in_intervals(ticks.astype(np.float64), [self.low], [self.high], integer=True)
        return verdict(ok, nulls, False)

    def do_evaluate(self, ctx: Any) -> pa.Array:
        return self.values_at(self.draw(ctx) - self.low)


@register
class Date(_Between):
    """Dates uniform in [min, max]."""

    name = "date"
    summary = "dates in [min, max], both inclusive"
    options = {"min": _DATE_TEXT, "max": _DATE_TEXT}
    required = ("min", "max")
    example = {"kind": "date", "min": "1940-01-01", "max": "2008-12-31"}

    def _ticks(self, value: datetime.datetime) -> int:
        return (value.date() - datetime.date(1970, 1, 1)).days

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.date32()

    def values_at(self, index: np.ndarray) -> pa.Array:
        return pa.array((index + self.low).astype(np.int32), type=pa.int32()).view(pa.date32())


@register
class Timestamp(_Between):
    """Timestamps uniform in [min, max] at a ``precision`` of s (default), ms or us."""

    name = "timestamp"
    summary = "timestamps in [min, max], both inclusive, at a precision of s, ms or us"
    options = {"min": _INSTANT_TEXT, "max": _INSTANT_TEXT,
               "precision": {"enum": ["s", "ms", "us"], "description": "resolution of the values (default s)"}}
    required = ("min", "max")
    example = {"kind": "timestamp", "min": "2020-01-01", "max": "2025-12-31"}

    def _ticks(self, value: datetime.datetime) -> int:
        unit = self.option("precision", "s")
        micros = (value - datetime.datetime(1970, 1, 1)) // datetime.timedelta(microseconds=1)
        return micros // {"s": 1_000_000, "ms": 1_000, "us": 1}[unit]

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.timestamp(self.option("precision", "s"))

    def values_at(self, index: np.ndarray) -> pa.Array:
        return pa.array((index + self.low).astype(np.int64), type=pa.int64()).view(self.type)
