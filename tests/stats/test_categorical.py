"""Categorical draws follow their weights; `null`, `round` and `clip` do what they declare."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

from tests.stats._stats import ALPHA, categorical_p, chi2_p, column, ks_p, table

COUNTRIES = {"US": 40, "DE": 10, "FR": 8, "GB": 12, "IN": 30}


# --- choice ----------------------------------------------------------------------------------------
def test_choice_mapping_weights():
    values = column({"kind": "choice", "values": COUNTRIES}, 40_000, 51)
    assert set(values.unique()) == set(COUNTRIES)
    assert categorical_p(values, COUNTRIES) >= ALPHA
    # power: equal weights, and slightly moved weights, are rejected
    assert categorical_p(values, dict.fromkeys(COUNTRIES, 1)) < ALPHA
    assert categorical_p(values, {**COUNTRIES, "US": 42, "IN": 28}) < ALPHA


def test_choice_list_is_equally_likely():
    letters = ["a", "b", "c", "d", "e"]
    values = column({"kind": "choice", "values": letters}, 30_000, 52)
    assert set(values.unique()) == set(letters)
    assert categorical_p(values, dict.fromkeys(letters, 1)) >= ALPHA
    assert categorical_p(values, {**dict.fromkeys(letters, 1), "a": 1.1}) < ALPHA


def test_choice_zero_weight_never_drawn():
    weights = {"a": 0, "b": 3, "c": 0, "d": 1, "e": 0}
    values = column({"kind": "choice", "values": weights}, 20_000, 53)
    assert set(values.unique()) == {"b", "d"}
    assert categorical_p(values, weights) >= ALPHA


def test_choice_numeric_values_and_fractional_weights():
    weights = {1: 0.5, 2: 0.25, 10: 0.25}
    values = column({"kind": "choice", "values": weights}, 20_000, 54)
    assert pd.api.types.is_integer_dtype(values)
    assert categorical_p(values, weights) >= ALPHA


def test_choice_given_cases_and_default():
    cases = {"US": {"gold": 1, "silver": 3, "bronze": 6}, "DE": {"gold": 5, "silver": 5}}
    default = {"silver": 1, "bronze": 4}
    frame = table({
        "country": {"kind": "choice", "values": COUNTRIES},
        "tier": {"kind": "choice", "given": "country", "cases": cases, "default": default},
    }, 60_000, 55)
    for country in COUNTRIES:
        group = frame.loc[frame["country"] == country, "tier"]
        weights = cases.get(country, default)
        assert len(group) > 2_000
        p = categorical_p(group, weights)
        assert p >= ALPHA, f"tier | country={country}: p={p:.3g}"
    # power: the US group does not follow the default table, nor the marginal of all rows
    us = frame.loc[frame["country"] == "US", "tier"]
    assert categorical_p(us, {"gold": 1, "silver": 2, "bronze": 7}) < ALPHA
    assert categorical_p(frame.loc[frame["country"] == "GB", "tier"], {"silver": 1, "bronze": 3}) < ALPHA


def test_choice_given_without_default_is_null_outside_cases():
    frame = table({
        "country": {"kind": "choice", "values": COUNTRIES},
        "tier": {"kind": "choice", "given": "country", "cases": {"US": {"gold": 1, "silver": 1}}},
    }, 20_000, 56)
    us = frame["country"] == "US"
    assert frame.loc[~us, "tier"].isna().all()
    assert frame.loc[us, "tier"].notna().all()
    assert categorical_p(frame.loc[us, "tier"], {"gold": 1, "silver": 1}) >= ALPHA


def test_choice_given_integer_column():
    cases = {1: {"x": 1, "y": 9}, 2: {"x": 1, "y": 1}, 3: {"x": 9, "y": 1}}
    frame = table({
        "g": {"kind": "integers", "low": 1, "high": 3},
        "c": {"kind": "choice", "given": "g", "cases": cases},
    }, 30_000, 57)
    for key, weights in cases.items():
        assert categorical_p(frame.loc[frame["g"] == key, "c"], weights) >= ALPHA


def test_choice_given_bool_column():
    cases = {True: {"x": 1, "y": 4}, False: {"x": 4, "y": 1}}
    frame = table({
        "flag": {"kind": "bool", "p": 0.3},
        "c": {"kind": "choice", "given": "flag", "cases": cases},
    }, 30_000, 58)
    for key, weights in cases.items():
        assert categorical_p(frame.loc[frame["flag"] == key, "c"], weights) >= ALPHA


def test_choice_given_a_column_with_nulls_uses_default():
    frame = table({
        "country": {"kind": "choice", "values": ["US", "DE"], "null": 0.3},
        "tier": {"kind": "choice", "given": "country", "cases": {"US": {"gold": 1}},
                 "default": {"bronze": 1}},
    }, 10_000, 59)
    assert (frame.loc[frame["country"] == "US", "tier"] == "gold").all()
    assert (frame.loc[frame["country"].isna(), "tier"] == "bronze").all()
    assert (frame.loc[frame["country"] == "DE", "tier"] == "bronze").all()


# --- bool --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("p", "seed"), [(0.8, 61), (0.05, 62), (0.5, 63)])
def test_bool_probability(p, seed):
    n = 30_000
    values = column({"kind": "bool", "p": p}, n, seed)
    assert pd.api.types.is_bool_dtype(values)
    hits = int(values.sum())
    assert st.binomtest(hits, n, p).pvalue >= ALPHA
    # power: a probability off by 2 points is rejected
    assert st.binomtest(hits, n, p + 0.02 if p < 0.5 else p - 0.02).pvalue < ALPHA


def test_bool_extremes():
    assert column({"kind": "bool", "p": 0.0}, 5_000, 64).eq(False).all()
    assert column({"kind": "bool", "p": 1.0}, 5_000, 65).eq(True).all()


def test_bool_default_p_is_one_half():
    values = column({"kind": "bool"}, 20_000, 66)
    assert st.binomtest(int(values.sum()), len(values), 0.5).pvalue >= ALPHA


# --- null ----------------------------------------------------------------------------------------------
NULL_CASES = [
    ("normal", {"kind": "normal", "loc": 5.0, "scale": 2.0}, 0.3),
    ("poisson", {"kind": "poisson", "lam": 3.0}, 0.1),
    ("choice", {"kind": "choice", "values": COUNTRIES}, 0.25),
    ("bool", {"kind": "bool", "p": 0.5}, 0.05),
    ("sequence", {"kind": "sequence"}, 0.5),
    ("constant", {"kind": "constant", "value": "EUR"}, 0.2),
]


@pytest.mark.parametrize(("spec", "rate"), [c[1:] for c in NULL_CASES], ids=[c[0] for c in NULL_CASES])
def test_null_rate(spec, rate):
    n = 30_000
    values = column({**spec, "null": rate}, n, 71)
    nulls = int(values.isna().sum())
    assert st.binomtest(nulls, n, rate).pvalue >= ALPHA, f"{nulls / n:.4f} nulls, declared {rate}"
    assert st.binomtest(nulls, n, rate + 0.02).pvalue < ALPHA  # power


def test_null_keeps_the_law_of_the_other_values():
    values = column({"kind": "normal", "loc": 5.0, "scale": 2.0, "null": 0.4}, 30_000, 72)
    present = values.dropna()
    assert ks_p(present, st.norm(5.0, 2.0)) >= ALPHA


def test_null_extremes():
    assert column({"kind": "normal", "null": 1.0}, 2_000, 73).isna().all()
    assert column({"kind": "normal", "null": 0.0}, 2_000, 74).notna().all()


def test_null_independent_of_value():
    """Nulls fall on random rows: the value draw is not shifted or thinned by them."""
    frame = table({
        "a": {"kind": "integers", "low": 1, "high": 4, "null": 0.5},
        "b": {"kind": "integers", "low": 1, "high": 4},
    }, 20_000, 75)
    # Nulls in `a` are independent of `b`.
    crosstab = pd.crosstab(frame["a"].isna(), frame["b"])
    assert st.chi2_contingency(crosstab).pvalue >= ALPHA


# --- round and clip ----------------------------------------------------------------------------------
def test_clip_clamps_and_round_sets_decimals():
    law = st.lognorm(s=1.0, scale=math.exp(3.0))
    n = 30_000
    values = column({"kind": "lognormal", "mean": 3.0, "sigma": 1.0, "round": 2, "clip": [5, 100]}, n, 81)
    arr = values.to_numpy(dtype=float)
    assert arr.min() == 5.0 and arr.max() == 100.0
    np.testing.assert_allclose(arr, np.round(arr, 2), rtol=0, atol=1e-9)
    assert np.any(np.abs(arr * 10 - np.round(arr * 10)) > 1e-6), "two decimals expected, not one"
    # clamping (not redrawing): the bounds carry the mass outside them
    assert st.binomtest(int((arr == 5.0).sum()), n, float(law.cdf(5.0))).pvalue >= ALPHA
    assert st.binomtest(int((arr == 100.0).sum()), n, float(law.sf(100.0))).pvalue >= ALPHA
    inside = arr[(arr > 5.0) & (arr < 100.0)]
    # law inside the bounds, up to rounding to cents
    cdf = lambda x: (law.cdf(x) - law.cdf(5.0)) / (law.cdf(100.0) - law.cdf(5.0))  # noqa: E731
    assert st.kstest(inside, cdf).statistic < 0.01


def test_round_zero_gives_integers():
    values = column({"kind": "normal", "loc": 50.0, "scale": 10.0, "round": 0}, 10_000, 82)
    assert pd.api.types.is_integer_dtype(values)
    # rounding, not truncation towards zero: mean stays at 50
    assert abs(values.mean() - 50.0) < 0.5


def test_round_one_decimal():
    values = column({"kind": "uniform", "low": 0.0, "high": 1.0, "round": 1}, 10_000, 83).to_numpy()
    assert set(np.round(values, 1)) == set(values)
    assert set(np.round(values * 10).astype(int)) == set(range(11))


def test_round_negative_gives_tens():
    values = column({"kind": "uniform", "low": 0.0, "high": 1000.0, "round": -1}, 10_000, 84)
    assert pd.api.types.is_integer_dtype(values)
    assert (values % 10 == 0).all()


def test_clip_on_integers():
    n = 30_000
    values = column({"kind": "poisson", "lam": 5.0, "clip": [3, 8]}, n, 85).to_numpy()
    assert np.issubdtype(values.dtype, np.integer)
    assert values.min() == 3 and values.max() == 8
    law = st.poisson(5.0)

    def clamped_cdf(k):
        k = np.asarray(k)
        return np.where(k < 3, 0.0, np.where(k >= 8, 1.0, law.cdf(k)))

    assert chi2_p(values, clamped_cdf, lo=3) >= ALPHA


def test_clip_one_sided():
    values = column({"kind": "normal", "clip": [0, None]}, 10_000, 86)
    assert values.min() == 0.0
    assert st.binomtest(int((values == 0).sum()), len(values), 0.5).pvalue >= ALPHA
