"""Parameters given as expressions: the column reads its inputs in any declared order, a null
parameter makes a null, a parameter outside the law's domain stops the run naming its row, and
`check` accepts the values it cannot judge."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

import rulegen
from rulegen.errors import GenerationError


def spec(columns: str, rows: int = 50) -> str:
    return f"version: 1\ntables:\n  t:\n    rows: {rows}\n    columns:\n{columns}"


def stopped(text: str):
    with pytest.raises(GenerationError) as caught:
        rulegen.generate(text)
    (diagnostic,) = caught.value.diagnostics
    return diagnostic


def test_a_parameter_reads_a_column_declared_after_it():
    frame = rulegen.generate(spec('      x: {kind: uniform, low: "lo", high: "lo + 1"}\n'
                                  "      lo: {kind: integers, low: 0, high: 100}\n"), seed=4)["t"]
    assert ((frame["x"] >= frame["lo"]) & (frame["x"] < frame["lo"] + 1)).all()


def test_integer_parameters_draw_integers_per_row():
    frame = rulegen.generate(spec('      id: {kind: sequence}\n      k: {kind: integers, low: "id", high: "id"}\n'))
    assert (frame["t"]["k"] == frame["t"]["id"]).all()


def test_a_null_parameter_makes_a_null_value():
    frame = rulegen.generate(spec("      base: {kind: uniform, null: 0.5}\n"
                                  '      x: {kind: normal, loc: "base * 1e300", scale: "base + 1"}\n'))["t"]
    assert 0 < frame["base"].isna().sum() < len(frame)
    assert (frame["x"].isna() == frame["base"].isna()).all()


@pytest.mark.parametrize(("column", "row", "words"), [
    ('x: {kind: normal, scale: "11 - id"}', 10, "normal's `scale` is 0.0 here, and it must be a number > 0"),
    ('x: {kind: binomial, n: 5, p: "id / 20"}', 20, "binomial's `p` is 1.05 here"),
    ('x: {kind: uniform, low: "id", high: 12}', 11, "low must be < high, got low=12.0, high=12"),
    ('x: {kind: poisson, lam: "1e16 * id"}', 0, "poisson(lam=1e+16) has a mean of 1e+16"),
])
def test_a_parameter_outside_the_domain_stops_the_run_at_its_row(column: str, row: int, words: str):
    problem = stopped(spec(f"      id: {{kind: sequence, start: 1}}\n      {column}\n", rows=1000))
    assert problem.code == "RG331"
    assert problem.message.startswith(f"row {row}: ") and words in problem.message, problem.message
    assert problem.pointer.startswith("/tables/t/columns/x/")


def test_check_accepts_values_of_a_law_given_per_row(tmp_path):
    text = spec("      base: {kind: uniform, low: 0, high: 10}\n"
                '      x: {kind: gamma, shape: "base + 1", scale: 2}\n')
    rulegen.write(text, tmp_path, "parquet")
    assert rulegen.check(text, tmp_path).ok


def test_a_delay_takes_duration_expressions_per_row():
    frame = rulegen.generate(spec(
        "      k: {kind: integers, low: 0, high: 30}\n"
        "      start: {kind: date, min: 2024-01-01, max: 2024-12-31}\n"
        '      end: {kind: date, after: start, delay: {kind: uniform, low: "days(k)", high: "days(k) + hours(12)"}}\n'
        '      at: {kind: timestamp, after: start, delay: {kind: normal, loc: "hours(k) * 24", scale: 1h}}\n',
        rows=500), seed=9)["t"]
    start = pd.to_datetime(frame["start"])
    waited = (pd.to_datetime(frame["end"]) - start).dt.days
    assert (waited == frame["k"]).all()
    hours = (pd.to_datetime(frame["at"]) - start).dt.total_seconds() / 3600 - frame["k"] * 24
    assert abs(hours.mean()) < 0.2 and 0.8 < hours.std() < 1.2


def test_a_null_delay_parameter_makes_a_null_value():
    frame = rulegen.generate(spec(
        "      k: {kind: integers, low: 1, high: 30, null: 0.5}\n"
        "      start: {kind: date, min: 2024-01-01, max: 2024-12-31}\n"
        '      end: {kind: timestamp, after: start, delay: {kind: exponential, scale: "days(k)"}}\n'), seed=2)["t"]
    assert 0 < frame["k"].isna().sum() < len(frame)
    assert (frame["end"].isna() == frame["k"].isna()).all()


def test_a_delay_parameter_outside_its_domain_names_the_row_in_seconds():
    problem = stopped(spec("      id: {kind: sequence}\n"
                           "      start: {kind: date, min: 2024-01-01, max: 2024-12-31}\n"
                           "      end: {kind: date, after: start,\n"
                           '            delay: {kind: exponential, scale: "days(20 - id)"}}\n'))
    assert problem.code == "RG331" and problem.pointer == "/tables/t/columns/end/delay/scale"
    assert problem.message.startswith("row 19: exponential's `scale` is 0.0 seconds here")


def test_a_plan_with_parameter_expressions_pickles_into_worker_processes():
    text = spec("      k: {kind: integers, low: 1, high: 30}\n"
                '      x: {kind: gamma, shape: "k", scale: 2}\n'
                "      start: {kind: date, min: 2024-01-01, max: 2024-12-31}\n"
                '      end: {kind: date, after: start, delay: {kind: exponential, scale: "days(k)"}}\n')
    plan = rulegen.compile(text, seed=5)
    again = pickle.loads(pickle.dumps(plan))
    first = list(rulegen.iter_blocks(plan, "t", arrow=True))
    assert [b.equals(a) for b, a in zip(rulegen.iter_blocks(again, "t", arrow=True), first, strict=True)] == [True]


def test_an_integer_delay_law_takes_whole_seconds_of_duration_expressions():
    frame = rulegen.generate(spec(
        "      k: {kind: integers, low: 1, high: 5}\n"
        "      start: {kind: timestamp, min: 2024-01-01, max: 2024-12-31}\n"
        '      end: {kind: timestamp, after: start, delay: {kind: integers, low: "days(k)", high: "days(k)"}}\n'))["t"]
    assert ((frame["end"] - frame["start"]).dt.days == frame["k"]).all()
