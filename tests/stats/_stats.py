"""Helpers of the statistical tests: generate columns, and goodness-of-fit tests.

The laws the tests compare against are written in the tests themselves (NumPy's parameters
mapped to scipy.stats by hand), never taken from rulegen, so a wrong mapping in rulegen fails.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats as st
import yaml

import rulegen

ALPHA = 1e-3  # p-value threshold; every test uses a fixed seed, so results are deterministic
MIN_EXPECTED = 5.0  # chi-square bins with a smaller expected count are merged


def spec_text(columns: Mapping[str, Mapping[str, Any]], correlations: list[dict[str, Any]] | None = None,
              table: str = "t") -> str:
    """A one-table spec with the given column specs (YAML keeps non-string keys: `1:`, `true:`)."""
    body: dict[str, Any] = {"rows": 10, "columns": dict(columns)}
    if correlations:
        body["correlations"] = correlations
    return yaml.safe_dump({"version": 1, "tables": {table: body}}, sort_keys=False)


def table(columns: Mapping[str, Mapping[str, Any]], n: int, seed: int,
          correlations: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """``n`` rows of a one-table spec."""
    frames = rulegen.generate(spec_text(columns, correlations), seed=seed, rows={"t": n})
    frame = frames["t"]
    assert len(frame) == n
    return frame


def column(col: Mapping[str, Any], n: int, seed: int) -> pd.Series:
    """``n`` values of a single column spec."""
    return table({"x": col}, n, seed)["x"]


# --- continuous ------------------------------------------------------------------------------
def ks_p(sample: Any, cdf: Callable[[np.ndarray], np.ndarray] | Any) -> float:
    """p-value of the one-sample Kolmogorov-Smirnov test of ``sample`` against ``cdf``.

    ``cdf`` is a callable or a frozen scipy distribution.
    """
    values = np.asarray(sample, dtype=float)
    assert np.isfinite(values).all(), "non-finite values in the sample"
    f = cdf.cdf if hasattr(cdf, "cdf") else cdf
    return float(st.kstest(values, f).pvalue)


# --- discrete --------------------------------------------------------------------------------
def chi2_p(sample: Any, cdf: Callable[[np.ndarray], np.ndarray] | Any, lo: int) -> float:
    """p-value of a chi-square goodness-of-fit test of integer ``sample`` against a discrete law.

    ``cdf`` (a callable on integer arrays, or a frozen scipy distribution) is the law's
    P(X <= k); its support starts at ``lo``. Bins are single integers from ``lo`` up to the point
    where the remaining tail has an expected count below 5; the tail is one bin; bins with an
    expected count below 5 are merged with their neighbours. A value where the law has no mass
    gives p = 0.
    """
    values = np.asarray(sample)
    assert np.issubdtype(values.dtype, np.integer), f"expected integers, got {values.dtype}"
    n = len(values)
    f = cdf.cdf if hasattr(cdf, "cdf") else cdf
    if values.min() < lo:
        return 0.0
    # Last single bin: where the expected tail count above it drops below 5.
    top = lo + 16
    while n * (1.0 - float(f(np.array([top]))[0])) >= MIN_EXPECTED and top < lo + 10**7:
        top = lo + 2 * (top - lo)
    ks = np.arange(lo, top + 1)
    cum = np.asarray(f(ks), dtype=float)
    below = float(np.asarray(f(np.array([lo - 1])), dtype=float)[0])
    assert below < 1e-12, f"the law has mass below lo={lo}"
    probs = np.diff(np.concatenate([[0.0], cum]))
    probs = np.append(probs, max(0.0, 1.0 - cum[-1]))  # tail: > top
    observed = np.bincount(np.minimum(values, top + 1) - lo, minlength=len(probs)).astype(float)
    if np.any((probs <= 0) & (observed > 0)):
        return 0.0
    obs, exp = _merge(observed, probs * n)
    if len(obs) < 2:
        return 1.0
    return float(st.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue)


def _merge(observed: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge adjacent bins (left to right) until every expected count is at least 5."""
    obs_out: list[float] = []
    exp_out: list[float] = []
    acc_o = acc_e = 0.0
    for o, e in zip(observed, expected, strict=True):
        acc_o += o
        acc_e += e
        if acc_e >= MIN_EXPECTED:
            obs_out.append(acc_o)
            exp_out.append(acc_e)
            acc_o = acc_e = 0.0
    if acc_e > 0 or acc_o > 0:
        if exp_out:
            obs_out[-1] += acc_o
            exp_out[-1] += acc_e
        else:
            obs_out.append(acc_o)
            exp_out.append(acc_e)
    return np.array(obs_out), np.array(exp_out)


def categorical_p(sample: Any, weights: Mapping[Any, float]) -> float:
    """p-value of a chi-square test of categorical ``sample`` against ``weights`` (value -> weight).

    A value outside ``weights`` (or with weight 0) gives p = 0.
    """
    counts = pd.Series(sample).value_counts()
    total = float(sum(weights.values()))
    possible = {k for k, w in weights.items() if w > 0}
    if set(counts.index) - possible:
        return 0.0
    keys = sorted(possible, key=str)
    obs = np.array([counts.get(k, 0) for k in keys], dtype=float)
    exp = np.array([weights[k] / total for k in keys]) * obs.sum()
    return float(st.chisquare(obs, exp).pvalue)


# --- truncation ------------------------------------------------------------------------------
def truncated_cdf(law: Any, lo: float | None, hi: float | None, integer: bool = False
                  ) -> Callable[[np.ndarray], np.ndarray]:
    """The CDF of ``law`` conditioned on [lo, hi] (both inclusive)."""
    below = 0.0  # P(X < lo)
    if lo is not None:
        below = float(law.cdf(np.ceil(lo) - 1)) if integer else float(law.cdf(lo))
    top = 1.0 if hi is None else float(law.cdf(hi))
    mass = top - below
    assert mass > 0

    def cdf(x: np.ndarray) -> np.ndarray:
        return np.clip((law.cdf(x) - below) / mass, 0.0, 1.0)

    return cdf
