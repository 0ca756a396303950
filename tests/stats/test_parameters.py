"""Parameters from columns act per row: the law of each value is the one its row's parameters
name (fixed seeds; the laws compared against are written here, not taken from rulegen)."""

from __future__ import annotations

import numpy as np
import scipy.stats as st

from tests.stats._stats import ALPHA, ks_p, table


def test_normal_with_loc_from_a_column_leaves_normal_residuals():
    frame = table({"base": {"kind": "uniform", "low": 0, "high": 1000},
                   "x": {"kind": "normal", "loc": "base * 1.1", "scale": 2}}, 20_000, 61)
    residuals = frame["x"] - frame["base"] * 1.1
    assert ks_p(residuals, st.norm(0, 2)) >= ALPHA
    # power: a law that ignored the column, or a wrong spread, is rejected
    assert ks_p(frame["x"], st.norm(0, 2)) < ALPHA
    assert ks_p(residuals, st.norm(0, 2.2)) < ALPHA


def test_scale_from_a_column_scales_each_row():
    frame = table({"s": {"kind": "choice", "values": [1, 10]},
                   "x": {"kind": "exponential", "scale": "s"}}, 20_000, 62)
    for s in (1, 10):
        assert ks_p(frame["x"][frame["s"] == s], st.expon(scale=s)) >= ALPHA
    assert ks_p(frame["x"][frame["s"] == 10], st.expon(scale=1)) < ALPHA


def test_probability_from_a_condition():
    frame = table({"vip": {"kind": "choice", "values": [True, False]},
                   "bought": {"kind": "binomial", "n": 10, "p": "if(vip, 0.3, 0.05)"}}, 20_000, 63)
    for vip, p in ((True, 0.3), (False, 0.05)):
        counts = frame["bought"][frame["vip"] == vip].to_numpy()
        expected = st.binom(10, p).pmf(np.arange(11)) * len(counts)
        observed = np.bincount(counts, minlength=11)[:11]
        keep = expected >= 5
        observed, expected = observed[keep], expected[keep] * observed[keep].sum() / expected[keep].sum()
        assert st.chisquare(observed, expected).pvalue >= ALPHA
