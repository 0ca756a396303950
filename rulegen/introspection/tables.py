"""Turn a catalog into table drafts: parent links, references, keys, row counts, constraints.

A table is generated ``per`` a parent (:func:`choose_links`) when a foreign key to it is NOT
NULL, preferring one that is part of the primary key; its first column becomes the ``ref``
that holds each row's parent, and the other columns of a composite foreign key ``lookup``\\ s
through it (rulegen's way of pointing at a composite key). Other foreign keys become refs too,
a self-reference a ref to the table's own sequence key. Keys are kept unique by construction:
an integer key is a ``sequence`` (``within`` the parent for the second part of a child's key),
and a composite key that nothing else makes unique gets one of its parts unique on its own.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from dataclasses import dataclass, field
from typing import Any

from rulegen.introspection.compares import comparable, is_identifier, narrow, ordered_references
from rulegen.introspection.counts import bound_children, children_law, mean_count
from rulegen.introspection.facts import read_checks
from rulegen.introspection.kinds import Draft, Hints, column_draft, is_number, null_rate
from rulegen.introspection.model import Catalog, ColumnInfo, ForeignKey, TableInfo, TableSample
from rulegen.introspection.names import PROVIDERS
from rulegen.introspection.related import relate_dates
from rulegen.introspection.shapes import lengthen, long_enough, value_space
from rulegen.introspection.types import type_draft

__all__ = ["TableDraft", "choose_links", "draft_tables", "leave_to_triggers", "table_order"]

DEFAULT_ROWS = 1000  # rows of a table that is empty in the source
DEFAULT_ONE_TO_ONE = 0.8  # share of parents with their one child (a key-covering link)

NARROW_TYPE = 1000  # a number within a parent whose type holds fewer values bounds the children
MAX_KEY_CHOICES = 50  # a list this short that is part of a key is dealt out per parent, not drawn
# The largest value of the integer types a key may be: a sequence key never passes it.
_INTEGER_LIMITS = {"smallint": 32_767, "int2": 32_767, "smallserial": 32_767, "integer": 2_147_483_647,
                   "int4": 2_147_483_647, "int": 2_147_483_647, "serial": 2_147_483_647}

_MANY_PROVIDERS = {p.provider for p in PROVIDERS if p.many} | {"ipv4", "mac_address"}


@dataclass(slots=True)
class TableDraft:
    """One table of the spec to write, with the notes that become its comments."""

    name: str
    rows: int | dict[str, Any]
    columns: dict[str, Draft]
    primary_key: tuple[str, ...] = ()
    unique: list[tuple[str, ...]] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows_note: str | None = None
    schema: str | None = None


def leave_to_triggers(catalog: Catalog) -> list[str]:
    """Take out of ``catalog`` the tables that triggers of other tables fill (seeding them too
    would collide with the trigger's rows), unless another table's foreign key points to one.

    Returns:
        A note for each table left out.
    """
    notes = []
    for name, table in list(catalog.tables.items()):
        pointed = any(fk.parent == name for other, t in catalog.tables.items() if other != name
                      for fk in t.foreign_keys)
        if table.filled_by and not pointed:
            del catalog.tables[name]
            notes.append(f"{name} is left out: a trigger on {', '.join(table.filled_by)} inserts its rows")
    return notes


def table_order(catalog: Catalog) -> list[str]:
    """Tables parents first (by foreign keys), alphabetical among equals; tables in a cycle of
    foreign keys come last, alphabetically."""
    parents = {name: {fk.parent for fk in t.foreign_keys if fk.parent != name and fk.parent in catalog.tables}
               for name, t in catalog.tables.items()}
    order: list[str] = []
    while len(order) < len(parents):
        ready = sorted(n for n, ps in parents.items() if n not in order and ps <= set(order))
        if not ready:
            order += sorted(n for n in parents if n not in order)
            break
        order.append(ready[0])
    return order


def _key_for(catalog: Catalog, fk: ForeignKey) -> str | None:
    """The child column to write as the ``ref`` of ``fk``: one that rulegen resolves to a key of
    the parent whose other parts are all in the foreign key (and so can be looked up). None
    when the parent or its key is not there."""
    parent = catalog.tables.get(fk.parent)
    if parent is None or not all(c in parent.columns for c in fk.parent_columns):
        return None
    mapped = dict(zip(fk.parent_columns, fk.columns, strict=True))
    for key in parent.candidate_keys():
        if not set(key) <= set(fk.parent_columns):
            continue
        if len(key) == 1:
            return mapped[key[0]] if "." not in key[0] else None
        for part in key:  # rulegen reads the first composite key holding the ref's column
            chosen = next(k for k in parent.candidate_keys() if len(k) > 1 and part in k)
            if set(chosen) <= set(fk.parent_columns) and "." not in part:
                return mapped[part]
    return None


def choose_links(catalog: Catalog) -> dict[str, ForeignKey]:
    """Each child table's link to the parent it is generated ``per``.

    A NOT NULL foreign key to another table, one within the primary key first, then the first
    in column order; never one that would close a cycle of links, and never one whose ref
    column comes after another reference to the same parent (rulegen's first ref to a parent
    holds the row's parent), nor one a CHECK orders against another reference (``low_id <
    high_id``: the lowest parent would have no higher row to point to). A table whose integer
    key's type holds few values (a ``TINYINT``) has a parent only through a unique reference (at
    most one row per parent); else its rows are as many as its key holds.
    """
    links: dict[str, ForeignKey] = {}
    for name in table_order(catalog):
        table = catalog.tables[name]
        key = [table.columns[c] for c in table.primary_key if c in table.columns]
        narrow = len(key) == 1 and key[0].holds is not None and key[0].holds[1] < NARROW_TYPE
        position = {c: i for i, c in enumerate(table.columns)}
        usable = [fk for fk in table.foreign_keys
                  if fk.parent != name and _key_for(catalog, fk) is not None
                  and all(c in table.columns for c in fk.columns)]
        ordered = ordered_references(table)
        candidates = [fk for fk in usable if not any(table.columns[c].nullable or c in ordered for c in fk.columns)
                      and (not narrow or table.is_key(fk.columns))]
        candidates.sort(key=lambda fk: (not set(fk.columns) <= set(table.primary_key),
                                        min(position[c] for c in fk.columns)))
        for fk in candidates:
            ref = _key_for(catalog, fk)
            if _reaches(links, fk.parent, name):
                continue
            earlier = [_key_for(catalog, o) for o in usable if o is not fk and o.parent == fk.parent]
            if any(position[c] < position[ref] for c in earlier if c is not None):
                continue
            links[name] = fk
            break
    return links


def _reaches(links: dict[str, ForeignKey], start: str, target: str) -> bool:
    seen, current = set(), start
    while current in links and current not in seen:
        seen.add(current)
        current = links[current].parent
        if current == target:
            return True
    return start == target


def draft_tables(catalog: Catalog, links: dict[str, ForeignKey], samples: dict[str, TableSample],
                 today: datetime.date) -> list[TableDraft]:
    """The drafts of every table, parents first."""
    referenced = {(fk.parent, c) for t in catalog.tables.values() for fk in t.foreign_keys for c in fk.parent_columns}
    drafts: list[TableDraft] = []
    estimates: dict[str, float] = {}
    for name in table_order(catalog):
        table = catalog.tables[name]
        if not table.columns:
            continue
        drafts.append(_TableDrafter(catalog, table, links.get(name), samples.get(name), referenced, estimates,
                                    today).draft())
    return drafts


class _TableDrafter:
    """Drafts one table (a class only to share its many inputs among the steps)."""

    def __init__(self, catalog: Catalog, table: TableInfo, link: ForeignKey | None, sample: TableSample | None,
                 referenced: set[tuple[str, str]], estimates: dict[str, float], today: datetime.date) -> None:
        self.catalog, self.table, self.link, self.sample = catalog, table, link, sample
        self.referenced, self.estimates, self.today = referenced, estimates, today
        self.columns: dict[str, Draft] = {}
        self.roles: set[str] = set()  # columns whose kind comes from a relation or a key
        self.notes: list[str] = []
        self.link_ref = _key_for(catalog, link) if link else None
        self.one_to_one = link is not None and table.is_key(link.columns)
        self.truncate: int | None = None  # the most children per parent, when a distinct ref bounds it
        self.truncate_why = ""
        self.max_rows: int | None = None  # the most rows, when a CHECK bounds an integer key
        self.checks = read_checks(table, today)
        self.hints, self.compares = self.checks.hints, self.checks.compares
        self.notes += [f"not translated: {text}" for text in self.checks.skipped]
        self.notes += [f"{_checked(text)}: rows that break it are drawn again, by the constraint `{expression}`"
                       for text, expression in self.checks.expressions]
        if self.checks.relative:
            self.notes.append(f"a CHECK counts from now(): its dates are fixed as of {today.isoformat()}")
        self.extra: list[str] = []  # constraints the drafts of columns ask for
        self.helpers: dict[str, Draft] = {}  # hidden columns the drafts of columns read

    # --- steps ----------------------------------------------------------------------------
    def draft(self) -> TableDraft:
        table = self.table
        rows, rows_note = self._rows()
        self.estimate = rows if isinstance(rows, int) else self.estimates.get(self.link.parent, DEFAULT_ROWS) \
            * mean_count(rows)
        self.estimates[table.name] = self.estimate
        if self.link is not None:
            self._reference(self.link, holds_parent=True)
        for fk in table.foreign_keys:
            if fk is not self.link:
                self._reference(fk, holds_parent=False)
        self._keys()
        for name, column in table.columns.items():
            if name not in self.columns:
                self._plain(column, unique=(name,) in table.candidate_keys())
        related = relate_dates(self.columns, self.roles | set(self.hints), self.sample)  # dates that follow by name
        for name, column in table.columns.items():
            self._finish(name, column)
        key_notes = [note for key in table.candidate_keys() if len(key) > 1 for note in [self._cover(key)] if note]
        rows, capped = self._cap_rows(rows)
        columns = {**{n: self.columns[n] for n in table.columns}, **self.helpers}
        draft = TableDraft(name=table.name, schema=table.schema, rows=rows, columns=columns,
                           primary_key=table.primary_key,
                           unique=[k for k in table.unique if len(k) > 1 and set(k) != set(table.primary_key)],
                           constraints=self._constraints() + related, notes=self.notes + key_notes,
                           rows_note=capped or rows_note)
        return draft

    def _rows(self) -> tuple[int | dict[str, Any], str | None]:
        table, sample = self.table, self.sample
        if self.link is None:
            if table.rows:
                return table.rows, f"{table.rows:,} rows in the source"
            return DEFAULT_ROWS, "empty in the source"
        children = sample.children if sample is not None else None
        parent_rows = self.estimates.get(self.link.parent, DEFAULT_ROWS)
        if self.one_to_one:
            share = DEFAULT_ONE_TO_ONE
            if children and sum(children.values()):
                share = round(sum(n for k, n in children.items() if k) / sum(children.values()), 3)
            law, note = bound_children({"kind": "binomial", "n": 1, "p": share},
                                       "at most one per parent: the link is a key", parent_rows=parent_rows,
                                       source_rows=table.rows)
        else:
            law, note = children_law(children, fit_count, parent_rows=parent_rows, source_rows=table.rows)
        return {"per": self.link.parent, **law}, note

    def _reference(self, fk: ForeignKey, *, holds_parent: bool) -> None:
        table = self.table
        if fk.parent == table.name:
            self._self_reference(fk)
            return
        ref = _key_for(self.catalog, fk)
        taken = [c for c in fk.columns if c in self.roles]
        if ref is None or taken or not all(c in table.columns for c in fk.columns):
            why = "its parent key is not known" if ref is None else f"{', '.join(taken)} already drafted"
            self.notes.append(f"foreign key ({', '.join(fk.columns)}) -> {fk.parent} not followed: {why}")
            return
        mapped = dict(fk.pairs())
        spec: dict[str, Any] = {"kind": "ref", "to": f"{fk.parent}.{mapped[ref]}"}
        self.columns[ref] = Draft(spec, [] if len(fk.columns) == 1 else
                                  [f"with {', '.join(c for c in fk.columns if c != ref)}: "
                                   f"a key of {fk.parent}"])
        self.roles.add(ref)
        for column in fk.columns:
            if column != ref:
                self.columns[column] = Draft({"kind": "lookup", "via": ref, "column": mapped[column]})
                self.roles.add(column)
        if holds_parent:
            self.columns[ref].notes.insert(0, "the parent row")

    def _self_reference(self, fk: ForeignKey) -> None:
        table = self.table
        key = table.primary_key
        column = fk.columns[0]
        simple = (len(fk.columns) == 1 and fk.parent_columns == key and len(key) == 1
                  and table.columns[key[0]].category == "integer" and key[0] not in self.roles
                  and column not in self.roles)
        earlier = f"{column}_earlier"
        if simple and not table.columns[column].nullable and is_identifier(earlier) and is_identifier(key[0]) \
                and earlier not in table.columns:
            # The first row has no earlier row: it points at itself.
            self.helpers[earlier] = Draft({"kind": "ref", "to": f"{table.name}.{key[0]}", "hidden": True},
                                          ["an earlier row (none for the first)"])
            self.columns[column] = Draft({"kind": "expr", "expr": f"coalesce({earlier}, {key[0]})"},
                                         ["NOT NULL: an earlier row, the first row itself"])
            self.roles.add(column)
        elif simple:
            self.columns[column] = Draft({"kind": "ref", "to": f"{table.name}.{key[0]}"}, ["an earlier row"])
            self.roles.add(column)
            if not table.columns[column].nullable:
                self.notes.append(f"{column} is NOT NULL, but the first row has no earlier row to point to")
        else:
            self.notes.append(f"self-reference ({', '.join(fk.columns)}) not followed: rulegen points to its "
                              f"own table through an integer key only")
            for name in fk.columns:
                if name not in self.roles and table.columns[name].nullable:
                    self.columns[name] = Draft({"kind": "constant", "value": None}, ["self-reference left null"])
                    self.roles.add(name)

    def _keys(self) -> None:
        """Integer keys as sequences: the table's own, or numbered within the parent."""
        key = self.table.primary_key
        free = [c for c in key if c not in self.roles]
        if len(key) == 1 and free and self.table.columns[free[0]].category == "integer":
            self.columns[free[0]] = Draft(self._sequence(free[0]))
            self.roles.add(free[0])
        elif self.link_ref in key and not self.one_to_one:
            number = next((c for c in free if self.table.columns[c].category == "integer"), None)
            if number is not None:
                self.columns[number] = Draft({"kind": "sequence", "within": self.link_ref},
                                             [f"1, 2, ... for each {self.link.parent} row"])
                self.roles.add(number)
                self._bounded_children(number)

    def _bounded_children(self, number: str) -> None:
        """A CHECK range on the number within a parent (``line BETWEEN 1 AND 7``) starts it
        and bounds how many children a parent has; so does a narrow type (``TINYINT``)."""
        hint = self.hints.pop(number, None) or Hints()
        start = 1
        if is_number(hint.low):
            start = math.floor(float(hint.low)) + 1 if hint.low_open else math.ceil(float(hint.low))
            if start != 1:
                self.columns[number].spec["start"] = start
        last, why = None, "a CHECK"
        if is_number(hint.high):
            last = math.ceil(float(hint.high)) - 1 if hint.high_open else math.floor(float(hint.high))
        holds = self.table.columns[number].holds
        if holds is not None and holds[1] < NARROW_TYPE and (last is None or holds[1] < last):
            last, why = holds[1], "its type"
        if last is not None:
            limit = max(last - start + 1, 0)
            self.truncate = limit if self.truncate is None else min(self.truncate, limit)
            self.truncate_why = f"{number} is at most {last} ({why})"

    def _sequence(self, name: str) -> dict[str, Any]:
        """An integer key: 1, 2, 3, ... or, under a CHECK range, from its low end and no further
        than its high end (which then bounds the table's rows)."""
        spec: dict[str, Any] = {"kind": "sequence"}
        hint = self.hints.pop(name, None)
        start = 1
        if hint is not None and is_number(hint.low):
            start = math.floor(float(hint.low)) + 1 if hint.low_open else math.ceil(float(hint.low))
            if start != 1:
                spec["start"] = start
        column = self.table.columns[name]
        last = column.holds[1] if column.holds else _INTEGER_LIMITS.get(column.type_name.lower().split("(")[0])
        if column.holds and column.holds[1] < NARROW_TYPE:  # half a TINYINT key left for the application's rows
            last = start + (column.holds[1] - start) // 2
        if hint is not None and is_number(hint.high):
            high = math.ceil(float(hint.high)) - 1 if hint.high_open else math.floor(float(hint.high))
            last = high if last is None else min(last, high)
        if last is not None:
            self.max_rows = max(last - start + 1, 0)
        return spec

    def _plain(self, column: ColumnInfo, *, unique: bool) -> None:
        stats = self.sample.columns.get(column.name) if self.sample else None
        name = column.name
        shortest = self.checks.lengths.get(name, [None, None])[0]
        column = self._checked_width(column)
        hints = self.hints.get(name, Hints())
        if name in self.checks.patterns and hints.values is None:
            self.columns[name] = Draft({"kind": "pattern", "pattern": self.checks.patterns[name]},
                                       ["the CHECK's pattern"])
        elif hints.values is None and not unique and (typed := type_draft(column, self.today)) is not None:
            self.columns[name] = typed
        else:
            self.columns[name] = column_draft(
                self.table.name, column, hints, stats, dialect=self.catalog.dialect, unique=unique,
                rows=int(self.estimate), today=self.today)
        if shortest:
            lengthen(self.columns[name].spec, shortest)
        if shortest and is_identifier(name) and not long_enough(self.columns[name].spec, shortest):
            # A declared lower bound (CHECK char_length(x) >= n); the upper one is the column's
            # width above, which the drafts of columns fit by construction.
            self.extra.append(f"len({name}) >= {shortest}")
        if unique and (column.name,) != self.table.primary_key and self.columns[column.name].spec["kind"] not in (
                "sequence", "uuid"):
            self.columns[column.name].spec["unique"] = True

    def _checked_width(self, column: ColumnInfo) -> ColumnInfo:
        """The column as wide as its type or a CHECK on its length allows, whichever is less."""
        longest = self.checks.lengths.get(column.name, [None, None])[1]
        if longest is not None and (column.length is None or longest < column.length):
            return dataclasses.replace(column, length=longest)
        return column

    def _finish(self, name: str, column: ColumnInfo) -> None:
        """Nulls, generated columns and notes common to every kind."""
        draft = self.columns[name]
        stats = self.sample.columns.get(name) if self.sample else None
        if name in self.roles and draft.spec["kind"] in ("lookup", "sequence"):
            pass
        elif (self.table.name, name) in self.referenced:
            if column.nullable:
                draft.notes.append("never null: other tables point to it")
        elif name != self.link_ref and name not in self.table.primary_key and draft.spec.get("value", 0) is not None:
            rate = null_rate(column, stats)
            if rate is not None:
                draft.spec["null"] = rate
        if column.generated:
            draft.spec["hidden"] = True
            draft.notes.append("computed by the database: not written")
        if column.identity == "identity always":
            draft.notes.append("GENERATED ALWAYS AS IDENTITY: insert with OVERRIDING SYSTEM VALUE")
        if draft.spec["kind"] == "ref" and (name,) in self.table.candidate_keys() and not self.one_to_one:
            draft.notes.append("unique in the source, but a ref may repeat a parent")
        if name in self.roles and name in self.hints:
            draft.notes.append("its CHECK is not applied to a key or reference")
        if column.category == "unknown" and draft.spec["kind"] == "ref":
            draft.notes.append(f"unknown type {column.type_name}")

    def _cover(self, key: tuple[str, ...]) -> str | None:
        """Make a composite key unique by construction, or say that it may repeat."""
        specs = {c: self.columns[c].spec for c in key}
        if any(s["kind"] == "uuid" or (s["kind"] == "sequence" and "within" not in s) or s.get("unique")
               for s in specs.values()):
            return None
        if self.link_ref in key:
            others = [c for c in key if c != self.link_ref]
            if self.one_to_one or any(specs[c].get("within") == self.link_ref for c in others):
                return None
            if len(others) == 1 and specs[others[0]]["kind"] == "ref":
                return self._distinct_limit(others[0])
            if len(others) == 1 and self._dealt(others[0]):
                return None
        for name in key:
            if name in self.roles:
                continue
            column = self._checked_width(self.table.columns[name])
            stats = self.sample.columns.get(name) if self.sample else None
            if name in self.checks.patterns and self.columns[name].spec["kind"] == "pattern":
                redraft = Draft(dict(self.columns[name].spec), list(self.columns[name].notes))  # the CHECK's own
            else:
                redraft = column_draft(self.table.name, column, self.hints.get(name, Hints()), stats,
                                       dialect=self.catalog.dialect, unique=True, rows=int(self.estimate),
                                       today=self.today)
            kind = redraft.spec["kind"]
            if kind in ("pattern", "integers", "uuid", "timestamp") or (
                    kind == "faker" and redraft.spec.get("provider") in _MANY_PROVIDERS):
                redraft.spec["unique"] = True
                if "null" in self.columns[name].spec:
                    redraft.spec["null"] = self.columns[name].spec["null"]
                redraft.notes.append(f"unique on its own, so that ({', '.join(key)}) is")
                self.columns[name] = redraft
                return None
        return f"({', '.join(key)}) is not unique by construction: generation stops if it repeats"

    def _dealt(self, name: str) -> bool:
        """A short list of values that is part of a key with the parent: each parent's children
        take the values in turn (a hidden number within the parent picks one), so they never
        repeat; a parent has at most as many children as there are values."""
        values = self.columns[name].spec.get("values")
        number = f"{name}_number"
        if self.columns[name].spec["kind"] != "choice" or not isinstance(values, list) \
                or not 0 < len(values) <= MAX_KEY_CHOICES or not is_identifier(number) or number in self.table.columns \
                or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
            return False
        self.helpers[number] = Draft({"kind": "sequence", "within": self.link_ref, "hidden": True})
        expression = repr(values[-1])
        for position in range(len(values) - 1, 0, -1):
            expression = f"if({number} == {position}, {values[position - 1]!r}, {expression})"
        self.columns[name] = Draft({"kind": "expr", "expr": expression},
                                   [f"the values in turn for each {self.link.parent} row, so that the key holds"])
        self.truncate = len(values) if self.truncate is None else min(self.truncate, len(values))
        self.truncate_why = f"one per value of {name}"
        return True

    def _distinct_limit(self, other: str) -> None:
        """(parent ref, other ref) is a key: rulegen gives each parent distinct rows of the other
        table, so a parent may not have more children than that table has rows."""
        size = self.estimates.get(self.columns[other].spec["to"].partition(".")[0])
        if size is not None and size < 50:
            self.truncate = int(size)
            self.truncate_why = f"one per {int(size)} other rows"

    def _cap_rows(self, rows: int | dict[str, Any]) -> tuple[int | dict[str, Any], str | None]:
        """Fewer rows when a unique column cannot make enough distinct values (a short CHECK list);
        a count per parent no larger than a distinct ref's table."""
        limit = self.truncate
        if isinstance(rows, dict) and limit is not None and "count" not in rows:
            return {**rows, "truncate": [0, limit]}, f"at most {limit} per parent: {self.truncate_why}"
        spaces = [space for n, d in self.columns.items()
                  if d.spec.get("unique") or (n,) == self.table.primary_key
                  for space in [value_space(d.spec)] if space is not None]
        spaces += [self.max_rows] if self.max_rows is not None else []
        if not spaces or min(spaces) >= (rows if isinstance(rows, int) else self.estimate):
            return rows, None
        if isinstance(rows, int):
            return min(spaces), f"as many as a unique column's {min(spaces):,} possible values"
        self.notes.append(f"a unique column has only {min(spaces):,} possible values: fewer than the rows expected")
        return rows, None

    def _constraints(self) -> list[str]:
        """CHECKs comparing two columns, as the table's constraints when rulegen can redraw a side."""
        constraints = []
        for compare in self.compares:
            if comparable(compare, self.columns, self.table, self.roles, self.link_ref):
                constraints.append(compare.expression())
                narrow(compare, self.columns)
            else:
                self.notes.append(f"not translated: CHECK ({compare.left} {compare.op} {compare.right})")
        constraints += [expression for _, expression in self.checks.expressions]
        return list(dict.fromkeys(constraints + self.extra))


