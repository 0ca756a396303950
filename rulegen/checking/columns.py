"""The rules of one column: not-null, ``when``/``else``, ``round``, ``clip`` and the kind's values.

Generation applies, in order: the kind's value, ``round``, ``clip``, ``when``/``else``, ``null``.
The check runs that backwards on each row. Where ``when`` is false the row must hold the
``else`` value; elsewhere a value must be on the rounding grid, inside the clip bounds, and one
the kind can make (:meth:`Kind.valid`, asked with half a rounding step of leeway). A value on a
clip bound passes: any draw beyond the bound becomes the bound. A null passes when the column
has a ``null`` rate, or the kind makes nulls itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from rulegen.checking.report import Skipped, Violation, examples, show
from rulegen.expr.arithmetic import INT64_MAX, INT64_MIN
from rulegen.expr.evaluate import evaluate_expression
from rulegen.kinds.validity import in_integer_range
from rulegen.plan.plan import ColumnPlan
from rulegen.spec.source_map import join_pointer

__all__ = ["ColumnFindings", "check_column"]

_VERBS = {"range": "outside", "domain": "not among", "sequence": "not in",
          "pattern": "not matching", "format": "not in the format of"}


@dataclass(slots=True)
class ColumnFindings:
    """Violations and skipped rules of one column."""

    violations: list[Violation] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def check_column(table: str, column: ColumnPlan, columns: Mapping[str, pa.Array],
                 unparsed: Mapping[str, np.ndarray], *, key: str | None = None) -> ColumnFindings:
    """Check one written column.

    Args:
        table: the table's name.
        column: the column's plan.
        columns: every column read from the file, of its plan type (this one included).
        unparsed: per column, the rows whose value did not parse: reported already, so not
            checked again, and a ``when`` that reads one cannot tell its branch.
        key: JSON pointer of the primary key when the column is part of it: then no null passes.
    """
    found = ColumnFindings()
    spec = column.spec
    values = columns[spec.name]
    n = len(values)
    known = ~unparsed.get(spec.name, np.zeros(n, dtype=bool))
    nulls = values.is_null().to_numpy(zero_copy_only=False) & known

    def report(rule: str, bad: np.ndarray, message: str, pointer: str) -> None:
        if bad.any():
            found.violations.append(Violation(table, spec.name, rule, int(bad.sum()), message,
                                              examples(bad, values), pointer))

    if key is not None:
        report("not_null", nulls, "null in a primary key column", key)

    # `when`/`else`: rows where `when` is false hold the else value.
    branch = known.copy()  # rows whose value comes from the kind
    if column.when is not None:
        holds_else = _equals(values, spec.else_, column.type) | (nulls if spec.null > 0 else False)
        missing = sorted(column.when.names - columns.keys())
        when, why = (None, _needs(missing)) if missing else _evaluate(column, columns, n)
        if why is not None:
            found.skipped.append(Skipped(table, spec.name, "when", why))
        if when is None:
            branch &= ~holds_else  # either branch may have made the row: the else value passes
        else:
            otherwise = ~when.to_numpy(zero_copy_only=False) & known
            doubtful = np.zeros(n, dtype=bool)  # an input did not parse: either branch passes
            for name in column.when.names & unparsed.keys():
                doubtful |= unparsed[name]
            report("when", otherwise & ~holds_else & ~doubtful, f"not holding the `else` value "
                   f"{show(spec.else_)} where `{column.when.text}` is false", join_pointer(spec.pointer, "else"))
            branch &= ~(otherwise & ~doubtful) & ~(doubtful & holds_else)

    within, value_rows = 0.0, branch & ~nulls
    if spec.round is not None and (pat.is_floating(column.kind.type) or spec.round < 0):
        within = 0.5 * 10.0 ** -spec.round  # the kind's value was within half a step
        off = value_rows & ~_on_grid(values, spec.round)
        report("round", off, _grid(spec.round), join_pointer(spec.pointer, "round"))
        value_rows &= ~off
    if column.clip is not None:
        value_rows = _check_clip(column, values, value_rows, report)
    verdict = column.kind.valid(values, within=within)
    # Where the kind cannot tell (a null answer), the row passes.
    possible = np.ones(n, dtype=bool) if verdict is None else \
        verdict.fill_null(True).to_numpy(zero_copy_only=False).astype(bool)
    rule = column.kind.value_rule
    report(rule, value_rows & ~possible, f"{_VERBS.get(rule, 'not among')} {describe(column)}", spec.pointer)
    if spec.null == 0 and key is None:
        makes_null = possible if verdict is not None else np.zeros(n, dtype=bool)
        report("not_null", branch & nulls & ~makes_null, "null, though the column has no `null` rate", spec.pointer)
    return found


def _evaluate(column: ColumnPlan, columns: Mapping[str, pa.Array], n: int) -> tuple[pa.Array | None, str | None]:
    """The column's ``when`` over the rows read (false where null), or why it cannot be evaluated."""
    assert column.when is not None
    try:
        return pc.fill_null(evaluate_expression(column.when, columns, n), False), None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:  # values no run makes
        return None, f"cannot be evaluated on these values: {exc}"


