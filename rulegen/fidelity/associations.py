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
_NULL, _OTHER = "\x00(null)", "\x00(other)"


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


def _labels(values: np.ndarray, keep: list[str]) -> np.ndarray:
    """Each value as its label: itself when among ``keep``, else ``(other)``; null as ``(null)``."""
    series = pd.Series(values, dtype=object)
    labels = series.where(series.notna(), _NULL)
    return labels.where(labels.isin(keep) | (labels == _NULL), _OTHER).to_numpy(dtype=object)


def _top(values: np.ndarray) -> list[str]:
    return [str(v) for v in pd.Series(values, dtype=object).dropna().value_counts().index[:TOP]]


def cramers_v(table: np.ndarray) -> float:
    """Cramér's V of a table of counts or shares (0 when a side has a single category)."""
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return 0.0
    total = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    chi2 = float(((table - expected) ** 2 / expected).sum()) / total
    return float(np.sqrt(min(1.0, chi2 / (min(table.shape) - 1))))


def _joint(a: np.ndarray, b: np.ndarray, labels_a: list[str], labels_b: list[str]) -> np.ndarray:
    codes_a = pd.Categorical(a, categories=labels_a).codes
    codes_b = pd.Categorical(b, categories=labels_b).codes
    shares = np.zeros((len(labels_a), len(labels_b)))
    np.add.at(shares, (codes_a, codes_b), 1.0)
    return shares / max(len(a), 1)


def _categorical_pair(a: str, b: str, columns: dict[str, PreparedColumn]) -> CategoricalPair:
    sides = {}
    keep_a, keep_b = _top(columns[a].real), _top(columns[b].real)
    for side in ("real", "synth"):
        sides[side] = (_labels(getattr(columns[a], side), keep_a), _labels(getattr(columns[b], side), keep_b))
    labels_a = list(dict.fromkeys([*keep_a, _OTHER, _NULL]))
    labels_b = list(dict.fromkeys([*keep_b, _OTHER, _NULL]))
    real, synth = (_joint(*sides[s], labels_a, labels_b) for s in ("real", "synth"))
    used_a = (real.sum(axis=1) + synth.sum(axis=1)) > 0
    used_b = (real.sum(axis=0) + synth.sum(axis=0)) > 0
    real, synth = real[used_a][:, used_b], synth[used_a][:, used_b]
    similarity = max(0.0, 1.0 - 0.5 * float(np.abs(real - synth).sum()))

    def shown(labels: list[str], used: np.ndarray) -> tuple[str, ...]:
        return tuple({_NULL: "(null)", _OTHER: "(other)"}.get(v, v) for v, u in zip(labels, used, strict=True) if u)

    return CategoricalPair(a, b, similarity, cramers_v(real), cramers_v(synth), shown(labels_a, used_a),
                           shown(labels_b, used_b), real, synth)


def categorical_pairs(columns: dict[str, PreparedColumn]) -> list[CategoricalPair]:
    """Every pair of the categorical columns present on both sides, in column order."""
    names = [n for n, c in columns.items() if c.kind == "categorical"]
    return [_categorical_pair(a, b, columns) for a, b in combinations(names, 2)]


def correlation_ratio(categories: np.ndarray, numbers: np.ndarray) -> float:
    """η: the square root of the share of the variance of ``numbers`` explained by ``categories``.

    Rows where the number is missing are left out; a null category is a group of its own. 0 when
    the numbers are constant or there are none.
    """
    present = np.isfinite(numbers)
    x = numbers[present]
    if x.size < 2:
        return 0.0
    groups = pd.Series(_labels(categories[present], _top(categories)), dtype=object)
    total = float(((x - x.mean()) ** 2).sum())
    if total <= 0:
        return 0.0
    frame = pd.DataFrame({"g": groups, "x": x})
    stats = frame.groupby("g", sort=False)["x"].agg(["count", "mean"])
    between = float((stats["count"] * (stats["mean"] - x.mean()) ** 2).sum())
    return float(np.sqrt(min(1.0, between / total)))


def _means(categories: np.ndarray, numbers: np.ndarray, labels: list[str]) -> tuple[float, ...]:
    frame = pd.DataFrame({"g": _labels(categories, labels), "x": numbers})
    means = frame.dropna().groupby("g")["x"].mean()
    return tuple(float(means.get(label, np.nan)) for label in labels)


def mixed_pairs(columns: dict[str, PreparedColumn]) -> list[MixedPair]:
    """Every (categorical, numeric or date) pair of columns present on both sides."""
    found = []
    for category, c in columns.items():
        if c.kind != "categorical":
            continue
        labels = _top(c.real)[:10]
        for number, n in columns.items():
            if n.kind not in ("numeric", "datetime"):
                continue
            found.append(MixedPair(category, number, correlation_ratio(c.real, n.real),
                                   correlation_ratio(c.synth, n.synth), tuple(labels),
                                   _means(c.real, n.real, labels), _means(c.synth, n.synth, labels)))
    return found
