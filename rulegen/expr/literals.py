"""Range checks of an expression's literals, made when it is parsed.

Integers are 64-bit and floats are IEEE doubles at run time, so a literal outside their range
(``99999999999999999999``, ``1e400``) is refused with its position rather than failing or
wrapping at run time. Arithmetic between literals alone is worked out here with Python's
exact numbers, and refused when it leaves that range: ``10 ** 400``, ``2 ** 2 ** 2 ** 2 ** 2``
(a power is bounded before it is computed, so a tower never takes time or memory). A
duration function of literals (``years(1e300)``) is held to the run-time limit of durations.
"""

from __future__ import annotations

import math

from rulegen.errors import Diagnostic
from rulegen.expr.arithmetic import DURATION_UNITS, INT64_MAX, INT64_MIN, MAX_DURATION_SECONDS
from rulegen.expr.nodes import Binary, Call, Compare, Const, InList, Logic, Node, Unary

__all__ = ["literal_problems"]

Number = int | float


_NUMBERS_HINT = "integers are 64-bit (about ±9.2e18) and numbers 64-bit floats (about ±1.8e308)"


class _OutOfRange(Exception):
    def __init__(self, message: str, offset: int, code: str = "RG271", hint: str = _NUMBERS_HINT) -> None:
        super().__init__(message)
        self.message, self.offset, self.code, self.hint = message, offset, code, hint


def literal_problems(root: Node, pointer: str) -> list[Diagnostic]:
    """Literals and literal arithmetic of the tree under ``root`` outside int64 or float64,
    each a diagnostic at its place in the expression (one per separate subtree)."""
    problems: list[Diagnostic] = []
    _walk(root, pointer, problems)
    return problems


def _walk(node: Node, pointer: str, problems: list[Diagnostic]) -> None:
    try:
        _value(node)
    except _OutOfRange as exc:
        problems.append(Diagnostic(exc.code, exc.message, pointer, offset=exc.offset, hint=exc.hint))
        return
    for child in _children(node):
        _walk(child, pointer, problems)


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary | Compare):
        return node.left, node.right
    if isinstance(node, Logic):
        return node.operands
    if isinstance(node, Call):
        return node.args
    if isinstance(node, InList):
        return (node.operand,)
    return ()


def _short(value: Number) -> str:
    text = str(value)
    return text if len(text) <= 30 else f"{text[:12]}...{text[-6:]} ({len(text.lstrip('-')):,} digits)"


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check(value: Number, offset: int, what: str | None = None) -> Number:
    """``value`` when in range; ``what`` names it (else it is a literal, shown)."""
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        raise _OutOfRange(f"{what or 'the literal ' + _short(value)} does not fit in a 64-bit integer", offset)
    if isinstance(value, float) and not math.isfinite(value):
        raise _OutOfRange(f"{what or 'the number literal'} is beyond the range of a 64-bit float", offset)
    return value


def _value(node: Node) -> Number | None:
    """The value of a subtree of number literals (None when it reads a column or is not a number).

    Raises:
        _OutOfRange: a literal, or a result of literals, is out of range (the innermost one).
    """
    if isinstance(node, Const):
        return _check(node.value, node.offset) if _number(node.value) else None
    if isinstance(node, InList):
        for value in node.values:
            if _number(value):
                _check(value, node.offset)
        return None
    if isinstance(node, Unary) and node.op in "+-":
        operand = _value(node.operand)
        if operand is None:
            return None
        shown = _short(operand) if operand >= 0 else f"({_short(operand)})"  # -(-5), never --5
        return _check(-operand if node.op == "-" else operand, node.offset, f"`{node.op}{shown}`")
    if isinstance(node, Binary):
        left, right = _value(node.left), _value(node.right)
        if left is None or right is None:
            return None
        result = _binary(node.op, left, right)
        shown = f"`{_short(left)} {node.op} {_short(right)}`"
        return None if result is None else _check(result, node.offset, shown)
    if isinstance(node, Call) and node.func in DURATION_UNITS and len(node.args) == 1:
        _check_duration(node.func, _value(node.args[0]), node.offset)
    return None


def _check_duration(unit: str, count: Number | None, offset: int) -> None:
    """A duration function of literals (``years(1e300)``) within the run-time limit of ±10,000
    years (the same limit, RG413, when the count comes from a column)."""
    if count is None:
        return
    seconds = count * DURATION_UNITS[unit]  # exact for integers; a float may overflow to inf, refused too
    if abs(seconds) > MAX_DURATION_SECONDS:
        years = seconds / DURATION_UNITS["years"]
        raise _OutOfRange(f"`{unit}({_short(count)})` is a duration of {years:,.6g} years, beyond the limit of "
                          "±10,000 years", offset, "RG280",
                          hint="dates and timestamps only span the years 1 to 9999")


def _binary(op: str, left: Number, right: Number) -> Number | None:
    """Python's value of ``left op right``, or None when it is null or an error at run time (a
    division by 0, a negative integer exponent: those have their own rules)."""
    if op in ("/", "//", "%") and right == 0:
        return None
    if op == "**":
        return _power(left, right)
    return {"+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
            "/": lambda: left / right, "//": lambda: left // right, "%": lambda: left % right}[op]()


def _power(base: Number, exponent: Number) -> Number | None:
    if isinstance(base, int) and isinstance(exponent, int):
        if exponent < 0:
            return None  # the type check refuses it
        if abs(base) >= 2 and exponent >= 64:  # 2 ** 64 is already out: don't compute a tower
            return INT64_MAX + 1
        return base ** exponent  # small: |base| < 2**63 and exponent < 64, or |base| <= 1
    try:
        result = math.pow(base, exponent)
    except OverflowError:
        return math.inf
    except ValueError:  # a negative base to a fractional power: null at run time
        return None
    return result
