"""Seed a database from a plan: tables created and loaded in one transaction, all or nothing.

Tables are created, loaded parents first (:mod:`rulegen.io.load_order`, from the spec's
foreign keys and the database's), and their foreign keys added (or checked at commit), inside
one transaction: any failure, whether a rule the generator cannot meet or a row the database
refuses, rolls everything back and leaves the database as it was; a SQLite or DuckDB file the
failed run created is removed. Everything that can be known before loading (tables in the way,
columns that do not fit, cycles that cannot load, keys that overflow their type, parents that
are missing) is reported, all at once, before the first row is written.

Every statement names its tables with their schema (``"main"."t"``; for PostgreSQL the
schema the table's spec says it lives in (``schema:``), else the connection's current schema,
never a system one), so a table name cannot resolve to a system
catalog such as ``pg_catalog.pg_authid``; names a target cannot hold are refused before the
database is opened.

``if_exists`` says what to do with a table that is already there: ``fail`` (before anything is
written), ``replace`` (drop and create it again, in the same transaction), or ``append`` (load
into it, e.g. a table made by the user's own migrations: columns are matched by name, and
missing or mistyped ones are reported before anything is written). Appending leaves out the
columns the database computes (``GENERATED ALWAYS AS (...) STORED``: the spec's values for them
are dropped) and moves ``sequence`` keys past the rows already there (:mod:`rulegen.io.keys`).

After the load, every sequence a loaded column owns (serial, identity, SQLite
``AUTOINCREMENT``) is moved past the largest value in its table, so the application's next
``INSERT`` without a key works. ``tables`` and ``exclude`` pick the tables to load; the
parents of a picked table must be picked too or already hold rows in the database.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyarrow as pa

from rulegen.engine.stream import stream_table
from rulegen.errors import Diagnostic, OutputError
from rulegen.io.keys import KeyFit, key_offsets, remaps, taken_values, width_problems
from rulegen.io.load_order import LoadOrder, load_order
from rulegen.io.loaders import LOADERS, Loader
from rulegen.io.refusals import Locate
from rulegen.io.sql import (
    add_foreign_keys,
    check_target_names,
    foreign_keys,
    identity_key,
    table_order,
    with_locations,
)
from rulegen.io.target import TargetForeignKey, TargetTable
from rulegen.io.urls import DatabaseUrl, parse_url
from rulegen.plan.plan import Plan, TablePlan
from rulegen.progress import Progress

__all__ = ["IF_EXISTS", "seed_plan"]

IF_EXISTS = ("fail", "replace", "append")


def seed_plan(plan: Plan, url: str, *, if_exists: str = "fail", workers: int = 1,
              progress: Progress | None = None, tables: Sequence[str] | None = None,
              exclude: Sequence[str] = ()) -> dict[str, int]:
    """Create and load the tables of ``plan`` into the database at ``url``.

    Args:
        plan: the compiled spec.
        url: ``sqlite:///path.db``, ``postgresql://...``, ``duckdb:///path.duckdb`` or ``mysql://...``.
        if_exists: ``fail``, ``replace`` or ``append``.
        workers: processes generating each table.
        progress: told the rows loaded per table.
        tables: the tables to load (default: all of them).
        exclude: tables not to load.

    Returns:
        The rows loaded per table.

    Raises:
        OutputError: the URL is wrong, the database cannot be reached, a table is in the way or
            does not fit (``append``), a picked table's parent is missing, or the database
            refuses the data; nothing is left behind.
        GenerationError: the spec's rules cannot be met; nothing is left behind.
    """
    if if_exists not in IF_EXISTS:
        raise ValueError(f"if_exists must be one of {IF_EXISTS}, got {if_exists!r}")
    try:
        where = parse_url(url)
    except ValueError as exc:
        raise OutputError([Diagnostic("RG502", str(exc))]) from None
    picked = plan.pick(tables, exclude)
    check_target_names(plan, where.dialect)
    loader = _loader(where)
    with _removed_if_new(loader.files()):
        return _seed(loader, plan, picked, if_exists, workers, progress)


def _loader(where: DatabaseUrl) -> Loader:
    """The loader of a database URL's dialect."""
    if where.dialect == "mysql":
        from rulegen.io.mysql import MysqlLoader

        return MysqlLoader(where)
    return LOADERS[where.dialect](where)


