"""Counts per parent row that read the parent row keep blocks independent: any child block is
the same made in order, alone, in any order or by two workers, and a count expression over
columns that are functions of the row gives the same bytes for any block size.

Small ``block_rows`` (a test-only knob of ``compile_spec``) make small tables span many blocks.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import rulegen
from rulegen.engine.stream import stream_table
from rulegen.plan.compiler import compile_spec
from tests.properties.strategies import SEEDS

SLOW = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]

# Integer expressions over the parent row, with what they give for the parent's `id` (1, 2, ...);
# `id` and `k` are functions of the row, `score` is drawn.
EXPECTED = {
    "k": lambda i: i % 5,
    "if(k == 0, 2, 0)": lambda i: np.where(i % 5 == 0, 2, 0),
    "(id * 7 + 3) % 4": lambda i: (i * 7 + 3) % 4,
    "if(id % 3 == 0, 0, 1) + k % 2": lambda i: np.where(i % 3 == 0, 0, 1) + (i % 5) % 2,
    "0": lambda i: 0 * i,
}
COUNTS = st.sampled_from(sorted(EXPECTED))
LAMS = st.sampled_from(["k", "score / 10", "if(k > 2, 6, 0.5)", "id % 3 + 0.25"])


def _spec(parents: int, rows: str) -> str:
    return f"""
version: 1
tables:
  p:
    rows: {parents}
    primary_key: id
    columns:
      id: {{kind: sequence}}
      k: {{kind: expr, expr: "id % 5"}}
      score: {{kind: integers, low: 0, high: 40}}
  c:
    rows: {rows}
    columns:
      p_id: {{kind: ref, to: p.id}}
      n: {{kind: sequence}}
      tag: {{kind: expr, expr: "p_id * 100 + n"}}
"""


def _batches(plan, blocks=None) -> list[pa.RecordBatch]:
    return list(rulegen.iter_blocks(plan, "c", blocks=blocks, arrow=True))


def _table(batches: list[pa.RecordBatch]) -> pa.Table:
    return pa.Table.from_batches(batches) if batches else pa.table({})


@st.composite
def specs(draw: st.DrawFn) -> str:
    parents = draw(st.integers(1, 120))
    if draw(st.booleans()):
        return _spec(parents, f'{{per: p, count: "{draw(COUNTS)}"}}')
    return _spec(parents, f'{{per: p, kind: poisson, lam: "{draw(LAMS)}"}}')


@given(yaml=specs(), seed=SEEDS, block_rows=st.integers(1, 32), data=st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
def test_child_blocks_in_any_order_or_alone_are_the_same(yaml: str, seed: int, block_rows: int,
                                                         data: st.DataObject) -> None:
    note(yaml)
    plan = compile_spec(rulegen.load(yaml), seed=seed, block_rows=block_rows)
    in_order = _batches(plan)
    n = plan.tables["c"].blocks
    assert sum(b.num_rows for b in in_order) == plan.tables["c"].rows
    order = data.draw(st.permutations(range(n)), label="block order")
    shuffled = dict(zip(order, _batches(plan, order), strict=True))
    assert all(shuffled[i].equals(in_order[i]) for i in range(n))
    if n:
        block = data.draw(st.integers(0, n - 1), label="block made alone")
        fresh = compile_spec(rulegen.load(yaml), seed=seed, block_rows=block_rows)
        assert _batches(fresh, [block])[0].equals(in_order[block])


@given(parents=st.integers(1, 150), count=COUNTS, seed=SEEDS, sizes=st.lists(st.integers(1, 64), min_size=2,
                                                                              max_size=3))
@settings(max_examples=40, deadline=None, suppress_health_check=SLOW)
def test_a_count_over_functions_of_the_row_gives_the_same_bytes_for_any_block_size(
        parents: int, count: str, seed: int, sizes: list[int]) -> None:
    yaml = _spec(parents, f'{{per: p, count: "{count}"}}')
    note(yaml)
    tables = [_table(_batches(compile_spec(rulegen.load(yaml), seed=seed, block_rows=size))) for size in sizes]
    assert all(t.equals(tables[0]) for t in tables[1:])
    # Each parent has the rows its expression asks for, in parent order.
    expected = EXPECTED[count](np.arange(1, parents + 1))
    p_ids = tables[0]["p_id"].to_numpy() if tables[0].num_rows else np.zeros(0, dtype=np.int64)
    assert (np.bincount(p_ids - 1, minlength=parents) == expected).all()
    assert (np.diff(p_ids) >= 0).all()


@given(yaml=specs(), seed=SEEDS, block_rows=st.integers(4, 32))
@settings(max_examples=4, deadline=None, suppress_health_check=SLOW)
def test_two_workers_stream_the_same_child_batches_as_one(yaml: str, seed: int, block_rows: int) -> None:
    note(yaml)
    table = compile_spec(rulegen.load(yaml), seed=seed, block_rows=block_rows).tables["c"]
    one = list(stream_table(table, seed, workers=1))
    two = list(stream_table(table, seed, workers=2))
    assert len(one) == len(two) and all(a.equals(b) for a, b in zip(one, two, strict=True))
