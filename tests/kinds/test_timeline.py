"""Timeline tables, `tick` and `series`: tick counts, the series' shape, noise, determinism."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.errors import SpecError
from rulegen.plan.compiler import compile_spec

METRICS = """
version: 1
seed: 8
tables:
  hosts:
    rows: 4
    primary_key: id
    columns:
      id: {kind: sequence, start: 10}
  cpu:
    timeline: {per: hosts, start: 2024-01-01, end: 2024-03-31, every: 1h}
    primary_key: [host_id, ts]
    columns:
      host_id: {kind: ref, to: hosts.id}
      ts: {kind: tick}
      cpu:
        kind: series
        base: 40
        trend: {per_day: 0.05}
        seasonality: {daily: {peak: "14:00", amplitude: 15}}
        noise: {ar1: 0.8, sigma: 3}
        clip: [0, 100]
"""
HOURS = 91 * 24  # 2024-01-01 00:00 .. 2024-03-31 23:00: a date-only end is the end of that day


@pytest.fixture(scope="module")
def cpu() -> pd.DataFrame:
    return rulegen.generate(METRICS)["cpu"]


def test_each_parent_has_exactly_the_declared_ticks(cpu: pd.DataFrame) -> None:
    assert len(cpu) == 4 * HOURS
    for host, group in cpu.groupby("host_id"):
        assert len(group) == HOURS, host
        assert group.ts.iloc[0] == pd.Timestamp("2024-01-01 00:00:00")
        assert group.ts.iloc[-1] == pd.Timestamp("2024-03-31 23:00:00")
        assert (group.ts.diff().dropna() == pd.Timedelta(hours=1)).all()


def test_a_timeline_without_parent_and_a_timestamp_end() -> None:
    spec = """
version: 1
tables:
  t:
    timeline: {start: "2024-01-01T00:00:00", end: "2024-01-01T01:00:00", every: 15m}
    primary_key: ts
    columns: {ts: {kind: tick}}
"""
    ts = rulegen.generate(spec)["t"].ts
    assert ts.tolist() == [pd.Timestamp("2024-01-01 00:00") + pd.Timedelta(minutes=15 * k) for k in range(5)]


def test_series_respects_clip_and_peaks_at_the_declared_hour(cpu: pd.DataFrame) -> None:
    assert cpu.cpu.between(0, 100).all()
    by_hour = cpu.groupby(cpu.ts.dt.hour).cpu.mean()
    assert by_hour.idxmax() == 14 and by_hour.idxmin() == 2
    assert by_hour.max() - by_hour.min() == pytest.approx(30, abs=1.5)  # twice the amplitude


def test_series_trend_adds_per_day(cpu: pd.DataFrame) -> None:
    days = (cpu.ts - pd.Timestamp("2024-01-01")).dt.total_seconds() / 86_400
    slope = np.polyfit(days, cpu.cpu, 1)[0]
    assert slope == pytest.approx(0.05, abs=0.01)


def test_noise_is_ar1_with_the_declared_sigma_and_restarts_per_timeline() -> None:
    spec = METRICS.replace("        base: 40\n        trend: {per_day: 0.05}\n", "        base: 0\n").replace(
        '        seasonality: {daily: {peak: "14:00", amplitude: 15}}\n', "").replace("        clip: [0, 100]\n", "")
    cpu = rulegen.generate(spec.replace("rows: 4", "rows: 40"))["cpu"]
    assert cpu.cpu.std() == pytest.approx(3, rel=0.03)
    x = cpu.cpu.to_numpy().reshape(40, HOURS)
    lag1 = np.mean([np.corrcoef(row[:-1], row[1:])[0, 1] for row in x])
    assert lag1 == pytest.approx(0.8, abs=0.02)
    assert np.std(x[:, 0]) == pytest.approx(3, rel=0.35), "each timeline starts from the stationary law"
    across = np.corrcoef(x[:-1, 0], x[1:, 0])[0, 1]  # a host's first tick does not follow the last host's
    assert abs(across) < 0.45


def test_growth_multiplies_the_level() -> None:
    spec = """
version: 1
tables:
  sales:
    timeline: {start: 2020-01-01, end: 2022-12-31, every: 1d}
    columns:
      day: {kind: tick}
      units: {kind: series, base: 100, trend: {growth: 0.4}}
