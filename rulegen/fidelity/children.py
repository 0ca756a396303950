"""Children per parent row: the law of the counts, chosen by likelihood, and its mean read from
the parent row where that pays.

The candidates are a fixed count, Poisson, negative binomial, their zero-inflated forms, the
family :func:`~rulegen.fidelity.fit.fit_numeric` fits best to the counts as to a column, and
the counts' own histogram (of three bins or more: one is a uniform range); each is fitted by
maximum likelihood and the one of least AICc is kept (Akaike's criterion with Hurvich and Tsai's
small-sample correction: twice the parameters k, plus 2k(k + 1) / (n - k - 1), minus twice the
log-likelihood), so a law with more parameters must earn them, and a uniform range is never the
default. AICc estimates the log-likelihood of new parent rows, which is what a generator should
get right; BIC (log n per parameter) asks which law is true instead, and with few parents keeps
a poor family over the histogram (51 states: a negative binomial at KS 0.128 from the counts
against the histogram's 0.057). Among the laws within :data:`_TIE` of the least (Burnham and
Anderson's rule of thumb: a law more than 4 above the best has considerably less support) the
simplest is kept, so a Poisson sample gets a negative binomial less than one time in a hundred.

Which parent columns the mean reads is structure, not shape, and stays with BIC: the mean of the
Poisson and negative binomial families (zero-inflated or not) may be log-linear in the parent's
numeric columns, ``exp(a + b * revenue)``: columns are added one at a time while BIC falls (the
gains divided by the counts' overdispersion), and each column read costs log n rather than 2 when
the law is chosen. The kept law is checked by the Kolmogorov-Smirnov distance between the counts
and the law (a mixture over the parent rows when the mean reads them).

A plain family or a histogram is written in ``rows`` (``{per: P, kind: poisson, lam:
"exp(...)"}``, ``{per: P, kind: histogram, edges: [...], weights: [...]}``), stratified when the
parent has fewer than :data:`STRATIFY_BELOW` rows (:mod:`rulegen.engine.strata`: n independent
draws stray from their law by about 0.87 / sqrt(n) in KS, 0.12 for 51 parents); a zero-inflated
law has no kind of its own, so the count becomes a hidden column of the parent (a family with
``null`` for the structural zeros) read by ``rows: {per: P, count: "coalesce(n_child, 0)"}``,
and so does a continuous family fitted to the counts.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.stats as st
from scipy.optimize import minimize
from scipy.special import gammaln

from rulegen.fidelity.fit import fit_numeric, histogram, spec_cdf
from rulegen.fidelity.render import readable
from rulegen.kinds.numeric import DISTRIBUTIONS

__all__ = ["STRATIFY_BELOW", "Children", "fit_children", "round_to"]

_MAX_COLUMNS = 3  # parent columns a count's mean reads at most
_MIN_PARENTS = 20  # parents needed before a mean reads the parent row
_TIE = 4.0  # AICc within which the simpler law is kept
STRATIFY_BELOW = 1_000  # parent rows under which the counts are drawn stratified (KS noise above 0.03)
_SIMPLER = ("poisson", "negative_binomial", "zip", "zinb", "column", "histogram")
_DIGITS = 6  # significant digits of written coefficients


@dataclass(slots=True)
class Children:
    """The counts' law as the spec writes it.

    ``rows`` is the child's ``rows`` mapping without ``per``; ``hidden`` a column to add to the
    parent (name and spec) when the law lives there; ``note`` says what was fitted and how well.
    """

    rows: dict[str, Any]
    note: str
    ks: float
    hidden: tuple[str, dict[str, Any]] | None = None
    reads: list[str] = field(default_factory=list)  # parent columns the law reads


@dataclass(slots=True)
class _Law:
    name: str  # poisson, negative_binomial, zip, zinb, histogram, column
    loglik: float
    params: int
    mu: np.ndarray | None = None  # the mean of each parent's count (before zero inflation)
    size: float | None = None  # negative binomial n
    zero: float = 0.0  # share of structural zeros
    lift: float = 0.0  # log of the family's mean over the fitted one (zero-inflated laws)
    spec: dict[str, Any] | None = None  # the hidden column's spec (histogram, column)
    cdf: Any = None  # the law's CDF at each count (column)
    linear: tuple[float, list[tuple[str, float]], float, float] | None = None  # a, [(col, b)], lo, hi

    def aicc(self, n: int) -> float:
        """Akaike's criterion corrected for ``n`` observations (infinite when n <= k + 1)."""
        k = self.params
        return 2 * k - 2 * self.loglik + (2 * k * (k + 1) / (n - k - 1) if n > k + 1 else math.inf)

    def score(self, n: int) -> float:
        """AICc, with each parent column the mean reads charged as BIC charges it (log n, not
        2): reading a column is structure, kept only when the data are sure of it."""
        reads = len(self.linear[1]) if self.linear is not None else 0
        return self.aicc(n) + reads * (math.log(n) - 2)


