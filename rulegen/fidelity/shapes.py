"""Shapes of real columns that no single law has: a value that carries a share of the rows at
the edge of a column's range (no rain on 40 % of days, a price floor), written so that the
column keeps its place in the table's copula; dates that are all the first of a month, or all
1 January (:func:`day_grain`); values missing in the same rows (:func:`missing_together`).

Values on a grid (integers, or a fixed number of decimals) already keep their point masses:
their histogram gives each heavy value a cell of its own, which rounding brings back to the
value (:func:`rulegen.fidelity.fit.histogram`). Values of full precision have no grid, so a
value repeated in :data:`MIN_MASS` of the rows at the bottom or the top of the range is written
as a histogram bin just outside the range, which ``clip`` folds onto that value exactly: a
censored law, still one column.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from rulegen.fidelity.children import round_to
from rulegen.fidelity.fit import MAX_KS, Fit, histogram
from rulegen.fidelity.profile import ColumnProfile
from rulegen.fidelity.render import ColumnDraft, TableDraft, identifier, readable

__all__ = ["MIN_MASS", "censored_bins", "day_grain", "edge_masses", "missing_together"]

MIN_MASS = 0.05  # share of the rows a value at an edge carries to be a point mass
_MIN_REST = 20  # values off the masses needed to describe the rest
_MIN_DATES = 20  # dates needed before their day is taken to be always the first
_TOGETHER = 0.8  # Jaccard index of two columns' null rows from which they are missing together


def edge_masses(values: np.ndarray, fit: Fit) -> Fit | None:
    """A censored histogram for ``values`` (numbers of full precision) when the least or the
    greatest of them carries :data:`MIN_MASS` of the rows and ``fit`` misses it; else None."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = len(x)
    low, high = float(x[0]), float(x[-1])
    at_low, at_high = int((x == low).sum()), int((x == high).sum())
    low_mass, high_mass = at_low / n >= MIN_MASS, at_high / n >= MIN_MASS
    if not (low_mass or high_mass) or low == high or fit.ks <= MAX_KS:
        return None
    rest = x[(x > low if low_mass else True) & (x < high if high_mass else True)]
    if len(rest) < _MIN_REST or np.ptp(rest) == 0:
        return None
    edges, weights = censored_bins(x, low if low_mass else None, high if high_mass else None, (high - low) * 1e-3)
    spec = {"kind": "histogram", "edges": edges, "weights": weights,
            "clip": [low if low_mass else None, high if high_mass else None]}
    ks = _ks(x, edges, weights, low if low_mass else None, high if high_mass else None)
    notes = [f"{share:.0%} of rows are exactly {value:g}" for share, value, on in
             ((at_low / n, low, low_mass), (at_high / n, high, high_mass)) if on]
    return Fit(spec=spec, ks=ks, note=f"{' and '.join(notes)}: a histogram of the rest with a bin beyond the edge "
                                      f"that `clip` folds onto it, KS {ks:.3f}; {fit.note}")


def censored_bins(values: np.ndarray, low: float | None, high: float | None,
                  width: float) -> tuple[list[float], list[int]]:
    """Histogram bins of ``values`` whose values at ``low`` (``high``) sit in a bin of ``width``
    just below (above) it, for `clip` to fold back onto it; the rest in quantile bins.

    Used for a column and for each case of it (:mod:`rulegen.fidelity.cases`): a case's bins
    drawn from its values alone would spread the mass over the first bin, and statsmodels'
    ``fair`` (68 % of wives report exactly 0 affairs) then had no zero in any case.
    """
    x = np.sort(np.asarray(values, dtype=np.float64))
    at_low = int((x == low).sum()) if low is not None else 0
    at_high = int((x == high).sum()) if high is not None else 0
    inside = np.ones(len(x), dtype=bool)  # a case may hold no value at an edge
    if at_low:
        inside &= x > low
    if at_high:
        inside &= x < high
    rest = x[inside]
    if len(rest):
        inner = histogram(rest, integer=False)
        edges, weights = list(inner.spec["edges"]), list(inner.spec["weights"])
    else:
        edges, weights = [low if at_low else high], []
    if at_low:  # [low - width, low) clipped up to low; an empty bin up to the rest's least value
        gap = edges[0] > low
        below = round_to(low - width, down=True)
        edges = [below, low, *edges] if gap else [below, *edges]
        weights = [at_low, 0, *weights] if gap else [at_low, *weights]
    if at_high:
        gap = edges[-1] < high
        above = round_to(high + width, down=False)
        edges = [*edges, high, above] if gap else [*edges, above]
        weights = [*weights, 0, at_high] if gap else [*weights, at_high]
    return edges, weights


