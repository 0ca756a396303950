"""The law of children per parent row, fitted to the grouped counts a sample reads.

The counts (how many parents have 0, 1, 2, ... children) are judged by
:func:`rulegen.fidelity.fit.fit_count_law`, which keeps the integer family (Poisson, negative
binomial, binomial, geometric, shifted or truncated to the observed range) with the least total
variation among those its KS test passes. When none passes, a law with the sampled mean and
variance is kept instead (the caller's moment fit): a spec's row counts must be an integer law,
so an empirical histogram of counts cannot be written, and a uniform ``integers`` over the
observed range would miss the mean of a skewed count (1 to 25 lines per order, 2.6 on average).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["MAX_PARENTS", "fit_children"]

MAX_PARENTS = 100_000  # parents whose counts are fitted (a fixed, evenly spread subset past this)


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
