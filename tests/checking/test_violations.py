"""Planted violations: each broken rule is reported once, with its table, column, rule and count.

Every case starts from clean files written by ``generate``, plants one kind of violation with
rulegen's own writer (so only the planted values differ), and expects exactly one finding.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from click.testing import CliRunner

import rulegen
from rulegen.cli import main
from tests.checking.helpers import FORMATS, arrow_table, rewrite, with_values

SPEC = """
version: 1
seed: 11
tables:
  orders:
    rows: 200
    primary_key: id
    columns:
      id:       {kind: sequence}
      amount:   {kind: uniform, low: 0, high: 100, round: 2}
      status:   {kind: choice, values: {paid: 3, open: 1, lost: 0}}
      sku:      {kind: pattern, pattern: "[A-Z]{3}-[0-9]{5}", unique: true}
      token:    {kind: uuid}
      qty:      {kind: integers, low: 1, high: 5}
      score:    {kind: normal, loc: 5, scale: 3, clip: [0, 10]}
      vip:      {kind: bool, p: 0.5}
      discount: {kind: uniform, low: 1, high: 5, round: 1, when: "vip", else: 0}
      placed:   {kind: date, min: 2024-01-01, max: 2024-12-31}
      shipped:  {kind: date, min: 2024-01-01, max: 2024-12-31}
    constraints:
      - "shipped >= placed"
  lines:
    rows: 30
    primary_key: [order_id, line_no]
    columns:
      order_id: {kind: integers, low: 1, high: 10}
      line_no:  {kind: sequence}
"""

Plant = Callable[[pa.Table], pa.Table | None]  # None: delete the file


def _first(data: pa.Table, condition: pa.Array) -> int:
    return pc.index(condition, True).as_py()


def _dropped(column: str) -> Plant:
    return lambda data: data.drop_columns([column])


CASES: dict[str, tuple[Plant, tuple[str, str, int]]] = {
    "duplicate key": (lambda d: with_values(d, "id", {7: d["id"][3].as_py()}), ("id", "primary_key", 1)),
    "null key": (lambda d: with_values(d, "id", {0: None}), ("id", "not_null", 1)),
    "null in a not-null column": (lambda d: with_values(d, "status", {5: None}), ("status", "not_null", 1)),
    "value out of range": (lambda d: with_values(d, "amount", {4: -2.5, 17: 101.0}), ("amount", "range", 2)),
    "value off the rounding grid": (lambda d: with_values(d, "amount", {8: 12.345}), ("amount", "round", 1)),
    "value outside clip": (lambda d: with_values(d, "score", {3: 11.0}), ("score", "clip", 1)),
    "value outside the choice domain": (lambda d: with_values(d, "status", {2: "void"}), ("status", "domain", 1)),
    "value of weight 0": (lambda d: with_values(d, "status", {2: "lost"}), ("status", "domain", 1)),
    "string not matching the pattern": (lambda d: with_values(d, "sku", {9: "abc"}), ("sku", "pattern", 1)),
    "repeated unique value": (lambda d: with_values(d, "sku", {11: d["sku"][10].as_py()}), ("sku", "unique", 1)),
    "bad uuid": (lambda d: with_values(d, "token", {1: "not-a-uuid"}), ("token", "format", 1)),
    "date out of range": (lambda d: with_values(d, "placed", {0: dt.date(2023, 12, 31)}), ("placed", "range", 1)),
    "else value not held": (
        lambda d: with_values(d, "discount", {_first(d, pc.invert(d["vip"])): 3.0}),
        ("discount", "when", 1)),
    "row breaking a constraint": (
        lambda d: with_values(with_values(d, "placed", {3: dt.date(2024, 12, 31)}), "shipped",
                              {3: dt.date(2024, 1, 1)}),
        ("constraints[0]", "constraint", 1)),
    "missing column": (_dropped("qty"), ("qty", "column", 0)),
    "extra column": (lambda d: d.append_column("note", pa.array(["x"] * len(d))), ("note", "column", 0)),
    "unparseable value": (lambda d: with_values(d, "qty", {6: "lots"}, pa.string(), convert=str), ("qty", "type", 1)),
    "missing rows": (lambda d: d.slice(0, len(d) - 1), ("", "rows", 0)),
    "missing table file": (lambda d: None, ("", "file", 0)),
}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Clean files in each format, written once for the module."""
    folders = {}
    for fmt in FORMATS:
        folders[fmt] = tmp_path_factory.mktemp(f"clean-{fmt}")
        rulegen.write(SPEC, folders[fmt], fmt)
    return folders


