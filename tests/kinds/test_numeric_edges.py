"""Numeric kinds at the edges of 64-bit numbers: refused before a run, or a run that stops
naming the row, or exact values; never a wrapped or infinite value."""

import math

import numpy as np
import pytest
import scipy.stats as st

import rulegen
from rulegen.errors import GenerationError, SpecError
from rulegen.kinds.numeric import DISTRIBUTIONS

MAX, MIN = 2**63 - 1, -(2**63)


def spec(columns: str, rows: int = 50, extra: str = "") -> str:
    return f"version: 1\ntables:\n  t:\n    rows: {rows}\n    columns:\n{columns}{extra}"


def problems(text: str, **options) -> list:
    with pytest.raises(SpecError) as caught:
        rulegen.compile(text, **options)
    return caught.value.diagnostics


def stopped(text: str) -> str:
    with pytest.raises(GenerationError) as caught:
        rulegen.generate(text)
    (diagnostic,) = caught.value.diagnostics
    return diagnostic


def test_a_sequence_reaching_past_int64_is_refused_for_the_rows_of_the_run():
    text = spec(f"      a: {{kind: sequence, start: {MAX - 99}}}\n", rows=10)
    assert rulegen.compile(text)  # 10 rows fit
    (problem,) = problems(text, rows={"t": 101})  # the 101st value is MAX + 1
    assert problem.code == "RG274" and problem.pointer == "/tables/t/columns/a/start"
    assert str(MAX + 1) in problem.message
    assert rulegen.generate(text, rows={"t": 100})["t"]["a"].iloc[-1] == MAX


def test_a_decreasing_sequence_is_bounded_below_too():
    (problem,) = problems(spec(f"      a: {{kind: sequence, start: {MIN + 10}, step: -3}}\n", rows=5))
    assert problem.code == "RG274" and problem.pointer == "/tables/t/columns/a/step"


@pytest.mark.parametrize(("law", "params", "yaml"), [
    ("poisson", {"lam": 1e19}, "lam: 1.0e+19"),
    ("geometric", {"p": 1e-18}, "p: 1.0e-18"),
    ("negative_binomial", {"n": 1, "p": 1e-300}, "n: 1, p: 1.0e-300"),
    ("poisson", {"lam": 1e18}, "lam: 1.0e+18"),  # draws past 2**53 are floats that skip integers
    ("binomial", {"n": 2**62, "p": 0.5}, f"n: {2**62}, p: 0.5"),
])
def test_integer_laws_whose_draws_would_pass_int64_are_refused(law, params, yaml):
    assert DISTRIBUTIONS[law].domain(**params) is not None
    (problem,) = problems(spec(f"      a: {{kind: {law}, {yaml}}}\n"))
    assert problem.code == "RG275" and problem.pointer == "/tables/t/columns/a"


@pytest.mark.parametrize(("law", "params"), [("poisson", {"lam": 1e13}), ("geometric", {"p": 1e-14}),
                                             ("negative_binomial", {"n": 1e6, "p": 1e-8}),
                                             ("binomial", {"n": 2**62, "p": 1e-6})])
def test_large_integer_laws_within_the_domain_draw_every_integer(law, params):
    assert DISTRIBUTIONS[law].domain(**params) is None
    values = DISTRIBUTIONS[law].draw(np.random.default_rng(1), 10_000, **params)
    assert values.min() >= 0 and values.max() < 2**53  # exact integers, not floats past 2**53
    assert len(np.unique(values % 64)) == 64  # every residue: no float rounding of the draws


def test_integers_over_the_whole_int64_range_are_exact_and_unique():
    frame = rulegen.generate(spec(f"      a: {{kind: integers, low: {MIN}, high: {MAX}, unique: true}}\n", rows=500))
    values = frame["t"]["a"]
    assert values.is_unique and values.min() >= MIN and values.max() <= MAX


def test_a_shift_past_int64_stops_the_run_at_the_row():
    from rulegen.kinds.numeric import Distribution

    kind = rulegen.compile(spec("      a: {kind: poisson, lam: 5, shift: 9223372036854775800}\n")).tables["t"] \
        .columns["a"].kind
    assert isinstance(kind, Distribution)

    class Rows:  # only the rows matter for the message
        rows = np.arange(1000, 1004)

    with pytest.raises(GenerationError) as caught:
        kind._shifted(np.array([1, 2, 9, 3], dtype=np.int64), Rows.rows)
    (problem,) = caught.value.diagnostics
    assert problem.code == "RG414" and problem.message.startswith("row 1002: 9 + shift")
    assert problem.pointer == "/tables/t/columns/a/shift"


def test_an_infinite_draw_stops_the_run_at_the_row():
    kind = rulegen.compile(spec("      a: {kind: normal}\n")).tables["t"].columns["a"].kind

    class Rows:
        rows = np.arange(5, 8)

    with pytest.raises(GenerationError) as caught:
        kind._shifted(np.array([0.0, math.inf, 1.0]), Rows.rows)
    assert caught.value.diagnostics[0].message.startswith("row 6: normal(")


