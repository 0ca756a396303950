"""Every numeric distribution follows the law its NumPy name and parameters declare.

The expected laws are mapped from NumPy's parametrisation to scipy.stats here, by hand (not
through rulegen's own mapping), so a wrong mapping in rulegen fails these tests:

- ``uniform(low, high)``            -> uniform(loc=low, scale=high-low)
- ``normal(loc, scale)``            -> norm(loc, scale)
- ``lognormal(mean, sigma)``        -> lognorm(s=sigma, scale=exp(mean))
- ``exponential(scale)``            -> expon(scale=scale)            (scale is the mean, not a rate)
- ``gamma(shape, scale)``           -> gamma(a=shape, scale=scale)
- ``beta(a, b)``                    -> beta(a, b)
- ``poisson(lam)``                  -> poisson(mu=lam)
- ``binomial(n, p)``                -> binom(n, p)
- ``geometric(p)``                  -> geom(p)                       (trials, support starts at 1)
- ``negative_binomial(n, p)``       -> nbinom(n, p)                  (failures before n successes)
- ``zipf(a)``                       -> zipf(a)
- ``pareto(a)``                     -> lomax(c=a)                    (Pareto II, support from 0)
- ``weibull(a)``                    -> weibull_min(c=a)
- ``triangular(left, mode, right)`` -> triang(c=(mode-left)/(right-left), loc=left, scale=right-left)
- ``laplace(loc, scale)``           -> laplace(loc, scale)
- ``logistic(loc, scale)``          -> logistic(loc, scale)
- ``integers(low, high)``           -> randint(low, high + 1)        (high inclusive)

Each family is tested twice on the same sample: against its declared law (must pass, p >= 1e-3)
and against clearly wrong laws, a perturbed parameter and the usual mapping mistakes (must be
rejected, p < 1e-3), which shows the test has the power to fail.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import scipy.stats as st

from tests.stats._stats import ALPHA, chi2_p, column, ks_p, truncated_cdf

N = 40_000


@dataclass(frozen=True)
class Case:
    spec: dict[str, Any]
    law: Any  # frozen scipy distribution with the declared law
    wrong: tuple[Any, ...]  # clearly wrong laws that the same sample must reject
    lo: int | None = None  # discrete: first value of the support

    @property
    def discrete(self) -> bool:
        return self.lo is not None


CASES: dict[str, Case] = {
    "uniform": Case(
        {"kind": "uniform", "low": -3.0, "high": 7.5},
        st.uniform(loc=-3.0, scale=10.5),
        (st.uniform(loc=-3.0, scale=11.0), st.uniform(loc=-3.0, scale=7.5))),
    "normal": Case(
        {"kind": "normal", "loc": 10.0, "scale": 3.0},
        st.norm(loc=10.0, scale=3.0),
        (st.norm(loc=10.0, scale=3.3), st.norm(loc=10.1, scale=3.0), st.norm(loc=10.0, scale=9.0))),
    "lognormal": Case(
        {"kind": "lognormal", "mean": 1.5, "sigma": 0.6},
        st.lognorm(s=0.6, scale=math.exp(1.5)),
        (st.lognorm(s=0.66, scale=math.exp(1.5)), st.lognorm(s=0.6, scale=1.5))),
    "exponential": Case(
        {"kind": "exponential", "scale": 2.5},
        st.expon(scale=2.5),
        (st.expon(scale=2.7), st.expon(scale=1 / 2.5))),
    "gamma": Case(
        {"kind": "gamma", "shape": 2.5, "scale": 40.0},
        st.gamma(a=2.5, scale=40.0),
        (st.gamma(a=2.7, scale=40.0), st.gamma(a=2.5, scale=44.0), st.gamma(a=2.5, scale=1 / 40.0))),
    "beta": Case(
        {"kind": "beta", "a": 2.0, "b": 5.0},
        st.beta(2.0, 5.0),
        (st.beta(2.2, 5.0), st.beta(5.0, 2.0))),
    "poisson": Case(
        {"kind": "poisson", "lam": 7.5},
        st.poisson(mu=7.5),
        (st.poisson(mu=7.8), st.poisson(mu=1.0)), lo=0),
    "binomial": Case(
        {"kind": "binomial", "n": 20, "p": 0.3},
        st.binom(20, 0.3),
        (st.binom(20, 0.32), st.binom(21, 0.3)), lo=0),
    "geometric": Case(
        {"kind": "geometric", "p": 0.2},
        st.geom(0.2),
        (st.geom(0.21), st.geom(0.2, loc=-1)), lo=1),
    "negative_binomial": Case(
        {"kind": "negative_binomial", "n": 3, "p": 0.4},
        st.nbinom(3, 0.4),
        (st.nbinom(3, 0.42), st.nbinom(3, 0.4, loc=3), st.nbinom(3, 0.6)), lo=0),
    "zipf": Case(
        {"kind": "zipf", "a": 2.2},
        st.zipf(2.2),
        (st.zipf(2.3), st.zipf(2.2, loc=-1)), lo=1),
    "pareto": Case(
        {"kind": "pareto", "a": 3.0},
        st.lomax(c=3.0),
        (st.lomax(c=3.3), st.pareto(b=3.0))),
    "weibull": Case(
        {"kind": "weibull", "a": 1.5},
        st.weibull_min(c=1.5),
        (st.weibull_min(c=1.65), st.weibull_min(c=1.5, scale=1.1), st.weibull_max(c=1.5))),
    "triangular": Case(
        {"kind": "triangular", "left": -2.0, "mode": 1.0, "right": 8.0},
        st.triang(c=0.3, loc=-2.0, scale=10.0),
        (st.triang(c=0.35, loc=-2.0, scale=10.0), st.triang(c=1.0, loc=-2.0, scale=10.0))),
    "laplace": Case(
        {"kind": "laplace", "loc": 5.0, "scale": 2.0},
        st.laplace(loc=5.0, scale=2.0),
        (st.laplace(loc=5.0, scale=2.2), st.laplace(loc=5.1, scale=2.0),
         st.norm(loc=5.0, scale=2.0 * 2**0.5))),
    "logistic": Case(
        {"kind": "logistic", "loc": -3.0, "scale": 1.5},
        st.logistic(loc=-3.0, scale=1.5),
        (st.logistic(loc=-3.0, scale=1.65), st.logistic(loc=-2.9, scale=1.5))),
    "integers": Case(
        {"kind": "integers", "low": -3, "high": 12},
        st.randint(-3, 13),
        (st.randint(-3, 12), st.randint(-2, 13)), lo=-3),
}


# Distinct seeds, so that families drawn by inverse transform do not share their uniforms.
SEEDS = {name: 101 + i for i, name in enumerate(CASES)}


@functools.cache
def sample(name: str) -> np.ndarray:
    case = CASES[name]
    values = column(case.spec, N, SEEDS[name])
    assert values.notna().all()
    return values.to_numpy()


def p_value(case: Case, values: np.ndarray, law: Any) -> float:
    if case.discrete:
        lo = int(law.support()[0]) if np.isfinite(law.support()[0]) else case.lo
        return chi2_p(values, law, lo=min(lo, case.lo))
    return ks_p(values, law)


def test_every_numpy_family_is_covered():
    families = {"uniform", "normal", "lognormal", "exponential", "gamma", "beta", "poisson", "binomial",
                "geometric", "negative_binomial", "zipf", "pareto", "weibull", "triangular", "laplace",
                "logistic", "integers"}
    assert families == set(CASES)


@pytest.mark.parametrize("name", list(CASES))
def test_family_follows_declared_law(name):
    case = CASES[name]
    values = sample(name)
    if case.discrete:
        assert np.issubdtype(values.dtype, np.integer), f"{name} should give integers, got {values.dtype}"
    else:
        assert np.issubdtype(values.dtype, np.floating), f"{name} should give floats, got {values.dtype}"
    p = p_value(case, values, case.law)
    assert p >= ALPHA, f"{name}: sample rejected against its declared law (p={p:.3g})"


@pytest.mark.parametrize("name", list(CASES))
def test_family_test_rejects_wrong_laws(name):
    """Power: the same sample is rejected against a perturbed parameter and mapping mistakes."""
    case = CASES[name]
    values = sample(name)
    for wrong in case.wrong:
        p = p_value(case, values, wrong)
        label = f"{wrong.dist.name}{wrong.args}{wrong.kwds}"
        assert p < ALPHA, f"{name}: the test failed to reject the wrong law {label}: p={p}"


def test_mean_and_variance_match_numpy_parametrisation():
    """A cross-check independent of scipy: moments from NumPy's documented formulas."""
    expected = {
        "gamma": (2.5 * 40.0, 2.5 * 40.0**2),
        "negative_binomial": (3 * 0.6 / 0.4, 3 * 0.6 / 0.4**2),
        "geometric": (1 / 0.2, 0.8 / 0.2**2),
        "pareto": (1 / (3.0 - 1), None),
        "exponential": (2.5, 2.5**2),
        "integers": ((-3 + 12) / 2, ((12 - -3 + 1) ** 2 - 1) / 12),
    }
    for name, (mean, var) in expected.items():
        values = sample(name).astype(float)
        se = values.std() / math.sqrt(len(values))
        assert abs(values.mean() - mean) < 5 * se, f"{name}: mean {values.mean()} vs {mean}"
        if var is not None:
            assert abs(values.var() / var - 1) < 0.05, f"{name}: variance {values.var()} vs {var}"