"""
    sales = rulegen.generate(spec)["sales"]
    yearly = sales.groupby(sales.day.dt.year).units.mean()
    assert yearly[2021] / yearly[2020] == pytest.approx(1.4, rel=0.01)
    assert yearly[2022] / yearly[2021] == pytest.approx(1.4, rel=0.01)


@settings(max_examples=25, deadline=None)
@given(block_rows=st.integers(1, 300), seed=st.integers(0, 2**32), hosts=st.integers(0, 5),
       phi=st.sampled_from([0.0, 0.5, 0.95]), order=st.randoms(use_true_random=False))
def test_blocks_alone_or_in_any_order_give_the_same_series(block_rows: int, seed: int, hosts: int, phi: float,
                                                           order) -> None:
    text = METRICS.replace("rows: 4", f"rows: {hosts}").replace("end: 2024-03-31", "end: 2024-01-05").replace(
        "ar1: 0.8", f"ar1: {phi}")
    spec = rulegen.load(text)
    plan = compile_spec(spec, seed=seed, block_rows=block_rows)
    whole = list(rulegen.iter_blocks(plan, "cpu", arrow=True))
    blocks = list(range(len(whole)))
    order.shuffle(blocks)
    for b in blocks[:8]:
        fresh = compile_spec(spec, seed=seed, block_rows=block_rows)
        (alone,) = rulegen.iter_blocks(fresh, "cpu", blocks=[b], arrow=True)
        assert alone.equals(whole[b]), f"block {b} differs alone"


def test_workers_give_the_same_files(tmp_path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    rulegen.write(METRICS, one, "csv", rows={"hosts": 40}, workers=1)
    rulegen.write(METRICS, two, "csv", rows={"hosts": 40}, workers=2)
    assert (one / "cpu.csv").read_bytes() == (two / "cpu.csv").read_bytes()


def test_timeline_data_checks_clean_and_an_off_grid_tick_is_caught(tmp_path) -> None:
    rulegen.write(METRICS, tmp_path, "csv")
    assert rulegen.check(METRICS, tmp_path).ok
    cpu = pd.read_csv(tmp_path / "cpu.csv")
    cpu.loc[5, "ts"] = "2024-01-01 05:30:00"
    cpu.to_csv(tmp_path / "cpu.csv", index=False)
    [violation] = rulegen.check(METRICS, tmp_path).violations
    assert (violation.column_or_rule, violation.count) == ("ts", 1)


@pytest.mark.parametrize(("change", "code", "where"), [
    (("timeline: {per: hosts, start: 2024-01-01", "rows: 5\n    timeline: {per: hosts, start: 2024-01-01"),
     "RG210", "/tables/cpu/rows"),
    (("every: 1h", "every: 0.5s"), "RG205", "/tables/cpu/timeline/every"),
    (("every: 1h", "every: soon"), "RG205", "/tables/cpu/timeline/every"),
    (("start: 2024-01-01", "start: 2024-05-01"), "RG210", "/tables/cpu/timeline/start"),
    (("start: 2024-01-01", "start: someday"), "RG205", "/tables/cpu/timeline/start"),
    (("per: hosts,", "per: hsts,"), "RG212", "/tables/cpu/timeline/per"),
    (("      id: {kind: sequence, start: 10}", "      id: {kind: sequence, start: 10}\n      t: {kind: tick}"),
     "RG218", "/tables/hosts/columns/t"),
    (("noise: {ar1: 0.8, sigma: 3}", "noise: {ar1: 1.0, sigma: 3}"), "RG203", "/tables/cpu/columns/cpu/noise/ar1"),
])
def test_timeline_mistakes_are_spec_errors(change, code, where) -> None:
    old, new = change
    assert old in METRICS
    with pytest.raises(SpecError) as info:
        rulegen.compile(METRICS.replace(old, new))
    assert [(d.code, d.pointer) for d in info.value.diagnostics] == [(code, where)], info.value.render()


def test_rows_cannot_size_a_timeline() -> None:
    with pytest.raises(SpecError) as info:
        rulegen.compile(METRICS, rows={"cpu": 10})
    assert [d.code for d in info.value.diagnostics] == ["RG212"]


def test_a_table_needs_rows_or_a_timeline() -> None:
    with pytest.raises(SpecError) as info:
        rulegen.load("version: 1\ntables:\n  t:\n    columns: {a: {kind: sequence}}\n")
    assert [(d.code, d.pointer) for d in info.value.diagnostics] == [("RG204", "/tables/t")]


def test_ticks_are_unique_per_parent_and_make_a_composite_key(cpu: pd.DataFrame) -> None:
    assert not cpu.duplicated(["host_id", "ts"]).any()
    assert cpu.ts.min().to_pydatetime() == dt.datetime(2024, 1, 1)


def test_series_weekly_yearly_and_event_factors_multiply_the_level() -> None:
    spec = """
version: 1
tables:
  visits:
    timeline: {start: 2024-01-01, end: 2024-12-31, every: 1d}
    columns:
      day: {kind: tick}
      n:
        kind: series
        base: 100
        seasonality:
          weekly: {sat: 0.5, sun: 0.5}
          yearly: {dec: 2}
          events: [{date: 2024-11-29, days: 1, factor: 3}, {holidays: US, factor: 0.1}]
"""
    visits = rulegen.generate(spec)["visits"].set_index("day").n
    assert visits[pd.Timestamp("2024-03-05")] == pytest.approx(100)  # a Tuesday
    assert visits[pd.Timestamp("2024-03-09")] == pytest.approx(50)  # a Saturday
    assert visits[pd.Timestamp("2024-12-03")] == pytest.approx(200)  # a December Tuesday
    assert visits[pd.Timestamp("2024-11-29")] == pytest.approx(300)  # Black Friday
    assert visits[pd.Timestamp("2024-07-04")] == pytest.approx(10)  # a US holiday (a Thursday)


def test_a_swing_amplitude_may_exceed_one_on_a_series_but_not_on_a_timestamp() -> None:
    rulegen.compile(METRICS)  # amplitude 15 in the series' units
    stamp = METRICS.replace("      ts: {kind: tick}\n", "      ts: {kind: tick}\n      at: {kind: timestamp, "
                            "min: 2024-01-01, max: 2024-02-01, seasonality: {daily: {peak: '14:00', amplitude: 15}}}\n")
    with pytest.raises(SpecError) as info:
        rulegen.compile(stamp)
    assert [d.code for d in info.value.diagnostics] == ["RG203"]
