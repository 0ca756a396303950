"""Type-check a parsed expression against the types of the columns it reads."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.types as pat

from rulegen.errors import Diagnostic
from rulegen.expr.functions import FUNCTIONS
from rulegen.expr.parser import Binary, Call, Compare, Const, Expression, InList, Logic, Name, Node, Unary
from rulegen.expr.types import BOOL, arithmetic_type, common_type, describe, is_numeric

__all__ = ["infer_type"]


class _TypeProblem(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message, self.offset = message, offset


def infer_type(expression: Expression, types: Mapping[str, pa.DataType]) -> tuple[pa.DataType | None, list[Diagnostic]]:
    """The type of ``expression``'s values, or None and a diagnostic at the offending operator."""
    try:
        return _type(expression.root, types), []
    except _TypeProblem as exc:
        return None, [Diagnostic("RG224", exc.message, expression.pointer, offset=exc.offset)]


def _literal(value: object) -> pa.DataType:
    return pa.scalar(value).type if value is not None else pa.null()


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
        arg_types = [_type(arg, types) for arg in node.args]
        result = FUNCTIONS[node.func].typer(arg_types)
        if isinstance(result, str):
            raise _TypeProblem(f"`{node.func}` {result}", node.offset)
        return result
    raise AssertionError(f"unknown node {node!r}")


def _expect_bool(t: pa.DataType, node: Node, where: str) -> None:
    if not (pat.is_boolean(t) or pat.is_null(t)):
        raise _TypeProblem(f"{where} needs true/false values, got {describe(t)}", node.offset)