@pytest.mark.parametrize(("spec", "law"), [
    ({"kind": "uniform"}, st.uniform(0, 1)),
    ({"kind": "normal"}, st.norm(0, 1)),
    ({"kind": "exponential"}, st.expon()),
    ({"kind": "gamma", "shape": 3.0}, st.gamma(3.0)),
    ({"kind": "laplace"}, st.laplace()),
], ids=lambda v: v.get("kind") if isinstance(v, dict) else "")
def test_numpy_default_parameters(spec, law):
    """Omitted parameters take NumPy's defaults."""
    assert ks_p(column(spec, 20_000, 5), law) >= ALPHA


# --- integers ------------------------------------------------------------------------------------
def test_integers_high_is_inclusive_and_uniform():
    values = column({"kind": "integers", "low": 1, "high": 6}, 30_000, 21).to_numpy()
    assert set(np.unique(values)) == {1, 2, 3, 4, 5, 6}
    counts = np.bincount(values - 1, minlength=6)
    assert st.chisquare(counts).pvalue >= ALPHA
    # power: a skewed die is rejected by the same test
    skewed = counts.copy()
    skewed[0] += 600
    skewed[5] -= 600
    assert st.chisquare(skewed).pvalue < ALPHA


def test_integers_single_value_range():
    values = column({"kind": "integers", "low": 7, "high": 7}, 1_000, 1)
    assert (values == 7).all()


