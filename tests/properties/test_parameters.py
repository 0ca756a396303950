"""Parameters from columns keep blocks independent: a law whose parameters are expressions over
the row gives the same bytes whatever the block order, a block made alone, or the number of
workers (each block evaluates its own rows' parameters, and draws from its own streams)."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import rulegen
from rulegen.engine.stream import stream_table
from rulegen.plan.compiler import compile_spec
from tests.properties.strategies import SEEDS, TABLE
from tests.properties.test_determinism import assert_same_batches

SLOW = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]

# Laws with parameters from the inputs below, each kept inside its domain by the expression.
LAWS = [
    {"kind": "normal", "loc": "base * 1.1", "scale": "1 + abs(base) / 100"},
    {"kind": "binomial", "n": "k", "p": "if(flag, 0.3, 0.05)"},
    {"kind": "poisson", "lam": "k / 2"},
    {"kind": "gamma", "shape": "k + 1", "scale": 2},
    {"kind": "integers", "low": "k", "high": "k + 10"},
    {"kind": "uniform", "low": "base", "high": "base + k + 1"},
    {"kind": "beta", "a": "k + 0.5", "b": "if(flag, 2, 5)"},
    {"kind": "triangular", "left": "base", "mode": "base + 1", "right": "base + 2"},
]


@st.composite
def specs(draw: st.DrawFn) -> tuple[str, int]:
    """A one-table spec: inputs (some nullable), then 1-4 laws with parameters read from them."""
    rows = draw(st.integers(1, 300))
    null = draw(st.sampled_from([0.0, 0.0, 0.2, 1.0]))
    columns = {
        "id": {"kind": "sequence"},
        "base": {"kind": "uniform", "low": -50, "high": 50, "null": null},
        "k": {"kind": "integers", "low": 0, "high": 20},
        "flag": {"kind": "choice", "values": [True, False]},
    }
    for i, law in enumerate(draw(st.lists(st.sampled_from(LAWS), min_size=1, max_size=4))):
        columns[f"p{i}"] = law
    names = list(columns)[1:]
    order = draw(st.permutations(names))  # parameters may read columns declared after them
    body = {"rows": rows, "columns": {"id": columns["id"], **{name: columns[name] for name in order}}}
    return yaml.safe_dump({"version": 1, "tables": {TABLE: body}}, sort_keys=False), rows


def batches(text: str, seed: int, block_rows: int, blocks: list[int] | None = None) -> list:
    plan = compile_spec(rulegen.load(text), seed=seed, block_rows=block_rows)
    return list(rulegen.iter_blocks(plan, TABLE, blocks=blocks, arrow=True))


@given(case=specs(), seed=SEEDS, block_rows=st.integers(1, 64), data=st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
def test_parameter_expressions_keep_blocks_independent(case: tuple[str, int], seed: int, block_rows: int,
                                                        data: st.DataObject) -> None:
    text, rows = case
    note(text)
    in_order = batches(text, seed, block_rows)
    n = -(-rows // block_rows)
    assert len(in_order) == n
    order = data.draw(st.permutations(range(n)), label="block order")
    shuffled = dict(zip(order, batches(text, seed, block_rows, order), strict=True))
    assert_same_batches([shuffled[i] for i in range(n)], in_order, f"blocks in order {order}")
    block = data.draw(st.integers(0, n - 1), label="block made alone")
    assert_same_batches(batches(text, seed, block_rows, [block]), [in_order[block]], f"block {block} alone")


@given(case=specs(), seed=SEEDS, block_rows=st.integers(8, 64))
@settings(max_examples=3, deadline=None, suppress_health_check=SLOW)
def test_parameter_expressions_give_the_same_batches_on_two_workers(case: tuple[str, int], seed: int,
                                                                    block_rows: int) -> None:
    text, _ = case
    note(text)
    table = compile_spec(rulegen.load(text), seed=seed, block_rows=block_rows).tables[TABLE]
    assert_same_batches(list(stream_table(table, seed, workers=2)), list(stream_table(table, seed, workers=1)),
                        "workers=2 vs workers=1")
