"""A target's own limits on names, checked once the target is known and before anything is
written: PostgreSQL's 63-byte identifiers (longer ones are cut, so two names could become one)
and system columns, MySQL's 64 characters."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rulegen.cli import main

LOCATED = re.compile(r"spec\.yaml:(\d+):(\d+): error\[(RG\d{3})\]")


def _spec(tmp_path: Path, tables: dict[str, list[str]], hidden: tuple[str, ...] = ()) -> Path:
    data = {"tables": {t: {"rows": 2, "columns": {c: {"kind": "sequence", **({"hidden": True} if c in hidden else {})}
                                                  for c in columns}}
                       for t, columns in tables.items()}}
    path = tmp_path / "spec.yaml"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def _run(args: list[str]) -> Result:
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def _script(spec: Path, out: Path, dialect: str) -> Result:
    return _run(["generate", str(spec), "-o", str(out), "-f", "sql", "--dialect", dialect, "--workers", "1"])


@pytest.mark.parametrize("dialect, long, fits", [
    ("postgresql", "t" * 64, "t" * 63),
    ("postgresql", "é" * 32, "é" * 31 + "t"),  # 64 bytes; 63 bytes
    ("mysql", "t" * 65, "é" * 64),  # MySQL counts characters
])
def test_names_over_a_targets_limit_are_located_errors_before_anything_is_written(
        tmp_path: Path, dialect: str, long: str, fits: str) -> None:
    spec = _spec(tmp_path, {long: ["id", long], fits: ["id", fits]})
    result = _script(spec, tmp_path / "out", dialect)
    assert result.exit_code == 1
    found = LOCATED.findall(result.stderr)
    assert [code for *_, code in found] == ["RG246", "RG246"], result.stderr
    assert [int(line) for line, *_ in found] == [3, 9]  # the table's key, then the column's
    assert not (tmp_path / "out").exists()
    for other in ("sqlite", "duckdb"):
        assert _script(spec, tmp_path / other, other).exit_code == 0


def test_a_seed_refuses_long_names_before_connecting(tmp_path: Path) -> None:
    spec = _spec(tmp_path, {"t" * 64: ["id"]})
    result = _run(["seed", str(spec), "--db", f"postgresql://nobody@/nothing?host={tmp_path}&connect_timeout=1"])
    assert result.exit_code == 1 and "error[RG246]" in result.stderr and "RG502" not in result.stderr


def test_postgresql_system_columns_are_refused_where_written(tmp_path: Path, pg_database: str) -> None:
    spec = _spec(tmp_path, {"t": ["id", "xmin", "CTID", "ctid_ok"], "u": ["tableoid"]}, hidden=("tableoid",))
    for args in (["seed", str(spec), "--db", pg_database], ["generate", str(spec), "-o", str(tmp_path / "out"),
                                                             "-f", "sql", "--dialect", "postgresql"]):
        result = _run(args)
        assert result.exit_code == 1
        assert [code for *_, code in LOCATED.findall(result.stderr)] == ["RG247", "RG247"], result.stderr
        assert "'xmin'" in result.stderr and "'CTID'" in result.stderr
    assert _script(spec, tmp_path / "sqlite", "sqlite").exit_code == 0


def test_mysql_names_beyond_the_basic_multilingual_plane_are_refused(tmp_path: Path) -> None:
    spec = _spec(tmp_path, {"t\U0001F600": ["id", "\U00010000x"], "ok\uFFFD": ["id"]})
    result = _script(spec, tmp_path / "out", "mysql")
    assert result.exit_code == 1
    assert [code for *_, code in LOCATED.findall(result.stderr)] == ["RG248", "RG248"], result.stderr
    assert _script(spec, tmp_path / "pg", "postgresql").exit_code == 0


def test_names_with_lone_surrogates_are_refused_past_the_loader() -> None:
    """The loader refuses lone surrogates anywhere; the name check refuses them too, for specs
    built from data that did not come through it."""
    from rulegen.spec.names import name_problems

    problems = name_problems({"tables": {"t\udc80": {"columns": {"c\ud800": {}, "ok": {}}}}})
    assert [(p.code, p.pointer, p.at_key) for p in problems] == [
        ("RG240", "/tables/t\udc80", True), ("RG240", "/tables/t\udc80/columns/c\ud800", True)]
    assert "lone surrogate U+DC80" in problems[0].message
