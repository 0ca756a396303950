"""Compile a :class:`Spec` into a :class:`Plan`: semantic checks, graph, types.

Checks that need no compiled column come from :mod:`rulegen.plan.checks`, the copula from
:mod:`rulegen.plan.copula`, row counts from :mod:`rulegen.plan.sizing`, every column's byte bound from
:mod:`rulegen.plan.budget`, how each ``unique`` is met from :mod:`rulegen.plan.uniqueness` and
what a failing row draws again from :mod:`rulegen.plan.redraw`. Every problem of every table is
collected before anything is raised, so a user fixes a spec in one pass rather than one error at
a time.
"""

from __future__ import annotations

import dataclasses
import graphlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.types as pat

from rulegen.errors import Diagnostic, SpecError, did_you_mean
from rulegen.expr.parser import Expression, parse_expression
from rulegen.expr.types import common_type, describe, is_numeric
from rulegen.kinds import KINDS
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.relational import Ref
from rulegen.plan.budget import check_column, check_run, column_width
from rulegen.plan.checks import check_common_options, check_correlations, check_keys, check_locale
from rulegen.plan.copula import copula_plan
from rulegen.plan.graph import ColumnGraph
from rulegen.plan.parent_counts import count_names, waits_for_parent
from rulegen.plan.plan import BLOCK_ROWS, ColumnPlan, ParentLink, Plan, TablePlan, Timeline
from rulegen.plan.redraw import redraw_set
from rulegen.plan.sizing import Sizing, size_tables
from rulegen.plan.uniqueness import (
    alone,
    column_uniqueness,
    kind_column,
    plan_composites,
    retarget,
    unique_checks,
    with_spares,
)
from rulegen.spec.model import PerParentSpec, Spec, TableSpec
from rulegen.spec.source_map import join_pointer

__all__ = ["compile_spec"]


@dataclass(slots=True)
class _Table:
    """A table while it compiles."""

    spec: TableSpec
    rows: int = 0
    link: ParentLink | None = None
    timeline: Timeline | None = None
    sized: bool = False  # rows known (a per-parent table waits for its parent's)
    typed_only: bool = False  # waits for its parent: compiled with no rows for its problems, not planned
    estimated: bool = False  # rows estimated, not drawn (see compile_spec's draw_counts)
    kinds: dict[str, Kind] = field(default_factory=dict)
    whens: dict[str, Expression] = field(default_factory=dict)
    constraints: list[Expression] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # columns whose own checks failed
    columns: dict[str, ColumnPlan] = field(default_factory=dict)  # compiled so far
    unique: dict[str, str] = field(default_factory=dict)  # columns unique alone: where it is declared


