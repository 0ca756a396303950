"""Checked arithmetic: every result is exact, null by definition, or an error at the operator
naming the row (docs/spec.md, Expression arithmetic)."""

import datetime

import numpy as np
import pyarrow as pa
import pytest

from rulegen.errors import GenerationError
from rulegen.expr.check import infer_type
from rulegen.expr.evaluate import evaluate_expression
from rulegen.expr.parser import parse_expression

BIG = 2**63 - 1
COLUMNS = {
    "i": pa.array([7, -7, 0, None], pa.int64()),
    "z": pa.array([0, 0, 0, 0], pa.int64()),
    "m": pa.array([2, -2, 3, -3], pa.int64()),
    "x": pa.array([1.5, -2.0, 0.0, None]),
    "big": pa.array([1, 2, BIG - 1, BIG], pa.int64()),
    "low": pa.array([0, -(2**63), 5, None], pa.int64()),
    "t": pa.array([datetime.datetime(2020, 1, 1), datetime.datetime(9999, 12, 31), None, None], pa.timestamp("s")),
    "d": pa.array([datetime.date(1, 1, 1), datetime.date(2000, 1, 1), None, None]),
}
TYPES = {name: array.type for name, array in COLUMNS.items()}


def _parse(text):
    expression, problems = parse_expression(text, "/tables/t/columns/c/expr", COLUMNS)
    if not problems:
        problems = infer_type(expression, TYPES)[1]
    return expression, problems


def run(text, rows=None):
    expression, problems = _parse(text)
    assert not problems, problems
    return evaluate_expression(expression, COLUMNS, 4, rows=rows).to_pylist()


def refused(text):
    """The diagnostic of an expression refused before any row is made."""
    problems = _parse(text)[1]
    assert len(problems) == 1, problems
    return problems[0]


def failure(text, rows=None):
    """The diagnostic of an expression that stops the run."""
    with pytest.raises(GenerationError) as caught:
        run(text, rows)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.pointer == "/tables/t/columns/c/expr"
    return diagnostic


@pytest.mark.parametrize(("text", "expected"), [
    # a divisor of 0 gives null, for integers and floats alike
    ("i // z", [None, None, None, None]),
    ("i % z", [None, None, None, None]),
    ("i / z", [None, None, None, None]),
    ("x // 0", [None, None, None, None]),
    ("x % 0.0", [None, None, None, None]),
    ("x / 0", [None, None, None, None]),
    ("coalesce(i // z, -1)", [-1, -1, -1, -1]),
    # Python's rounding down, and the remainder with the divisor's sign
    ("i // m", [3, 3, 0, None]),
    ("i % m", [1, -1, 0, None]),
    ("-i // m", [-4, -4, 0, None]),
    ("-i % m", [1, -1, 0, None]),
    ("low % -1", [0, 0, 0, None]),  # though low // -1 overflows for the smallest integer
    ("big // 3", [0, 0, 3074457345618258602, 3074457345618258602]),  # exact, not through a float
    ("big % 10", [1, 2, 6, 7]),
    # non-finite floats are null
    ("log(x)", [pytest.approx(0.4054651081081644), None, None, None]),
    ("sqrt(x)", [pytest.approx(1.224744871391589), None, 0.0, None]),
    ("exp(x * 1000)", [None, 0.0, 1.0, None]),
    ("x * 1e308 * 10", [None, None, 0.0, None]),
    ("(x - 4) ** 0.5", [None, None, None, None]),
    # values at the edges that fit
    ("big - 1 + 1", [1, 2, BIG - 1, BIG]),
    ("-(big) - 1", [-2, -3, -BIG, -(2**63)]),
    ("2 ** 62 + (2 ** 62 - 1)", [BIG] * 4),
    ("i ** 0", [1, 1, 1, None]),
    ("round(x * 10, -1)", [20.0, -20.0, 0.0, None]),
])
def test_defined_results(text, expected):
    assert run(text) == expected


