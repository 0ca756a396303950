"""Property: ``check`` compares 64-bit integer columns exactly, over the whole int64 range.

A float64 has no value of its own for most integers past 2**53, so a check that goes through
floats passes a neighbour of a bound and refuses a value on it (or stops on Arrow's refusal to
cast). Each example writes a CSV of arbitrary int64 values and expects exactly the rows that
Python's integers put outside the rule.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, currently_in_test_context, given, note, settings
from hypothesis import strategies as st

import rulegen

INT64 = st.integers(-(2**63), 2**63 - 1)
# Values near the ends and near 2**53 and 2**62, where floats lose the last digits.
EDGES = st.sampled_from([-(2**63), -(2**63) + 1, -(2**53) - 1, 2**53 + 1, 2**62 + 1, 2**63 - 2, 2**63 - 1])
VALUES = st.lists(st.one_of(INT64, EDGES), min_size=1, max_size=12)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check(tmp_path: Path, column: str, values: list[int]) -> rulegen.CheckReport:
    spec = f"version: 1\nseed: 1\ntables:\n  t:\n    rows: {len(values)}\n    columns:\n      x: {column}\n"
    if currently_in_test_context():
        note(spec)
    (tmp_path / "t.csv").write_text("x\n" + "".join(f"{v}\n" for v in values), encoding="utf-8")
    return rulegen.check(spec, tmp_path)


def _count(report: rulegen.CheckReport, rule: str) -> int:
    return sum(v.count for v in report.find("t", "x", rule))


@given(ends=st.tuples(st.one_of(INT64, EDGES), st.one_of(INT64, EDGES)).map(sorted), values=VALUES)
@SETTINGS
def test_integers_range_is_exact(tmp_path: Path, ends: list[int], values: list[int]) -> None:
    low, high = ends
    values = [*values, low, high, max(low - 1, -(2**63)), min(high + 1, 2**63 - 1)]
    report = _check(tmp_path, f"{{kind: integers, low: {low}, high: {high}}}", values)
    assert _count(report, "range") == sum(not low <= v <= high for v in values), report.render()


@given(start=st.one_of(INT64, EDGES), step=st.one_of(INT64, EDGES).filter(bool), values=VALUES,
       terms=st.integers(0, 5))
@SETTINGS
def test_sequence_terms_are_exact(tmp_path: Path, start: int, step: int, values: list[int], terms: int) -> None:
    rows = len(values) + terms
    inside = [start + k * step for k in range(rows) if -(2**63) <= start + k * step < 2**63]
    if len(inside) < rows:
        return  # the spec is refused: its sequence leaves the 64-bit integers
    values = values + inside[:terms]
    report = _check(tmp_path, f"{{kind: sequence, start: {start}, step: {step}}}", values)
    expected = sum(not ((v - start) % step == 0 and 0 <= (v - start) // step < rows) for v in values)
    assert _count(report, "sequence") == expected, report.render()


@given(digits=st.integers(1, 15), values=VALUES)
@SETTINGS
def test_rounding_grid_is_exact(tmp_path: Path, digits: int, values: list[int]) -> None:
    step = 10**digits
    low, high = -(2**63) + step, 2**63 - step  # values that round within the 64-bit integers
    report = _check(tmp_path, f"{{kind: integers, low: {low}, high: {high}, round: -{digits}}}", values)
    on_grid = [v for v in values if v % step == 0]
    assert _count(report, "round") == len(values) - len(on_grid), report.render()
    reached = [v for v in on_grid if low - step // 2 <= v <= high + step // 2]
    assert _count(report, "range") == len(on_grid) - len(reached), report.render()


@given(start=st.one_of(INT64, EDGES), step=st.one_of(INT64, EDGES).filter(bool), digits=st.integers(1, 15),
       values=VALUES)
@SETTINGS
def test_rounded_sequence_is_exact(tmp_path: Path, start: int, step: int, digits: int, values: list[int]) -> None:
    grid = 10**digits
    rows = len(values) + 2
    terms = [start + k * step for k in range(rows)]
    if not all(-(2**63) <= t < 2**63 and -(2**63) <= round(t, -digits) < 2**63 for t in terms):
        return  # the spec is refused: its sequence, or its rounding (half to even), leaves the 64-bit integers
    near = [t // grid * grid for t in terms[:2]]  # on the grid, a step below a term
    values = values + [v for v in near if v >= -(2**63)]
    report = _check(tmp_path, f"{{kind: sequence, start: {start}, step: {step}, round: -{digits}}}", values)
    on_grid = [v for v in values if v % grid == 0]
    assert _count(report, "round") == len(values) - len(on_grid), report.render()
    reached = [v for v in on_grid if any(abs(t - v) <= grid // 2 for t in terms)]
    assert _count(report, "sequence") == len(on_grid) - len(reached), report.render()


@given(points=st.lists(st.one_of(INT64, EDGES), min_size=1, max_size=4, unique=True), values=VALUES)
@SETTINGS
def test_choice_and_constant_values_are_exact(tmp_path: Path, points: list[int], values: list[int]) -> None:
    values = values + [p + d for p in points for d in (-1, 1) if -(2**63) <= p + d < 2**63]
    report = _check(tmp_path, f"{{kind: choice, values: {points}}}", values)
    assert _count(report, "domain") == sum(v not in points for v in values), report.render()
    report = _check(tmp_path, f"{{kind: constant, value: {points[0]}}}", values)
    assert _count(report, "domain") == sum(v != points[0] for v in values), report.render()


def test_clip_bounds_compare_integers_exactly(tmp_path: Path) -> None:
    low, high = 2**62, 2**62 + 2048  # floats have these, not their neighbours
    values = [low - 1, low, low + 1, high - 1, high, high + 1]
    report = _check(tmp_path, f"{{kind: integers, low: {low - 10}, high: {high + 10}, clip: [{low}, {high}]}}",
                    values)
    (clip,) = report.find("t", "x", "clip")
    assert clip.count == 2 and [row for row, _ in clip.examples] == [0, 5], report.render()


def test_aggregates_of_integers_past_2_53_compare_exactly(tmp_path: Path) -> None:
    big = 2**60  # past 2**53, and four children still sum within 64 bits
    spec = f"""version: 1
