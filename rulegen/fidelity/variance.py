"""The share of a column's variance that its groups explain (a parent row, a month, a category),
by a one-way analysis of variance with the random-effect estimates of both parts."""

from __future__ import annotations

import numpy as np

__all__ = ["parent_effect"]


def parent_effect(values: np.ndarray, groups: np.ndarray) -> tuple[float, float, float, float]:
    """The one-way analysis of variance of ``values`` by ``groups``.

    Returns:
        (share of the variance between groups, its F test's p-value, the variance between
        groups, the variance within them), the variances as estimated for a random effect.
    """
    import scipy.stats as st

    labels, inverse, sizes = np.unique(groups, return_inverse=True, return_counts=True)
    n, k = len(values), len(labels)
    if k < 2 or n <= k:
        return 0.0, 1.0, 0.0, float(np.var(values))
    means = np.bincount(inverse, weights=values) / sizes
    between = float((sizes * (means - values.mean()) ** 2).sum()) / (k - 1)
    within = float(((values - means[inverse]) ** 2).sum()) / (n - k)
    n0 = (n - float((sizes**2).sum()) / n) / (k - 1)
    level = max(0.0, (between - within) / n0)
    p = float(st.f.sf(between / within, k - 1, n - k)) if within > 0 else 0.0
    share = level / (level + within) if level + within > 0 else 0.0
    return share, p, level, within
