"""Relations in written data: references resolve, lookups hold the parent's value, aggregates
equal the reduction of the children.

Each ``ref`` is matched to its parent row through the parent's key: the ref's own column, or,
for a ref to part of a composite key, the ref and the lookups of the key's other parts. Hidden
lookups are rebuilt from the parent's file (following chains of hidden lookups), so constraints
that read them can be checked as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.checking.read import TableData
from rulegen.checking.report import Skipped, Violation, examples
from rulegen.kinds.relational import Aggregate, Lookup, Ref, foreign_key, take_rows
from rulegen.plan.plan import ColumnPlan, Plan, TablePlan

__all__ = ["Relations", "check_relations"]


@dataclass(slots=True)
class Relations:
    """What the relations of the files say, for the per-table checks and the report.

    Attributes:
        parent_rows: per (table, ref column), the parent row each row points to (-1: none).
        key_parts: per table, the lookups matched together with a ref as a composite key.
        rebuilt: per table, hidden lookups rebuilt from their parents' files.
        violations: orphans, lookups and aggregates that do not hold.
        skipped: relations that could not be checked, and why.
    """

    parent_rows: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    key_parts: dict[str, set[str]] = field(default_factory=dict)  # lookups matched as part of a key
    rebuilt: dict[str, dict[str, pa.Array]] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def check_relations(plan: Plan, read: dict[str, TableData]) -> Relations:
    """Match every ref to its parent rows, then check lookups and aggregates."""
    found = Relations()
    for table in plan.tables.values():
        if table.name in read:
            for name, column in table.columns.items():
                if isinstance(column.kind, Ref):
                    _match(table, name, column, plan, read, found)
    for table in plan.tables.values():
        if table.name in read:
            for name, column in table.columns.items():
                if isinstance(column.kind, Lookup):
                    _lookup(table, name, column, plan, read, found)
                elif isinstance(column.kind, Aggregate) and name in read[table.name].columns:
                    _aggregate(table, name, column, plan, read, found)
    return found


def _match(table: TablePlan, name: str, column: ColumnPlan, plan: Plan, read: dict[str, TableData],
           found: Relations) -> None:
    ref = column.kind
    columns, parent_name, keys = foreign_key(table, name, plan)
    parts = list(zip(columns, keys, strict=True))
    found.key_parts.setdefault(table.name, set()).update(c for c, _ in parts if c != name)
    child, parent = read[table.name], read.get(parent_name)
    missing = [c for c, _ in parts if c not in child.columns]
    if missing or parent is None or any(p not in parent.columns for _, p in parts):
        if missing and name in child.columns:
            found.skipped.append(Skipped(table.name, name, "reference",
                                         f"reads {', '.join(f'`{m}`' for m in missing)}, not in the file"))
        return  # a missing file or column is reported already
    values = [child.columns[c].cast(parent.columns[p].type) for c, p in parts]
    rows = _find_rows(values, [parent.columns[p] for _, p in parts])
    found.parent_rows[(table.name, name)] = rows
    orphan = (rows < 0) & _all_valid(values)
    if orphan.any():
        shown = values[0] if len(parts) == 1 else {c: child.columns[c] for c, _ in parts}
        target = f"{parent_name}.{ref.key}" if len(parts) == 1 else \
            f"{parent_name} ({', '.join(p for _, p in parts)})"
        found.violations.append(Violation(table.name, name, "reference", int(orphan.sum()),
                                          f"pointing to no row of {target}", examples(orphan, shown),
                                          column.spec.pointer))


def _find_rows(values: list[pa.Array], keys: list[pa.Array]) -> np.ndarray:
    """For each row of ``values``, the row of ``keys`` holding the same key (-1 when none)."""
    if len(values) == 1:
        index = pc.index_in(values[0], value_set=keys[0])
        return index.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    names = [f"k{i}" for i in range(len(keys))]
    left = pa.table({**dict(zip(names, values, strict=True)), "row": np.arange(len(values[0]))})
    right = pa.table({**dict(zip(names, keys, strict=True)), "parent": np.arange(len(keys[0]))})
    joined = left.join(right.group_by(names).aggregate([("parent", "min")]), names, join_type="left outer")
    rows = np.full(len(values[0]), -1, dtype=np.int64)
    rows[joined.column("row").to_numpy()] = joined.column("parent_min").fill_null(-1).to_numpy()
    return rows


def _all_valid(arrays: list[pa.Array]) -> np.ndarray:
    valid = np.ones(len(arrays[0]), dtype=bool)
    for array in arrays:
        valid &= array.is_valid().to_numpy(zero_copy_only=False)
    return valid


def _parent_value(plan: Plan, read: dict[str, TableData], found: Relations, table: str, column: str
                  ) -> pa.Array | None:
    """A column of a table's file, or a hidden lookup rebuilt from its parent's file."""
    if column in read[table].columns:
        return read[table].columns[column]
    return found.rebuilt.get(table, {}).get(column)


def _lookup(table: TablePlan, name: str, column: ColumnPlan, plan: Plan, read: dict[str, TableData],
            found: Relations) -> None:
    """A written lookup equals the parent's value; a hidden one is rebuilt for the constraints."""
    if name in found.rebuilt.get(table.name, {}):
        return
    lookup = column.kind
    via, source = lookup.option("via"), lookup.option("column")
    rows = found.parent_rows.get((table.name, via))
    if rows is None or lookup.parent not in read:
        return
    parent_column = plan.tables[lookup.parent].columns[source]
    if isinstance(parent_column.kind, Lookup):
        _lookup(plan.tables[lookup.parent], source, parent_column, plan, read, found)  # chains first
    values = _parent_value(plan, read, found, lookup.parent, source)
    if values is None:
        if name in read[table.name].columns:
            found.skipped.append(Skipped(table.name, name, "lookup", f"`{lookup.parent}.{source}` is not in "
                                                                     "its file (hidden or missing)"))
        return
    expected = take_rows(values, rows)
    if name not in read[table.name].columns:
        found.rebuilt.setdefault(table.name, {})[name] = expected
        return
    if name in found.key_parts.get(table.name, ()):
        return  # matched with the ref: a wrong value there is an orphan
    actual = read[table.name].columns[name]
    orphans = (rows < 0) & read[table.name].columns[via].is_valid().to_numpy(zero_copy_only=False)
    differs = _differs(actual, expected.cast(actual.type), 0.0) & ~orphans  # orphans are reported as such
    if differs.any():
        found.violations.append(Violation(
            table.name, name, "lookup", int(differs.sum()), f"differing from `{lookup.parent}.{source}` of the "
                                                            f"row `{via}` points to",
            examples(differs, {name: actual, "parent": expected}), column.spec.pointer))