def fit_children(counts: np.ndarray, parent: dict[str, np.ndarray], *, column: str) -> Children:
    """The law of ``counts`` (children of each parent row) of least AICc, reading ``parent``'s
    columns where that lowers BIC.

    Args:
        counts: children of each parent row.
        parent: numeric, never-null columns of the parent, aligned with ``counts``.
        column: the name of the hidden parent column a law without a kind of its own is written
            as (an identifier the parent does not use).

    Returns:
        The law to write, with a note that names the family, how it was chosen and its KS distance.
    """
    y = np.asarray(counts, dtype=np.int64)
    if y.min() == y.max():
        return Children({"count": int(y[0])}, f"every parent row has {int(y[0])}", 0.0)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        laws = [*_histogram(y), *_column(y), *_families(y, None)]
        linear = _select(y, parent) if len(y) >= _MIN_PARENTS else None
        if linear is not None:
            laws += _families(y, linear)
        laws = [law for law in laws if np.isfinite(law.loglik)]
        least = min(law.score(len(y)) for law in laws)
        # Within the tie of the least score the data cannot tell laws apart: the simplest is kept.
        best = min((law for law in laws if law.score(len(y)) <= least + _TIE),
                   key=lambda law: (law.params, _SIMPLER.index(law.name)))
        ks = _ks(y, best)
    return _write(best, column, ks, f"the simplest within {_TIE:g} of the least AICc of {len(laws)} laws",
                  stratified=len(y) < STRATIFY_BELOW)


def _histogram(y: np.ndarray) -> list[_Law]:
    """The counts' histogram (bins of at least five parents), uniform inside each bin; none of
    fewer than three bins (fewer than 15 parents, or counts that are nearly all one value). One
    bin is a uniform range from the least count to the most, never the default; two are one
    step, whose edges fitted to the data are not counted in its parameters: with 12 parents of
    a negative binomial or Poisson law, the family's stratified counts are closer to the data's
    (KS 0.17 and 0.14 on average) than the two bins' (0.20 and 0.18), and as close to new ones."""
    spec = histogram(y, integer=True, apart=False).spec  # the likelihood below counts bins of five parents
    if len(spec["weights"]) < 3:
        return []
    edges, weights = np.asarray(spec["edges"]), np.asarray(spec["weights"], dtype=np.float64)
    share = weights / weights.sum() / np.diff(edges)
    index = np.clip(np.searchsorted(edges, y, side="right") - 1, 0, len(weights) - 1)
    # Bins hold equal shares of the parents (heavy counts apart): the B - 1 inner edges are its parameters.
    return [_Law("histogram", float(np.log(share[index]).sum()), len(weights) - 1, spec=spec)]