def compile_spec(
    spec: Spec,
    *,
    seed: int | None = None,
    scale: float = 1.0,
    rows: Mapping[str, int] | None = None,
    block_rows: int = BLOCK_ROWS,
    draw_counts: bool = True,
    max_bytes: int | None = None,
) -> Plan:
    """Resolve a spec for one seed and size.

    Columns compile in the order of the column graph across all tables, so tables may refer
    to each other both ways (a child looks up its parent, the parent aggregates its children)
    as long as no column needs itself. A table whose count per parent row reads the parent row
    is sized in a second pass, from the plan of its parent made by the first (a pass per such
    level of tables).

    Args:
        spec: a loaded spec.
        seed: overrides the spec's seed (which defaults to 0).
        scale: multiplies the row counts of tables with a number of ``rows`` (not ``{fixed: N}``).
        rows: exact row counts by table name, overriding spec and scale.
        block_rows: rows per block; part of the determinism contract, so leave it alone
            except in tests.
        draw_counts: draw the children of every parent row (``rows: {per: ...}`` with a law);
            False (``validate``) draws one parent block and estimates the row count: such a
            plan tells its sizes and problems but is not for generating.

    Raises:
        SpecError: every semantic, graph and type problem found.
    """
    seed = seed if seed is not None else (spec.seed if spec.seed is not None else 0)
    sizing = Sizing(seed=seed, scale=scale, rows=rows, block_rows=block_rows, draw_counts=draw_counts,
                    max_bytes=max_bytes)
    # A count per parent row that reads the parent's columns needs the parent's plan: a pass
    # compiles what it can, and the next sizes the tables that waited from the plans it made.
    # A parent whose aggregates read such a child has no plan before the child's: its plan of
    # the other columns (a partial plan) is what the child's counts read meanwhile.
    partial_parents: set[str] = set()
    while True:
        tables, plans, problems, partials = _compile_pass(spec, sizing, rows)
        waiting = [name for name, t in tables.items() if not t.sized and waits_for_parent(t.spec)]
        if problems or not waiting:
            break
        usable = {parent: plan for parent, plan in partials.items()
                  if all(count_names(tables[child].spec.rows, tables[parent].spec) <= plan.columns.keys()
                         for child in waiting if tables[child].spec.parent == parent)}
        partial_parents |= usable.keys()
        plans = {**plans, **usable}
        if not any(tables[name].spec.parent in plans for name in waiting):
            problems = [_cycle(name, tables, partials) for name in waiting
                        if tables[tables[name].spec.parent].sized]  # not a waiting parent
            break
        sizing = dataclasses.replace(sizing, before=plans)
    if not problems:
        problems = _redrawn_counts(tables, plans, partial_parents)
    if problems:
        raise SpecError(spec.source.in_document_order(retarget(problems, spec)), spec.source)
    return Plan(spec=spec, seed=seed, tables={name: plans[name] for name in spec.tables},
                options={"scale": scale, "block_rows": block_rows})


def _cycle(name: str, tables: Mapping[str, _Table], partials: Mapping[str, TablePlan]) -> Diagnostic:
    """RG341: ``name``'s counts read its parent's row, and the parent cannot be made first."""
    per, parent = tables[name].spec.rows, tables[name].spec.parent
    partial = partials.get(parent)
    if partial is not None:  # the counts read the very columns that read the child
        read = sorted(count_names(per, tables[parent].spec) - partial.columns.keys())
        cols, verb = ", ".join(f"`{c}`" for c in read), "reads" if len(read) == 1 else "read"
        return Diagnostic("RG341", f"`{name}` counts its rows from {cols} of `{parent}`, which {verb} `{name}` (an "
                                   f"aggregate or a lookup): neither can be made first", _count_pointer(per),
                          hint=f"count from columns of `{parent}` that do not read `{name}`, or give `{name}` a "
                               f"fixed count or a law of rows" + (" with numbers for parameters" if per.law else ""))
    because = " and has constraints, whose redraws would depend on it" if tables[parent].spec.constraints else ""
    return Diagnostic("RG341", f"`{name}` counts its rows from the rows of `{parent}`, but `{parent}` reads `{name}` "
                               f"(an aggregate or a lookup){because}: neither can be made first", _count_pointer(per),
                      hint=f"drop the column of `{parent}` that reads `{name}`, or give `{name}` a fixed count or "
                           f"a law of rows" + (" with numbers for parameters" if per.law else ""))


def _redrawn_counts(tables: Mapping[str, _Table], plans: Mapping[str, TablePlan],
                    partial_parents: set[str]) -> list[Diagnostic]:
    """Counts sized from a parent's partial plan must read what the whole plan makes: none of
    the columns they read may be redrawn (by a repeat of a unique key that takes in a column the
    partial plan lacked)."""
    problems = []
    for name, table in tables.items():
        parent = table.spec.parent
        if parent not in partial_parents or not waits_for_parent(table.spec):
            continue
        read = plans[parent].needed(count_names(table.spec.rows, tables[parent].spec))
        if read & set(plans[parent].redraw):
            problems.append(Diagnostic(
                "RG341", f"`{name}` counts its rows from columns of `{parent}` that `{parent}` redraws after "
                         f"reading `{name}`: neither can be made first", _count_pointer(table.spec.rows),
                hint=f"give `{name}` a fixed count or a law of rows with numbers for parameters"))
    return problems


