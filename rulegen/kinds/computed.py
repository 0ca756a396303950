"""The ``expr`` kind: a value computed from other columns of the row."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from rulegen.errors import Diagnostic
from rulegen.expr.evaluate import evaluate_expression
from rulegen.expr.parser import Expression, parse_expression
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.registry import register
from rulegen.kinds.validity import unknown

__all__ = ["Expr"]


@register
class Expr(Kind):
    """``expr: "round(amount * 1.2, 2)"``: evaluated over whole columns, never by Python."""

    name = "expr"
    drawn = False  # its value at a row is fixed, or follows its inputs
    summary = "computed from other columns of the row (see Expressions)"
    options = {"expr": {"type": "string", "minLength": 1, "description": "an expression over the row's columns"}}
    required = ("expr",)
    example = {"kind": "expr", "expr": "round(amount * 1.2, 2)"}

    expression: Expression | None = None

    def check(self, table: Any) -> list[Diagnostic]:
        self.expression, problems = parse_expression(self.option("expr"), self.pointer("expr"), table.columns)
        return problems

    def dependencies(self) -> frozenset[str]:
        return self.expression.names if self.expression else frozenset()

    def compile(self, env: CompileEnv) -> None:
        result = env.infer(self.expression) if self.expression else None
        if result is not None:
            self.type = pa.string() if pa.types.is_null(result) else result

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """Cannot tell a value, but a null is always possible (nulls propagate from the inputs)."""
        return unknown(values, null=True)

    def do_evaluate(self, ctx: Any) -> pa.Array:
        return evaluate_expression(self.expression, ctx.values, ctx.n, rows=ctx.rows)
