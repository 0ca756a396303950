"""Tables that do not scale (``rows: {fixed: N}``, rulegen/plan/sizing.py): ``--scale`` grows the
facts and leaves the dimensions alone, ``--rows`` still sizes them, and ``check`` sizes the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.errors import SpecError
from rulegen.testing import Dataset, tables

# TPC-H's shape: five unique regions, 25 nations, customers that grow with the scale.
SPEC = """
version: 1
tables:
  regions:
    rows: {fixed: 5}
    primary_key: id
    columns:
      id: {kind: sequence}
      name: {kind: choice, values: [AFRICA, AMERICA, ASIA, EUROPE, MIDDLE EAST], unique: true}
  nations:
    rows: {fixed: 25}
    primary_key: id
    columns:
      id: {kind: sequence}
      region: {kind: ref, to: regions.id}
  customers:
    rows: 40
    primary_key: id
    columns:
      id: {kind: sequence}
      nation: {kind: ref, to: nations.id}
  orders:
    rows: {per: customers, count: 2}
    columns:
      id: {kind: sequence}
      customer: {kind: ref, to: customers.id}
"""


def _rows(plan: rulegen.Plan) -> dict[str, int]:
    return {name: table.rows for name, table in plan.tables.items()}


def test_the_spec_model_marks_fixed_tables() -> None:
    spec = rulegen.load(SPEC)
    assert (spec.tables["regions"].rows, spec.tables["regions"].fixed) == (5, True)
    assert (spec.tables["customers"].rows, spec.tables["customers"].fixed) == (40, False)


@settings(max_examples=20, deadline=None)
@given(scale=st.floats(min_value=0.0, max_value=50.0, allow_nan=False))
def test_scale_grows_the_facts_and_not_the_dimensions(scale: float) -> None:
    rows = _rows(rulegen.compile(SPEC, seed=1, scale=scale))
    assert (rows["regions"], rows["nations"]) == (5, 25)
    assert rows["customers"] == round(40 * scale)
    assert rows["orders"] == 2 * rows["customers"]


def test_rows_still_sizes_a_fixed_table() -> None:
    rows = _rows(rulegen.compile(SPEC, seed=1, scale=3, rows={"regions": 3, "nations": 50}))
    assert (rows["regions"], rows["nations"], rows["customers"]) == (3, 50, 120)


def test_a_scaled_unique_dimension_would_run_out_of_values() -> None:
    """What `fixed` is for: the same regions as a plain number ask 50 unique names of 5 at --scale 10."""
    with pytest.raises(SpecError, match="unique"):
        rulegen.compile(SPEC.replace("rows: {fixed: 5}", "rows: 5"), seed=1, scale=10)


def test_check_sizes_fixed_tables_as_generate_did(tmp_path: Path) -> None:
    out = tmp_path / "out"
    rulegen.write(SPEC, out, seed=7, scale=10)
    assert len((out / "regions.csv").read_text().splitlines()) == 1 + 5
    assert len((out / "customers.csv").read_text().splitlines()) == 1 + 400
    assert rulegen.check(SPEC, out).ok
    assert rulegen.check(SPEC, out, seed=7, scale=10).ok
    report = rulegen.check(SPEC, out, seed=7, scale=1)
    assert {v.table for v in report.violations if v.rule == "rows"} == {"customers", "orders"}


@settings(max_examples=15, deadline=None)
@given(data=tables(SPEC, max_rows=30))
def test_hypothesis_datasets_never_grow_a_dimension_past_its_rows(data: Dataset) -> None:
    """rulegen.testing draws at most N rows of a `rows: {fixed: N}` table (its unique names are five)."""
    assert len(data["regions"]) <= 5 and len(data["nations"]) <= 25
    assert data["regions"].name.is_unique
