"""The Gaussian copula that gives a table's declared rank correlations."""

from __future__ import annotations

import numpy as np

from rulegen.plan.plan import CopulaPlan
from rulegen.spec.model import TableSpec

__all__ = ["copula_plan"]


def copula_plan(spec: TableSpec) -> CopulaPlan | None:
    """Cholesky factor of the normal correlations that give the declared rank correlations; None
    without correlations, or when they cannot hold together (a problem :func:`rulegen.plan.checks.check_correlations`
    reports)."""
    names = list(dict.fromkeys(c for corr in spec.correlations for c in corr.columns))
    if not names:
        return None
    matrix = np.eye(len(names))
    for corr in spec.correlations:
        i, j = names.index(corr.columns[0]), names.index(corr.columns[1])
        # A Gaussian copula with normal correlation r has Spearman rho = 6/pi * asin(r/2).
        matrix[i, j] = matrix[j, i] = 2 * np.sin(np.pi * corr.rho / 6)
    try:
        return CopulaPlan(columns=tuple(names), cholesky=np.linalg.cholesky(matrix))
    except np.linalg.LinAlgError:  # also a column correlated with itself: its diagonal is not 1
        return None
