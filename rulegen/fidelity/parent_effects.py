"""Parents shape their children: the law of children per parent row
(:mod:`rulegen.fidelity.children`) and each child number's share that comes from its parent.

A child number often sits at a level its parent sets (a firm's yearly investment varies around
the firm's own level). A one-way analysis of variance by parent row splits the column's variance
into a part between parents and a part within them; when the part between is both significant
(F test) and large enough to matter (:data:`MIN_EFFECT` of the variance), the column is written
as its parent's level plus its own deviation: the parent gets a hidden column of levels (a
normal law with the variance between parents, in rank correlation with the parent's other
numbers and levels), the child looks it up and adds a hidden deviation (a normal law with the
variance within parents, in the child's copula instead of the column). Skewed positive columns
are modelled on their logarithm, so that a large parent's children vary more in units.

A column with cases (:mod:`rulegen.fidelity.dependencies`: the wait of a travel mode given the
mode, the row's number within its parent) is judged on what its cases leave, its values less
their case's mean; the deviation then keeps a mean and a spread per case, so the level adds to
the case's own. A flag of one child per parent becomes the parent's pick
(:mod:`rulegen.fidelity.parent_picks`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa

from rulegen.fidelity.cases import case_groups
from rulegen.fidelity.children import fit_children, round_to
from rulegen.fidelity.correlate import correlations
from rulegen.fidelity.dates import hidden_days
from rulegen.fidelity.parent_categories import split_by_category
from rulegen.fidelity.parent_picks import pick_flags
from rulegen.fidelity.profile import as_floats
from rulegen.fidelity.read import Source
from rulegen.fidelity.relations import Link
from rulegen.fidelity.render import ColumnDraft, TableDraft, identifier, readable
from rulegen.fidelity.variance import parent_effect
from rulegen.kinds.numeric import DISTRIBUTIONS

__all__ = ["MIN_EFFECT", "add_correlations", "level_expression", "log_scale",
           "parent_effect", "shape_children"]

MIN_EFFECT = 0.05  # share of a child column's variance its parent must explain to be modelled
_MAX_P = 1e-3  # the F test's p-value must be below this
_MIN_GROUPS = 5  # parents with children needed to tell an effect
_DRAWN = {*DISTRIBUTIONS, "histogram"}  # kinds of the columns a parent may shape
_UNREAD = {"sequence", "ref", "lookup", "uuid", "constant", "expr"}  # parent columns a law never reads


def shape_children(child: TableDraft, parent: TableDraft, link: Link, source: Source, parent_source: Source) -> None:
    """Write into ``child`` (and hidden columns into ``parent``) the law of its rows per parent
    row and the parent levels of its numbers.

    Args:
        child, parent: the drafts of the two tables, the parent already complete.
        link: the reference ``child`` is generated per (with its counts).
        source, parent_source: the data read of both tables.
    """
    assert link.counts is not None
    order = np.argsort(_values(parent_source.data.column(link.key)), kind="stable")
    numbers = {name: as_floats(parent_source.data.column(name))[order] for name in _readable(parent, parent_source)}
    law = fit_children(link.counts, numbers, column=parent.free_name(identifier(f"n_{child.name}")))
    child.rows = {"per": link.parent, **law.rows}
    mean = float(np.mean(link.counts))
    child.rows_note = f"{source.rows:,} rows in {source.path.name}, {mean:.2f} per {link.parent} row: {law.note}"
    if not (source.complete and parent_source.complete):
        child.rows_note += " (counted on the rows read)"
    if law.hidden is not None:
        name, spec = law.hidden
        parent.columns[name] = ColumnDraft(spec, [f"children in {child.name} of each row"])
    groups = np.searchsorted(np.sort(_values(parent_source.data.column(link.key))),
                             _values(source.data.column(link.column)))
    texts = {name: _values(parent_source.data.column(name))[order] for name, draft in parent.columns.items()
             if draft.spec.get("kind") == "choice" and name in parent_source.data.column_names
             and pa.types.is_string(parent_source.data.column(name).type)}
    _levels(child, parent, link, source, groups, numbers, texts)
    pick_flags(child, parent, link, source, parent_source, groups, order)


def _levels(child: TableDraft, parent: TableDraft, link: Link, source: Source, groups: np.ndarray,
            numbers: dict[str, np.ndarray], texts: dict[str, np.ndarray]) -> None:
    """Replace each child number its parent explains by the parent's level plus a deviation."""
    assert link.counts is not None
    levels: dict[str, np.ndarray] = {}  # hidden parent column -> level of each parent row
    deviations: dict[str, np.ndarray] = {}  # hidden child column -> deviation of each child row
    replaced: set[str] = set()
    for name, draft in list(child.columns.items()):
        if draft.spec.get("kind") not in _DRAWN or name == link.column or not readable(name):
            continue
        if name not in source.data.column_names:
            continue  # a hidden column infer made (a date's days in the copula): no data of its own
        raw = as_floats(source.data.column(name))
        present = ~np.isnan(raw)
        if present.sum() < 2 * _MIN_GROUPS or len(np.unique(groups[present])) < _MIN_GROUPS:
            continue
        x, log = log_scale(raw[present])
        cases = case_groups(draft.spec, source.data)
        cases = None if cases is None else cases[present]
        if cases is not None and _constant_case(x, cases):
            continue  # a level would move the rows of a case of one value (the car's wait of 0) off it
        # With cases, the parent's share is of what the cases leave (the wait of a travel mode
        # apart from the mode's own mean), and the deviation keeps a law per case.
        rest = x if cases is None else x - _case_means(x, cases, len(draft.spec["cases"]))[cases]
        share, p, between, within = parent_effect(rest, groups[present])
        if share < MIN_EFFECT or p > _MAX_P or within <= 0:
            continue
        level, deviation = parent.free_name(identifier(f"{child.name}_{name}")), child.free_name(f"{name}_deviation")
        lookup = child.free_name(f"{name}_level")
        sums = np.bincount(groups[present], weights=rest, minlength=len(link.counts))
        sizes = np.bincount(groups[present], minlength=len(link.counts))
        levels[level] = np.where(sizes > 0, sums / np.maximum(sizes, 1), np.nan)
        deviations[deviation] = np.full(len(raw), np.nan)
        replaced.add(name)
        parent.columns[level] = ColumnDraft(
            {"kind": "normal", "loc": round_to(float(np.nanmean(levels[level]))), "scale": round_to(math.sqrt(between)),
             "hidden": True},
            [f"the level of {child.name}.{name}{' (its logarithm)' if log else ''} that each row sets"])
        child.insert_before(name, lookup, deviation)
        child.columns[lookup] = ColumnDraft({"kind": "lookup", "via": link.column, "column": level, "hidden": True},
                                            [f"the level its {link.parent} row sets"])
        spec, deviations[deviation][present] = _deviation(x - levels[level][groups[present]], cases, draft.spec,
                                                              within)
        child.columns[deviation] = ColumnDraft(spec, ["each row's deviation from that level" +
                                                      (f", by {_given(draft.spec)}" if cases is not None else "")])
        child.columns[name] = level_expression(draft, lookup, deviation, log, raw[present],
                                          f"{share:.0%} of its variance{' (of its logarithm)' if log else ''}"
                                          f"{' apart from ' + _given(draft.spec) if cases is not None else ''} is "
                                          f"between {link.parent} rows (F test p = {p:.1g})")
    if levels:
        levels = dict(split_by_category(parent, texts, name, values) for name, values in levels.items())
        add_correlations(parent, numbers, levels)
        kept = {n: values for n in {n for a, b, _ in child.correlations for n in (a, b)} - replaced
                if (values := _data_values(child, source, n)) is not None}
        child.correlations = [pair for pair in child.correlations if not replaced & set(pair[:2])]
        add_correlations(child, kept, deviations)


