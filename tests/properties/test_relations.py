"""Relations (README.md, "Relations" and "Guarantees"), as properties over random multi-table specs.

Specs come from :func:`relation_specs`: 1-2 roots and 1-3 children (``rows: {per: ...}``) with
refs (own parent, drawn, skewed, nullable, back from a root to a child), lookups (and lookups
of lookups), sequences within a parent, aggregates of children and cross-table constraints.
What each spec promises is worked out from its drawn parameters; the data is checked against that.
"""

from __future__ import annotations

import random

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import rulegen
from rulegen.plan.compiler import compile_spec
from tests.properties.relations_strategies import RelCase, relation_specs

SLOW = [HealthCheck.too_slow]
MAX_ALONE = 24  # blocks per table made alone, each on a fresh plan (a shuffled sample beyond that)


def generate(case: RelCase) -> dict[str, pd.DataFrame]:
    note(case.yaml)
    return rulegen.generate(case.yaml)


def parent_rows(parent: pd.DataFrame, keys: pd.Series) -> pd.Series:
    """The parent row number of each (non-null) key."""
    assert parent.k.is_unique, "a ref target must be unique"
    index = pd.Series(range(len(parent)), index=parent.k.to_numpy())
    return index.loc[keys.to_numpy()].reset_index(drop=True)


@settings(max_examples=80, deadline=None, suppress_health_check=SLOW)
@given(relation_specs())
def test_no_orphans(case: RelCase) -> None:
    data = generate(case)
    for t in case.tables.values():
        for ref in t.refs:
            values = data[t.name][ref.column]
            if ref.null == 0:
                assert values.notna().all(), f"{t.name}.{ref.column} has nulls"
            orphans = values.dropna()[~values.dropna().isin(data[ref.parent].k)]
            assert orphans.empty, f"{t.name}.{ref.column}: orphans {orphans.tolist()[:5]}"


@settings(max_examples=80, deadline=None, suppress_health_check=SLOW)
@given(relation_specs())
def test_lookups_equal_the_referenced_row(case: RelCase) -> None:
    data = generate(case)
    for t in case.tables.values():
        refs = {r.column: r for r in t.refs}
        child = data[t.name]
        for lk in t.lookups:
            parent = data[refs[lk.via].parent]
            via = child[lk.via]
            present = via.notna().to_numpy()
            rows = parent_rows(parent, via[present])
            expected = parent[lk.source].iloc[rows.to_numpy()].tolist()
            got = child[lk.column][present].tolist()
            assert got == expected, f"{t.name}.{lk.column} != {refs[lk.via].parent}.{lk.source} via {lk.via}"
            assert child[lk.column][~present].isna().all(), f"{t.name}.{lk.column}: a value through a null ref"


@settings(max_examples=80, deadline=None, suppress_health_check=SLOW)
@given(relation_specs())
def test_aggregates_equal_the_reduction_of_the_children(case: RelCase) -> None:
    data = generate(case)
    for t in case.tables.values():
        parent = data[t.name]
        for agg in t.aggregates:
            child = data[agg.child]
            rows = parent_rows(parent, child.p)
            reduced = child.v.groupby(rows.to_numpy()).agg({"count": "size"}.get(agg.fn, agg.fn))
            expected = reduced.reindex(range(len(parent)))
            if agg.fn in ("sum", "count"):  # a parent without children: 0, not null
                expected = expected.fillna(0)
            got = parent[agg.column].astype("float64").to_numpy()
            want = expected.astype("float64").to_numpy()
            assert ((got == want) | (pd.isna(got) & pd.isna(want)) | (abs(got - want) < 1e-9)).all(), agg


@settings(max_examples=80, deadline=None, suppress_health_check=SLOW)
@given(relation_specs())
def test_children_come_parent_by_parent(case: RelCase) -> None:
    data = generate(case)
    for t in case.tables.values():
        if t.per is None:
            continue
        child, parent = data[t.name], data[t.per]
        rows = parent_rows(parent, child.p)
        assert rows.is_monotonic_increasing, f"{t.name}: children not contiguous in parent order"
        counts = rows.value_counts().reindex(range(len(parent)), fill_value=0)
        if t.count is not None:
            assert len(child) == t.count * len(parent)
            assert (counts == t.count).all(), f"{t.name}: per-parent counts {counts.tolist()} != {t.count}"
        for w in t.withins:
            for parent_row, group in child.groupby(rows.to_numpy(), sort=True):
                expected = [w.start + w.step * i for i in range(len(group))]
                assert group[w.column].tolist() == expected, f"{t.name}.{w.column} for parent row {parent_row}"
            assert not child.duplicated([w.via, w.column]).any(), f"{t.name}: ({w.via}, {w.column}) repeats"


