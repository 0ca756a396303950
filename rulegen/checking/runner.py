"""Check every table of a plan against the files in a folder.

Per table: find and read its file, then its columns (missing, extra, unparsable), its row
count, each column's own rules, its keys and its constraints. A problem with one table never
stops the others from being checked.

Relations are checked once every table has been read (:mod:`rulegen.checking.relations`): each
``ref`` must point to a row of the parent's file, lookups must hold that row's value, and
aggregates the reduction of the children; hidden lookups rebuilt there feed the constraints.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pyarrow as pa

from rulegen.checking.columns import check_column
from rulegen.checking.read import EXTENSIONS, ReadError, TableData, read_table, table_files
from rulegen.checking.relations import check_relations
from rulegen.checking.report import CheckReport, Skipped, TableChecked, Violation, examples
from rulegen.checking.rules import check_constraints, check_keys, keys_of
from rulegen.expr.types import describe
from rulegen.kinds.temporal import parse_instant
from rulegen.plan.plan import Plan, TablePlan
from rulegen.spec import as_of
from rulegen.spec.model import TableSpec
from rulegen.spec.source_map import join_pointer

__all__ = ["check_plan"]


def check_plan(plan: Plan, directory: str | Path, tables: Collection[str] | None = None) -> CheckReport:
    """Every rule of every table of ``plan`` (or of ``tables``, those a run wrote) on the files in
    ``directory``; the relations to a table not written are skipped."""
    directory = Path(directory)
    violations: list[Violation] = []
    skipped: list[Skipped] = []
    checked: list[TableChecked] = []
    read: dict[str, TableData] = {}
    for table in plan.tables.values():
        spec = plan.spec.tables[table.name]
        if tables is not None and table.name not in tables:
            skipped.append(Skipped(table.name, "", "file", "not written by the run (generate --tables)"))
            continue
        files = table_files(directory, table.name)
        if not files:
            names = ", ".join(f"{table.name}.{ext}" for ext in EXTENSIONS)
            violations.append(Violation(table.name, "", "file", 0, f"no file in {directory} (looked for {names})",
                                        pointer=spec.pointer))
            checked.append(TableChecked(table.name, None, 0))
            continue
        skipped += [Skipped(table.name, "", "file", f"{other.name} not read ({files[0].name} was)")
                    for other in files[1:]]
        try:
            read[table.name] = read_table(table, files[0])
        except ReadError as exc:
            violations.append(Violation(table.name, "", "file", 0, f"{files[0].name} cannot be read: {exc}",
                                        pointer=spec.pointer))
        checked.append(TableChecked(table.name, files[0], read[table.name].rows if table.name in read else 0))
    relations = check_relations(plan, read)
    for name, data in read.items():
        found, passed = _check_table(plan.tables[name], plan.spec.tables[name], data,
                                     relations.rebuilt.get(name, {}))
        violations += found
        skipped += passed
    return CheckReport(directory=directory, tables=tuple(checked),
                       violations=tuple(violations + relations.violations),
                       skipped=tuple(skipped + relations.skipped))


def _check_table(table: TablePlan, spec: TableSpec, data: TableData,
                 rebuilt: dict[str, pa.Array]) -> tuple[list[Violation], list[Skipped]]:
    violations = _check_shape(table, spec, data)
    skipped: list[Skipped] = []
    rebuilt = {**_as_of_column(table, data.rows), **rebuilt}
    keys = keys_of(spec)
    primary = next((k for k in keys if k.rule == "primary_key"), None)
    for name in table.output:
        if name in data.columns:
            key = primary.pointer if primary is not None and name in primary.columns else None
            found = check_column(table.name, table.columns[name], {**rebuilt, **data.columns}, data.unparsed,
                                 key=key)
            violations += found.violations
            skipped += found.skipped
    for found, passed in (check_keys(table.name, keys, data.columns),
                          check_constraints(table, {**rebuilt, **data.columns}, data.rows)):
        violations += found
        skipped += passed
    return violations, skipped


def _as_of_column(table: TablePlan, n: int) -> dict[str, pa.Array]:
    """The spec's ``as_of`` as a column of ``n`` rows, when the table reads it: it is the same
    on every row and never written, so rules that read it are checked rather than skipped."""
    column = table.columns.get(as_of.NAME)
    if column is None or not column.spec.hidden or column.spec.pointer != as_of.POINTER:
        return {}  # no as_of, or the table's own column of that name
    value = parse_instant(column.spec.options["min"])
    if value is None:  # refused at load (RG337); kept safe for a plan built by hand
        return {}
    day = value.date() if pa.types.is_date(column.type) else value
    return {as_of.NAME: pa.array([day] * n, type=column.type)}


def _check_shape(table: TablePlan, spec: TableSpec, data: TableData) -> list[Violation]:
    """Row count, missing and extra columns, values that do not parse as their column's type."""
    violations = []
    if data.rows != table.rows:
        violations.append(Violation(
            table.name, "", "rows", 0, f"{data.path.name} has {data.rows:,} rows, the spec makes {table.rows:,} "
                                       "(give check the --scale or --rows that generate had)",
            pointer=join_pointer(spec.pointer, "rows")))
    for name in table.output:
        column = table.columns[name]
        if name not in data.columns:
            violations.append(Violation(table.name, name, "column", 0, f"missing from {data.path.name}",
                                        pointer=column.spec.pointer))
        elif name in data.unparsed:
            bad = data.unparsed[name]
            violations.append(Violation(table.name, name, "type", int(bad.sum()),
                                        f"not parsing as {describe(column.type)}",
                                        examples(bad, _as_text(data.raw[name])), column.spec.pointer))
    for name in data.extra:
        hidden = name in table.columns
        why = "hidden in the spec, so generate does not write it" if hidden else "not in the spec"
        pointer = table.columns[name].spec.pointer if hidden else join_pointer(spec.pointer, "columns")
        violations.append(Violation(table.name, name, "column", 0, why, pointer=pointer))
    return violations


def _as_text(array: pa.Array) -> pa.Array:
    """Values as read, for the report (strings stay strings, so they show quoted)."""
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return array
    try:
        return array.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([str(v) for v in array.to_pylist()], type=pa.string())

