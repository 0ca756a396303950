"""How every ``unique`` declaration of a table is met: the uniqueness decisions of the compiler.

A column is unique on its own whether ``unique: true`` says so, a one-column ``primary_key`` or
a one-column entry of the table's ``unique`` list: all three compile the same way and give the
same bytes (:func:`alone`, :func:`kind_column`). Such a column is made distinct by nature, by a
keyed permutation of its value space, or checked while streaming (:func:`column_uniqueness`); a
unique ref is a key of one column built as below (one-to-one: distinct parent rows).

A composite key or ``unique`` list (:func:`plan_composites`) holds at once when one of its
columns is distinct. Otherwise, when every column's values can be listed (integers, dates,
choices, bools, Faker pools, refs), rows take distinct points of the product of the columns'
spaces: a keyed permutation, as for one column, whose mixed-radix digits index each column's
space. With a parent ref among the columns (``rows: {per: ...}``), the rows of each parent take
distinct points of the other columns' product instead. A product smaller than the rows is a spec
error (RG311) naming the columns and both numbers. Other groups are checked while streaming,
and rows that repeat an earlier row of their block are drawn again (:mod:`rulegen.plan.redraw`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from rulegen.errors import Diagnostic
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.relational import Ref
from rulegen.kinds.sample import Sample
from rulegen.plan.plan import MAX_ATTEMPTS, ColumnPlan, CompositeSlot, UniqueCheck, Uniqueness
from rulegen.spec.model import ColumnSpec, Spec, TableSpec
from rulegen.spec.source_map import join_pointer

__all__ = ["Composite", "alone", "column_uniqueness", "composite_groups", "kind_column", "plan_composites",
           "retarget", "unique_checks", "with_spares"]

# The product space a composite permutation covers: row indices and points stay in int64.
_MAX_SPACE = 1 << 62


def alone(spec: TableSpec) -> dict[str, str]:
    """Columns unique on their own (``unique: true``, a one-column ``primary_key``, a one-column
    ``unique`` entry), each with where its problems are reported: its ``unique`` option, or the
    column itself when the table declares it (the column's values are what to change)."""
    keys = {names[0] for names in (spec.primary_key, *spec.unique) if len(set(names)) == 1}
    return {name: join_pointer(column.pointer, "unique") if column.unique else column.pointer
            for name, column in spec.columns.items() if column.unique or name in keys}


def kind_column(column: ColumnSpec, unique_alone: Mapping[str, str]) -> ColumnSpec:
    """The column a kind is built from: ``unique: true`` when the table declares it unique alone,
    so kinds that make unique values their own way (Faker pools of distinct values, patterns)
    behave exactly as with ``unique: true`` on the column."""
    return dataclasses.replace(column, unique=True) if column.name in unique_alone and not column.unique else column


def retarget(problems: Iterable[Diagnostic], spec: Spec) -> list[Diagnostic]:
    """Problems a kind reported at its ``unique`` option, moved to the column itself when the
    table, not the column, declares it unique (the option is not written in the spec)."""
    moved: dict[str, str] = {}
    for table in spec.tables.values():
        for name, pointer in alone(table).items():
            own = join_pointer(table.columns[name].pointer, "unique")
            if pointer != own:
                moved[own] = pointer
    return [dataclasses.replace(p, pointer=moved[p.pointer]) if p.pointer in moved else p for p in problems]


def column_uniqueness(kind: Kind, rows: int, columns: Mapping[str, ColumnPlan], env: CompileEnv,
                      declared: str | None) -> Uniqueness:
    """How the column of ``kind`` is made unique.

    Args:
        kind: the column's compiled kind.
        rows: the table's rows.
        columns: the table's columns compiled so far (a template reads a unique input).
        env: where a value space smaller than the rows is reported (RG310).
        declared: the pointer of what declares the column unique alone (see :func:`alone`), or None.

    Returns:
        NONE when not declared unique; otherwise INHERENT, CONSTRUCT or CHECK.
    """
    if declared is None:
        return Uniqueness.NONE
    if kind.inherently_unique or kind.unique_given(columns):
        return Uniqueness.INHERENT
    space = kind.space_size()
    if space is None or kind.column.clip is not None:
        return Uniqueness.CHECK  # no space to enumerate, or clip would merge its points
    if space < rows:
        env.report("RG310", f"cannot make {rows:,} unique values: `{kind.name}` can only make {space:,}",
                   declared, hint="widen the value space or lower the row count")
    return Uniqueness.CONSTRUCT


@dataclasses.dataclass(frozen=True, slots=True)
class Composite:
    """A composite key or ``unique`` list, and how it is met."""

    columns: tuple[str, ...]
    pointer: str
    how: Literal["holds", "construct", "check", "error"]  # holds: a column is distinct; error: reported
    members: tuple[str, ...] = ()  # the constructed columns (without the parent ref)


def composite_groups(spec: TableSpec) -> list[tuple[tuple[str, ...], str]]:
    """The table's keys of several columns, each once, with their pointers."""
    groups = [(spec.primary_key, join_pointer(spec.pointer, "primary_key"))] if len(spec.primary_key) > 1 else []
    groups += [(names, join_pointer(join_pointer(spec.pointer, "unique"), i))
               for i, names in enumerate(spec.unique) if len(names) > 1]
    seen: set[frozenset[str]] = set()
    found = []
    for names, pointer in groups:
        if frozenset(names) not in seen and len(set(names)) > 1 and set(names) <= set(spec.columns):
            seen.add(frozenset(names))
            found.append((tuple(names), pointer))
    return found


def plan_composites(spec: TableSpec, columns: dict[str, ColumnPlan], rows: int, link: Any,
                    diagnostics: list[Diagnostic], tables: Mapping[str, Any]) -> list[Composite]:
    """Decide how each composite key of the table is met, giving constructed columns their slot.

    Args:
        spec: the table.
        columns: its compiled columns; those of constructed groups are replaced in place.
        rows: the table's rows.
        link: the table's ParentLink (``rows: {per: ...}``), or None.
        diagnostics: where a product space smaller than the rows is reported (RG311).
        tables: every table while it compiles (a ref lists its parent rows only when the
            parent's key column is distinct).

    Returns:
        One :class:`Composite` per group of :func:`composite_groups`.
    """
    jointly = {c for corr in spec.correlations for c in corr.columns}
    taken = _unique_refs(spec, columns, rows, diagnostics, tables, jointly)  # one constructed group at most
    found = []
    for names, pointer in composite_groups(spec):
        plans = [columns[n] for n in names]
        if any(p.uniqueness.distinct or p.kind.inherently_unique or (isinstance(p.kind, Ref) and p.kind.distinct)
               for p in plans):
            found.append(Composite(names, pointer, "holds"))
            continue
        parent = next((p.name for p in plans if isinstance(p.kind, Ref) and p.kind.holds_parent), None)
        if parent is not None and _numbered_within(plans, columns[parent]):
            found.append(Composite(names, pointer, "holds"))
            continue
        members = tuple(n for n in names if n != parent)
        spaces = [_space(columns[n], jointly, tables) for n in members]
        if taken & set(members) or any(s is None or s[1] == 0 for s in spaces):
            found.append(Composite(names, pointer, "check"))
            continue
        unit = rows if parent is None else link.max_count()
        sizes = [s[1] for s in spaces]  # type: ignore[index]
        if math.prod(sizes) < unit:
            diagnostics.append(_too_small(spec, names, members, sizes, unit, parent, pointer))
            found.append(Composite(names, pointer, "error"))
            continue
        radices = _capped(sizes)
        for position, (name, space) in enumerate(zip(members, spaces, strict=True)):
            source, _, values = space  # type: ignore[misc]
            slot = CompositeSlot(group=members, radices=radices, position=position, source=source, values=values,
                                 per_parent=parent is not None, unit=unit)
            columns[name] = dataclasses.replace(columns[name], composite=slot)
        taken |= set(members)
        found.append(Composite(names, pointer, "construct", members))
    return found


def _unique_refs(spec: TableSpec, columns: dict[str, ColumnPlan], rows: int, diagnostics: list[Diagnostic],
                 tables: Mapping[str, Any], jointly: set[str]) -> set[str]:
    """Refs unique alone (a one-to-one relation), built as a key of one column: distinct parent
    rows by a keyed permutation of the parent's rows, rather than drawn and checked."""
    built = set()
    for name, pointer in alone(spec).items():
        column = columns[name]
        space = _space(column, jointly, tables) if isinstance(column.kind, Ref) else None
        if column.uniqueness is not Uniqueness.CHECK or space is None or space[1] == 0:
            continue
        if space[1] < rows:
            diagnostics.append(Diagnostic(
                "RG310", f"cannot make {rows:,} unique values: `{column.kind.table}` has {space[1]:,} rows to point to",
                pointer, hint="add rows to the parent table or lower the row count"))
            continue
        slot = CompositeSlot(group=(name,), radices=_capped([space[1]]), position=0, source="parent", unit=rows)
        columns[name] = dataclasses.replace(column, uniqueness=Uniqueness.INHERENT, composite=slot)
        built.add(name)
    return built


def _numbered_within(plans: Sequence[ColumnPlan], parent: ColumnPlan) -> bool:
    """Whether the key holds the row's own parent and a ``sequence`` numbering the rows within
    that parent (an order line's ``(order_id, line_no)``): distinct by construction, so nothing
    is checked (or kept) while streaming."""
    def plain(column: ColumnPlan) -> bool:
        return column.spec.null == 0 and column.when is None

    return plain(parent) and any(
        p.kind.name == "sequence" and p.kind.option("within") == parent.name and p.kind.option("step", 1) != 0
        and plain(p) and p.spec.round is None and p.clip is None for p in plans)


def _space(column: ColumnPlan, jointly: set[str], tables: Mapping[str, Any]) -> tuple[str, int, pa.Array | None] | None:
    """How a column's values are listed for a composite permutation: (source, size, values);
    None when they cannot be (inputs, options that merge or replace values, joint draws)."""
    spec, kind = column.spec, column.kind
    if column.needs or spec.clip is not None or spec.when is not None or column.name in jointly:
        return None
    if spec.round is not None and not pa.types.is_integer(column.type):
        return None  # rounding could merge two listed values
    if isinstance(kind, Sample) and kind.joint:
        return None
    if isinstance(kind, Ref):
        usable = (kind.compiled and kind.own is None and not kind.holds_parent
                  and tables[kind.table].columns[kind.key].uniqueness.distinct)  # else parent rows share values
        return ("parent", kind.size, None) if usable else None
    size = kind.space_size()
    if size is not None:
        return "space", size, None
    pool = kind.possible_values()
    if pool is None:
        return None
    distinct = pc.unique(pool.drop_null())
    return "pool", len(distinct), distinct


def _capped(sizes: Sequence[int]) -> tuple[int, ...]:
    """The sizes, the largest cut so that their product fits in :data:`_MAX_SPACE`: small spaces
    keep all their values and the large ones share what is left."""
    capped = list(sizes)
    left = _MAX_SPACE
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    for rank, i in enumerate(order):
        k = len(sizes) - rank
        share = math.floor(left ** (1 / k))
        while share ** k > left:  # the float root may miss the integer one either way
            share -= 1
        while (share + 1) ** k <= left:
            share += 1
        capped[i] = max(1, min(sizes[i], share))
        left //= capped[i]
    return tuple(capped)


def _too_small(spec: TableSpec, names: tuple[str, ...], members: tuple[str, ...], sizes: list[int], unit: int,
               parent: str | None, pointer: str) -> Diagnostic:
    spaces = ", ".join(f"`{n}` has {s:,}" for n, s in zip(members, sizes, strict=True))
    listed = ", ".join(f"`{n}`" for n in names)
    if parent is None:
        message = (f"cannot make {unit:,} distinct ({listed}): only {math.prod(sizes):,} combinations exist "
                   f"({spaces} values)")
    else:
        message = (f"cannot give each `{spec.parent}` row up to {unit:,} distinct ({listed}): only "
                   f"{math.prod(sizes):,} combinations exist under one parent ({spaces} values)")
    return Diagnostic("RG311", message, pointer,
                      hint="widen the columns' value spaces, add a column to the key, or lower the row count")


def with_spares(columns: dict[str, ColumnPlan], redraw: Sequence[str], rows: int) -> None:
    """Spare points for the unique columns that constraints redraw (see ColumnPlan.unique_index),
    in place: so redrawn rows keep distinct values."""
    for name in redraw:
        column = columns[name]
        if column.uniqueness is Uniqueness.CONSTRUCT:
            space = column.kind.space_size() or 0
            spares = min(MAX_ATTEMPTS, (space - rows) // max(rows, 1))
            columns[name] = dataclasses.replace(column, spares=spares)
        elif column.composite is not None:
            slot = column.composite
            spares = min(MAX_ATTEMPTS, (slot.size - slot.unit) // max(slot.unit, 1))
            columns[name] = dataclasses.replace(column, composite=dataclasses.replace(slot, spares=spares))


def unique_checks(columns: Mapping[str, ColumnPlan], composites: Sequence[Composite]) -> tuple[UniqueCheck, ...]:
    """What is left to check while streaming: unique columns that cannot be built distinct, and
    composite keys neither distinct through one column nor constructed."""
    checks = [UniqueCheck((name,), c.spec.pointer) for name, c in columns.items()
              if c.uniqueness is Uniqueness.CHECK]
    checks += [UniqueCheck(c.columns, c.pointer) for c in composites if c.how == "check"]
    return tuple(checks)
