"""Time zones, ``precision: day`` and the rate grid of ``date`` / ``timestamp`` columns."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import rulegen
from rulegen.engine.random import block_rng, stream_key
from rulegen.errors import SpecError
from rulegen.kinds.seasonality import Rates, build_grid
from rulegen.plan.plan import Uniqueness

UTC = datetime.UTC


def frame(columns: str, rows: int = 2_000, seed: int = 3, constraints: str = "") -> pd.DataFrame:
    spec = f"version: 1\nseed: {seed}\ntables:\n  t:\n    rows: {rows}\n    columns:\n{columns}{constraints}"
    return rulegen.generate(spec)["t"]


def arrow_schema(columns: str, rows: int = 10) -> pa.Schema:
    spec = f"version: 1\ntables:\n  t:\n    rows: {rows}\n    columns:\n{columns}"
    return next(rulegen.iter_blocks(spec, "t", arrow=True)).schema


# --- tz ----------------------------------------------------------------------------------------
def test_zoned_min_and_max_are_wall_clock_times_in_the_zone() -> None:
    # New York on 2024-03-10, the day clocks go forward: 00:00 EST is 05:00 UTC, and the day ends
    # at 23:59:59 EDT, 03:59:59 UTC the next day (23 hours later).
    values = frame("      x: {kind: timestamp, min: 2024-03-10, max: 2024-03-10, tz: America/New_York}\n",
                   rows=20_000)["x"]
    utc = values.dt.tz_convert("UTC")
    low, high = pd.Timestamp("2024-03-10T05:00:00Z"), pd.Timestamp("2024-03-11T03:59:59Z")
    assert utc.min() >= low and utc.max() <= high
    assert utc.min() - low < pd.Timedelta(minutes=5) and high - utc.max() < pd.Timedelta(minutes=5)
    assert (values.dt.date == datetime.date(2024, 3, 10)).all()  # the local day


def test_an_offset_in_min_or_max_is_an_instant_whatever_the_zone() -> None:
    values = frame("      x: {kind: timestamp, min: '2024-06-01T10:00:00+00:00', max: '2024-06-01T10:00:09Z', "
                   "tz: Asia/Tokyo}\n", rows=500)["x"]
    utc = values.dt.tz_convert("UTC")
    assert set(utc.dt.second) == set(range(10)) and (utc.dt.hour == 10).all()
    assert (values.dt.hour == 19).all()  # shown on Tokyo's clock


@pytest.mark.parametrize(("options", "expected"), [
    ("tz: Europe/Berlin", pa.timestamp("s", tz="Europe/Berlin")),
    ("tz: Europe/Berlin, precision: ms", pa.timestamp("ms", tz="Europe/Berlin")),
    ("precision: day", pa.timestamp("s")),
    ("precision: day, tz: Asia/Kolkata", pa.timestamp("s", tz="Asia/Kolkata")),
    ("precision: us", pa.timestamp("us")),
])
def test_arrow_type_carries_unit_and_zone(options: str, expected: pa.DataType) -> None:
    schema = arrow_schema(f"      x: {{kind: timestamp, min: 2024-01-01, max: 2024-12-31, {options}}}\n")
    assert schema.field("x").type == expected


def test_after_and_expressions_work_with_zoned_columns() -> None:
    columns = (
        "      born: {kind: date, min: 1950-01-01, max: 2000-12-31}\n"
        "      signup: {kind: timestamp, min: 2024-01-01, max: 2024-12-31, tz: Europe/Berlin}\n"
        "      next: {kind: timestamp, after: signup, delay: {kind: exponential, scale: 2d}, tz: America/New_York}\n"
        "      plain: {kind: timestamp, after: signup, delay: {kind: exponential, scale: 2d}}\n"
        "      local_start: {kind: timestamp, after: born, delay: {kind: uniform, low: 0, high: 1h}, tz: Asia/Tokyo}\n"
        "      hour: {kind: expr, expr: 'hour(signup)'}\n"
    )
    f = frame(columns, constraints="    constraints: ['next >= signup', 'signup > born + years(18)']\n")
    assert str(f["next"].dt.tz) == "America/New_York"
    assert str(f["plain"].dt.tz) == "Europe/Berlin"  # without its own `tz`, the zone of what it follows
    assert (f["next"] >= f["signup"]).all() and (f["plain"] >= f["signup"]).all()
    assert (f["hour"] == f["signup"].dt.hour).all()  # date parts of a zoned column are local
    # A date starts at local midnight in the follower's zone.
    assert (f["local_start"].dt.date == f["born"]).all() and (f["local_start"].dt.hour == 0).all()


def test_unknown_zone_is_a_diagnostic_with_a_hint() -> None:
    with pytest.raises(SpecError) as info:
        frame("      x: {kind: timestamp, min: 2024-01-01, max: 2024-12-31, tz: america/new_york}\n")
    [problem] = info.value.diagnostics
    assert (problem.code, problem.pointer) == ("RG206", "/tables/t/columns/x/tz")
    assert problem.hint == "did you mean `America/New_York`?"


# --- precision: day ----------------------------------------------------------------------------
def test_day_precision_gives_local_midnights_in_range() -> None:
    f = frame("      a: {kind: timestamp, min: 2024-01-01T12:00:00, max: 2024-01-31T06:00:00, precision: day}\n"
              "      b: {kind: timestamp, min: 2024-03-20, max: 2024-04-10, precision: day, tz: Europe/Paris}\n")
    a, b = f["a"], f["b"]
    assert (a == a.dt.normalize()).all()  # midnights (the day of min counts: values are truncated)
    assert a.min() == pd.Timestamp("2024-01-01") and a.max() == pd.Timestamp("2024-01-31")
    assert (b.dt.hour == 0).all() and (b.dt.minute == 0).all()  # Paris midnight, before and after DST
    assert {b.dt.tz_convert("UTC").dt.hour.min(), b.dt.tz_convert("UTC").dt.hour.max()} == {22, 23}


def test_unique_day_precision_is_a_permutation_of_the_days() -> None:
    values = frame("      x: {kind: timestamp, min: 2024-01-01, max: 2024-12-31, precision: day, unique: true, "
                   "tz: Australia/Sydney}\n", rows=366)["x"]
    assert values.is_unique and set(values.dt.date) == {datetime.date(2024, 1, 1) + datetime.timedelta(days=i)
                                                          for i in range(366)}


# --- seasonal columns: uniqueness, range, the uniform path ------------------------------------------
def test_a_seasonal_column_is_unique_by_checking_not_by_construction() -> None:
    spec = ("version: 1\ntables:\n  t:\n    rows: 1000\n    columns:\n"
            "      x: {kind: timestamp, min: 2024-01-01, max: 2024-12-31, unique: true, "
            "seasonality: {weekly: {sun: 3}}}\n"
            "      y: {kind: timestamp, min: 2024-01-01, max: 2024-12-31, unique: true}\n")
    plan = rulegen.compile(spec)
    assert plan.tables["t"].columns["x"].uniqueness is Uniqueness.CHECK
    assert plan.tables["t"].columns["y"].uniqueness is Uniqueness.CONSTRUCT
    assert rulegen.generate(plan.spec)["t"]["x"].is_unique


def test_without_seasonality_values_are_the_plain_uniform_draw() -> None:
    """The uniform path is unchanged: values are min + the stream's integers, byte for byte."""
    spec = "version: 1\ntables:\n  t:\n    rows: 100\n    columns:\n      x: {kind: timestamp, min: 2020-01-01, " \
           "max: 2025-12-31}\n"
    values = next(rulegen.iter_blocks(spec, "t", seed=5, arrow=True)).column("x").cast(pa.int64()).to_numpy()
    low = int(pd.Timestamp("2020-01-01").timestamp())
    high = int(pd.Timestamp("2026-01-01").timestamp()) - 1
    expected = block_rng(stream_key(5, "t", "x", "value"), 0).integers(low, high, size=100, endpoint=True)
    assert (values == expected).all()


