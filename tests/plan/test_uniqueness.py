"""How the compiler meets each ``unique`` (rulegen/plan/uniqueness.py): which declarations make a
column unique alone, which composite keys are built, checked or already hold, and what a
constraint's redraw does to a built key."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rulegen
from rulegen.errors import SpecError
from rulegen.plan.compiler import compile_spec
from rulegen.plan.uniqueness import _MAX_SPACE, _capped, alone


def _plan(yaml: str, **options):
    return compile_spec(rulegen.load(yaml), **options)


def _table(columns: str, keys: str, rows: int = 50) -> str:
    body = "\n".join(f"      {line}" for line in columns.strip().splitlines())
    return f"version: 1\ntables:\n  t:\n    rows: {rows}\n    {keys}\n    columns:\n{body}\n"


def test_alone_names_every_one_column_declaration_and_where_to_report_it() -> None:
    spec = rulegen.load(_table("""
a: {kind: sequence}
b: {kind: integers, low: 1, high: 99, unique: true}
c: {kind: integers, low: 1, high: 99}
d: {kind: integers, low: 1, high: 99}
e: {kind: integers, low: 1, high: 99}
""", "primary_key: a\n    unique: [c, [d, e]]")).tables["t"]
    assert alone(spec) == {"a": "/tables/t/columns/a", "b": "/tables/t/columns/b/unique", "c": "/tables/t/columns/c"}


GROUPS = """
n1: {kind: integers, low: 1, high: 30}
n2: {kind: integers, low: 1, high: 30}
z:  {kind: normal, loc: 0, scale: 1}
id: {kind: sequence}
"""


@pytest.mark.parametrize(("keys", "built", "checked"), [
    ("unique: [[n1, n2]]", {"n1", "n2"}, []),  # listable columns: built
    ("unique: [[n1, z]]", set(), [("n1", "z")]),  # a continuous column: checked as made
    ("unique: [[n1, id]]", set(), []),  # the sequence is distinct: the pair holds
    ("unique: [[n1, n2], [n2, n1]]", {"n1", "n2"}, []),  # the same set twice: once
    ("primary_key: [n1, n2]\n    unique: [[n2, z], [n1, n2, z]]", {"n1", "n2"}, [("n2", "z"), ("n1", "n2", "z")]),
])
def test_each_composite_key_is_built_checked_or_already_holds(keys: str, built: set[str],
                                                              checked: list[tuple[str, ...]]) -> None:
    table = _plan(_table(GROUPS, keys)).tables["t"]
    assert {name for name, c in table.columns.items() if c.composite is not None} == built
    assert [check.columns for check in table.unique_checks] == checked


def test_a_column_takes_part_in_one_built_key_only() -> None:
    """A second listable key over a built column is checked: it cannot take two permutations."""
    columns = "a: {kind: integers, low: 1, high: 20}\nb: {kind: integers, low: 1, high: 20}\n" \
              "c: {kind: integers, low: 1, high: 20}"
    table = _plan(_table(columns, "unique: [[a, b], [b, c]]", rows=300)).tables["t"]
    assert table.columns["c"].composite is None
    assert [check.columns for check in table.unique_checks] == [("b", "c")]
    frame = rulegen.generate(rulegen.load(_table(columns, "unique: [[a, b]]", rows=300)))["t"]
    assert not frame.duplicated(["a", "b"]).any()


def test_built_keys_redrawn_by_a_constraint_stay_distinct() -> None:
    """Rows that fail a constraint take spare points of the key's space, whole key at once."""
    yaml = _table("a: {kind: integers, low: 1, high: 40}\nb: {kind: integers, low: 1, high: 40}\n"
                  "c: {kind: uniform, low: 0, high: 1}", "unique: [[a, b]]", rows=400)
    yaml += "    constraints:\n      - \"a != b\"\n      - \"a < 35\"\n"
    table = _plan(yaml).tables["t"]
    assert {"a", "b"} <= set(table.redraw)
    assert table.columns["a"].composite.spares == table.columns["b"].composite.spares > 0
    frame = rulegen.generate(rulegen.load(yaml), seed=5)["t"]
    assert not frame.duplicated(["a", "b"]).any()
    assert (frame["a"] != frame["b"]).all() and (frame["a"] < 35).all()


