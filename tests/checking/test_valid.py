"""``Kind.valid``: each kind says which values it can make (True), cannot (False), or cannot tell (null)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

import rulegen
from rulegen.kinds.base import Kind


def kind_of(column: str, rows: int = 10, extra: str = "") -> Kind:
    spec = (f"version: 1\ntables:\n  t:\n    rows: {rows}\n    columns:\n      id: {{kind: sequence}}\n"
            f"{extra}      x: {column}\n")
    return rulegen.compile(spec).tables["t"].columns["x"].kind


def answer(kind: Kind, values: list[Any], type_: pa.DataType | None = None, within: float = 0.0) -> list[Any]:
    result = kind.valid(pa.array(values, type=type_ or kind.type), within=within)
    assert result is not None
    return result.to_pylist()


@pytest.mark.parametrize(("column", "values", "expected"), [
    # the law's support, cut by truncate, then shifted
    ("{kind: normal, truncate: [0, 10], shift: 5}", [5.0, 15.0, 4.99, 15.01], [True, True, False, False]),
    ("{kind: lognormal}", [0.0, 1e6, -0.001], [True, True, False]),
    ("{kind: uniform, low: 2, high: 3}", [2.0, 3.0, 1.9], [True, True, False]),
    ("{kind: beta, a: 2, b: 2}", [0.0, 1.0, 1.5], [True, True, False]),
    # integer laws: integers only, both ends inclusive
    ("{kind: integers, low: 1, high: 6}", [1, 6, 0, 7], [True, True, False, False]),
    ("{kind: poisson, lam: 3, truncate: [2.5, 7], shift: 1}", [4, 8, 3, 9], [True, True, False, False]),
    ("{kind: geometric, p: 0.5}", [1, 0], [True, False]),
    ("{kind: binomial, n: 4, p: 0.5}", [0, 4, 5], [True, True, False]),
    # sequence: a term among the table's rows
    ("{kind: sequence, start: 10, step: 3}", [10, 37, 40, 11, 7], [True, True, False, False, False]),
    ("{kind: sequence, start: 0, step: -2}", [0, -18, 2, -20], [True, True, False, False]),
    ("{kind: bool, p: 1}", [True, False], [True, False]),
    ("{kind: bool, p: 0.3}", [True, False], [True, True]),
    ("{kind: constant, value: EUR}", ["EUR", "USD"], [True, False]),
    ("{kind: constant, value: 2.5}", [2.5, 2.6], [True, False]),
    ("{kind: choice, values: {a: 1, b: 0, '7': 2}}", ["a", "b", "7", "c"], [True, False, True, False]),
    ("{kind: choice, values: [1, 2.5]}", [1.0, 2.5, 2.0], [True, True, False]),
    # exactly the strings the pattern makes: `*` repeats at most 8 times
    ("{kind: pattern, pattern: '(AB|C)[0-9]{2}x*'}", ["AB12", "C99xxxxxxxx", "AB1", "ab12", "C99xxxxxxxxx"],
     [True, True, False, False, False]),
    ("{kind: pattern, pattern: '[^a-z] .\\.'}", ["A !.", "a !.", "A !x"], [True, False, False]),
    ("{kind: uuid}", ["0f8fad5b-d9cb-469f-a165-70867728950e", "0f8fad5b-d9cb-369f-a165-70867728950e",
                      "0F8FAD5B-D9CB-469F-A165-70867728950E", "x"], [True, False, False, False]),
    ("{kind: histogram, edges: [0, 10, 20, 30], weights: [1, 0, 1]}", [5.0, 15.0, 25.0, 10.0, 30.0, 31.0],
     [True, False, True, True, True, False]),
    ("{kind: histogram, edges: [0, 2.5, 5], weights: [1, 1], integer: true}", [0, 4, 5, -1], [True, True, True, False]),
])
def test_values_the_kind_can_make(column: str, values: list[Any], expected: list[bool]) -> None:
    assert answer(kind_of(column), values) == expected


def test_dates_and_timestamps_are_inclusive_and_a_date_only_max_is_the_end_of_that_day() -> None:
    date = kind_of("{kind: date, min: 2024-01-01, max: 2024-01-31}")
    assert answer(date, [dt.date(2024, 1, 1), dt.date(2024, 1, 31), dt.date(2024, 2, 1)]) == [True, True, False]
    stamp = kind_of("{kind: timestamp, min: 2024-01-01, max: 2024-01-31}")
    assert answer(stamp, [dt.datetime(2024, 1, 31, 23, 59, 59), dt.datetime(2024, 2, 1),
                          dt.datetime(2023, 12, 31, 23, 59, 59)]) == [True, False, False]


def test_sequences_end_at_the_table_size() -> None:
    assert answer(kind_of("{kind: sequence}", rows=5), [1, 5, 6]) == [True, True, False]


def test_within_asks_for_a_value_that_close_as_round_needs() -> None:
    x = kind_of("{kind: uniform, low: 0.3, high: 0.35}")
    assert answer(x, [0.0, 1.0], within=0.5) == [True, False]  # a whole step wider than the law
    assert answer(kind_of("{kind: integers, low: 11, high: 15}"), [10, 20, 0], within=5) == [True, True, False]
    assert answer(kind_of("{kind: sequence, start: 3, step: 10}", rows=3), [0, 20, 30, 40], within=5) == [
        True, True, False, False]
    assert answer(kind_of("{kind: choice, values: [1.26, 3]}"), [1.3, 1.2, 3.0], within=0.05) == [True, False, True]


def test_nulls_are_possible_only_where_the_kind_makes_them() -> None:
    assert answer(kind_of("{kind: normal}"), [None]) == [False]
    assert answer(kind_of("{kind: constant, value: null}"), [None, "a"]) == [True, False]
    given = "{kind: choice, given: c, cases: {US: {a: 1}, DE: {b: 1}}}"
    extra = "      c: {kind: choice, values: [US, DE, FR]}\n"
    assert answer(kind_of(given, extra=extra), ["a", "b", "c", None]) == [True, True, False, True]
    with_default = "{kind: choice, given: c, cases: {US: {a: 1}}, default: {d: 1}}"
    assert answer(kind_of(with_default, extra=extra), ["a", "d", None]) == [True, True, False]


def test_kinds_that_cannot_tell() -> None:
    extra = "      first: {kind: faker, provider: first_name}\n      n: {kind: normal}\n"
    assert kind_of("{kind: faker, provider: first_name}").valid(pa.array(["Zorg"])) is None
    assert kind_of("{kind: template, template: '{first}!'}", extra=extra).valid(pa.array(["x"])) is None
    expr = kind_of("{kind: expr, expr: 'n * 2'}", extra=extra)
    assert expr.valid(pa.array([1.0, None])).to_pylist() == [None, True]
    maybe = kind_of("{kind: faker, provider: null_boolean}", rows=200)
    assert maybe.valid(pa.array([True, None])).to_pylist() == [None, True]