@dataclass(frozen=True, slots=True)
class _Load:
    """What a seed found out before writing anything: the tables and how to load them."""

    found: dict[str, TargetTable]  # every table of the spec the database holds
    created: set[str]  # the picked tables rulegen creates (new, or replaced)
    appended: dict[str, TargetTable]  # the picked tables it loads into as they are
    order: LoadOrder
    keys: KeyFit


def _seed(loader: Loader, plan: Plan, picked: list[str], if_exists: str, workers: int,
          progress: Progress | None) -> dict[str, int]:
    """Check, create, load and link the picked tables in one transaction; the rows loaded per table."""
    with loader.transaction():
        # Tables whose spec says where they live are written there (`schema:`), the others
        # into the connection's schema.
        loader.dialect = with_locations(plan, loader.dialect)
        load = _prepare(loader, plan, picked, if_exists)
        loader.locate = _locator(plan, load.found)
        loader.tables = load.order.tables
        if if_exists == "replace":
            for name in reversed(table_order(plan)[0]):
                if name in load.found and name in load.created:
                    loader.drop_table(name)
        # Every table is created before the first row is loaded (MySQL commits at each DDL).
        for name in load.order.tables:
            if name in load.created:
                loader.create_table(plan, plan.tables[name], [c for (t, c) in load.order.skipped if t == name])
        _alter(loader, load.order, "DEFERRABLE INITIALLY DEFERRED")
        loaded = {name: _load(loader, plan, plan.tables[name], load.order, load.appended.get(name), load.keys,
                              workers, progress) for name in load.order.tables}
        loader.loading = None
        for name, nulled in load.order.nulled.items():
            _set_nulled(loader, plan.tables[name], load.appended[name], nulled)
        for name in load.order.tables:
            if name in load.created:
                for statement in add_foreign_keys(plan, plan.tables[name], loader.dialect):
                    loader.execute(statement)
                key = identity_key(plan, plan.tables[name])
                if key is not None:
                    loader.number_rows(name, key)
        if load.order.altered:  # checked now, so that they can be immediate again
            loader.execute("SET CONSTRAINTS ALL IMMEDIATE")
            _alter(loader, load.order, "NOT DEFERRABLE")
        loader.advance_sequences(loader.existing(load.order.tables))
        loader.check_references(load.order.tables)
    return loaded


def _alter(loader: Loader, order: LoadOrder, how: str) -> None:
    """Make the foreign keys that close a cycle of immediate, NOT NULL keys ``how``."""
    for table, name in order.altered:
        loader.execute(f"ALTER TABLE {loader.dialect.table(table)} ALTER CONSTRAINT {loader.dialect.ident(name)} {how}")


def _prepare(loader: Loader, plan: Plan, picked: list[str], if_exists: str) -> _Load:
    """Read the database's tables and decide how to load; every problem at once, before any write.

    Raises:
        OutputError: tables in the way or that do not fit, missing parents, cycles that cannot
            load, keys that overflow their columns.
    """
    found = loader.existing(plan.tables)
    created = {name for name in picked if name not in found or if_exists == "replace"}
    appended = {name: found[name] for name in picked if name not in created}
    problems = _in_the_way(loader, plan, picked, found, if_exists) + _missing_parents(plan, picked, found)
    if problems:
        raise OutputError(problems)
    order = load_order(plan, picked, appended, created=created, deferrable=loader.dialect.deferrable,
                       alterable=loader.alters_constraints)
    offsets = key_offsets(plan, picked, appended, loader.largest)
    problems = width_problems(plan, picked, appended, offsets) + _unkeyed(plan, order, appended)
    if problems:
        raise OutputError(problems)
    moved = remaps(plan, picked, found, loader.distinct, lambda table, column: _made(plan, table, column))
    held = taken_values(plan, picked, appended, offsets, loader.held)
    return _Load(found, created, appended, order, KeyFit(offsets, moved, held, _referenced(plan, picked)))


