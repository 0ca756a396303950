"""Seasonality of values ``after`` another column (rulegen/kinds/thinning.py): every value stays
after its anchor by a delay the law can draw, and the shares of weekdays, months and hours follow
the weights. Expected shares are computed here from the declared weights, never by rulegen's
rate code; each test also shows it can fail, rejecting the same sample against uniform shares."""

from __future__ import annotations

import datetime
import itertools

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

import rulegen
from rulegen.errors import GenerationError
from rulegen.kinds.seasonality import Rates
from rulegen.kinds.thinning import top_log_rate
from rulegen.plan.compiler import compile_spec
from tests.stats._stats import ALPHA

WEEKLY = [1.0, 1.0, 0.5, 1.0, 1.0, 3.0, 0.2]  # Saturdays busy, Sundays quiet


def _spec(column: str, rows: int = 20_000, anchor: str = "{kind: timestamp, min: 2024-01-01, max: 2024-12-31}") -> str:
    return f"""
version: 1
tables:
  loans:
    rows: {rows}
    columns:
      joined_at: {anchor}
      loaned_at: {column}
"""


def _chi2_p(counts: np.ndarray, weights: list[float]) -> float:
    expected = np.asarray(weights, dtype=float) / np.sum(weights) * counts.sum()
    return float(st.chisquare(counts, expected).pvalue)


def test_weekday_shares_follow_the_weights_and_every_value_is_after_its_anchor() -> None:
    column = ("{kind: timestamp, after: joined_at, delay: {kind: exponential, scale: 60d}, "
              f"seasonality: {{weekly: {WEEKLY}}}}}")
    frame = rulegen.generate(_spec(column), seed=11)["loans"]
    assert (frame.loaned_at >= frame.joined_at).all()
    counts = frame.loaned_at.dt.day_of_week.value_counts().reindex(range(7), fill_value=0).to_numpy()
    assert _chi2_p(counts, WEEKLY) > ALPHA, counts
    assert _chi2_p(counts, [1.0] * 7) < ALPHA, "the sample does not tell the weights from none"


def test_month_shares_follow_the_weights_on_the_wall_clock_of_the_zone() -> None:
    yearly = [3.0, 3.0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3.0]  # winter
    column = ("{kind: timestamp, tz: Australia/Sydney, after: joined_at, delay: {kind: uniform, low: 0d, high: 3y}, "
              f"seasonality: {{yearly: {yearly}}}}}")
    anchor = "{kind: timestamp, min: 2024-01-01, max: 2024-01-01}"  # one instant: candidates over three whole years
    frame = rulegen.generate(_spec(column, anchor=anchor), seed=5)["loans"]
    local = frame.loaned_at.dt.tz_convert("Australia/Sydney")
    start = pd.Timestamp("2024-01-01", tz="UTC").tz_convert("Australia/Sydney")
    days = [(pd.Timestamp(datetime.date(y, m, 1), tz="Australia/Sydney")) for y in (2024, 2025, 2026, 2027)
            for m in range(1, 13)]
    # Each month's expected share: its weight times its days within [start, start + 3 years).
    end = start + pd.Timedelta(days=3 * 365.25)
    weights = np.zeros(12)
    for first, last in itertools.pairwise(days):
        span = (min(last, end) - max(first, start)).total_seconds()
        weights[first.month - 1] += max(span, 0.0) * yearly[first.month - 1]
    counts = local.dt.month.value_counts().reindex(range(1, 13), fill_value=0).to_numpy()
    assert _chi2_p(counts, list(weights)) > ALPHA, counts
    assert _chi2_p(counts, list(weights / np.asarray(yearly))) < ALPHA


def test_dates_after_a_timestamp_keep_their_weekdays() -> None:
    column = ("{kind: date, after: joined_at, delay: {kind: integers, low: 1d, high: 30d}, "
              "seasonality: {weekly: {sat: 0, sun: 0}}}")
    frame = rulegen.generate(_spec(column, rows=5_000), seed=2)["loans"]
    days = pd.to_datetime(frame.loaned_at)
    assert days.dt.day_of_week.max() <= 4, "no value on a weekend"
    waited = (days - frame.joined_at.dt.normalize()).dt.days
    assert waited.between(1, 30).all()


def test_nulls_of_the_anchor_stay_null() -> None:
    anchor = "{kind: timestamp, min: 2024-01-01, max: 2024-12-31, null: 0.3}"
    column = ("{kind: timestamp, after: joined_at, delay: {kind: exponential, scale: 5d}, "
              "seasonality: {weekly: {sat: 2}}}")
    frame = rulegen.generate(_spec(column, rows=2_000, anchor=anchor), seed=4)["loans"]
    assert (frame.loaned_at.isna() == frame.joined_at.isna()).all()


