"""Evaluate a parsed expression over whole columns with ``pyarrow.compute``.

Nulls follow SQL: they propagate through operators and functions, and ``and``/``or`` use
three-valued (Kleene) logic.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from rulegen.expr.functions import FUNCTIONS
from rulegen.expr.parser import Binary, Call, Compare, Const, Expression, InList, Logic, Name, Node, Unary

__all__ = ["evaluate_expression"]

Value = pa.Array | pa.Scalar

_ARITHMETIC = {"+": pc.add, "-": pc.subtract, "*": pc.multiply, "**": pc.power}
_COMPARE = {"==": pc.equal, "!=": pc.not_equal, "<": pc.less, "<=": pc.less_equal, ">": pc.greater,
            ">=": pc.greater_equal}


def evaluate_expression(expression: Expression, columns: Mapping[str, pa.Array], n: int) -> pa.Array:
    """The values of ``expression`` for ``n`` rows whose columns are ``columns``."""
    result = _eval(expression.root, columns)
    if isinstance(result, pa.Scalar):
        return pa.repeat(result, n)
    return result


def _eval(node: Node, columns: Mapping[str, pa.Array]) -> Value:
    if isinstance(node, Const):
        return pa.scalar(node.value)
    if isinstance(node, Name):
        return columns[node.name]
    if isinstance(node, Unary):
        operand = _eval(node.operand, columns)
        return {"-": pc.negate, "+": lambda x: x, "not": pc.invert}[node.op](operand)
    if isinstance(node, Binary):
        return _binary(node.op, _eval(node.left, columns), _eval(node.right, columns))
    if isinstance(node, Compare):
        left, right = _comparable(_eval(node.left, columns), _eval(node.right, columns))
        return _COMPARE[node.op](left, right)
    if isinstance(node, Logic):
        combine = pc.and_kleene if node.op == "and" else pc.or_kleene
        result = _eval(node.operands[0], columns)
        for operand in node.operands[1:]:
            result = combine(result, _eval(operand, columns))
        return result
    if isinstance(node, InList):
        operand = _eval(node.operand, columns)
        value_set = pa.array(list(node.values))
        if pat.is_floating(operand.type) or pat.is_floating(value_set.type):
            operand, value_set = pc.cast(operand, pa.float64()), pc.cast(value_set, pa.float64())
        found = pc.is_in(operand, value_set=value_set.cast(operand.type))
        found = pc.if_else(pc.is_null(operand), pa.scalar(None, pa.bool_()), found)
        return pc.invert(found) if node.negate else found
    if isinstance(node, Call):
        return FUNCTIONS[node.func].impl(*(_eval(arg, columns) for arg in node.args))
    raise AssertionError(f"unknown node {node!r}")


def _binary(op: str, left: Value, right: Value) -> Value:
    if op == "+" and pat.is_string(left.type) and pat.is_string(right.type):
        return pc.binary_join_element_wise(left, right, "")
    left, right = _comparable(left, right)
    if op == "/":
        return pc.divide(pc.cast(left, pa.float64()), pc.cast(right, pa.float64()))
    if op in ("//", "%"):
        both_int = pat.is_integer(left.type) and pat.is_integer(right.type)
        quotient = pc.floor(pc.divide(pc.cast(left, pa.float64()), pc.cast(right, pa.float64())))
        result = quotient if op == "//" else pc.subtract(pc.cast(left, pa.float64()),
                                                         pc.multiply(quotient, pc.cast(right, pa.float64())))
        return pc.cast(result, pa.int64()) if both_int else result
    if op == "**" and pat.is_integer(left.type) and pat.is_integer(right.type):
        return pc.cast(pc.power(pc.cast(left, pa.float64()), pc.cast(right, pa.float64())), pa.int64())
    if op == "*" and (pat.is_duration(left.type) or pat.is_duration(right.type)):
        duration, factor = (left, right) if pat.is_duration(left.type) else (right, left)
        seconds = pc.multiply(pc.cast(pc.cast(duration, pa.int64()), pa.float64()), pc.cast(factor, pa.float64()))
        return pc.cast(pc.cast(pc.round(seconds), pa.int64()), duration.type)
    return _ARITHMETIC[op](left, right)


def _comparable(left: Value, right: Value) -> tuple[Value, Value]:
    """Bring dates and timestamps, or ints and floats, to one type before an operation."""
    lt, rt = left.type, right.type
    zoned = (pat.is_timestamp(lt) and lt.tz is not None) or (pat.is_timestamp(rt) and rt.tz is not None)
    if zoned and lt != rt:  # zoned timestamps hold UTC instants, as plain ones do: compare them as such
        left, right = _utc(left), _utc(right)
        lt, rt = left.type, right.type
    if pat.is_date(lt) and pat.is_timestamp(rt):
        return pc.cast(left, rt), right
    if pat.is_timestamp(lt) and pat.is_date(rt):
        return left, pc.cast(right, lt)
    if pat.is_null(lt) and not pat.is_null(rt):
        return pc.cast(left, rt), right
    if pat.is_null(rt) and not pat.is_null(lt):
        return left, pc.cast(right, lt)
    return left, right


def _utc(value: Value) -> Value:
    """A zoned timestamp as the plain (UTC) timestamp of the same instant; anything else as is."""
    if pat.is_timestamp(value.type) and value.type.tz is not None:
        return pc.cast(value, pa.timestamp(value.type.unit))
    return value
