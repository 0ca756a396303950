"""The figures of the HTML compare report, each a PNG embedded as a ``data:`` URI.

A histogram of real against synthetic values for each compared numeric, date and text (lengths)
column, a bar chart of the commonest categories for each categorical column, the real, synthetic
and difference correlation heatmaps of a table, the children-per-parent histogram of a relation,
and for the pairs that differ most: the two joint tables of a categorical pair side by side, and
the mean of a number per category of a categorical-numeric pair. matplotlib is imported only
here, and only its Agg canvas is used (no pyplot, no display).
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from rulegen.fidelity.associations import CategoricalPair, MixedPair
    from rulegen.fidelity.compare import ColumnComparison, CorrelationComparison, RelationComparison

__all__ = ["categorical_pair_figure", "column_figure", "heatmaps_figure", "mixed_pair_figure", "relation_figure"]

_REAL, _SYNTH = "#1f77b4", "#ff7f0e"  # matplotlib's first two colours: real blue, synthetic orange


def _figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=80, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure, alt: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _histogram_figure(title: str, edges: np.ndarray, real: tuple[float, ...], synth: tuple[float, ...],
                      xlabel: str, dates: bool = False) -> Figure:
    figure = _figure(5.0, 3.0)
    axes = figure.add_subplot()
    axes.stairs(real, edges, fill=True, alpha=0.5, color=_REAL, label="real")
    axes.stairs(synth, edges, color=_SYNTH, linewidth=1.6, label="synthetic")
    axes.set_title(title, fontsize=10)
    axes.set_xlabel(xlabel, fontsize=8)
    axes.set_ylabel("share of rows", fontsize=8)
    axes.tick_params(labelsize=7)
    if dates:
        from matplotlib.ticker import FuncFormatter

        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: pd.Timestamp(int(x)).strftime("%Y-%m-%d")))
        axes.tick_params(axis="x", labelrotation=30)
    axes.legend(fontsize=7)
    return figure


def _bars_figure(c: ColumnComparison) -> Figure:
    assert c.histogram is not None
    labels = [label if len(label) <= 18 else label[:17] + "…" for label in c.histogram.labels]
    figure = _figure(5.0, 3.0)
    axes = figure.add_subplot()
    x = np.arange(len(labels))
    axes.bar(x - 0.2, c.histogram.real, width=0.4, color=_REAL, label="real")
    axes.bar(x + 0.2, c.histogram.synth, width=0.4, color=_SYNTH, label="synthetic")
    axes.set_xticks(x, labels, rotation=45 if len(labels) > 4 else 0, ha="right" if len(labels) > 4 else "center")
    axes.set_title(f"{c.table}.{c.column} (TV {c.distance:.3f})", fontsize=10)
    axes.set_ylabel("share of rows", fontsize=8)
    axes.tick_params(labelsize=7)
    axes.legend(fontsize=7)
    return figure


def _heatmaps(table: str, corr: CorrelationComparison) -> Figure:
    n = len(corr.columns)
    size = min(4.5, 1.6 + 0.35 * n)
    figure = _figure(3 * size + 0.8, size)
    panels = figure.subplots(1, 3)
    labels = [name if len(name) <= 14 else name[:13] + "…" for name in corr.columns]
    for axes, matrix, title in zip(panels, (corr.real, corr.synth, corr.difference),
                                   ("real", "synthetic", "synthetic - real"), strict=True):
        image = axes.imshow(np.ma.masked_invalid(matrix), cmap="RdBu_r", vmin=-1, vmax=1)
        axes.set_title(f"{table}: {title}", fontsize=9)
        axes.set_xticks(range(n), labels, rotation=90, fontsize=7)
        axes.set_yticks(range(n), labels, fontsize=7)
        if n <= 8:
            for (i, j), value in np.ndenumerate(matrix):
                if not np.isnan(value):
                    axes.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=6,
                              color="white" if abs(value) > 0.6 else "black")
    figure.colorbar(image, ax=list(panels), shrink=0.8)
    return figure


def column_figure(c: ColumnComparison) -> str | None:
    """A column's histogram or bar chart; None when it was not scored."""
    if c.histogram is None or c.distance is None:
        return None
    if c.kind == "categorical":
        return _png(_bars_figure(c), f"bar chart of {c.table}.{c.column}")
    title = f"{c.table}.{c.column} ({c.metric} {c.distance:.3f})"
    xlabel = "length" if c.kind == "text" else c.column
    figure = _histogram_figure(title, np.asarray(c.histogram.edges), c.histogram.real, c.histogram.synth, xlabel,
                               dates=c.kind == "datetime")
    return _png(figure, f"histogram of {c.table}.{c.column}")