def _count_pointer(rows: PerParentSpec) -> str:
    """Where a count per parent row reads the parent: ``count``, or its law's first parameter
    that is an expression."""
    law = rows.law.options if rows.law is not None else {}
    return join_pointer(rows.pointer, next((k for k, v in law.items() if isinstance(v, str) and k != "kind"),
                                           "count"))


def _compile_pass(spec: Spec, sizing: Sizing, rows: Mapping[str, int] | None,
                  ) -> tuple[dict[str, _Table], dict[str, TablePlan], list[Diagnostic], dict[str, TablePlan]]:
    """One compile of every table that can be sized (see compile_spec): its tables, the plans
    made, the problems found, and the partial plans of the tables some of whose columns read a
    table that waits for its parent (see :func:`_partial_plan`)."""
    seed, block_rows, max_bytes = sizing.seed, sizing.block_rows, sizing.max_bytes
    problems: list[Diagnostic] = []
    tables = {name: _Table(t) for name, t in spec.tables.items()}
    for unknown in set(rows or {}) - set(spec.tables):
        problems.append(Diagnostic("RG212", f"--rows names unknown table `{unknown}`", "/tables",
                                   hint=did_you_mean(unknown, spec.tables)))
    problems += check_locale(spec)
    for table in tables.values():
        problems += _check_table(table)
    problems += _resolve(tables)
    problems += _check_per(tables, rows)
    order, cycles = _column_graph(tables).order(spec.source)
    problems += cycles
    plans: dict[str, TablePlan] = {}
    problems += size_tables(tables, dataclasses.replace(sizing, plans=plans))
    for table in tables.values():
        _type_while_waiting(table, tables, block_rows)
    envs = {name: CompileEnv(seed=seed, table=table.spec, rows=table.rows, locale=spec.locale,
                             base_dir=str(spec.base_dir), link=table.link, timeline=table.timeline,
                             block_rows=block_rows, tables=tables, plans=plans)
            for name, table in tables.items()}
    for name, column in order:
        if tables[name].sized or tables[name].typed_only:
            _compile_column(tables[name], column, envs[name], tables)
    orders: dict[str, list[str]] = {name: [] for name in tables}
    for name, column in order:  # each table's own order, in one pass (not a pass per table)
        orders[name].append(column)
    partials: dict[str, TablePlan] = {}
    for name, table in tables.items():
        if table.sized or table.typed_only:
            plan = _finish_table(table, envs[name], orders[name], block_rows)
            problems += envs[name].diagnostics
            if plan is not None and table.sized:
                plans[name] = plan
            elif table.sized and not envs[name].diagnostics and any(
                    t.typed_only and t.spec.parent == name for t in tables.values()):
                partial = _partial_plan(table, envs[name], orders[name], block_rows)
                if partial is not None:
                    partials[name] = partial
    if not problems:
        problems += _evaluation_cycles(plans)
    if not problems and max_bytes is not None:
        problems += check_run(plans, max_bytes)
    return tables, plans, problems, partials


def _partial_plan(table: _Table, env: CompileEnv, order: list[str], block_rows: int) -> TablePlan | None:
    """The plan of the columns of ``table`` that compiled, when the rest could not only because
    they read a table that waits for this one (an aggregate over children whose counts read
    this table's row): the plan those counts read. None when the table has constraints, whose
    redraws would depend on the missing columns."""
    kept = {name: column for name, column in table.spec.columns.items() if name in table.columns}
    if table.spec.constraints or not kept or any(set(c.columns) - kept.keys() for c in table.spec.correlations):
        return None
    spec = dataclasses.replace(table.spec, columns=kept,
                               primary_key=table.spec.primary_key if set(table.spec.primary_key) <= kept.keys() else (),
                               unique=tuple(u for u in table.spec.unique if set(u) <= kept.keys()))
    part = dataclasses.replace(table, spec=spec, columns=dict(table.columns), constraints=[])
    return _finish_table(part, dataclasses.replace(env, diagnostics=[]), [c for c in order if c in kept], block_rows)


