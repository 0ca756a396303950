"""Row counts of every table: numbers (scaled), timelines, then rows per parent row.

``--scale`` multiplies a table's number of rows unless the table says ``rows: {fixed: N}`` (a
dimension, such as regions, whose size does not grow with the facts); ``--rows`` sets either.

A table with rows per parent row is sized after its parent. Its counts are drawn a parent block
at a time (:mod:`rulegen.engine.counts`) and only the block totals are kept, so sizing takes
memory in proportion to the parent's blocks, never its rows. Without ``draw_counts`` (what
``validate`` asks for) one parent block is drawn and the row count estimated from it, so checking
a spec never makes data. A run is sized that way first (its estimate meets the run's budget
before any count is drawn, see :func:`rulegen.api.compile`); while drawing, the rows sized so far
bound the bytes the run writes from below (a separator per value), and drawing stops as soon as
that bound passes the budget (``max_bytes``).

A count, or a law's parameter, that is an expression over the parent row reads the parent's
plan (:mod:`rulegen.plan.parent_counts`): such a table is sized in the compile pass after the one
that made its parent, its counts drawn as a law's are. When the parent's own rows are only an
estimate (``validate`` of a large spec) its rows cannot be read yet, and one child per parent row
stands for the estimate; the run draws every count, and its budget stops the drawing in time.

A timeline has as many rows as ticks, however many: the run's budget (:mod:`rulegen.plan.budget`)
refuses one too large to write, so ``validate`` accepts a legal spec of any size. Its ``every``
is at most :data:`MAX_EVERY`, longer than any span of dates, so every instant fits in int64.
"""

from __future__ import annotations

import dataclasses
import datetime
import graphlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rulegen.engine.counts import INT64_MAX, ExprCounts, ExprLawCounts, LawCounts, block_totals
from rulegen.errors import Diagnostic
from rulegen.kinds import KINDS
from rulegen.kinds.base import CompileEnv
from rulegen.plan.budget import over_run
from rulegen.plan.parent_counts import parent_counts, waits_for_parent
from rulegen.plan.plan import BLOCK_ROWS, ParentLink, Timeline
from rulegen.spec.model import PerParentSpec, Spec, TableSpec, TimelineSpec
from rulegen.spec.source_map import join_pointer

__all__ = ["MAX_EVERY", "Sizing", "draws_counts", "size_tables"]

Counts = LawCounts | ExprCounts | ExprLawCounts

MAX_EVERY = 10_000 * 31_557_600  # seconds: 10,000 years (of 365.25 days), past the last date there is


@dataclass(frozen=True, slots=True, kw_only=True)
class Sizing:
    """What decides the row counts of one compile."""

    seed: int
    scale: float = 1.0  # multiplies every number of rows but `fixed` ones
    rows: Mapping[str, int] | None = None  # exact rows by table (--rows), fixed or not
    block_rows: int = BLOCK_ROWS
    draw_counts: bool = True  # False: estimate rows per parent row from one parent block
    max_bytes: int | None = None  # the user's limit of the run's bytes
    # Count expressions read the parent's plan: the one of the compile pass before (to size
    # with), and the live one of this pass (to generate with; see compile_spec's passes).
    before: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    plans: Mapping[str, Any] = dataclasses.field(default_factory=dict)


def draws_counts(spec: Spec) -> bool:
    """Whether sizing ``spec`` draws counts: a table has a law or an expression of rows per parent row."""
    return any(isinstance(t.rows, PerParentSpec) and t.rows.count is None for t in spec.tables.values())


def size_tables(tables: Mapping[str, Any], sizing: Sizing) -> list[Diagnostic]:
    """Set ``rows``, ``link``, ``timeline``, ``sized`` and ``estimated`` of each compiling table.

    Args:
        tables: the compiler's tables by name (each with its ``spec``).
        sizing: seed, scale, exact rows, block size, whether to draw counts, the byte limit.

    Returns:
        The problems: cycles of `per`, bad timelines, negative or overflowing counts, a run
        past ``max_bytes``.
    """
    parents = {name: {t.spec.parent} & tables.keys() if t.spec.parent else set() for name, t in tables.items()}
    try:
        order = list(graphlib.TopologicalSorter(parents).static_order())
    except graphlib.CycleError as exc:
        cycle = " -> ".join(exc.args[1][::-1])
        return [Diagnostic("RG302", f"tables take their rows from each other in a cycle: {cycle}",
                           tables[exc.args[1][0]].spec.pointer)]
    problems: list[Diagnostic] = []
    for name in order:
        table, size, parent = tables[name], tables[name].spec.rows, tables[name].spec.parent
        if isinstance(size, int):
            table.rows, table.sized = _row_count(table.spec, sizing.scale, sizing.rows), True
            continue
        if parent is not None and not (parent in tables and tables[parent].sized):
            continue  # the parent's problems are reported
        if isinstance(size, TimelineSpec):
            found = _size_timeline(table, size, tables[parent].rows if parent else None, sizing)
        elif waits_for_parent(table.spec):
            found = _size_by_expression(table, tables, sizing)
            if not found and table.link is None:
                continue  # its parent compiles in this pass: sized in the next
        else:
            found = _size_per_parent(table, tables[parent].rows, sizing, tables)
        problems += found
        if found:
            continue
        table.estimated = table.estimated or (parent is not None and tables[parent].estimated)
        table.sized = True
    return problems


