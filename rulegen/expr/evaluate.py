"""Evaluate a parsed expression over whole columns with ``pyarrow.compute``.

Nulls follow SQL: they propagate through operators and functions, and ``and``/``or`` use
three-valued (Kleene) logic. Arithmetic is checked (:mod:`rulegen.expr.arithmetic`): a result
that does not exist (an integer beyond 64 bits, a date past the year 9999) stops the run with
a :class:`~rulegen.errors.GenerationError` at the operator, naming the row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from rulegen.errors import Diagnostic, GenerationError
from rulegen.expr.arithmetic import RangeProblem, aligned, binary, checked
from rulegen.expr.functions import FUNCTIONS
from rulegen.expr.parser import Binary, Call, Compare, Const, Expression, InList, Logic, Name, Node, Unary
from rulegen.expr.types import literal

__all__ = ["evaluate_expression"]

Value = pa.Array | pa.Scalar

# Arrow's kernels by name, looked up when used (importing this module reads nothing of pc: see
# rulegen.lazy_compute).
_COMPARE = {"==": "equal", "!=": "not_equal", "<": "less", "<=": "less_equal", ">": "greater", ">=": "greater_equal"}


def evaluate_expression(expression: Expression, columns: Mapping[str, pa.Array], n: int,
                        rows: np.ndarray | None = None) -> pa.Array:
    """The values of ``expression`` for ``n`` rows whose columns are ``columns``.

    Args:
        expression: the parsed expression.
        columns: the arrays of the columns it reads, ``n`` values each.
        n: the number of rows.
        rows: the rows' numbers in their table, for error messages (else their positions).

    Raises:
        GenerationError: an operation has no value at some row (see :mod:`rulegen.expr.arithmetic`);
            the diagnostic points at the operator and names the first such row.
    """
    try:
        result = _eval(expression.root, columns)
    except RangeProblem as exc:
        row = int(rows[exc.index]) if rows is not None and len(rows) > exc.index else exc.index
        raise GenerationError([Diagnostic(exc.code, f"row {row}: {exc.message}",
                                          expression.pointer, offset=exc.offset, hint=exc.hint)]) from None
    if isinstance(result, pa.Scalar):
        return pa.repeat(result, n)
    return result


def _eval(node: Node, columns: Mapping[str, pa.Array]) -> Value:
    if isinstance(node, Const):
        return literal(node.value)
    if isinstance(node, Name):
        return columns[node.name]
    if isinstance(node, Unary):
        operand = _eval(node.operand, columns)
        if node.op == "-":
            return _at(node, lambda: checked(pc.negate_checked, "-", operand))
        return operand if node.op == "+" else pc.invert(operand)
    if isinstance(node, Binary):
        left, right = _eval(node.left, columns), _eval(node.right, columns)
        return _at(node, lambda: _binary(node.op, left, right))
    if isinstance(node, Compare):
        left, right = aligned(_eval(node.left, columns), _eval(node.right, columns))
        return getattr(pc, _COMPARE[node.op])(left, right)
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
        args = [_eval(arg, columns) for arg in node.args]
        return _at(node, lambda: FUNCTIONS[node.func].impl(*args))
    raise AssertionError(f"unknown node {node!r}")


def _at(node: Node, compute: Callable[[], Value]) -> Value:
    """``compute()``, with the place of ``node`` given to a :class:`RangeProblem` it raises."""
    try:
        return compute()
    except RangeProblem as exc:
        if exc.offset is None:
            exc.offset = node.offset
        raise


def _binary(op: str, left: Value, right: Value) -> Value:
    if op == "+" and pat.is_string(left.type) and pat.is_string(right.type):
        return pc.binary_join_element_wise(left, right, "")
    return binary(op, *aligned(left, right))
