"""Numeric laws per case of other columns: a distribution's parameters, or a histogram's bins,
for each value of ``given`` (:mod:`rulegen.kinds.cases`).

``{kind: normal, loc: 44, scale: 5, given: species, cases: {Adelie: {loc: 38.8, scale: 2.7}}}``
draws an Adelie's value from normal(38.8, 2.7) and any other row's from normal(44, 5): a case
overrides some of the law's parameters, the others keep the kind's own. Values are drawn by the
inverse CDF of each row's law at one uniform per row, so a column in a copula
(``correlations``) keeps its rank correlations within each case, and a row's value depends only
on its block's stream and its own values: the same bytes for any block order or worker count.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from rulegen.errors import Diagnostic
from rulegen.kinds.cases import GIVEN_SCHEMA, Cases, cases_schema
from rulegen.kinds.domains import DOMAIN_HINT
from rulegen.kinds.window import Window

__all__ = ["case_options", "check_cases", "draw_cases", "law_leaf"]

Quantile = Callable[[np.ndarray], np.ndarray]


def law_leaf(params: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The schema of one case of a law: some of its parameters, as numbers."""
    return {"type": "object", "minProperties": 1, "additionalProperties": False,
            "properties": {name: dict(schema) for name, schema in params.items()},
            "x-expect": f"a mapping of parameters ({', '.join(params)}) to numbers"}


def case_options(leaf: Mapping[str, Any], what: str) -> dict[str, dict[str, Any]]:
    """The ``given`` and ``cases`` options of a numeric kind whose cases are ``leaf``."""
    return {"given": GIVEN_SCHEMA, "cases": cases_schema(leaf, what)}


def check_cases(kind: Any, table: Any, leaf_problems: Callable[[Any, str], list[Diagnostic]]) -> list[Diagnostic]:
    """Problems of a numeric kind's ``given``/``cases``: one without the other, cases on a law
    that is not a column's own, expressions together with cases, the keys
    (:meth:`Cases.check`), and each case's options (``leaf_problems(case, pointer)``)."""
    given, cases = kind.option("given"), kind.option("cases")
    if given is None and cases is None:
        return []
    if given is None:
        return [Diagnostic("RG372", "`cases` needs `given`: the column(s) whose values pick the case",
                           kind.pointer("cases"), hint="add `given: COLUMN`")]
    column = table.columns.get(kind.column.name)
    if kind.column.pointer != getattr(column, "pointer", None):
        return [Diagnostic("RG372", "`given` is for the law of a column's values, not of a count or a skew",
                           kind.pointer("given"), hint="drop `given` and `cases` here")]
    texts = getattr(kind, "texts", {})
    if texts:
        name = next(iter(texts))
        return [Diagnostic("RG373", f"`{name}` is an expression, and a law with `cases` needs numbers for its "
                                    "parameters", kind.pointer(name),
                           hint="give a number, or move the expression's cases into `cases`")]
    problems = Cases.of(kind).check(table)
    for key, case in (cases or {}).items():
        problems += leaf_problems(case, kind.pointer("cases", key))
    return problems


def law_problems(kind: Any, case: Mapping[str, Any], pointer: str) -> list[Diagnostic]:
    """Problems of one case of a distribution: its parameters (with the kind's own for the rest)
    broken by the law's rules or domain, or with no mass inside ``truncate``."""
    params = {**kind.params, **case}
    problem = kind.family.rule(**params)
    if problem:
        return [Diagnostic("RG374", f"with this case's parameters, {problem}", pointer)]
    problem = kind.family.domain(**params)
    if problem:
        return [Diagnostic("RG275", problem, pointer, hint=DOMAIN_HINT)]
    lo, hi = kind.option("truncate") or (None, None)
    window = Window(kind.family.scipy(**params), lo, hi, kind.family.integer)
    probe = window.quantile(np.array([1e-9, 0.5, 1 - 1e-9]))
    shown = f"{kind.name}({', '.join(f'{k}={v}' for k, v in params.items())})"
    if window.mass <= 0:
        return [Diagnostic("RG374", f"{shown} has no probability inside truncate [{lo}, {hi}]", pointer,
                           hint="move the parameters to where the values fall, or widen `truncate`")]
    if not np.isfinite(np.asarray(probe, dtype=np.float64)).all():
        return [Diagnostic("RG275", f"the quantiles of {shown} cannot be computed in 64-bit floats", pointer,
                           hint=DOMAIN_HINT)]
    return []


def law_windows(kind: Any) -> list[Quantile]:
    """The quantile function of each case of a distribution kind (truncation included)."""
    lo, hi = kind.option("truncate") or (None, None)
    return [Window(kind.family.scipy(**{**kind.params, **case}), lo, hi, kind.family.integer).quantile
            for case in (kind.option("cases") or {}).values()]


def draw_cases(cases: Cases, ctx: Any, own: Quantile, laws: Sequence[Quantile], *, integer: bool) -> np.ndarray:
    """Each row's value at its uniform (the copula's, else the block's stream) through the
    quantile function of its case, or ``own`` where no case matches."""
    u = ctx.uniform()
    u = u if u is not None else ctx.rng().random(ctx.n)
    values = np.zeros(ctx.n, dtype=np.int64 if integer else np.float64)
    masks, unmatched = cases.rows(ctx.values, ctx.n)
    if unmatched.any():
        values[unmatched] = own(u[unmatched])
    for rows, quantile in zip(masks, laws, strict=True):
        if rows.any():
            values[rows] = quantile(u[rows])
    return values

