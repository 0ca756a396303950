"""`rulegen check` on relations: orphans (one-column and composite keys), lookups that differ
from their parent row, aggregates that differ from their children, and constraints that read
hidden lookups (rebuilt from the parent's file, so they are checked, not skipped)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import rulegen
from tests.checking.helpers import rewrite, with_values
from tests.conftest import ROOT

SHOP = ROOT / "schemas" / "shop.yaml"
SCALE = 0.05


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("shop")
    rulegen.write(rulegen.load(SHOP), directory, "parquet", scale=SCALE)
    return directory


def planted(clean: Path, tmp_path: Path, table: str, column: str, changes: dict) -> rulegen.CheckReport:
    shutil.copytree(clean, tmp_path, dirs_exist_ok=True)
    data = pq.read_table(clean / f"{table}.parquet")
    rewrite(tmp_path, "parquet", table, with_values(data, column, changes))
    return rulegen.check(SHOP, tmp_path, scale=SCALE)


def test_the_shop_checks_clean_with_nothing_skipped(clean: Path) -> None:
    report = rulegen.check(SHOP, clean, scale=SCALE)
    assert report.ok, report.violations
    assert report.skipped == ()


@pytest.mark.parametrize(("table", "column", "changes", "finding"), [
    ("shipments", "item_id", {4: 10**7}, ("shipments", "item_id", "reference", 1)),
    ("order_items", "unit_price", {3: 123456.78}, ("order_items", "unit_price", "lookup", 1)),
    ("orders", "items_total", {2: -1.0, 5: 0.5}, ("orders", "items_total", "aggregate", 2)),
    ("orders", "item_count", {0: 99}, ("orders", "item_count", "aggregate", 1)),
    ("products", "units_sold", {1: 10**6}, ("products", "units_sold", "aggregate", 1)),
    # A composite key: the line number of another order's line, or of no line at all.
    ("returns", "line_no", {0: 99}, ("returns", "order_id", "reference", 1)),
    ("returns", "order_id", {7: 10**6}, ("returns", "order_id", "reference", 1)),
])
def test_each_planted_relation_violation_is_reported_once(clean: Path, tmp_path: Path, table: str, column: str,
                                                          changes: dict, finding: tuple) -> None:
    report = planted(clean, tmp_path, table, column, changes)
    assert [(v.table, v.column_or_rule, v.rule, v.count) for v in report.violations] == [finding]
    assert sorted(report.violations[0].examples)[0][0] == min(changes)


def test_a_composite_orphan_names_the_whole_key(clean: Path, tmp_path: Path) -> None:
    [violation] = planted(clean, tmp_path, "returns", "line_no", {0: 99}).violations
    assert "order_items (order_id, line_no)" in violation.message
    assert violation.examples[0][1]["line_no"] == 99


CONSTRAINED = """
version: 1
seed: 4
tables:
  customers:
    rows: 60
    primary_key: id
    columns:
      id: {kind: sequence}
      joined: {kind: date, min: 2021-01-01, max: 2022-12-31}
  orders:
    rows: {per: customers, kind: poisson, lam: 2}
    primary_key: order_id
    columns:
      order_id: {kind: sequence}
      customer_id: {kind: ref, to: customers.id}
      joined: {kind: lookup, via: customer_id, column: joined, hidden: true}
      ordered_on: {kind: date, min: 2021-01-01, max: 2023-12-31}
    constraints: ["ordered_on >= joined"]
  lines:
    rows: {per: orders, count: 2}
    columns:
      order_id: {kind: ref, to: orders.order_id}
      joined: {kind: lookup, via: order_id, column: joined, hidden: true}
      shipped_on: {kind: date, min: 2021-01-01, max: 2023-12-31}
    constraints: ["shipped_on >= joined"]
"""


@pytest.mark.parametrize("table", ["orders", "lines"])
def test_a_constraint_on_a_hidden_lookup_is_checked(tmp_path: Path, table: str) -> None:
    """``lines.joined`` is a hidden lookup of a hidden lookup: rebuilt down the chain."""
    rulegen.write(CONSTRAINED, tmp_path, "csv")
    report = rulegen.check(CONSTRAINED, tmp_path)
    assert report.ok and report.skipped == (), (report.violations, report.skipped)
    frame = rulegen.generate(CONSTRAINED)[table]
    column = "ordered_on" if table == "orders" else "shipped_on"
    frame.loc[0, column] = dt.date(2021, 1, 1)  # in range, but before the customer joined
    frame.to_csv(tmp_path / f"{table}.csv", index=False)
    [violation] = rulegen.check(CONSTRAINED, tmp_path).violations
    assert (violation.table, violation.column_or_rule, violation.rule, violation.count) == (
        table, "constraints[0]", "constraint", 1)


def test_a_constraint_on_a_value_in_no_file_is_skipped(tmp_path: Path) -> None:
    spec = CONSTRAINED.replace("joined: {kind: date, min: 2021-01-01, max: 2022-12-31}",
                               "joined: {kind: date, min: 2021-01-01, max: 2022-12-31, hidden: true}")
    rulegen.write(spec, tmp_path, "parquet")
    report = rulegen.check(spec, tmp_path)
    assert report.ok
    assert [(s.table, s.rule) for s in report.skipped] == [("orders", "constraint"), ("lines", "constraint")]


def test_a_when_on_a_hidden_lookup_is_checked(tmp_path: Path) -> None:
    """Was: skipped, "reads `joined`, not in the file": hidden lookups now feed `when` too."""
    spec = CONSTRAINED.replace("      ordered_on: {kind: date, min: 2021-01-01, max: 2023-12-31}\n",
                               "      ordered_on: {kind: date, min: 2021-01-01, max: 2023-12-31}\n"
                               "      early: {kind: constant, value: yes, when: \"ordered_on < joined + days(30)\", "
                               "else: no}\n")
    rulegen.write(spec, tmp_path, "csv")
    report = rulegen.check(spec, tmp_path)
    assert report.ok and report.skipped == (), (report.violations, report.skipped)
