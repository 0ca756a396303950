"""Counts per parent row that read the parent row: ``rows: {per: P, count: EXPR}`` or an integer
law whose parameters are expressions (``{per: P, kind: poisson, lam: "if(vip, 8, 4)"}``).

Such a table is sized once its parent's plan exists: a compile pass makes the parent's plan and
the next sizes the child from it (see :func:`rulegen.plan.compiler.compile_spec`). Here the
expressions are parsed against the parent's columns, type-checked against the parent's plan, and
turned into the counts of a parent block (:class:`~rulegen.engine.counts.ExprCounts`,
:class:`~rulegen.engine.counts.ExprLawCounts`) that read the parent block's columns alone, so
any child block still finds its parents without the rows before it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.types as pat

from rulegen.engine.counts import ExprCounts, ExprLawCounts
from rulegen.errors import Diagnostic
from rulegen.expr.parser import Expression, parse_expression
from rulegen.expr.types import describe, is_numeric
from rulegen.kinds import KINDS
from rulegen.spec.model import PerParentSpec, TableSpec
from rulegen.spec.source_map import join_pointer

__all__ = ["count_names", "parameter_texts", "parent_counts", "waits_for_parent"]


def parameter_texts(per: PerParentSpec) -> dict[str, str]:
    """The parameters of ``per``'s law written as expressions, by name."""
    if per.law is None:
        return {}
    family = getattr(KINDS.get(per.law.kind), "family", None)
    params = family.params if family is not None else {}
    return {name: value for name, value in per.law.options.items() if name in params and isinstance(value, str)}


def waits_for_parent(table: TableSpec) -> bool:
    """Whether ``table``'s counts per parent row read the parent row, so that it is sized in a
    compile pass after the one that makes its parent's plan."""
    per = table.rows
    return isinstance(per, PerParentSpec) and (per.expression is not None or bool(parameter_texts(per)))


def count_names(per: PerParentSpec, parent: TableSpec) -> frozenset[str]:
    """The parent's columns that ``per``'s count or law parameters read."""
    texts = {"count": per.expression} if per.expression is not None else parameter_texts(per)
    parsed, _ = _parse(per, texts, parent)
    return frozenset(name for expression in parsed.values() for name in expression.names)


def parent_counts(per: PerParentSpec, parent: TableSpec, parent_rows: int, before: Mapping[str, Any],
                  plans: Mapping[str, Any], *, seed: int, table: str, block_rows: int,
                  ) -> tuple[ExprCounts | ExprLawCounts | None, list[Diagnostic]]:
    """The counts of a parent block for ``per``, read from the parent's plan in ``plans``.

    Args:
        per: the child's ``rows`` (an expression count or a law with parameter expressions).
        parent: the parent's spec, whose columns the expressions may read.
        parent_rows: the parent's rows.
        before: the plans of the previous compile pass, where the parent's types are read.
        plans: the plans of this pass, which the counts read when the run asks for them.
        seed, table, block_rows: the run's seed, the child table, rows per block.

    Returns:
        The counts, or None with the problems (none while the parent has no plan yet): a
        column the parent does not have (RG222), a count that is not an integer (RG340), a
        parameter that is not a number (RG343), options that do not go with expressions (RG345).
    """
    texts = {"count": per.expression} if per.expression is not None else parameter_texts(per)
    parsed, problems = _parse(per, texts, parent)
    problems += _unsupported(per)
    plan = before.get(per.parent)
    if problems or plan is None:
        return None, problems
    types = {name: column.type for name, column in plan.columns.items()}
    problems = [p for expression in parsed.values() for p in _type_problems(per, expression, types)]
    if problems:
        return None, problems
    if per.expression is not None:
        return ExprCounts(parsed["count"], per.parent, plans, seed, parent_rows, block_rows), []
    assert per.law is not None
    kind = KINDS.get(per.law.kind)
    params = {name: per.law.options.get(name, default) for name, (_schema, default) in kind.family.params.items()}
    return ExprLawCounts(kind.family, {**params, **parsed}, per.parent, plans, seed, table, parent_rows, block_rows,
                         shift=int(per.law.options.get("shift") or 0), stratified=per.stratified), []


def _parse(per: PerParentSpec, texts: Mapping[str, str], parent: TableSpec,
           ) -> tuple[dict[str, Expression], list[Diagnostic]]:
    """Each expression parsed over the parent's columns; an unknown column says whose columns."""
    parsed, problems = {}, []
    for name, text in texts.items():
        expression, found = parse_expression(text, join_pointer(per.pointer, name), parent.columns)
        problems += [dataclasses.replace(p, message=f"{p.message} (counts per parent row read the columns of "
                                                    f"`{per.parent}`)") if p.code == "RG222" else p for p in found]
        if expression is not None:
            parsed[name] = expression
    return parsed, problems


def _unsupported(per: PerParentSpec) -> list[Diagnostic]:
    """A law with parameter expressions draws through its quantile function, row by row of
    parameters: ``truncate`` and the Zipf law (no quantile function in SciPy) do not go with it."""
    if per.law is None:
        return []
    if per.law.kind == "zipf":
        return [Diagnostic("RG345", "the zipf law of rows takes no parameter expressions", per.pointer,
                           hint="use a fixed `a`, or another law such as negative_binomial")]
    if per.law.options.get("truncate") is not None:
        return [Diagnostic("RG345", "`truncate` does not go with parameter expressions in a law of rows",
                           join_pointer(per.pointer, "truncate"),
                           hint="bound the parameters instead, e.g. `clip(visits / 4, 0, 10)` over the "
                                "parent's columns")]
    return []


def _type_problems(per: PerParentSpec, expression: Expression, types: Mapping[str, pa.DataType]) -> list[Diagnostic]:
    """A count must be an integer (RG340), a parameter a number (RG343)."""
    from rulegen.expr.check import infer_type

    result, problems = infer_type(expression, types)
    if problems:
        return problems
    got = f"a {describe(result)}" if result is not None else "null"
    if per.expression is not None:
        if result is not None and pat.is_integer(result):
            return []
        hint = ("make it a number of rows: `if(...cond..., 1, 0)`" if result is not None and pat.is_boolean(result)
                else "make it a whole number with `floor(...)`, `ceil(...)`, or `if(...cond..., 1, 0)`")
        return [Diagnostic("RG340", f"a count per parent row must be an integer expression over the columns of "
                                    f"`{per.parent}`; `{expression.text}` is {got}", expression.pointer, hint=hint)]
    if result is not None and is_numeric(result) and not pat.is_null(result):
        return []
    return [Diagnostic("RG343", f"a parameter of the law of rows must be a number; `{expression.text}` over the "
                                f"columns of `{per.parent}` is {got}", expression.pointer,
                       hint="pick numbers, e.g. `if(tier == 'premium', 8, 4)`")]
