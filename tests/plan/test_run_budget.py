"""The run budget (rulegen/plan/budget.py): a run past it is refused before any row is made or
any count is drawn, whatever its size, and raising it lets the run go on, streaming."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.cli import main
from rulegen.engine.counts import LawCounts, block_totals
from rulegen.engine.stream import stream_table
from rulegen.errors import SpecError
from rulegen.plan import budget
from rulegen.plan.compiler import compile_spec

_Usage = namedtuple("_Usage", "total used free")

_HUGE_LAW = ("tables:\n  p:\n    rows: 1000000000\n    primary_key: id\n    columns:\n      id: {kind: sequence}\n"
             "  c:\n    rows: {per: p, kind: poisson, lam: 3}\n    columns:\n      p_id: {kind: ref, to: p.id}\n")
_SMALL_LAW = _HUGE_LAW.replace("1000000000", "200000")
_ROWS = "tables:\n  t:\n    rows: {rows}\n    columns:\n      id: {{kind: sequence}}\n      x: {{kind: normal}}\n"


def _free(monkeypatch: pytest.MonkeyPatch, free: int) -> None:
    monkeypatch.setattr(budget.shutil, "disk_usage", lambda path: _Usage(free * 2, free, free))


def _drawn(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The parent blocks whose counts are drawn from here on."""
    drawn: list[int] = []
    call = LawCounts.__call__

    def spy(self: LawCounts, block: int) -> np.ndarray:
        drawn.append(block)
        return call(self, block)

    monkeypatch.setattr(LawCounts, "__call__", spy)
    return drawn


def test_the_default_budget_is_the_constant_or_the_free_space_where_the_run_writes(tmp_path, monkeypatch) -> None:
    assert budget.default_max_bytes() == budget.DEFAULT_MAX_BYTES == 64 << 30
    _free(monkeypatch, 1 << 50)
    assert budget.default_max_bytes(tmp_path / "not" / "yet") == budget.DEFAULT_MAX_BYTES
    seen = []
    monkeypatch.setattr(budget.shutil, "disk_usage", lambda path: seen.append(path) or _Usage(10, 5, 5))
    assert budget.default_max_bytes(tmp_path / "not" / "yet") == 5
    assert seen == [tmp_path]  # the nearest folder that exists
    assert budget.default_max_bytes(in_memory=True) <= budget.DEFAULT_MAX_BYTES


def test_a_run_past_the_free_space_is_refused_by_default_and_runs_with_max_bytes(tmp_path, monkeypatch) -> None:
    text = _ROWS.format(rows=10_000)
    _free(monkeypatch, 100_000)
    with pytest.raises(SpecError) as caught:
        rulegen.write(text, tmp_path / "out")
    (problem,) = caught.value.diagnostics
    assert problem.code == "RG405" and problem.pointer == "/tables/t" and "budget of 100,000 bytes" in problem.message
    assert "--max-bytes N" in problem.hint and "max_bytes=N" in problem.hint
    assert not (tmp_path / "out").exists()
    paths = rulegen.write(text, tmp_path / "out", max_bytes=10**7)
    assert len(paths["t"].read_text().splitlines()) == 10_001


def test_seed_and_check_have_the_budget_too(tmp_path) -> None:
    text = _ROWS.format(rows=10_000)
    for run in (lambda: rulegen.seed_database(text, f"sqlite:///{tmp_path / 'db.sqlite'}", max_bytes=1000),
                lambda: rulegen.check(text, tmp_path, max_bytes=1000)):
        with pytest.raises(SpecError) as caught:
            run()
        assert caught.value.diagnostics[0].code == "RG405"
    assert not (tmp_path / "db.sqlite").exists()
    assert rulegen.seed_database(text, f"sqlite:///{tmp_path / 'db.sqlite'}", max_bytes=10**7) == {"t": 10_000}


def test_a_law_per_parent_row_past_the_budget_is_refused_before_its_counts_are_drawn(tmp_path, monkeypatch) -> None:
    drawn = _drawn(monkeypatch)
    with pytest.raises(SpecError) as caught:
        rulegen.write(_HUGE_LAW, tmp_path / "out")  # 15,259 parent blocks: drawn, they take minutes
    (problem,) = caught.value.diagnostics
    assert problem.code == "RG405" and "`c`: about 3,0" in problem.message
    assert drawn == [0]  # the estimate's block only