def _checked(text: str) -> str:
    """A CHECK's text with the word CHECK once (PostgreSQL's definitions have it already)."""
    return text if text.upper().startswith("CHECK") else f"CHECK {text}"


def fit_count(histogram: dict[int, int]) -> dict[str, Any]:
    """A count law for children per parent row, from how many parents have each count.

    At most one child: a Bernoulli; one count for all: that count; less spread than a Poisson:
    integers over the observed range; about a Poisson's spread: a Poisson (shifted by 1 when
    every parent has a child); more: a negative binomial with the same mean and variance.
    """
    total = sum(histogram.values())
    mean = sum(k * n for k, n in histogram.items()) / total
    variance = sum(n * (k - mean) ** 2 for k, n in histogram.items()) / total
    seen = [k for k, n in histogram.items() if n]
    low, high = min(seen), max(seen)
    if high <= 1:
        return {"kind": "binomial", "n": 1, "p": round(mean, 3)}
    if low == high:
        return {"count": high}
    if variance < 0.8 * mean:
        return {"kind": "integers", "low": low, "high": high}
    if variance <= 1.25 * mean:
        if low >= 1:
            return {"kind": "poisson", "lam": _round(mean - 1), "shift": 1}
        return {"kind": "poisson", "lam": _round(mean)}
    return {"kind": "negative_binomial", "n": _round(mean * mean / (variance - mean)), "p": _round(mean / variance)}


def _round(value: float) -> float:
    return float(f"{value:.4g}")
