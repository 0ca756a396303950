"""Property: whatever valid one-table spec, the data generate writes checks clean, in every format.

The specs come from ``tests/properties/strategies.py`` (keys, ranges, rounding, clipping,
truncation, shifts, nulls, patterns, templates, expressions, dates, constraints, hidden columns).
A failing example prints the spec's YAML and the report.
"""

from __future__ import annotations

import tempfile

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import rulegen
from tests.checking.helpers import FORMATS
from tests.properties.strategies import SEEDS, TableCase, table_specs


@given(case=table_specs(max_rows=200), seed=SEEDS, fmt=st.sampled_from(FORMATS))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_data_always_checks_clean(case: TableCase, seed: int, fmt: str) -> None:
    note(case.yaml)
    with tempfile.TemporaryDirectory() as out:
        rulegen.write(case.yaml, out, fmt, seed=seed)
        report = rulegen.check(case.yaml, out, seed=seed)
    assert report.ok, report.render()
