"""Row counts through chains of tables generated per parent stay within what the source holds
(or a fixed limit for tables it leaves empty), however long the chain and whatever the counts
multiply to: the spec ``introspect`` writes stays inside a run's budget. Synthetic catalogs."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.introspection.counts import MAX_GUESSED_ROWS, bound_children, children_law, mean_count
from rulegen.introspection.model import Catalog, ColumnInfo, ForeignKey, TableInfo, TableSample
from rulegen.introspection.render import render_spec
from rulegen.introspection.tables import choose_links, draft_tables, fit_count
from rulegen.plan.budget import DEFAULT_MAX_BYTES, estimate_run

TODAY = datetime.date(2026, 1, 1)


def chain(rows: list[int]) -> Catalog:
    """t0 <- t1 <- t2 ...: each table's NOT NULL up_id refers to the table before it."""
    tables = {}
    for level, count in enumerate(rows):
        columns = {"id": ColumnInfo("id", "INTEGER", "integer", nullable=False)}
        keys = []
        if level:
            columns["up_id"] = ColumnInfo("up_id", "INTEGER", "integer", nullable=False)
            keys = [ForeignKey(("up_id",), f"t{level - 1}", ("id",))]
        tables[f"t{level}"] = TableInfo(f"t{level}", columns, primary_key=("id",), foreign_keys=keys, rows=count)
    return Catalog("synthetic", "sqlite", tables)


def planned(catalog: Catalog, samples: dict[str, TableSample] | None = None) -> dict[str, int]:
    """The rows of each table of the spec the catalog gives, as compile estimates them."""
    drafts = draft_tables(catalog, choose_links(catalog), samples or {}, TODAY)
    plan = rulegen.compile(render_spec(drafts, source="synthetic", sample=0), draw_counts=False)
    assert sum(estimate_run(plan.tables).values()) < DEFAULT_MAX_BYTES
    return {name: table.rows for name, table in plan.tables.items()}


def test_a_long_chain_of_empty_tables_stays_within_the_limit() -> None:
    rows = planned(chain([0] * 12))  # guessed Poisson(3) each: 3**11 x 1000 rows at the end before
    assert all(n <= MAX_GUESSED_ROWS * 1.1 for n in rows.values())
    assert rows["t11"] > 0 and rows["t1"] == pytest.approx(3000, rel=0.2)


def test_without_a_sample_the_sources_rows_say_the_mean() -> None:
    rows = planned(chain([200, 1000, 1500, 9000]))
    for name, source in {"t1": 1000, "t2": 1500, "t3": 9000}.items():
        assert rows[name] == pytest.approx(source, rel=0.15)


def test_sampled_counts_that_multiply_are_lowered_to_the_sources_rows() -> None:
    # Each level: 40 children per parent in the sample, while the source counted far fewer rows.
    catalog = chain([50_000, 200_000, 300_000, 400_000, 500_000])
    samples = {f"t{level}": TableSample(100, {}, children={40: 10}) for level in range(1, 5)}
    rows = planned(catalog, samples)
    assert all(rows[f"t{level}"] <= catalog.tables[f"t{level}"].rows * 1.1 for level in range(1, 5))


@settings(deadline=None, max_examples=25)
@given(st.lists(st.integers(0, 2_000_000), min_size=2, max_size=8),
       st.lists(st.dictionaries(st.integers(0, 500), st.integers(1, 1000), max_size=4), min_size=8, max_size=8))
def test_no_table_expects_more_rows_than_its_limit(counts: list[int], histograms: list[dict[int, int]]) -> None:
    parent = float(counts[0] or 1000)
    for count, histogram in zip(counts[1:], histograms, strict=False):
        law, _ = children_law(histogram, fit_count, parent_rows=parent, source_rows=count)
        expected = parent * mean_count(law)
        assert expected <= max(count, MAX_GUESSED_ROWS) * 1.001
        parent = expected


def test_a_key_covering_link_stays_at_most_one_per_parent() -> None:
    law, note = bound_children({"kind": "binomial", "n": 1, "p": 0.8}, "one", parent_rows=1e6, source_rows=0)
    assert law == {"kind": "binomial", "n": 1, "p": 0.1} and "would make 800,000" in note