def test_integers_both_endpoints_occur_on_a_wide_range():
    values = column({"kind": "integers", "low": -50, "high": 50}, 40_000, 22).to_numpy()
    assert values.min() == -50 and values.max() == 50
    assert chi2_p(values, st.randint(-50, 51), lo=-50) >= ALPHA


# --- truncate ------------------------------------------------------------------------------------
TRUNCATED = [
    # (id, spec, law before truncation, lo, hi, integer)
    # acceptance ~ 0.67: out-of-range draws are redrawn
    ("normal-redraw", {"kind": "normal", "loc": 0.0, "scale": 1.0, "truncate": [-0.5, 2.0]},
     st.norm(0, 1), -0.5, 2.0, False),
    # acceptance ~ 0.065: drawn by inverse CDF
    ("normal-tail", {"kind": "normal", "loc": 0.0, "scale": 1.0, "truncate": [1.5, 3.0]},
     st.norm(0, 1), 1.5, 3.0, False),
    ("gamma-lower-only", {"kind": "gamma", "shape": 2.0, "scale": 40.0, "truncate": [50, None]},
     st.gamma(a=2.0, scale=40.0), 50.0, None, False),
    ("lognormal-upper-only", {"kind": "lognormal", "mean": 1.0, "sigma": 1.0, "truncate": [None, 4.0]},
     st.lognorm(s=1.0, scale=math.e), None, 4.0, False),
    ("poisson-redraw", {"kind": "poisson", "lam": 4.0, "truncate": [2, 6]},
     st.poisson(4.0), 2, 6, True),
    ("poisson-tail", {"kind": "poisson", "lam": 4.0, "truncate": [10, 15]},
     st.poisson(4.0), 10, 15, True),
    ("binomial-fractional-bounds", {"kind": "binomial", "n": 30, "p": 0.5, "truncate": [12.5, 17.5]},
     st.binom(30, 0.5), 12.5, 17.5, True),
]


@pytest.mark.parametrize(("spec", "law", "lo", "hi", "integer"), [t[1:] for t in TRUNCATED],
                         ids=[t[0] for t in TRUNCATED])
