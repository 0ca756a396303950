"""The order a seed loads its tables in, from the spec's foreign keys and the database's.

Tables rulegen creates take their foreign keys from the spec, and those never block a load:
PostgreSQL adds them once the data is in, SQLite declares them deferred, and DuckDB (which
cannot defer) leaves out the one that closes a cycle. Tables the seed appends to keep the
database's own foreign keys, so those order the load too. A cycle of tables is broken at one
of its foreign keys, in this order of preference:

1. one of the spec's (a table rulegen creates);
2. a deferrable one: the load runs with ``SET CONSTRAINTS ALL DEFERRED`` (SQLite: ``PRAGMA
   defer_foreign_keys``, which defers every foreign key), so it is checked at commit;
3. an immediate one whose columns may all be null: the child is loaded with nulls there, and
   the values are set by an ``UPDATE`` once every table is in, in the same transaction;
4. where the database can alter a constraint (PostgreSQL), an immediate ``NOT NULL`` one: it
   is made ``DEFERRABLE INITIALLY DEFERRED`` for the load, checked with ``SET CONSTRAINTS ALL
   IMMEDIATE`` once every table is in, and made ``NOT DEFERRABLE`` again, all in the seed's
   transaction (so the database ends as it was, and a failed load changes nothing).

A cycle with none of these cannot be loaded: it is an error naming its tables, raised before
anything is written.
"""

from __future__ import annotations

import graphlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from rulegen.errors import Diagnostic, OutputError
from rulegen.io.sql import foreign_keys
from rulegen.io.target import TargetForeignKey, TargetTable
from rulegen.plan.plan import Plan

__all__ = ["LoadOrder", "load_order"]


@dataclass(frozen=True, slots=True)
class _Edge:
    """A foreign key between two loaded tables: ``child`` needs ``parent`` loaded first."""

    child: str
    parent: str
    columns: tuple[str, ...]
    declared: TargetForeignKey | None  # the database's; None for a table rulegen creates


@dataclass(slots=True)
class LoadOrder:
    """How to load a seed's tables.

    Attributes:
        tables: parents first.
        skipped: (table, columns) of the spec's foreign keys a created table leaves out of its
            DDL, for a dialect that cannot defer them (they close a cycle).
        nulled: per appended table, the database's foreign keys loaded as nulls and then set.
        altered: (table, constraint name) of the database's foreign keys made deferrable for the load.
    """

    tables: list[str]
    skipped: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    nulled: dict[str, list[TargetForeignKey]] = field(default_factory=dict)
    altered: list[tuple[str, str]] = field(default_factory=list)


def load_order(plan: Plan, tables: list[str], existing: Mapping[str, TargetTable], *, created: set[str],
               deferrable: bool, alterable: bool = False) -> LoadOrder:
    """The order of ``tables``, and the foreign keys that had to give way to load them.

    Args:
        plan: the compiled spec.
        tables: the tables to load.
        existing: the database's tables (those appended to keep their own foreign keys).
        created: the tables rulegen creates (their foreign keys are the spec's).
        deferrable: whether the dialect can defer foreign keys it creates.
        alterable: whether the database can make a declared foreign key deferrable for the load.

    Raises:
        OutputError: cycles of immediate, ``NOT NULL`` foreign keys that cannot be altered,
            naming their tables.
    """
    picked = set(tables)
    edges = [edge for name in tables for edge in _edges(plan, name, existing, created) if edge.parent in picked]
    order = LoadOrder([])
    broken: set[_Edge] = set()
    problems: list[Diagnostic] = []
    while True:
        graph: dict[str, set[str]] = {name: set() for name in tables}
        for edge in edges:
            if edge not in broken:
                graph[edge.child].add(edge.parent)
        try:
            order.tables = list(graphlib.TopologicalSorter(graph).static_order())
            break
        except graphlib.CycleError as exc:
            cycle = exc.args[1]  # each node needs the one before it
            links = [e for e in edges if e not in broken and any(
                e.child == cycle[i + 1] and e.parent == cycle[i] for i in range(len(cycle) - 1))]
            edge = min(links, key=lambda e: _cost(e, alterable))
            cost = _cost(edge, alterable)
            if cost == 4:
                problems.append(_impossible(plan, cycle[:-1]))
                broken.update(links)
                continue
            broken.add(edge)
            if edge.declared is None and not deferrable:
                order.skipped.add((edge.child, edge.columns))
            elif edge.declared is not None and cost == 2:
                order.nulled.setdefault(edge.child, []).append(edge.declared)
            elif edge.declared is not None and edge.declared.name is not None and cost == 3:
                order.altered.append((edge.child, edge.declared.name))
    if problems:
        raise OutputError(problems)
    return order


def _edges(plan: Plan, name: str, existing: Mapping[str, TargetTable], created: set[str]) -> list[_Edge]:
    """The foreign keys of a loaded table to other tables: the spec's or the database's."""
    if name in created:
        return [_Edge(name, fk.parent, fk.columns, None) for fk in foreign_keys(plan, plan.tables[name])
                if fk.parent != name]
    return [_Edge(name, fk.parent, fk.columns, fk) for fk in existing[name].foreign_keys if fk.parent != name]


def _cost(edge: _Edge, alterable: bool) -> int:
    """How hard it is to load a cycle without this edge: 0 free, 1 deferred, 2 nulled, 3 made
    deferrable for the load, 4 impossible."""
    if edge.declared is None:
        return 0
    if edge.declared.deferrable or edge.declared.nullable:
        return 1 if edge.declared.deferrable else 2
    return 3 if alterable and edge.declared.name is not None else 4


def _impossible(plan: Plan, cycle: list[str]) -> Diagnostic:
    """The error for a cycle of immediate, ``NOT NULL`` foreign keys."""
    names = " -> ".join(f"`{name}`" for name in [*cycle, cycle[0]])
    return Diagnostic(
        "RG540", f"the tables {names} refer to each other through foreign keys that are neither deferrable nor "
                 "nullable, so no order of loading them can meet their constraints",
        plan.spec.tables[cycle[0]].pointer,
        hint="make one of these foreign keys DEFERRABLE (or its columns nullable) in the database, "
             "or seed these tables with --exclude and fill them yourself")
