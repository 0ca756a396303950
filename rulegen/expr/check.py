"""Type-check a parsed expression against the types of the columns it reads."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.types as pat

from rulegen.errors import Diagnostic
from rulegen.expr.functions import FUNCTIONS, ROUND_DIGITS
from rulegen.expr.parser import Binary, Call, Compare, Const, Expression, InList, Logic, Name, Node, Unary
from rulegen.expr.strftime import format_problem
from rulegen.expr.types import BOOL, arithmetic_type, common_type, describe, is_numeric, literal

__all__ = ["infer_type"]


class _TypeProblem(Exception):
    def __init__(self, message: str, offset: int, code: str = "RG224", hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.offset, self.code, self.hint = message, offset, code, hint


def infer_type(expression: Expression, types: Mapping[str, pa.DataType]) -> tuple[pa.DataType | None, list[Diagnostic]]:
    """The type of ``expression``'s values, or None and a diagnostic at the offending operator."""
    try:
        return _type(expression.root, types), []
    except _TypeProblem as exc:
        return None, [Diagnostic(exc.code, exc.message, expression.pointer, offset=exc.offset, hint=exc.hint)]


def _literal(value: object) -> pa.DataType:
    return literal(value).type


def _type(node: Node, types: Mapping[str, pa.DataType]) -> pa.DataType:
    if isinstance(node, Const):
        return _literal(node.value)
    if isinstance(node, Name):
        return types[node.name]
    if isinstance(node, Unary):
        operand = _type(node.operand, types)
        if node.op == "not":
            _expect_bool(operand, node, "`not`")
            return BOOL
        if not (is_numeric(operand) or pat.is_duration(operand)):
            raise _TypeProblem(f"unary `{node.op}` needs a number, got {describe(operand)}", node.offset)
        return operand
    if isinstance(node, Binary):
        left, right = _type(node.left, types), _type(node.right, types)
        result = arithmetic_type(node.op, left, right)
        if result is None:
            raise _TypeProblem(f"cannot apply `{node.op}` to {describe(left)} and {describe(right)}", node.offset)
        if node.op == "**" and pat.is_integer(result) and _negative_literal(node.right):
            raise _TypeProblem(f"an integer to the power {node.right.value} is not a whole number", node.offset,
                               "RG272", hint="make the base a float (`2.0 ** -1`, or multiply it by 1.0)")
        return result
    if isinstance(node, Compare):
        left, right = _type(node.left, types), _type(node.right, types)
        if common_type(left, right) is None:
            raise _TypeProblem(f"cannot compare {describe(left)} with {describe(right)}", node.offset)
        return BOOL
    if isinstance(node, Logic):
        for operand in node.operands:
            _expect_bool(_type(operand, types), operand, f"`{node.op}`")
        return BOOL
    if isinstance(node, InList):
        operand = _type(node.operand, types)
        if common_type(operand, *(_literal(v) for v in node.values)) is None:
            raise _TypeProblem(f"`in` list does not match the {describe(operand)} it tests", node.offset)
        return BOOL
    if isinstance(node, Call):
        if node.func == "round" and len(node.args) == 2:
            _check_digits(node.args[1])
        if node.func == "strftime":
            _check_format(node.args[1])
        arg_types = [_type(arg, types) for arg in node.args]
        result = FUNCTIONS[node.func].typer(arg_types)
        if isinstance(result, str):
            raise _TypeProblem(f"`{node.func}` {result}", node.offset)
        return result
    raise AssertionError(f"unknown node {node!r}")


def _negative_literal(node: Node) -> bool:
    return isinstance(node, Const) and isinstance(node.value, int) and not isinstance(node.value, bool) \
        and node.value < 0


def _check_digits(node: Node) -> None:
    """``round(x, n)``: n is a whole number literal within :data:`ROUND_DIGITS`."""
    low, high = ROUND_DIGITS
    value = node.value if isinstance(node, Const) else None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        shown = f"got {value!r}" if isinstance(node, Const) else "got an expression"
        raise _TypeProblem(f"`round(x, n)` needs n, the decimals, as a whole number from {low} to {high}; {shown}",
                           node.offset, "RG273", hint="a float has about 15 significant digits: more do nothing")


def _check_format(node: Node) -> None:
    """``strftime(t, format)``: the format is a text literal of known directives."""
    if not isinstance(node, Const) or not isinstance(node.value, str):
        raise _TypeProblem("`strftime(t, format)` needs the format as a text literal such as '%Y-%m-%d'",
                           node.offset, "RG283")
    problem = format_problem(node.value)
    if problem is not None:
        raise _TypeProblem(f"`strftime` format {node.value!r}: {problem}", node.offset, "RG283")


def _expect_bool(t: pa.DataType, node: Node, where: str) -> None:
    if not (pat.is_boolean(t) or pat.is_null(t)):
        raise _TypeProblem(f"{where} needs true/false values, got {describe(t)}", node.offset)
