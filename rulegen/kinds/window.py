"""Quantiles of a law inside a truncation window [lo, hi], exact far in either tail: the inverse
CDF that ``truncate`` draws through, for continuous laws (SciPy's ``ppf``/``isf``) and discrete
ones (a vectorised search, since SciPy's generic discrete ``ppf`` is slow and can fail)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Window", "discrete_inverse"]


class Window:
    """The part [lo, hi] of a law, with quantiles that stay exact far in either tail.

    In the upper tail the CDF rounds to 1, so quantiles there go through the survival
    function instead. Discrete laws are inverted by a vectorised search on their CDF, since
    SciPy's generic discrete ``ppf`` is slow and can fail (zipf).
    """

    def __init__(self, law: Any, lo: float | None, hi: float | None, integer: bool) -> None:
        self.law, self.integer = law, integer
        low_end, high_end = law.support()
        self.lo = low_end if lo is None else max(lo, low_end)
        self.hi = high_end if hi is None else min(hi, high_end)
        below = (np.ceil(self.lo) - 1) if integer else self.lo
        with np.errstate(all="ignore"):  # extreme parameters overflow inside SciPy: a NaN mass, refused
            self.upper = lo is not None and float(law.cdf(below)) > 0.5
            if self.upper:
                self.start, self.stop = float(law.sf(below)), float(law.sf(self.hi))
                self.mass = self.start - self.stop
            else:
                self.start = 0.0 if lo is None else float(law.cdf(below))
                self.stop = float(law.cdf(self.hi))
                self.mass = self.stop - self.start

    def quantile(self, u: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):  # SciPy's overflows at extreme parameters: the clip below holds
            return self._quantile(u)

    def _quantile(self, u: np.ndarray) -> np.ndarray:
        q = self.start + u * (self.stop - self.start)
        if self.integer:
            values = discrete_inverse(self.law, q, upper=self.upper, limit=self.hi)
            low = np.ceil(self.lo) if np.isfinite(self.lo) else np.iinfo(np.int64).min
            high = np.floor(self.hi) if np.isfinite(self.hi) else np.iinfo(np.int64).max
            return np.clip(values, low, high).astype(np.int64)
        values = self.law.isf(q) if self.upper else self.law.ppf(q)
        return np.clip(values, self.lo, self.hi)


_SEARCH_LIMIT = float(2**62)


def discrete_inverse(law: Any, q: np.ndarray, *, upper: bool, limit: float = _SEARCH_LIMIT) -> np.ndarray:
    """Smallest integer k with cdf(k) >= q (or, in the upper tail, sf(k) <= q), for every q, up
    to ``limit`` (the top of the window: rounding may leave a q just out of reach)."""
    limit = min(limit, _SEARCH_LIMIT)

    def reached(k: np.ndarray, qq: np.ndarray) -> np.ndarray:
        return (law.sf(k) <= qq if upper else law.cdf(k) >= qq) | (k >= limit)

    first = float(law.support()[0])
    lo = np.full(len(q), first - 1)  # not reached
    hi = np.full(len(q), first)
    todo = ~reached(hi, q)
    width = 1.0
    while todo.any():  # gallop up until the answer is bracketed
        lo[todo] = hi[todo]
        width *= 2
        hi[todo] = np.minimum(hi[todo] + width, limit)
        todo[todo] = ~reached(hi[todo], q[todo])
    while True:  # then halve the bracket, down to 1 (or to float spacing, past 2**53)
        mid = np.floor((lo + hi) / 2)
        moving = (hi - lo > 1) & (mid > lo) & (mid < hi)
        if not moving.any():
            return hi
        ok = reached(mid, q)
        hi = np.where(moving & ok, mid, hi)
        lo = np.where(moving & ~ok, mid, lo)