def _column(y: np.ndarray) -> list[_Law]:
    """The family :func:`~rulegen.fidelity.fit.fit_numeric` fits best to the counts as to any
    column (a continuous family rounded, a shift and a truncation included), however well."""
    fit = fit_numeric(y, integer=True, max_ks=1.0, within_noise=False)  # AICc judges it against the others
    if fit.spec["kind"] not in DISTRIBUTIONS:
        return []
    cdf = spec_cdf(fit.spec)
    half = 0.0 if DISTRIBUTIONS[fit.spec["kind"]].integer else 0.5
    k = np.arange(int(y.max()) + 2)
    at = np.clip(cdf(k + half), 0.0, 1.0)
    mass = np.diff(np.concatenate([[float(np.clip(cdf(np.array([-1 + half]))[0], 0, 1))], at]))
    params = len(DISTRIBUTIONS[fit.spec["kind"]].params) + ("shift" in fit.spec) + 2 * ("truncate" in fit.spec)
    return [_Law("column", float(np.log(np.maximum(mass[y], 1e-300)).sum()), params, spec=fit.spec, cdf=at)]


def _poisson_log(y: np.ndarray, mu: np.ndarray) -> np.ndarray:
    return y * np.log(mu) - mu - gammaln(y + 1)


def _nb_log(y: np.ndarray, mu: np.ndarray, n: float) -> np.ndarray:
    return (gammaln(y + n) - gammaln(n) - gammaln(y + 1) + n * np.log(n / (n + mu))
            + y * np.log(mu / (n + mu)))


def _inflate(y: np.ndarray, logs: np.ndarray, zero: float) -> float:
    """Log-likelihood of a law with ``zero`` extra structural zeros."""
    zeros = y == 0
    inflated = np.where(zeros, np.log(zero + (1 - zero) * np.exp(logs)), np.log1p(-zero) + logs)
    return float(inflated.sum())


def _families(y: np.ndarray, linear: tuple[np.ndarray, Any] | None) -> list[_Law]:
    """Poisson, negative binomial and their zero-inflated forms, each by maximum likelihood;
    the mean is the data's, or the log-linear one of ``linear`` (the means and their formula)."""
    mu = np.full(len(y), y.mean()) if linear is None else linear[0]
    extra = 0 if linear is None else len(linear[1][1])
    mu = np.maximum(mu, 1e-9)
    laws = [_Law("poisson", float(_poisson_log(y, mu).sum()), 1 + extra, mu=mu)]
    size = minimize(lambda t: -_nb_log(y, mu, math.exp(t[0])).sum(), [0.0], method="Nelder-Mead").x[0]
    n = math.exp(size)
    if 1e-3 < n < 1e6:
        laws.append(_Law("negative_binomial", float(_nb_log(y, mu, n).sum()), 2 + extra, mu=mu, size=n))
    if (y == 0).any():
        # Zero-inflated: the family's mean is of the rows that are not structural zeros.
        def zip_loss(t: np.ndarray) -> float:
            return -_inflate(y, _poisson_log(y, mu * math.exp(t[1])), _expit(t[0]))

        t = minimize(zip_loss, [0.0, 0.0], method="Nelder-Mead").x
        laws.append(_Law("zip", -zip_loss(t), 2 + extra, mu=mu * math.exp(t[1]), zero=_expit(t[0]), lift=t[1]))

        def zinb_loss(t: np.ndarray) -> float:
            return -_inflate(y, _nb_log(y, mu * math.exp(t[1]), math.exp(t[2])), _expit(t[0]))

        t = minimize(zinb_loss, [-1.0, 0.0, size], method="Nelder-Mead").x
        if 1e-3 < math.exp(t[2]) < 1e6:
            laws.append(_Law("zinb", -zinb_loss(t), 3 + extra, mu=mu * math.exp(t[1]), size=math.exp(t[2]),
                             zero=_expit(t[0]), lift=t[1]))
    if linear is not None:
        for law in laws:
            law.linear = linear[1]
    return [law for law in laws if 1e-4 < law.zero < 0.9999 or law.name in ("poisson", "negative_binomial")]


def _expit(t: float) -> float:
    return 1 / (1 + math.exp(-t))