def _type_while_waiting(table: _Table, tables: Mapping[str, _Table], block_rows: int) -> None:
    """Let a table whose counts wait for its parent's plan compile with no rows in this pass, so
    that its columns' problems are reported with every other one (its plan comes in the next)."""
    parent = table.spec.parent
    if table.sized or not waits_for_parent(table.spec) or parent not in tables or not tables[parent].sized:
        return
    table.typed_only, table.rows = True, 0
    table.link = ParentLink(parent, tables[parent].rows, count=0, block_rows=block_rows)


def _resolve(tables: Mapping[str, _Table]) -> list[Diagnostic]:
    """Names of other tables and their columns, now that every table is known."""
    specs = {name: table.spec for name, table in tables.items()}
    problems = []
    for table in tables.values():
        for name, kind in table.kinds.items():
            if name not in table.broken:
                found = kind.resolve(specs)
                if found:
                    table.broken.add(name)
                    problems += found
    return problems


def _column_graph(tables: Mapping[str, _Table]) -> ColumnGraph:
    """Every column and the columns it reads, in its own table and in others."""
    graph = ColumnGraph()
    for table in tables.values():
        for name, kind in table.kinds.items():
            needs = {(table.spec.name, n) for n in _inputs(table, name)}
            if name not in table.broken:
                needs |= set(kind.references())
            graph.add((table.spec.name, name), needs, table.spec.columns[name].pointer)
    return graph


def _inputs(table: _Table, name: str) -> frozenset[str]:
    """Columns of the same table that ``name`` reads: its kind's inputs and its ``when``."""
    when = table.whens.get(name)
    return table.kinds[name].dependencies() | (when.names if when is not None else frozenset())


def _check_per(tables: Mapping[str, _Table], rows: Mapping[str, int] | None) -> list[Diagnostic]:
    """The parent named by `per` exists and the table has a ref to it; --rows sizes only roots."""
    problems = []
    for table in tables.values():
        spec, parent = table.spec, table.spec.parent
        if rows and spec.name in rows and not isinstance(spec.rows, int):
            what = f"its rows follow `{parent}`" if parent else "its rows are the ticks of its timeline"
            problems.append(Diagnostic("RG212", f"--rows cannot size `{spec.name}`: {what}", spec.rows.pointer))
        if parent is None:
            continue
        if parent not in tables:
            problems.append(Diagnostic("RG212", f"`per` names unknown table `{parent}`",
                                       join_pointer(spec.rows.pointer, "per"), hint=did_you_mean(parent, tables)))
        elif not any(isinstance(k, Ref) and k.table == parent for k in table.kinds.values()):
            problems.append(Diagnostic("RG218", f"a table with rows per `{parent}` needs a `ref` column to it",
                                       spec.rows.pointer, hint=f"add e.g. `{parent}_id: {{kind: ref, to: "
                                                               f"{parent}.<key column>}}`"))
    return problems


def _check_table(table: _Table) -> list[Diagnostic]:
    """Per-column semantic checks and expressions parsed."""
    spec = table.spec
    problems: list[Diagnostic] = []
    table.unique = alone(spec)
    for name, column in spec.columns.items():
        kind = KINDS.get(column.kind)(kind_column(column, table.unique))
        table.kinds[name] = kind
        found = kind.check(spec)
        if column.when is not None:
            when, when_found = parse_expression(column.when, join_pointer(column.pointer, "when"), spec.columns)
            found += when_found
            if when is not None:
                table.whens[name] = when
        found += check_common_options(column)
        if found:
            table.broken.add(name)
            problems += found
    for constraint in spec.constraints:
        parsed, found = parse_expression(constraint.expr, constraint.pointer, spec.columns)
        problems += found
        if parsed is not None:
            table.constraints.append(parsed)
    problems += check_keys(spec)
    problems += check_correlations(spec, table.kinds)
    return problems