def _on_grid(values: pa.Array, digits: int) -> np.ndarray:
    """Whether each value is a multiple of 10 ** -digits (nulls are): exact for integers, whose
    grid is 10, 100, ... (rounding one near 2**63 up would overflow)."""
    if pat.is_integer(values.type):
        x = values.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        step = 10 ** -digits
        return x % step == 0 if step <= INT64_MAX else x == 0
    return pc.equal(pc.round(values, ndigits=digits), values).fill_null(True).to_numpy(zero_copy_only=False)


def _check_clip(column: ColumnPlan, values: pa.Array, rows: np.ndarray, report: Any) -> np.ndarray:
    """Report values outside the clip bounds; return the rows strictly inside them."""
    low, high = column.clip
    if pat.is_integer(values.type):  # exact: an int64 past 2**53 has no float of its own
        outside, on_bound = _integer_clip(values, low, high)
    else:
        x = pc.cast(values, pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
        with np.errstate(invalid="ignore"):
            outside = ((x < low) if low is not None else False) | ((x > high) if high is not None else False)
            on_bound = ((x == low) if low is not None else False) | ((x == high) if high is not None else False)
    bounds = f"[{'-inf' if low is None else show(low)}, {'inf' if high is None else show(high)}]"
    report("clip", rows & outside, f"outside {bounds}", join_pointer(column.spec.pointer, "clip"))
    return rows & ~outside & ~on_bound


def _integer_clip(values: pa.Array, low: float | None, high: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Integer values outside the clip bounds, and those on a bound, compared exactly."""
    lowest = None if low is None or low == -math.inf else INT64_MAX + 1 if low == math.inf else math.ceil(low)
    highest = None if high is None or high == math.inf else INT64_MIN - 1 if high == -math.inf else math.floor(high)
    outside = ~in_integer_range(values, lowest, highest)
    on_low = in_integer_range(values, lowest, lowest) if lowest is not None and lowest == low else False
    on_high = in_integer_range(values, highest, highest) if highest is not None and highest == high else False
    return outside, on_low | on_high


def _equals(values: pa.Array, value: Any, type_: pa.DataType) -> np.ndarray:
    """Rows equal to ``value`` (null equals null)."""
    if value is None:
        return values.is_null().to_numpy(zero_copy_only=False)
    same = pc.equal(values, pa.scalar(value).cast(type_)).fill_null(False)
    return same.to_numpy(zero_copy_only=False)


def _grid(digits: int) -> str:
    if digits > 0:
        return f"not rounded to {digits} decimal{'s' if digits > 1 else ''}"
    return "not whole numbers" if digits == 0 else f"not multiples of {10 ** -digits}"


def _needs(missing: list[str]) -> str:
    names = ", ".join(f"`{m}`" for m in missing)
    return f"reads {names}, not in the file (hidden or missing)"


def describe(column: ColumnPlan) -> str:
    """The column's declaration as the report shows it: ``gamma {shape: 2.0, scale: 40.0}``."""
    text = column.kind.name + (f" {_flow(dict(column.spec.options))}" if column.spec.options else "")
    return text if len(text) <= 100 else text[:99] + "…"


def _flow(value: Any) -> str:
    """A value in YAML flow style, as it is written in specs."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return show(value)