def _select(y: np.ndarray, parent: dict[str, np.ndarray]) -> tuple[np.ndarray, Any] | None:
    """Parent columns added one at a time to a Poisson regression of the counts while BIC falls;
    the fitted means and the formula (in the columns' own units).

    The gain of a column is divided by the counts' dispersion around the current fit (Pearson's
    chi-square over its degrees of freedom, at least 1: quasi-likelihood), since overdispersed
    counts (a negative binomial) multiply a Poisson likelihood's gains by it: 51 states' airports,
    thirty times as variable as a Poisson law, would read three unrelated columns of crime and
    schooling otherwise."""
    usable = {name: np.asarray(x, dtype=np.float64) for name, x in parent.items()
              if readable(name) and len(x) == len(y)
              and np.isfinite(x).all() and np.std(x) > 0}
    chosen: list[str] = []
    best = float(_poisson_log(y, np.full(len(y), y.mean())).sum())
    fit = None
    mu = np.full(len(y), max(float(y.mean()), 1e-9))
    while len(chosen) < _MAX_COLUMNS:
        dispersion = max(1.0, float(((y - mu) ** 2 / mu).sum()) / max(1, len(y) - len(chosen) - 1))
        trials = {}
        for name in usable.keys() - set(chosen):
            found = _regress(y, [usable[c] for c in [*chosen, name]])
            if found is not None:
                trials[name] = found
        if not trials:
            break
        name = max(trials, key=lambda c: trials[c][1])
        if 2 * (trials[name][1] - best) / dispersion <= math.log(len(y)):  # BIC would not fall
            break
        chosen.append(name)
        best, fit = trials[name][1], trials[name][0]
        a, slopes = fit
        mu = np.exp(np.clip(a + sum(b * usable[c] for b, c in zip(slopes, chosen, strict=True)), -30, 30))
    if fit is None:
        return None
    xs = [usable[c] for c in chosen]
    a, slopes = fit
    a, slopes = round_to(a), [round_to(b) for b in slopes]
    eta = a + sum(b * x for b, x in zip(slopes, xs, strict=True))
    lo, hi = round_to(float(eta.min()), down=True), round_to(float(eta.max()), down=False)
    return np.exp(np.clip(eta, lo, hi)), (a, list(zip(chosen, slopes, strict=True)), lo, hi)


def _regress(y: np.ndarray, xs: list[np.ndarray]) -> tuple[tuple[float, list[float]], float] | None:
    """Poisson regression by Newton's method on standardized columns: (intercept, slopes) in the
    columns' units, and the log-likelihood; None when it does not converge."""
    means = np.array([x.mean() for x in xs])
    scales = np.array([x.std() for x in xs])
    design = np.column_stack([np.ones(len(y)), *[(x - m) / s for x, m, s in zip(xs, means, scales, strict=True)]])
    beta = np.zeros(design.shape[1])
    beta[0] = math.log(max(y.mean(), 1e-9))
    for _ in range(50):
        mu = np.exp(np.clip(design @ beta, -30, 30))
        step = np.linalg.lstsq(design.T @ (design * mu[:, None]), design.T @ (y - mu), rcond=None)[0]
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    else:
        return None
    mu = np.exp(np.clip(design @ beta, -30, 30))
    slopes = beta[1:] / scales
    intercept = float(beta[0] - (slopes * means).sum())
    return (intercept, [float(b) for b in slopes]), float(_poisson_log(y, mu).sum())


