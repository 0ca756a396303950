"""Parent levels that differ by a category of the parent: the hidden level a parent sets for
its children's numbers (:mod:`rulegen.fidelity.parent_effects`) is split into the mean of the
parent's category (premium customers spend more per order) and the rest.

Of the parent's `choice` columns of text, the one that explains the largest share of the
levels' variance is kept when that share is at least :data:`MIN_SHARE` and its F test below
:data:`_MAX_P`: the level becomes ``if(tier == 'premium', 4.1, if(...)) + level_rest``, the
rest a hidden normal law that takes the level's place in the parent's copula.
"""

from __future__ import annotations

import numpy as np

from rulegen.fidelity.children import round_to
from rulegen.fidelity.render import ColumnDraft, TableDraft, readable
from rulegen.fidelity.variance import parent_effect

__all__ = ["MIN_SHARE", "split_by_category"]

MIN_SHARE = 0.1  # share of the levels' variance a category must explain
_MAX_P = 1e-3


def split_by_category(parent: TableDraft, categories: dict[str, np.ndarray], level: str,
                      values: np.ndarray) -> tuple[str, np.ndarray]:
    """Split the hidden ``level`` of ``parent`` by the category that explains it best.

    Args:
        parent: the parent's draft, which holds ``level``.
        categories: the parent's text categories, aligned with ``values``.
        level: the hidden level column.
        values: the level of each parent row (NaN for a row without children).

    Returns:
        The column to put in the parent's copula and its values: ``level`` and ``values``
        unchanged, or the rest after the category's mean.
    """
    known = ~np.isnan(values)
    best: tuple[float, float, str] | None = None
    for name, labels in categories.items():
        kinds = set(parent.columns[name].spec.get("values", {}))
        if len(kinds) < 2 or not readable(name):
            continue
        share, p, _, _ = parent_effect(values[known], labels[known])
        if share >= MIN_SHARE and p < _MAX_P and (best is None or share > best[0]):
            best = (share, p, name)
    if best is None:
        return level, values
    share, p, name = best
    labels = categories[name]
    listed = [label for label in parent.columns[name].spec["values"] if isinstance(label, str)]
    means = {label: float(values[known & (labels == label)].mean()) for label in listed
             if (known & (labels == label)).any()}
    overall = float(values[known].mean())
    rest = values - np.array([means.get(label, overall) for label in labels])
    text = str(round_to(overall))
    for label in reversed(list(means)):
        text = f"if({name} == {_quoted(label)}, {round_to(means[label])}, {text})"
    rest_name = parent.free_name(f"{level}_rest")
    spread = float(np.nanstd(rest))
    draft = parent.columns[level]
    parent.columns[rest_name] = ColumnDraft({"kind": "normal", "loc": 0.0, "scale": round_to(spread or 1e-9),
                                             "hidden": True}, [f"each row's level apart from its {name}"])
    parent.columns[level] = ColumnDraft(
        {"kind": "expr", "expr": f"{text} + {rest_name}", "hidden": True},
        [*draft.notes, f"{name} explains {share:.0%} of it (F test p = {p:.1g}): its mean by {name} plus the rest"])
    parent.columns = {n: parent.columns[n] for n in [*[c for c in parent.columns if c != level], level]}
    return rest_name, rest


def _quoted(label: str) -> str:
    return "'" + label.replace("\\", "\\\\").replace("'", "\\'") + "'"