def test_a_null_parameter_of_the_delay_gives_a_null_and_the_others_keep_their_season() -> None:
    # The rows whose delay has no scale (joined in the afternoon) are kept at once, as nulls; the
    # others are thinned as usual, and the whole does not depend on how rows fall into blocks.
    anchor = "{kind: timestamp, min: 2024-01-01, max: 2024-12-31, null: 0.1}"
    column = ('{kind: timestamp, after: joined_at, delay: {kind: exponential, scale: "if(hour(joined_at) < 12, '
              'days(5), None)"}, seasonality: {weekly: [1, 1, 1, 1, 1, 3, 0]}}')
    text = _spec(column, rows=6_000, anchor=anchor)
    frame = rulegen.generate(text, seed=8)["loans"]
    no_delay = frame.joined_at.isna() | (frame.joined_at.dt.hour >= 12)
    assert frame.loaned_at.isna().eq(no_delay).all() and 0.4 < no_delay.mean() < 0.7
    kept = frame.dropna(subset=["loaned_at"])
    assert (kept.loaned_at >= kept.joined_at).all()
    counts = kept.loaned_at.dt.day_of_week.value_counts().reindex(range(7), fill_value=0).to_numpy()
    assert counts[6] == 0 and _chi2_p(counts[:6], [1, 1, 1, 1, 1, 3]) > ALPHA, counts
    plan = compile_spec(rulegen.load(text), seed=8, block_rows=97)  # blocks of 97 rows, made last to first
    backwards = list(rulegen.iter_blocks(plan, "loans", blocks=list(range(plan.tables["loans"].blocks))[::-1]))
    small = pd.concat(backwards[::-1], ignore_index=True)
    pd.testing.assert_frame_equal(small, pd.concat(rulegen.iter_blocks(plan, "loans"), ignore_index=True))
    assert small.loaned_at.isna().eq(small.joined_at.isna() | (small.joined_at.dt.hour >= 12)).all()


def test_a_delay_that_reaches_only_rates_of_zero_moves_on_to_the_next_day_of_weight() -> None:
    column = ("{kind: date, after: joined_at, delay: {kind: integers, low: 7d, high: 7d}, "
              "seasonality: {weekly: {mon: 0, tue: 0}}}")
    anchor = "{kind: date, min: 2024-01-01, max: 2024-01-01}"  # a Monday: a week later is a Monday too
    frame = rulegen.generate(_spec(column, rows=10, anchor=anchor), seed=1)["loans"]
    assert (frame.loaned_at == datetime.date(2024, 1, 10)).all()  # the Wednesday after


def test_no_instant_of_weight_within_a_year_stops_the_run_at_its_row() -> None:
    column = ("{kind: timestamp, after: joined_at, delay: {kind: uniform, low: 1h, high: 2d}, "
              "seasonality: {daily: {peak: '12:00', amplitude: 1}, "
              "events: [{date: 2024-01-01, days: 800, factor: 0}]}}")
    anchor = "{kind: timestamp, min: 2024-01-01, max: 2024-01-31}"
    with pytest.raises(GenerationError) as caught:
        rulegen.generate(_spec(column, rows=10, anchor=anchor), seed=1)
    rendered = caught.value.render()
    assert "RG362" in rendered and "row 0" in rendered and "seasonality" in rendered


def test_the_top_rate_bounds_every_rate_and_is_reached() -> None:
    events = ((10, 5, 2.0), (12, 1, 3.0), (12, 3, 0.0), (20, 2, 4.0), (21, 1, 0.5))
    rates = Rates(weekly=(1, 2, 1, 1, 1, 1, 1), monthly=(1.5,) * 12, events=events)
    days = np.arange(0, 40, dtype=np.int64)
    logs = rates.log_rate(days * 86_400, np.zeros(len(days)))
    top = top_log_rate(rates)
    assert logs.max() <= top + 1e-12
    # Day 12 is zeroed; the largest event product is 4 on day 20 (4 * 0.5 on day 21), 2 * 1 on 10-14.
    assert top == pytest.approx(np.log(2 * 1.5 * 4))
    assert top_log_rate(Rates()) == 0.0


def test_midnights_of_a_zone_move_on_to_midnights_across_a_change_of_clocks() -> None:
    column = ("{kind: timestamp, precision: day, tz: Europe/Berlin, after: joined_at, "
              "delay: {kind: integers, low: 7d, high: 7d}, "
              "seasonality: {events: [{date: 2024-03-25, days: 8, factor: 0}]}}")
    anchor = "{kind: date, min: 2024-03-18, max: 2024-03-18}"  # a week before the 25th; clocks change on the 31st
    frame = rulegen.generate(_spec(column, rows=5, anchor=anchor), seed=1)["loans"]
    expected = pd.Timestamp("2024-04-02 00:00", tz="Europe/Berlin")  # the first day of weight, at local midnight
    assert (frame.loaned_at == expected).all(), frame.loaned_at
