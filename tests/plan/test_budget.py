"""The byte budget (rulegen/plan/budget.py): static widths bound the real values, and every
limit is a located error."""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import rulegen
from rulegen.errors import GenerationError, SpecError
from rulegen.plan import budget
from rulegen.plan.compiler import compile_spec
from rulegen.plan.plan import Plan
from tests.properties.strategies import SEEDS, TABLE, table_specs


def _longest(values: pa.Array) -> int:
    text = values if pa.types.is_string(values.type) else pc.cast(values, pa.string())
    return int(pc.max(pc.binary_length(text)).as_py() or 0)


def _values(plan: Plan, table: str) -> dict[str, pa.Array]:
    from rulegen.engine.evaluate import evaluate_values

    table_plan = plan.tables[table]
    blocks = [evaluate_values(table_plan, plan.seed, b) for b in range(table_plan.blocks)]
    return {name: pa.concat_arrays([b[name] for b in blocks]) for name in table_plan.columns} if blocks else {}


def _assert_widths_bound_values(plan: Plan, table: str) -> None:
    for name, values in _values(plan, table).items():
        width = plan.tables[table].columns[name].width
        if width is not None and len(values):
            assert _longest(values) <= width, f"{name}: a value of {_longest(values)} bytes, width {width}"


@given(case=table_specs(max_rows=200), seed=SEEDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_width_of_every_column_bounds_its_values(case, seed: int) -> None:
    note(case.yaml)
    _assert_widths_bound_values(compile_spec(rulegen.load(case.yaml), seed=seed), TABLE)


_ATOMS = st.one_of(
    st.sampled_from(["[a-z]", "[A-Z0-9_]", r"\d", r"\w", ".", "[^a-c]", "x", "-"]),
    st.characters(min_codepoint=0xA0, max_codepoint=0x2FFFF, categories=["L", "N", "S"]),
)


@st.composite
def _patterns(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        atom = draw(_ATOMS if depth >= 2 else st.one_of(_ATOMS, _patterns(depth + 1).map(lambda p: f"({p})"),
                                                         st.tuples(_patterns(depth + 1), _patterns(depth + 1))
                                                         .map(lambda ab: f"({ab[0]}|{ab[1]})")))
        low = draw(st.integers(0, 4))
        parts.append(atom + draw(st.sampled_from(["", "?", "*", "+", f"{{{low}}}", f"{{{low},{low + 3}}}"])))
    return "".join(parts)


_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x10FFFF, exclude_categories=["Cs", "Cc"]),
                max_size=12).filter(lambda t: "{" not in t and "}" not in t)


@given(patterns=st.lists(_patterns(), min_size=1, max_size=3), literal=_TEXT, constant=_TEXT,
       case=st.sampled_from(["", "lower", "upper"]), seed=SEEDS)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_width_of_patterns_and_templates_bounds_their_values(patterns: list[str], literal: str, constant: str,
                                                                 case: str, seed: int) -> None:
    columns = {f"p{i}": {"kind": "pattern", "pattern": p} for i, p in enumerate(patterns)}
    columns["k"] = {"kind": "constant", "value": constant}
    columns["n"] = {"kind": "integers", "low": -10**6, "high": 10**6}
    parts = "".join("{" + name + "}" + literal for name in columns)
    columns["t"] = {"kind": "template", "template": parts, **({case: True} if case else {})}
    columns["e"] = {"kind": "expr", "expr": "concat(t, '-', upper(k), n)"}
    text = json.dumps({"tables": {TABLE: {"rows": 300, "columns": columns}}}, ensure_ascii=False, indent=1)
    note(text)
    try:
        plan = compile_spec(rulegen.load(text), seed=seed)
    except SpecError as exc:  # a drawn pattern outside the subset
        assert all(d.code == "RG215" for d in exc.diagnostics), exc
        return
    _assert_widths_bound_values(plan, TABLE)


def _spec(columns: str, rows: int = 10) -> str:
    return f"tables:\n  t:\n    rows: {rows}\n    columns:\n{columns}"


