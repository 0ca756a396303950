"""The load order of appended tables from the database's foreign keys: every cycle is broken at
a deferrable or nullable key, else (where the database can alter it) at a key made deferrable
for the load, and refused exactly when some cycle has none of these."""

from __future__ import annotations

import graphlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.errors import OutputError
from rulegen.io.load_order import load_order
from rulegen.io.target import TargetForeignKey, TargetTable

NAMES = [f"t{i}" for i in range(5)]
PLAN = rulegen.compile("version: 1\ntables:\n" + "".join(
    f"  {name}:\n    rows: 1\n    columns:\n      id: {{kind: sequence}}\n" for name in NAMES))
# (child, parent, deferrable, nullable) between distinct tables
EDGES = st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES), st.booleans(), st.booleans())
                 .filter(lambda e: e[0] != e[1]), max_size=10)


def tables(edges: list[tuple[str, str, bool, bool]]) -> dict[str, TargetTable]:
    found = {name: TargetTable({"id": "integer"}, primary_key=("id",)) for name in NAMES}
    for number, (child, parent, deferrable, nullable) in enumerate(edges):
        found[child].foreign_keys.append(TargetForeignKey((f"c{number}",), parent, ("id",), deferrable, nullable,
                                                          f"k{number}"))
    return found


def has_cycle(edges: list[tuple[str, str, bool, bool]]) -> bool:
    graph = {name: {parent for child, parent, _, _ in edges if child == name} for name in NAMES}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError:
        return True
    return False


@settings(deadline=None)
@given(EDGES)
def test_an_order_exists_exactly_when_no_cycle_is_all_immediate_and_not_null(edges: list) -> None:
    rigid = [e for e in edges if not e[2] and not e[3]]
    if has_cycle(rigid):
        with pytest.raises(OutputError) as error:
            load_order(PLAN, NAMES, tables(edges), created=set(), deferrable=True)
        assert {p.code for p in error.value.diagnostics} == {"RG540"}
        return
    order = load_order(PLAN, NAMES, tables(edges), created=set(), deferrable=True)
    assert sorted(order.tables) == NAMES
    position = {name: i for i, name in enumerate(order.tables)}
    nulled = {(child, fk.columns) for child, keys in order.nulled.items() for fk in keys}
    for number, (child, parent, deferrable, nullable) in enumerate(edges):
        if (child, (f"c{number}",)) in nulled:
            assert nullable and not deferrable  # only immediate, nullable keys are loaded as nulls
        elif not deferrable:
            assert position[parent] < position[child]  # an immediate key: its parent is loaded first


@settings(deadline=None)
@given(EDGES)
def test_where_keys_can_be_altered_every_cycle_loads_altering_only_rigid_keys(edges: list) -> None:
    order = load_order(PLAN, NAMES, tables(edges), created=set(), deferrable=True, alterable=True)
    assert sorted(order.tables) == NAMES
    position = {name: i for i, name in enumerate(order.tables)}
    altered = dict.fromkeys(name for _, name in order.altered)
    nulled = {(child, fk.columns) for child, keys in order.nulled.items() for fk in keys}
    assert has_cycle([e for e in edges if not e[2] and not e[3]]) == bool(altered)
    for number, (child, parent, deferrable, nullable) in enumerate(edges):
        if f"k{number}" in altered:
            assert not deferrable and not nullable  # only keys no other way can give are altered
        elif not deferrable and (child, (f"c{number}",)) not in nulled:
            assert position[parent] < position[child]
