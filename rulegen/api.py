"""The Python API: a facade that chains the stages (load, compile, evaluate, write)."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from rulegen.errors import Diagnostic, OutputError, RulegenError, SpecError
from rulegen.lazy_pandas import pandas_for_nanoseconds
from rulegen.plan.budget import check_drawing, default_max_bytes
from rulegen.plan.compiler import compile_spec
from rulegen.plan.plan import Plan, TablePlan
from rulegen.plan.sizing import draws_counts
from rulegen.progress import Progress
from rulegen.spec.build import load_spec
from rulegen.spec.model import Spec

# The stages that make, write, load or check rows are imported by the functions that run them:
# `rulegen validate` (and an editor checking a spec on every save) compiles only, and should not
# wait for the engine's process pool, the writers, the database drivers or the checker.
if TYPE_CHECKING:
    import pandas as pd

    from rulegen.checking import CheckReport
    from rulegen.io.files import TableOutput
    from rulegen.io.manifest import Manifest

__all__ = [
    "check",
    "compare",
    "compile",
    "generate",
    "infer",
    "introspect",
    "iter_blocks",
    "load",
    "lock",
    "preview",
    "seed_database",
    "write",
]

SpecLike = Spec | str | Path
LockLike = str | Path | bool | None  # a lock file; None: SPEC.lock when it exists; False: none


def load(source: str | Path) -> Spec:
    """Load a spec from a file path or YAML text.

    Raises:
        SpecError: every YAML and structure problem, each with ``FILE:LINE:COL``.
    """
    return load_spec(source)


def compile(
    spec: SpecLike, *, seed: int | None = None, scale: float = 1.0, rows: Mapping[str, int] | None = None,
    lock: LockLike = None, draw_counts: bool = True, max_bytes: int | None = None,
) -> Plan:
    """Check a spec's semantics and resolve it for one seed and size.

    Faker values come from the lock file ``SPEC.lock`` next to the spec when there is one (see
    :func:`lock`), from ``lock`` when it is a path, and from the installed Faker when it is False.
    Every function below that takes a spec takes ``lock`` too. ``draw_counts=False`` estimates
    the rows of tables with a law of rows per parent row instead of drawing every count (a plan
    to check, not to generate from). ``max_bytes`` refuses a run that could write more (see
    :mod:`rulegen.plan.budget`), before its counts per parent row are drawn; compile itself has
    no limit by default, the functions that run a spec have one (see :func:`write`).

    Raises:
        SpecError: every semantic, graph and type problem; a lock file that cannot be read or
            does not match the spec.
    """
    from rulegen.lockfile import pools_from_lock

    spec = _spec(spec)
    with _located(spec), pools_from_lock(spec, lock, seed=seed, scale=scale, rows=rows):
        if max_bytes is not None and draw_counts and draws_counts(spec):
            # Sized from one parent block first: a run past the budget is refused in a moment,
            # not after drawing a count for each of a billion parent rows.
            compile_spec(spec, seed=seed, scale=scale, rows=rows, draw_counts=False, max_bytes=max_bytes)
        plan = compile_spec(spec, seed=seed, scale=scale, rows=rows, draw_counts=draw_counts, max_bytes=max_bytes)
    pandas_for_nanoseconds(column.type for table in plan.tables.values() for column in table.columns.values())
    return plan


def lock(
    spec: SpecLike, path: str | Path | None = None, *, seed: int | None = None, scale: float = 1.0,
    rows: Mapping[str, int] | None = None, max_bytes: int | None = None,
) -> Path:
    """Write the lock file of a spec: the Faker values of each ``faker`` column, so that output
    stays byte-identical across Faker upgrades; returns its path.

    The file goes to ``path``, by default next to the spec (``shop.yaml.lock``), where every run
    finds it. Values are drawn from the installed Faker (an existing lock is replaced) for
    ``seed``; ``scale`` and ``rows`` size the pools of unique columns. A table with a law of
    rows per parent row has every count drawn first: refused, as by :func:`preview`, when it
    could pass ``max_bytes``.

    Raises:
        SpecError: the spec is invalid, or counts would be drawn for a table past ``max_bytes``.
        OutputError: the file cannot be written.
        ValueError: a spec given as text and no ``path``.
    """
    from rulegen.lockfile import write_lock

    spec = _spec(spec)
    _refuse_drawing_past(spec, max_bytes, seed=seed, lock=False, scale=scale, rows=rows)
    with _located(spec):
        return write_lock(spec, path, seed=seed, scale=scale, rows=rows)


def iter_blocks(
    spec: SpecLike | Plan, table: str, *, seed: int | None = None, scale: float = 1.0,
    rows: Mapping[str, int] | None = None, blocks: Iterable[int] | None = None, workers: int = 1,
    arrow: bool = False, lock: LockLike = None,
) -> Iterator[pd.DataFrame | pa.RecordBatch]:
    """Stream one table block by block (DataFrames, or Arrow record batches with ``arrow=True``).

    ``blocks`` picks block numbers to generate; each is the same whatever else is generated.
    """
    from rulegen.engine.stream import stream_table

    _prepare(workers)
    plan = spec if isinstance(spec, Plan) else compile(spec, seed=seed, scale=scale, rows=rows, lock=lock)
    table_plan = _table(plan, table)
    with _located(plan.spec):
        for batch in stream_table(table_plan, plan.seed, blocks=blocks, workers=workers):
            yield batch if arrow else _frame(pa.Table.from_batches([batch]), table_plan)


def generate(
    spec: SpecLike, seed: int | None = None, scale: float = 1.0, *, rows: Mapping[str, int] | None = None,
    workers: int = 1, lock: LockLike = None, max_bytes: int | None = None,
) -> dict[str, pd.DataFrame]:
    """Every table as a DataFrame, columns in output order; ``max_bytes`` as in :func:`write`
    (by default the smaller of 64 GiB and the machine's memory).

    Raises:
        SpecError: the spec is invalid, or the run could pass ``max_bytes``.
        GenerationError: its rules cannot be met (constraints, uniqueness).
    """
    _prepare(workers)
    max_bytes = default_max_bytes(in_memory=True) if max_bytes is None else max_bytes
    plan = compile(spec, seed=seed, scale=scale, rows=rows, lock=lock, max_bytes=max_bytes)
    with _located(plan.spec):
        return {name: _frame(_arrow_table(plan, name, workers), plan.tables[name]) for name in plan.tables}


def write(
    spec: SpecLike, out_dir: str | Path, fmt: str = "csv", *, seed: int | None = None, scale: float = 1.0,
    rows: Mapping[str, int] | None = None, workers: int = 1, dialect: str = "sqlite", progress: Progress | None = None,
    client: Any = None, lock: LockLike = None, max_bytes: int | None = None, tables: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
) -> dict[str, Path]:
    """Write one file per table into ``out_dir``, atomically; returns the paths.

    ``tables`` and ``exclude`` pick the tables to write (all by default); what a picked table
    reads from the others (a parent's keys, a lookup, an aggregate) is computed, not written.

    ``fmt`` is csv, jsonl, parquet or sql; a SQL script per table (``CREATE TABLE``, ``INSERT``s,
    its foreign keys) is written for ``dialect`` (sqlite, postgresql, mysql or duckdb), and the
    paths come parents first, the order to load them in. ``progress(table, rows done, rows)``
    is called as each block is written; a table made with its parent (whose aggregates read
    it, see :mod:`rulegen.engine.costream`) reports all its rows once its parent is done.

    With ``client`` (a ``dask.distributed.Client``, a scheduler address, or ``"local"`` for a
    local cluster of ``workers`` processes), blocks are tasks on the cluster and each table is a
    folder ``NAME.parquet`` of parts (Parquet only) that, read in order, equals the local file.
    ``max_bytes`` refuses a run that could write more, before any row is made (see :func:`compile`);
    by default it is the smaller of 64 GiB and the free space of ``out_dir``'s file system
    (:func:`rulegen.plan.budget.default_max_bytes`).

    Raises:
        SpecError: the spec is invalid, or the run could pass ``max_bytes``.
        GenerationError: its rules cannot be met (constraints, uniqueness).
        OutputError: a file cannot be written.
    """
    from rulegen.engine.costream import companions
    from rulegen.io.files import write_tables
    from rulegen.io.sql import DIALECTS, sql_scripts

    _prepare(workers if client is None else 1)
    manifest = functools.partial(_manifest, scale=scale, rows=rows, fmt=fmt, max_bytes=max_bytes)
    max_bytes = default_max_bytes(out_dir) if max_bytes is None else max_bytes
    plan = compile(spec, seed=seed, scale=scale, rows=rows, lock=lock, max_bytes=max_bytes)
    with _located(plan.spec):
        picked = plan.pick(tables, exclude)
    if client is not None:
        if fmt != "parquet":
            raise ValueError(f"a Dask cluster writes Parquet parts, not {fmt}")
        from rulegen.scale.dask import run_dask, write_dask

        with _located(plan.spec):
            if isinstance(client, str):
                return run_dask(plan, out_dir, None if client == "local" else client, workers=workers,
                                manifest=manifest(plan), tables=picked)
            return write_dask(plan, out_dir, client, manifest=manifest(plan), tables=picked)
    scripts = sql_scripts(plan, DIALECTS[dialect]) if fmt == "sql" else {}
    groups = {parent: children for parent, children in companions(plan, picked).items()
              if plan.tables[parent].blocks >= workers}  # else the children's own turn has more workers
    along = {child for children in groups.values() for child in children}
    order = list(scripts) if scripts else picked
    tables = [_output(plan, name, groups.get(name, ()), workers, scripts, progress) for name in order
              if name in picked and name not in along]
    with _located(plan.spec):
        paths = write_tables(tables, out_dir, fmt, manifest=manifest(plan))
    return {name: paths[name] for name in order if name in paths}


def _output(plan: Plan, name: str, children: tuple[str, ...], workers: int, scripts: Mapping[str, Any],
            progress: Progress | None) -> TableOutput:
    """What :func:`write` writes for table ``name``, made together with ``children`` (tables its
    aggregates read, written along with it: see :mod:`rulegen.engine.costream`)."""
    from rulegen.engine.stream import stream_table, stream_together
    from rulegen.io.files import TableOutput

    t = plan.tables[name]
    workers = min(workers, max(1, t.blocks))

    def blocks(encode: Any, *encodes: Any) -> Iterator[Any]:
        if not children:
            return _reported(t, stream_table(t, plan.seed, workers=workers, encode=encode), progress)
        group = (t, *(plan.tables[c] for c in children))
        return _reported_group(group, stream_together(t, group[1:], plan.seed, workers=workers,
                                                      encodes=(encode, *encodes)), progress)

    return TableOutput(name, t.schema, blocks, categorical=t.categorical, script=scripts.get(name),
                       along=tuple(_output(plan, c, (), workers, scripts, progress) for c in children))


def _manifest(plan: Plan, *, scale: float, rows: Mapping[str, int] | None, fmt: str,
              max_bytes: int | None) -> Callable[[Mapping[str, Path]], bytes]:
    """What makes the manifest of a run, given the tables' final paths once all are written
    (``max_bytes`` as the user gave it: the default depends on the disk's free space)."""
    from rulegen.io.manifest import Manifest, spec_digest, versions

    manifest = Manifest(seed=plan.seed, scale=scale, rows=dict(rows or {}), format=fmt,
                        spec_sha256=spec_digest(plan.spec.source.text), versions=versions(), max_bytes=max_bytes)

    def render(files: Mapping[str, Path]) -> bytes:
        tables = {name: {"file": path.name, "rows": plan.tables[name].rows} for name, path in files.items()}
        return dataclasses.replace(manifest, tables=tables).to_bytes()

    return render


def _reported(table: TablePlan, blocks: Iterable[Any], progress: Progress | None) -> Iterator[Any]:
    """``blocks`` (all of the table's, in order), calling ``progress`` as the table starts and
    once each block has been consumed."""
    if progress is not None:
        progress(table.name, 0, table.rows)
    for block, data in enumerate(blocks):
        yield data
        if progress is not None:
            progress(table.name, table.block_range(block)[1], table.rows)


def _reported_group(group: tuple[TablePlan, ...], parts: Iterable[tuple[int, Any]],
                    progress: Progress | None) -> Iterator[tuple[int, Any]]:
    """``parts`` of tables made together (see :func:`_reported`): the first table reports its
    blocks, the others all their rows once it is done (a bar per table, one after the other)."""
    first = group[0]
    if progress is not None:
        progress(first.name, 0, first.rows)
    block = 0
    for part in parts:
        yield part
        if part[0] == 0:
            if progress is not None:
                progress(first.name, first.block_range(block)[1], first.rows)
            block += 1
    if progress is not None:
        for table in group[1:]:
            progress(table.name, 0, table.rows)
            progress(table.name, table.rows, table.rows)


def seed_database(
    spec: SpecLike, url: str, *, seed: int | None = None, scale: float = 1.0, rows: Mapping[str, int] | None = None,
    if_exists: str = "fail", workers: int = 1, progress: Progress | None = None, lock: LockLike = None,
    max_bytes: int | None = None, tables: Sequence[str] | None = None, exclude: Sequence[str] = (),
) -> dict[str, int]:
    """Create the spec's tables in the database at ``url`` and load them, in one transaction.

    ``url`` is ``sqlite:///path.db``, ``postgresql://...``, ``duckdb:///path.duckdb`` or
    ``mysql://user@host/db`` (MySQL or MariaDB); ``if_exists`` is ``fail``, ``replace`` or
    ``append``; ``tables`` and ``exclude`` pick the tables to load (their parents are loaded too
    or already in the database). Returns the rows loaded per table. ``max_bytes`` as in
    :func:`write` (the free space counted is that of a SQLite or DuckDB file).

    Raises:
        SpecError: the spec is invalid, or the run could pass ``max_bytes``.
        GenerationError: its rules cannot be met (nothing is left in the database).
        OutputError: the database cannot be reached or refuses the data (nothing is left).
    """
    from rulegen.io.databases import seed_plan

    _prepare(workers)
    max_bytes = default_max_bytes(_database_file(url)) if max_bytes is None else max_bytes
    plan = compile(spec, seed=seed, scale=scale, rows=rows, lock=lock, max_bytes=max_bytes)
    with _located(plan.spec):
        return seed_plan(plan, url, if_exists=if_exists, workers=workers, progress=progress, tables=tables,
                         exclude=exclude)


def check(
    spec: SpecLike, directory: str | Path, *, seed: int | None = None, scale: float | None = None,
    rows: Mapping[str, int] | None = None, lock: LockLike = None, max_bytes: int | None = None,
) -> CheckReport:
    """Check the files ``generate`` wrote into ``directory`` against the spec's rules.

    The ``seed``, ``scale``, ``rows`` and ``max_bytes`` that ``generate`` had set the row counts
    the files must have and the budget of the run checked: each one not given is read from the
    manifest ``generate`` wrote into ``directory`` (``rulegen-manifest.json``), or is the spec's
    seed, 1.0, none and 64 GiB without one. When the manifest lists the tables written (a run of
    ``tables=``), only those are checked. Broken rules are findings in the report, never
    exceptions.

    Raises:
        SpecError: the spec itself is invalid, or the run checked could pass ``max_bytes``.
        OutputError: the manifest is there but cannot be read (RG514).
    """
    from rulegen.checking import check_plan

    found = _read_manifest(directory)
    if found is not None:
        seed = found.seed if seed is None else seed
        scale = found.scale if scale is None else scale
        rows = found.rows if rows is None else rows
        max_bytes = found.max_bytes if max_bytes is None else max_bytes
    max_bytes = default_max_bytes() if max_bytes is None else max_bytes
    plan = compile(spec, seed=seed, scale=1.0 if scale is None else scale, rows=rows, lock=lock, max_bytes=max_bytes)
    written = set(found.tables) & set(plan.tables) if found is not None and found.tables else None
    with _located(plan.spec):
        return check_plan(plan, directory, tables=written)


def _read_manifest(directory: str | Path) -> Manifest | None:
    from rulegen.io.manifest import ManifestError, read_manifest

    try:
        return read_manifest(Path(directory))
    except ManifestError as exc:
        raise OutputError([Diagnostic("RG514", str(exc), hint="remove it, or give --seed, --scale and --rows")]) \
            from None


def preview(
    spec: SpecLike, *, table: str | None = None, n: int = 10, seed: int | None = None, lock: LockLike = None,
    max_bytes: int | None = None,
) -> dict[str, pd.DataFrame]:
    """The first ``n`` rows of each table (or of one), generated exactly as a full run would;
    each frame's ``attrs["rows"]`` is its table's row count.

    Only the first block of each table is made, whatever its size, but a table with a law of
    rows per parent row has every count drawn first: that is refused when the table could
    pass ``max_bytes`` (by default 64 GiB), as a run of it would be.

    Raises:
        SpecError: the spec is invalid, or counts would be drawn for a table past ``max_bytes``.
        KeyError: ``table`` is not one of the spec's.
    """
    from rulegen.engine.stream import stream_table

    spec = _spec(spec)
    _refuse_drawing_past(spec, max_bytes, seed=seed, lock=lock)
    plan = compile(spec, seed=seed, lock=lock)
    names = [table] if table else list(plan.tables)
    result = {}
    with _located(plan.spec):
        for name in names:
            table_plan = _table(plan, name)
            batches = stream_table(table_plan, plan.seed, blocks=range(min(1, table_plan.blocks)))
            result[name] = _frame(pa.Table.from_batches(list(batches), table_plan.schema), table_plan).head(n)
            result[name].attrs["rows"] = table_plan.rows
    return result


def _refuse_drawing_past(spec: Spec, max_bytes: int | None, *, seed: int | None, lock: LockLike = None,
                         scale: float = 1.0, rows: Mapping[str, int] | None = None) -> None:
    """Refuse, from an estimate, a spec whose counts of rows per parent row would be drawn for
    more than ``max_bytes`` (the default budget when None): commands that make no whole table
    (``preview``, ``lock``) still draw every count first."""
    if not draws_counts(spec):
        return
    with _located(spec):
        estimate = compile(spec, seed=seed, scale=scale, rows=rows, lock=lock, draw_counts=False)
        problems = check_drawing(estimate.tables, default_max_bytes() if max_bytes is None else max_bytes)
        if problems:
            raise SpecError(problems, spec.source)


def _prepare(workers: int) -> None:
    """Have worker processes ready (rulegen imported) by the time the spec has compiled."""
    if workers > 1:
        from rulegen.scale.startup import prepare_workers

        prepare_workers()


def _database_file(url: str) -> Path | None:
    """The file of a SQLite or DuckDB URL (whose free space bounds the run), else None."""
    from rulegen.io.urls import parse_url

    try:
        where = parse_url(url)
    except ValueError:  # seed_plan reports it
        return None
    return Path(where.target) if where.dialect in ("sqlite", "duckdb") and where.target != ":memory:" else None


def _spec(spec: SpecLike) -> Spec:
    return spec if isinstance(spec, Spec) else load(spec)


def _table(plan: Plan, name: str) -> TablePlan:
    if name not in plan.tables:
        raise KeyError(f"no table {name!r}; tables are: {', '.join(plan.tables)}")
    return plan.tables[name]


def _arrow_table(plan: Plan, name: str, workers: int) -> pa.Table:
    from rulegen.engine.stream import stream_table

    table_plan = plan.tables[name]
    batches = list(stream_table(table_plan, plan.seed, workers=min(workers, max(1, table_plan.blocks))))
    return pa.Table.from_batches(batches, table_plan.schema)


def _frame(table: pa.Table, plan: TablePlan) -> pd.DataFrame:
    """A DataFrame whose nullable integer and boolean columns keep their type (not float)."""
    import pandas as pd  # imported when frames are asked for: pandas is slow to import

    frame = table.to_pandas()
    for name in plan.output:
        column = plan.columns[name]
        nullable = column.spec.null > 0 or column.when is not None or table.column(name).null_count > 0
        if nullable and pa.types.is_integer(column.type):
            frame[name] = table.column(name).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        elif nullable and pa.types.is_boolean(column.type):
            frame[name] = table.column(name).to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
    return frame


@contextlib.contextmanager
def _located(spec: Spec) -> Iterator[None]:
    """Give errors raised by later stages the spec's source map, for FILE:LINE:COL."""
    try:
        yield
    except RulegenError as exc:
        if exc.source is None:
            exc.source = spec.source
        raise


def introspect(url: str, sample: int = 0, *, schema: str | None = None, allow_values: bool = False,
               keep_bookkeeping: bool = False) -> str:
    """A spec (YAML text) that fakes the data of the database at ``url``.

    Reads tables, column types, nullability, primary, unique and foreign keys and simple CHECK
    constraints from SQLite (``sqlite:///path.db``), PostgreSQL (``postgresql://...``, the
    tables of every user schema, or of ``schema`` only), MySQL or MariaDB (``mysql://...``) or
    DuckDB (``duckdb:///path.duckdb``), and chooses a kind per column from its
    type and name. With ``sample=N`` it also reads a random sample of up to N rows per table to
    fit numeric laws, category weights, null rates and children per parent; sampled text is never
    copied into the spec, except the values of columns with few distinct values, and a sensitive column's values
    (emails, names, phones, addresses, hashes, tokens, identifiers), found by its name or by the
    shape of its values, never are unless ``allow_values``. Framework bookkeeping tables
    (``alembic_version``, ``django_migrations``, ...) are left out unless ``keep_bookkeeping``.

    Raises:
        IntrospectError: (an ``OutputError``) the URL is bad, the database cannot be read or
            has no tables.
    """
    from rulegen.introspection import introspect_url

    return introspect_url(url, sample=sample, schema=schema, allow_values=allow_values,
                          keep_bookkeeping=keep_bookkeeping)


def infer(paths: str | Path | Iterable[str | Path], *, allow_values: bool = False, sample_rows: int = 100_000,
          epsilon: float | None = None, seed: int | None = None,
          bounds: Mapping[str, tuple[float, float]] | None = None) -> str:
    """A spec (YAML text) learned from CSV or Parquet files (or folders of them): one table per
    file, each column's fitted law, keys, relations between the files and correlations. Values
    that could identify a person are not copied unless ``allow_values``. With ``epsilon``, the
    spec is learnt under differential privacy (docs/privacy.md), as ``infer --epsilon``:
    ``seed`` fixes the noise, ``bounds`` maps ``table.column`` to a (low, high) clipping range.

    Raises:
        InferError: (an ``OutputError``) a file is missing or cannot be read.
        PrivacyOptionError: (an ``OutputError``) a bad epsilon or bound, or ``allow_values`` with epsilon.
    """
    from rulegen.fidelity.infer import infer as infer_files

    return infer_files(paths if isinstance(paths, str | Path) else list(paths), allow_values=allow_values,
                       sample_rows=sample_rows, epsilon=epsilon, seed=seed, bounds=bounds)


def compare(real: Any, synth: Any, *, sample: int = 10_000, seed: int = 0, targets: Sequence[str] = (),
            holdout: Any = None, spec: Spec | str | Path | None = None) -> Any:
    """How close synthetic data is to real data (files, folders or frames): per-column
    distances, correlations, associations, relations, an overall score in [0, 1], and a privacy
    check, as ``rulegen compare``: ``targets`` (``table.column``) add the machine-learning
    efficacy score, tested on ``holdout`` when given; ``spec`` (a spec, its path or text)
    declares keys and references. Returns a :class:`rulegen.fidelity.compare.Comparison`
    (``.render()``, ``.score``).

    Raises:
        SpecError: ``spec`` is not a valid spec.
    """
    from rulegen.fidelity.compare import compare as compare_data

    return compare_data(real, synth, sample=sample, seed=seed, targets=targets, holdout=holdout,
                        spec=None if spec is None else _spec(spec))