@pytest.mark.parametrize(("text", "code", "row", "message"), [
    ("big + 1", "RG410", 3, f"{BIG} + 1 = {BIG + 1} does not fit in a 64-bit integer"),
    ("big * 2", "RG410", 2, f"{BIG - 1} * 2 = {2 * (BIG - 1)} does not fit in a 64-bit integer"),
    ("low - 1", "RG410", 1, f"{-(2**63)} - 1 = {-(2**63) - 1} does not fit"),
    ("-low", "RG410", 1, f"-({-(2**63)}) does not fit"),
    ("abs(low)", "RG410", 1, f"abs({-(2**63)}) does not fit"),
    ("low // -1", "RG410", 1, f"{-(2**63)} // -1 does not fit"),
    ("(big - 1) ** 2", "RG410", 2, f"{BIG - 2} ** 2 does not fit"),
    ("floor(x * 1e300)", "RG410", 0, "floor(1.5e+300) does not fit"),
    ("round(x * 1e19)", "RG410", 0, "round(1.5e+19) does not fit"),
    ("2 ** (m - 3)", "RG411", 0, "2 ** -1 has a negative exponent"),
    ("t + days(1)", "RG412", 1, "in the year 10,000"),
    ("d - days(1)", "RG412", 0, "in the year 0"),
    ("days(x * 1e9)", "RG413", 0, "a duration of 4.107e+06 years"),
    ("days(1) * 1e15", "RG413", 0, "from `*`"),
    ("(t - d) + (t - d) + (t - d)", "RG413", 1, "beyond the limit of ±10,000 years"),
])
def test_run_time_failures_name_the_row_and_the_operator(text, code, row, message):
    diagnostic = failure(text)
    assert diagnostic.code == code
    assert diagnostic.message.startswith(f"row {row}: ")
    assert message in diagnostic.message
    assert diagnostic.offset is not None and 0 <= diagnostic.offset < len(text)


def test_the_row_is_the_table_row_when_rows_are_given():
    rows = np.arange(70_000, 70_004)
    diagnostic = failure("big + 1", rows)
    assert diagnostic.message.startswith("row 70003: ")


def test_the_offset_is_the_failing_operator():
    text = "i + big * 2"
    assert failure(text).offset == text.index("*")


@pytest.mark.parametrize(("text", "code", "offset", "message"), [
    ("2 ** 2 ** 2 ** 2 ** 2", "RG271", 2, "`2 ** 65536` does not fit in a 64-bit integer"),
    ("i + 10 ** 400", "RG271", 7, "`10 ** 400` does not fit"),
    ("i + 10.0 ** 400", "RG271", 9, "beyond the range of a 64-bit float"),
    ("i + " + "9" * 1000, "RG271", 4, "(1,000 digits) does not fit in a 64-bit integer"),
    ("i + " + "9" * 5000, "RG271", None, "thousands of digits"),
    ("i + 9223372036854775808", "RG271", 4, "the literal 9223372036854775808 does not fit"),
    ("x + 1e400", "RG271", 4, "the number literal is beyond the range of a 64-bit float"),
    ("i in [1, 99999999999999999999]", "RG271", 0, "99999999999999999999 does not fit"),
    ("9223372036854775807 + 1 + i", "RG271", 20, "does not fit"),
    # The middle negation overflows: a chain of negations is not folded back into range.
    ("i + -(-(-9223372036854775808))", "RG271", 6, "`-(-9223372036854775808)` does not fit"),
    ("i ** -1", "RG272", 2, "an integer to the power -1 is not a whole number"),
    ("round(x, 400)", "RG273", 9, "got 400"),
    ("round(x, -16)", "RG273", 9, "got -16"),
    ("round(x, 1.5)", "RG273", 9, "got 1.5"),
    ("round(x, i)", "RG273", 9, "got an expression"),
])
def test_literals_out_of_range_are_refused_when_read(text, code, offset, message):
    diagnostic = refused(text)
    assert diagnostic.code == code
    assert message in diagnostic.message
    if offset is not None:
        assert diagnostic.offset == offset


@pytest.mark.parametrize("text", [
    "-9223372036854775808 + i", "2 ** 62 - 1 + 2 ** 62 + i", "i // 0 * 99", "1 ** 99999999999999 + i",
    "(-8) ** 0.5 + x", "round(x, -15) + round(x, 15)", "x ** -1",
])
def test_literals_in_range_are_accepted(text):
    assert not _parse(text)[1]


def test_a_tower_is_refused_at_once():
    # 2 ** 2 ** 2 ** 2 ** 2 ** 2 would be a number of 10**19728 digits: it is never computed.
    assert refused("2 ** 2 ** 2 ** 2 ** 2 ** 2 ** 2 + i").code == "RG271"
