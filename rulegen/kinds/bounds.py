"""Bounds of a ``date`` or ``timestamp`` given per row: ``min`` and ``max`` as expressions.

``min`` and ``max`` are ISO dates or instants, or expressions over the columns of the same row
(``min: joined_on``, ``max: "joined_on + days(90)"``, ``max: "date('2024-12-31')"``): each row
then draws uniformly between its own bounds, both inclusive. A bound's expression is a date or a
timestamp (RG334 otherwise), read as the literal bounds are: a date ``min`` of a timestamp is that
day's (local) midnight, a date ``max`` the end of that day, and a timestamp bound of a date is
its (local) day. A row whose bound is null gets a null value; a row whose ``min`` is after its
``max`` stops the run naming it (RG335). ``seasonality`` and ``trend`` shape values over one
range and do not go with bounds per row (RG336): ``after`` with a ``delay`` takes seasonality.

Text that begins like a date (``2024-13-01``) is a misspelt date, never an expression, so its
problem stays RG205. Draws come from the column's own stream for the block, as for literal
bounds, so blocks stay independent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.types as pat

from rulegen.errors import Diagnostic
from rulegen.expr.evaluate import evaluate_expression
from rulegen.expr.parser import Expression, parse_expressions
from rulegen.expr.types import describe
from rulegen.kinds.base import CompileEnv
from rulegen.kinds.numeric import value_error
from rulegen.kinds.zones import to_local

__all__ = ["RowBounds", "day_ticks", "instant_ticks", "is_expression"]

_DAY = 86_400
_MICROS = {"s": 1_000_000, "ms": 1_000, "us": 1}

_DATE_LIKE = re.compile(r"^\s*[+-]?\d{1,4}-")


def is_expression(value: Any) -> bool:
    """Whether a ``min`` or ``max`` is an expression rather than a (possibly misspelt) date."""
    return isinstance(value, str) and bool(value.strip()) and _DATE_LIKE.match(value) is None


@dataclass(slots=True)
class RowBounds:
    """The bounds of one column given as expressions: parsed by :meth:`parse`, typed by
    :meth:`compile`, turned into ticks for a block by :meth:`ticks`."""

    pointer: Callable[..., str]  # JSON pointer of an option of the column
    expressions: dict[str, Expression] = field(default_factory=dict)

    def parse(self, texts: Mapping[str, str], columns: Any) -> list[Diagnostic]:
        """Parse each bound's expression over the table's ``columns``; the problems found."""
        parsed, problems = parse_expressions(texts, self.pointer, columns)
        self.expressions.update(parsed)
        return problems

    def names(self) -> frozenset[str]:
        """The columns the expressions read."""
        return frozenset().union(*(e.names for e in self.expressions.values()))

    def compile(self, env: CompileEnv, kind: str) -> dict[str, pa.DataType]:
        """The types of the bounds' expressions; reports one that is not a date or a timestamp (RG334)."""
        types: dict[str, pa.DataType] = {}
        for name, expression in self.expressions.items():
            found = env.infer(expression)
            if found is None or pat.is_null(found) or pat.is_date(found) or pat.is_timestamp(found):
                types.update({name: found} if found is not None else {})
                continue
            env.report("RG334", f"a {kind}'s `{name}` needs a date or a timestamp, and `{expression.text}` is "
                                f"{_a(describe(found))}", expression.pointer,
                       hint="name a date or timestamp column, or move one by a duration, e.g. "
                            "`joined_on + days(30)` or `date('2024-12-31')`")
        return types

    def ticks(self, ctx: Any, literal: Mapping[str, int], to_ticks: Callable[[pa.Array, bool], np.ndarray],
              show: Callable[[int], str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each row's ``min`` and ``max`` as ticks of the column, and the rows where one is null.

        Args:
            ctx: the block being evaluated.
            literal: the bounds given as dates, already in ticks.
            to_ticks: evaluated values (dates or timestamps, no nulls) as ticks; its flag says
                whether they are a ``max`` (a date then means the end of its day).
            show: a tick as the value it stands for, for messages.

        Raises:
            GenerationError: some row's ``min`` is after its ``max`` (RG335).
        """
        nulls = np.zeros(ctx.n, dtype=bool)
        bounds: dict[str, np.ndarray] = {}
        for name in ("min", "max"):
            expression = self.expressions.get(name)
            if expression is None:
                bounds[name] = np.full(ctx.n, literal[name], dtype=np.int64)
                continue
            values = evaluate_expression(expression, ctx.values, ctx.n, rows=ctx.rows)
            missing = values.is_null().to_numpy(zero_copy_only=False)
            ticks = np.zeros(ctx.n, dtype=np.int64)
            if pat.is_date(values.type) or pat.is_timestamp(values.type):
                ticks[~missing] = to_ticks(values.filter(pa.array(~missing)), name == "max")
            bounds[name], nulls = ticks, nulls | missing
        low, high = np.where(nulls, 0, bounds["min"]), np.where(nulls, 0, bounds["max"])
        crossed = low > high
        if crossed.any():
            first = int(crossed.argmax())
            expression = self.expressions.get("min") or self.expressions["max"]
            raise value_error("RG335", f"`min` ({show(int(low[first]))}) is after `max` ({show(int(high[first]))}), "
                                       "so no value lies between them",
                              expression.pointer, int(ctx.rows[first]),
                              hint="keep min <= max on every row, e.g. `max: \"joined_on + days(30)\"` "
                                   "with `min: joined_on`, or give the row a null bound")
        return low, high, nulls


def day_ticks(values: pa.Array, zone: str | None) -> np.ndarray:
    """Days since 1970-01-01 of dates, or of the wall clock of timestamps (in ``zone``, else in
    their own zone, else UTC)."""
    if pat.is_date(values.type):
        return values.cast(pa.date32()).view(pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)
    seconds = _micros(values) // 1_000_000
    zone = zone or values.type.tz
    return (to_local(seconds, zone) if zone else seconds) // _DAY


def instant_ticks(values: pa.Array, end: bool, unit: str, midnights: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Instants of dates or timestamps in ``unit`` ticks, as literal bounds read them: a date is
    the (local, by ``midnights``: seconds of each day's start) midnight that begins it, or with
    ``end`` the last tick of it; an instant finer than a tick is rounded into the range."""
    per = _MICROS[unit]
    if pat.is_date(values.type):
        start = midnights(day_ticks(values, None) + end) * (1_000_000 // per)
        return start - 1 if end else start
    micros = _micros(values)
    return micros // per if end else -(-micros // per)


def _micros(values: pa.Array) -> np.ndarray:
    """Microseconds since 1970 of timestamps (UTC)."""
    as_micros = values.cast(pa.timestamp("us", tz=values.type.tz), safe=False)
    return as_micros.view(pa.int64()).to_numpy(zero_copy_only=False)


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"