def _in_the_way(loader: Loader, plan: Plan, picked: list[str], found: dict[str, TargetTable],
                if_exists: str) -> list[Diagnostic]:
    """Tables in the way (``fail``), or that do not fit (``append``)."""
    if if_exists == "fail":
        return [Diagnostic("RG503", f"table `{name}` already exists in {loader.where}",
                           plan.spec.tables[name].pointer, hint="--if-exists replace or append")
                for name in picked if name in found]
    if if_exists == "append":
        return [p for name in picked if name in found
                for p in _fit(plan.tables[name], found[name], loader, plan.spec.tables[name].pointer)]
    return []


def _fit(table: TablePlan, target: TargetTable, loader: Loader, pointer: str) -> list[Diagnostic]:
    """Columns the spec writes that the existing table lacks, or whose type cannot hold them, and
    the table's ``NOT NULL`` columns with no default that the spec does not write."""
    problems = [Diagnostic("RG546", f"`{table.name}.{name}` in {loader.where} is NOT NULL with no default, "
                                    "and the spec writes no such column", pointer,
                           hint=f"add a column `{name}` to the table in the spec")
                for name in target.columns if name in target.not_null and name not in table.output
                and name not in target.defaults | target.generated]
    for name in table.output:
        found = target.columns.get(name)
        if found is None:
            problems.append(Diagnostic("RG503", f"table `{table.name}` in {loader.where} has no column `{name}`",
                                       table.columns[name].spec.pointer))
        elif name not in target.generated and not loader.holds(found, table.columns[name].type):
            problems.append(Diagnostic("RG503", f"`{table.name}.{name}` in {loader.where} is {found}, which cannot "
                                                f"hold {table.columns[name].type} values",
                                       table.columns[name].spec.pointer))
    return problems


def _missing_parents(plan: Plan, picked: list[str], found: dict[str, TargetTable]) -> list[Diagnostic]:
    """A picked table's parent that is neither picked nor holding rows in the database."""
    chosen = set(picked)
    problems = []
    for name in picked:
        for fk in foreign_keys(plan, plan.tables[name]):
            if fk.parent not in chosen and not (fk.parent in found and found[fk.parent].has_rows):
                state = "is not in the database" if fk.parent not in found else "is empty in the database"
                problems.append(Diagnostic(
                    "RG544", f"`{name}` refers to `{fk.parent}`, which is not seeded now (--tables/--exclude) "
                             f"and {state}", plan.tables[name].columns[fk.columns[0]].spec.pointer,
                    hint=f"seed `{fk.parent}` too, or load it first"))
    return problems


def _unkeyed(plan: Plan, order: LoadOrder, appended: dict[str, TargetTable]) -> list[Diagnostic]:
    """Tables to load with nulls and then update that have no written primary key to find
    their rows by."""
    problems = []
    for name, keys in order.nulled.items():
        key = appended[name].primary_key
        if not key or not set(key) <= set(plan.tables[name].output) - appended[name].generated:
            columns = ", ".join(f"`{c}`" for fk in keys for c in fk.columns)
            problems.append(Diagnostic(
                "RG541", f"`{name}` closes a cycle of foreign keys at {columns}, which must be loaded as nulls and "
                         "set afterwards, and the seed writes no primary key to find its rows by",
                plan.spec.tables[name].pointer,
                hint="write the table's primary key columns, or make the foreign key DEFERRABLE in the database"))
    return problems


def _made(plan: Plan, table: str, column: str) -> pa.Array:
    """A column's values as the spec makes them, row by row."""
    parent = plan.tables[table]
    return pa.concat_arrays([batch.column(column) for batch in stream_table(parent, plan.seed)])


def _referenced(plan: Plan, tables: list[str]) -> set[str]:
    """The tables that some of ``tables`` refer to."""
    return {fk.parent for name in tables for fk in foreign_keys(plan, plan.tables[name])}