@pytest.mark.parametrize("a", [1.05, 2.0, 3.5])
def test_zipf_cdf_in_closed_form_matches_scipy(a):
    law = DISTRIBUTIONS["zipf"].scipy(a=a)
    k = np.array([0, 1, 2, 3, 10, 100, 1000])
    assert np.allclose(law.cdf(k), st.zipf(a).cdf(k), rtol=1e-9, atol=1e-12)
    assert np.allclose(law.sf(k), st.zipf(a).sf(k), rtol=1e-6, atol=1e-12)


def test_zipf_truncated_far_in_its_tail_is_drawn_there_without_summing_its_mass():
    frame = rulegen.generate(spec("      a: {kind: zipf, a: 2.5, truncate: [1.0e+15, 1.0e+16]}\n", rows=200))["t"]
    assert frame["a"].between(10**15, 10**16).all()


def test_choice_weights_of_any_size_keep_their_proportions():
    frame = rulegen.generate(spec("      a: {kind: choice, values: {x: 1.0e+308, y: 3.0e+307}}\n", rows=4000))["t"]
    share = (frame["a"] == "x").mean()
    assert abs(share - 1 / 1.3) < 0.03


def test_histogram_weights_of_any_size_keep_their_proportions():
    text = spec("      a: {kind: histogram, edges: [0, 1, 2], weights: [1.0e+308, 1.0e+308]}\n", rows=4000)
    values = rulegen.generate(text)["t"]["a"]
    assert abs((values < 1).mean() - 0.5) < 0.03


def test_a_delay_that_leaves_the_calendar_stops_the_run_at_the_row():
    text = spec("      d: {kind: date, min: 9999-12-31, max: 9999-12-31}\n"
                "      e: {kind: date, after: d, delay: {kind: uniform, low: 0d, high: 2d}}\n", rows=100)
    problem = stopped(text)
    assert problem.code == "RG412" and problem.pointer == "/tables/t/columns/e/delay"
    row = int(problem.message.split(":")[0].removeprefix("row "))
    values = rulegen.generate(text, rows={"t": row})["t"]["e"]  # the rows before it are fine
    assert len(values) == row


def test_a_delay_within_the_calendar_is_kept():
    text = spec("      d: {kind: timestamp, min: 2020-01-01, max: 2020-12-31, precision: us}\n"
                "      e: {kind: timestamp, after: d, precision: us, delay: {kind: uniform, low: 1y, high: 7000y}}\n")
    frame = rulegen.generate(text)["t"]
    assert (frame["e"] > frame["d"]).all()


def test_rounding_a_drawn_integer_past_int64_stops_the_run_at_the_row():
    # A choice's values are not bounds validate checks: the first row holding the largest integer stops the run.
    diagnostic = stopped(spec(f"      a: {{kind: choice, values: [1, {MAX}], round: -1}}\n", rows=200))
    assert diagnostic.code == "RG415" and diagnostic.pointer == "/tables/t/columns/a/round"
    assert f"{MAX} rounds to {MAX + 3}" in diagnostic.message and diagnostic.message.startswith("row ")


@pytest.mark.parametrize(("low", "high"), [(0, MAX), (MIN, 0)])
def test_integers_rounding_past_int64_are_refused_at_validate(low, high):
    (problem,) = problems(spec(f"      a: {{kind: integers, low: {low}, high: {high}, round: -1}}\n"))
    assert problem.code == "RG282" and problem.pointer == "/tables/t/columns/a/round"


def test_integers_rounding_inside_int64_are_drawn():
    text = spec(f"      a: {{kind: integers, low: {MIN + 10**15}, high: {MAX - 10**15}, round: -15}}\n")
    values = rulegen.generate(text)["t"]["a"]
    assert (values % 10**15 == 0).all()


@pytest.mark.parametrize("column", ["{kind: normal, loc: 1.0e+20, scale: 1.0e+18, round: 0}",
                                    "{kind: histogram, edges: [1.0e+20, 2.0e+20], weights: [1], round: 0}",
                                    "{kind: lognormal, mean: 46, sigma: 1, round: 0}"])
def test_a_drawn_float_past_int64_made_whole_stops_the_run_at_the_row(column):
    # They validate (an unbounded law's tail is not a bound); the cast to integers raised ArrowInvalid.
    rulegen.compile(spec(f"      a: {column}\n"))
    diagnostic = stopped(spec(f"      a: {column}\n"))
    assert diagnostic.code == "RG415" and diagnostic.pointer == "/tables/t/columns/a/round"
    assert diagnostic.message.startswith("row 0: ") and "past the 64-bit integers" in diagnostic.message
