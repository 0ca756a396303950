"""The ``rulegen infer`` command, registered on the main group by :mod:`rulegen.cli`."""

from __future__ import annotations

from pathlib import Path

import click

from rulegen.commands import run
from rulegen.fidelity import DEFAULT_SAMPLE_ROWS
from rulegen.io.outputs import replace_file

__all__ = ["infer"]


@click.command()
@click.argument("data", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", "--out", "-o", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the spec to FILE instead of standard output.")
@click.option("--allow-values", is_flag=True,
              help="Copy rare values (categories seen fewer than 5 times) into the spec; they could identify a person.")
@click.option("--sample-rows", type=click.IntRange(min=1), default=DEFAULT_SAMPLE_ROWS, show_default=True,
              metavar="N", help="Rows read per file for fitting (rows: is still each file's full count).")
@run
def infer(data: tuple[Path, ...], output: Path | None, allow_values: bool, sample_rows: int) -> None:
    """Write a spec whose data looks like DATA (CSV or Parquet files, or folders of them).

    One table per file, named after it, with the file's row count; each column's law fitted to
    its values, keys, references between files and correlations found; every guess explained
    in a comment. Rare values and free text are not copied unless --allow-values.
    """
    from rulegen.fidelity.infer import infer as infer_spec

    text = infer_spec(list(data), allow_values=allow_values, sample_rows=sample_rows)
    if output is None:
        click.echo(text, nl=False)
    else:
        replace_file(output, text.encode("utf-8"), "spec")
