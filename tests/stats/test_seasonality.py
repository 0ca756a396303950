"""Seasonality and trend shape how densely dates and timestamps fall (SPEC.md, "Seasonality and trend").

Every expected share is computed here from the declared parameters, never by rulegen's own rate
code:

- ``weekly``: a weekday's share is proportional to its weight (over whole weeks);
- ``daily``: an hour's share is proportional to its weight, or for ``{peak, amplitude}`` to the
  integral of 1 + A cos(2 pi (t - peak) / 24) over that hour;
- ``yearly``: a month's share is proportional to its weight times its days in the range;
- ``events``: the day's rate is ``factor`` times that of the same weekday in other weeks;
- ``trend: {growth: G}``: a calendar year's share is the integral of (1 + G) ** (t / 365.25 days)
  over that year, t counted from min;
- ``tz``: all of the above on the zone's wall clock.

Each test also shows it can fail: the same sample is rejected against a law that ignores the
option (or gets it slightly wrong).
"""

from __future__ import annotations

import calendar
import datetime
import itertools
import math

import holidays
import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

from tests.stats._stats import ALPHA, categorical_p, column

WEEKLY = [1.0, 1.1, 1.1, 1.0, 1.2, 0.6, 0.5]


def _instants(values: pd.Series) -> pd.Series:
    """Dates (Python objects) or timestamps as pandas datetimes."""
    return pd.to_datetime(values)


def _chi2_p(counts: np.ndarray, weights: np.ndarray) -> float:
    expected = np.asarray(weights, dtype=float) / np.sum(weights) * counts.sum()
    return float(st.chisquare(counts, expected).pvalue)


def _peak_curve(peak: float, amplitude: float) -> np.ndarray:
    """Mass of each hour h under 1 + A cos(2 pi (t - peak) / 24): its integral over [h, h + 1]."""
    h = np.arange(24)
    w = 2 * np.pi / 24
    return 1 + amplitude / w * (np.sin(w * (h + 1 - peak)) - np.sin(w * (h - peak)))


# --- weekly ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["date", "timestamp"])
@pytest.mark.parametrize(("weekly", "weights"), [
    (WEEKLY, WEEKLY),
    ({"sat": 0.5, "sun": 0.25}, [1, 1, 1, 1, 1, 0.5, 0.25]),  # absent days weigh 1
], ids=["list", "mapping"])
def test_weekday_shares_follow_weekly_weights(kind: str, weekly, weights: list[float]) -> None:
    # Monday 2024-01-01 to Sunday 2024-12-29: 52 whole weeks, so every weekday has as many days.
    spec = {"kind": kind, "min": "2024-01-01", "max": "2024-12-29", "seasonality": {"weekly": weekly}}
    weekday = _instants(column(spec, 60_000, seed=11)).dt.day_of_week
    assert categorical_p(weekday, dict(enumerate(weights))) > ALPHA
    assert categorical_p(weekday, dict.fromkeys(range(7), 1.0)) < ALPHA  # power: equal weekdays are rejected


# --- daily -----------------------------------------------------------------------------------
DAILY_LIST = [0.2] * 6 + [1.0] * 3 + [2.0] * 8 + [3.0] * 4 + [0.5] * 3


@pytest.mark.parametrize(("daily", "weights", "wrong"), [
    (DAILY_LIST, np.array(DAILY_LIST), np.roll(DAILY_LIST, 1)),
    ({"peak": "20:00", "amplitude": 0.6}, _peak_curve(20.0, 0.6), _peak_curve(21.0, 0.6)),
    ({"peak": "06:30", "amplitude": 1.0}, _peak_curve(6.5, 1.0), _peak_curve(6.5, 0.85)),
], ids=["list", "peak", "peak-half-hour"])
def test_hour_shares_follow_daily(daily, weights: np.ndarray, wrong: np.ndarray) -> None:
    spec = {"kind": "timestamp", "min": "2024-01-01", "max": "2024-12-31", "seasonality": {"daily": daily}}
    hours = _instants(column(spec, 100_000, seed=12)).dt.hour
    counts = np.bincount(hours, minlength=24)
    assert _chi2_p(counts, weights) > ALPHA
    assert _chi2_p(counts, np.ones(24)) < ALPHA  # power: flat hours are rejected
    assert _chi2_p(counts, wrong) < ALPHA  # and so is a shifted (or flatter) curve


