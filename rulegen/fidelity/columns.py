"""One column's spec from its profile: the kind, its options, null rate, and notes.

Numbers get a fitted law (:mod:`rulegen.fidelity.fit`), or a `choice` when they hold a few
labels; booleans a `bool`; dates and timestamps a range with seasonality
(:mod:`rulegen.fidelity.dates`); strings, in this order, a `uuid`, a Faker provider for personal
data, a `choice` of categories, a Faker provider for places, a `pattern`, or Faker text
(:mod:`rulegen.fidelity.text`). Keys and references are decided by the table (infer.py).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from rulegen.fidelity.dates import fit_dates
from rulegen.fidelity.fit import MAX_KS, fit_numeric
from rulegen.fidelity.profile import ColumnProfile
from rulegen.fidelity.render import ColumnDraft
from rulegen.fidelity.shapes import edge_masses
from rulegen.fidelity.text import (
    RARE_COUNT,
    categories,
    derive_pattern,
    faker_provider,
    free_text,
    pattern_space,
)

__all__ = ["MAX_CATEGORIES", "draft_column", "per_value_histogram", "with_nulls"]

MAX_CATEGORIES = 50  # strings with at most this many distinct values are categories
# ... and so are strings of up to _MANY_CATEGORIES values when each is seen _REPEATS times on
# average: vega's 3,376 airports in 56 states are states, not Faker's state codes drawn evenly.
_MANY_CATEGORIES = 500
_REPEATS = 10
_LABELS = 2  # numbers with at most this many distinct values are labels (a choice)
_FEW = 10  # integers with at most this many values: an integer family only when it fits well
_FEW_TV = 0.05
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_UNIQUE_FAKER = {"email", "user_name", "phone_number", "url"}
_UNIQUE_FAKER_ROWS = 20_000  # above this, Faker's pool may not find enough distinct values


def with_nulls(draft: ColumnDraft, profile: ColumnProfile) -> ColumnDraft:
    """``draft`` with the column's null rate."""
    if profile.nulls:
        draft.spec["null"] = max(round(profile.null_rate, 4), 0.0001)
        draft.notes.append(f"{profile.null_rate:.1%} null")
    return draft


def draft_column(profile: ColumnProfile, *, table: str, rows: int, allow_values: bool) -> ColumnDraft:
    """The spec of a column that is neither a key nor a reference."""
    if not profile.present:
        return ColumnDraft({"kind": "constant", "value": None}, ["always null"])
    timed = profile.category in ("date", "timestamp")
    if profile.distinct == 1 and (profile.present >= RARE_COUNT or allow_values) and not timed:
        value = profile.values[0]
        value = value.item() if isinstance(value, np.generic) else value
        return with_nulls(ColumnDraft({"kind": "constant", "value": value}, ["the same value in every row"]), profile)
    if profile.present < RARE_COUNT and not allow_values and (profile.numeric or timed):
        return ColumnDraft({"kind": "constant", "value": None},
                           [f"only {profile.present} value{'s' if profile.present != 1 else ''}: too few to describe "
                            "without copying them (--allow-values to fit them anyway)"])
    if profile.category == "bool":
        p = float(profile.values.mean())
        return with_nulls(ColumnDraft({"kind": "bool", "p": round(p, 4)}, [f"{p:.1%} true"]), profile)
    if profile.numeric:
        return with_nulls(_number(profile, allow_values), profile)
    if timed:
        spec, notes = fit_dates(profile.values, timestamp=profile.category == "timestamp", zone=profile.zone)
        return with_nulls(ColumnDraft(spec, profile.notes + notes), profile)
    return with_nulls(_string(profile, table=table, rows=rows, allow_values=allow_values), profile)


def _choice(profile: ColumnProfile, *, allow_values: bool, fold: bool) -> ColumnDraft | None:
    counts, note = categories(profile.values, allow_values=allow_values, fold=fold)
    if not counts:
        return None
    return ColumnDraft({"kind": "choice", "values": counts}, [note])


