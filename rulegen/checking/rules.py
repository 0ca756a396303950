"""The rules of a whole table: primary key, ``unique`` columns and column lists, constraints.

Keys follow SQL: a primary key is unique and never null; a ``unique`` column or column list may
hold many rows with a null in it (nulls are never equal), as generation treats them.
Constraints are the table's parsed expressions, evaluated over the columns read; a null result
passes, as in generation and in SQL ``CHECK``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.checking.report import Skipped, Violation, examples
from rulegen.expr.evaluate import evaluate_expression
from rulegen.plan.plan import TablePlan
from rulegen.spec.model import TableSpec
from rulegen.spec.source_map import join_pointer

__all__ = ["Key", "check_constraints", "check_keys", "keys_of", "repeats"]


@dataclass(frozen=True, slots=True)
class Key:
    """Columns whose combined values must not repeat, and the spec node that says so."""

    columns: tuple[str, ...]
    rule: str  # primary_key or unique
    pointer: str

    @property
    def subject(self) -> str:
        """How the report names it: the column, or ``(a, b)`` for several."""
        return self.columns[0] if len(self.columns) == 1 else f"({', '.join(self.columns)})"


def keys_of(spec: TableSpec) -> list[Key]:
    """The primary key, then ``unique: true`` columns, then ``unique`` lists; each set once."""
    keys: dict[tuple[str, ...], Key] = {}
    if spec.primary_key:
        keys[spec.primary_key] = Key(spec.primary_key, "primary_key", join_pointer(spec.pointer, "primary_key"))
    for name, column in spec.columns.items():
        if column.unique:
            keys.setdefault((name,), Key((name,), "unique", join_pointer(column.pointer, "unique")))
    for i, names in enumerate(spec.unique):
        keys.setdefault(names, Key(names, "unique", join_pointer(join_pointer(spec.pointer, "unique"), i)))
    return list(keys.values())


def check_keys(table: str, keys: Sequence[Key], columns: Mapping[str, pa.Array]) -> tuple[
        list[Violation], list[Skipped]]:
    """Rows that repeat an earlier row's key (nulls in primary keys are column findings)."""
    violations, skipped = [], []
    for key in keys:
        missing = [c for c in key.columns if c not in columns]
        if missing:
            names = ", ".join(f"`{m}`" for m in missing)
            skipped.append(Skipped(table, key.subject, key.rule, f"reads {names}, not in the file (hidden or missing)"))
            continue
        arrays = [columns[c] for c in key.columns]
        repeated = repeats(arrays)
        if repeated.any():
            what = "key" if key.rule == "primary_key" else ("value" if len(arrays) == 1 else "combination")
            shown = arrays[0] if len(arrays) == 1 else {c: columns[c] for c in key.columns}
            violations.append(Violation(table, key.subject, key.rule, int(repeated.sum()),
                                        f"repeating an earlier row's {what}", examples(repeated, shown), key.pointer))
    return violations, skipped


def repeats(arrays: Sequence[pa.Array]) -> np.ndarray:
    """Mask of the rows whose values (together) equal those of an earlier row.

    Rows with a null in any column never repeat. Found by one stable sort: equal keys end up
    side by side, earliest row first.
    """
    n = len(arrays[0])
    result = np.zeros(n, dtype=bool)
    if n < 2:
        return result
    complete = np.ones(n, dtype=bool)
    for array in arrays:
        complete &= ~array.is_null().to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(complete)
    if len(rows) < 2:
        return result
    names = [f"k{i}" for i in range(len(arrays))]
    table = pa.table({**{name: a.take(pa.array(rows)) for name, a in zip(names, arrays, strict=True)},
                      "row": pa.array(rows, type=pa.int64())})
    order = pc.sort_indices(table, sort_keys=[*((name, "ascending") for name in names), ("row", "ascending")])
    ordered = table.take(order)
    same = np.ones(len(rows) - 1, dtype=bool)
    for name in names:
        column = ordered.column(name).combine_chunks()
        same &= pc.equal(column.slice(1), column.slice(0, len(column) - 1)).fill_null(False).to_numpy(
            zero_copy_only=False)
    later = ordered.column("row").to_numpy()[1:]
    result[later[same]] = True
    return result


def check_constraints(table: TablePlan, columns: Mapping[str, pa.Array], n: int) -> tuple[
        list[Violation], list[Skipped]]:
    """Rows for which a constraint is false."""
    violations, skipped = [], []
    for i, constraint in enumerate(table.constraints):
        subject = f"constraints[{i}]"
        missing = sorted(constraint.names - columns.keys())
        if missing:
            names = ", ".join(f"`{m}`" for m in missing)
            skipped.append(Skipped(table.name, subject, "constraint", f"reads {names}, not in the file "
                                                                      "(hidden or missing)"))
            continue
        try:
            result = evaluate_expression(constraint, columns, n)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:  # values no run makes
            skipped.append(Skipped(table.name, subject, "constraint", f"cannot be evaluated on these values: {exc}"))
            continue
        broken = ~pc.fill_null(result, True).to_numpy(zero_copy_only=False).astype(bool)
        if broken.any():
            inputs = {name: columns[name] for name in table.columns if name in constraint.names}
            violations.append(Violation(table.name, subject, "constraint", int(broken.sum()),
                                        f"breaking `{constraint.text}`", examples(broken, inputs), constraint.pointer))
    return violations, skipped
