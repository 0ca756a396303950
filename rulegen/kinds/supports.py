"""The support of each numeric law, stated without SciPy: the same floats as SciPy's
``support()`` (tests compare them). Writers (SQL ``CHECK``s), the checker and templates ask for
a column's bounds, and SciPy takes 0.3-1 s to import."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = ["SUPPORTS"]


def _scaled(a: float, b: float, loc: float = 0.0, scale: float = 1.0) -> tuple[float, float]:
    """A standard support [a, b] moved and stretched as SciPy's frozen laws do: a * scale + loc,
    unknown (NaN) for a scale that is not above 0 (``exp`` of a very negative mean is 0)."""
    if not scale > 0:
        return math.nan, math.nan
    with np.errstate(all="ignore"):
        return float(np.float64(a) * scale + loc), float(np.float64(b) * scale + loc)


def exp_scale(mean: float) -> float:
    """``exp(mean)``, the scale of a lognormal: infinite past float64's range, without an overflow warning."""
    try:
        return math.exp(mean)
    except OverflowError:
        return math.inf


def _triangular(left: float, mode: float, right: float) -> tuple[float, float]:
    c = (mode - left) / (right - left) if right != left else math.nan
    return _scaled(0, 1, left, right - left) if 0 <= c <= 1 else (math.nan, math.nan)  # SciPy's check of c


# Every law but `integers` and `binomial`, whose parameters are their ends.
SUPPORTS: dict[str, Callable[..., tuple[float, float]]] = {
    "uniform": lambda low, high: _scaled(0, 1, low, high - low),
    "normal": lambda loc, scale: _scaled(-math.inf, math.inf, loc, scale),
    "lognormal": lambda mean, sigma: _scaled(0, math.inf, 0.0, exp_scale(mean)),
    "exponential": lambda scale: _scaled(0, math.inf, 0.0, scale),
    "gamma": lambda shape, scale: _scaled(0, math.inf, 0.0, scale),
    "beta": lambda a, b: (0.0, 1.0),
    "poisson": lambda lam: (0, math.inf),
    "geometric": lambda p: (1, math.inf),
    "negative_binomial": lambda n, p: (0, math.inf),
    "zipf": lambda a: (1.0, math.inf),  # (as _Zipf's, in rulegen.kinds.numeric)
    "pareto": lambda a: (0.0, math.inf),
    "weibull": lambda a: (0.0, math.inf),
    "triangular": _triangular,
    "laplace": lambda loc, scale: _scaled(-math.inf, math.inf, loc, scale),
    "logistic": lambda loc, scale: _scaled(-math.inf, math.inf, loc, scale),
}