def test_a_value_over_the_budget_is_refused_at_compile_naming_the_column() -> None:
    text = _spec('      a: {kind: constant, value: "0123456789"}\n'
                 '      b: {kind: template, template: "' + "{a}" * 120_000 + '"}\n'
                 '      c: {kind: template, template: "{b}"}\n')
    with pytest.raises(SpecError) as caught:
        compile_spec(rulegen.load(text))
    (problem,) = caught.value.diagnostics  # c, built on b, is not reported again
    assert problem.code == "RG258" and problem.pointer == "/tables/t/columns/b" and "1,200,000" in problem.message


def test_a_run_over_max_bytes_is_refused_before_any_row_with_its_estimate(tmp_path) -> None:
    text = _spec("      a: {kind: pattern, pattern: '[a-z]{10}'}\n", rows=100_000)
    with pytest.raises(SpecError) as caught:
        rulegen.write(text, tmp_path / "out", max_bytes=1_000_000)
    (problem,) = caught.value.diagnostics
    assert problem.code == "RG405" and "1,300,000" in problem.message and "budget of 1,000,000 bytes" in problem.message
    assert "--max-bytes N" in problem.hint and "max_bytes=N" in problem.hint
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    paths = rulegen.write(text, tmp_path / "ok", max_bytes=1_300_000)
    assert paths["t"].stat().st_size <= 1_300_000 + 10  # the estimate bounds the file (and its header)


def test_blocks_are_measured_as_they_are_made(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = compile_spec(rulegen.load(_spec("      a: {kind: pattern, pattern: '[a-z]{5}'}\n")))
    column = plan.tables["t"].columns["a"]
    long = pa.array(["x" * 100] * 10)
    measured = SimpleNamespace(name="t", columns={"a": dataclasses.replace(column, width=None)})
    budget.check_block(measured, {"a": long})  # within the budget
    monkeypatch.setattr(budget, "MAX_VALUE_BYTES", 50)
    with pytest.raises(GenerationError) as caught:
        budget.check_block(measured, {"a": long})
    assert caught.value.diagnostics[0].code == "RG404" and caught.value.diagnostics[0].pointer == "/tables/t/columns/a"
    budget.check_block(plan.tables["t"], {"a": long})  # a column of known width is not measured value by value
    monkeypatch.setattr(budget, "MAX_BLOCK_BYTES", 500)
    with pytest.raises(GenerationError) as caught:
        budget.check_block(plan.tables["t"], {"a": long})
    (problem,) = caught.value.diagnostics
    assert problem.code == "RG403" and "`a` holds 1,040 bytes" in problem.message


def test_validate_estimates_rows_per_parent_without_drawing_them() -> None:
    text = ("tables:\n  p:\n    rows: 1000000000\n    columns:\n      id: {kind: sequence, unique: true}\n"
            "  c:\n    rows: {per: p, kind: poisson, lam: 2}\n    columns:\n      p_id: {kind: ref, to: p.id}\n")
    plan = compile_spec(rulegen.load(text), draw_counts=False)
    child = plan.tables["c"]
    assert child.estimated and 1.99e9 < child.rows < 2.01e9
    assert child.link is not None and child.link.prefix is None  # nothing kept per parent block


_MANY_CHILDREN = ("tables:\n  p:\n    rows: 1000000000\n    columns:\n      id: {kind: sequence, unique: true}\n"
                  "  c:\n    rows: {per: p, kind: poisson, lam: 1.0e+12}\n"
                  "    columns:\n      p_id: {kind: ref, to: p.id}\n")


def test_counts_that_overflow_int64_are_located_while_drawn() -> None:
    with pytest.raises(SpecError) as caught:
        compile_spec(rulegen.load(_MANY_CHILDREN))  # stops after ~140 parent blocks, not 15,000
    (problem,) = caught.value.diagnostics
    assert problem.code == "RG260" and problem.pointer == "/tables/c/rows"


def test_counts_stop_being_drawn_once_the_run_passes_max_bytes() -> None:
    text = _MANY_CHILDREN.replace("1000000000", "1000000").replace("1.0e+12", "100")
    with pytest.raises(SpecError) as caught:
        compile_spec(rulegen.load(text), max_bytes=50_000_000)
    (problem,) = caught.value.diagnostics
    assert problem.code == "RG405" and problem.pointer == "/tables/c/rows"
    assert "after 8 of 16 parent blocks" in problem.message, problem.message
