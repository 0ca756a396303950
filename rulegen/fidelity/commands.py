"""The ``rulegen infer`` command, registered on the main group by :mod:`rulegen.cli`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rulegen.fidelity import DEFAULT_SAMPLE_ROWS

__all__ = ["infer"]


@click.command()
@click.argument("data", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the spec to FILE instead of standard output.")
@click.option("--allow-values", is_flag=True,
              help="Copy rare values (categories seen fewer than 5 times) into the spec; they could identify a person.")
@click.option("--sample-rows", type=click.IntRange(min=1), default=DEFAULT_SAMPLE_ROWS, show_default=True,
              metavar="N", help="Rows read per file for fitting (rows: is still each file's full count).")
@click.option("--debug", is_flag=True, help="Show Python tracebacks.")
def infer(data: tuple[Path, ...], output: Path | None, allow_values: bool, sample_rows: int, debug: bool) -> None:
    """Write a spec whose data looks like DATA (CSV or Parquet files, or folders of them).

    One table per file, named after it, with the file's row count; each column's law fitted to
    its values, keys, references between files and correlations found; every guess explained
    in a comment. Rare values and free text are not copied unless --allow-values.
    """
    from rulegen.fidelity.infer import infer as infer_spec
    from rulegen.fidelity.read import InferError

    try:
        text = infer_spec(list(data), allow_values=allow_values, sample_rows=sample_rows)
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
    except InferError as exc:
        if debug:
            raise
        click.echo(f"rulegen infer: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        if debug:
            raise
        click.echo(f"rulegen infer: cannot write {output}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(1)
    except Exception as exc:  # a bug in rulegen: say so briefly, keep the traceback behind --debug
        if debug:
            raise
        click.echo(f"rulegen: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        sys.exit(1)
