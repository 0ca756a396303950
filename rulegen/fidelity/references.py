"""References between the tables ``rulegen compare`` reads: how they are found in the real data,
how children spread over their parents, and how much of a child column the parent explains.

**A reference** ``child.column -> parent.key`` is kept only when the data proves it: ``key`` is
a key of the real parent table (unique and never null, integers or text), every non-null value of
``column`` is among the key's values, and the names agree: ``column`` is the key's name (other
than a bare ``id``), or the parent table's name, singular or plural, then the key's name
(``customer_id`` or ``customers_id`` for ``customers.id``). A name alone never makes a reference,
nor do values alone (a ``quantity`` of 1 to 5 is contained in any ``id`` column of 1 to 100).
Composite keys are not looked for. A reference *declared* by a spec (a ``ref`` column) needs no
name to match, only the containment of its values (:func:`declared_relations`).

**Children per parent**: the KS distance between the real and synthetic counts of children of
each parent row, and their mean, maximum, childless share and concentration.

**Parent effect**: for each numeric (or date) column of the child, the share of its variance
explained by which parent row a child belongs to: the adjusted η² ``1 - (1 - η²)(n - 1)/(n - k)``
of the column grouped by the reference (n children with a parent, k parents with a child), so a
column drawn independently of its parent scores near 0 however few children each parent has.
For a categorical column of the child, the same share of its *Gini variance* (the variance of
its one-hot indicators, summed over its values: ``1 - sum of p_v²``, the chance that two rows
differ): Goodman and Kruskal's τ of the category given the parent row, adjusted the same way.
It is the η² of the indicators pooled, so a column of 0 and 1 scores the same as a category as
it does as a number; 1 when every parent's children share one value, near 0 when the parent
says nothing of it. Nulls are left out, like the numbers' NaN.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from rulegen.fidelity import distances as dist

__all__ = ["ChildCounts", "ParentEffect", "RelationComparison", "category_effect", "compare_relation",
           "declared_relations", "find_relations", "parent_effect", "table_keys"]


@dataclass(frozen=True, slots=True)
class ChildCounts:
    """How one side's children spread over their parents.

    Attributes:
        parents: rows of the parent table.
        mean, max: children per parent.
        childless: share of parents without a child.
        top_decile: share of children held by the 10 % of parents with the most.
        orphans: share of children whose reference matches no parent row.
    """

    parents: int
    mean: float
    max: int
    childless: float
    top_decile: float
    orphans: float


@dataclass(frozen=True, slots=True)
class ParentEffect:
    """The share of a child column's variance explained by its parent row, on each side.

    ``synth`` is None when the synthetic child lacks the column or has too few children per parent.
    """

    column: str
    real: float
    synth: float | None
    measure: str = "variance"  # or "category": the Gini variance of a categorical column

    @property
    def difference(self) -> float | None:
        return None if self.synth is None else abs(self.synth - self.real)


@dataclass(frozen=True, slots=True)
class RelationComparison:
    """A reference ``child.column -> parent.key`` found in the real data.

    ``distance`` is the KS statistic between the real and synthetic counts of children per
    parent; None (and ``synth`` None) when the synthetic data lacks one of the columns.
    ``effects`` are the parent effects of the child's numeric, date and categorical columns.
    """

    child: str
    column: str
    parent: str
    key: str
    distance: float | None
    real: ChildCounts
    synth: ChildCounts | None
    histogram: dist.Histogram | None = field(default=None, repr=False)
    effects: tuple[ParentEffect, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.child}.{self.column} -> {self.parent}.{self.key}"


def _key_array(column: pa.ChunkedArray) -> pa.Array | None:
    """The column as text keys, or None when it cannot hold keys (floats with fractions, dates)."""
    array = column.combine_chunks()
    if pat.is_dictionary(array.type):
        array = array.dictionary_decode()
    if pat.is_floating(array.type):
        values = array.to_numpy(zero_copy_only=False)
        if not np.all(np.mod(values[np.isfinite(values)], 1) == 0):
            return None
        array = pc.cast(array, pa.int64(), safe=False)
    if not (pat.is_integer(array.type) or pat.is_string(array.type) or pat.is_large_string(array.type)):
        return None
    return pc.cast(array, pa.string())


def _singulars(name: str) -> set[str]:
    lower = name.lower()
    forms = {lower}
    if lower.endswith("ies"):
        forms.add(lower[:-3] + "y")
    elif lower.endswith(("sses", "xes", "ches", "shes")):
        forms.add(lower[:-2])
    elif lower.endswith("s") and not lower.endswith("ss"):
        forms.add(lower[:-1])
    return forms


def _name_rank(column: str, parent: str, key: str) -> int | None:
    """0 when the column names the parent table and its key, 1 for the key's name alone, else None."""
    lower, key = column.lower(), key.lower()
    if any(lower in (f"{stem}_{key}", f"{stem}{key}") for stem in _singulars(parent)):
        return 0
    if lower == key and key != "id":
        return 0 if any(lower.startswith(stem) for stem in _singulars(parent)) else 1
    return None


