"""Render a :class:`~rulegen.fidelity.compare.Comparison` as text or as one HTML file.

The HTML report is self-contained: metrics in plain HTML tables, and every figure a PNG
embedded as ``<img src="data:image/png;base64,...">``, so it opens in any browser from disk,
with no server and no JavaScript. Figures: a histogram of real against synthetic values for
each compared numeric, date and text (lengths) column, a bar chart of the commonest categories
for each categorical column, the real, synthetic and difference correlation heatmaps of each
table with two numeric columns or more, and the children-per-parent histogram of each relation.
matplotlib is imported only here, and only its Agg canvas is used (no pyplot, no display).
"""

from __future__ import annotations

import base64
import html
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rulegen.fidelity.datafiles import DataError
from rulegen.io import outputs

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from rulegen.fidelity.compare import ColumnComparison, Comparison, CorrelationComparison, RelationComparison
    from rulegen.fidelity.distances import Summary

__all__ = ["render_html", "render_text", "write_html"]

_REAL, _SYNTH = "#1f77b4", "#ff7f0e"  # matplotlib's first two colours: real blue, synthetic orange
_NS_PER_DAY = 86_400e9


# -- text -------------------------------------------------------------------------------------

def _value(value: float | None, kind: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    if kind == "datetime":
        stamp = pd.Timestamp(int(value))
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat(timespec="seconds")
    return f"{value:.4g}"


def _g(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _spread(value: float | None, kind: str) -> str:
    if value is None:
        return "-"
    return f"{value / _NS_PER_DAY:.4g}d" if kind == "datetime" else f"{value:.4g}"


def _side(summary: Summary | None, what: str, kind: str) -> str:
    """One measure (``mean``, ``std``, ``p5``, ``median``, ``p95``, ``min``, ``max``, ``nulls``) of one side."""
    if summary is None:
        return "-"
    if what == "std":
        return _spread(summary.std, kind)
    if what == "mean":
        return _value(summary.mean, kind)
    if what == "nulls":
        return f"{summary.nulls:.1%}"
    index = {"min": 0, "p5": 1, "median": 3, "p95": 5, "max": 6}[what]
    return _value(summary.quantiles[index], kind) if summary.quantiles else "-"


def _pair(real: Summary | None, synth: Summary | None, what: str, kind: str) -> str:
    return f"{what} {_side(real, what, kind)} / {_side(synth, what, kind)}"


def column_details(c: ColumnComparison) -> str:
    """The measures of a column after its distance, as one line of text."""
    if (c.note and c.distance is None) or c.synth is None:
        return c.note
    if c.kind == "categorical":
        top = ""
        if c.histogram and c.histogram.labels:
            top = f"  top {c.histogram.labels[0]!r} {c.histogram.real[0]:.1%} / {c.histogram.synth[0]:.1%}"
        covered = round((c.coverage or 0.0) * (c.categories or 0))
        return (f"coverage {covered}/{c.categories} ({c.coverage:.1%})  novel {c.novel:.1%}{top}  "
                f"{_pair(c.real, c.synth, 'nulls', c.kind)}")
    kind = "numeric" if c.kind == "text" else c.kind
    parts = [_pair(c.real, c.synth, what, kind) for what in ("mean", "std", "p5", "median", "p95", "nulls")]
    return ("length " if c.kind == "text" else "") + "  ".join(parts)


def render_text(comparison: Comparison) -> str:
    """One line per column (values real / synthetic), per relation and per table, then the score."""
    lines = []
    width = max((len(f"{t.name}.{c.column}") for t in comparison.tables for c in t.columns), default=10)
    for t in comparison.tables:
        lines.append(f"table {t.name}: {t.real_rows:,} real rows, {t.synth_rows:,} synthetic rows "
                     "(values: real / synthetic)")
        for c in t.columns:
            measure = f"{c.metric} {c.distance:.3f}" if c.distance is not None else ""
            lines.append(f"  {f'{t.name}.{c.column}':<{width}}  {c.kind:<11}  {measure:<16}  {column_details(c)}"
                         .rstrip())
        if t.correlation is not None:
            r = t.correlation
            lines.append(f"  {t.name}: correlation: mean |delta rho| {r.mean_abs:.3f}, max {r.max_abs:.3f} "
                         f"over {r.pairs} pairs of {len(r.columns)} columns")
        if t.privacy is not None:
            p = t.privacy
            status = "ok" if p.ok else "FAILED: " + "; ".join(p.problems)
            measures = (f"copies {p.copies:.1%}, of half the real rows {p.copies_of_half:.1%} "
                        f"(real-vs-real {p.copies_baseline:.1%})")
            if p.dcr_median is not None:
                measures += (f", distance to closest real row median {_g(p.dcr_median)} / p5 {_g(p.dcr_p05)} "
                             f"(real-vs-real {_g(p.baseline_median)} / {_g(p.baseline_p05)})")
            lines.append(f"  {t.name}: privacy {status} [{measures}]")
    for r in comparison.relations:
        if r.synth is None:
            lines.append(f"relation {r.label}: not in the synthetic data")
            continue
        lines.append(f"relation {r.label}  KS {r.distance:.3f}  children per parent mean {r.real.mean:.3g} / "
                     f"{r.synth.mean:.3g}  max {r.real.max} / {r.synth.max}  childless {r.real.childless:.1%} / "
                     f"{r.synth.childless:.1%}  top 10% of parents hold {r.real.top_decile:.1%} / "
                     f"{r.synth.top_decile:.1%}  orphans {r.synth.orphans:.1%}")
    lines += [f"note: {note}" for note in comparison.notes]
    scored = sum(c.distance is not None for t in comparison.tables for c in t.columns)
    related = sum(r.distance is not None for r in comparison.relations)
    failed = [t.name for t in comparison.tables if t.privacy is not None and not t.privacy.ok]
    privacy = f"privacy FAILED in {', '.join(failed)}" if failed else "privacy ok"
    lines.append(f"score {comparison.score:.3f} = columns {comparison.columns_term:.3f} x correlation "
                 f"{comparison.correlation_term:.3f} ({scored} column{'s' if scored != 1 else ''} and {related} "
                 f"relation{'s' if related != 1 else ''} scored); {privacy}")
    return "\n".join(lines)


# -- figures ----------------------------------------------------------------------------------

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


def _heatmaps_figure(table: str, corr: CorrelationComparison) -> Figure:
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


def _column_figure(c: ColumnComparison) -> str | None:
    if c.histogram is None or c.distance is None:
        return None
    if c.kind == "categorical":
        return _png(_bars_figure(c), f"bar chart of {c.table}.{c.column}")
    title = f"{c.table}.{c.column} ({c.metric} {c.distance:.3f})"
    xlabel = "length" if c.kind == "text" else c.column
    figure = _histogram_figure(title, np.asarray(c.histogram.edges), c.histogram.real, c.histogram.synth, xlabel,
                               dates=c.kind == "datetime")
    return _png(figure, f"histogram of {c.table}.{c.column}")


def _relation_figure(r: RelationComparison) -> str | None:
    if r.histogram is None or r.distance is None:
        return None
    figure = _histogram_figure(f"{r.label} (KS {r.distance:.3f})", np.asarray(r.histogram.edges), r.histogram.real,
                               r.histogram.synth, f"children per {r.parent} row")
    return _png(figure, f"children per parent of {r.label}")


# -- HTML -------------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.synth { color: #b35000; }
.score { font-size: 1.4em; }
.fail { color: #b00; font-weight: bold; }
.ok { color: #070; }
.figures { display: flex; flex-wrap: wrap; gap: 0.5em; }
.figures img { border: 1px solid #ddd; }
"""


def _cell(text: object, numeric: bool = False) -> str:
    return f'<td{" class=num" if numeric else ""}>{html.escape(str(text))}</td>'


_SUMMARY_HEADS = ("mean", "std", "p5", "median", "p95", "nulls")


def _columns_table(table_columns: tuple[ColumnComparison, ...]) -> str:
    heads = ("column", "kind", "metric", "distance", *_SUMMARY_HEADS, "notes")
    rows = []
    for c in table_columns:
        distance = "-" if c.distance is None else f"{c.distance:.3f}"
        cells = [_cell(c.column), _cell(c.kind), _cell(c.metric or "-"), _cell(distance, True)]
        kind = "numeric" if c.kind == "text" else c.kind
        if c.kind in ("categorical", "key") or c.synth is None:
            shown = ("nulls",) if c.kind == "categorical" and c.synth is not None else ()
            note = column_details(c).rsplit("  nulls", 1)[0]
        else:
            shown, note = _SUMMARY_HEADS, "of the lengths" if c.kind == "text" else ""
        for what in _SUMMARY_HEADS:
            if what in shown:
                real, synth = (html.escape(_side(v, what, kind).replace("T", " ")) for v in (c.real, c.synth))
                cells.append(f'<td class=num>{real}<br><span class="synth">{synth}</span></td>')
            else:
                cells.append("<td></td>")
        cells.append(_cell(note))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in heads)
    return (f"<table><tr>{head}</tr>{''.join(rows)}</table>"
            '<p>In each cell, real above and <span class="synth">synthetic below</span>.</p>')


def render_html(comparison: Comparison) -> str:
    """The whole report as one HTML document (figures embedded as base64 PNG).

    Raises:
        DataError: matplotlib is not installed.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise DataError("the HTML report needs matplotlib: pip install 'rulegen[report]'") from exc
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>rulegen compare</title>", f"<style>{_STYLE}</style></head><body>",
             "<h1>rulegen compare: real against synthetic</h1>"]
    failed = [t.name for t in comparison.tables if t.privacy is not None and not t.privacy.ok]
    parts.append(f'<p class="score">score <b>{comparison.score:.3f}</b> = columns {comparison.columns_term:.3f} '
                 f"&times; correlation {comparison.correlation_term:.3f}; "
                 + (f'<span class="fail">privacy FAILED in {html.escape(", ".join(failed))}</span>' if failed
                    else '<span class="ok">privacy ok</span>') + "</p>")
    parts.append("<p>Distances are in [0, 1], 0 when identical: KS (Kolmogorov-Smirnov) for numbers, dates and "
                 "text lengths, TV (total variation) for categories. The score is the mean of (1 - distance) "
                 "over columns and relations, times 1 - the mean absolute difference of correlations. "
                 "In the figures, real is blue and synthetic orange.</p>")
    parts += [f"<p>note: {html.escape(note)}</p>" for note in comparison.notes]
    for t in comparison.tables:
        parts.append(f"<h2>{html.escape(t.name)}</h2><p>{t.real_rows:,} real rows, {t.synth_rows:,} synthetic "
                     "rows</p>")
        parts.append(_columns_table(t.columns))
        if t.privacy is not None:
            p = t.privacy
            status = '<span class="ok">ok</span>' if p.ok else \
                '<span class="fail">FAILED: ' + html.escape("; ".join(p.problems)) + "</span>"
            rows = [("exact copies of a real row", f"{p.copies:.2%}", "-"),
                    ("exact copies of a row of half the real rows", f"{p.copies_of_half:.2%}",
                     f"{p.copies_baseline:.2%}"),
                    ("distance to closest real row, median", _g(p.dcr_median), _g(p.baseline_median)),
                    ("distance to closest real row, 5th percentile", _g(p.dcr_p05), _g(p.baseline_p05))]
            body = "".join("<tr>" + _cell(a) + _cell(b, True) + _cell(c, True) + "</tr>" for a, b, c in rows)
            parts.append(f"<p>privacy: {status}</p><table><tr><th>measure</th><th>synthetic</th>"
                         f"<th>real holdout (baseline)</th></tr>{body}</table>")
        figures = [img for c in t.columns if (img := _column_figure(c))]
        if t.correlation is not None:
            r = t.correlation
            parts.append(f"<p>correlation: mean |&Delta;&rho;| {r.mean_abs:.3f}, max {r.max_abs:.3f} over "
                         f"{r.pairs} pairs</p>")
            figures.append(_png(_heatmaps_figure(t.name, r), f"correlation heatmaps of {t.name}"))
        parts.append(f'<div class="figures">{"".join(figures)}</div>')
    if comparison.relations:
        parts.append("<h2>relations</h2>")
        head = "".join(f"<th>{h}</th>" for h in ("reference", "KS", "children per parent (mean)", "max",
                                                  "childless", "top 10% hold", "orphans"))
        rows = []
        for r in comparison.relations:
            s = r.synth
            rows.append("<tr>" + _cell(r.label) + _cell("-" if r.distance is None else f"{r.distance:.3f}", True)
                        + _cell(f"{r.real.mean:.3g} / {s.mean:.3g}" if s else "-", True)
                        + _cell(f"{r.real.max} / {s.max}" if s else "-", True)
                        + _cell(f"{r.real.childless:.1%} / {s.childless:.1%}" if s else "-", True)
                        + _cell(f"{r.real.top_decile:.1%} / {s.top_decile:.1%}" if s else "-", True)
                        + _cell(f"{s.orphans:.1%}" if s else "-", True) + "</tr>")
        parts.append(f"<table><tr>{head}</tr>{''.join(rows)}</table>")
        figures = [img for r in comparison.relations if (img := _relation_figure(r))]
        parts.append(f'<div class="figures">{"".join(figures)}</div>')
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(comparison: Comparison, path: str | Path) -> Path:
    """Write :func:`render_html` to ``path`` atomically.

    Raises:
        DataError: the file cannot be written.
    """
    path = Path(path)
    text = render_html(comparison)
    temp = None
    try:
        out, temp = outputs.create_temp(path.parent, path.name)  # exclusive: never through a symlink
        with out:
            out.write(text.encode("utf-8"))
        os.replace(temp, path)
    except OSError as exc:
        raise DataError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if temp is not None and temp.exists():
            temp.unlink()
    return path