def _ks(x: np.ndarray, edges: list[float], weights: list[int], low: float | None, high: float | None) -> float:
    """KS distance between ``x`` and the clipped histogram."""
    cumulative = np.concatenate([[0.0], np.cumsum(weights) / np.sum(weights)])
    points = np.unique(x)
    model = np.interp(points, edges, cumulative)
    if low is not None:
        model = np.where(points >= low, np.interp(np.maximum(points, low), edges, cumulative), 0.0)
    if high is not None:
        model = np.where(points >= high, 1.0, model)
    below_or_at = np.searchsorted(x, points, side="right") / len(x)
    return float(np.abs(below_or_at - model).max())


def day_grain(table: TableDraft, profiles: dict[str, ColumnProfile]) -> None:
    """Dates that are all the first of a month (or all 1 January) stay so: the column becomes
    the first day of the month (of the year) of a hidden date drawn as before, over whole months
    (years), that falls in January only for a year."""
    for name, draft in list(table.columns.items()):
        profile = profiles.get(name)
        if draft.spec.get("kind") != "date" or profile is None or profile.present < _MIN_DATES or "after" in draft.spec:
            continue
        if not readable(name):  # the expression names the hidden date after it
            continue
        days = np.asarray(profile.values).astype("datetime64[D]")
        months = days.astype("datetime64[M]")
        if not (days == months.astype("datetime64[D]")).all() or len(np.unique(months)) < 2:
            continue
        yearly = bool((months.astype(np.int64) % 12 == 0).all())
        last = months.max().astype("datetime64[Y]") + 1 if yearly else months.max() + 1
        spec = {key: value for key, value in draft.spec.items() if key not in ("null", "seasonality")}
        spec["max"] = str((last.astype("datetime64[D]") - 1).astype("datetime64[D]"))
        seasonality = dict(draft.spec.get("seasonality") or {})
        seasonality.pop("weekly", None)
        if yearly:
            seasonality["yearly"] = [1.0] + [0.0] * 11
        if seasonality:
            spec["seasonality"] = seasonality
        hidden = table.free_name(f"{name}_day")
        grain = "1 January" if yearly else "the first of a month"
        table.insert_before(name, hidden)
        table.columns[hidden] = ColumnDraft({**spec, "hidden": True},
                                            [*draft.notes, "a day of January" if yearly else "any day of the month"])
        column = {"kind": "expr", "expr": f"date({hidden} - days(day({hidden}) - 1))"}
        if "null" in draft.spec:
            column["null"] = draft.spec["null"]
        table.columns[name] = ColumnDraft(column, [f"every value is {grain}: the first day of that "
                                                   f"{'year' if yearly else 'month'}"])



def missing_together(table: TableDraft, data: pa.Table) -> None:
    """Columns whose values are missing in the same rows (Jaccard index of their null rows at
    least :data:`_TOGETHER`) share a hidden flag: each is null where the flag is true (``when``),
    and keeps a null rate of its own for the rest of its missing values."""
    masks = {name: np.asarray(data.column(name).is_null().to_numpy(zero_copy_only=False), dtype=bool)
             for name, draft in table.columns.items()
             if "null" in draft.spec and name in data.column_names and "when" not in draft.spec}
    groups: list[list[str]] = []
    for name, mask in masks.items():
        group = next((g for g in groups if _jaccard(masks[g[0]], mask) >= _TOGETHER), None)
        if group is None:
            groups.append([name])
        else:
            group.append(name)
    for group in (g for g in groups if len(g) > 1):
        joint = np.logical_and.reduce([masks[name] for name in group])
        share = float(joint.mean())
        flag = table.free_name(identifier(f"{group[0]}_missing"))
        table.insert_before(group[0], flag)
        table.columns[flag] = ColumnDraft({"kind": "bool", "p": round(share, 4), "hidden": True},
                                          [f"rows where {', '.join(group)} are all missing ({share:.1%})"])
        for name in group:
            draft = table.columns[name]
            rest = (masks[name].mean() - share) / (1 - share) if share < 1 else 0.0
            draft.spec.pop("null")
            draft.spec["when"] = f"not {flag}"
            if rest >= 1e-4:
                draft.spec["null"] = round(float(rest), 4)
            draft.notes.append(f"missing with {', '.join(n for n in group if n != name)} (rows of {flag})")
            table.columns[name] = draft


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    either = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / either) if either else 0.0
