"""The cases `rulegen infer` writes for a numeric column that depends on categories.

A `normal`, `lognormal` or `poisson` column keeps its law and gets its parameters per case
(moments of the case's values, readable and easy to edit); any other column becomes a
`histogram` (the column's own bins as the law of rows of no case) with bins per case, so a
case follows whatever shape its values have, as the column's own histogram does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from rulegen.fidelity.fit import histogram
from rulegen.fidelity.render import ColumnDraft, yaml_scalar
from rulegen.fidelity.shapes import censored_bins
from rulegen.kinds.numeric import DISTRIBUTIONS

__all__ = ["case_groups", "case_key", "numeric_cases"]


def case_key(values: tuple[Any, ...]) -> Any:
    """The key of a case: the value itself for one given column, else the values joined by
    commas (as the spec reads them, :mod:`rulegen.kinds.cases`)."""
    if len(values) == 1:
        return values[0]
    return ", ".join(yaml_scalar(v).strip('"') if not isinstance(v, str) else v for v in values)


def case_groups(spec: dict[str, Any], data: pa.Table) -> np.ndarray | None:
    """The case of each row of ``data`` under ``spec``'s ``given``/``cases`` (the index of its key
    among the cases, -1 for a row no case matches); None when ``spec`` has no cases or ``data``
    lacks a given column."""
    given = spec.get("given")
    names = [given] if isinstance(given, str) else list(given or [])
    if not names or not all(name in data.column_names for name in names):
        return None
    index = {key: i for i, key in enumerate(spec.get("cases") or {})}
    rows = zip(*(data.column(name).to_pylist() for name in names), strict=True)
    return np.array([-1 if None in row else index.get(case_key(row), -1) for row in rows], dtype=np.int64)


def numeric_cases(draft: ColumnDraft, x: np.ndarray, groups: np.ndarray, keys: list[tuple[Any, ...]],
                  given: Sequence[str]) -> bool:
    """Give ``draft`` a law per case (``groups[i]``: the case of row i, -1 for none); False,
    unchanged, when no case has a value."""
    spec = dict(draft.spec)
    kind = spec["kind"]
    shift = spec.get("shift", 0)
    cases = _moments(kind, x, groups, keys, shift) if kind in _MOMENTS else None
    if cases is None:
        integer = bool(spec.get("integer")) if kind == "histogram" else \
            (DISTRIBUTIONS[kind].integer or spec.get("round") == 0)
        decimals = spec.get("round") if isinstance(spec.get("round"), int) and spec["round"] > 0 else None
        present = x[~np.isnan(x)]
        if kind != "histogram":
            own = histogram(present, integer=integer, decimals=decimals).spec
            spec = own | {k: v for k, v in spec.items() if k in ("null", "clip")}
            draft.notes.append("bins per case (no one law fits every case)")
        clip = spec.get("clip") if kind == "histogram" and not integer and decimals is None else None
        cases = {}
        for index, key in enumerate(keys):
            values = x[(groups == index) & ~np.isnan(x)]
            if not len(values):
                continue  # a case whose values are all missing draws from the column's own law
            if clip:  # point masses at the column's edges (shapes.edge_masses) stay masses in each case
                edges, weights = censored_bins(values, *clip, (spec["edges"][-1] - spec["edges"][0]) * 1e-3)
                cases[case_key(key)] = {"edges": edges, "weights": weights}
                continue
            fitted = histogram(values, integer=integer, decimals=decimals).spec
            cases[case_key(key)] = {"edges": fitted["edges"], "weights": fitted["weights"]}
    if not cases:
        return False
    null = {"null": spec.pop("null")} if "null" in spec else {}
    spec |= {"given": given[0] if len(given) == 1 else list(given), "cases": cases}
    draft.spec = spec | null
    return True


def _moments(kind: str, x: np.ndarray, groups: np.ndarray, keys: list[tuple[Any, ...]],
             shift: float) -> dict[Any, dict[str, float]] | None:
    """Parameters of each case by the method of moments (None when a case has none)."""
    cases = {}
    for index, key in enumerate(keys):
        values = x[(groups == index) & ~np.isnan(x)] - shift
        params = _MOMENTS[kind](values)
        if params is None:
            return None
        cases[case_key(key)] = {name: _round(value) for name, value in params.items()}
    return cases


def _normal(v: np.ndarray) -> dict[str, float] | None:
    scale = float(v.std(ddof=1))
    return {"loc": float(v.mean()), "scale": scale} if scale > 0 else None


def _lognormal(v: np.ndarray) -> dict[str, float] | None:
    if (v <= 0).any():
        return None
    logs = np.log(v)
    sigma = float(logs.std(ddof=1))
    return {"mean": float(logs.mean()), "sigma": sigma} if sigma > 0 else None


def _poisson(v: np.ndarray) -> dict[str, float] | None:
    return {"lam": float(v.mean())} if (v >= 0).all() else None


_MOMENTS = {"normal": _normal, "lognormal": _lognormal, "poisson": _poisson}


def _round(value: float) -> float:
    """Six significant digits: readable, and close enough for any fit."""
    return float(f"{value:.6g}")