# --- yearly ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("yearly", "weights"), [
    ({"nov": 1.4, "dec": 1.8}, [1.0] * 10 + [1.4, 1.8]),
    ([0.5, 0.5, 1, 1, 1, 2, 2, 1, 1, 1, 1, 3], [0.5, 0.5, 1, 1, 1, 2, 2, 1, 1, 1, 1, 3]),
], ids=["mapping", "list"])
@pytest.mark.parametrize("kind", ["date", "timestamp"])
def test_month_shares_follow_yearly_weights_and_month_lengths(kind: str, yearly, weights: list[float]) -> None:
    spec = {"kind": kind, "min": "2021-01-01", "max": "2023-12-31", "seasonality": {"yearly": yearly}}
    months = _instants(column(spec, 100_000, seed=13)).dt.month
    counts = np.bincount(months - 1, minlength=12)
    days = np.array([sum(calendar.monthrange(year, m)[1] for year in (2021, 2022, 2023)) for m in range(1, 13)])
    assert _chi2_p(counts, np.array(weights) * days) > ALPHA
    assert _chi2_p(counts, np.array(weights)) < ALPHA  # power: month lengths matter
    assert _chi2_p(counts, days) < ALPHA  # and so do the weights


# --- events ----------------------------------------------------------------------------------
def _day_counts(values: pd.Series) -> pd.Series:
    return _instants(values).dt.normalize().dt.date.value_counts()


def _neighbours(day: datetime.date, skip: set[datetime.date], first: datetime.date,
                last: datetime.date) -> list[datetime.date]:
    """The same weekday one to four weeks before and after, inside [first, last] and not in skip."""
    near = [day + datetime.timedelta(weeks=k) for k in (-4, -3, -2, -1, 1, 2, 3, 4)]
    return [d for d in near if first <= d <= last and d not in skip]


def test_event_days_carry_their_factor() -> None:
    spec = {"kind": "timestamp", "min": "2024-01-01", "max": "2024-12-31",
            "seasonality": {"weekly": WEEKLY, "events": [{"date": "2024-11-29", "factor": 5},
                                                         {"date": "2024-03-13", "days": 3, "factor": 0.5}]}}
    counts = _day_counts(column(spec, 500_000, seed=14))
    first, last = datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
    black_friday = datetime.date(2024, 11, 29)
    ratio = counts[black_friday] / np.mean([counts[d] for d in _neighbours(black_friday, set(), first, last)])
    assert ratio == pytest.approx(5, rel=0.10)
    event = {datetime.date(2024, 3, 13) + datetime.timedelta(days=i) for i in range(3)}  # Wed, Thu, Fri
    inside = sum(counts[d] for d in event)
    around = sum(np.mean([counts[n] for n in _neighbours(d, event, first, last)]) for d in event)
    assert inside / around == pytest.approx(0.5, rel=0.10)
    day_after = datetime.date(2024, 3, 16)  # the event lasts 3 days, not 4
    assert counts[day_after] / np.mean([counts[n] for n in _neighbours(day_after, set(), first, last)]) \
        == pytest.approx(1, rel=0.10)


def test_holidays_of_a_country_dip_by_their_factor() -> None:
    spec = {"kind": "timestamp", "min": "2023-01-01", "max": "2024-12-31",
            "seasonality": {"events": [{"holidays": "US", "factor": 0.3}]}}
    counts = _day_counts(column(spec, 1_000_000, seed=15))
    first, last = datetime.date(2023, 1, 1), datetime.date(2024, 12, 31)
    days = set(holidays.country_holidays("US", years=[2023, 2024]))  # the declared days off
    assert datetime.date(2024, 7, 4) in days and len(days) >= 20
    inside = sum(counts[d] for d in days)
    around = sum(np.mean([counts[n] for n in _neighbours(d, days, first, last)]) for d in days)
    assert inside / around == pytest.approx(0.3, rel=0.10)
    july_4 = datetime.date(2024, 7, 4)
    assert counts[july_4] < 0.45 * np.mean([counts[n] for n in _neighbours(july_4, days, first, last)])