def test_a_faker_pool_counts_its_distinct_values() -> None:
    columns = "color: {kind: faker, provider: color_name, pool: 40}\nsize: {kind: choice, values: [S, M, L]}"
    table = _plan(_table(columns, "unique: [[color, size]]", rows=20)).tables["t"]
    slot = table.columns["color"].composite
    assert slot.source == "pool" and slot.radices[0] == len(set(slot.values.to_pylist())) <= 40


@given(sizes=st.lists(st.integers(1, 2**64) | st.integers(1, 50), min_size=1, max_size=5))
def test_capped_spaces_fit_and_keep_the_small_ones(sizes: list[int]) -> None:
    capped = _capped(sizes)
    assert math.prod(capped) <= _MAX_SPACE
    assert all(1 <= c <= s for c, s in zip(capped, sizes, strict=True))
    if math.prod(sizes) <= _MAX_SPACE:
        assert list(capped) == sizes
    assert all(c == s for c, s in zip(capped, sizes, strict=True) if s <= 2**12)


def test_a_ref_to_part_of_a_composite_key_is_checked_not_built() -> None:
    """Parent rows share the values of a key part: distinct parent rows are not distinct values."""
    yaml = """version: 1
tables:
  lines:
    rows: 40
    primary_key: [order_id, line_no]
    columns:
      order_id: {kind: integers, low: 1, high: 10}
      line_no: {kind: integers, low: 1, high: 4}
  refunds:
    rows: 30
    unique: [[order_id, reason]]
    columns:
      order_id: {kind: ref, to: lines.order_id}
      line_no: {kind: lookup, via: order_id, column: line_no}
      reason: {kind: choice, values: [damaged, late, wrong, other]}
"""
    plan = _plan(yaml)
    assert plan.tables["lines"].columns["order_id"].composite is not None
    refunds = plan.tables["refunds"]
    assert refunds.columns["order_id"].composite is None
    assert [c.columns for c in refunds.unique_checks] == [("order_id", "reason")]
    frames = rulegen.generate(rulegen.load(yaml), seed=2)
    assert not frames["refunds"].duplicated(["order_id", "reason"]).any()
    assert not frames["lines"].duplicated(["order_id", "line_no"]).any()


def test_a_table_level_unique_faker_column_is_built_from_distinct_values() -> None:
    """Once RG402 on 25 rows: `unique: [n_name]` over `faker: country` was only checked."""
    yaml = _table("n_key: {kind: sequence}\nn_name: {kind: faker, provider: country}", "unique: [n_name]", rows=25)
    column = _plan(yaml).tables["t"].columns["n_name"]
    assert column.uniqueness.value == "construct"
    assert not rulegen.generate(rulegen.load(yaml), seed=1)["t"]["n_name"].duplicated().any()


@pytest.mark.parametrize("declared", ["unique: true", "table"])
def test_a_unique_ref_points_to_distinct_parent_rows(declared: str) -> None:
    """One-to-one: a unique ref is built from a permutation of the parent's rows, not checked."""
    ref = "{kind: ref, to: users.id" + (", unique: true}" if declared == "unique: true" else "}")
    yaml = f"""version: 1
tables:
  users:
    rows: 300
    primary_key: id
    columns:
      id: {{kind: sequence}}
  profiles:
    rows: 280
    {"unique: [user_id]" if declared == "table" else "primary_key: pid"}
    columns:
      pid: {{kind: sequence}}
      user_id: {ref}
"""
    profiles = compile_spec(rulegen.load(yaml), block_rows=50).tables["profiles"]
    assert profiles.columns["user_id"].composite is not None and not profiles.unique_checks
    frame = rulegen.generate(rulegen.load(yaml))["profiles"]
    assert not frame["user_id"].duplicated().any() and frame["user_id"].between(1, 300).all()
    with pytest.raises(SpecError) as info:
        _plan(yaml.replace("rows: 280", "rows: 301"))
    assert [(d.code, d.message) for d in info.value.diagnostics] == [
        ("RG310", "cannot make 301 unique values: `users` has 300 rows to point to")]