def _case_means(x: np.ndarray, cases: np.ndarray, count: int) -> np.ndarray:
    """The mean of each of ``count`` cases' values, then (at index ``count``, and -1) that of the
    rows of no case; the overall mean for a case of no rows."""
    index = np.where(cases >= 0, cases, count)
    sizes = np.bincount(index, minlength=count + 1)
    means = np.bincount(index, weights=x, minlength=count + 1) / np.maximum(sizes, 1)
    return np.where(sizes > 0, means, x.mean())


def _constant_case(x: np.ndarray, cases: np.ndarray) -> bool:
    """Whether a case's values are all one (with at least two rows)."""
    for case in np.unique(cases[cases >= 0]):
        values = x[cases == case]
        if len(values) > 1 and np.ptp(values) == 0:
            return True
    return False


def _given(spec: dict[str, Any]) -> str:
    given = spec["given"]
    return given if isinstance(given, str) else " and ".join(given)


def _deviation(values: np.ndarray, cases: np.ndarray | None, spec: dict[str, Any],
               within: float) -> tuple[dict[str, Any], np.ndarray]:
    """The hidden deviation's law, a normal one with the variance ``within`` parents (with a mean
    and a spread per case of ``spec``'s ``given``, the spreads scaled to that variance as the
    levels' own noise shrinks them), and each row's deviation as the copula sees it
    (standardized within its case: the rank its case's quantile function gives it)."""
    if cases is None:
        return {"kind": "normal", "loc": 0.0, "scale": round_to(math.sqrt(within)), "hidden": True}, values
    keys = list(spec["cases"])
    means = _case_means(values, cases, len(keys))
    index = np.where(cases >= 0, cases, len(keys))
    centred = values - means[index]
    sizes = np.bincount(index, minlength=len(keys) + 1)
    spreads = np.sqrt(np.bincount(index, weights=centred**2, minlength=len(keys) + 1) / np.maximum(sizes, 1))
    spreads *= math.sqrt(within) / max(float(centred.std()), 1e-12)
    spreads = np.where(spreads > 0, spreads, max(math.sqrt(within), 1e-9))
    law = {"kind": "normal", "loc": round_to(float(means[-1])), "scale": round_to(float(spreads[-1])),
           "given": spec["given"],
           "cases": {key: {"loc": round_to(float(means[i])), "scale": round_to(float(spreads[i]))}
                     for i, key in enumerate(keys) if sizes[i] > 0}, "hidden": True}
    return law, centred / spreads[index]


