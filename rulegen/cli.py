"""The ``rulegen`` command line (docs/cli.md describes it): generate, seed, validate, check, preview, schema,
introspect, lock, docs; and infer, compare and augment (from :mod:`rulegen.fidelity`).

Exit codes: 0 success, 1 invalid spec or data or a failed run, 2 usage error. A user error
prints ``FILE:LINE:COL: message`` lines, never a traceback; ``--debug`` shows one.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from rulegen.commands import run
from rulegen.fidelity.commands import infer
from rulegen.fidelity.compare_commands import augment, compare
from rulegen.io.outputs import replace_file

__all__ = ["main"]


_MAX_ROWS = 10**15  # the most rows a table can have, as in a spec's `rows`


def _names(values: tuple[str, ...]) -> list[str]:
    """Table names given as ``--tables a,b --tables c``."""
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _rows(values: tuple[str, ...]) -> dict[str, int]:
    rows = {}
    for item in values:
        table, sep, count = item.partition("=")
        if not sep or not table or not count.isascii() or not count.isdigit():
            raise click.BadParameter(f"{item!r} is not TABLE=N", param_hint="--rows")
        if len(count) > 16 or int(count) > _MAX_ROWS:
            raise click.BadParameter(f"{item!r}: a table has at most {_MAX_ROWS:,} rows", param_hint="--rows")
        rows[table] = int(count)
    return rows


class _Scale(click.FloatRange):
    """``--scale``: a finite number above 0 (FloatRange alone lets NaN through)."""

    def __init__(self) -> None:
        super().__init__(min=0, min_open=True, max=_MAX_ROWS)

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        number = super().convert(value, param, ctx)
        if number != number:
            self.fail(f"{value!r} is not a number.", param, ctx)
        return number


_SEED = click.IntRange(0, 2**64 - 1)  # seeds are 64-bit keys of the random streams


@dataclass(frozen=True, slots=True)
class _Started:
    """A run that makes data (``generate``, ``seed``), started: its worker count, its progress
    bars and the moment it started."""

    workers: int
    run: Any  # rulegen.progress.RunStats
    at: float

    @classmethod
    def now(cls, workers: int | None, quiet: bool, *, local: bool = True) -> _Started:
        """Start the worker processes first, so that their imports overlap this process's; with
        ``local`` work (not Dask's, which imports pandas), keep pyarrow from pandas."""
        from rulegen.scale.startup import default_workers, prepare_workers

        at = time.perf_counter()
        workers = workers or default_workers()
        if local:
            if workers > 1:
                prepare_workers()
            _defer_pandas()
        from rulegen.progress import RunStats

        return cls(workers, RunStats.for_terminal(quiet), at)

    def seconds(self) -> float:
        """Seconds since the run started."""
        return time.perf_counter() - self.at


def _defer_pandas() -> None:
    """A command that makes no DataFrame keeps pyarrow from importing pandas, 0.2 s of start-up
    (rulegen.lazy_pandas)."""
    from rulegen.lazy_pandas import defer_pandas

    defer_pandas()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rulegen")
def main() -> None:
    """Turn declarative YAML rules into realistic, consistent, multi-table fake data."""


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the command is: it unwinds like Ctrl-C, removing temporary files,
    slot folders and workers on its way out."""

    seen = False  # whether one was raised in this process


def _on_sigterm(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the cleanup short
    _Terminated.seen = True
    raise _Terminated


def entry() -> None:
    """The ``rulegen`` command: :func:`main`, then an exit without the interpreter's teardown.

    Unloading pyarrow, pandas and Faker takes 0.2-0.3 s after every command, once all is
    written. The exit handlers still run (child processes, temporary folders) and the standard
    streams are flushed; only the module teardown is skipped. Tests call :func:`main` itself.

    SIGTERM stops a command as Ctrl-C does, cleaning up, and exits 1 with a one-line message.
    """
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        main()  # click's standalone mode always ends in SystemExit
        code: int | str | None = 0
    except SystemExit as exc:
        code = exc.code
    except _Terminated:  # outside a command's own handling (while click parses)
        code = 1
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # from here on, the exit is moments away
    if _Terminated.seen:
        click.echo("rulegen: stopped by SIGTERM; its temporary files were removed", err=True)
        code = code or 1
    if isinstance(code, str):  # as Python prints an exit message
        click.echo(code, err=True)
        code = 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


_spec_argument = click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
_lock_option = click.option("--lock", "lock", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                            help="Take Faker values from this lock file (default: SPEC.lock when it exists).")
_max_bytes_option = click.option(
    "--max-bytes", "max_bytes", type=click.IntRange(min=1), metavar="N",
    help="Refuse a run that could write more than N bytes, before any row is made (default: the smaller of "
         "64 GiB and the free space where it writes).")


@main.command()
@_spec_argument
@click.option("--out", "--output", "-o", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write one file per table into.")
@click.option("--format", "-f", "fmt", type=click.Choice(["csv", "jsonl", "parquet", "sql"]), default="csv",
              show_default=True, help="File format: CSV with a header, JSON Lines, Parquet, or a SQL script per table.")
@click.option("--dialect", type=click.Choice(["sqlite", "postgresql", "mysql", "duckdb"]), default="sqlite",
              show_default=True, help="SQL dialect of --format sql (one script per table, parents first).")
@click.option("--seed", type=_SEED, help="Overrides the spec's seed.")
@click.option("--scale", type=_Scale(), default=1.0, show_default=True, help="Multiplies row counts.")
@click.option("--rows", "rows", multiple=True, metavar="TABLE=N", help="Exact row count of a table.")
@click.option("--tables", "tables", multiple=True, metavar="A,B",
              help="Write only these tables (what they read from others is computed, not written).")
@click.option("--exclude", "exclude", multiple=True, metavar="A,B", help="Do not write these tables.")
@click.option("--workers", type=click.IntRange(min=1), help="Processes to use (default: all cores).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="dask: blocks are tasks on a Dask cluster, each table a folder of Parquet parts.")
@click.option("--scheduler", metavar="ADDR",
              help="The Dask scheduler (tcp://host:8786); without it, a local cluster of --workers processes.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success (and no progress bars).")
@click.option("--stats", is_flag=True, help="Print rows, bytes and seconds per table at the end.")
@_max_bytes_option
@_lock_option
@run
def generate(spec: Path, out: Path, fmt: str, dialect: str, seed: int | None, scale: float, rows: tuple[str, ...],
             tables: tuple[str, ...], exclude: tuple[str, ...], workers: int | None, engine: str,
             scheduler: str | None, quiet: bool, stats: bool, max_bytes: int | None, lock: Path | None) -> None:
    """Write the data of SPEC, one file per table, into --out.

    On a terminal, a bar per table shows rows, rows/s and the time left.
    """
    if engine == "dask" and fmt != "parquet":
        raise click.UsageError(f"--engine dask writes Parquet parts: give --format parquet (not {fmt})")
    if engine == "local" and scheduler is not None:
        raise click.UsageError("--scheduler goes with --engine dask")
    started = _Started.now(workers, quiet, local=engine == "local")
    import rulegen

    paths = rulegen.write(spec, out, fmt, seed=seed, scale=scale, rows=_rows(rows),
                          workers=started.workers, dialect=dialect, progress=started.run,
                          client=(scheduler or "local") if engine == "dask" else None, lock=lock,
                          max_bytes=max_bytes, tables=_names(tables) if tables else None, exclude=_names(exclude))
    started.run.finish(paths)
    if not quiet:
        for path in paths.values():
            click.echo(f"wrote {path}")
        click.echo(f"done in {started.seconds():.2f}s", err=True)
    if stats:
        click.echo(started.run.render(), err=True)


@main.command()
@_spec_argument
@click.option("--db", "url", required=True, metavar="URL",
              help="sqlite:///path.db (the default kind: no server), postgresql://..., duckdb:///path.duckdb "
                   "or mysql://user@host/db")
@click.option("--seed", type=_SEED, help="Overrides the spec's seed.")
@click.option("--scale", type=_Scale(), default=1.0, show_default=True, help="Multiplies row counts.")
@click.option("--rows", "rows", multiple=True, metavar="TABLE=N", help="Exact row count of a table.")
@click.option("--if-exists", type=click.Choice(["fail", "replace", "append"]), default="fail", show_default=True,
              help="What to do with tables already in the database.")
@click.option("--tables", "tables", multiple=True, metavar="A,B",
              help="Load only these tables (their parents must be loaded too or hold rows already).")
@click.option("--exclude", "exclude", multiple=True, metavar="A,B", help="Do not load these tables.")
@click.option("--workers", type=click.IntRange(min=1), help="Processes to use (default: all cores).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success (and no progress bars).")
@click.option("--stats", is_flag=True, help="Print rows and seconds per table at the end.")
@_max_bytes_option
@_lock_option
@run
def seed(spec: Path, url: str, seed: int | None, scale: float, rows: tuple[str, ...], if_exists: str,
         tables: tuple[str, ...], exclude: tuple[str, ...], workers: int | None, quiet: bool, stats: bool,
         max_bytes: int | None, lock: Path | None) -> None:
    """Create the tables of SPEC in the database at --db and load them, in one transaction.

    On a terminal, a bar per table shows rows, rows/s and the time left.
    """
    started = _Started.now(workers, quiet)
    import rulegen

    loaded = rulegen.seed_database(spec, url, seed=seed, scale=scale, rows=_rows(rows), if_exists=if_exists,
                                   workers=started.workers, progress=started.run, lock=lock, max_bytes=max_bytes,
                                   tables=_names(tables) if tables else None, exclude=_names(exclude))
    started.run.finish()
    if not quiet:
        total = sum(loaded.values())
        click.echo(f"seeded {len(loaded)} tables ({total:,} rows) in {started.seconds():.2f}s")
    if stats:
        click.echo(started.run.render(), err=True)


@main.command()
@_spec_argument
@_lock_option
@run
def validate(spec: Path, lock: Path | None) -> None:
    """Check SPEC (and its lock file, if any) and print every problem; exit 0 when valid."""
    from rulegen.lazy_compute import defer_compute

    _defer_pandas()
    defer_compute()  # nor, for most specs, compute anything with Arrow
    import rulegen

    plan = rulegen.compile(spec, lock=lock, draw_counts=False)  # validate never draws data
    tables = ", ".join(f"{t.name} ({'about ' if t.estimated else ''}{t.rows:,} rows)" for t in plan.tables.values())
    click.echo(f"{spec}: valid: {tables}")


@main.command()
@_spec_argument
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--seed", type=_SEED, help="The seed generate had [default: the manifest's, else the spec's].")
@click.option("--scale", type=_Scale(), help="The scale generate had [default: the manifest's, else 1].")
@click.option("--rows", "rows", multiple=True, metavar="TABLE=N",
              help="A row count generate had [default: the manifest's].")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing when no rule is broken (violations still print).")
@_max_bytes_option
@_lock_option
@run
def check(spec: Path, directory: Path, seed: int | None, scale: float | None, rows: tuple[str, ...],
          quiet: bool, max_bytes: int | None, lock: Path | None) -> int:
    """Check the files generate wrote into DIRECTORY against SPEC; exit 1 on any violation.

    The seed, scale and row counts generate had are read from the manifest it wrote into
    DIRECTORY (rulegen-manifest.json); options given here win. Prints one line per broken rule
    (table.column: rule: rows and examples), then a summary.
    """
    _defer_pandas()
    import rulegen

    report = rulegen.check(spec, directory, seed=seed, scale=scale, rows=_rows(rows) if rows else None, lock=lock,
                           max_bytes=max_bytes)
    if not (quiet and report.ok):
        click.echo(report.render())
    return 0 if report.ok else 1


@main.command()
@_spec_argument
@click.option("--table", "-t", help="Only this table.")
@click.option("-n", "n", type=click.IntRange(min=1), default=10, show_default=True, help="Rows per table.")
@click.option("--seed", type=_SEED, help="Overrides the spec's seed.")
@_max_bytes_option
@_lock_option
@run
def preview(spec: Path, table: str | None, n: int, seed: int | None, max_bytes: int | None, lock: Path | None) -> None:
    """Print the first rows of each table."""
    import pandas as pd

    import rulegen

    try:
        frames = rulegen.preview(spec, table=table, n=n, seed=seed, lock=lock, max_bytes=max_bytes)
    except KeyError as exc:  # an unknown --table
        if table is None:
            raise
        raise click.BadParameter(str(exc.args[0]), param_hint="--table") from None
    with pd.option_context("display.max_columns", None, "display.width", 200):
        for name, frame in frames.items():
            click.echo(f"== {name} ({frame.attrs['rows']:,} rows)")
            click.echo(_shown(frame))
            click.echo()


def _shown(frame: Any) -> str:
    """A preview table as text, every null spelt ``null`` whatever the column's type (pandas
    shows NaN, None or <NA> depending on it); columns without nulls keep pandas' formatting."""
    import pandas as pd

    frame = frame.copy()
    for name, column in frame.items():
        if column.isna().any() and not pd.api.types.is_float_dtype(column.dtype):
            frame[name] = [None if pd.isna(v) else str(v) for v in column.astype(object)]
    return frame.to_string(index=False, na_rep="null")


