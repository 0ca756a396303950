"""Numbers that follow the season: a column whose mean moves with the month of the table's date
(temperature, sales of ice cream) is written as a level read from that month plus a deviation.

The month's share of the column's variance is measured by a one-way analysis of variance
(:func:`rulegen.fidelity.parent_effects.parent_effect`, the months as groups); a share of at
least :data:`MIN_SEASON` with an F test below :data:`_MAX_P` makes the column
``level + deviation``: the level a hidden ``expr`` that picks the month's mean
(``if(month(day) == 1, 4.2, if(month(day) == 2, 5.1, ...))``), the deviation a hidden column
with the law fitted to the deviations (:func:`~rulegen.fidelity.fit.fit_numeric`), in the
table's copula in place of the column. The logarithm is modelled where it is less skewed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.fidelity.children import round_to
from rulegen.fidelity.dates import reads_days
from rulegen.fidelity.fit import fit_numeric
from rulegen.fidelity.parent_effects import (
    add_correlations,
    level_expression,
    log_scale,
)
from rulegen.fidelity.profile import as_floats
from rulegen.fidelity.render import ColumnDraft, TableDraft, readable
from rulegen.fidelity.variance import parent_effect
from rulegen.kinds.numeric import DISTRIBUTIONS

__all__ = ["MIN_SEASON", "seasonal_numbers"]

MIN_SEASON = 0.1  # share of a column's variance the month must explain
_MAX_P = 1e-3
_MIN_SPAN = 330  # days a date column must span to show a season
_DRAWN = {*DISTRIBUTIONS, "histogram"}


def seasonal_numbers(table: TableDraft, data: pa.Table) -> None:
    """Rewrite each number of ``table`` whose mean follows the month of its first never-null
    date column that spans a year as that month's level plus a deviation."""
    day = _season_column(table, data)
    if day is None:
        return
    months = _months(data.column(day))
    deviations: dict[str, np.ndarray] = {}
    replaced: set[str] = set()
    for name, draft in list(table.columns.items()):
        if draft.spec.get("kind") not in _DRAWN or draft.spec.get("hidden") or not readable(name):
            continue
        raw = as_floats(data.column(name))
        present = ~np.isnan(raw)
        if present.sum() < 120:
            continue
        x, log = log_scale(raw[present])
        share, p, _, within = parent_effect(x, months[present])
        if share < MIN_SEASON or p > _MAX_P or within <= 0:
            continue
        sums = np.bincount(months[present], weights=x, minlength=12)
        sizes = np.bincount(months[present], minlength=12)
        means = np.where(sizes > 0, sums / np.maximum(sizes, 1), x.mean())
        residual = x - means[months[present]]
        law = fit_numeric(residual, integer=False)
        level, deviation = table.free_name(f"{name}_season"), table.free_name(f"{name}_deviation")
        table.insert_before(name, level, deviation)
        table.columns[level] = ColumnDraft({"kind": "expr", "expr": _by_month(day, means), "hidden": True},
                                           [f"the mean{' logarithm' if log else ''} of {name} in each month of {day}"])
        table.columns[deviation] = ColumnDraft({**law.spec, "hidden": True},
                                               [f"each row's deviation from its month's mean: {law.note}"])
        table.columns[name] = level_expression(draft, level, deviation, log, raw[present],
                                               f"the month of {day} explains {share:.0%} of its variance"
                                               f"{' (of its logarithm)' if log else ''} (F test p = {p:.1g})")
        deviations[deviation] = np.full(len(raw), np.nan)
        deviations[deviation][present] = residual
        replaced.add(name)
    if deviations:
        kept = {n: as_floats(data.column(n)) for a, b, _ in table.correlations for n in (a, b)
                if n not in replaced and n in data.column_names}
        table.correlations = [pair for pair in table.correlations if not replaced & set(pair[:2])]
        add_correlations(table, kept, deviations, "of the deviations from each month's mean")


def _season_column(table: TableDraft, data: pa.Table) -> str | None:
    for name, draft in table.columns.items():
        dated = draft.spec.get("kind") in ("date", "timestamp") or reads_days(draft)  # a trend and a season both
        if not dated or "null" in draft.spec or name not in data.column_names:
            continue
        if not readable(name):  # the levels read month(name)
            continue
        column = data.column(name)
        if column.null_count or not (pa.types.is_date(column.type) or pa.types.is_timestamp(column.type)):
            continue
        days = pc.cast(column, pa.date32()) if pa.types.is_timestamp(column.type) else column
        span = pc.min_max(days)
        if span["min"].is_valid and (span["max"].as_py() - span["min"].as_py()).days >= _MIN_SPAN:
            return name
    return None


def _months(column: pa.ChunkedArray) -> np.ndarray:
    """Month 0..11 of each value."""
    values: Any = pc.month(column)
    return values.to_numpy(zero_copy_only=False).astype(np.int64) - 1


def _by_month(day: str, means: np.ndarray) -> str:
    """``if(month(day) == 1, m1, if(month(day) == 2, m2, ... m12))``."""
    text = str(round_to(float(means[11])))
    for month in range(11, 0, -1):
        text = f"if(month({day}) == {month}, {round_to(float(means[month - 1]))}, {text})"
    return text


