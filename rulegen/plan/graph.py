"""The column-level dependency graph, across tables.

Nodes are ``(table, column)`` pairs and edges say "needs the value of". Ordering columns (not
tables) is what lets a parent aggregate its children while a child looks up its parent: only a
cycle among columns is an error, and it is named in full with where each edge is declared.
"""

from __future__ import annotations

import graphlib
import itertools
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
        """A topological order of the columns, and a diagnostic per cycle.

        Columns on a cycle are left out of the order (and so are the columns that need them),
        so the rest of the spec can still be checked and every problem reported at once.
        """
        needs = {node: set(deps) for node, deps in self._needs.items()}
        problems = []
        while True:
            sorter = graphlib.TopologicalSorter({node: sorted(deps) for node, deps in needs.items()})
            try:
                order = list(sorter.static_order())
                break
            except graphlib.CycleError as exc:
                cycle = list(exc.args[1])
                problems.append(self._cycle_diagnostic(cycle, source))
                for node in cycle:
                    needs.pop(node, None)
                for deps in needs.values():
                    deps.difference_update(cycle)
        return ([node for node in order if node in needs and not self._reaches_cycle(node, needs)], problems)

    def _reaches_cycle(self, node: Node, kept: Mapping[Node, set[Node]]) -> bool:
        """Whether ``node`` needs, directly or not, a column left out for being on a cycle."""
        seen, todo = set(), [node]
        while todo:
            current = todo.pop()
            for dep in self._needs.get(current, ()):
                if dep not in kept and dep in self._needs:
                    return True
                if dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        return False

    def _cycle_diagnostic(self, cycle: list[Node], source: SourceMap) -> Diagnostic:
        # graphlib lists the cycle so that each node needs the one before it; show "needs" forwards.
        cycle = cycle[::-1]
        path = " -> ".join(_name(n) for n in cycle)
        edges = "; ".join(
            f"{_name(a)} ({source.describe(self._pointers[a])}) needs {_name(b)}"
            for a, b in itertools.pairwise(cycle)
        )
        return Diagnostic("RG301", f"columns depend on each other in a cycle: {path}", self._pointers[cycle[0]],
                          hint=f"break one of these edges: {edges}")


def _name(node: Node) -> str:
    return f"{node[0]}.{node[1]}"