def relation_figure(r: RelationComparison) -> str | None:
    """A relation's children-per-parent histogram; None when the synthetic data lacks it."""
    if r.histogram is None or r.distance is None:
        return None
    figure = _histogram_figure(f"{r.label} (KS {r.distance:.3f})", np.asarray(r.histogram.edges), r.histogram.real,
                               r.histogram.synth, f"children per {r.parent} row")
    return _png(figure, f"children per parent of {r.label}")


def heatmaps_figure(table: str, corr: CorrelationComparison) -> str:
    """The real, synthetic and difference correlation heatmaps of a table."""
    return _png(_heatmaps(table, corr), f"correlation heatmaps of {table}")


def _short(labels: tuple[str, ...], width: int = 14) -> list[str]:
    return [label if len(label) <= width else label[: width - 1] + "…" for label in labels]


def categorical_pair_figure(table: str, pair: CategoricalPair) -> str:
    """The joint shares of two categorical columns, real and synthetic side by side."""
    assert pair.real is not None and pair.synth is not None
    rows, cols = pair.real.shape
    size = min(4.5, 1.8 + 0.3 * max(rows, cols))
    figure = _figure(2 * size + 0.8, size)
    panels = figure.subplots(1, 2)
    top = float(max(pair.real.max(), pair.synth.max(), 1e-9))
    for axes, matrix, side in zip(panels, (pair.real, pair.synth), ("real", "synthetic"), strict=True):
        image = axes.imshow(matrix, cmap="Blues" if side == "real" else "Oranges", vmin=0, vmax=top)
        axes.set_title(f"{table}: {pair.a} x {pair.b}, {side}", fontsize=9)
        axes.set_xticks(range(cols), _short(pair.labels_b), rotation=90, fontsize=7)
        axes.set_yticks(range(rows), _short(pair.labels_a), fontsize=7)
        figure.colorbar(image, ax=axes, shrink=0.8)
    figure.suptitle(f"contingency similarity {pair.similarity:.3f}, Cramér's V {pair.real_v:.2f} / "
                    f"{pair.synth_v:.2f}", fontsize=9)
    return _png(figure, f"joint shares of {table}.{pair.a} and {table}.{pair.b}")


def mixed_pair_figure(table: str, pair: MixedPair, dates: bool = False) -> str:
    """The mean of the number for each of the commonest categories, real against synthetic."""
    figure = _figure(5.0, 3.0)
    axes = figure.add_subplot()
    x = np.arange(len(pair.labels))
    real, synth = np.asarray(pair.real_means), np.asarray(pair.synth_means)
    if dates:  # days since the earliest mean, so that the bars start from a readable base
        base = np.nanmin(np.concatenate([real, synth])) if np.isfinite(np.concatenate([real, synth])).any() else 0
        real, synth = (real - base) / 86_400e9, (synth - base) / 86_400e9
    axes.bar(x - 0.2, np.nan_to_num(real), width=0.4, color=_REAL, label="real")
    axes.bar(x + 0.2, np.nan_to_num(synth), width=0.4, color=_SYNTH, label="synthetic")
    many = len(x) > 4
    axes.set_xticks(x, _short(pair.labels, 18), rotation=45 if many else 0, ha="right" if many else "center")
    axes.set_title(f"{table}: {pair.number} by {pair.category} (eta {pair.real_eta:.2f} / {pair.synth_eta:.2f})",
                   fontsize=10)
    axes.set_ylabel(f"mean {pair.number}" + (" (days)" if dates else ""), fontsize=8)
    axes.tick_params(labelsize=7)
    axes.legend(fontsize=7)
    return _png(figure, f"means of {table}.{pair.number} by {table}.{pair.category}")