def level_expression(draft: ColumnDraft, lookup: str, deviation: str, log: bool, values: np.ndarray,
                note: str) -> ColumnDraft:
    """The column as its level plus its deviation, clipped to the data's range and rounded as
    the fitted law was."""
    total = f"{lookup} + {deviation}"
    text = f"clip({f'exp({total})' if log else total}, {round_to(float(values.min()), down=True)}, " \
           f"{round_to(float(values.max()), down=False)})"
    digits = draft.spec.get("round")
    seen = values[np.isfinite(values)]
    whole = seen.size > 0 and bool(np.all(seen == np.round(seen)))  # an integer family's column too
    if draft.spec.get("integer") or digits == 0 or (whole and digits is None):
        text = f"round({text})"
    elif digits is not None:
        text = f"round({text}, {digits})"
    spec: dict[str, Any] = {"kind": "expr", "expr": text}
    if "null" in draft.spec:
        spec["null"] = draft.spec["null"]
    return ColumnDraft(spec, [note, *[n for n in draft.notes if "null" in n]])


def add_correlations(table: TableDraft, others: dict[str, np.ndarray], new: dict[str, np.ndarray],
                     note: str = "of the hidden levels and deviations that parents set") -> None:
    """Add to ``table``'s correlations the pairs of the ``new`` columns (with each other and with
    ``others``), the weakest left out while the copula would not exist."""
    from rulegen.fidelity.correlate import positive_definite

    pairs, _ = correlations({**others, **new})
    fresh = [pair for pair in pairs if set(pair[:2]) & new.keys()]
    fresh.sort(key=lambda pair: -abs(pair[2]))
    while fresh and not positive_definite([*table.correlations, *fresh]):
        fresh.pop()
    if fresh:
        table.correlations = [*table.correlations, *fresh]
        table.correlations_note = f"{table.correlations_note}, and {note}" if table.correlations_note else \
            f"Spearman's rho {note}"


def log_scale(values: np.ndarray) -> tuple[np.ndarray, bool]:
    """``values``, or their logarithm when all are positive and the logarithm is less skewed."""
    import scipy.stats as st

    if values.min() <= 0 or np.ptp(values) == 0:
        return values, False
    logs = np.log(values)
    if abs(float(st.skew(logs))) < abs(float(st.skew(values))):
        return logs, True
    return values, False


def _readable(parent: TableDraft, source: Source) -> list[str]:
    """The parent's numbers a law of its children may read: drawn, never null, not keys."""
    names = []
    for name, draft in parent.columns.items():
        if draft.spec.get("kind") in _UNREAD or draft.spec.get("hidden") or name == parent.primary_key:
            continue
        if name not in source.data.column_names or "null" in draft.spec:
            continue
        column = source.data.column(name)
        if (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)) and column.null_count == 0:
            names.append(name)
    return names


def _data_values(table: TableDraft, source: Source, name: str) -> np.ndarray | None:
    """A column's values in the data, as floats: a hidden date's days from the date itself."""
    if name in source.data.column_names:
        return as_floats(source.data.column(name))
    return hidden_days(table, source.data, name)


def _values(column: pa.ChunkedArray) -> np.ndarray:
    return column.to_numpy(zero_copy_only=False)

