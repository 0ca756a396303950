"""Dates and durations as people compute them: literals, differences as numbers, duration ratios."""

import datetime

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rulegen.expr.check import infer_type
from rulegen.expr.evaluate import evaluate_expression
from rulegen.expr.parser import parse_expression

COLUMNS = {
    "due_on": pa.array([datetime.date(2024, 1, 9), datetime.date(2024, 2, 1), None]),
    "returned_at": pa.array([datetime.datetime(2024, 1, 17, 3, 7, 47), datetime.datetime(2024, 1, 20, 12),
                             datetime.datetime(2024, 1, 1)], pa.timestamp("ms")),
    "timestamp": pa.array([datetime.datetime(2024, 1, 1, 6)] * 3, pa.timestamp("s")),
    "date": pa.array([datetime.date(2024, 1, 2)] * 3),
}
TYPES = {name: array.type for name, array in COLUMNS.items()}


def run(text: str, columns: dict = COLUMNS) -> tuple[pa.DataType, list]:
    expression, problems = parse_expression(text, "/e", columns)
    assert not problems, problems
    result_type, problems = infer_type(expression, {k: v.type for k, v in columns.items()})
    assert not problems, problems
    values = evaluate_expression(expression, columns, len(next(iter(columns.values()))))
    assert values.type == result_type, (values.type, result_type)  # the checked type is the made type
    return result_type, values.to_pylist()


def problem(text: str) -> tuple[str, int]:
    expression, problems = parse_expression(text, "/e", COLUMNS)
    if not problems:
        _, problems = infer_type(expression, TYPES)
    assert len(problems) == 1, problems
    return problems[0].code, problems[0].offset


@pytest.mark.parametrize(("text", "kind", "expected"), [
    ("days_between(due_on, date(returned_at))", pa.int64(), [8, -12, None]),
    ("(date(returned_at) - due_on) / days(1)", pa.float64(), [8.0, -12.0, None]),
    ("hours_between(due_on, returned_at)", pa.float64(), [195.12972222222223, -276.0, None]),
    ("days_between(returned_at, returned_at + hours(36))", pa.float64(), [1.5, 1.5, 1.5]),
    ("minutes_between(returned_at, returned_at + hours(1)) + seconds_between(due_on, due_on)",
     pa.float64(), [60.0, 60.0, None]),
    ("returned_at > timestamp('2024-01-18')", pa.bool_(), [False, True, False]),
    ("due_on <= date('2024-01-09')", pa.bool_(), [True, False, None]),
    ("date('2024-01-31') - due_on", pa.duration("s"),
     [datetime.timedelta(days=22), datetime.timedelta(days=-1), None]),
    ("timestamp('2024-01-01T12:00:00+02:00')", pa.timestamp("s"), [datetime.datetime(2024, 1, 1, 10)] * 3),
    ("timestamp('2024-01-01 12:00:00.5')", pa.timestamp("us"), [datetime.datetime(2024, 1, 1, 12, 0, 0, 500000)] * 3),
    ("timestamp(due_on)", pa.timestamp("s"), [datetime.datetime(2024, 1, 9), datetime.datetime(2024, 2, 1), None]),
    ("date(returned_at)", pa.date32(), [datetime.date(2024, 1, 17), datetime.date(2024, 1, 20),
                                        datetime.date(2024, 1, 1)]),
    ("(returned_at - timestamp('2024-01-17')) * 2", pa.duration("s"),
     [datetime.timedelta(seconds=2 * 11267), datetime.timedelta(days=7), datetime.timedelta(days=-32)]),
    ("days(3) / 2", pa.duration("s"), [datetime.timedelta(days=1, hours=12)] * 3),
    ("days(1) / days(0)", pa.float64(), [None] * 3),
    ("date(date) + days(1) == timestamp(date) + hours(24)", pa.bool_(), [True] * 3),
    ("hour(timestamp)", pa.int64(), [6] * 3),
])
def test_dates_and_durations(text: str, kind: pa.DataType, expected: list) -> None:
    assert run(text) == (kind, expected)


def test_a_duration_in_milliseconds_scales_by_its_unit() -> None:
    # `returned_at` is in ms: its difference with a date is a duration[ms], scaled as seconds.
    _, values = run("(returned_at - timestamp('2024-01-17 03:00:00')) * 1")
    assert values[0] == datetime.timedelta(seconds=467)


@pytest.mark.parametrize(("text", "code", "offset"), [
    ("date('2024-02-30')", "RG351", 5),
    ("due_on < timestamp('noon')", "RG351", 19),
    ("date(concat('2024', '-01-01'))", "RG224", 0),
    ("days_between(due_on, 3)", "RG224", 0),
    ("days(1) // hours(1)", "RG224", 8),
    ("hours_between(due_on)", "RG225", 0),
])
def test_refused(text: str, code: str, offset: int) -> None:
    assert problem(text) == (code, offset)


@given(st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)),
       st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)))
def test_days_between_is_python_date_subtraction(a: datetime.date, b: datetime.date) -> None:
    columns = {"a": pa.array([a]), "b": pa.array([b])}
    _, between = run("days_between(a, b)", columns)
    _, ratio = run("(b - a) / days(1)", columns)
    assert between == [(b - a).days]
    assert ratio == [float((b - a).days)]


def test_long_durations_in_microseconds_divide() -> None:
    # 300 years in microseconds is past 2**53: the ratio is rounded, never refused.
    columns = {"a": pa.array([datetime.datetime(1700, 1, 1)], pa.timestamp("us")),
               "b": pa.array([datetime.datetime(2000, 1, 1)], pa.timestamp("us"))}
    days = float((datetime.date(2000, 1, 1) - datetime.date(1700, 1, 1)).days)
    assert run("(b - a) / days(1)", columns)[1] == [days]
    assert run("days_between(a, b)", columns)[1] == [days]


def test_a_column_named_like_a_function_is_read_by_its_bare_name() -> None:
    # `date` and `timestamp` are columns of COLUMNS and functions too: the call is the function.
    assert run("date(timestamp) == date")[1] == [False] * 3
    assert run("days_between(date, date(timestamp))")[1] == [-1] * 3
    assert problem("date + timestamp") == ("RG224", 5)  # a date and a timestamp do not add
    _, problems = parse_expression("hour + 1", "/e", {"a": COLUMNS["date"]})
    assert [p.code for p in problems] == ["RG222"]  # no such column: `hour` is then the function, uncalled
