"""The ``expr`` kind: a value computed from other columns of the row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from rulegen.errors import Diagnostic
from rulegen.expr.evaluate import evaluate_expression
from rulegen.expr.parser import Call, Const, Expression, Name, Node, parse_expression
from rulegen.expr.strftime import format_width
from rulegen.kinds.base import CompileEnv, Kind, fixed_width
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

    def max_bytes(self, widths: Mapping[str, int | None]) -> int | None:
        """A bound from the expression's tree: its texts and columns' widths, added up by
        ``concat``; None when a function the bound does not follow makes its text."""
        if self.expression is None:
            return None
        return fixed_width(self.type) if fixed_width(self.type) is not None else _width(self.expression.root, widths)

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """Cannot tell a value, but a null is always possible (nulls propagate from the inputs)."""
        return unknown(values, null=True)

    def do_evaluate(self, ctx: Any) -> pa.Array:
        return evaluate_expression(self.expression, ctx.values, ctx.n, rows=ctx.rows)


_NUMBER_TEXT = 40  # the longest text of a number, date or truth value (see kinds.base._WIDTHS)
_LARGEST_OF = frozenset({"if", "coalesce", "min", "max", "clip"})  # one of their arguments' text


def _width(node: Node, widths: Mapping[str, int | None]) -> int | None:
    """An upper bound of the bytes of ``node``'s value as text, or None when not followed."""
    if isinstance(node, Const):
        return len(str(node.value).encode("utf-8", "surrogatepass"))
    if isinstance(node, Name):
        return widths.get(node.name)
    if not isinstance(node, Call):
        return _NUMBER_TEXT  # arithmetic, comparisons and logic make numbers and truth values
    args = [_width(arg, widths) for arg in node.args]
    if node.func in ("concat", "lower", "upper", *_LARGEST_OF) and None in args:
        return None
    if node.func == "concat":
        return sum(args)  # type: ignore[arg-type]
    if node.func in ("lower", "upper"):
        return args[0] * 3 // 2  # type: ignore[operator]  # a 2-byte character may become 3
    if node.func in _LARGEST_OF:
        return max(args)  # type: ignore[type-var]
    if node.func == "strftime":
        return format_width(node.args[1].value)  # type: ignore[union-attr]  # a checked literal
    return _NUMBER_TEXT