def test_truncate_is_a_true_truncated_distribution(spec, law, lo, hi, integer):
    values = column(spec, 30_000, 31).to_numpy()
    if lo is not None:
        assert values.min() >= lo
    if hi is not None:
        assert values.max() <= hi
    cdf = truncated_cdf(law, lo, hi, integer=integer)
    if integer:
        start = math.ceil(lo) if lo is not None else int(law.support()[0])
        p = chi2_p(values, cdf, lo=start)
        # power: clamping instead of redrawing would put the out-of-range mass on the bounds
        clamped = np.clip(law.rvs(size=len(values), random_state=1), lo, hi).astype(np.int64)
        assert chi2_p(clamped, cdf, lo=start) < ALPHA
    else:
        p = ks_p(values, cdf)
        # power: the untruncated law is rejected
        assert ks_p(values, law) < ALPHA
    assert p >= ALPHA, f"truncated sample does not follow the conditional law (p={p:.3g})"


def test_truncate_does_not_clamp():
    """Redrawn, never clamped: the bounds get no pile-up of probability."""
    spec = {"kind": "normal", "loc": 0.0, "scale": 1.0, "truncate": [-1.0, 1.0]}
    values = column(spec, 30_000, 32).to_numpy()
    assert (np.abs(values) <= 1.0).all()
    assert np.sum(np.abs(values) == 1.0) == 0


# --- shift ---------------------------------------------------------------------------------------
def test_shift_continuous():
    values = column({"kind": "gamma", "shape": 2.0, "scale": 3.0, "shift": -5.0}, 30_000, 41)
    assert ks_p(values, st.gamma(a=2.0, scale=3.0, loc=-5.0)) >= ALPHA
    assert ks_p(values, st.gamma(a=2.0, scale=3.0)) < ALPHA


def test_shift_discrete():
    values = column({"kind": "poisson", "lam": 1.0, "shift": 1}, 30_000, 42).to_numpy()
    assert np.issubdtype(values.dtype, np.integer)
    assert values.min() == 1
    assert chi2_p(values, st.poisson(1.0, loc=1), lo=1) >= ALPHA
    assert chi2_p(values, st.poisson(1.0), lo=0) < ALPHA


def test_shift_integers():
    values = column({"kind": "integers", "low": 0, "high": 9, "shift": 100}, 20_000, 43).to_numpy()
    assert values.min() == 100 and values.max() == 109
    assert chi2_p(values, st.randint(100, 110), lo=100) >= ALPHA


# --- truncate, for every family, on both code paths --------------------------------------------
# A window holding ~70 % of the law is met by redrawing; one holding ~9 % (the upper tail) by
# inverse CDF. Both must give the law conditioned on the window.
WINDOWS = {"redraw": (0.2, 0.9), "tail": (0.9, 0.99)}

_WINDOW_PARAMS = [pytest.param(name, window, id=f"{name}-{window}") for name in CASES for window in WINDOWS]


@pytest.mark.parametrize(("name", "window"), _WINDOW_PARAMS)
def test_truncate_every_family(name, window):
    case = CASES[name]
    q_lo, q_hi = WINDOWS[window]
    lo, hi = (float(case.law.ppf(q)) for q in (q_lo, q_hi))
    if case.discrete:
        lo, hi = int(lo), int(hi)
    # zipf's inverse CDF is scipy's generic, per-value search (~0.35 ms a value): keep that sample small
    n = 4_000 if (name, window) == ("zipf", "tail") else 20_000
    values = column({**case.spec, "truncate": [lo, hi]}, n, SEEDS[name] + 1000).to_numpy()
    assert values.min() >= lo and values.max() <= hi
    cdf = truncated_cdf(case.law, lo, hi, integer=case.discrete)
    p = chi2_p(values, cdf, lo=lo) if case.discrete else ks_p(values, cdf)
    assert p >= ALPHA, f"{name} truncated to [{lo}, {hi}]: p={p:.3g}"


def test_truncate_zipf_far_tail():
    law = st.zipf(2.0)
    values = column({"kind": "zipf", "a": 2.0, "truncate": [100, 1000]}, 20_000, 1201).to_numpy()
    assert values.min() >= 100 and values.max() <= 1000
    assert chi2_p(values, truncated_cdf(law, 100, 1000, integer=True), lo=100) >= ALPHA


def test_truncate_far_tail_window_of_small_mass():
    law = st.norm()
    values = column({"kind": "normal", "truncate": [5.0, 6.0]}, 20_000, 1202).to_numpy()
    assert values.min() >= 5.0 and values.max() <= 6.0
    assert ks_p(values, truncated_cdf(law, 5.0, 6.0)) >= ALPHA
