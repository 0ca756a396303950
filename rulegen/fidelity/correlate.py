"""`correlations` between a table's numeric columns: Spearman's rho of every pair (each pair on
the rows where both are present), kept from :data:`MIN_RHO` up.

A spec's correlations become a Gaussian copula whose matrix holds 0 for every pair not listed,
and a matrix of strong pairs with the weak ones set to 0 is often not positive definite (iris
is). Dropping the weakest strong pair until it is would lose most of them on wide tables, so
the threshold is lowered instead, adding the weaker pairs back (the full matrix of a data set
is positive semi-definite); when even that fails, every rho is shrunk a little towards 0.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["MIN_RHO", "correlations", "positive_definite", "spearman"]

MIN_RHO = 0.3
_LOWER = (0.2, 0.1, 0.05, 0.0)  # thresholds tried in turn when the strong pairs alone do not hold
_MIN_ROWS = 10


def spearman(columns: dict[str, np.ndarray]) -> tuple[list[str], np.ndarray]:
    """Names and the matrix of Spearman's rho (pairwise complete rows; NaN marks a missing value)."""
    import pandas as pd

    frame = pd.DataFrame(columns)
    matrix = frame.corr(method="spearman", min_periods=_MIN_ROWS).to_numpy()
    return list(frame.columns), np.nan_to_num(matrix, nan=0.0)


def positive_definite(pairs: list[tuple[str, str, float]]) -> bool:
    """Whether the copula of these rank correlations exists (as the compiler builds it)."""
    names = list(dict.fromkeys(name for a, b, _ in pairs for name in (a, b)))
    matrix = np.eye(len(names))
    for a, b, rho in pairs:
        i, j = names.index(a), names.index(b)
        matrix[i, j] = matrix[j, i] = 2 * math.sin(math.pi * rho / 6)
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return False
    return True


def correlations(columns: dict[str, np.ndarray]) -> tuple[list[tuple[str, str, float]], str]:
    """The pairs to declare (``rho`` rounded to 2 decimals) and a note on how they were chosen."""
    if len(columns) < 2:
        return [], ""
    names, matrix = spearman(columns)
    upper = [(names[i], names[j], float(matrix[i, j])) for i in range(len(names)) for j in range(i + 1, len(names))]
    upper.sort(key=lambda pair: -abs(pair[2]))
    strong = sum(1 for _, _, rho in upper if abs(rho) >= MIN_RHO)
    if not strong:
        return [], ""
    for threshold in (MIN_RHO, *_LOWER):
        pairs = [(a, b, round(rho, 2)) for a, b, rho in upper if abs(rho) >= threshold and round(rho, 2) != 0]
        if positive_definite(pairs):
            note = f"Spearman's rho of the {strong} pairs with |rho| >= {MIN_RHO}"
            if threshold < MIN_RHO:
                note += f", and of weaker ones down to {threshold} (without them the copula does not exist)"
            return pairs, note
    pairs = [(a, b, round(rho, 2)) for a, b, rho in upper if round(rho, 2) != 0]
    for step in range(1, 50):
        shrink = 1 - step / 100
        shrunk = [(a, b, round(rho * shrink, 2)) for a, b, rho in pairs]
        if positive_definite(shrunk):
            return shrunk, f"Spearman's rho of every pair, times {shrink:.2f} (as measured they do not make a copula)"
    return [], "the correlations do not make a copula: left out"