@pytest.mark.parametrize("precision", ["s", "ms", "us"])
def test_seasonal_values_stay_in_range_at_every_precision(precision: str) -> None:
    columns = (f"      x: {{kind: timestamp, min: '2024-02-29T13:17:05', max: '2024-03-02T01:02:03', "
               f"precision: {precision}, seasonality: {{daily: {{peak: '00:00', amplitude: 1}}}}, "
               f"trend: {{growth: 3}}}}\n")
    values = frame(columns, rows=50_000)["x"]
    assert values.min() >= pd.Timestamp("2024-02-29T13:17:05")
    assert values.max() <= pd.Timestamp("2024-03-02T01:02:03")
    assert values.min() - pd.Timestamp("2024-02-29T13:17:05") < pd.Timedelta(minutes=2)


# --- the grid ----------------------------------------------------------------------------------
def _grid(rates: Rates, low: int = 0, high: int = 86_400 * 30 - 1, **options):
    grid = build_grid(rates, low, high, unit="s", **options)
    assert grid is not None
    return grid


@pytest.mark.parametrize("rates", [
    Rates(hourly=tuple([0.0] * 8 + [1.0] * 16), weekly=(1, 1, 1, 1, 1, 0, 0)),  # runs of empty bins
    Rates(events=((3, 1, 1e6),)),  # one bin takes nearly all the mass
    Rates(hourly=tuple(np.linspace(0.01, 5, 24)), growth=2.0),
])
def test_grid_sample_is_the_inverse_cdf_of_its_bins(rates: Rates) -> None:
    """sample() (guide table plus a short search) equals searchsorted on the cumulative shares,
    lands inside [min, max], and gives nothing to empty bins, even at the edges of [0, 1)."""
    grid = _grid(rates, hourly=rates.hourly is not None)
    upper, lower, start = grid.bins[:, 0], grid.bins[:, 1], grid.bins[:, 3].view(np.int64)
    edges = np.concatenate([upper, np.nextafter(upper, 0), lower])
    u = np.concatenate([np.random.default_rng(0).random(200_000), edges[(edges >= 0) & (edges < 1)],
                        [0.0, np.nextafter(1.0, 0)]])
    ticks = grid.sample(u)
    b = np.searchsorted(upper, u, side="right")
    stop = np.append(start[1:], 86_400 * 30)
    assert (ticks >= start[b]).all() and (ticks < stop[b]).all()
    assert ticks.min() >= 0 and ticks.max() <= 86_400 * 30 - 1
    assert (np.diff(ticks[np.argsort(u, kind="stable")]) >= 0).all()  # monotone: an inverse CDF
    empty = upper - lower == 0
    assert not np.isin(b, np.flatnonzero(empty)).any()


