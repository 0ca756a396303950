"""The ``rulegen compare`` and ``rulegen augment`` commands (registered on the main group).

Both print a problem with the data as one line, ``rulegen compare: ...``, and exit 1; any
other failure goes through :func:`rulegen.commands.run` (no traceback without ``--debug``).
"""

from __future__ import annotations

from pathlib import Path

import click

from rulegen.commands import run

__all__ = ["augment", "compare"]


@click.command()
@click.argument("real", type=click.Path(path_type=Path))
@click.argument("synth", type=click.Path(path_type=Path))
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a self-contained HTML report (figures embedded) to this file.")
@click.option("--min-score", type=click.FloatRange(0, 1), metavar="S",
              help="Exit 1 when the score is below S (for CI).")
@click.option("--fail-on-privacy", is_flag=True, help="Exit 1 when a table fails the privacy check.")
@click.option("--sample", type=click.IntRange(min=10), default=10_000, show_default=True,
              help="Rows of each side for the distance to closest record.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seeds the privacy check's samples and the efficacy models.")
@click.option("--target", "targets", multiple=True, metavar="TABLE.COLUMN",
              help="Score machine-learning efficacy: predict this column trained on synthetic rows against trained "
                   "on real rows (repeatable; COLUMN alone for a single table). Needs scikit-learn.")
@click.option("--holdout", type=click.Path(path_type=Path),
              help="Real rows the synthetic data was not fitted on, to test the efficacy models on (default: "
                   "30% of REAL).")
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False, path_type=Path),
              help="A spec whose primary keys and ref columns say which columns are keys and references (still "
                   "checked against the real data), whatever their names.")
@run
def compare(real: Path, synth: Path, html_path: Path | None, min_score: float | None, fail_on_privacy: bool,
            sample: int, seed: int, targets: tuple[str, ...], holdout: Path | None, spec_path: Path | None) -> int:
    """Compare SYNTH with REAL: per-column distances, correlations, associations, relations,
    efficacy, privacy, a score.

    REAL and SYNTH are each a CSV, JSON Lines or Parquet file, or a folder of them with one file
    per table (as generate writes), tables matched by file name. Prints one line per column
    (values real / synthetic) and a final score in [0, 1], 1 = indistinguishable.
    """
    from rulegen.fidelity.compare import compare as run_compare
    from rulegen.fidelity.datafiles import DataError

    try:
        spec = None
        if spec_path is not None:
            from rulegen.api import load

            spec = load(spec_path)  # a SpecError is rendered by run(): FILE:LINE:COL diagnostics
        result = run_compare(real, synth, sample=sample, seed=seed, targets=targets, holdout=holdout, spec=spec)
        click.echo(result.render())
        if html_path is not None:
            from rulegen.fidelity.report import write_html

            click.echo(f"wrote {write_html(result, html_path)}", err=True)
    except DataError as exc:
        click.echo(f"rulegen compare: {exc}", err=True)
        return 1
    if min_score is not None and result.score < min_score:
        click.echo(f"rulegen compare: score {result.score:.3f} is below --min-score {min_score:g}", err=True)
        return 1
    if fail_on_privacy and not result.privacy_ok:
        click.echo("rulegen compare: the privacy check failed", err=True)
        return 1
    return 0


@click.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--balance", "column", required=True, metavar="COLUMN", help="The class column to balance.")
@click.option("--ratio", type=click.FloatRange(0, 1, min_open=True), default=1.0, show_default=True,
              help="Bring every class to at least RATIO x the largest class.")
@click.option("-k", "k", type=click.IntRange(min=1), default=5, show_default=True,
              help="Nearest neighbours to interpolate towards.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seeds every random choice.")
@click.option("--output", "--out", "-o", "out", type=click.Path(path_type=Path),
              help="Where to write (default: DATA's name with _augmented, beside it); the format follows "
                   "its extension.")
@run
def augment(data: Path, column: str, ratio: float, k: int, seed: int, out: Path | None) -> int:
    """Add synthetic rows to the small classes of COLUMN in DATA (SMOTE-style interpolation).

    New rows interpolate numbers and dates between a row and one of its k nearest neighbours of
    the same class, and take categories from either side. The original rows are kept unchanged.
    """
    from rulegen.fidelity.augment import augment_file
    from rulegen.fidelity.datafiles import DataError

    try:
        path, result = augment_file(data, column, out, ratio=ratio, k=k, seed=seed)
    except DataError as exc:
        click.echo(f"rulegen augment: {exc}", err=True)
        return 1
    click.echo(result.render())
    click.echo(f"wrote {path}")
    return 0