def _size_timeline(table: Any, spec: TimelineSpec, parent_rows: int | None, sizing: Sizing) -> list[Diagnostic]:
    timeline, found = _timeline(spec)
    if timeline is None:
        return found
    table.rows = timeline.ticks
    if spec.parent is not None and parent_rows is not None:
        if timeline.ticks * parent_rows > INT64_MAX:
            return [_overflow(spec.pointer, f"{timeline.ticks:,} ticks for each of {parent_rows:,} parent rows")]
        table.link = ParentLink(spec.parent, parent_rows, count=timeline.ticks, block_rows=sizing.block_rows)
        table.rows = table.link.total
    table.timeline = dataclasses.replace(timeline, link=table.link)
    return []


def _written_at_least(tables: Mapping[str, Any]) -> int:
    """Bytes the tables sized so far write at the least: a separator or newline per value."""
    return sum(t.rows * max(1, sum(not c.hidden for c in t.spec.columns.values()))
               for t in tables.values() if t.sized)


def _size_per_parent(table: Any, parent_rows: int, sizing: Sizing, tables: Mapping[str, Any]) -> list[Diagnostic]:
    """The link of a table with rows per parent row, and its row count (see the module docstring)."""
    per = table.spec.rows
    assert isinstance(per, PerParentSpec)
    if per.count is not None:
        if per.count * parent_rows > INT64_MAX:
            return [_overflow(per.pointer, f"{per.count:,} rows for each of {parent_rows:,} parent rows")]
        table.link = ParentLink(per.parent, parent_rows, count=per.count, block_rows=sizing.block_rows)
        table.rows = table.link.total
        return []
    spec = per.law
    if spec.kind == "histogram":  # bins of counts give whole numbers
        spec = dataclasses.replace(spec, options={**spec.options, "integer": True})
    law = KINDS.get(spec.kind)(spec)
    found = law.check(table.spec) or _negative_bins(per)
    if not found and per.stratified and hasattr(law, "quantile_problem"):
        problem = law.quantile_problem()  # stratified counts are the law's quantiles
        found = [problem] if problem else []
    if found:
        return found
    law.compile(CompileEnv(seed=sizing.seed, table=table.spec, rows=0, locale="en_US", base_dir="."))
    counts = LawCounts(law, sizing.seed, table.spec.name, parent_rows, sizing.block_rows, stratified=per.stratified)
    return _draw_counts(table, counts, counts, parent_rows, sizing, tables)


def _negative_bins(per: PerParentSpec) -> list[Diagnostic]:
    """A histogram of counts must start at 0 or more: a bin below would draw negative counts."""
    assert per.law is not None
    edges = per.law.options.get("edges") if per.law.kind == "histogram" else None
    if not edges or edges[0] >= 0:
        return []
    return [Diagnostic("RG210", f"bins of counts per parent row must start at 0 or more, got edges from {edges[0]}",
                       join_pointer(per.pointer, "edges"), hint="start the first bin at 0")]


def _size_by_expression(table: Any, tables: Mapping[str, Any], sizing: Sizing) -> list[Diagnostic]:
    """The link and row count of a table whose count per parent row, or its law's parameters,
    are expressions over the parent row, once the parent's plan is in ``sizing.before`` (no link
    before that)."""
    per, parent = table.spec.rows, tables[table.spec.rows.parent]
    counts, problems = parent_counts(per, parent.spec, parent.rows, sizing.before, sizing.plans, seed=sizing.seed,
                                     table=table.spec.name, block_rows=sizing.block_rows)
    if counts is None:
        return problems
    link = sizing.before[per.parent].link
    if link is not None and link.count is None and link.prefix is None:
        # The parent's own rows are estimated (validate): its rows cannot be read yet. One
        # child per parent row stands for the estimate; drawing the counts meets the budget.
        table.link = ParentLink(per.parent, parent.rows, counts=counts, block_rows=sizing.block_rows)
        table.rows, table.estimated = parent.rows, True
        return []
    probe = dataclasses.replace(counts, plans=sizing.before)
    return _draw_counts(table, probe, counts, parent.rows, sizing, tables)


