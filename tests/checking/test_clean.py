"""Data written by ``generate`` checks clean, in every format, for every single-table kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import rulegen
from rulegen.cli import main
from rulegen.kinds import KINDS
from tests.checking.helpers import FORMATS, NOT_SINGLE_TABLE, every_kind_spec
from tests.conftest import ROOT

CUSTOMERS = ROOT / "schemas" / "customers.yaml"


@pytest.mark.parametrize("fmt", FORMATS)
def test_shipped_customers_spec_checks_clean(tmp_path: Path, fmt: str) -> None:
    rulegen.write(CUSTOMERS, tmp_path, fmt, rows={"customers": 3000}, seed=3)
    report = rulegen.check(CUSTOMERS, tmp_path, rows={"customers": 3000}, seed=3)
    assert report.ok, report.render()
    assert [(t.name, t.path, t.rows) for t in report.tables] == [("customers", tmp_path / f"customers.{fmt}", 3000)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_single_table_kind_checks_clean(tmp_path: Path, fmt: str) -> None:
    spec = every_kind_spec()
    rulegen.write(spec, tmp_path, fmt)
    report = rulegen.check(spec, tmp_path)
    assert report.ok, report.render()
    # The rule that reads a hidden column is skipped, and says so.
    assert [(s.table, s.column_or_rule, s.rule) for s in report.skipped] == [("every", "constraints[1]", "constraint")]
    assert "reads `secret`" in report.skipped[0].reason


def test_the_every_kind_spec_covers_every_single_table_kind() -> None:
    spec = rulegen.load(every_kind_spec())
    used = {column.kind for column in spec.tables["every"].columns.values()}
    assert {k.name for k in KINDS} - NOT_SINGLE_TABLE <= used


def test_cli_check_of_clean_data_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    generated = runner.invoke(main, ["generate", str(CUSTOMERS), "--out", str(out), "--rows", "customers=500",
                                     "--seed", "9", "-q"])
    assert generated.exit_code == 0, generated.output
    result = runner.invoke(main, ["check", str(CUSTOMERS), str(out), "--rows", "customers=500", "--seed", "9"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ok: no violations in 1 table (500 rows)"


def test_scale_sets_the_expected_row_counts(tmp_path: Path) -> None:
    rulegen.write(CUSTOMERS, tmp_path, "parquet", scale=0.01)
    assert rulegen.check(CUSTOMERS, tmp_path).ok  # the scale comes from the manifest
    report = rulegen.check(CUSTOMERS, tmp_path, scale=1.0)
    assert [(v.table, v.rule) for v in report.violations] == [("customers", "rows")]
    assert "has 1,000 rows, the spec makes 100,000" in report.render()


def test_several_files_for_a_table_read_one_and_say_so(tmp_path: Path) -> None:
    spec = every_kind_spec(rows=50)
    rulegen.write(spec, tmp_path, "csv")
    rulegen.write(spec, tmp_path, "parquet")
    report = rulegen.check(spec, tmp_path)
    assert report.ok
    assert {t.path.suffix for t in report.tables} == {".parquet"}
    assert ("every", "file", "every.csv not read (every.parquet was)") in {
        (s.table, s.rule, s.reason) for s in report.skipped}


def test_the_check_function_is_not_shadowed_by_its_package() -> None:
    import rulegen.checking.report  # importing the package must not rebind the function rulegen.check

    assert callable(rulegen.check)
    assert "check" in rulegen.__all__