def _ks(y: np.ndarray, law: _Law) -> float:
    """KS distance between the counts and the law (averaged over the parent rows)."""
    k = np.arange(int(y.max()) + 1)
    if law.name == "column":
        model = law.cdf[k]
    elif law.name == "histogram":
        assert law.spec is not None
        edges, weights = np.asarray(law.spec["edges"]), np.asarray(law.spec["weights"], dtype=np.float64)
        cumulative = np.concatenate([[0.0], np.cumsum(weights) / weights.sum()])
        model = np.interp(k + 1, edges, cumulative, left=0.0, right=1.0)
    else:
        assert law.mu is not None
        mu = np.unique(law.mu)[:, None] if law.linear is None else law.mu[:, None]
        if law.size is None:
            cdf = st.poisson.cdf(k[None, :], mu)
        else:
            cdf = st.nbinom.cdf(k[None, :], law.size, law.size / (law.size + mu))
        model = law.zero + (1 - law.zero) * cdf.mean(axis=0)
    empirical = np.searchsorted(np.sort(y), k, side="right") / len(y)
    return float(np.abs(empirical - model).max())


def _write(law: _Law, column: str, ks: float, lead: str, *, stratified: bool) -> Children:
    """The spec of ``law``: in ``rows`` for a plain family or a histogram (``stratified`` if
    asked), else as a hidden parent column."""
    names = {"poisson": "Poisson", "negative_binomial": "negative binomial", "zip": "zero-inflated Poisson",
             "zinb": "zero-inflated negative binomial", "histogram": "histogram of the counts"}
    names["column"] = f"{law.spec['kind'] if law.spec else ''} fitted as to a column"
    reads = [name for name, _ in law.linear[1]] if law.linear is not None else []
    note = f"{names[law.name]}{' with a mean read from ' + ', '.join(reads) if reads else ''} ({lead}): KS {ks:.3f}"
    strata = {"stratified": True} if stratified else {}
    drawn = f"{note}; drawn stratified, so that few parent rows follow the law closely" if stratified else note
    if law.name == "histogram":
        assert law.spec is not None
        return Children({"kind": "histogram", "edges": law.spec["edges"], "weights": law.spec["weights"], **strata},
                        drawn, ks)
    if law.name == "column":
        assert law.spec is not None
        count = column if DISTRIBUTIONS[law.spec["kind"]].integer else f"round({column})"
        return Children({"count": count}, note, ks, hidden=(column, {**law.spec, "hidden": True}))
    assert law.mu is not None
    mean = _mean(law)
    if law.size is None:
        spec: dict[str, Any] = {"kind": "poisson", "lam": mean}
    else:
        n = round_to(law.size)
        p: Any = round_to(n / (n + mean)) if isinstance(mean, float) else f"{n} / ({n} + {mean})"
        spec = {"kind": "negative_binomial", "n": n, "p": p}
    if law.name in ("poisson", "negative_binomial"):
        return Children({**spec, **strata}, drawn, ks, reads=reads)
    hidden = {**spec, "null": round_to(law.zero, 4), "hidden": True}
    return Children({"count": f"coalesce({column}, 0)"},
                    f"{note}; {law.zero:.1%} of parent rows are structural zeros (the null rows of {column})",
                    ks, hidden=(column, hidden), reads=reads)


def _mean(law: _Law) -> float | str:
    """The family's mean: a number, or ``exp(clip(a + b * x, lo, hi))`` over the parent row."""
    assert law.mu is not None
    if law.linear is None:
        return round_to(float(law.mu[0]))
    a, slopes, lo, hi = law.linear
    terms = " ".join(f"{'-' if b < 0 else '+'} {round_to(abs(b))} * {name}" for name, b in slopes)
    return (f"exp(clip({round_to(a + law.lift)} {terms}, {round_to(lo + law.lift, down=True)}, "
            f"{round_to(hi + law.lift, down=False)}))")


def round_to(value: float, digits: int = _DIGITS, *, down: bool | None = None) -> float:
    """``value`` to ``digits`` significant digits; ``down`` rounds towards minus (True) or plus
    (False) infinity, so that a rounded range still holds the value."""
    rounded = float(f"{value:.{digits}g}")
    if down is None or rounded == value:
        return rounded
    ulp = 10.0 ** (math.floor(math.log10(abs(value))) - digits + 1) if value else 10.0 ** -digits
    return float(f"{rounded - ulp if down else rounded + ulp:.{digits + 1}g}") if (rounded > value) == down else rounded
