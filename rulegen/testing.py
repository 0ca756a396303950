"""Hypothesis strategies that draw whole datasets (or single rows) obeying a rulegen spec.

::

    from hypothesis import given
    from rulegen.testing import rows, tables

    @given(tables("schemas/shop.yaml", max_rows=50))
    def test_revenue_is_never_negative(data):
        assert revenue(data["orders"]) >= 0

    @given(rows("schemas/shop.yaml", "orders"))
    def test_one_order(order):            # a dict: {"order_id": 3, "status": "pending", ...}
        ...

Hypothesis draws the row count of every table with a number of rows ``rows: N`` (0 to
``max_rows``, and at most N for ``rows: {fixed: N}``) and the seed; rulegen makes the data from
them, so tables that follow a parent (``rows: {per: ...}``) get their per-parent counts and
every key, reference, lookup, aggregate and constraint holds. A failing test shrinks towards
fewer rows and seed 0, and the report shows the seed and row counts that rebuild the dataset:
``rulegen.generate(spec, seed=S, rows=ROWS)``. The spec is loaded, compiled and its smallest
dataset made when the strategy is created, so a broken spec fails as the test module is
collected.

Row counts are adjusted so the dataset stays small and whole:

- no table has more than ``max_rows`` rows: when a table that follows a parent would, the row
  count of the table at the top of its chain is cut down until it fits, but not below one row
  (the children of a single row are kept, however many);
- a table referenced by a ``ref`` (other than the one that makes a table follow its parent)
  gets at least one row, so references are never null for lack of a parent; a fixed-size table
  whose ``ref`` points into a table left empty gets no rows. (A table following a parent whose
  ``ref`` points into another such table that is empty keeps its null references.)
- ``timeline`` tables keep their length, which is their span: ``max_rows`` does not bound them.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    from hypothesis import assume, note
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - only without the test extra
    raise ImportError("rulegen.testing needs Hypothesis: pip install 'rulegen[test]'") from exc

import rulegen
from rulegen.spec.model import Spec

if TYPE_CHECKING:
    import pandas as pd

    from rulegen.plan.plan import Plan

__all__ = ["Dataset", "rows", "tables"]

SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
_PLANS_KEPT = 64  # compiled plans kept per spec: shrinking revisits the same (seed, rows) often


class Dataset(dict):
    """The tables ``tables()`` drew, by name, with the seed and row counts that rebuild them."""

    def __init__(self, frames: Mapping[str, pd.DataFrame], *, seed: int, rows: Mapping[str, int]) -> None:
        super().__init__(frames)
        self.seed = seed
        self.rows = dict(rows)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}[{len(frame)}]" for name, frame in self.items())
        return f"Dataset(seed={self.seed}, rows={self.rows!r}: {sizes})"


def tables(
    spec: str | os.PathLike[str] | Spec, *, max_rows: int = 100, min_rows: int = 0,
    seeds: st.SearchStrategy[int] = SEEDS,
) -> st.SearchStrategy[Dataset]:
    """Whole datasets of ``spec``: a dict of DataFrames like ``rulegen.generate`` returns.

    Args:
        spec: a spec file, YAML text or a loaded ``Spec``.
        max_rows: the most rows of any table (timelines aside).
        min_rows: the fewest rows of each fixed-size table.
        seeds: where the seed comes from: any 32-bit seed by default. Each new seed compiles the
            spec afresh, Faker pools included (a pool of 4,096 values of a non-list provider
            such as ``catch_phrase`` is tens of milliseconds); ``st.integers(0, 9)`` trades
            variety for speed.

    Raises:
        ValueError: ``min_rows`` or ``max_rows`` is out of range (when called).
        SpecError: the spec is invalid (when called).
    """
    model = _model(spec, min_rows=min_rows, max_rows=max_rows)
    return _datasets(model, seeds)


def rows(
    spec: str | os.PathLike[str] | Spec, table: str, *, max_rows: int = 20, seeds: st.SearchStrategy[int] = SEEDS,
) -> st.SearchStrategy[dict[str, Any]]:
    """Single rows of ``table`` as dicts (column to value, hidden columns left out).

    Each row comes from a small dataset (every fixed-size table with 1 to ``max_rows`` rows,
    the seed drawn from ``seeds``), of which only ``table`` and what it reads are generated.

    Raises:
        KeyError: the spec has no table ``table`` (when called).
    """
    model = _model(spec, min_rows=1, max_rows=max_rows)
    if table not in model.spec.tables:
        raise KeyError(f"no table {table!r}; tables are: {', '.join(model.spec.tables)}")
    return _rows(model, table, seeds)


@st.composite
def _datasets(draw: st.DrawFn, model: _Model, seeds: st.SearchStrategy[int]) -> Dataset:
    drawn = {name: draw(st.integers(model.low[name], model.high[name]), label=name) for name in model.roots}
    seed = draw(seeds, label="seed")
    plan, counts = model.plan(seed, drawn)
    note(f"rulegen.generate({model.name}, seed={seed}, rows={counts!r})")
    return Dataset({name: model.frame(seed, counts, name).copy() for name in plan.tables}, seed=seed, rows=counts)


@st.composite
def _rows(draw: st.DrawFn, model: _Model, table: str, seeds: st.SearchStrategy[int]) -> dict[str, Any]:
    drawn = {name: draw(st.integers(model.low[name], model.high[name]), label=name) for name in model.roots}
    seed = draw(seeds, label="seed")
    plan, counts = model.plan(seed, drawn)
    size = plan.tables[table].rows
    assume(size > 0)
    index = draw(st.integers(0, size - 1), label="row")
    note(f"rulegen.generate({model.name}, seed={seed}, rows={counts!r})[{table!r}].iloc[{index}]")
    return model.frame(seed, counts, table).iloc[[index]].to_dict("records")[0]


class _Model:
    """A loaded spec and what the strategies need to know about its tables.

    A plain class, not a dataclass: Hypothesis pretty-prints dataclass fields (the whole spec)
    in a strategy's repr, but calls ``__repr__`` on anything else.
    """

    def __init__(self, spec: Spec, *, max_rows: int, roots: tuple[str, ...], low: Mapping[str, int],
                 high: Mapping[str, int], top: Mapping[str, str | None], refs: tuple[tuple[str, str], ...]) -> None:
        self.spec = spec
        self.max_rows = max_rows
        self.roots = roots  # tables with a fixed `rows: N`: their counts are drawn
        self.low = low  # the fewest rows each root may be drawn with
        self.high = high  # the most: max_rows, or fewer for a table of `rows: {fixed: N}`
        self.top = top  # each table's root (the top of its chain of `per`), None under a timeline
        self.refs = refs  # (table, referenced table) for refs that draw a parent row
        self.plans: OrderedDict[tuple[int, tuple[tuple[str, int], ...]], Plan] = OrderedDict()
        self.frames: OrderedDict[tuple[int, tuple[tuple[str, int], ...], str], pd.DataFrame] = OrderedDict()

    @property
    def name(self) -> str:
        """The spec's file name, quoted, or ``spec`` when it came as text."""
        filename = self.spec.source.filename
        return "spec" if filename.startswith("<") else repr(filename)

    def __repr__(self) -> str:  # Hypothesis shows it in the strategy's repr
        return f"<spec {self.spec.source.filename!r}, max_rows={self.max_rows}>"

    def compile(self, seed: int, counts: Mapping[str, int]) -> Plan:
        key = (seed, tuple(sorted(counts.items())))
        plan = self.plans.get(key)
        if plan is None:
            plan = rulegen.compile(self.spec, seed=seed, rows=counts)
            self.plans[key] = plan
            if len(self.plans) > _PLANS_KEPT:
                self.plans.popitem(last=False)
        else:
            self.plans.move_to_end(key)
        return plan

    def plan(self, seed: int, drawn: Mapping[str, int]) -> tuple[Plan, dict[str, int]]:
        """The plan for the drawn root counts, cut down until every table fits and refs resolve."""
        counts = dict(drawn)
        while True:
            plan = self.compile(seed, counts)
            sizes = {name: t.rows for name, t in plan.tables.items()}
            changed = False
            for name, size in sizes.items():
                root = self.top[name]
                if root is not None and root != name and size > self.max_rows and counts[root] > 1:
                    # Each parent row's count of children depends on that row alone, so fewer
                    # root rows give a prefix of the children: the sizes only go down. One
                    # root row stays, whatever the size of its children.
                    counts[root] = max(1, min(counts[root] - 1, counts[root] * self.max_rows // size))
                    changed = True
            for table, target in self.refs:
                if sizes[table] > 0 and sizes[target] == 0 and self.top[table] == table and counts[table] > 0:
                    counts[table] = 0
                    changed = True
            if not changed:
                return plan, counts

    def frame(self, seed: int, counts: Mapping[str, int], table: str) -> pd.DataFrame:
        """One table of the dataset (shared: copy it before handing it out)."""
        import pandas as pd

        key = (seed, tuple(sorted(counts.items())), table)
        found = self.frames.get(key)
        if found is not None:
            self.frames.move_to_end(key)
            return found
        plan = self.compile(seed, counts)
        # blocks=[0] of an empty table still yields one (empty) frame, with the right dtypes.
        blocks = range(max(1, plan.tables[table].blocks))
        frames = list(rulegen.iter_blocks(plan, table, blocks=blocks))
        frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        self.frames[key] = frame
        if len(self.frames) > _PLANS_KEPT * 4:
            self.frames.popitem(last=False)
        return frame


_MODELS: OrderedDict[tuple[Any, int, int], _Model] = OrderedDict()


def _model(spec: str | os.PathLike[str] | Spec, *, min_rows: int, max_rows: int) -> _Model:
    if not 0 <= min_rows <= max_rows or max_rows < 1:
        raise ValueError(f"need 0 <= min_rows <= max_rows and max_rows >= 1, got min_rows={min_rows}, "
                         f"max_rows={max_rows}")
    key = (_spec_key(spec), min_rows, max_rows)
    if key in _MODELS:
        return _MODELS[key]
    loaded = spec if isinstance(spec, Spec) else rulegen.load(spec)
    model = _describe(loaded, min_rows=min_rows, max_rows=max_rows)
    # Make the smallest dataset now: a broken spec fails when the test is collected, and the
    # first draw does not pay for first imports (Hypothesis fails draws that are too slow).
    plan, counts = model.plan(0, model.low)
    for name in plan.tables:
        model.frame(0, counts, name)
    _MODELS[key] = model
    if len(_MODELS) > 16:
        _MODELS.popitem(last=False)
    return model


def _spec_key(spec: str | os.PathLike[str] | Spec) -> Any:
    if isinstance(spec, Spec):
        return id(spec)
    if isinstance(spec, os.PathLike) or "\n" not in spec:
        path = Path(spec).resolve()
        try:
            return (str(path), path.stat().st_mtime_ns)
        except OSError:
            return (str(path), None)  # not a file: rulegen.load says what it is
    return spec


def _describe(spec: Spec, *, min_rows: int, max_rows: int) -> _Model:
    """Roots, chains and references of a spec's tables."""
    roots = tuple(name for name, t in spec.tables.items() if isinstance(t.rows, int))

    def top(name: str) -> str | None:
        seen = set()
        while name not in seen:
            seen.add(name)
            table = spec.tables[name]
            if isinstance(table.rows, int):
                return name
            if table.parent is None:
                return None  # a timeline of its own
            name = table.parent
        return None  # a cycle of `per`: compile reports it

    refs = []
    for name, table in spec.tables.items():
        link_seen = False
        for column in table.columns.values():
            if column.kind != "ref":
                continue
            target = str(column.options.get("to", "")).rpartition(".")[0]
            if target == table.parent and not link_seen:
                link_seen = True  # the ref that holds each row's own parent: never empty
                continue
            if target in spec.tables and target != name:
                refs.append((name, target))
    referenced_roots = {target for _, target in refs if target in roots}
    # A dimension (`rows: {fixed: N}`) never has more than its N rows: its unique values may be all it has.
    high = {name: min(max_rows, spec.tables[name].rows) if spec.tables[name].fixed else max_rows for name in roots}
    low = {name: min(high[name], max(min_rows, 1 if name in referenced_roots else 0)) for name in roots}
    return _Model(spec, max_rows=max_rows, roots=roots, low=low, high=high,
                  top={name: top(name) for name in spec.tables}, refs=tuple(refs))