seed: 1
tables:
  p:
    rows: 2
    primary_key: id
    columns:
      id: {{kind: sequence}}
      total: {{kind: aggregate, of: c.x, fn: sum}}
      top: {{kind: aggregate, of: c.x, fn: max}}
  c:
    rows: 4
    columns:
      pid: {{kind: ref, to: p.id}}
      x: {{kind: integers, low: {big}, high: {big + 100}}}
"""
    rulegen.write(spec, tmp_path, "csv")
    assert rulegen.check(spec, tmp_path).ok
    parent = (tmp_path / "p.csv").read_text().splitlines()
    row = parent[1].split(",")
    row[2] = str(int(row[2]) + 1)  # the largest child plus one: the same float, another integer
    (tmp_path / "p.csv").write_text("\n".join([parent[0], ",".join(row), *parent[2:]]) + "\n")
    report = rulegen.check(spec, tmp_path)
    assert [(v.column_or_rule, v.rule, v.count) for v in report.violations] == [("top", "aggregate", 1)]


@given(points=st.lists(st.one_of(INT64, EDGES), min_size=1, max_size=4, unique=True), values=VALUES)
@SETTINGS
def test_rounded_choice_is_exact(tmp_path: Path, points: list[int], values: list[int]) -> None:
    near = [p // 10 * 10 + d for p in points for d in (0, 10)]  # the grid points on each side
    values = [*values, *(v for v in near if -(2**63) <= v < 2**63)]
    report = _check(tmp_path, f"{{kind: choice, values: {points}, round: -1}}", values)
    on_grid = [v for v in values if v % 10 == 0]
    assert _count(report, "round") == len(values) - len(on_grid), report.render()
    reached = [v for v in on_grid if any(abs(p - v) <= 5 for p in points)]
    assert _count(report, "domain") == len(on_grid) - len(reached), report.render()