def test_grid_of_zero_rates_is_none() -> None:
    # 1970-01-03 and 04 are a Saturday and a Sunday.
    assert build_grid(Rates(weekly=(1, 1, 1, 1, 1, 0, 0)), 2 * 86_400, 4 * 86_400 - 1, unit="s") is None


def test_grid_bins_follow_the_zone_wall_clock_across_dst() -> None:
    """Hourly bins of a zoned grid are local hours: on the spring day the skipped hour gets no
    values, and on the autumn day the repeated hour gets twice the time."""
    spring, autumn = pd.Timestamp("2024-03-31T00:00:00+01:00"), pd.Timestamp("2024-10-27T00:00:00+02:00")
    for day, hours in ((spring, 23), (autumn, 25)):
        low = int(day.timestamp())
        grid = _grid(Rates(hourly=(1.0,) * 24), low, low + hours * 3600 - 1, zone="Europe/Berlin", hourly=True)
        ticks = grid.sample(np.random.default_rng(1).random(100_000))
        local = pd.to_datetime(ticks, unit="s", utc=True).tz_convert("Europe/Berlin")
        counts = np.bincount(local.hour, minlength=24)
        assert (local.date == day.date()).all()
        if hours == 23:
            assert counts[2] == 0 and counts[3] > 0
        else:
            assert counts[2] == pytest.approx(2 * counts[5], rel=0.1)


def test_a_timestamp_after_a_zoned_one_keeps_its_zone():
    """Was: naive UTC unless the column repeated `tz`, so one table mixed zoned and naive values."""
    import pyarrow as pa

    spec = """
version: 1
tables:
  t:
    rows: 50
    columns:
      start: {kind: timestamp, min: 2024-01-01, max: 2024-12-31, tz: Europe/Berlin}
      end: {kind: timestamp, after: start, delay: {kind: uniform, low: 1h, high: 2d}}
"""
    plan = rulegen.compile(spec)
    assert plan.tables["t"].columns["end"].type == pa.timestamp("s", tz="Europe/Berlin")
    frame = rulegen.generate(spec)["t"]
    assert (frame.end > frame.start).all()
