"""schemas/retail.yaml reads like a real business: growth, weekly and daily rhythms, the year's
peak, Black Friday, public holidays, and hourly server metrics per host."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import rulegen
from tests.conftest import ROOT

SPEC = ROOT / "schemas" / "retail.yaml"


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return rulegen.generate(SPEC, scale=0.5, rows={"hosts": 12})


@pytest.fixture(scope="module")
def local(data: dict[str, pd.DataFrame]) -> pd.Series:
    return data["orders"].ordered_at.dt.tz_convert("America/New_York")


def test_orders_grow_forty_percent_a_year(local: pd.Series) -> None:
    years = local.dt.year.value_counts().sort_index()
    for ratio in (years / years.shift()).dropna():
        assert ratio == pytest.approx(1.4, rel=0.05)


def test_friday_evenings_and_the_year_end_are_busiest(local: pd.Series) -> None:
    weekdays = local.dt.day_of_week.value_counts(normalize=True)
    assert weekdays.idxmax() == 4 and weekdays[4] > 1.4 * weekdays.drop(4).mean()
    hours = local.dt.hour.value_counts()
    assert hours.idxmax() in (18, 19, 20) and hours.idxmin() in (6, 7)  # a 19:00 peak, a 07:00 trough
    assert hours.max() > 5 * hours.min()
    months = local.dt.month.value_counts()
    assert set(months.index[:2]) == {11, 12}


def test_black_friday_spikes_and_public_holidays_dip(local: pd.Series) -> None:
    days = local.dt.date.value_counts()
    week = dt.timedelta(days=7)
    for black_friday in (dt.date(2023, 11, 24), dt.date(2024, 11, 29)):
        assert days[black_friday] > 3.5 * days[black_friday - week]  # 5x, less the November lift
    for holiday in (dt.date(2024, 7, 4), dt.date(2025, 7, 4)):
        assert days[holiday] < 0.5 * (days[holiday - week] + days[holiday + week]) / 2


def test_every_host_reports_every_hour_of_2025(data: dict[str, pd.DataFrame]) -> None:
    metrics = data["host_metrics"]
    assert metrics.groupby("host_id").size().eq(8760).all() and len(metrics) == 12 * 8760
    assert metrics.cpu.between(0, 100).all() and (metrics.requests >= 0).all()
    assert metrics.groupby(metrics["at"].dt.hour).cpu.mean().idxmax() == 15
    assert metrics.groupby(metrics["at"].dt.hour).requests.mean().idxmax() == 19
    weekday = metrics["at"].dt.day_of_week
    assert metrics.cpu[weekday >= 5].mean() < 0.8 * metrics.cpu[weekday < 5].mean()


def test_the_retail_spec_checks_clean_and_seeds_sqlite(tmp_path) -> None:
    rulegen.write(SPEC, tmp_path / "out", "parquet", scale=0.05, rows={"hosts": 12})
    report = rulegen.check(SPEC, tmp_path / "out", scale=0.05, rows={"hosts": 12})
    assert report.ok, report.render()
    loaded = rulegen.seed_database(SPEC, f"sqlite:///{tmp_path / 'retail.db'}", scale=0.05, rows={"hosts": 12})
    assert loaded["host_metrics"] == 12 * 8760