def table_keys(tables: dict[str, pa.Table]) -> set[tuple[str, str]]:
    """``(table, column)`` of every column that is unique and never null (integers or text)."""
    return set(_keys(tables))


def _keys(tables: dict[str, pa.Table]) -> dict[tuple[str, str], pa.Array]:
    keys: dict[tuple[str, str], pa.Array] = {}
    for name, table in tables.items():
        for column in table.column_names:
            values = _key_array(table.column(column))
            if values is not None and len(values) > 1 and values.null_count == 0 and \
                    pc.count_distinct(values).as_py() == len(values):
                keys[(name, column)] = values
    return keys


def find_relations(tables: dict[str, pa.Table]) -> list[tuple[str, str, str, str]]:
    """``(child, column, parent, key)`` for each reference found (see the module docstring)."""
    keys = _keys(tables)
    found = []
    for child, table in tables.items():
        for column in table.column_names:
            candidates = []
            named = [(rank, parent, key, parent_keys) for (parent, key), parent_keys in keys.items()
                     if parent != child and (rank := _name_rank(column, parent, key)) is not None]
            values = _key_array(table.column(column)) if named else None
            present = None if values is None else pc.drop_null(values)
            for rank, parent, key, parent_keys in named:
                if present is not None and len(present) and pc.all(pc.is_in(present, value_set=parent_keys)).as_py():
                    candidates.append((rank, -len(parent_keys), parent, key))
            if candidates:
                _, _, parent, key = min(candidates)
                found.append((child, column, parent, key))
    return found


def declared_relations(tables: dict[str, pa.Table], declared: list[tuple[str, str, str, str]]
                       ) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    """The declared references ``(child, column, parent, key)`` that the real data bears out (the
    key unique and never null, every value of the column among its values), and a note for each
    one it does not."""
    keys = _keys(tables)
    kept, notes = [], []
    for child, column, parent, key in declared:
        if child not in tables or parent not in tables or column not in tables[child].column_names:
            continue
        values = _key_array(tables[child].column(column))
        present = None if values is None else pc.drop_null(values)
        if (parent, key) not in keys:
            notes.append(f"the spec's reference {child}.{column} -> {parent}.{key} is not compared: {parent}.{key} "
                         "is not a key in the real data (unique, never null)")
        elif present is None or not pc.all(pc.is_in(present, value_set=keys[(parent, key)])).as_py():
            notes.append(f"the spec's reference {child}.{column} -> {parent}.{key} is not compared: some real "
                         f"values of {child}.{column} are not in {parent}.{key}")
        else:
            kept.append((child, column, parent, key))
    return kept, notes


def _child_counts(children: pa.ChunkedArray, parents: pa.ChunkedArray) -> tuple[np.ndarray, float]:
    """Children per parent row (in parent order), and the share of children with no parent."""
    child_keys, parent_keys = _key_array(children), _key_array(parents)
    if child_keys is None or parent_keys is None:
        return np.zeros(len(parents)), 1.0
    present = pd.Series(pc.drop_null(child_keys).to_numpy(zero_copy_only=False), dtype=object)
    counts = present.value_counts()
    parent_index = pd.Index(parent_keys.to_numpy(zero_copy_only=False), dtype=object)
    per_parent = counts.reindex(parent_index, fill_value=0).to_numpy(dtype=np.float64)
    orphans = 1.0 - float(counts[counts.index.isin(parent_index)].sum()) / len(present) if len(present) else 0.0
    return per_parent, orphans


def _spread(counts: np.ndarray, orphans: float) -> ChildCounts:
    if counts.size == 0:
        return ChildCounts(0, 0.0, 0, 0.0, 0.0, orphans)
    ordered = np.sort(counts)[::-1]
    top = ordered[: max(1, int(np.ceil(counts.size / 10)))].sum()
    total = counts.sum()
    return ChildCounts(int(counts.size), float(counts.mean()), int(ordered[0]), float((counts == 0).mean()),
                       float(top / total) if total else 0.0, orphans)


