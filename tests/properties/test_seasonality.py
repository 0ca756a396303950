"""Seasonal dates and timestamps keep the determinism contract (SPEC.md, "Determinism").

Each block draws its uniforms from its own stream, and the rate grid is a pure function of the
spec, so any block of a seasonal column is the same whether it is made in order, out of order,
alone, by a fresh plan or in a worker process. Values always stay in [min, max].

(Changing ``block_rows`` itself does change the values, for seasonal and uniform columns alike:
the block size is part of the determinism contract, and ``block_rows`` is a test-only knob of
``compile_spec`` used here to make small tables span many blocks.)
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import rulegen
from rulegen.plan.compiler import compile_spec

SLOW = [HealthCheck.too_slow]
WEIGHTS = st.floats(0.05, 5, allow_nan=False).map(lambda w: round(w, 3))
ZONES = st.sampled_from([None, "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"])


@st.composite
def seasonal_columns(draw: st.DrawFn) -> dict[str, Any]:
    """A date or timestamp column with some of: weekly, daily, yearly, events, growth, tz, precision."""
    kind = draw(st.sampled_from(["date", "timestamp"]))
    start = draw(st.dates(min_value=datetime.date(1990, 1, 1),
                          max_value=datetime.date(2030, 1, 1)))
    days = draw(st.integers(0, 900))
    end = start + datetime.timedelta(days=days)
    column: dict[str, Any] = {"kind": kind, "min": start.isoformat(), "max": end.isoformat()}
    precision = "day"
    if kind == "timestamp":
        precision = draw(st.sampled_from(["s", "ms", "us", "day"]))
        column["precision"] = precision
        zone = draw(ZONES)
        if zone:
            column["tz"] = zone
    seasonality: dict[str, Any] = {}
    if draw(st.booleans()):
        seasonality["weekly"] = draw(st.lists(WEIGHTS, min_size=7, max_size=7))
    if draw(st.booleans()):
        seasonality["yearly"] = {draw(st.sampled_from(["jan", "jun", "nov", "dec"])): draw(WEIGHTS)}
    if precision != "day" and draw(st.booleans()):
        seasonality["daily"] = {"peak": f"{draw(st.integers(0, 23)):02d}:{draw(st.sampled_from([0, 30])):02d}",
                                "amplitude": draw(st.floats(0, 1).map(lambda a: round(a, 2)))}
    if draw(st.booleans()):
        seasonality["events"] = [{"date": (start + datetime.timedelta(days=draw(st.integers(0, days))))
                                  .isoformat(), "days": draw(st.integers(1, 5)), "factor": draw(WEIGHTS)}]
    if seasonality:
        column["seasonality"] = seasonality
    if not seasonality or draw(st.booleans()):
        column["trend"] = {"growth": draw(st.floats(-0.9, 3).map(lambda g: round(g, 2)))}
    return column


def _spec(column: dict[str, Any], rows: int) -> str:
    return yaml.safe_dump({"version": 1, "tables": {"t": {"rows": rows, "columns": {"x": column}}}}, sort_keys=False)


def _batches(plan, blocks=None) -> list[pa.RecordBatch]:
    return list(rulegen.iter_blocks(plan, "t", blocks=blocks, arrow=True))


@given(column=seasonal_columns(), seed=st.integers(0, 2**32), block_rows=st.integers(1, 80), data=st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
def test_seasonal_blocks_are_the_same_in_any_order_or_alone(column, seed, block_rows, data) -> None:
    text = _spec(column, rows=300)
    note(text)
    plan = compile_spec(rulegen.load(text), seed=seed, block_rows=block_rows)
    in_order = _batches(plan)
    n = len(in_order)
    order = data.draw(st.permutations(range(n)), label="block order")
    shuffled = dict(zip(order, _batches(plan, order), strict=True))
    assert all(shuffled[i].equals(in_order[i]) for i in range(n))
    block = data.draw(st.integers(0, n - 1), label="block made alone")
    fresh = compile_spec(rulegen.load(text), seed=seed, block_rows=block_rows)
    assert _batches(fresh, [block])[0].equals(in_order[block])
    # Every value lies in [min, max], as `rulegen check` judges it (Kind.valid, the range rule).
    values = pa.concat_arrays([b.column("x") for b in in_order])
    kind = plan.tables["t"].columns["x"].kind
    assert pc.all(kind.valid(values)).as_py()


def test_seasonal_column_is_the_same_with_worker_processes() -> None:
    column = {"kind": "timestamp", "min": "2020-01-01", "max": "2025-12-31", "tz": "Europe/Berlin",
              "trend": {"growth": 0.5},
              "seasonality": {"weekly": [1.0, 1.1, 1.1, 1.0, 1.2, 0.6, 0.5],
                              "daily": {"peak": "20:00", "amplitude": 0.6}, "yearly": {"nov": 1.4, "dec": 1.8},
                              "events": [{"date": "2024-11-29", "factor": 5}, {"holidays": "DE", "factor": 0.3}]}}
    text = _spec(column, rows=200_000)
    alone = rulegen.generate(text, seed=9)["t"]["x"]
    pooled = rulegen.generate(text, seed=9, workers=2)["t"]["x"]
    assert alone.equals(pooled)
    other = rulegen.generate(text, seed=10)["t"]["x"]
    assert not np.array_equal(alone.to_numpy(), other.to_numpy())  # a different seed gives different data
