"""What links a table's categorical columns to each other and to its numeric columns, real
against synthetic.

Two kinds of pair are measured on each side, on the columns :mod:`rulegen.fidelity.distances`
prepared (categories as strings, numbers and dates as floats):

- **two categorical columns**: the *contingency similarity* ``1 - 1/2 sum |p_real(a, b) -
  p_synth(a, b)|`` over the cells of their joint table (as SDMetrics' ContingencySimilarity),
  with null as a category and the categories past the commonest :data:`TOP` of each column
  folded into one; beside it, Cramér's V of each side, which says how strong the link is;
- **a categorical and a numeric column**: the *correlation ratio* η, the square root of the
  share of the numeric column's variance that the categories explain (0: the category says
  nothing of the number, 1: it fixes it), on each side; the similarity is ``1 - |η_synth -
  η_real|``.

So a pair whose two columns each look right but are drawn independently scores low when the
real data links them, and a pair the real data does not link scores high whatever the marginals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from rulegen.fidelity.distances import PreparedColumn

__all__ = ["TOP", "CategoricalPair", "MixedPair", "categorical_pairs", "correlation_ratio", "cramers_v",
           "mixed_pairs"]

TOP = 20  # categories kept per column in a joint table; the others are one "(other)" cell


@dataclass(frozen=True, slots=True)
class CategoricalPair:
    """Two categorical columns of one table.

    Attributes:
        a, b: the columns.
        similarity: contingency similarity in [0, 1], 1 when the joint shares are equal.
        real_v, synth_v: Cramér's V of each side, in [0, 1].
        real, synth: the joint shares, rows ``labels_a`` by columns ``labels_b`` (for the plot).
    """

    a: str
    b: str
    similarity: float
    real_v: float
    synth_v: float
    labels_a: tuple[str, ...] = field(default=(), repr=False)
    labels_b: tuple[str, ...] = field(default=(), repr=False)
    real: np.ndarray | None = field(default=None, repr=False)
    synth: np.ndarray | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class MixedPair:
    """A categorical column and a numeric (or date) column of one table.

    Attributes:
        category, number: the columns.
        real_eta, synth_eta: the correlation ratio of each side, in [0, 1].
        similarity: ``1 - |synth_eta - real_eta|``.
        labels: the categories plotted; real_means, synth_means: the number's mean per category.
    """

    category: str
    number: str
    real_eta: float
    synth_eta: float
    labels: tuple[str, ...] = field(default=(), repr=False)
    real_means: tuple[float, ...] = field(default=(), repr=False)
    synth_means: tuple[float, ...] = field(default=(), repr=False)

    @property
    def similarity(self) -> float:
        return 1.0 - abs(self.synth_eta - self.real_eta)


def _top(values: np.ndarray) -> list[str]:
    return [str(v) for v in pd.Series(values, dtype=object).dropna().value_counts().index[:TOP]]


def _codes(values: np.ndarray, keep: list[str]) -> np.ndarray:
    """Each value's index in ``keep``; ``len(keep)`` for another value, ``len(keep) + 1`` for null."""
    series = pd.Series(values, dtype=object)
    codes = pd.Index(keep, dtype=object).get_indexer(series).astype(np.int64)  # -1: not kept (nor a category)
    codes[codes < 0] = len(keep)
    codes[series.isna().to_numpy()] = len(keep) + 1
    return codes


def cramers_v(table: np.ndarray) -> float:
    """Cramér's V of a table of counts or shares (0 when a side has a single category)."""
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return 0.0
    total = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    chi2 = float(((table - expected) ** 2 / expected).sum()) / total
    return float(np.sqrt(min(1.0, chi2 / (min(table.shape) - 1))))


def _categorical_pair(a: str, b: str, codes: dict[str, dict[str, np.ndarray]],
                      labels: dict[str, list[str]]) -> CategoricalPair:
    na, nb = len(labels[a]), len(labels[b])
    real, synth = (np.bincount(codes[side][a] * nb + codes[side][b], minlength=na * nb).reshape(na, nb)
                   / max(len(codes[side][a]), 1) for side in ("real", "synth"))
    used_a = (real.sum(axis=1) + synth.sum(axis=1)) > 0
    used_b = (real.sum(axis=0) + synth.sum(axis=0)) > 0
    real, synth = real[used_a][:, used_b], synth[used_a][:, used_b]
    similarity = max(0.0, 1.0 - 0.5 * float(np.abs(real - synth).sum()))
    return CategoricalPair(a, b, similarity, cramers_v(real), cramers_v(synth),
                           tuple(v for v, u in zip(labels[a], used_a, strict=True) if u),
                           tuple(v for v, u in zip(labels[b], used_b, strict=True) if u), real, synth)


def _coded(columns: dict[str, PreparedColumn]) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, list[str]]]:
    """The categorical columns as codes on each side, over the real side's commonest values."""
    codes: dict[str, dict[str, np.ndarray]] = {"real": {}, "synth": {}}
    labels = {}
    for name, column in columns.items():
        if column.kind != "categorical":
            continue
        keep = _top(column.real)
        labels[name] = [*keep, "(other)", "(null)"]
        for side in ("real", "synth"):
            codes[side][name] = _codes(getattr(column, side), keep)
    return codes, labels


def categorical_pairs(columns: dict[str, PreparedColumn]) -> list[CategoricalPair]:
    """Every pair of the categorical columns present on both sides, in column order."""
    codes, labels = _coded(columns)
    return [_categorical_pair(a, b, codes, labels) for a, b in combinations(labels, 2)]


def _group_means(codes: np.ndarray, numbers: np.ndarray, groups: int) -> tuple[float, np.ndarray, np.ndarray]:
    """η of ``numbers`` by ``codes`` (rows without a number left out), and each group's count and mean."""
    present = np.isfinite(numbers)
    x, c = numbers[present], codes[present]
    counts = np.bincount(c, minlength=groups).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.bincount(c, weights=x, minlength=groups) / counts
    if x.size < 2:
        return 0.0, counts, means
    grand = x.mean()
    total = float(((x - grand) ** 2).sum())
    if total <= 0:
        return 0.0, counts, means
    between = float((counts * np.nan_to_num(means - grand) ** 2).sum())
    return float(np.sqrt(min(1.0, between / total))), counts, means


def correlation_ratio(categories: np.ndarray, numbers: np.ndarray) -> float:
    """η: the square root of the share of the variance of ``numbers`` explained by ``categories``.

    Rows where the number is missing are left out; a null category is a group of its own, and
    the categories past the commonest :data:`TOP` are one group. 0 when the numbers are
    constant or there are none.
    """
    keep = _top(categories)
    return _group_means(_codes(categories, keep), np.asarray(numbers, dtype=np.float64), len(keep) + 2)[0]


def mixed_pairs(columns: dict[str, PreparedColumn]) -> list[MixedPair]:
    """Every (categorical, numeric or date) pair of columns present on both sides."""
    codes, labels = _coded(columns)
    found = []
    for category, names in labels.items():
        shown = min(10, len(names) - 2)
        for number, n in columns.items():
            if n.kind not in ("numeric", "datetime"):
                continue
            real_eta, _, real_means = _group_means(codes["real"][category], n.real, len(names))
            synth_eta, _, synth_means = _group_means(codes["synth"][category], n.synth, len(names))
            found.append(MixedPair(category, number, real_eta, synth_eta, tuple(names[:shown]),
                                   tuple(map(float, real_means[:shown])), tuple(map(float, synth_means[:shown]))))
    return found