def parent_effect(groups: np.ndarray, values: np.ndarray) -> float | None:
    """The adjusted η² of ``values`` grouped by ``groups`` (see the module docstring), in [0, 1].

    Rows with no group (None) or no value (NaN) are left out. None when fewer than two groups or
    no more rows than groups remain, or the values are constant.
    """
    frame = pd.DataFrame({"g": pd.Series(groups, dtype=object), "x": values}).dropna()
    if frame.empty:
        return None
    stats = frame.groupby("g", sort=False)["x"].agg(["count", "mean"])
    total = float(((frame["x"] - frame["x"].mean()) ** 2).sum())
    between = float((stats["count"] * (stats["mean"] - frame["x"].mean()) ** 2).sum())
    return _adjusted(between, total, len(frame), len(stats))


def category_effect(groups: np.ndarray, labels: np.ndarray) -> float | None:
    """The adjusted Goodman-Kruskal τ of ``labels`` grouped by ``groups`` (see the module
    docstring), in [0, 1]; None as for :func:`parent_effect` (a single value is constant)."""
    frame = pd.DataFrame({"g": pd.Series(groups, dtype=object), "x": pd.Series(labels, dtype=object)}).dropna()
    if frame.empty:
        return None
    cells = frame.groupby(["g", "x"], sort=False).size()
    sizes = cells.groupby(level=0).sum()
    n = len(frame)
    # Sums of squares of the one-hot indicators: n (1 - sum p²) in all, n_g (1 - sum p_g²) within a group.
    total = n - float((frame["x"].value_counts().to_numpy(dtype=np.float64) ** 2).sum()) / n
    within = n - float((cells.to_numpy(dtype=np.float64) ** 2 / sizes.reindex(cells.index, level=0).to_numpy()).sum())
    return _adjusted(total - within, total, n, len(sizes))


def _adjusted(between: float, total: float, n: int, k: int) -> float | None:
    """``1 - (1 - between / total)(n - 1)/(n - k)`` in [0, 1] (None when it cannot be told)."""
    if k < 2 or n <= k or total <= 0:
        return None
    share = between / total
    return float(min(1.0, max(0.0, 1.0 - (1.0 - share) * (n - 1) / (n - k))))


def _effects(link: tuple[str, str, str, str], real: pa.Table, synth: pa.Table | None) -> tuple[ParentEffect, ...]:
    _, column, _, _ = link
    effects = []
    for name in real.column_names:
        if name == column:
            continue
        prepared = dist.prepare_column(real.column(name), synth.column(name) if synth is not None and
                                       name in synth.column_names else None)
        if prepared.kind not in ("numeric", "datetime", "categorical"):
            continue
        measure = category_effect if prepared.kind == "categorical" else parent_effect
        real_groups = _key_array(real.column(column))
        effect = measure(real_groups.to_numpy(zero_copy_only=False), prepared.real) \
            if real_groups is not None else None
        if effect is None:
            continue
        synth_effect = None
        if prepared.synth is not None and column in synth.column_names:
            groups = _key_array(synth.column(column))
            if groups is not None:
                synth_effect = measure(groups.to_numpy(zero_copy_only=False), prepared.synth)
        effects.append(ParentEffect(name, effect, synth_effect,
                                    "category" if prepared.kind == "categorical" else "variance"))
    return tuple(effects)


def compare_relation(link: tuple[str, str, str, str], real: dict[str, pa.Table],
                     synth: dict[str, pa.Table], skip: Collection[str] = ()) -> RelationComparison:
    """The children per parent and parent effects of one reference, real against synthetic.

    Args:
        link: ``(child, column, parent, key)`` as :func:`find_relations` gives it.
        real, synth: the tables of each side.
        skip: child columns whose parent effect is not measured (keys and other references).
    """
    child, column, parent, key = link
    real_counts, real_orphans = _child_counts(real[child].column(column), real[parent].column(key))
    real_spread = _spread(real_counts, real_orphans)
    s_child, s_parent = synth.get(child), synth.get(parent)
    kept = [c for c in real[child].column_names if c == column or c not in skip]
    effects = _effects(link, real[child].select(kept), s_child)
    if s_child is None or s_parent is None or column not in s_child.column_names or key not in s_parent.column_names:
        return RelationComparison(child, column, parent, key, None, real_spread, None, effects=effects)
    synth_counts, synth_orphans = _child_counts(s_child.column(column), s_parent.column(key))
    return RelationComparison(child, column, parent, key, dist.ks_distance(real_counts, synth_counts), real_spread,
                              _spread(synth_counts, synth_orphans), dist.histogram(real_counts, synth_counts),
                              effects)