def _draw_counts(table: Any, probe: Counts, counts: Counts, parent_rows: int,
                 sizing: Sizing, tables: Mapping[str, Any]) -> list[Diagnostic]:
    """Size ``table`` from the counts ``probe`` draws (all, or one parent block to estimate), and
    link it through ``counts`` (the same counts, read from the run's plan)."""
    per = table.spec.rows
    limit, floor = INT64_MAX, 0
    if sizing.max_bytes is not None and sizing.draw_counts:
        floor = _written_at_least(tables)
        if floor > sizing.max_bytes:
            return [over_run(f"at least {floor:,} bytes before `{table.spec.name}`", sizing.max_bytes, per.pointer)]
        limit = (sizing.max_bytes - floor) // max(1, sum(not c.hidden for c in table.spec.columns.values()))
    totals = block_totals(probe, None if sizing.draw_counts else 1, limit)
    if totals.prefix is None:
        if totals.reason == "negative":
            return [Diagnostic("RG210", totals.problem, per.pointer, hint="use an integer law that is never below 0")]
        if totals.reason == "limit" and sizing.max_bytes is not None:
            return [over_run(f"at least {floor:,} bytes and `{table.spec.name}` {totals.problem}",
                             sizing.max_bytes, per.pointer)]
        if totals.reason == "memory":
            return [Diagnostic("RG261", f"`{table.spec.name}` has a count of rows for each of the {parent_rows:,} "
                                        f"rows of `{per.parent}`: {totals.problem}", per.pointer,
                               hint=f"give `{per.parent}` fewer rows")]
        return [_overflow(per.pointer, totals.problem)]
    if sizing.draw_counts:
        table.link = ParentLink(per.parent, parent_rows, counts=counts, prefix=totals.prefix, most=totals.most,
                                block_rows=sizing.block_rows)
        table.rows = table.link.total
        return []
    drawn = min(sizing.block_rows, parent_rows)
    rows = int(totals.prefix[-1]) * parent_rows // drawn if drawn else 0
    if rows > INT64_MAX:
        return [_overflow(per.pointer, f"about {rows:,} rows")]
    exact = drawn >= parent_rows  # one block of parents is all of them
    table.link = ParentLink(per.parent, parent_rows, counts=counts, most=totals.most, block_rows=sizing.block_rows,
                            prefix=totals.prefix if exact else None)
    table.rows, table.estimated = rows, not exact
    return []


def _overflow(pointer: str, what: str) -> Diagnostic:
    return Diagnostic("RG260", f"the counts per parent row overflow: {what} (at most {INT64_MAX:,} rows)", pointer,
                      hint="lower the count per parent row or the parent's rows")


def _timeline(spec: TimelineSpec) -> tuple[Timeline | None, list[Diagnostic]]:
    """Start, step and number of ticks of a timeline (a date-only `end` means the end of that day)."""
    from rulegen.kinds.durations import parse_duration, unitless
    from rulegen.kinds.temporal import parse_instant

    problems = []
    start, end = parse_instant(spec.start), parse_instant(spec.end, end_of_day=True)
    for option, value in (("start", start), ("end", end)):
        if value is None:
            problems.append(Diagnostic("RG205", f"must be a date or timestamp such as 2024-01-31, got "
                                                f"{getattr(spec, option)!r}", join_pointer(spec.pointer, option)))
    every = parse_duration(spec.every)
    bare = unitless(spec.every, "a timeline's `every`", join_pointer(spec.pointer, "every"))
    if bare:  # a number without a unit is not read as seconds
        problems += bare
    elif every is None or not math.isfinite(every) or every < 1 or every != int(every):
        problems.append(Diagnostic("RG205", f"must be a whole number of seconds such as 30s, 15m, 1h or 1d, got "
                                            f"{spec.every!r}", join_pointer(spec.pointer, "every")))
    elif every > MAX_EVERY:
        problems.append(Diagnostic("RG205", f"must be at most 10000y ({MAX_EVERY:,} seconds), longer than any span "
                                            f"of dates, got {spec.every!r}", join_pointer(spec.pointer, "every"),
                                   hint="an `every` just longer than the span from `start` to `end` gives one tick"))
    if start is not None and end is not None and start > end:
        problems.append(Diagnostic("RG210", f"start must not be after end ({spec.start} > {spec.end})",
                                   join_pointer(spec.pointer, "start")))
    if problems:
        return None, problems
    assert start is not None and end is not None and every is not None
    epoch = datetime.datetime(1970, 1, 1)
    first, last = (start - epoch) // datetime.timedelta(seconds=1), (end - epoch) // datetime.timedelta(seconds=1)
    ticks = (last - first) // int(every) + 1
    return Timeline(start=first, every=int(every), ticks=ticks), []


def _row_count(table: TableSpec, scale: float, rows: Mapping[str, int] | None) -> int:
    assert isinstance(table.rows, int)
    if rows and table.name in rows:
        return int(rows[table.name])
    return table.rows if scale == 1 or table.fixed else max(0, round(table.rows * scale))