def test_a_law_per_parent_row_within_the_budget_is_drawn_in_full(tmp_path, monkeypatch) -> None:
    drawn = _drawn(monkeypatch)
    plan = rulegen.compile(_SMALL_LAW, max_bytes=10**9)
    assert sorted(set(drawn)) == list(range(4)) and not plan.tables["c"].estimated
    assert plan.tables["c"].rows == int(plan.tables["c"].link.prefix[-1])


def test_preview_refuses_to_draw_the_counts_of_a_table_past_the_budget(monkeypatch) -> None:
    drawn = _drawn(monkeypatch)
    with pytest.raises(SpecError) as caught:
        rulegen.preview(_HUGE_LAW, n=3)
    (problem,) = caught.value.diagnostics
    assert problem.code == "RG406" and problem.pointer == "/tables/c/rows" and drawn == [0]
    assert "1,000,000,000 rows of `p`" in problem.message and "--max-bytes N" in problem.hint
    frames = rulegen.preview(_SMALL_LAW, n=3)
    assert len(frames["c"]) == 3 and frames["c"].attrs["rows"] > 500_000


def test_preview_and_streams_of_a_table_of_1e15_rows_make_only_the_blocks_asked_for() -> None:
    text = _ROWS.format(rows=10**15)
    frames = rulegen.preview(text, n=2)
    assert frames["t"]["id"].tolist() == [1, 2] and frames["t"].attrs["rows"] == 10**15
    plan = compile_spec(rulegen.load(text))
    first = next(stream_table(plan.tables["t"], plan.seed))  # no list of its 1.5e10 blocks first
    assert first.num_rows == plan.tables["t"].block_rows
    with pytest.raises(SpecError) as caught:
        rulegen.compile(text, max_bytes=budget.DEFAULT_MAX_BYTES)
    assert "1,000,000,000,000,000 rows" in caught.value.diagnostics[0].message


def test_a_timeline_of_any_length_validates_and_its_run_meets_the_budget() -> None:
    text = ("tables:\n  t:\n    timeline: {start: 1950-01-01, end: 2049-12-31, every: 1s}\n"
            "    columns:\n      at: {kind: tick}\n")
    plan = compile_spec(rulegen.load(text), draw_counts=False)
    assert plan.tables["t"].rows == 3_155_760_000
    with pytest.raises(SpecError) as caught:
        rulegen.compile(text, max_bytes=budget.DEFAULT_MAX_BYTES)
    assert caught.value.diagnostics[0].code == "RG405"


def test_the_cli_takes_max_bytes_on_every_run(tmp_path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(_ROWS.format(rows=1000))
    runs = [["generate", str(spec), "-o", str(tmp_path / "out"), "--workers", "1"], ["check", str(spec), str(tmp_path)],
            ["seed", str(spec), "--db", f"sqlite:///{tmp_path / 'db.sqlite'}", "--workers", "1"]]
    for args in runs:
        result = CliRunner().invoke(main, [*args, "--max-bytes", "100"])
        assert result.exit_code == 1 and "error[RG405]" in result.stderr, (args, result.output)
    result = CliRunner().invoke(main, ["generate", str(spec), "-o", str(tmp_path / "out"), "--max-bytes", "100000"])
    assert result.exit_code == 0, result.output
    law = tmp_path / "law.yaml"
    law.write_text(_SMALL_LAW)
    result = CliRunner().invoke(main, ["preview", str(law), "-n", "2", "--max-bytes", "1000"])
    assert result.exit_code == 1 and "error[RG406]" in result.stderr


@settings(max_examples=40, deadline=None)
@given(parents=st.integers(0, 20_000), block_rows=st.sampled_from([1, 3, 7, 64]), lam=st.sampled_from([0.0, 0.5, 4.0]))
def test_block_totals_grow_to_the_prefix_sums_of_every_block(parents: int, block_rows: int, lam: float) -> None:
    spec = rulegen.load("tables:\n  p:\n    rows: 1\n    primary_key: id\n    columns: {id: {kind: sequence}}\n"
                        f"  c:\n    rows: {{per: p, kind: poisson, lam: {lam}}}\n"
                        "    columns: {p_id: {kind: ref, to: p.id}}\n")
    plan = compile_spec(spec, rows={"p": max(parents, 1)})
    counts = LawCounts(plan.tables["c"].link.counts.law, 0, "c", parents, block_rows)
    totals = block_totals(counts)
    sums = [int(counts(b).sum()) for b in range(counts.blocks)]
    assert totals.prefix is not None and totals.prefix.tolist() == [0, *np.cumsum(sums, dtype=np.int64).tolist()]
    if sum(sums) > 10:
        stopped = block_totals(counts, limit=10)
        assert stopped.prefix is None and stopped.reason == "limit"