@main.command()
@run
def schema() -> None:
    """Print the JSON Schema of the spec language."""
    from rulegen.spec.structure import spec_schema

    click.echo(json.dumps(spec_schema(), indent=2))


@main.command(name="lock")
@_spec_argument
@click.option("--seed", type=_SEED, help="The seed to draw pools for (overrides the spec's).")
@click.option("--scale", type=_Scale(), default=1.0, show_default=True, help="The scale runs will have.")
@click.option("--rows", "rows", multiple=True, metavar="TABLE=N", help="A row count runs will have.")
@click.option("--output", "--out", "-o", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the lock to FILE (default: SPEC.lock, next to the spec, where runs find it).")
@_max_bytes_option
@run
def lock_command(spec: Path, seed: int | None, scale: float, rows: tuple[str, ...], output: Path | None,
                 max_bytes: int | None) -> None:
    """Write SPEC.lock: the Faker values of SPEC, so its output stays the same across Faker upgrades.

    Runs that find the lock next to the spec (or get it with --lock) take every Faker pool and
    list from it; lock again after changing a Faker column, the seed, or a unique column's rows.
    """
    from rulegen.api import lock

    path = lock(spec, output, seed=seed, scale=scale, rows=_rows(rows), max_bytes=max_bytes)
    click.echo(f"wrote {path}")


@main.command()
@click.option("--output", "--out", "-o", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE instead of standard output (docs/spec.md is the one in the repository).")
@run
def docs(output: Path | None) -> None:
    """Print the spec reference (Markdown) generated from the kind registry."""
    from rulegen.docs import render_reference

    text = render_reference()
    if output is None:
        click.echo(text, nl=False)
    else:
        replace_file(output, text.encode("utf-8"), "reference")
        click.echo(f"wrote {output}")


@main.command()
@click.argument("url")
@click.option("--sample", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="Also read a random sample of up to N rows per table: numeric laws, category weights, null "
                   "rates, children per parent.")
@click.option("--schema", default=None, help="The PostgreSQL schema to read (default: every user schema).")
@click.option("--allow-values", is_flag=True,
              help="With --sample, let sampled values of sensitive columns (emails, names, phones, addresses, "
                   "hashes, tokens, identifiers) into the spec too.")
@click.option("--keep-bookkeeping", is_flag=True,
              help="Keep framework bookkeeping tables (django_migrations, alembic_version, ...) in the spec.")
@click.option("--output", "--out", "-o", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the spec to FILE instead of standard output.")
@run
def introspect(url: str, sample: int, schema: str | None, allow_values: bool, keep_bookkeeping: bool,
               output: Path | None) -> None:
    """Write a spec for the database at URL (sqlite:///path.db, postgresql://..., mysql://... or
    duckdb:///path.duckdb).

    Reads tables, column types, keys, foreign keys and simple CHECK constraints; every guess
    is explained in a comment of the spec.
    """
    import rulegen

    text = rulegen.introspect(url, sample=sample, schema=schema, allow_values=allow_values,
                              keep_bookkeeping=keep_bookkeeping)
    if output is None:
        click.echo(text, nl=False)
    else:
        replace_file(output, text.encode("utf-8"), "spec")


for _command in (infer, compare, augment):  # commands kept in their own modules
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