@settings(max_examples=80, deadline=None, suppress_health_check=SLOW)
@given(relation_specs())
def test_constraints_hold_on_every_row(case: RelCase) -> None:
    data = generate(case)
    for t in case.tables.values():
        child = data[t.name]
        for left, right in t.constraints:
            broken = child[~(child[left] >= child[right])]
            assert broken.empty, f"{t.name}: {left} >= {right} broken on\n{broken}"


@settings(max_examples=50, deadline=None, suppress_health_check=SLOW)
@given(relation_specs(), st.integers(0, 2**32), st.integers(1, 50), st.randoms(use_true_random=False))
def test_blocks_in_any_order_on_fresh_plans_equal_the_in_order_run(case: RelCase, seed: int, block_rows: int,
                                                                   rnd: random.Random) -> None:
    note(case.yaml)
    spec = rulegen.load(case.yaml)
    plan = compile_spec(spec, seed=seed, block_rows=block_rows)
    for name in case.tables:
        whole = list(rulegen.iter_blocks(plan, name, arrow=True))
        blocks = list(range(plan.tables[name].blocks))
        assert len(whole) == len(blocks), f"{name}: {len(whole)} batches for {len(blocks)} blocks"
        rnd.shuffle(blocks)
        if len(blocks) > MAX_ALONE:  # keep the run short: a shuffled sample, with the first and last block
            blocks = sorted({0, len(blocks) - 1} | set(blocks[:MAX_ALONE - 2]), key=blocks.index)
        parts = {}
        for b in blocks:
            fresh = compile_spec(spec, seed=seed, block_rows=block_rows)
            (parts[b],) = rulegen.iter_blocks(fresh, name, blocks=[b], arrow=True)
        for b in blocks:
            assert parts[b].equals(whole[b]), f"{name}: block {b} differs alone"
        if whole and len(parts) == len(whole):
            assert pa.Table.from_batches([parts[b] for b in sorted(parts)]).equals(pa.Table.from_batches(whole))


@settings(max_examples=30, deadline=None, suppress_health_check=SLOW)
@given(relation_specs())
def test_check_is_clean_on_written_parquet(tmp_path_factory: pytest.TempPathFactory, case: RelCase) -> None:
    note(case.yaml)
    directory = tmp_path_factory.mktemp("rel")
    rulegen.write(case.yaml, directory, "parquet")
    report = rulegen.check(case.yaml, directory)
    assert report.ok, report.summary() + "\n" + "\n".join(map(str, report.violations))


# --------------------------------------------------------------------------------------------
# Known bugs, each with a minimal spec
# --------------------------------------------------------------------------------------------

EMPTY_PARENT = """
version: 1
tables:
  r0:
    rows: 1
    primary_key: k
    columns:
      k: {kind: sequence}
  c0:
    rows: {per: r0, count: 0}
    primary_key: k
    columns:
      p: {kind: ref, to: r0.k}
      k: {kind: sequence}
  c1:
    rows: {per: r0, count: 1}
    columns:
      p: {kind: ref, to: r0.k}
      o: {kind: ref, to: c0.k, null: 0.3}
"""


def test_ref_to_an_empty_table() -> None:
    """Was: ArrowIndexError. A drawn ref to a table with no rows has nothing to point to: null."""
    try:
        data = rulegen.generate(EMPTY_PARENT)
    except rulegen.RulegenError:
        return  # a clean error naming the problem is acceptable
    assert data["c1"].o.isna().all()


LOOKUP_THROUGH_NULL = """
version: 1
seed: 7
tables:
  r0:
    rows: 1
    primary_key: k
    columns:
      k: {kind: sequence}
      cat: {kind: choice, values: ["a"]}
  c0:
    rows: {per: r0, count: 1}
    columns:
      p: {kind: ref, to: r0.k}
      o: {kind: ref, to: r0.k, null: 0.3}
      o_cat: {kind: lookup, via: o, column: cat}
"""


def test_check_accepts_a_lookup_through_a_null_ref(tmp_path) -> None:
    """Was: check flagged the null that generate writes for a lookup through a null ref."""
    rulegen.write(LOOKUP_THROUGH_NULL, tmp_path, "parquet")
    assert rulegen.generate(LOOKUP_THROUGH_NULL)["c0"].o.isna().all()  # the case: the ref is null
    report = rulegen.check(LOOKUP_THROUGH_NULL, tmp_path)
    assert report.ok, report.violations