def _compile_column(table: _Table, name: str, env: CompileEnv, tables: Mapping[str, _Table]) -> None:
    """Compile one column whose inputs, in this table and in others, have compiled."""
    kind, column, when = table.kinds[name], table.spec.columns[name], table.whens.get(name)
    inputs = _inputs(table, name)
    ready = inputs <= env.types.keys() and all(  # a table only typed has no rows to read
        t in tables and c in tables[t].columns and (t == table.spec.name or not tables[t].typed_only)
        for t, c in kind.references())
    if name in table.broken or not ready:
        return  # its own options or its inputs are broken: already reported
    kind.compile(env)
    env.kinds[name] = kind
    width = column_width(kind, column, env.widths)
    over = check_column(kind, width, table.rows, env.block_rows)
    if over:
        env.diagnostics.extend(over)
        return  # its dependents do not compile: one problem, not one per column built on it
    value_type = _finished_type(kind, env)
    if when is not None:
        _check_when(when, column.else_, value_type, env)
    env.types[name] = value_type
    env.widths[name] = width
    table.columns[name] = ColumnPlan(spec=column, kind=kind, type=value_type, when=when, needs=inputs,
                                     uniqueness=column_uniqueness(kind, table.rows, table.columns, env,
                                                                  table.unique.get(name)),
                                     clip=_clip_bounds(kind, value_type, env),
                                     width=width)


def _finish_table(table: _Table, env: CompileEnv, order: list[str], block_rows: int) -> TablePlan | None:
    """The table's plan once its columns have compiled: constraints, redraws, unique checks."""
    tspec, columns = table.spec, table.columns
    for constraint in table.constraints:
        if constraint.names <= env.types.keys():
            result = env.infer(constraint)
            if result is not None and not (pat.is_boolean(result) or pat.is_null(result)):
                env.report("RG224", f"a constraint must be true or false, got {describe(result)}",
                           constraint.pointer)
    if len(columns) < len(tspec.columns):
        return None  # some columns could not compile; their problems are reported
    composites = plan_composites(tspec, columns, table.rows, table.link, env.diagnostics, env.tables)
    checks = unique_checks({name: columns[name] for name in tspec.columns}, composites)
    redraw = redraw_set(columns, order, table.constraints, tspec, [c.members for c in composites],
                        [check.columns for check in checks])
    with_spares(columns, redraw, table.rows)  # redrawn unique columns get spare values (see unique_index)
    ordered = {name: columns[name] for name in tspec.columns}
    output = tuple(name for name, c in ordered.items() if not c.spec.hidden)
    return TablePlan(
        name=tspec.name,
        rows=table.rows,
        columns=ordered,
        order=tuple(order),
        output=output,
        schema=pa.schema([pa.field(name, ordered[name].type) for name in output]),
        constraints=tuple(table.constraints),
        redraw=redraw,
        unique_checks=checks,
        unique_redraws=tuple(check for check in checks if set(check.columns) & set(redraw)),
        copula=copula_plan(tspec),
        block_rows=block_rows,
        link=table.link,
        estimated=table.estimated,
    )


