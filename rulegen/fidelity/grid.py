"""Integers on a grid coarser than 1: a price every 5 years (vega's wheat: 1565, 1570,
1575...), amounts in hundreds. Drawn by a law over their whole range they come back as any
integer; :func:`integer_grid` keeps them on the grid, the law fitted to the grid's steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rulegen.fidelity.fit import fit_numeric
from rulegen.fidelity.profile import ColumnProfile
from rulegen.fidelity.render import ColumnDraft, TableDraft, readable
from rulegen.kinds.numeric import DISTRIBUTIONS

__all__ = ["MIN_GRID", "integer_grid"]

MIN_GRID = 5  # distinct values an integer column needs before its step is taken for a grid


def integer_grid(table: TableDraft, profiles: dict[str, ColumnProfile]) -> None:
    """Integers that all lie on a grid coarser than 1 (vega's wheat: years 1565, 1570, 1575...;
    amounts in hundreds) stay on it: the law is fitted to the grid's steps, drawn as a hidden
    column, and the column is ``low + step * steps``. The steps rank as the values do, so the
    column's correlations pass to them unchanged."""
    for name, draft in list(table.columns.items()):
        profile = profiles.get(name)
        kind = draft.spec.get("kind")
        if profile is None or profile.category != "integer" or profile.nulls or profile.distinct < MIN_GRID:
            continue
        if (kind not in DISTRIBUTIONS and kind != "histogram") or "given" in draft.spec or not readable(name):
            continue
        if kind == "histogram" and _per_value(draft.spec):
            continue  # one bin per value (columns.per_value_histogram) draws the values themselves
        values = np.unique(profile.values)
        step = int(np.gcd.reduce(np.diff(values)))
        if step <= 1:
            continue
        low = int(values[0])
        fit = fit_numeric((profile.values - low) // step, integer=True)
        hidden = table.free_name(f"{name}_steps")
        table.insert_before(name, hidden)
        table.columns[hidden] = ColumnDraft({**fit.spec, "hidden": True}, [f"steps of {step} from {low}: {fit.note}"])
        table.columns[name] = ColumnDraft({"kind": "expr", "expr": f"{low} + {step} * {hidden}"},
                                          [f"every value is {low} plus a multiple of {step}"])
        table.correlations = [(hidden if a == name else a, hidden if b == name else b, rho)
                              for a, b, rho in table.correlations]


def _per_value(spec: dict[str, Any]) -> bool:
    """Whether every bin that has weight holds one integer."""
    widths = np.diff(np.asarray(spec["edges"], dtype=np.float64))
    return bool(np.all((widths <= 1) | (np.asarray(spec["weights"]) == 0)))
