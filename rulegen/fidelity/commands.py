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
@click.option("--epsilon", type=float, metavar="E",
              help="Learn under differential privacy with budget E per table (noisy counts only; see "
                   "docs/privacy.md). Smaller is more private.")
@click.option("--bounds", "bounds", multiple=True, metavar="TABLE.COLUMN=LOW:HIGH",
              help="With --epsilon: clip a numeric column to [LOW, HIGH] instead of spending budget on its range "
                   "(repeatable).")
@click.option("--seed", type=int, help="With --epsilon: fix the noise (for tests; by default it comes from the "
                                       "operating system, as the guarantee needs).")
@run
def infer(data: tuple[Path, ...], output: Path | None, allow_values: bool, sample_rows: int, epsilon: float | None,
          bounds: tuple[str, ...], seed: int | None) -> None:
    """Write a spec whose data looks like DATA (CSV or Parquet files, or folders of them).

    One table per file, named after it, with the file's row count; each column's law fitted to
    its values, keys, references between files and correlations found; every guess explained
    in a comment. Rare values and free text are not copied unless --allow-values.
    """
    from rulegen.fidelity.infer import infer as infer_spec

    text = infer_spec(list(data), allow_values=allow_values, sample_rows=sample_rows, epsilon=epsilon, seed=seed,
                      bounds=dict(_bound(text) for text in bounds) or None)
    if output is None:
        click.echo(text, nl=False)
    else:
        replace_file(output, text.encode("utf-8"), "spec")


def _bound(text: str) -> tuple[str, tuple[float, float]]:
    """``TABLE.COLUMN=LOW:HIGH`` -> (``TABLE.COLUMN``, (LOW, HIGH)); a usage error otherwise."""
    name, _, span = text.partition("=")
    low, _, high = span.partition(":")
    try:
        return name, (float(low), float(high))
    except ValueError:
        raise click.BadParameter(f"{text!r}: write TABLE.COLUMN=LOW:HIGH, e.g. orders.amount=0:500",
                                 param_hint="--bounds") from None
