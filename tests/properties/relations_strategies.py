"""Hypothesis strategies: random *valid* multi-table specs with relations, and what they promise.

:func:`relation_specs` draws a :class:`RelCase`: the YAML text of a spec with 1-2 root tables and
1-3 child tables (``rows: {per: PARENT, ...}``), plus, per table, the facts the properties check:
which refs point where, which columns are lookups of which parent column, which sequences run
within a parent, which constraints compare a child timestamp with a looked-up parent timestamp.
Everything is worked out from the drawn parameters, never read back from rulegen.

Every table has a key column ``k`` (its primary key), a timestamp ``ts``, a choice ``cat`` and an
integer ``v``. Parents may aggregate their children's ``v`` and roots may refer back to a child
table (tables that refer to each other both ways).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from tests.properties.strategies import SEEDS, Bare, _scalar


@dataclass
class Ref:
    column: str
    parent: str  # the table it points at (its key column is `k`)
    own: bool  # the first ref to the table's `per` parent: this row's own parent
    null: float = 0.0


@dataclass
class Lookup:
    column: str
    via: str  # a Ref column of the same table
    source: str  # the column of the referenced table it copies


@dataclass
class Within:
    column: str
    via: str
    start: int
    step: int


@dataclass
class Aggregate:
    column: str
    child: str  # a table with rows per this one, through its ref `p`
    fn: str  # of the child's `v`


@dataclass
class Table:
    name: str
    rows: Any  # an int (root) or the `rows:` mapping of a child
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> YAML options
    ts_range: tuple[dt.date, dt.date] = (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    per: str | None = None
    count: int | None = None  # `count: K`
    refs: list[Ref] = field(default_factory=list)
    lookups: list[Lookup] = field(default_factory=list)
    withins: list[Within] = field(default_factory=list)
    aggregates: list[Aggregate] = field(default_factory=list)
    constraints: list[tuple[str, str]] = field(default_factory=list)  # (left, right): left >= right
    key_kind: str = "sequence"
    nonempty: bool = True  # has at least one row whatever the seed


@dataclass
class RelCase:
    tables: dict[str, Table]
    seed: int | None
    yaml: str = ""

    def __repr__(self) -> str:
        return f"RelCase(yaml=<<<\n{self.yaml}>>>)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def render(case: RelCase) -> str:
    lines = ["version: 1"]
    if case.seed is not None:
        lines.append(f"seed: {case.seed}")
    lines.append("tables:")
    for t in case.tables.values():
        rows = t.rows if isinstance(t.rows, int) else _scalar(t.rows)
        lines += [f"  {t.name}:", f"    rows: {rows}", "    primary_key: k", "    columns:"]
        for name, opts in t.columns.items():
            lines.append(f"      {name}: {{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in opts.items()) + "}")
        if t.constraints:
            lines.append("    constraints:")
            lines += [f'      - "{a} >= {b}"' for a, b in t.constraints]
    return "\n".join(lines) + "\n"


def _date(d: dt.date) -> Bare:
    return Bare(d.isoformat())


@st.composite
def _key(draw: Any) -> tuple[str, dict[str, Any]]:
    kind = draw(st.sampled_from(["sequence", "pattern", "uuid"]))
    if kind == "sequence":
        start, step = draw(st.integers(-5, 100)), draw(st.sampled_from([1, 3, -1]))
        return kind, {"kind": "sequence", "start": start, "step": step}
    if kind == "pattern":
        return kind, {"kind": "pattern", "pattern": "[A-Z]{3}-[0-9]{4}", "unique": True}
    return kind, {"kind": "uuid"}


@st.composite
def _cat(draw: Any) -> dict[str, Any]:
    return {"kind": "choice", "values": draw(st.lists(st.sampled_from(["a", "b", "c", "d"]) | st.integers(0, 9),
                                                      min_size=1, max_size=4, unique=True)
                                             .filter(lambda v: len({type(x) for x in v}) == 1))}


@st.composite
def _rows_per(draw: Any, parent: str) -> tuple[dict[str, Any], int | None, bool]:
    """The `rows:` mapping, K for `count: K`, and whether every parent surely has a child."""
    law = draw(st.sampled_from(["count", "count", "poisson", "integers", "binomial"]))
    if law == "count":
        k = draw(st.integers(0, 3))
        return {"per": parent, "count": k}, k, k >= 1
    if law == "poisson":
        return {"per": parent, "kind": "poisson", "lam": draw(st.sampled_from([0.5, 1.0, 2.0, 3.0]))}, None, False
    if law == "integers":
        low = draw(st.integers(0, 2))
        return {"per": parent, "kind": "integers", "low": low, "high": low + draw(st.integers(0, 2))}, None, low >= 1
    n, p = draw(st.integers(0, 4)), draw(st.sampled_from([0.0, 0.3, 0.7, 1.0]))
    return {"per": parent, "kind": "binomial", "n": n, "p": p}, None, n >= 1 and p == 1.0


@st.composite
def relation_specs(draw: Any) -> RelCase:
    """A valid multi-table spec, with what it promises worked out from the drawn values."""
    tables: dict[str, Table] = {}
    for i in range(draw(st.integers(1, 2))):
        key_kind, key = draw(_key())
        t = Table(f"r{i}", draw(st.integers(1, 60)), key_kind=key_kind)
        lo = dt.date(2020, 1, 1) + dt.timedelta(days=draw(st.integers(0, 365)))
        t.ts_range = (lo, lo + dt.timedelta(days=draw(st.integers(0, 365))))
        t.columns = {"k": key, "ts": {"kind": "timestamp", "min": _date(t.ts_range[0]), "max": _date(t.ts_range[1])},
                     "cat": draw(_cat()), "v": {"kind": "integers", "low": -50, "high": 100}}
        tables[t.name] = t
    for i in range(draw(st.integers(1, 3))):
        earlier = list(tables)
        parent = tables[draw(st.sampled_from(earlier))]
        rows, count, every = draw(_rows_per(parent.name))
        key_kind, key = draw(st.sampled_from(["sequence", "uuid"]).map(
            lambda k: (k, {"kind": "sequence"} if k == "sequence" else {"kind": "uuid"})))
        t = Table(f"c{i}", rows, per=parent.name, count=count, key_kind=key_kind, nonempty=parent.nonempty and every)
        cols: dict[str, dict[str, Any]] = {"p": {"kind": "ref", "to": f"{parent.name}.k"}}
        t.refs.append(Ref("p", parent.name, own=True))
        cols["k"] = key
        if draw(st.booleans()):
            start, step = draw(st.integers(-3, 10)), draw(st.sampled_from([1, 2, -1]))
            cols["seq"] = {"kind": "sequence", "within": "p", "start": start, "step": step}
            t.withins.append(Within("seq", "p", start, step))
        # Own timestamp: from the parent's earliest to well after its latest, so `ts >= p_ts` passes often.
        plo, phi = parent.ts_range
        t.ts_range = (plo, phi + dt.timedelta(days=draw(st.sampled_from([365, 1000, 3000]))))
        cols["ts"] = {"kind": "timestamp", "min": _date(t.ts_range[0]), "max": _date(t.ts_range[1])}
        cols["cat"] = draw(_cat())
        cols["v"] = {"kind": "integers", "low": -50, "high": 100}
        # Lookups of the own parent: its cat, its ts, and (chain) any of its lookup columns.
        sources = ["cat", "ts"] + [lk.column for lk in parent.lookups]
        for src in draw(st.lists(st.sampled_from(sources), max_size=3, unique=True)):
            name = f"p_{src}"
            cols[name] = {"kind": "lookup", "via": "p", "column": src}
            t.lookups.append(Lookup(name, "p", src))
        if "p_ts" in cols and draw(st.integers(0, 2)) > 0:
            t.constraints.append(("ts", "p_ts"))
        # A second ref to any earlier table, perhaps skewed, perhaps nullable, perhaps looked up.
        # Only tables that surely have rows: a drawn ref to an empty table is null (see
        # test_ref_to_an_empty_table in test_relations.py), which the oracles here do not model.
        targets = [n for n in earlier if tables[n].nonempty]
        if targets and draw(st.booleans()):
            other = draw(st.sampled_from(targets))
            opts: dict[str, Any] = {"kind": "ref", "to": f"{other}.k"}
            if draw(st.booleans()):
                opts["skew"] = {"kind": "zipf", "a": draw(st.sampled_from([1.2, 1.5, 2.0, 2.5]))}
            null = draw(st.sampled_from([0.0, 0.0, 0.3]))
            if null:
                opts["null"] = null
            cols["o"] = opts
            t.refs.append(Ref("o", other, own=False, null=null))
            if draw(st.booleans()):
                src = draw(st.sampled_from(["cat", "ts"] + [lk.column for lk in tables[other].lookups]))
                cols[f"o_{src}"] = {"kind": "lookup", "via": "o", "column": src}
                t.lookups.append(Lookup(f"o_{src}", "o", src))
        t.columns = cols
        tables[t.name] = t
        for fn in draw(st.lists(st.sampled_from(["sum", "count", "min", "max", "mean"]), max_size=2, unique=True)):
            name = f"{fn}_{t.name}"
            parent.columns[name] = {"kind": "aggregate", "of": f"{t.name}.v", "fn": fn, "via": "p"}
            parent.aggregates.append(Aggregate(name, t.name, fn))
    for root in [t for t in tables.values() if t.per is None]:  # a ref back to a child table
        children = [t.name for t in tables.values() if t.per is not None and t.nonempty]
        if children and draw(st.booleans()):
            child = draw(st.sampled_from(children))
            root.columns["back"] = {"kind": "ref", "to": f"{child}.k"}
            root.refs.append(Ref("back", child, own=False))
    case = RelCase(tables, draw(st.none() | SEEDS))
    case.yaml = render(case)
    return case
