"""Keys and relations between the files: primary keys, foreign keys (by name AND containment),
which parent each child table is generated per, children-per-parent counts, and the order of
the tables (parents first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from rulegen.fidelity.profile import ColumnProfile

__all__ = ["Link", "find_links", "parent_first", "pick_parents", "primary_key", "sequence_within", "singular"]

_KEY_WORDS = re.compile(r"(^|_)(id|key|code|sku|uuid|no|number)$")
_PARTIAL_CONTAINMENT = 0.5  # share of a child's values a truncated parent sample must hold


@dataclass(slots=True)
class Link:
    """``child.column`` refers to ``parent.key``."""

    child: str
    column: str
    parent: str
    key: str
    complete: bool  # the column is never null in the child
    contained: float  # share of the child's values found among the parent's keys
    counts: np.ndarray | None = field(default=None, repr=False)  # children of each parent row


def singular(table: str) -> str:
    """``customers`` -> ``customer``, ``categories`` -> ``category``, ``addresses`` -> ``address``."""
    name = table.lower()
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("sses", "xes", "ches", "shes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def primary_key(table: str, profiles: dict[str, ColumnProfile]) -> str | None:
    """A unique, never-null integer or string column named ``id``, ``<table>_id``, or like a key
    (``*_id``, ``*_key``, ``*_code``, ``sku``...), else the first unique integer column."""
    candidates = [p for p in profiles.values()
                  if p.unique and p.nulls == 0 and p.category in ("integer", "string")]
    own = {"id", f"{singular(table)}_id", f"{table.lower()}_id", f"{singular(table)}id"}
    for test in (lambda p: p.name.lower() in own, lambda p: bool(_KEY_WORDS.search(p.name.lower())),
                 lambda p: p.category == "integer"):
        for profile in candidates:
            if test(profile):
                return profile.name
    return None


def _names_match(column: str, parent: str, key: str) -> bool:
    column, key, one = column.lower(), key.lower(), singular(parent)
    if column == key and key != "id":
        return True
    forms = {f"{one}_{key}", f"{one}{key}", f"{parent.lower()}_{key}", f"{one}_id"}
    return column in forms or any(column.endswith("_" + form) for form in forms)


def find_links(profiles: dict[str, dict[str, ColumnProfile]], keys: dict[str, str | None],
               complete: dict[str, bool]) -> list[Link]:
    """Every column whose name points to another table's primary key and whose values that key
    holds (all of them; half when the parent file was read only in part)."""
    links = []
    for child, columns in profiles.items():
        for column in columns.values():
            if column.name == keys.get(child) or column.category not in ("integer", "string") or not column.present:
                continue
            for parent, key in keys.items():
                if key is None or parent == child or not _names_match(column.name, parent, key):
                    continue
                target = profiles[parent][key]
                if target.category != column.category:
                    continue
                contained = float(np.isin(column.values, target.values).mean())
                if contained == 1.0 or (not complete[parent] and contained >= _PARTIAL_CONTAINMENT):
                    links.append(Link(child, column.name, parent, key, complete=column.nulls == 0,
                                      contained=contained))
                    break
    for link in links:
        parent_keys = profiles[link.parent][link.key].values
        if link.complete:
            found = np.searchsorted(np.sort(parent_keys), profiles[link.child][link.column].values)
            link.counts = np.bincount(found, minlength=len(parent_keys))[: len(parent_keys)]
    return links


def pick_parents(links: list[Link], order: dict[str, list[str]]) -> dict[str, Link]:
    """The link each child table is generated per: a never-null one, preferring a parent whose
    name starts the child's (``order_lines`` per ``orders``), then a parent most of whose rows
    have children, then the first such column."""
    chosen: dict[str, Link] = {}
    for child in dict.fromkeys(link.child for link in links):
        options = [link for link in links if link.child == child and link.complete and link.counts is not None]
        if not options:
            continue

        chosen[child] = min(options, key=lambda link: _rank(link, order[link.child]))
    # A parent generated per its own child would be a cycle of tables: keep the first one found.
    for child, link in list(chosen.items()):
        if child in chosen and link.parent in chosen and _reaches(chosen, link.parent, child):
            del chosen[child]
    return chosen


def _rank(link: Link, columns: list[str]) -> tuple[bool, bool, int]:
    named = link.child.lower().startswith(singular(link.parent))
    covered = link.counts is not None and float((link.counts > 0).mean()) >= 0.9
    return (not named, not covered, columns.index(link.column))


def _reaches(chosen: dict[str, Link], start: str, target: str) -> bool:
    seen, table = set(), start
    while table in chosen and table not in seen:
        seen.add(table)
        table = chosen[table].parent
        if table == target:
            return True
    return False


def parent_first(tables: list[str], links: list[Link]) -> list[str]:
    """``tables`` with every parent before its children, each as early as its parents allow
    (file order otherwise; when tables refer to each other in a cycle, file order)."""
    parents = {t: {link.parent for link in links if link.child == t and link.parent != t} for t in tables}
    placed: list[str] = []
    remaining = list(tables)
    while remaining:
        ready = [t for t in remaining if parents[t] <= set(placed)]
        if not ready:
            return tables
        placed.append(ready[0])
        remaining.remove(ready[0])
    return placed


def sequence_within(parent_values: np.ndarray, values: np.ndarray) -> int | None:
    """The start of a numbering that restarts for each parent (1, 2, 3 under every parent),
    or None when ``values`` are not one."""
    if len(values) != len(parent_values) or not len(values):
        return None
    order = np.lexsort((values, parent_values))
    parents, numbers = parent_values[order], values[order]
    starts = np.r_[True, parents[1:] != parents[:-1]]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(numbers)), 0))
    first = int(numbers[0])
    if np.array_equal(numbers, first + np.arange(len(numbers)) - group_start):
        return first
    return None
