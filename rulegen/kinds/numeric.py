"""Numeric kinds: ``sequence`` and the distributions, under NumPy's names and parameters.

Each distribution is declared once in :data:`DISTRIBUTIONS` (its parameters, how NumPy draws
it, and the SciPy distribution with the same law, used for inverse CDFs in copulas and
truncation, and by the statistical tests). ``truncate: [lo, hi]`` gives a true truncated
distribution (out-of-range draws are redrawn, or drawn by inverse CDF when most would be
out of range); ``shift: K`` adds K after drawing. A parameter may also be an expression over the
row (:mod:`rulegen.kinds.parameters`): each row then draws from its own law.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from rulegen.errors import Diagnostic, GenerationError, did_you_mean
from rulegen.expr.arithmetic import INT64_MAX, INT64_MIN
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.cases import Cases
from rulegen.kinds.conditional import case_options, check_cases, draw_cases, law_leaf, law_problems, law_windows
from rulegen.kinds.domains import DOMAIN_HINT, counts_domain, rounding_problem, width_domain
from rulegen.kinds.parameters import Parameters, parameter_schema
from rulegen.kinds.registry import register
from rulegen.kinds.supports import SUPPORTS, exp_scale
from rulegen.kinds.validity import in_integer_range, in_intervals, in_progression, numbers, unknown, verdict
from rulegen.kinds.window import Window
from rulegen.spec.source_map import join_pointer

__all__ = ["COUNT_LAWS", "DISTRIBUTIONS", "Distribution", "Family", "Histogram", "Sequence", "value_error"]

_POSITIVE = {"type": "number", "exclusiveMinimum": 0}
_NUMBER = {"type": "number"}
_PROBABILITY = {"type": "number", "minimum": 0, "maximum": 1}
# What a column of integers holds (the reference says "a 64-bit integer", not the 19-digit bounds).
_INT64 = {"type": "integer", "minimum": INT64_MIN, "maximum": INT64_MAX, "x-expect": "a 64-bit integer"}


@dataclass(frozen=True, slots=True)
class Family:
    """A distribution family: NumPy parameter names with schemas and defaults, and its laws."""

    name: str
    params: dict[str, tuple[dict[str, Any], Any]]  # name -> (schema, default or REQUIRED)
    draw: Callable[..., np.ndarray]  # (rng, size, **params)
    scipy: Callable[..., Any]  # (**params) -> frozen scipy distribution
    integer: bool = False
    rule: Callable[..., str | None] = lambda **p: None  # cross-parameter check
    domain: Callable[..., str | None] = lambda **p: None  # parameters NumPy can draw from, within 64 bits
    summary: str = ""


REQUIRED = object()


def _scipy(name: str, **fixed: Any) -> Callable[..., Any]:
    def make(**params: Any) -> Any:
        import scipy.stats  # imported on demand: it costs a few hundred ms

        return getattr(scipy.stats, name)(**fixed, **params)

    return make


class _Zipf:
    """The Zipf law's CDF and survival function in closed form, through Hurwitz's zeta function.

    SciPy's zipf has neither: its generic discrete CDF sums the mass function from 1 to k, which
    allocates k floats (petabytes for a ``truncate`` far in the tail).
    """

    def __init__(self, a: float) -> None:
        self.a = a

    def support(self) -> tuple[float, float]:
        return 1.0, math.inf

    def sf(self, k: Any) -> Any:
        from scipy.special import zeta  # imported on demand, as scipy.stats is

        k = np.floor(np.asarray(k, dtype=np.float64))
        return np.where(k < 1, 1.0, zeta(self.a, np.maximum(k, 0) + 1) / zeta(self.a))

    def cdf(self, k: Any) -> Any:
        return 1.0 - self.sf(k)


def _numpy(method: str) -> Callable[..., np.ndarray]:
    return lambda rng, size, **params: getattr(rng, method)(size=size, **params)


DISTRIBUTIONS: dict[str, Family] = {f.name: f for f in [
    Family("uniform", {"low": (_NUMBER, 0.0), "high": (_NUMBER, 1.0)}, _numpy("uniform"),
           lambda low, high: _scipy("uniform")(loc=low, scale=high - low),
           rule=lambda low, high: None if low < high else f"low must be < high, got low={low}, high={high}",
           domain=width_domain("low", "high"), summary="uniform on [low, high)"),
    Family("normal", {"loc": (_NUMBER, 0.0), "scale": (_POSITIVE, 1.0)}, _numpy("normal"),
           _scipy("norm"), summary="Gaussian with mean loc and standard deviation scale"),
    Family("lognormal", {"mean": (_NUMBER, 0.0), "sigma": (_POSITIVE, 1.0)}, _numpy("lognormal"),
           lambda mean, sigma: _scipy("lognorm")(s=sigma, scale=exp_scale(mean)),
           summary="exp of a normal(mean, sigma)"),
    Family("exponential", {"scale": (_POSITIVE, 1.0)}, _numpy("exponential"),
           lambda scale: _scipy("expon")(scale=scale), summary="exponential with mean scale"),
    Family("gamma", {"shape": (_POSITIVE, REQUIRED), "scale": (_POSITIVE, 1.0)}, _numpy("gamma"),
           lambda shape, scale: _scipy("gamma")(a=shape, scale=scale), summary="gamma(shape, scale)"),
    Family("beta", {"a": (_POSITIVE, REQUIRED), "b": (_POSITIVE, REQUIRED)}, _numpy("beta"),
           _scipy("beta"), summary="beta(a, b) on [0, 1]"),
    Family("poisson", {"lam": ({"type": "number", "minimum": 0}, 1.0)}, _numpy("poisson"),
           lambda lam: _scipy("poisson")(mu=lam), integer=True,
           domain=counts_domain("poisson", lambda lam: lam, lambda lam: np.sqrt(lam)),
           summary="Poisson counts with mean lam"),
    Family("binomial", {"n": ({**_INT64, "minimum": 0, "x-expect": "a 64-bit integer >= 0"}, REQUIRED),
                        "p": (_PROBABILITY, REQUIRED)},
           _numpy("binomial"), _scipy("binom"), integer=True,
           domain=counts_domain("binomial", lambda n, p: n * p, lambda n, p: np.sqrt(n * p * (1 - p))),
           summary="successes in n trials of probability p"),
    Family("geometric", {"p": ({"type": "number", "exclusiveMinimum": 0, "maximum": 1}, REQUIRED)},
           _numpy("geometric"), _scipy("geom"), integer=True,
           domain=counts_domain("geometric", lambda p: 1 / p, lambda p: np.sqrt(1 - p) / p),
           summary="trials up to the first success (>= 1)"),
    Family("negative_binomial", {"n": (_POSITIVE, REQUIRED),
                                 "p": ({"type": "number", "exclusiveMinimum": 0, "maximum": 1}, REQUIRED)},
           _numpy("negative_binomial"), _scipy("nbinom"), integer=True,
           domain=counts_domain("negative_binomial", lambda n, p: n * (1 - p) / p,
                                lambda n, p: np.sqrt(n * (1 - p)) / p),
           summary="failures before n successes of probability p"),
    Family("zipf", {"a": ({"type": "number", "exclusiveMinimum": 1}, REQUIRED)}, _numpy("zipf"),
           _Zipf, integer=True, summary="Zipf (zeta) ranks >= 1 with exponent a"),
    Family("pareto", {"a": (_POSITIVE, REQUIRED)}, _numpy("pareto"),
           lambda a: _scipy("lomax")(c=a), summary="Pareto II (Lomax) with shape a, as NumPy draws it"),
    Family("weibull", {"a": (_POSITIVE, REQUIRED)}, _numpy("weibull"),
           lambda a: _scipy("weibull_min")(c=a), summary="Weibull with shape a"),
    Family("triangular", {"left": (_NUMBER, REQUIRED), "mode": (_NUMBER, REQUIRED), "right": (_NUMBER, REQUIRED)},
           _numpy("triangular"),
           lambda left, mode, right: _scipy("triang")(c=(mode - left) / (right - left), loc=left,
                                                      scale=right - left),
           rule=lambda left, mode, right: None if left <= mode <= right and left < right
           else f"need left <= mode <= right and left < right, got left={left}, mode={mode}, right={right}",
           domain=width_domain("left", "right"),
           summary="triangular on [left, right] peaking at mode"),
    Family("laplace", {"loc": (_NUMBER, 0.0), "scale": (_POSITIVE, 1.0)}, _numpy("laplace"),
           _scipy("laplace"), summary="double exponential"),
    Family("logistic", {"loc": (_NUMBER, 0.0), "scale": (_POSITIVE, 1.0)}, _numpy("logistic"),
           _scipy("logistic"), summary="logistic"),
    Family("integers", {"low": (_INT64, REQUIRED), "high": (_INT64, REQUIRED)},
           lambda rng, size, low, high: rng.integers(low, high, size=size, endpoint=True),
           lambda low, high: _scipy("randint")(low=low, high=high + 1), integer=True,
           rule=lambda low, high: None if low <= high else f"low must be <= high, got low={low}, high={high}",
           summary="integers in [low, high], both inclusive"),
]}



# Integer laws: what counts of rows per parent and ranks of skewed refs are drawn from.
COUNT_LAWS = tuple(name for name, family in DISTRIBUTIONS.items() if family.integer)

_MIN_ACCEPTANCE = 0.25  # below this truncation draws by inverse CDF instead of redrawing
_DOMAIN_SAMPLE = 10_000  # draws made at check time to see whether a float law's values are finite
_ACCEPTANCE_SAMPLE = 100_000


class Distribution(Kind):
    """A numeric distribution kind; subclasses are made from :data:`DISTRIBUTIONS`."""

    family: Family
    value_rule = "range"

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        given = {name: self.option(name, default) for name, (_schema, default) in self.family.params.items()}
        # Numbers are the law's parameters; strings are expressions, evaluated for each block.
        self.params = {name: value for name, value in given.items() if not isinstance(value, str)}
        self.texts = {name: value for name, value in given.items() if isinstance(value, str)}
        self.per_row = Parameters(self.family.name, self.pointer)
        self.acceptance = 1.0
        self.by_case = Cases.of(self)  # parameters per case of other columns (rulegen.kinds.conditional)

    def __repr__(self) -> str:
        shown = {**self.params, **{name: repr(text) for name, text in self.texts.items()}}
        return f"{self.name}({', '.join(f'{k}={shown[k]}' for k in self.family.params if k in shown)})"

    def check(self, table: Any) -> list[Diagnostic]:
        return [*check_cases(self, table, lambda case, at: law_problems(self, case, at)), *self._check_own(table)]

    def _check_own(self, table: Any) -> list[Diagnostic]:
        if self.texts:
            return self._check_per_row(table)
        problem = self.family.rule(**self.params)
        if problem:
            return [Diagnostic("RG210", problem, self.column.pointer)]
        problems = self._domain()
        if problems:
            return problems
        truncate = self.option("truncate")
        if truncate is not None:
            lo, hi = truncate
            if lo is not None and hi is not None and lo > hi:
                return [Diagnostic("RG210", f"truncate needs lo <= hi, got [{lo}, {hi}]", self.pointer("truncate"))]
            self.acceptance = self._acceptance(lo, hi)
            if self.acceptance < _MIN_ACCEPTANCE:  # a narrow window: measure it exactly
                self.acceptance = Window(self.law(), lo, hi, self.family.integer).mass
            if not self.acceptance > 0:  # (NaN too: SciPy could not measure it)
                return [Diagnostic("RG210", f"truncate [{lo}, {hi}] has no probability under {self!r}",
                                   self.pointer("truncate"), hint="move the range to where values fall")]
            if self.acceptance < _MIN_ACCEPTANCE:  # drawn through the quantile function
                problem = self.quantile_problem()
                return [problem] if problem else []
        return []

    def _check_per_row(self, table: Any) -> list[Diagnostic]:
        """The expressions of parameters given per row; the checks of their values wait for the
        rows (:class:`~rulegen.kinds.parameters.Parameters`), and what needs a known law before
        any row (a truncation window) is refused."""
        column = table.columns.get(self.column.name)
        owner = getattr(column, "pointer", None)
        if self.column.pointer not in (owner, join_pointer(owner or "", "delay")):
            # A ref's skew, a count of rows per parent: laws of something other than the row.
            name = next(iter(self.texts))
            return [Diagnostic("RG333", f"`{name}` must be a number here, got {self.texts[name]!r}: expressions "
                                        "over the row are for the parameters of a column's law or its delay",
                               self.pointer(name), hint="give a number")]
        if self.option("truncate") is not None:
            return [Diagnostic("RG332", f"`truncate` needs numbers for the parameters of {self.name}, and "
                                        f"{_listed(self.texts)}", self.pointer("truncate"),
                               hint="drop `truncate` and bound the values with `clip: [lo, hi]`, or give numbers")]
        return self.per_row.parse(self.texts, table.columns)

    def dependencies(self) -> frozenset[str]:
        return self.per_row.names() | frozenset(self.by_case.given if self.by_case else ())

    def _domain(self) -> list[Diagnostic]:
        """Parameters NumPy cannot draw from, or whose draws (moved by ``shift``) leave the 64-bit
        integers or floats: refused before any row is made."""
        problem = self.family.domain(**self.params)
        if problem:
            return [Diagnostic("RG275", problem, self.column.pointer, hint=DOMAIN_HINT)]
        if not self.family.integer:
            sample = self.sample()
            infinite = int(np.count_nonzero(~np.isfinite(sample)))
            if infinite:
                return [Diagnostic("RG275", f"{self!r} makes values beyond the range of 64-bit floats "
                                            f"({infinite:,} of {_DOMAIN_SAMPLE:,} draws are infinite)",
                                   self.column.pointer, hint=DOMAIN_HINT)]
            return []
        shift = self.option("shift") or 0
        ends = {"integers": (self.params.get("low"), self.params.get("high")), "binomial": (0, self.params.get("n"))}
        low, high = ends.get(self.family.name, (0, 0))
        if shift and not INT64_MIN <= low + shift <= high + shift <= INT64_MAX:
            return [Diagnostic("RG275", f"shift {shift} moves the values [{low}, {high}] past the 64-bit integers",
                               self.pointer("shift"), hint=DOMAIN_HINT)]
        # The other integer laws draw below 2**53 (counts_domain): only `integers` can round past 2**63.
        problem = rounding_problem(*self.bounds(), self.column.round or 0) if self.family.name == "integers" else None
        return [_round_diagnostic(self.column, problem)] if problem else []

    def sample(self, size: int = _DOMAIN_SAMPLE) -> np.ndarray:
        """A fixed sample of the column's values as floats, for checks made before any row: draws
        of a generator seeded 0, clipped to ``truncate`` (not redrawn), then shifted."""
        values = self.family.draw(np.random.default_rng(0), size, **self.params).astype(np.float64)
        lo, hi = self.option("truncate") or (None, None)
        if lo is not None or hi is not None:
            values = np.clip(values, lo, hi)
        with np.errstate(over="ignore"):  # an infinite value is what the caller looks for
            return values + (self.option("shift") or 0)

    def _acceptance(self, lo: float | None, hi: float | None) -> float:
        """Share of draws inside [lo, hi], estimated from a fixed sample (SciPy is slow to import)."""
        sample = self.family.draw(np.random.default_rng(0), _ACCEPTANCE_SAMPLE, **self.params)
        inside = np.ones(len(sample), dtype=bool)
        inside &= sample >= lo if lo is not None else True
        inside &= sample <= hi if hi is not None else True
        return float(inside.mean())

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.int64() if self.family.integer else pa.float64()
        self.per_row.compile(env)
        if self.by_case is not None:
            self.by_case.compile(env)
            self.case_laws = law_windows(self)

    def law(self) -> Any:
        """The SciPy distribution of the draws, before truncation and shift."""
        return self.family.scipy(**self.params)

    def inverse_cdf(self, u: np.ndarray) -> np.ndarray:
        """Values at uniform quantiles ``u`` (truncation included, shift not)."""
        lo, hi = self.option("truncate") or (None, None)
        return Window(self.law(), lo, hi, self.family.integer).quantile(u)

    def quantile_problem(self) -> Diagnostic | None:
        """Parameters whose quantile function SciPy cannot compute (``beta`` with ``b`` of
        5e-324 overflows inside Boost): a correlated or narrowly truncated column draws through
        it, so that is refused before any row is made; and so is a law that changes from row to
        row, which has no one quantile function."""
        if self.texts:
            return Diagnostic("RG332", f"a correlated column needs numbers for the parameters of {self.name}, and "
                                       f"{_listed(self.texts)}", self.pointer(next(iter(self.texts))),
                              hint="give numbers, or drop the correlation")
        probe = np.array([1e-9, 1e-3, 0.5, 1 - 1e-3, 1 - 1e-9])
        try:
            with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
                warnings.simplefilter("error", RuntimeWarning)
                values = np.asarray(self.inverse_cdf(probe), dtype=np.float64)
            failed = not np.isfinite(values).all()
        except (ArithmeticError, ValueError, RuntimeWarning):
            failed = True
        if not failed:
            return None
        return Diagnostic("RG275", f"the quantiles of {self!r} cannot be computed in 64-bit floats, and a correlated "
                                   "or narrowly truncated column is drawn through them", self.column.pointer,
                          hint=DOMAIN_HINT)

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """In the support of the law, cut by ``truncate``, then moved by ``shift`` (integers only
        for integer laws, both ends inclusive); a law given per row cannot tell."""
        if self.texts or self.by_case:  # a null parameter makes a null; cases make other ranges
            return unknown(values, null=bool(self.texts))
        low, high = self.bounds()
        if self.family.integer and pa.types.is_integer(values.type):  # exact, past 2**53 too
            nulls = values.is_null().to_numpy(zero_copy_only=False)
            return verdict(in_integer_range(values, low, high, within=within), nulls, False)
        x, nulls = numbers(values)
        low, high = -math.inf if low is None else low, math.inf if high is None else high
        ok = in_intervals(x, [low], [high], within=within, integer=self.family.integer)
        return verdict(ok, nulls, False)

    def bounds(self) -> tuple[float | None, float | None]:
        """The law's support cut by ``truncate``, moved by ``shift`` (an open end is None);
        Python integers for an integer law, so a bound past 2**53 stays exact. Unknown for a
        law given per row or per case."""
        if self.texts or self.by_case:
            return None, None
        low, high = self._support()
        cut_low, cut_high = self.option("truncate") or (None, None)
        if self.family.integer:  # the integers of the window
            cut_low = None if cut_low is None else math.ceil(cut_low)
            cut_high = None if cut_high is None else math.floor(cut_high)
        low = low if cut_low is None else max(low, cut_low)
        high = high if cut_high is None else min(high, cut_high)
        shift = self.option("shift") or 0
        return (low + shift if math.isfinite(low) else None, high + shift if math.isfinite(high) else None)

    def _support(self) -> tuple[float, float]:
        """The law's support; exact integers where parameters are its ends (SciPy's are floats)."""
        if self.family.name == "integers":
            return self.params["low"], self.params["high"]
        if self.family.name == "binomial":
            return 0, self.params["n"]
        low, high = (float(end) for end in SUPPORTS[self.family.name](**self.params))
        if self.family.integer:  # 0 or 1 to infinity
            low, high = (int(end) if math.isfinite(end) else end for end in (low, high))
        return low, high

    def do_evaluate(self, ctx: Any) -> np.ndarray | pa.Array:
        if self.texts:
            return self._evaluate_per_row(ctx)
        if self.by_case is not None:
            values = draw_cases(self.by_case, ctx, self.inverse_cdf, self.case_laws, integer=self.family.integer)
            return self._shifted(values, ctx.rows)
        u = ctx.uniform()
        truncate = self.option("truncate")
        if u is not None or (truncate is not None and self.acceptance < _MIN_ACCEPTANCE):
            values = self.inverse_cdf(u if u is not None else ctx.rng().random(ctx.n))
        else:
            rng = ctx.rng()
            values = self.family.draw(rng, ctx.n, **self.params)
            if truncate is not None:
                values = self.redraw_outside(values, rng, *truncate)
        return self._shifted(values, ctx.rows)

    def _evaluate_per_row(self, ctx: Any) -> pa.Array:
        """Draws with this block's parameters, one per row (truncation and copulas are refused
        with them); a row whose parameter is null gets a null."""
        params, nulls = self.per_row.values(ctx, self.params)
        values = np.zeros(ctx.n, dtype=np.int64 if self.family.integer else np.float64)
        if not nulls.all():
            kept = ctx.rows[~nulls]
            drawn = self.family.draw(ctx.rng(), len(kept), **params)
            values[~nulls] = self._shifted(drawn, kept)
        return pa.array(values, mask=nulls if nulls.any() else None)

    def _shifted(self, values: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """``values`` moved by ``shift``; a value that leaves the 64-bit integers or floats (a draw
        far in a tail that the checks could not rule out) stops the run naming its row."""
        shift = self.option("shift") or 0
        if self.family.integer:
            outside = values > INT64_MAX - shift if shift > 0 else values < INT64_MIN - shift
            if outside.any():
                raise value_error("RG414", f"{values[outside.argmax()]} + shift {shift} does not fit in a 64-bit "
                                           "integer", self.pointer("shift"), rows[outside.argmax()])
            return values + shift if shift else values
        with np.errstate(over="ignore"):  # an infinite value stops the run just below
            values = values + shift if shift else values
        infinite = ~np.isfinite(values)
        if infinite.any():
            raise value_error("RG414", f"{self!r} drew {values[infinite.argmax()]}, beyond the range of 64-bit "
                                       "floats", self.column.pointer, rows[infinite.argmax()])
        return values

    def redraw_outside(self, values: np.ndarray, rng: np.random.Generator, lo: float | None,
                        hi: float | None) -> np.ndarray:
        """``values`` with every draw outside [lo, hi] drawn again until inside (a true truncation)."""

        def outside(x: np.ndarray) -> np.ndarray:
            return ((x < lo) if lo is not None else False) | ((x > hi) if hi is not None else False)

        bad = np.flatnonzero(outside(values))
        while len(bad):
            fresh = self.family.draw(rng, len(bad), **self.params)
            values[bad] = fresh
            bad = bad[outside(fresh)]
        return values

    def _integer_grid(self) -> tuple[int, int, int]:
        """First and last point and step of an `integers` column's values, after `truncate` and a
        negative `round` (which keeps multiples of 10, 100, ...)."""
        low, high = self.params["low"], self.params["high"]
        lo, hi = self.option("truncate") or (None, None)
        low, high = (low if lo is None else max(low, math.ceil(lo)), high if hi is None else min(high, math.floor(hi)))
        step = 10 ** -min(self.column.round or 0, 0)
        return -(-low // step) * step, high // step * step, step

    def space_size(self) -> int | None:
        if self.family.name == "integers" and not self.texts and not self.by_case:
            first, last, step = self._integer_grid()
            return max(0, (last - first) // step + 1)
        return None

    def values_at(self, index: np.ndarray) -> pa.Array:
        first, _, step = self._integer_grid()
        return pa.array(first + index * step + (self.option("shift") or 0))


def _listed(texts: dict[str, str]) -> str:
    """What the names of ``texts`` are: an expression, or expressions."""
    names = ", ".join(f"`{name}`" for name in texts)
    return f"{names} is an expression" if len(texts) == 1 else f"{names} are expressions"


def _round_diagnostic(column: Any, problem: str) -> Diagnostic:
    return Diagnostic("RG282", f"round {column.round}: {problem}", join_pointer(column.pointer, "round"),
                      hint="round to fewer digits, or keep the values further from ±9.2e18")


def value_error(code: str, message: str, pointer: str, row: int, hint: str | None = None) -> GenerationError:
    """The error that stops a run at the first ``row`` where a column has no valid value."""
    return GenerationError([Diagnostic(code, f"row {row}: {message}", pointer,
                                       hint=hint or "the parameters reach the limits of 64-bit numbers")])


def _make(family: Family) -> type[Distribution]:
    options: dict[str, dict[str, Any]] = {
        name: {**parameter_schema(schema), **({"default": default} if default is not REQUIRED else {}),
               "description": _PARAMETERS[family.name][name]}
        for name, (schema, default) in family.params.items()
    }
    bound = {"type": ["number", "null"]}
    options["truncate"] = {"type": "array", "items": bound, "minItems": 2, "maxItems": 2,
                           "description": "[lo, hi]: out-of-range draws are redrawn (null: open side)"}
    options["shift"] = {"type": "integer" if family.integer else "number", "description": "added after drawing"}
    options |= case_options(law_leaf({name: schema for name, (schema, _) in family.params.items()}),
                            "parameters that replace the law's own")
    required = tuple(name for name, (_, default) in family.params.items() if default is REQUIRED)
    example_params = {name: (default if default is not REQUIRED else _EXAMPLES[family.name][name])
                      for name, (_, default) in family.params.items()}
    attrs = {
        "name": family.name,
        "family": family,
        "summary": family.summary,
        "options": options,
        "required": required,
        "example": {"kind": family.name, **example_params},
    }
    cls = type(f"{family.name.title().replace('_', '')}Kind", (Distribution,), attrs)
    globals()[cls.__name__] = cls  # importable by name, so plans pickle into worker processes
    return register(cls)


# What each parameter is, for the schema and the reference (docs/spec.md); names are NumPy's.
_PARAMETERS: dict[str, dict[str, str]] = {
    "uniform": {"low": "lower bound (inclusive)", "high": "upper bound (exclusive)"},
    "normal": {"loc": "mean", "scale": "standard deviation"},
    "lognormal": {"mean": "mean of the underlying normal", "sigma": "standard deviation of the underlying normal"},
    "exponential": {"scale": "mean (1 / rate)"},
    "gamma": {"shape": "shape k", "scale": "scale theta (the mean is shape * scale)"},
    "beta": {"a": "shape alpha", "b": "shape beta"},
    "poisson": {"lam": "mean lambda"},
    "binomial": {"n": "number of trials", "p": "probability of success in a trial"},
    "geometric": {"p": "probability of success in a trial"},
    "negative_binomial": {"n": "number of successes", "p": "probability of success in a trial"},
    "zipf": {"a": "exponent: the larger, the more values are 1"},
    "pareto": {"a": "shape (the tail index)"},
    "weibull": {"a": "shape k"},
    "triangular": {"left": "lower bound", "mode": "most likely value", "right": "upper bound"},
    "laplace": {"loc": "centre (mean and median)", "scale": "scale b (the mean absolute deviation)"},
    "logistic": {"loc": "centre (mean and median)", "scale": "scale s (the standard deviation is s * pi / sqrt(3))"},
    "integers": {"low": "smallest value (inclusive)", "high": "largest value (inclusive)"},
}

_EXAMPLES: dict[str, dict[str, Any]] = {
    "gamma": {"shape": 2.0}, "beta": {"a": 2.0, "b": 5.0}, "binomial": {"n": 10, "p": 0.3},
    "geometric": {"p": 0.2}, "negative_binomial": {"n": 3, "p": 0.4}, "zipf": {"a": 2.0},
    "pareto": {"a": 3.0}, "weibull": {"a": 1.5}, "triangular": {"left": 0, "mode": 2, "right": 10},
    "integers": {"low": 1, "high": 6},
}

for _family in DISTRIBUTIONS.values():
    _make(_family)


@register
class Sequence(Kind):
    """1, 2, 3… (``start``, ``step``): a key that is a pure function of the row index; with
    ``within: REFCOL`` (the ref to the table's parent) it restarts for each parent."""

    name = "sequence"
    drawn = False  # its value at a row is fixed, or follows its inputs
    summary = "start, start + step, start + 2*step, ...; with `within`, restarting for each parent row"
    options = {"start": {**_INT64, "default": 1, "description": "the first value"},
               "step": {**_INT64, "default": 1, "description": "added from one row to the next"},
               "within": {"type": "string", "description": "the ref column to the parent (rows per parent)"}}
    example = {"kind": "sequence", "start": 1}
    inherently_unique = True
    value_rule = "sequence"

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        if self.option("within") is not None:
            self.inherently_unique = False  # unique only together with the parent
        self.link: Any = None

    def check(self, table: Any) -> list[Diagnostic]:
        if (within := self.option("within")) is not None and within not in table.columns:
            return [Diagnostic("RG212", f"`within` names unknown column `{within}`", self.pointer("within"),
                               hint=did_you_mean(within, table.columns))]
        if self.option("step", 1) == 0:
            return [Diagnostic("RG210", "step must not be 0", self.pointer("step"))]
        return []

    def dependencies(self) -> frozenset[str]:
        within = self.option("within")
        return frozenset([within]) if within else frozenset()

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.int64()
        self.rows = env.rows
        within = self.option("within")
        if within is not None:
            ref = env.kinds.get(within)
            if not getattr(ref, "holds_parent", False):
                env.report("RG218", f"`within` must name the ref to this table's parent (rows per parent), "
                                    f"and `{within}` is not one", self.pointer("within"))
                return
            self.link = env.link
        start, step, terms = self.option("start", 1), self.option("step", 1), self._terms()
        last = start + step * max(terms - 1, 0)  # Python's exact integers: this cannot wrap
        if not INT64_MIN <= last <= INT64_MAX:
            env.report("RG274", f"the sequence reaches {last} at value {terms:,}, past the 64-bit integers",
                       self.pointer("step" if self.option("step") is not None else "start"),
                       hint=f"start lower or take a smaller step: values must stay within ±{INT64_MAX:,}")
        elif problem := rounding_problem(*self.bounds(), self.column.round or 0):
            env.diagnostics.append(_round_diagnostic(self.column, problem))

    def _terms(self) -> int:
        """How many values the sequence makes: one per row, or the most rows of a parent."""
        return self.rows if self.link is None else max(self.link.max_count(), 1)

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """One of the table's ``rows`` terms of the progression start, start + step, ..."""
        start, step = self.option("start", 1), self.option("step", 1)
        if pa.types.is_integer(values.type):  # exact integer arithmetic
            nulls = values.is_null().to_numpy(zero_copy_only=False)
            x = values.fill_null(start).to_numpy(zero_copy_only=False).astype(np.int64)
            return verdict(in_progression(x, start, step, self.rows, within=within), nulls, False)
        x, nulls = numbers(values)
        # Term numbers k with start + k * step within `within` of x, then k in [0, rows - 1].
        ends = np.sort(np.stack([(x - within - start) / step, (x + within - start) / step]), axis=0)
        with np.errstate(invalid="ignore"):
            first = np.maximum(np.ceil(ends[0] - 1e-9), 0)
            ok = first <= np.minimum(np.floor(ends[1] + 1e-9), self.rows - 1)
        return verdict(ok, nulls, False)

    def bounds(self) -> tuple[float, float]:
        start, step = self.option("start", 1), self.option("step", 1)
        ends = (start, start + step * max(self._terms() - 1, 0))
        return min(ends), max(ends)

    def do_evaluate(self, ctx: Any) -> np.ndarray:
        position = ctx.rows
        if self.link is not None:
            position = ctx.rows - self.link.first_child(self.link.parent_rows(ctx.rows))
        return self.option("start", 1) + self.option("step", 1) * position


# Registered after the laws and `sequence`, as the reference lists them.
from rulegen.kinds.histogram import Histogram  # noqa: E402