def _evaluation_cycles(plans: Mapping[str, TablePlan]) -> list[Diagnostic]:
    """Tables that would read each other's columns without end.

    The column graph has no cycle, but a column that constraints redraw depends on every column
    the constraints read (which rows are redrawn depends on them): reading it from another table
    evaluates all of those. Each (table, column) read from another table leads to the columns of
    other tables its evaluation reads; a cycle there is a spec error.
    """
    reads: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for plan in plans.values():
        for name in plan.columns:
            reads[(plan.name, name)] = {ref for needed in plan.needed([name])
                                        for ref in plan.columns[needed].kind.references() if ref[0] != plan.name}
    try:
        graphlib.TopologicalSorter(reads).prepare()
    except graphlib.CycleError as exc:
        cycle = " -> ".join(f"{t}.{c}" for t, c in exc.args[1][::-1])
        table, column = exc.args[1][0]
        return [Diagnostic("RG302", f"tables read each other in a cycle: {cycle}",
                           plans[table].columns[column].spec.pointer,
                           hint="a constraint ties the columns it reads together; it may be what closes the cycle")]
    return []


def _clip_bounds(kind: Kind, value_type: pa.DataType, env: CompileEnv) -> tuple[float | None, float | None] | None:
    """`clip` moved inside to the grid values are rounded to, so rounding never leaves the range."""
    column = kind.column
    if column.clip is None:
        return None
    decimals = column.round if column.round is not None else (0 if pat.is_integer(value_type) else None)
    low, high = column.clip
    if decimals is not None:
        low, high = _snap(low, decimals, math.ceil), _snap(high, decimals, math.floor)
    if low is not None and high is not None and low > high:
        env.report("RG210", f"clip {list(column.clip)} holds no value rounded to {decimals} decimals",
                   kind.pointer("clip"))
    if pat.is_integer(value_type):  # a bound past the 64-bit integers clips nothing there
        if (low is not None and low > 2**63 - 1) or (high is not None and high < -(2**63)):
            env.report("RG210", f"clip {list(column.clip)} holds no 64-bit integer", kind.pointer("clip"))
            return None, None
        low = None if low is not None and low <= -(2**63) else low
        high = None if high is not None and high >= 2**63 - 1 else high
    return low, high


def _snap(bound: float | None, decimals: int, inward: Callable[[float], int]) -> float | None:
    """The grid point of ``round(x, decimals)`` nearest to ``bound`` on the inner side.

    Points are k / 10**d (an exact decimal, where k * 0.1 would give 0.30000000000000004) or,
    for d <= 0, the integer k * 10**-d.
    """
    if bound is None:
        return None
    if decimals <= 0 and isinstance(bound, int):  # exactly: through a float, 2**63 - 1 became 2**63
        step = 10**-decimals
        return (bound // step if inward is math.floor else -(-bound // step)) * step
    if decimals > 0:
        scale = 10**decimals
        return inward(round(bound * scale, 9)) / scale
    step = 10**-decimals
    return int(inward(round(bound / step, 9)) * step)


def _finished_type(kind: Kind, env: CompileEnv) -> pa.DataType:
    """The kind's type after ``round`` and ``clip``, which apply to numbers only."""
    column = kind.column
    if column.round is None and column.clip is None:
        return kind.type
    if not is_numeric(kind.type) or pat.is_null(kind.type):
        option = "round" if column.round is not None else "clip"
        env.report("RG211", f"`{option}` applies to numbers, but `{kind.name}` gives {describe(kind.type)} values",
                   kind.pointer(option))
        return kind.type
    if column.round is not None and column.round <= 0:
        return pa.int64()  # round: 0 means whole numbers: write 12, not 12.0
    return kind.type


def _check_when(when: Expression, else_value: Any, value_type: pa.DataType, env: CompileEnv) -> None:
    result = env.infer(when)
    if result is not None and not (pat.is_boolean(result) or pat.is_null(result)):
        env.report("RG224", f"`when` must be true or false, got {describe(result)}", when.pointer)
    else_type = pa.scalar(else_value).type if else_value is not None else pa.null()
    if common_type(value_type, else_type) is None:
        env.report("RG224", f"`else` value {else_value!r} does not fit the column's {describe(value_type)} values",
                   join_pointer(when.pointer.rsplit("/", 1)[0], "else"))
