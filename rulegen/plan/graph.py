"""The column-level dependency graph, across tables.

Nodes are ``(table, column)`` pairs and edges say "needs the value of". Ordering columns (not
tables) is what lets a parent aggregate its children while a child looks up its parent: only a
cycle among columns is an error, and it is named in full with where each edge is declared.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Mapping

from rulegen.errors import Diagnostic
from rulegen.spec.source_map import SourceMap

__all__ = ["ColumnGraph", "Node"]

Node = tuple[str, str]  # (table, column)


class ColumnGraph:
    """Dependencies between columns, with the spec pointer of each column for messages."""

    def __init__(self) -> None:
        self._needs: dict[Node, set[Node]] = {}
        self._pointers: dict[Node, str] = {}

    def add(self, node: Node, needs: Iterable[Node], pointer: str) -> None:
        """Declare ``node`` and the columns it needs."""
        self._needs.setdefault(node, set()).update(needs)
        self._pointers[node] = pointer

    def order(self, source: SourceMap) -> tuple[list[Node], list[Diagnostic]]:
        """A topological order of all columns, or the cycle that prevents one."""
        sorter = graphlib.TopologicalSorter({node: sorted(needs) for node, needs in self._needs.items()})
        try:
            return list(sorter.static_order()), []
        except graphlib.CycleError as exc:
            return [], [self._cycle_diagnostic(list(exc.args[1]), source)]

    def _cycle_diagnostic(self, cycle: list[Node], source: SourceMap) -> Diagnostic:
        # graphlib lists the cycle so that each node needs the one before it; show "needs" forwards.
        cycle = cycle[::-1]
        path = " -> ".join(_name(n) for n in cycle)
        edges = "; ".join(
            f"{_name(a)} ({source.describe(self._pointers[a])}) needs {_name(b)}"
            for a, b in zip(cycle, cycle[1:], strict=False)
        )
        return Diagnostic("RG301", f"columns depend on each other in a cycle: {path}", self._pointers[cycle[0]],
                          hint=f"break one of these edges: {edges}")

    def pointers(self) -> Mapping[Node, str]:
        """Spec pointer of every column."""
        return self._pointers


def _name(node: Node) -> str:
    return f"{node[0]}.{node[1]}"