@pytest.fixture(scope="module")
def orders() -> pa.Table:
    return arrow_table(SPEC, "orders")


def planted(clean: dict[str, Path], orders: pa.Table, fmt: str, case: str, target: Path) -> Path:
    shutil.copytree(clean[fmt], target)
    data = CASES[case][0](orders)
    if data is None:
        (target / f"orders.{fmt}").unlink()
    else:
        rewrite(target, fmt, "orders", data)
    return target


def test_clean_files_check_clean(clean: dict[str, Path]) -> None:
    for folder in clean.values():
        report = rulegen.check(SPEC, folder)
        assert report.ok, report.render()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_each_planted_violation_is_reported(clean: dict[str, Path], orders: pa.Table, tmp_path: Path, fmt: str,
                                            case: str) -> None:
    folder = planted(clean, orders, fmt, case, tmp_path / "data")
    report = rulegen.check(SPEC, folder)
    found = [(v.table, v.column_or_rule, v.rule, v.count) for v in report.violations]
    assert found == [("orders", *CASES[case][1])], report.render()
    assert not report.ok
    assert report.find("orders", rule=CASES[case][1][1]) == list(report.violations)


def test_a_composite_key_repeat_is_reported(clean: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(clean["parquet"], folder)
    lines = arrow_table(SPEC, "lines")
    rewrite(folder, "parquet", "lines", with_values(with_values(lines, "line_no", {5: 3}), "order_id",
                                                    {5: lines["order_id"][2].as_py()}))
    report = rulegen.check(SPEC, folder)
    # line_no 3 is also a term of the sequence, but at row 5 it is a legal value: only the key breaks.
    assert [(v.table, v.column_or_rule, v.rule, v.count) for v in report.violations] == [
        ("lines", "(order_id, line_no)", "primary_key", 1)]
    assert report.violations[0].examples == ((5, {"order_id": lines["order_id"][2].as_py(), "line_no": 3}),)


def test_examples_and_pointer_locate_the_rows_and_the_rule(clean: dict[str, Path], orders: pa.Table,
                                                           tmp_path: Path) -> None:
    folder = planted(clean, orders, "csv", "value out of range", tmp_path / "data")
    (violation,) = rulegen.check(SPEC, folder).violations
    assert violation.examples == ((4, -2.5), (17, 101.0))
    assert violation.pointer == "/tables/orders/columns/amount"
    assert violation.render() == ("orders.amount: range: 2 rows outside uniform {low: 0, high: 100} "
                                  "(rows 4, 17: -2.5, 101.0)")


def test_unparseable_values_show_the_text_read(clean: dict[str, Path], orders: pa.Table, tmp_path: Path) -> None:
    folder = planted(clean, orders, "jsonl", "unparseable value", tmp_path / "data")
    (violation,) = rulegen.check(SPEC, folder).violations
    assert violation.render() == "orders.qty: type: 1 row not parsing as integer (row 6: 'lots')"


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_exits_1_and_prints_one_line_per_violation(clean: dict[str, Path], orders: pa.Table, tmp_path: Path,
                                                       fmt: str) -> None:
    folder = planted(clean, orders, fmt, "value out of range", tmp_path / "data")
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(spec), str(folder)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("orders.amount: range: 2 rows outside uniform")
    assert lines[-1] == "1 violation in 1 of 2 tables (230 rows)"
    assert "Traceback" not in result.output


def test_cli_reports_a_missing_file_and_a_bad_folder(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["check", str(spec), str(empty)])
    assert result.exit_code == 1
    assert f"orders: file: no file in {empty} (looked for orders.parquet, orders.jsonl, orders.csv)" in result.output
    assert CliRunner().invoke(main, ["check", str(spec), str(tmp_path / "nowhere")]).exit_code == 2


def test_a_file_that_cannot_be_read_is_a_violation(clean: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(clean["jsonl"], folder)
    (folder / "orders.jsonl").write_text('{"id": 1}\n[not json\n', encoding="utf-8")
    report = rulegen.check(SPEC, folder)
    assert [(v.table, v.rule) for v in report.violations] == [("orders", "file")]
    assert "orders.jsonl cannot be read" in report.violations[0].message