def _number(profile: ColumnProfile, allow_values: bool) -> ColumnDraft:
    integer = profile.category == "integer"
    if profile.distinct <= _LABELS or (not integer and profile.distinct <= _FEW):
        labels = _choice(profile, allow_values=allow_values, fold=False)
        if labels is not None:
            return labels
    fit = fit_numeric(profile.values, integer=integer, decimals=profile.decimals)
    if not integer and profile.decimals is None:  # no grid to keep a repeated value on
        fit = edge_masses(profile.values, fit) or fit
    if integer and profile.distinct <= _FEW and (fit.tv is None or fit.tv > _FEW_TV or fit.ks > MAX_KS):
        labels = _choice(profile, allow_values=allow_values, fold=False)
        if labels is not None:
            labels.notes.append(f"no integer law fits well ({fit.note})")
            return labels
    return ColumnDraft(fit.spec, [fit.note])


def per_value_histogram(profile: ColumnProfile, allow_values: bool) -> ColumnDraft | None:
    """A `choice` of a few numbers written as a `histogram` with one bin per value (so that it can
    take part in correlations), or None when the values have no grid to make bins on."""
    integer = profile.category == "integer"
    if not integer and profile.decimals is None:
        return None
    counts, note = categories(profile.values, allow_values=allow_values, fold=False)
    if not counts:
        return None
    half = 0.5 if integer else 10.0 ** -profile.decimals / 2
    values = sorted(counts)
    edges: list[float] = []
    weights: list[int] = []
    for value in values:
        low, high = (value, value + 1) if integer else (round(value - half, 10), round(value + half, 10))
        if edges and edges[-1] < low:
            weights.append(0)  # the gap between two values
        if not edges or edges[-1] < low:
            edges.append(low)
        edges.append(high)
        weights.append(counts[value])
    spec: dict[str, Any] = {"kind": "histogram", "edges": edges, "weights": weights}
    if integer:
        spec["integer"] = True
    else:
        spec["round"] = profile.decimals
    return ColumnDraft(spec, [note, "one bin per value, as a histogram so that its correlations are kept"])


def _string(profile: ColumnProfile, *, table: str, rows: int, allow_values: bool) -> ColumnDraft:
    values = list(profile.values)
    if all(_UUID.fullmatch(v) for v in values[:2_000]):
        return ColumnDraft({"kind": "uuid", **({"unique": True} if profile.unique else {})}, ["UUIDs"])
    provider = faker_provider(profile.name, table, values)
    if provider == "phone_number":
        found = derive_pattern(values, allow_values=allow_values)
        if found is not None:
            return ColumnDraft({"kind": "pattern", "pattern": found[0]}, [f"phone numbers of one shape: {found[1]}"])
    if provider is not None:
        return _faker(provider, profile, rows, "named and shaped like")
    few = profile.distinct <= MAX_CATEGORIES and profile.distinct * 2 <= profile.present
    if few or (profile.distinct <= _MANY_CATEGORIES and profile.distinct * _REPEATS <= profile.present):
        labels = _choice(profile, allow_values=allow_values, fold=True)
        if labels is not None:
            return labels
    shared = faker_provider(profile.name, table, values, shared=True)
    if shared is not None and shared != "postcode":
        return _faker(shared, profile, rows, "named and shaped like")
    found = derive_pattern(values, allow_values=allow_values)
    if found is not None:
        spec: dict[str, Any] = {"kind": "pattern", "pattern": found[0]}
        notes = [found[1]]
        if profile.unique:
            if pattern_space(found[0]) >= 2 * rows:
                spec["unique"] = True
            else:
                notes.append("unique in the data, but the pattern has too few strings to keep it so")
        return ColumnDraft(spec, notes)
    if shared is not None:
        return _faker(shared, profile, rows, "named and shaped like")
    spec, note = free_text(values)
    return ColumnDraft(spec, [note])


def _faker(provider: str, profile: ColumnProfile, rows: int, how: str) -> ColumnDraft:
    spec: dict[str, Any] = {"kind": "faker", "provider": provider}
    notes = [f"{how} Faker's {provider}: values not copied"]
    if profile.unique and provider in _UNIQUE_FAKER:
        if rows <= _UNIQUE_FAKER_ROWS:
            spec["unique"] = True
        else:
            notes.append(f"unique in the data; not asked of Faker's pool beyond {_UNIQUE_FAKER_ROWS:,} rows")
    return ColumnDraft(spec, notes)
