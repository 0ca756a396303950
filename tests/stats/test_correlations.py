"""`correlations` reach the declared Spearman rho, and every column keeps its own marginal law."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import scipy.stats as st

from tests.stats._stats import ALPHA, chi2_p, ks_p, table, truncated_cdf

N = 100_000
TOLERANCE = 0.03

PAIRS = {
    # id: (column a, law a, column b, law b, rho, seed)
    "normal-normal": (
        {"kind": "normal", "loc": 10.0, "scale": 2.0}, st.norm(10.0, 2.0),
        {"kind": "normal", "loc": -5.0, "scale": 0.5}, st.norm(-5.0, 0.5), 0.7, 91),
    "lognormal-gamma": (
        {"kind": "lognormal", "mean": 3.0, "sigma": 1.0}, st.lognorm(s=1.0, scale=math.exp(3.0)),
        {"kind": "gamma", "shape": 2.0, "scale": 40.0}, st.gamma(a=2.0, scale=40.0), 0.5, 92),
    "negative-weibull-beta": (
        {"kind": "weibull", "a": 1.5}, st.weibull_min(c=1.5),
        {"kind": "beta", "a": 2.0, "b": 5.0}, st.beta(2.0, 5.0), -0.6, 93),
    "strong-uniform-exponential": (
        {"kind": "uniform", "low": 0.0, "high": 100.0}, st.uniform(0.0, 100.0),
        {"kind": "exponential", "scale": 3.0}, st.expon(scale=3.0), 0.95, 94),
}


@functools.cache
def pair(name: str):
    spec_a, _, spec_b, _, rho, seed = PAIRS[name]
    return table({"a": spec_a, "b": spec_b}, N, seed, correlations=[{"columns": ["a", "b"], "rho": rho}])


@pytest.mark.parametrize("name", list(PAIRS))
def test_pair_reaches_declared_spearman_rho(name):
    rho = PAIRS[name][4]
    frame = pair(name)
    measured = st.spearmanr(frame["a"], frame["b"]).statistic
    assert abs(measured - rho) <= TOLERANCE, f"declared rho={rho}, measured {measured:.4f}"


@pytest.mark.parametrize("name", list(PAIRS))
def test_pair_keeps_marginals(name):
    _, law_a, _, law_b, _, _ = PAIRS[name]
    frame = pair(name)
    assert ks_p(frame["a"], law_a) >= ALPHA
    assert ks_p(frame["b"], law_b) >= ALPHA
    # power: swapping the marginals is rejected
    assert ks_p(frame["a"], law_b) < ALPHA


def test_rho_is_spearman_not_pearson():
    """rho is a rank correlation: the normals' Pearson correlation is 2 sin(pi rho / 6).

    At 100k rows the standard error of Spearman's rho is ~0.002, so 0.008 tells the two apart
    (taking rho as the normals' Pearson correlation gives Spearman 6/pi asin(rho/2) = 0.483 for 0.5).
    """
    frame = table({"a": {"kind": "normal"}, "b": {"kind": "normal"}}, N, 90,
                  correlations=[{"columns": ["a", "b"], "rho": 0.5}])
    assert abs(st.spearmanr(frame["a"], frame["b"]).statistic - 0.5) <= 0.008
    assert abs(st.pearsonr(frame["a"], frame["b"]).statistic - 2 * math.sin(math.pi * 0.5 / 6)) <= 0.008


def test_uncorrelated_columns_have_no_rank_correlation():
    frame = table({"a": {"kind": "normal"}, "b": {"kind": "gamma", "shape": 2.0}}, N, 95)
    assert abs(st.spearmanr(frame["a"], frame["b"]).statistic) <= 0.01


def test_three_columns_with_three_pairwise_rhos():
    rhos = {("a", "b"): 0.6, ("a", "c"): -0.3, ("b", "c"): 0.2}
    laws = {"a": st.norm(0.0, 1.0), "b": st.gamma(a=3.0, scale=2.0), "c": st.uniform(-1.0, 2.0)}
    frame = table(
        {"a": {"kind": "normal"}, "b": {"kind": "gamma", "shape": 3.0, "scale": 2.0},
         "c": {"kind": "uniform", "low": -1.0, "high": 1.0}},
        N, 96, correlations=[{"columns": list(k), "rho": v} for k, v in rhos.items()])
    for (x, y), rho in rhos.items():
        measured = st.spearmanr(frame[x], frame[y]).statistic
        assert abs(measured - rho) <= TOLERANCE, f"{x}-{y}: declared {rho}, measured {measured:.4f}"
    for name, law in laws.items():
        assert ks_p(frame[name], law) >= ALPHA, name


def test_correlated_column_with_other_uncorrelated_column():
    """A column outside the correlation stays independent of the correlated ones."""
    frame = table({"a": {"kind": "normal"}, "b": {"kind": "normal"}, "c": {"kind": "normal"}},
                  N, 97, correlations=[{"columns": ["a", "b"], "rho": 0.8}])
    assert abs(st.spearmanr(frame["a"], frame["b"]).statistic - 0.8) <= TOLERANCE
    assert abs(st.spearmanr(frame["a"], frame["c"]).statistic) <= 0.01
    assert ks_p(frame["c"], st.norm()) >= ALPHA


def test_correlated_columns_keep_truncate_and_shift():
    frame = table(
        {"a": {"kind": "normal", "loc": 0.0, "scale": 1.0, "truncate": [-1.0, 2.0]},
         "b": {"kind": "exponential", "scale": 2.0, "shift": 10.0}},
        N, 98, correlations=[{"columns": ["a", "b"], "rho": 0.5}])
    assert frame["a"].min() >= -1.0 and frame["a"].max() <= 2.0
    assert ks_p(frame["a"], truncated_cdf(st.norm(), -1.0, 2.0)) >= ALPHA
    assert ks_p(frame["b"], st.expon(loc=10.0, scale=2.0)) >= ALPHA
    assert abs(st.spearmanr(frame["a"], frame["b"]).statistic - 0.5) <= TOLERANCE


DISCRETE = {
    "poisson": ({"kind": "poisson", "lam": 6.0}, st.poisson(6.0), 0),
    "binomial": ({"kind": "binomial", "n": 12, "p": 0.4}, st.binom(12, 0.4), 0),
    "geometric": ({"kind": "geometric", "p": 0.3}, st.geom(0.3), 1),
    "negative_binomial": ({"kind": "negative_binomial", "n": 4, "p": 0.5}, st.nbinom(4, 0.5), 0),
    "integers": ({"kind": "integers", "low": 1, "high": 20}, st.randint(1, 21), 1),
    "zipf": ({"kind": "zipf", "a": 2.0}, st.zipf(2.0), 1),
}

@pytest.mark.parametrize("name", list(DISCRETE))
def test_discrete_column_in_a_copula_keeps_its_marginal(name):
    spec, law, lo = DISCRETE[name]
    frame = table({"a": {"kind": "normal"}, "b": spec}, 50_000, 99,
                  correlations=[{"columns": ["a", "b"], "rho": 0.6}])
    values = frame["b"].to_numpy()
    assert np.issubdtype(values.dtype, np.integer)
    assert chi2_p(values, law, lo=lo) >= ALPHA
    # ties lower the rank correlation of a discrete column, but it stays clearly positive
    assert st.spearmanr(frame["a"], frame["b"]).statistic > 0.4
