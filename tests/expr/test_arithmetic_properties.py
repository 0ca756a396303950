"""Property: integer arithmetic is exact, null where documented, or a located error; never a
wrapped value.

Random expressions over ``+ - * // % **``, unary ``-`` and ``abs``, on int64 literals and
columns, are compared row by row with Python's exact integers.
"""

from __future__ import annotations

import pyarrow as pa
from hypothesis import event, given, settings
from hypothesis import strategies as st

from rulegen.errors import GenerationError
from rulegen.expr.check import infer_type
from rulegen.expr.evaluate import evaluate_expression
from rulegen.expr.parser import parse_expression

LOW, HIGH = -(2**63), 2**63 - 1
ROWS = 6
NAMES = ("a", "b", "c")
ERROR = "error"

# Mostly small numbers (so that many expressions have values), and the edges of int64.
integers = st.one_of(
    st.integers(-12, 12),
    st.sampled_from([LOW, LOW + 1, HIGH - 1, HIGH, 2**31, -(2**31), 2**32 + 1, 3037000499, 3037000500]),
    st.integers(LOW, HIGH),
)
leaves = st.one_of(st.sampled_from(NAMES), integers)


def _node(children: st.SearchStrategy) -> st.SearchStrategy:
    binary = st.tuples(st.sampled_from(["+", "-", "*", "//", "%", "**"]), children, children)
    unary = st.tuples(st.sampled_from(["neg", "abs"]), children)
    return st.one_of(binary, unary)


trees = st.recursive(leaves, _node, max_leaves=8)


def render(tree: object) -> str:
    if isinstance(tree, str):
        return tree
    if isinstance(tree, int):
        return f"({tree})"
    if tree[0] == "neg":
        return f"(-{render(tree[1])})"
    if tree[0] == "abs":
        return f"abs({render(tree[1])})"
    op, left, right = tree
    return f"({render(left)} {op} {render(right)})"


def _fit(value: int) -> int | str:
    return value if LOW <= value <= HIGH else ERROR


def reference(tree: object, row: dict[str, int]) -> int | str | None:
    """Python's exact value at one row: an int, None (null) or ERROR (no 64-bit value)."""
    if isinstance(tree, str):
        return row[tree]
    if isinstance(tree, int):
        return tree
    values = [reference(child, row) for child in tree[1:]]
    if ERROR in values:
        return ERROR
    if None in values:
        return None
    if tree[0] == "neg":
        return _fit(-values[0])
    if tree[0] == "abs":
        return _fit(abs(values[0]))
    op, (left, right) = tree[0], values
    if op in ("//", "%") and right == 0:
        return None
    if op == "**":
        if right < 0:
            return ERROR
        if abs(left) >= 2 and right >= 64:
            return ERROR
        return _fit(left**right)
    exact = {"+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
             "//": lambda: left // right, "%": lambda: left % right}
    return _fit(exact[op]())


@settings(max_examples=300, deadline=None)
@given(tree=trees, data=st.lists(st.lists(integers, min_size=ROWS, max_size=ROWS), min_size=3, max_size=3))
def test_integer_arithmetic_is_exact_null_or_a_located_error(tree, data):
    columns = {name: pa.array(values, pa.int64()) for name, values in zip(NAMES, data, strict=True)}
    rows = [dict(zip(NAMES, values, strict=True)) for values in zip(*data, strict=True)]
    expected = [reference(tree, row) for row in rows]
    text = render(tree)
    pointer = "/tables/t/columns/e/expr"
    expression, problems = parse_expression(text, pointer, NAMES)
    if not problems:
        result_type, problems = infer_type(expression, {name: pa.int64() for name in NAMES})
    event("refused when read" if problems else "evaluated")
    if problems:  # refused when read: a literal out of range, or a literal negative exponent
        # Every bad literal is reported (all problems at once), so one tree may give several.
        for problem in problems:
            assert problem.code in ("RG271", "RG272"), problem
            assert problem.pointer == pointer and 0 <= problem.offset < len(text)
        assert any(problem.code == "RG272" for problem in problems) or ERROR in expected
        return
    assert result_type == pa.int64()
    try:
        values = evaluate_expression(expression, columns, ROWS).to_pylist()
    except GenerationError as exc:
        event("stopped the run")
        (problem,) = exc.diagnostics
        assert problem.code in ("RG410", "RG411"), problem
        assert problem.pointer == pointer and 0 <= problem.offset < len(text)
        assert ERROR in expected, f"{text}: no row overflows, yet {problem.message}"
        return
    assert ERROR not in expected, f"{text} gave {values}, but some row has no 64-bit value: {expected}"
    event("values" + (" with nulls" if None in values else ""))
    assert values == expected
