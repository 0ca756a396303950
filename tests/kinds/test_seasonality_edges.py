"""Seasonality and trend at the ends of the floats: a defined law, never an overflow.

Rates are relative, so weights of 1e308 that multiply, or a growth of 1e300 a year, are weighed
through their logarithms when their product overflows: the law is the one their ratios give,
and no NumPy warning reaches the user.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import rulegen
from rulegen.kinds.seasonality import Rates, build_grid

DAY = 86_400
WEEK = np.arange(7 * 52 * 4) * DAY  # four years of days, from 1970-01-01 (a Thursday)


def _column(options: str, rows: int = 2_000) -> pd.Series:
    spec = (f"version: 1\nseed: 4\ntables:\n  t:\n    rows: {rows}\n    columns:\n"
            f"      at: {{kind: timestamp, min: 2020-01-01, max: 2024-12-31, {options}}}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning fails the test
        return rulegen.generate(spec)["t"]["at"]


def test_huge_weights_weigh_as_their_ratios() -> None:
    huge = Rates(weekly=(1e308,) * 5 + (2e307, 2e307))  # weekdays five times the weekend
    small = Rates(weekly=(5.0,) * 5 + (1.0, 1.0))
    grid, same = (build_grid(r, 0, len(WEEK) - 1, unit="day") for r in (huge, small))
    assert grid is not None and same is not None
    np.testing.assert_allclose(grid.bins[:, 0], same.bins[:, 0], rtol=1e-12)


def test_weights_that_overflow_only_together_are_rescaled() -> None:
    rates = Rates(weekly=(1e200,) * 7, monthly=(1e200,) * 11 + (2e200,))  # each finite, 1e400 together
    grid = build_grid(rates, 0, 365, unit="day")
    assert grid is not None and np.isfinite(grid.bins).all()
    december = grid.bins[334:365, 0] - grid.bins[334:365, 1]  # days 334..364 of 1970; 365 is 1971-01-01
    np.testing.assert_allclose(december, 2 / (334 + 2 * 31 + 1), rtol=1e-9)


def test_seasonality_weights_of_1e308_draw_as_equal_weights() -> None:
    values = _column("seasonality: {weekly: [1.0e+308, 1.0e+308, 1.0e+308, 1.0e+308, 1.0e+308, 1.0e+308, 1.0e+308]}")
    assert values.notna().all()
    assert values.equals(_column("seasonality: {weekly: [1, 1, 1, 1, 1, 1, 1]}"))


def test_a_huge_growth_puts_every_value_at_the_end() -> None:
    values = _column("trend: {growth: 1.0e+300}")  # the rate grows 6.6-fold a day
    assert values.notna().all() and values.min() >= pd.Timestamp("2024-12-20")


@pytest.mark.parametrize("growth", ["-0.9999999999999999", "1.0e+300"])
def test_extreme_growths_need_no_warning(growth: str) -> None:
    values = _column(f"trend: {{growth: {growth}}}", rows=200)
    assert values.between(pd.Timestamp("2020-01-01"), pd.Timestamp("2025-01-01")).all()


def test_events_whose_factors_overflow_together_are_rescaled() -> None:
    events = ((10, 1, 1e300), (10, 1, 1e300), (20, 1, 0.0))  # day 10 weighs 1e600, day 20 nothing
    grid = build_grid(Rates(events=events), 0, 29, unit="day")
    assert grid is not None and np.isfinite(grid.bins).all()
    shares = grid.bins[:, 0] - grid.bins[:, 1]
    assert shares[10] == pytest.approx(1.0) and shares[20] == 0.0
