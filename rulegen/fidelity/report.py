"""Render a :class:`~rulegen.fidelity.compare.Comparison` as text or as one HTML file.

The HTML report is self-contained: metrics in plain HTML tables, and every figure a PNG
embedded as ``<img src="data:image/png;base64,...">``, so it opens in any browser from disk,
with no server and no JavaScript. The figures are drawn by :mod:`rulegen.fidelity.figures`:
one per compared column, the correlation heatmaps of each table with two numeric columns or
more, the categorical pair and the categorical-numeric pair of each table that differ most, and
the children-per-parent histogram of each relation.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rulegen.fidelity.datafiles import DataError
from rulegen.io import outputs

if TYPE_CHECKING:
    from rulegen.fidelity.compare import ColumnComparison, Comparison, TableComparison
    from rulegen.fidelity.distances import Summary

__all__ = ["render_html", "render_text", "write_html"]

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
        lines += _association_lines(t)
        for e in t.efficacy:
            lines.append(f"  {t.name}: efficacy predicting {e.target} ({e.task}, {e.metric} on {e.test_rows:,} real "
                         f"rows): trained on real {e.real_score:.3f}, on synthetic {e.synth_score:.3f} "
                         f"(ratio {e.ratio:.3f})")
        if t.privacy is not None:
            p = t.privacy
            status = "ok" if p.ok else "FAILED: " + "; ".join(p.problems)
            measures = (f"copies {p.copies:.1%}, of half the real rows {p.copies_of_half:.1%} "
                        f"(real-vs-real {p.copies_baseline:.1%})")
            if p.dcr_median is not None:
                measures += (f", distance to closest real row median {_g(p.dcr_median)} / p5 {_g(p.dcr_p05)} "
                             f"(real-vs-real {_g(p.baseline_median)} / {_g(p.baseline_p05)})")
            if p.close is not None:
                measures += f", closer than the real-vs-real p5 {p.close:.1%} (real 5%)"
            lines.append(f"  {t.name}: privacy {status} [{measures}]")
    for r in comparison.relations:
        if r.synth is None:
            lines.append(f"relation {r.label}: not in the synthetic data")
            continue
        lines.append(f"relation {r.label}  KS {r.distance:.3f}  children per parent mean {r.real.mean:.3g} / "
                     f"{r.synth.mean:.3g}  max {r.real.max} / {r.synth.max}  childless {r.real.childless:.1%} / "
                     f"{r.synth.childless:.1%}  top 10% of parents hold {r.real.top_decile:.1%} / "
                     f"{r.synth.top_decile:.1%}  orphans {r.synth.orphans:.1%}")
        for e in r.effects:
            what = "its Gini variance, Goodman-Kruskal tau" if e.measure == "category" else "its variance"
            lines.append(f"  parent effect of {r.label} on {e.column} (share of {what} explained by the "
                         f"parent row) {e.real:.3f} / {_g(e.synth)}")
    lines += [f"note: {note}" for note in comparison.notes]
    scored = sum(c.distance is not None for t in comparison.tables for c in t.columns)
    related = sum(r.distance is not None for r in comparison.relations)
    failed = [t.name for t in comparison.tables if t.privacy is not None and not t.privacy.ok]
    privacy = f"privacy FAILED in {', '.join(failed)}" if failed else "privacy ok"
    lines.append(f"score {comparison.score:.3f} = columns {comparison.columns_term:.3f} x correlation "
                 f"{comparison.correlation_term:.3f} x association {comparison.association_term:.3f} x efficacy "
                 f"{comparison.efficacy_term:.3f} ({scored} column{'s' if scored != 1 else ''} and {related} "
                 f"relation{'s' if related != 1 else ''} scored); {privacy}")
    return "\n".join(lines)


def _association_lines(t: TableComparison) -> list[str]:
    """A line for the categorical pairs and one for the categorical-numeric pairs, naming the worst."""
    lines = []
    if t.categorical_pairs:
        worst = min(t.categorical_pairs, key=lambda p: p.similarity)
        mean = float(np.mean([p.similarity for p in t.categorical_pairs]))
        lines.append(f"  {t.name}: category pairs: contingency similarity mean {mean:.3f} over "
                     f"{len(t.categorical_pairs)} pairs, lowest {worst.a} x {worst.b} {worst.similarity:.3f} "
                     f"(Cramer's V {worst.real_v:.3f} / {worst.synth_v:.3f})")
    if t.mixed_pairs:
        worst_mixed = min(t.mixed_pairs, key=lambda p: p.similarity)
        mean = float(np.mean([abs(p.synth_eta - p.real_eta) for p in t.mixed_pairs]))
        lines.append(f"  {t.name}: category-number pairs: mean |delta eta| {mean:.3f} over {len(t.mixed_pairs)} "
                     f"pairs, largest {worst_mixed.category} -> {worst_mixed.number} eta {worst_mixed.real_eta:.3f} / "
                     f"{worst_mixed.synth_eta:.3f}")
    return lines


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
    from rulegen.fidelity import figures as fig

    parts.append(f'<p class="score">score <b>{comparison.score:.3f}</b> = columns {comparison.columns_term:.3f} '
                 f"&times; correlation {comparison.correlation_term:.3f} &times; association "
                 f"{comparison.association_term:.3f} &times; efficacy {comparison.efficacy_term:.3f}; "
                 + (f'<span class="fail">privacy FAILED in {html.escape(", ".join(failed))}</span>' if failed
                    else '<span class="ok">privacy ok</span>') + "</p>")
    parts.append("<p>Distances are in [0, 1], 0 when identical: KS (Kolmogorov-Smirnov) for numbers, dates and "
                 "text lengths, TV (total variation) for categories. The score is the mean of (1 - distance) "
                 "over columns and relations, times 1 - the mean absolute difference of correlations, times the "
                 "mean similarity of the category pairs (contingency similarity), of the category-number pairs "
                 "(1 - |&Delta;&eta;|, &eta; the correlation ratio) and of the parent effects (the share of a "
                 "child column's variance the parent row explains; for a category, &tau;: the share of its Gini "
                 "variance, 1 - &Sigma;p&sup2;), times the "
                 "machine-learning efficacy (synthetic-trained / real-trained score, when targets are given). "
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
                    ("distance to closest real row, 5th percentile", _g(p.dcr_p05), _g(p.baseline_p05)),
                    ("rows closer than the baseline's 5th percentile", "-" if p.close is None else f"{p.close:.1%}",
                     "5%")]
            body = "".join("<tr>" + _cell(a) + _cell(b, True) + _cell(c, True) + "</tr>" for a, b, c in rows)
            parts.append(f"<p>privacy: {status}</p><table><tr><th>measure</th><th>synthetic</th>"
                         f"<th>real holdout (baseline)</th></tr>{body}</table>")
        figures = [img for c in t.columns if (img := fig.column_figure(c))]
        if t.correlation is not None:
            r = t.correlation
            parts.append(f"<p>correlation: mean |&Delta;&rho;| {r.mean_abs:.3f}, max {r.max_abs:.3f} over "
                         f"{r.pairs} pairs</p>")
            figures.append(fig.heatmaps_figure(t.name, r))
        parts += _associations_html(t)
        drawn = [p for p in t.categorical_pairs if p.real is not None and p.real.size and p.synth is not None
                 and p.synth.size]  # a table of no rows has no shares to draw
        if drawn:
            figures.append(fig.categorical_pair_figure(t.name, min(drawn, key=lambda p: p.similarity)))
        if t.mixed_pairs:
            worst = min(t.mixed_pairs, key=lambda p: p.similarity)
            dates = any(c.column == worst.number and c.kind == "datetime" for c in t.columns)
            figures.append(fig.mixed_pair_figure(t.name, worst, dates))
        parts.append(f'<div class="figures">{"".join(figures)}</div>')
    if comparison.relations:
        parts.append("<h2>relations</h2>")
        head = "".join(f"<th>{h}</th>" for h in ("reference", "KS", "children per parent (mean)", "max",
                                                  "childless", "top 10% hold", "orphans",
                                                  "parent effect (real / synthetic)"))
        rows = []
        for r in comparison.relations:
            s = r.synth
            rows.append("<tr>" + _cell(r.label) + _cell("-" if r.distance is None else f"{r.distance:.3f}", True)
                        + _cell(f"{r.real.mean:.3g} / {s.mean:.3g}" if s else "-", True)
                        + _cell(f"{r.real.max} / {s.max}" if s else "-", True)
                        + _cell(f"{r.real.childless:.1%} / {s.childless:.1%}" if s else "-", True)
                        + _cell(f"{r.real.top_decile:.1%} / {s.top_decile:.1%}" if s else "-", True)
                        + _cell(f"{s.orphans:.1%}" if s else "-", True)
                        + _cell(", ".join(f"{e.column}{' (τ)' if e.measure == 'category' else ''} {e.real:.2f} / "
                                          f"{_g(e.synth)}" for e in r.effects) or "-")
                        + "</tr>")
        parts.append(f"<table><tr>{head}</tr>{''.join(rows)}</table>")
        figures = [img for r in comparison.relations if (img := fig.relation_figure(r))]
        parts.append(f'<div class="figures">{"".join(figures)}</div>')
    parts.append("</body></html>")
    return "\n".join(parts)


def _associations_html(t: TableComparison) -> list[str]:
    """The efficacy and association measures of a table as HTML tables."""
    parts = []
    if t.efficacy:
        rows = "".join("<tr>" + _cell(e.target) + _cell(e.task) + _cell(e.metric) + _cell(f"{e.real_score:.3f}", True)
                       + _cell(f"{e.synth_score:.3f}", True) + _cell(f"{e.ratio:.3f}", True)
                       + _cell(f"{e.test_rows:,}", True) + "</tr>" for e in t.efficacy)
        parts.append("<p>machine-learning efficacy (tested on real rows)</p><table><tr><th>target</th><th>task</th>"
                     "<th>metric</th><th>trained on real</th><th>trained on synthetic</th><th>ratio</th>"
                     f"<th>test rows</th></tr>{rows}</table>")
    worst = sorted(t.categorical_pairs, key=lambda p: p.similarity)[:10]
    if worst:
        rows = "".join("<tr>" + _cell(f"{p.a} x {p.b}") + _cell(f"{p.similarity:.3f}", True)
                       + _cell(f"{p.real_v:.3f} / {p.synth_v:.3f}", True) + "</tr>" for p in worst)
        parts.append(f"<p>category pairs ({len(t.categorical_pairs)}, the 10 least alike shown)</p><table><tr>"
                     f"<th>pair</th><th>contingency similarity</th><th>Cram&eacute;r's V real / synthetic</th></tr>"
                     f"{rows}</table>")
    mixed = sorted(t.mixed_pairs, key=lambda p: p.similarity)[:10]
    if mixed:
        rows = "".join("<tr>" + _cell(f"{p.category} -> {p.number}") + _cell(f"{p.real_eta:.3f}", True)
                       + _cell(f"{p.synth_eta:.3f}", True) + "</tr>" for p in mixed)
        parts.append(f"<p>category-number pairs ({len(t.mixed_pairs)}, the 10 least alike shown)</p><table><tr>"
                     f"<th>pair</th><th>&eta; real</th><th>&eta; synthetic</th></tr>{rows}</table>")
    return parts


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
