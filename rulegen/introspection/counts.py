"""The law of children per parent row: fitted to the grouped counts a sample reads, and kept
within bounds through chains of tables generated per parent.

The counts (how many parents have 0, 1, 2, ... children) are judged by
:func:`rulegen.fidelity.fit.fit_count_law`, which keeps the integer family (Poisson, negative
binomial, binomial, geometric, shifted or truncated to the observed range) with the least total
variation among those its KS test passes. When none passes, a law with the sampled mean and
variance is kept instead (the caller's moment fit): a spec's row counts must be an integer law,
so an empirical histogram of counts cannot be written, and a uniform ``integers`` over the
observed range would miss the mean of a skewed count (1 to 25 lines per order, 2.6 on average).

Without a sample, the rows the source holds say the mean (its rows over its parent's), and a
table empty in the source gets a guess. Each table's rows are its parent's times its mean, so
guesses (or a fitted law's long tail) multiply down a chain of tables generated per parent: a
Poisson(3) at each of ten levels makes 59,049 rows of the last for each row of the first. So
:func:`children_law` keeps each table's expected rows within what the source holds, or
:data:`MAX_GUESSED_ROWS` for a table it leaves empty, lowering the mean when the chain would
pass it; a spec from ``introspect`` then stays well inside a run's byte budget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["DEFAULT_CHILDREN", "MAX_GUESSED_ROWS", "MAX_PARENTS", "bound_children", "children_law", "fit_children",
           "mean_count"]

MAX_PARENTS = 100_000  # parents whose counts are fitted (a fixed, evenly spread subset past this)
DEFAULT_CHILDREN = 3.0  # mean children per parent row (Poisson) when neither sample nor source says
MAX_GUESSED_ROWS = 100_000  # the most rows expected of a table empty in the source, whatever its chain


def children_law(histogram: dict[int, int] | None, by_moments: Callable[[dict[int, int]], dict[str, Any]], *,
                 parent_rows: float, source_rows: int) -> tuple[dict[str, Any], str]:
    """The law of children per parent row of a table generated per parent, and its note.

    Args:
        histogram: count -> parents with that count, from a sample (None or empty: none).
        by_moments: the law with a histogram's mean and variance (see :func:`fit_children`).
        parent_rows: the rows expected of the parent table (itself kept within bounds).
        source_rows: the rows the source holds in this table (counted up to a cap; 0 when empty).

    Returns:
        The law (``rows:`` without ``per``) and a note saying where it comes from: the sampled
        counts, the source's rows over the parent's, or a guess; with a mean lowered so that
        the table's expected rows stay within ``source_rows`` or :data:`MAX_GUESSED_ROWS`.
    """
    if histogram and sum(histogram.values()):
        law, note = fit_children(histogram, by_moments)
    elif source_rows > 0 and parent_rows > 0:
        law = {"kind": "poisson", "lam": _round(source_rows / parent_rows)}
        note = f"children per parent as in the source: {source_rows:,} rows over {parent_rows:,.0f} parent rows"
    else:
        law, note = {"kind": "poisson", "lam": DEFAULT_CHILDREN}, "children per parent guessed"
    return bound_children(law, note, parent_rows=parent_rows, source_rows=source_rows)


def bound_children(law: dict[str, Any], note: str, *, parent_rows: float,
                   source_rows: int) -> tuple[dict[str, Any], str]:
    """``law`` (and its ``note``) with its mean lowered when ``parent_rows`` times it passes the
    table's limit: ``source_rows``, or :data:`MAX_GUESSED_ROWS` when the source holds fewer. A
    binomial keeps its ``n`` (at most one child per parent stays so); another law becomes a
    Poisson with the mean that meets the limit."""
    limit = max(source_rows, MAX_GUESSED_ROWS)
    expected = parent_rows * mean_count(law)
    if expected <= limit:
        return law, note
    if law.get("kind") == "binomial":  # at most n per parent (one, for a link that is a key): kept
        law = {**law, "p": _round(law["p"] * limit / expected)}
    else:
        law = {"kind": "poisson", "lam": _round(limit / parent_rows)}
    return law, (f"{note}; fewer, about {limit:,} rows in all: through its chain of parent tables the law "
                 f"would make {expected:,.0f}")


def mean_count(law: dict[str, Any]) -> float:
    """The mean children per parent row of a count law (``truncate`` left out of account)."""
    kind = law.get("kind")
    if "count" in law:
        return float(law["count"])
    means: dict[str, Callable[[], float]] = {
        "binomial": lambda: law["n"] * law["p"], "poisson": lambda: law["lam"], "geometric": lambda: 1 / law["p"],
        "integers": lambda: (law["low"] + law["high"]) / 2,
        "negative_binomial": lambda: law["n"] * (1 - law["p"]) / law["p"]}
    mean = means[kind]() if kind in means else DEFAULT_CHILDREN
    return float(mean) + float(law.get("shift", 0) or 0)


def _round(value: float) -> float:
    """Four significant digits (a spec's parameters are read by people); never 0 for a positive value."""
    return float(f"{value:.4g}") if value > 0 else 0.0


def fit_children(histogram: dict[int, int],
                 by_moments: Callable[[dict[int, int]], dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """The count law for ``histogram`` (count -> parents with that count) and its note.

    Args:
        by_moments: the law with the histogram's mean and variance, used when no family fits.
    """
    from rulegen.fidelity.fit import fit_count_law

    keys = np.fromiter(histogram, dtype=np.int64)
    counts = np.repeat(keys, [histogram[k] for k in histogram])
    if len(counts) > MAX_PARENTS:
        counts = np.sort(counts)[np.linspace(0, len(counts) - 1, MAX_PARENTS).astype(np.int64)]
    if counts.max() <= 1 or counts.min() == counts.max():
        return by_moments(histogram), "children per parent as in the source"
    spec, note = fit_count_law(counts)
    if spec.get("kind") == "integers" and "instead" in note:
        return by_moments(histogram), "children per parent: no integer law fits, one with the mean and variance " \
                                      "of the source"
    return spec, f"children per parent: {note}"
