"""`rulegen check` on the ``min`` and ``max`` of dates and timestamps over a row's children: they
are compared exactly in their own type (no float holds them), in every file format."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import rulegen
from tests.checking.helpers import FORMATS, arrow_table, rewrite, with_values

SPEC = """
version: 1
seed: 9
tables:
  patients:
    rows: 60
    primary_key: id
    columns:
      id:          {kind: sequence}
      first_admit: {kind: aggregate, of: stays.admitted_at, fn: min}
      last_admit:  {kind: aggregate, of: stays.admitted_at, fn: max}
      last_day:    {kind: aggregate, of: stays.day, fn: max}
      zoned_first: {kind: aggregate, of: stays.zoned, fn: min}
  stays:
    rows: {per: patients, kind: poisson, lam: 2}
    columns:
      patient_id:  {kind: ref, to: patients.id}
      admitted_at: {kind: timestamp, min: 2024-01-01, max: 2024-12-31}
      day:         {kind: date, min: 2024-01-01, max: 2024-12-31}
      zoned:       {kind: timestamp, min: 2024-01-01, max: 2024-12-31, tz: Europe/Berlin}
"""


@pytest.mark.parametrize("fmt", FORMATS)
def test_min_and_max_of_dates_and_timestamps_are_checked(tmp_path: Path, fmt: str) -> None:
    rulegen.write(SPEC, tmp_path, fmt)
    clean = rulegen.check(SPEC, tmp_path)
    assert clean.ok and not clean.skipped, clean.render()
    patients = arrow_table(SPEC, "patients")
    row = next(i for i, v in enumerate(patients["last_day"].to_pylist()) if v is not None)
    planted = with_values(patients, "last_day", {row: dt.date(2030, 1, 1)})
    planted = with_values(planted, "first_admit", {row: dt.datetime(2001, 1, 1)})
    rewrite(tmp_path, fmt, "patients", planted)
    found = {(v.column_or_rule, v.rule, v.count) for v in rulegen.check(SPEC, tmp_path).violations}
    assert found == {("last_day", "aggregate", 1), ("first_admit", "aggregate", 1)}