def _load(loader: Loader, plan: Plan, table: TablePlan, order: LoadOrder, target: TargetTable | None,
          keys: KeyFit, workers: int, progress: Progress | None) -> int:
    """Load one table (created already unless appended to); its row count."""
    name = table.name
    loader.loading = name
    if progress is not None:  # the table's clock starts here, not at its first block's end
        progress(name, 0, table.rows)
    written = [c for c in table.output if target is None or c not in target.generated]
    nulled = [c for fk in order.nulled.get(name, []) for c in fk.columns]
    kept: list[pa.RecordBatch] = []  # the nulled columns' values, by key, for the UPDATE after
    rows = 0

    def batches() -> Iterator[pa.RecordBatch]:
        nonlocal rows
        for batch in stream_table(table, plan.seed, workers=min(workers, max(1, table.blocks))):
            batch = keys.fit(table, batch).select(written)
            if nulled and target is not None:
                kept.append(batch.select([*target.primary_key, *nulled]))
                batch = _nulls(batch, nulled)
            yield batch
            rows += batch.num_rows
            if progress is not None:
                progress(name, rows, table.rows)

    loader.load(loader.dialect.table(name), written, batches())
    if kept and target is not None:
        loader.load(_hold_table(loader, name, target, nulled), [*target.primary_key, *nulled], iter(kept))
    return rows


def _hold_table(loader: Loader, name: str, target: TargetTable, columns: list[str]) -> str:
    """A temporary table (dropped at commit) for the key and the values of ``columns`` of a
    table loaded with nulls there; its name."""
    held = loader.dialect.ident(f"rulegen_held_{name}")
    names = ", ".join(loader.dialect.ident(c) for c in [*target.primary_key, *columns])
    loader.execute(f"CREATE TEMPORARY TABLE {held} ON COMMIT DROP AS "
                   f"SELECT {names} FROM {loader.dialect.table(name)} WITH NO DATA")
    return held


def _nulls(batch: pa.RecordBatch, columns: list[str]) -> pa.RecordBatch:
    """``batch`` with ``columns`` all null."""
    arrays = [pa.nulls(batch.num_rows, column.type) if name in columns else column
              for name, column in zip(batch.schema.names, batch.columns, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=batch.schema)


def _set_nulled(loader: Loader, table: TablePlan, target: TargetTable, keys: list[TargetForeignKey]) -> None:
    """Set the foreign keys a table was loaded without, from its temporary table."""
    ident, name = loader.dialect.ident, loader.dialect.table(table.name)
    columns = [c for fk in keys for c in fk.columns]
    sets = ", ".join(f"{ident(c)} = h.{ident(c)}" for c in columns)
    match = " AND ".join(f"t.{ident(c)} = h.{ident(c)}" for c in target.primary_key)
    loader.execute(f"UPDATE {name} AS t SET {sets} FROM {ident(f'rulegen_held_{table.name}')} AS h WHERE {match}")


def _locator(plan: Plan, found: dict[str, TargetTable]) -> Locate:
    """Where in the spec a refusal of a table's columns (or named constraint) points."""

    def locate(table: str | None, columns: Sequence[str], constraint: str | None) -> str:
        table = next((name for name, t in found.items() if table in t.partitions), table)
        if table not in plan.tables:
            return ""
        spec = plan.tables[table].columns
        names = list(columns) or list(found.get(table, TargetTable({})).constraints.get(constraint or "", ()))
        if not names and constraint:  # SQLite names an unnamed CHECK by its text: its columns are words in it
            words = set(re.findall(r"\w+", constraint))
            names = [c for c in plan.tables[table].output if c in words]
        return next((spec[c].spec.pointer for c in names if c in spec), plan.spec.tables[table].pointer)

    return locate


@contextlib.contextmanager
def _removed_if_new(paths: list[str]) -> Iterator[None]:
    """If the body fails and the database file (the first of ``paths``) did not exist before
    it, remove it and each of its side files (journal, write-ahead log) that did not exist
    either. A database that was there is never touched: its journal may be what restores it."""
    new = [path for path in paths if not os.path.lexists(path)] if paths and not os.path.lexists(paths[0]) else []
    try:
        yield
    except BaseException:
        for path in new:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        raise
