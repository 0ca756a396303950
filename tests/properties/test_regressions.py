"""Minimal reproductions of the bugs the property suites found.

Fixed bugs stay here as plain regression tests. Open ones are strict xfails: when one is fixed,
its test passes, strict xfail turns that into a failure, and the marker comes off (and, if the
general strategies leave the combination out, search ``KNOWN BUG`` in strategies.py, so does
the exclusion).
"""

from __future__ import annotations

import pandas as pd
import pytest

import rulegen
from rulegen.errors import SpecError


def one_table(columns: str, rows: int, constraints: str = "") -> str:
    return (f"version: 1\ntables:\n  t:\n    rows: {rows}\n    primary_key: id\n    columns:\n"
            f"      id: {{kind: sequence}}\n{columns}{constraints}")


def frame(yaml: str, seed: int = 0) -> pd.DataFrame:
    return rulegen.generate(rulegen.load(yaml), seed=seed)["t"]


# --- open ---------------------------------------------------------------------------------------

def test_clip_and_round_give_the_decimal_bounds_themselves() -> None:
    yaml = one_table("      x: {kind: uniform, low: 0, high: 1, clip: [0.3, 0.7], round: 1}\n", rows=200)
    x = frame(yaml, seed=1)["x"]
    assert x.between(0.3, 0.7).all(), f"values {sorted(set(x[~x.between(0.3, 0.7)]))} outside clip [0.3, 0.7]"
    assert set(x) <= {0.3, 0.4, 0.5, 0.6, 0.7}, f"not 1-decimal numbers: {sorted(set(x))}"


def test_unique_integers_with_negative_round_stay_unique() -> None:
    yaml = one_table("      x: {kind: integers, low: 0, high: 1000, round: -1, unique: true}\n", rows=50)
    x = frame(yaml, seed=1)["x"]
    assert (x % 10 == 0).all()
    assert x.is_unique, f"{x.duplicated().sum()} repeated values in a unique column"  # 101 multiples of 10 fit 50 rows


# --- fixed (found by the first runs of these suites) --------------------------------------------

def test_unique_integers_keep_their_truncate_bounds() -> None:
    yaml = one_table("      x: {kind: integers, low: 0, high: 1000, truncate: [10, 500], unique: true}\n", rows=200)
    x = frame(yaml, seed=1)["x"]
    assert x.is_unique
    assert x.between(10, 500).all(), f"{(~x.between(10, 500)).sum()} of 200 values outside truncate [10, 500]"


def test_unique_choice_of_mixed_values() -> None:
    """Was: ArrowTypeError from deep inside the engine."""
    yaml = one_table('      x: {kind: choice, values: ["a", 1], unique: true}\n', rows=2)
    assert sorted(frame(yaml)["x"]) == ["1", "a"]  # mixed values are strings, as without unique


def test_unique_choice_never_draws_a_zero_weight_value() -> None:
    yaml = one_table('      x: {kind: choice, values: {"a": 1, "b": 1, "never": 0}, unique: true}\n', rows=2)
    seen = {v for seed in range(20) for v in frame(yaml, seed)["x"]}
    assert "never" not in seen, "a value of weight 0 was drawn"


def test_constraint_over_a_unique_column_is_met() -> None:
    """Was: RG401 "cannot be met" with 99 % of rows passing (permuted values were never redrawn)."""
    yaml = one_table("      x: {kind: integers, low: 1, high: 10000, unique: true}\n", rows=100,
                     constraints='    constraints:\n      - "x >= 100"\n')
    x = frame(yaml, seed=1)["x"]
    assert x.is_unique and (x >= 100).all()


def test_round_keeps_values_inside_clip() -> None:
    """Was: round applied after clip, so clip [0.25, 1.75] with round: 0 gave 0 and 2."""
    yaml = one_table("      x: {kind: uniform, low: 0, high: 3, clip: [0.25, 1.75], round: 0}\n", rows=200)
    x = frame(yaml, seed=1)["x"]
    assert set(x) == {1}


def test_clip_that_holds_no_rounded_value_is_a_spec_error() -> None:
    yaml = one_table("      x: {kind: uniform, low: 0, high: 1, clip: [0.25, 0.75], round: 0}\n", rows=10)
    with pytest.raises(SpecError, match="holds no value"):
        frame(yaml)


def test_negative_round_on_integers_rounds_to_tens() -> None:
    yaml = one_table("      x: {kind: integers, low: 0, high: 1000, round: -1}\n", rows=200)
    x = frame(yaml, seed=1)["x"]
    assert (x % 10 == 0).all(), f"round: -1 left {x[x % 10 != 0].head(3).tolist()}"



def test_clip_at_the_edges_of_the_64_bit_integers_is_exact() -> None:
    """Was: the bounds went through floats, and 2**63 - 1 came back as 2**63: an internal error."""
    edge = 2**63 - 1
    yaml = one_table(f"      x: {{kind: integers, low: 0, high: {edge}, clip: [{edge - 807}, {edge}]}}\n"
                     f"      y: {{kind: integers, low: -5, high: 5, clip: [{-(2**63)}, 3]}}\n", rows=50)
    values = frame(yaml, seed=1)
    assert (values["x"] >= edge - 807).all() and values["y"].between(-5, 3).all()


def test_clip_past_the_64_bit_integers_is_a_spec_error() -> None:
    yaml = one_table("      x: {kind: integers, low: 0, high: 9, clip: [1.0e19, 2.0e19]}\n", rows=10)
    with pytest.raises(SpecError, match="holds no 64-bit integer"):
        frame(yaml)


@pytest.mark.parametrize("column", [
    "      x: {kind: negative_binomial, n: 1.7689653513065993e+308, p: 5.0e-324}\n",
    "      x: {kind: gamma, shape: 3.0e-66, scale: 5.0e-324, truncate: [null, -3.6e+16]}\n",
])
def test_extreme_parameters_are_refused_without_a_numpy_warning(column: str) -> None:
    """Found by the fuzzer: an overflow inside the domain check or SciPy's CDF was a RuntimeWarning."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(SpecError):
            frame(one_table(column, rows=10))