def _aggregate(table: TablePlan, name: str, column: ColumnPlan, plan: Plan, read: dict[str, TableData],
               found: Relations) -> None:
    """A written aggregate equals the reduction of its children's values, up to its rounding."""
    aggregate, spec = column.kind, column.spec
    child = read.get(aggregate.child)
    rows = found.parent_rows.get((aggregate.child, aggregate.via))
    if child is None or rows is None or aggregate.of not in child.columns:
        if child is not None:
            found.skipped.append(Skipped(table.name, name, "aggregate", f"`{aggregate.option('of')}` or "
                                                                        f"`{aggregate.via}` is not in its file"))
        return
    if spec.when is not None or spec.clip is not None:
        found.skipped.append(Skipped(table.name, name, "aggregate", "has `when` or `clip`"))
        return
    fn = aggregate.option("fn")
    groups = pa.table({"i": rows, "v": child.columns[aggregate.of]}).filter(pc.greater_equal(pa.array(rows), 0))
    reduced = groups.group_by("i").aggregate([("v", "count" if fn == "count" else fn)])
    actual = read[table.name].columns[name]
    # Integers compare exactly (a sum wraps past 64 bits as generate's does), and so do the min
    # and max of dates and timestamps (no float holds them); others as floats.
    exact = (pa.types.is_integer(actual.type) and pa.types.is_integer(reduced.schema.field(1).type)
             and (spec.round is None or spec.round >= 0)) or pa.types.is_temporal(actual.type)
    kind = actual.type if exact else pa.float64()
    expected = pa.array([0 if fn in ("sum", "count") else None] * read[table.name].rows, type=kind)
    at = reduced.column("i").to_numpy()
    if len(at):
        mask = np.zeros(len(expected), dtype=bool)
        mask[at] = True
        order = np.argsort(at)
        expected = pc.replace_with_mask(expected, pa.array(mask), reduced.column(1).combine_chunks().cast(
            kind, safe=exact).take(pa.array(order)))
    tolerance = 0.5 * 10.0 ** -spec.round if spec.round is not None else 0.0
    differs = _differs(actual.cast(kind, safe=exact), expected, tolerance)
    if spec.null > 0:
        differs &= actual.is_valid().to_numpy(zero_copy_only=False)
    if differs.any():
        found.violations.append(Violation(
            table.name, name, "aggregate", int(differs.sum()), f"differing from the {fn} of "
                                                               f"`{aggregate.option('of')}` over the row's children",
            examples(differs, {name: actual, fn: expected}), spec.pointer))


def _differs(actual: pa.Array, expected: pa.Array, tolerance: float) -> np.ndarray:
    """Rows where the values differ (floats beyond ``tolerance`` and a relative 1e-9; a null
    differs from a value)."""
    nulls = actual.is_null().to_numpy(zero_copy_only=False)
    expected_nulls = expected.is_null().to_numpy(zero_copy_only=False)
    if pa.types.is_floating(actual.type):
        a = actual.fill_null(0).to_numpy(zero_copy_only=False)
        e = expected.fill_null(0).to_numpy(zero_copy_only=False)
        unequal = ~np.isclose(a, e, rtol=1e-9, atol=tolerance + 1e-9)
    else:
        unequal = ~pc.fill_null(pc.equal(actual, expected), True).to_numpy(zero_copy_only=False)
    return (nulls != expected_nulls) | (unequal & ~nulls & ~expected_nulls)
