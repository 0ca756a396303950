"""Properties of the values of random valid specs: keys, ranges, sets, regexes, nulls, constraints.

Each example draws a one-table spec (see ``strategies.py``), generates it, and checks every
promise the spec makes (see ``oracle.py``). A failing example prints the spec's YAML.
"""

from __future__ import annotations

import pyarrow as pa
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import rulegen
from rulegen.plan.compiler import compile_spec
from tests.properties.oracle import check_table
from tests.properties.strategies import SEEDS, TABLE, TableCase, table_specs


def generate_arrow(case: TableCase, seed: int, block_rows: int | None = None) -> pa.Table:
    spec = rulegen.load(case.yaml)
    kwargs = {"block_rows": block_rows} if block_rows else {}
    plan = compile_spec(spec, seed=seed, **kwargs)
    batches = list(rulegen.iter_blocks(plan, TABLE, arrow=True))
    return pa.Table.from_batches(batches, plan.tables[TABLE].schema)


@given(case=table_specs(max_rows=300), seed=SEEDS)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_values_keep_every_promise_of_the_spec(case: TableCase, seed: int) -> None:
    note(case.yaml)
    check_table(case, generate_arrow(case, seed))


@given(case=table_specs(min_rows=400, max_rows=3000, min_columns=3), seed=SEEDS,
       block_rows=st.sampled_from([None, 64, 1000]))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_promises_hold_on_larger_tables_and_across_blocks(case: TableCase, seed: int, block_rows: int | None) -> None:
    """Enough rows for the null-rate checks, and keys unique across many blocks."""
    note(case.yaml)
    check_table(case, generate_arrow(case, seed, block_rows))
