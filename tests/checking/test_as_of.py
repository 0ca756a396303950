"""`check` reads the spec's ``as_of`` like generation does: rules that name it are checked, not skipped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import rulegen
from tests.checking.helpers import FORMATS, arrow_table, rewrite, with_values

SPEC = """
version: 1
seed: 4
as_of: {as_of}
tables:
  loans:
    rows: 120
    columns:
      loaned_on: {{kind: date, min: 2024-06-01, max: as_of}}
      back_on:   {{kind: date, after: loaned_on, delay: {{kind: gamma, shape: 3, scale: 6d}}, null: 0.2,
                  when: "loaned_on < as_of"}}
    constraints:
      - "loaned_on <= as_of"
"""


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("as_of", ["2024-12-31", '"2024-12-31 18:00"'])
def test_rules_reading_as_of_are_checked(tmp_path: Path, fmt: str, as_of: str) -> None:
    spec = SPEC.format(as_of=as_of)
    rulegen.write(spec, tmp_path, fmt)
    clean = rulegen.check(spec, tmp_path)
    assert clean.ok and not clean.skipped, clean.render()
    loans = arrow_table(spec, "loans")
    rewrite(tmp_path, fmt, "loans", with_values(loans, "loaned_on", {5: dt.date(2025, 3, 1)}))
    found = {(v.column_or_rule, v.rule, v.count) for v in rulegen.check(spec, tmp_path).violations}
    assert ("constraints[0]", "constraint", 1) in found
    assert ("back_on", "when", 1) in found  # when: "loaned_on < as_of" no longer holds


def test_a_column_named_as_of_is_the_tables_own(tmp_path: Path) -> None:
    spec = SPEC.format(as_of="2024-12-31").replace(
        "    columns:\n", "    columns:\n      as_of: {kind: date, min: 2025-01-01, max: 2025-01-31, hidden: true}\n")
    rulegen.write(spec, tmp_path, "csv")
    skipped = rulegen.check(spec, tmp_path).skipped
    assert any(s.column_or_rule == "constraints[0]" for s in skipped)  # hidden and drawn: not rebuilt