# --- trend -----------------------------------------------------------------------------------
def _year_shares(growth: float, first: datetime.date, years: range) -> np.ndarray:
    """Share of each calendar year under a rate (1 + G) ** (t / 365.25 days), t from ``first``."""
    log = math.log1p(growth)

    def mass(a: float, b: float) -> float:  # the integral of exp(log * t) over [a, b] (in years)
        return (math.exp(log * b) - math.exp(log * a)) / log

    edges = [(datetime.date(y, 1, 1) - first).days / 365.25 for y in [*years, years[-1] + 1]]
    shares = np.array([mass(a, b) for a, b in itertools.pairwise(edges)])
    return shares / shares.sum()


def test_growth_multiplies_the_rate_by_one_plus_g_a_year() -> None:
    spec = {"kind": "timestamp", "min": "2020-01-01", "max": "2024-12-31", "trend": {"growth": 0.5}}
    years = _instants(column(spec, 500_000, seed=16)).dt.year
    counts = np.bincount(years - 2020, minlength=5)
    expected = _year_shares(0.5, datetime.date(2020, 1, 1), range(2020, 2025))
    observed_ratio = counts[1:] / counts[:-1]
    assert observed_ratio == pytest.approx(expected[1:] / expected[:-1], rel=0.05)
    assert observed_ratio[1:] == pytest.approx(1.5, rel=0.05)  # full years after the leap year 2020
    assert _chi2_p(counts, expected) > ALPHA
    wrong = _year_shares(0.45, datetime.date(2020, 1, 1), range(2020, 2025))
    assert _chi2_p(counts, wrong) < ALPHA  # power: a growth of 0.45 is rejected


def test_the_spec_example_combines_every_rate() -> None:
    """SPEC.md's signup_at: weekly x daily x yearly x an event x growth, each still visible."""
    spec = {"kind": "timestamp", "min": "2020-01-01", "max": "2025-12-31", "trend": {"growth": 0.5},
            "seasonality": {"weekly": WEEKLY, "daily": {"peak": "20:00", "amplitude": 0.6},
                            "yearly": {"nov": 1.4, "dec": 1.8},
                            "events": [{"date": "2024-11-29", "days": 1, "factor": 5}]}}
    values = _instants(column(spec, 400_000, seed=17))
    # Hours are independent of the day-level rates: every day has all 24 hours.
    assert _chi2_p(np.bincount(values.dt.hour, minlength=24), _peak_curve(20.0, 0.6)) > ALPHA
    dec, oct_ = (values.dt.month == 12).sum(), (values.dt.month == 10).sum()
    assert dec / oct_ == pytest.approx(1.8 * 1.5 ** (2 / 12), rel=0.05)  # same length, two months of growth
    counts = _day_counts(values)
    friday = datetime.date(2024, 11, 29)
    around = np.mean([counts[d] for d in (friday - datetime.timedelta(weeks=1), friday + datetime.timedelta(weeks=1))])
    assert counts[friday] / around == pytest.approx(5, rel=0.15)


# --- time zones --------------------------------------------------------------------------------
def test_daily_peak_is_on_the_zone_wall_clock() -> None:
    spec = {"kind": "timestamp", "min": "2024-01-01", "max": "2024-12-31", "tz": "Europe/Berlin",
            "seasonality": {"daily": {"peak": "20:00", "amplitude": 0.8}}}
    values = column(spec, 100_000, seed=18)
    assert str(values.dt.tz) == "Europe/Berlin"
    local = np.bincount(values.dt.hour, minlength=24)
    curve = _peak_curve(20.0, 0.8)
    assert _chi2_p(local, curve) > ALPHA
    assert local.argmax() in (19, 20)  # the hours around 20:00 local
    utc = np.bincount(values.dt.tz_convert("UTC").dt.hour, minlength=24)
    assert _chi2_p(utc, curve) < ALPHA  # power: the peak is not at 20:00 UTC


def test_weekdays_and_months_are_local_with_a_zone() -> None:
    # Pacific/Kiritimati is UTC+14: most of a local Monday is a Sunday in UTC.
    spec = {"kind": "timestamp", "min": "2024-01-01", "max": "2024-12-29", "tz": "Pacific/Kiritimati",
            "seasonality": {"weekly": {"mon": 5}}}
    values = column(spec, 50_000, seed=19)
    weights = {0: 5, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1}
    assert categorical_p(values.dt.day_of_week, weights) > ALPHA
    assert categorical_p(values.dt.tz_convert("UTC").dt.day_of_week, weights) < ALPHA
