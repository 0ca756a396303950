"""The 64-bit domains of numeric kinds: parameters NumPy can draw from, and values that stay
64-bit numbers once drawn, shifted and rounded.

A spec may ask for any number its schema allows; these checks refuse, before any row is made,
the ones whose values would leave the 64-bit integers or floats (or, for counts, the integers
NumPy draws exactly), each with a message naming the value and the limit. A law whose parameters
come from the row's columns runs the same tests per row (each domain's ``outside``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from rulegen.expr.arithmetic import INT64_MAX, INT64_MIN

__all__ = ["DOMAIN_HINT", "counts_domain", "rounding_problem", "width_domain"]

DOMAIN_HINT = "integers are 64-bit (about ±9.2e18) and numbers 64-bit floats (about ±1.8e308)"


def counts_domain(name: str, mean: Callable[..., float], deviation: Callable[..., float]) -> Callable[..., str | None]:
    """The domain of an integer law of counts: the mean plus 50 standard deviations is below
    2**53. NumPy computes these draws in float64 (its Poisson, binomial and geometric samplers
    floor a float), so past 2**53 they skip integers: at lam 1e18 every Poisson draw is a
    multiple of 128, and further on NumPy refuses the parameters or clamps draws to 2**63 - 1."""

    def domain(**params: float) -> str | None:
        with np.errstate(all="ignore"):  # an overflow (n of 1e308, p of 5e-324) is outside too
            if mean(**params) + 50 * deviation(**params) < 2.0**53:
                return None
            average = mean(**params)
        shown = ", ".join(f"{k}={v}" for k, v in params.items())
        return (f"{name}({shown}) has a mean of {average:.3g}: its draws would pass 2**53 "
                f"(about 9.0e15), where NumPy makes them in floats that skip most integers")

    def outside(**params: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):  # NaN (a p of 0) compares False: outside
            return ~(mean(**params) + 50 * deviation(**params) < 2.0**53)

    domain.outside = outside  # type: ignore[attr-defined]  # the same test, per row (kinds.parameters)
    return domain


def width_domain(low: str, high: str) -> Callable[..., str | None]:
    """The domain of a law on [low, high]: a width that is a finite float, as NumPy needs."""

    def domain(**params: float) -> str | None:
        if math.isfinite(params[high] - params[low]):
            return None
        return f"{high} - {low} = {params[high] - params[low]} is beyond the range of 64-bit floats"

    def outside(**params: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ~np.isfinite(params[high] - params[low])

    domain.outside = outside  # type: ignore[attr-defined]  # the same test, per row (kinds.parameters)
    return domain


def rounding_problem(low: int, high: int, digits: int) -> str | None:
    """Why integers in [low, high] rounded to ``digits`` (negative: to 10, 100, ...) leave the
    64-bit integers, or None. Rounding is half to even, as Arrow's ``round`` (which refuses the
    overflow with an error of its own, mid-run)."""
    if digits >= 0:
        return None
    step = 10**-digits
    for end in (low, high):
        quotient, remainder = divmod(end, step)
        up = 2 * remainder > step or (2 * remainder == step and quotient % 2 == 1)
        rounded = (quotient + up) * step
        if not INT64_MIN <= rounded <= INT64_MAX:
            return f"{end} rounds to {rounded} (a multiple of {step:,}), past the 64-bit integers"
    return None
