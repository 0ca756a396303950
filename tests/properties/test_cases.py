"""Laws and weights per case of other columns keep blocks independent: a `choice` given one or
several columns, and numeric laws and histograms with `given`/`cases`, give the same bytes
whatever the block order, a block made alone, or the number of workers (a row's case is read
from its own values, and its value drawn from its block's streams or the copula's uniforms)."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import rulegen
from rulegen.engine.stream import stream_table
from rulegen.plan.compiler import compile_spec
from tests.properties.strategies import SEEDS, TABLE
from tests.properties.test_determinism import assert_same_batches
from tests.properties.test_parameters import batches

SLOW = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]

# Columns read from `species` (A, B, C, null) and `island` (X, Y), some combinations left to
# the kind's own law or `default`.
CONDITIONAL = [
    {"kind": "choice", "given": ["species", "island"], "cases": {"A, X": {"m": 1, "f": 2}, "B, Y": ["m"]},
     "default": {"u": 1}},
    {"kind": "choice", "given": "species", "cases": {"A": {"s": 1, "t": 1}}},
    {"kind": "normal", "loc": 0, "scale": 1, "given": "species", "cases": {"A": {"loc": 40}, "B": {"scale": 3}}},
    {"kind": "poisson", "lam": 2, "given": ["island", "species"], "cases": {"X, C": {"lam": 30}}},
    {"kind": "gamma", "shape": 2, "truncate": [0.5, 9], "given": "island", "cases": {"Y": {"shape": 5}}},
    {"kind": "histogram", "edges": [0, 1, 2], "weights": [1, 2], "integer": True, "given": "species",
     "cases": {"B": {"edges": [10, 20], "weights": [1]}}},
]


@st.composite
def specs(draw: st.DrawFn) -> tuple[str, int]:
    """A one-table spec: the two categorical inputs, then 1-4 conditional columns, maybe in a copula."""
    rows = draw(st.integers(1, 300))
    columns: dict = {
        "id": {"kind": "sequence"},
        "species": {"kind": "choice", "values": {"A": 3, "B": 2, "C": 1}, "null": draw(st.sampled_from([0.0, 0.2]))},
        "island": {"kind": "choice", "given": "species", "cases": {"A": ["X", "Y"], "B": ["Y"]}, "default": ["X"]},
    }
    for i, law in enumerate(draw(st.lists(st.sampled_from(CONDITIONAL), min_size=1, max_size=4))):
        columns[f"c{i}"] = law
    body: dict = {"rows": rows, "columns": columns}
    numeric = [name for name, spec in columns.items() if spec["kind"] in ("normal", "gamma", "histogram")]
    if len(numeric) >= 2 and draw(st.booleans()):
        body["correlations"] = [{"columns": numeric[:2], "rho": draw(st.sampled_from([-0.6, 0.5]))}]
    return yaml.safe_dump({"version": 1, "tables": {TABLE: body}}, sort_keys=False), rows


@given(case=specs(), seed=SEEDS, block_rows=st.integers(1, 64), data=st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=SLOW)
def test_cases_keep_blocks_independent(case: tuple[str, int], seed: int, block_rows: int,
                                       data: st.DataObject) -> None:
    text, rows = case
    note(text)
    in_order = batches(text, seed, block_rows)
    n = -(-rows // block_rows)
    order = data.draw(st.permutations(range(n)), label="block order")
    shuffled = dict(zip(order, batches(text, seed, block_rows, order), strict=True))
    assert_same_batches([shuffled[i] for i in range(n)], in_order, f"blocks in order {order}")
    block = data.draw(st.integers(0, n - 1), label="block made alone")
    assert_same_batches(batches(text, seed, block_rows, [block]), [in_order[block]], f"block {block} alone")


@given(case=specs(), seed=SEEDS, block_rows=st.integers(8, 64))
@settings(max_examples=3, deadline=None, suppress_health_check=SLOW)
def test_cases_give_the_same_batches_on_two_workers(case: tuple[str, int], seed: int, block_rows: int) -> None:
    text, _ = case
    note(text)
    table = compile_spec(rulegen.load(text), seed=seed, block_rows=block_rows).tables[TABLE]
    assert_same_batches(list(stream_table(table, seed, workers=2)), list(stream_table(table, seed, workers=1)),
                        "workers=2 vs workers=1")


def test_each_row_draws_from_its_case() -> None:
    """The case a row's values pick is the law its value follows; other rows keep the own law."""
    text = yaml.safe_dump({"version": 1, "tables": {TABLE: {"rows": 4000, "columns": {
        "species": {"kind": "choice", "values": ["A", "B"]},
        "island": {"kind": "choice", "values": ["X", "Y"]},
        "sex": {"kind": "choice", "given": ["species", "island"], "cases": {"A, X": ["m"], "B, Y": ["f"]},
                "default": ["u"]},
        "size": {"kind": "normal", "loc": 0, "scale": 1, "given": "species", "cases": {"B": {"loc": 100}}},
    }}}})
    frame = rulegen.generate(text, seed=5)[TABLE]
    pairs = frame.groupby(["species", "island"])["sex"].unique().map(list).to_dict()
    assert pairs == {("A", "X"): ["m"], ("A", "Y"): ["u"], ("B", "X"): ["u"], ("B", "Y"): ["f"]}
    means = frame.groupby("species")["size"].mean()
    assert abs(means["A"]) < 0.1 and abs(means["B"] - 100) < 0.1


def test_a_date_column_picks_cases_keyed_by_its_dates() -> None:
    """Was: one `given` date column refused its date keys (RG224), two of them took them."""
    text = ("version: 1\ntables:\n  t:\n    rows: 2000\n    columns:\n"
            "      day: {kind: date, min: 2024-01-01, max: 2024-01-02}\n"
            "      sales: {kind: normal, loc: 0, scale: 1, given: day,\n"
            "              cases: {2024-01-01: {loc: 100}, 2024-01-02: {loc: 200}}}\n")
    frame = rulegen.generate(text, seed=5)["t"]
    means = frame.groupby(frame["day"].astype(str))["sales"].mean()
    assert abs(means["2024-01-01"] - 100) < 0.1 and abs(means["2024-01-02"] - 200) < 0.1
