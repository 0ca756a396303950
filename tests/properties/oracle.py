"""What a drawn spec promises, checked on the data rulegen made for it.

Each check reads the facts :mod:`strategies` worked out from the spec (bounds, allowed values,
regexes, how derived values are computed) and asserts them on an Arrow table, with a message
that names the column and the first offending row.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pyarrow as pa

from tests.properties.strategies import EXPR_FORMS, Col, TableCase

# A null rate is checked when the column has at least this many rows, against a binomial
# tolerance of this many standard deviations (a false alarm is then ~1e-6 per check).
NULL_RATE_MIN_ROWS = 200
NULL_RATE_SIGMAS = 5.0


def check_table(case: TableCase, table: pa.Table) -> None:
    """Every promise of ``case`` holds on ``table``."""
    assert table.column_names == case.output, "output columns (hidden ones left out, in spec order)"
    assert table.num_rows == case.rows
    values = {name: table.column(name).to_pylist() for name in case.output}
    constrained = {n for c in case.constraints for n in (c.left, c.right) if n}
    for name in case.output:
        col = case.columns[name]
        check_column(col, values[name], values, rows_unbiased=name not in constrained)
    for constraint in case.constraints:
        left = values[constraint.left]
        right = values[constraint.right] if constraint.right else [None] * case.rows
        for i, a in enumerate(left):
            if a is None or (constraint.right and right[i] is None):
                continue  # a null result passes, as in SQL CHECK
            ok = a <= right[i] + constraint.offset if constraint.right else a >= constraint.offset
            assert ok, f"row {i} breaks `{constraint.text}`: {constraint.left}={a!r}, {constraint.right}={right[i]!r}"


def check_column(col: Col, vals: list[Any], table: dict[str, list[Any]], rows_unbiased: bool = True) -> None:
    name, n = col.name, len(vals)
    present = [(i, v) for i, v in enumerate(vals) if v is not None]
    nulls = n - len(present)

    # --- nulls ------------------------------------------------------------------------------
    if col.null == 0 and col.kind not in ("expr",):
        assert nulls == 0, f"{name}: null: 0, yet {nulls} nulls"
    if col.null == 1:
        assert nulls == n, f"{name}: null: 1, yet {n - nulls} values"
    if 0 < col.null < 1 and n >= NULL_RATE_MIN_ROWS and rows_unbiased and (
            not col.inputs or col.kind == "template"):
        expected, sd = n * col.null, math.sqrt(n * col.null * (1 - col.null))
        tolerance = NULL_RATE_SIGMAS * sd + 1
        assert abs(nulls - expected) <= tolerance, \
            f"{name}: {nulls} nulls in {n} rows, expected {expected:.0f} ± {tolerance:.0f} (null: {col.null})"

    # --- keys -------------------------------------------------------------------------------
    if col.unique or col.name == "id":
        seen: dict[Any, int] = {}
        for i, v in present:
            assert v not in seen, f"{name} is unique, but rows {seen[v]} and {i} both have {v!r}"
            seen[v] = i
    if col.kind == "sequence":
        start, step = col.derive
        assert vals == [start + step * i for i in range(n)], f"{name}: sequence start={start} step={step}"

    # --- values -----------------------------------------------------------------------------
    for i, v in present:
        if col.bounds is not None:
            assert col.bounds.contains(v), f"{name}: row {i} = {v!r} outside {col.bounds} ({col.opts})"
        if col.allowed is not None:
            assert _same_type(v, col.allowed), f"{name}: row {i} = {v!r} not among {sorted(map(repr, col.allowed))}"
        if col.regex is not None:
            assert isinstance(v, str) and re.fullmatch(col.regex, v), f"{name}: row {i} = {v!r} !~ /{col.regex}/"
        if col.grid is not None and col.grid > 0:  # the float nearest a col.grid-decimal number
            assert v == round(v, col.grid), f"{name}: row {i} = {v!r} is not rounded to {col.grid} decimals"
        elif col.grid is not None:  # whole numbers, multiples of 10**-grid
            assert isinstance(v, int) and v % 10**-col.grid == 0, f"{name}: row {i} = {v!r} not round: {col.grid}"
    if col.kind == "constant" and present:
        value = col.opts["value"]
        assert all(v == value and type(v) is type(value) for _, v in present), \
            f"{name}: constant {value!r}, got {present[:3]}"
    if col.kind == "template":
        _check_template(col, vals, table)
    if col.kind == "expr":
        _check_expr(col, vals, table)


def _same_type(v: Any, allowed: frozenset[Any]) -> bool:
    """``v`` has the type of the declared values (1 is not "1", True is not 1)."""
    return any(v == a and type(v) is type(a) for a in allowed)


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def _check_template(col: Col, vals: list[Any], table: dict[str, list[Any]]) -> None:
    parts, case = col.derive
    for i, v in enumerate(vals):
        if v is None:
            continue  # the template's own null draw
        expected = "".join(p if isinstance(p, str) else _text(table[p[0]][i]) for p in parts)
        expected = expected.lower() if case == "lower" else expected.upper() if case == "upper" else expected
        assert v == expected, f"{col.name}: row {i} = {v!r}, but `{col.opts['template']}` gives {expected!r}"


def _check_expr(col: Col, vals: list[Any], table: dict[str, list[Any]]) -> None:
    form, a_name, b_name = col.derive
    a, b = table[a_name], table[b_name]
    compute = EXPR_FORMS[form]
    for i, v in enumerate(vals):
        inputs_null = a[i] is None or ("{b}" in form and b[i] is None)
        if inputs_null:
            assert v is None, f"{col.name}: row {i}: `{col.opts['expr']}` of a null must be null, got {v!r}"
            continue
        if v is None:
            assert col.null > 0, f"{col.name}: row {i} is null, but its inputs are not"
            continue
        expected = compute(_num(a[i]), _num(b[i]) if b[i] is not None else np.float64(0))
        assert v == expected, f"{col.name}: row {i} = {v!r}, but `{col.opts['expr']}` gives {expected!r}"
        assert isinstance(v, int) == col.integer, f"{col.name}: row {i} = {v!r} (integer expected: {col.integer})"


def _num(v: Any) -> Any:
    return np.int64(v) if isinstance(v, int) else np.float64(v)
