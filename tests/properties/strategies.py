"""Hypothesis strategies: random *valid* one-table rulegen specs, with what each one promises.

:func:`table_specs` draws a :class:`TableCase`: the YAML text of a spec with one table ``t``
(a ``sequence`` primary key ``id`` plus 2-8 drawn columns, sometimes constraints) and, for every
column, the facts the spec promises about its values: bounds, allowed values, a regex, how a
derived value is computed. Those facts are worked out here from the drawn parameters (with
SciPy for quantiles), never read back from rulegen, so the properties in this folder check
rulegen against the spec language, not against itself.

Every column maker is a small ``@st.composite`` function taking the column's name, the row
count and the columns drawn before it; :data:`MAKERS` lists them.

Combinations that hit a known rulegen bug are left out of the general strategy and each gets
its own strict-xfail reproduction in ``test_regressions.py``; search for ``KNOWN BUG``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from hypothesis import strategies as st

TABLE = "t"

# Null rates: mostly none, sometimes the edges (all null).
NULL_RATES = st.sampled_from([0.0, 0.0, 0.0, 0.05, 0.1, 0.3, 0.5, 1.0])
SEEDS = st.one_of(st.integers(0, 2**32), st.integers(2**32, 2**63 - 1))


# --------------------------------------------------------------------------------------------
# What a column promises
# --------------------------------------------------------------------------------------------

@dataclass
class Bounds:
    """Values lie in [lo, hi] (or (lo, .. / .., hi) when open); None is an open side."""

    lo: Any = None
    hi: Any = None
    lo_open: bool = False
    hi_open: bool = False

    def contains(self, v: Any) -> bool:
        if self.lo is not None and (v < self.lo or (self.lo_open and v == self.lo)):
            return False
        return not (self.hi is not None and (v > self.hi or (self.hi_open and v == self.hi)))


@dataclass
class Col:
    """One drawn column: its YAML options and the facts the spec promises about its values."""

    name: str
    opts: dict[str, Any]  # the column's YAML mapping, `kind` first
    numeric: bool = False  # values are numbers (int or float)
    integer: bool = False  # values are integers
    bounds: Bounds | None = None  # every non-null value lies inside
    allowed: frozenset[Any] | None = None  # every non-null value is one of these
    regex: str | None = None  # every non-null value re.fullmatch-es this
    grid: int | None = None  # `round`: every value is a multiple of 10**-grid
    quantile: Callable[[float], float] | None = None  # q -> a value with P(X <= it) >= q (random numerics)
    entropic: bool = False  # so many possible values that two seeds cannot make the same table
    redrawable: bool = False  # a constraint redraw gives it fresh values (random and not unique)
    inputs: tuple[str, ...] = ()  # columns it is computed from
    template_text: bool = False  # str(value) is its text inside a template (strings, integers)
    derive: Any = None  # for template/expr: how the value is computed (see oracle.py)

    @property
    def kind(self) -> str:
        return self.opts["kind"]

    @property
    def null(self) -> float:
        return self.opts.get("null", 0.0)

    @property
    def unique(self) -> bool:
        return bool(self.opts.get("unique"))

    @property
    def hidden(self) -> bool:
        return bool(self.opts.get("hidden"))


@dataclass
class Constraint:
    """``left <= right + offset`` (right set) or ``left >= offset`` (right None)."""

    left: str
    right: str | None
    offset: float

    @property
    def text(self) -> str:
        if self.right is None:
            return f"{self.left} >= {_scalar(self.offset)}"
        return f"{self.left} <= {self.right} + {_scalar(self.offset)}"


@dataclass
class TableCase:
    """A drawn spec: its YAML text and what it promises."""

    rows: int
    columns: dict[str, Col]
    constraints: list[Constraint] = field(default_factory=list)
    seed: int | None = None  # the spec's own `seed:`
    yaml: str = ""

    def __repr__(self) -> str:  # what Hypothesis prints for a failing example: the spec itself
        return f"TableCase(yaml=<<<\n{self.yaml}>>>)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # Hypothesis's pretty printer
        printer.text(repr(self))

    @property
    def output(self) -> list[str]:
        return [name for name, c in self.columns.items() if not c.hidden]

    @property
    def entropic(self) -> bool:
        """Two seeds cannot give the same table (some visible column has a huge value space)."""
        return self.rows >= 10 and any(c.entropic and not c.hidden and c.null <= 0.5 for c in self.columns.values())


# --------------------------------------------------------------------------------------------
# YAML rendering (flow mappings, one column a line, as in SPEC.md)
# --------------------------------------------------------------------------------------------

class Bare(str):
    """A string written without quotes (dates: YAML reads them as timestamps, rulegen as text)."""


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Bare):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        assert "e" not in text and "n" not in text, f"float {text} would not read back as a float"
        return text
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_scalar(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def render(case: TableCase) -> str:
    lines = ["version: 1"]
    if case.seed is not None:
        lines.append(f"seed: {case.seed}")
    lines += ["tables:", f"  {TABLE}:", f"    rows: {case.rows}", "    primary_key: id", "    columns:"]
    for name, col in case.columns.items():  # option names bare, values as YAML scalars
        lines.append(f"      {name}: {{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in col.opts.items()) + "}")
    if case.constraints:
        lines.append("    constraints:")
        lines += [f"      - {json.dumps(c.text)}" for c in case.constraints]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

def _on_grid(x: float, digits: int, how: Callable[[float], float] = round) -> float | int:
    """``x`` snapped to a multiple of 10**-digits (digits <= 4, so the float reads back exactly)."""
    if digits <= 0:
        return int(how(x / 10**-digits)) * 10**-digits
    return round(how(x * 10**digits) / 10**digits, digits)


@cache
def _scipy() -> Any:
    import scipy.stats

    return scipy.stats


def _law(kind: str, p: dict[str, Any]) -> Any:
    """The SciPy law of NumPy's ``kind`` with these parameters (written here, not taken from rulegen)."""
    s = _scipy()
    if kind == "uniform":
        return s.uniform(loc=p["low"], scale=p["high"] - p["low"])
    if kind == "normal":
        return s.norm(loc=p["loc"], scale=p["scale"])
    if kind == "lognormal":
        return s.lognorm(s=p["sigma"], scale=math.exp(p["mean"]))
    if kind == "gamma":
        return s.gamma(a=p["shape"], scale=p["scale"])
    if kind == "poisson":
        return s.poisson(mu=p["lam"])
    if kind == "integers":
        return s.randint(low=p["low"], high=p["high"] + 1)
    raise ValueError(kind)


@st.composite
def _distribution_params(draw: Any, kind: str) -> dict[str, Any]:
    r2 = lambda lo, hi: st.floats(lo, hi).map(lambda x: round(x, 2))  # noqa: E731
    if kind == "uniform":
        low = draw(r2(-1000, 1000))
        return {"low": low, "high": round(low + draw(r2(0.5, 2000)), 2)}
    if kind == "normal":
        return {"loc": draw(r2(-100, 100)), "scale": draw(r2(0.1, 50))}
    if kind == "lognormal":
        return {"mean": draw(r2(-1, 2)), "sigma": draw(r2(0.1, 1.2))}
    if kind == "gamma":
        return {"shape": draw(r2(0.5, 5)), "scale": draw(r2(0.1, 20))}
    if kind == "poisson":
        return {"lam": draw(r2(0.5, 40))}
    low = draw(st.integers(-1000, 1000))
    return {"low": low, "high": low + draw(st.sampled_from([0, 1, 5, 100, 999, 5000, 10**6]))}


_NATURAL = {  # the support of each law, before truncate/shift/clip
    "uniform": lambda p: Bounds(p["low"], p["high"], hi_open=True),
    "normal": lambda p: Bounds(),
    "lognormal": lambda p: Bounds(0.0, None),
    "gamma": lambda p: Bounds(0.0, None),
    "poisson": lambda p: Bounds(0, None),
    "integers": lambda p: Bounds(p["low"], p["high"]),
}


@st.composite
def distribution(draw: Any, name: str, rows: int, earlier: dict[str, Col]) -> Col:
    """uniform / normal / lognormal / gamma / poisson / integers, with truncate, shift, clip, round."""
    kind = draw(st.sampled_from(["uniform", "normal", "lognormal", "gamma", "poisson", "integers"]))
    integer = kind in ("poisson", "integers")
    params = draw(_distribution_params(kind))
    law = _law(kind, params)
    opts: dict[str, Any] = {"kind": kind, **params}
    # `round`, and the grid truncate, shift and clip bounds are drawn on.
    rnd = draw(st.sampled_from([None, None, None, -1, -2] if integer else [None, None, -1, 0, 1, 2, 3]))
    digits = 0 if integer else (rnd if rnd is not None else 3)
    snap_down = lambda x: _on_grid(x, digits, math.floor)  # noqa: E731
    snap_up = lambda x: _on_grid(x, digits, math.ceil)  # noqa: E731

    bounds = _NATURAL[kind](params)
    lo_q, hi_q = 0.0, 1.0  # the part of the law kept by truncate
    if draw(st.integers(0, 3)) == 0:
        q1 = draw(st.sampled_from([0.0, 0.01, 0.2, 0.5, 0.8]))
        q2 = min(1.0, q1 + draw(st.sampled_from([0.05, 0.15, 0.5, 1.0])))
        t_lo = None if q1 == 0 else snap_down(float(law.ppf(q1)))
        t_hi = None if q2 == 1 else snap_up(float(law.ppf(q2)))
        if t_lo is not None or t_hi is not None:
            opts["truncate"] = [t_lo, t_hi]
            lo_q = 0.0 if t_lo is None else float(law.cdf(t_lo - 1 if integer else t_lo))
            hi_q = 1.0 if t_hi is None else float(law.cdf(t_hi))
            bounds = _intersect(bounds, Bounds(t_lo, t_hi))
    shift = 0
    if draw(st.integers(0, 3)) == 0:
        shift = draw(st.integers(-50, 50)) if integer else _on_grid(draw(st.floats(-100, 100)), max(digits, 0))
        opts["shift"] = shift
        bounds = Bounds(None if bounds.lo is None else bounds.lo + shift,
                        None if bounds.hi is None else bounds.hi + shift, hi_open=bounds.hi_open)

    def quantile(q: float) -> float:  # of the drawn value after truncate and shift (before round, clip)
        return float(law.ppf(lo_q + q * (hi_q - lo_q))) + shift

    if rnd is not None:
        # Rounding is monotone: values stay within the bounds snapped outwards to the grid
        # (closed: an open bound can be rounded onto).
        opts["round"] = rnd
        bounds = Bounds(None if bounds.lo is None else _on_grid(bounds.lo, rnd, math.floor),
                        None if bounds.hi is None else _on_grid(bounds.hi, rnd, math.ceil))
    clip = None
    if draw(st.integers(0, 4)) == 0:
        a, b = sorted([draw(st.floats(0.001, 0.999)), draw(st.floats(0.001, 0.999))])
        c_lo = None if draw(st.booleans()) and a < 0.3 else snap_down(quantile(a))
        c_hi = None if draw(st.booleans()) and b > 0.7 else snap_up(quantile(b))
        grid_inside = rnd is None or None in (c_lo, c_hi) or \
            _on_grid(c_lo, rnd, math.ceil) <= _on_grid(c_hi, rnd, math.floor)  # else a spec error
        if (c_lo, c_hi) != (None, None) and (c_lo is None or c_hi is None or c_lo < c_hi) and grid_inside:
            # SPEC: values lie within clip, rounded or not (rulegen rounds, then clips to the
            # clip bounds snapped inwards to the grid).
            clip = (c_lo, c_hi)
            opts["clip"] = [c_lo, c_hi]
            bounds = _clipped(bounds, c_lo, c_hi)

    def final(x: float) -> float:  # round and clip are monotone: they carry quantiles over
        x = _on_grid(x, rnd) if rnd is not None else x
        if clip is not None:  # rulegen clips to the clip bounds snapped inwards to the grid
            low = clip[0] if clip[0] is None or rnd is None else _on_grid(clip[0], rnd, math.ceil)
            high = clip[1] if clip[1] is None or rnd is None else _on_grid(clip[1], rnd, math.floor)
            x = max(x, low) if low is not None else x
            x = min(x, high) if high is not None else x
        return x

    # unique: integers by keyed permutation (needs the space), floats when unrounded (checked).
    # (clip would pile values up on its bounds, so never with unique.)
    space = None
    if kind == "integers":
        t_lo, t_hi = opts.get("truncate", [None, None])
        space = min(params["high"], t_hi if t_hi is not None else params["high"]) - \
            max(params["low"], t_lo if t_lo is not None else params["low"]) + 1
    if kind == "integers" and rnd is not None and rnd < 0:  # unique values are multiples of 10**-rnd
        step = 10**-rnd
        t_lo, t_hi = opts.get("truncate", [None, None])
        low = max(params["low"], t_lo if t_lo is not None else params["low"])
        high = min(params["high"], t_hi if t_hi is not None else params["high"])
        space = max(0, (high // step * step - -(-low // step) * step) // step + 1)
    can_be_unique = clip is None and (rnd is None or kind == "integers") and \
        ((kind == "integers" and space >= rows) or not integer)
    if can_be_unique and draw(st.integers(0, 3)) == 0:
        opts["unique"] = True
    # A permuted unique column redrawn by a constraint takes one of its row's spare values,
    # (space - rows) // rows of them: with >= 100 spares a >= 25 % pass rate cannot run out.
    redrawable = not opts.get("unique") or kind != "integers" or (space - rows) // max(rows, 1) >= 100
    opts["null"] = draw(NULL_RATES)
    wide = (not integer and rnd is None and clip is None) or (kind == "integers" and space >= 1000 and clip is None)
    return Col(name, opts, numeric=True, integer=integer or (rnd is not None and rnd <= 0), bounds=bounds,
               grid=rnd, quantile=lambda q: final(quantile(q)), entropic=wide,
               redrawable=redrawable)


def _intersect(a: Bounds, b: Bounds) -> Bounds:
    """Bounds that both ``a`` and ``b`` promise."""
    lo, lo_open = a.lo, a.lo_open
    if b.lo is not None and (lo is None or b.lo > lo or (b.lo == lo and b.lo_open)):
        lo, lo_open = b.lo, b.lo_open
    hi, hi_open = a.hi, a.hi_open
    if b.hi is not None and (hi is None or b.hi < hi or (b.hi == hi and b.hi_open)):
        hi, hi_open = b.hi, b.hi_open
    return Bounds(lo, hi, lo_open, hi_open)


def _clipped(b: Bounds, lo: float | None, hi: float | None) -> Bounds:
    """The bounds of clip(v, lo, hi) for v in ``b`` (clip is monotone, so clip the ends)."""
    def clamp(x: Any, default: Any) -> Any:
        if x is None:
            return default
        x = max(x, lo) if lo is not None else x
        return min(x, hi) if hi is not None else x

    new_lo = clamp(b.lo, lo)
    new_hi = clamp(b.hi, hi)
    return Bounds(new_lo, new_hi, hi_open=b.hi_open and new_hi == b.hi)


# --------------------------------------------------------------------------------------------
# Categorical
# --------------------------------------------------------------------------------------------

CHOICE_STRINGS = ["US", "DE", "NO", "yes", "off", "null", "1.5", "007", "a b", "é", "", "x:y"]


@st.composite
def boolean(draw: Any, name: str, rows: int, earlier: dict[str, Col]) -> Col:
    p = draw(st.sampled_from([0.0, 1.0, 0.5, 0.9]) | st.floats(0, 1).map(lambda x: round(x, 2)))
    allowed = {True, False} - ({True} if p == 0 else set()) - ({False} if p == 1 else set())
    return Col(name, {"kind": "bool", "p": p, "null": draw(NULL_RATES)}, allowed=frozenset(allowed),
               redrawable=True)


@st.composite
def choice(draw: Any, name: str, rows: int, earlier: dict[str, Col]) -> Col:
    """A weighted mapping (values with weight 0 must never appear) or a list (repeats allowed)."""
    atom = draw(st.sampled_from([st.sampled_from(CHOICE_STRINGS), st.integers(-50, 50),
                                 st.sampled_from(CHOICE_STRINGS) | st.integers(-50, 50)]))
    if draw(st.booleans()):
        keys = draw(st.lists(atom, min_size=1, max_size=6, unique_by=lambda v: (type(v), v)))
        weights = draw(st.lists(st.integers(0, 10), min_size=len(keys), max_size=len(keys)))
        if not any(weights):
            weights[0] = 1
        values: Any = dict(zip(keys, weights, strict=True))
        drawn = [k for k, w in values.items() if w > 0]
    else:
        values = draw(st.lists(atom, min_size=1, max_size=6))
        drawn = list(values)
    mixed = len({type(v) for v in values}) > 1
    allowed = {str(v) if mixed else v for v in drawn}  # strings and numbers together become strings
    opts: dict[str, Any] = {"kind": "choice", "values": values}
    if len(allowed) >= rows and draw(st.booleans()):
        opts["unique"] = True
    opts["null"] = draw(NULL_RATES)
    return Col(name, opts, allowed=frozenset(allowed), template_text=True, redrawable=not opts.get("unique"))


@st.composite
def constant(draw: Any, name: str, rows: int, earlier: dict[str, Col]) -> Col:
    value = draw(st.sampled_from(["EUR", "", "NO", "true"]) | st.integers(-10**6, 10**6) | st.booleans()
                 | st.floats(-1000, 1000).map(lambda x: round(x, 3)))
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return Col(name, {"kind": "constant", "value": value, "null": draw(NULL_RATES)}, allowed=frozenset([value]),
               numeric=numeric, integer=isinstance(value, int) and numeric,
               template_text=isinstance(value, str) or (numeric and isinstance(value, int)))


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------

UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


@st.composite
def uuid(draw: Any, name: str, rows: int, earlier: dict[str, Col]) -> Col:
    opts: dict[str, Any] = {"kind": "uuid"}
    if draw(st.booleans()):
        opts["unique"] = True
    opts["null"] = draw(NULL_RATES)
    return Col(name, opts, regex=UUID_RE, entropic=True, template_text=True, redrawable=True)


# (pattern text, number of characters it can be) for one position
_CLASSES = [("[A-Z]", 26), ("[a-z]", 26), ("[0-9]", 10), (r"\d", 10), ("[A-F0-9]", 16), ("[A-Z_-]", 28),
            (r"\w", 63), ("[^a-z]", 69), ("-", 1), ("X", 1), (":", 1)]


@st.composite
def pattern(draw: Any, name: str, rows: int, earlier: dict[str, Col]) -> Col:
    """A pattern built from classes with {m}, {m,n}, ?, +, * and (a|b) groups.

    Fixed-shape patterns (no alternation, only {m}) have an exactly known value space, so they
    can be unique; the others are never asked to be.
    """
    parts, fixed, space = [], True, 1
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 5)) == 0:
            branches = draw(st.lists(st.sampled_from(["AB", "C", "DEF", "7", "x-y"]), min_size=2, max_size=3,
                                     unique=True))
            text, size, fixed = "(" + "|".join(branches) + ")", len(branches), False
        else:
            text, size = draw(st.sampled_from(_CLASSES))
        repeat = draw(st.sampled_from(["", "", "{m}", "{m}", "{m,n}", "?", "+", "*"]))
        m = draw(st.integers(0 if repeat == "{m,n}" else 1, 5))
        if repeat == "{m}":
            text, size = f"{text}{{{m}}}", size**m
        elif repeat == "{m,n}":
            text, fixed = f"{text}{{{m},{m + draw(st.integers(0, 3))}}}", False
        elif repeat:
            text, fixed = text + repeat, False
        parts.append(text)
        space *= size
    regex = "".join(parts)
    opts: dict[str, Any] = {"kind": "pattern", "pattern": regex}
    if fixed and space >= rows and draw(st.booleans()):
        opts["unique"] = True
    opts["null"] = draw(NULL_RATES)
    return Col(name, opts, regex=regex, entropic=fixed and space >= 10**4, template_text=True,
               redrawable=not opts.get("unique"))


# Literal pieces of a template, as written and as they come out ({{ and }} are braces).
_TEMPLATE_TEXT = [("-", "-"), ("_", "_"), (" ", " "), ("@x.", "@x."), ("/", "/"), ("{{", "{"), ("}}", "}"), ("", "")]


@st.composite
def template(draw: Any, name: str, rows: int, earlier: dict[str, Col]) -> Col:
    """A template over earlier string/integer columns; when unique, it ends in ``#{id}``."""
    sources = [c for c in earlier.values() if c.template_text]  # `id` is always one
    used = draw(st.lists(st.sampled_from(sources), min_size=1, max_size=3))
    text, derive = "", []
    for col in used:
        written, out = draw(st.sampled_from(_TEMPLATE_TEXT))
        text += written + "{" + col.name + "}"
        derive += [out, (col.name,)]
    unique = draw(st.integers(0, 3)) == 0
    if unique:
        text += "#{id}"
        derive += ["#", ("id",)]
    case = draw(st.sampled_from([None, "lower", "upper"]))
    opts: dict[str, Any] = {"kind": "template", "template": text}
    if case:
        opts[case] = True
    if unique:
        opts["unique"] = True
    opts["null"] = draw(NULL_RATES)
    inputs = tuple(dict.fromkeys(p[0] for p in derive if isinstance(p, tuple)))
    return Col(name, opts, inputs=inputs, derive=(derive, case), template_text=True,
               entropic=any(earlier[i].entropic for i in inputs))


# expr forms over numeric columns: (text with {a}/{b}, how to compute it with numpy arrays)
EXPR_FORMS: dict[str, Callable[..., Any]] = {
    "{a} + {b}": lambda a, b: a + b,
    "{a} - {b}": lambda a, b: a - b,
    "{a} * 2": lambda a, b: a * 2,
    "{a} * 0.5": lambda a, b: a * 0.5,
    "{a} * -1.5 + {b}": lambda a, b: a * -1.5 + b,
    "abs({a})": lambda a, b: abs(a),
}


@st.composite
def expr(draw: Any, name: str, rows: int, earlier: dict[str, Col]) -> Col:
    numbers = [c for c in earlier.values() if c.numeric]  # `id` is always one
    form = draw(st.sampled_from(sorted(EXPR_FORMS)))
    a, b = draw(st.sampled_from(numbers)), draw(st.sampled_from(numbers))
    used = [a] + ([b] if "{b}" in form else [])
    integer = all(c.integer for c in used) and "0.5" not in form and "1.5" not in form
    opts = {"kind": "expr", "expr": form.format(a=a.name, b=b.name), "null": draw(NULL_RATES)}
    return Col(name, opts, numeric=True, integer=integer, inputs=tuple(dict.fromkeys(c.name for c in used)),
               derive=(form, a.name, b.name if "{b}" in form else a.name),
               entropic=any(c.entropic for c in used) and not (form == "{a} - {b}" and a.name == b.name))


# --------------------------------------------------------------------------------------------
# Dates and timestamps
# --------------------------------------------------------------------------------------------

@st.composite
def _written(draw: Any, value: str) -> str:
    """A date or timestamp as written in YAML: bare (a YAML timestamp) or quoted."""
    return draw(st.sampled_from([Bare(value), value]))


@st.composite
def date(draw: Any, name: str, rows: int, earlier: dict[str, Col]) -> Col:
    lo = dt.date(1950, 1, 1) + dt.timedelta(days=draw(st.integers(0, 30000)))
    hi = lo + dt.timedelta(days=draw(st.sampled_from([0, 1, 30, 365, 5000, 20000])))
    opts: dict[str, Any] = {"kind": "date", "min": draw(_written(lo.isoformat())),
                            "max": draw(_written(hi.isoformat()))}
    span = (hi - lo).days + 1
    if span >= rows and draw(st.integers(0, 2)) == 0:
        opts["unique"] = True
    opts["null"] = draw(NULL_RATES)
    return Col(name, opts, bounds=Bounds(lo, hi), entropic=span >= 1000, redrawable=not opts.get("unique"))


@st.composite
def timestamp(draw: Any, name: str, rows: int, earlier: dict[str, Col]) -> Col:
    """min/max as dates or date-times (a date-only max means the end of that day)."""
    lo = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=draw(st.integers(0, 2_000_000_000)))
    span = dt.timedelta(seconds=draw(st.sampled_from([0, 1, 59, 3600, 86400 * 30, 86400 * 3650])))
    hi = lo + span
    precision = draw(st.sampled_from([None, "s", "ms"]))
    opts: dict[str, Any] = {"kind": "timestamp"}
    if draw(st.booleans()):
        lo = lo.replace(hour=0, minute=0, second=0)
        opts["min"] = draw(_written(lo.date().isoformat()))
    else:
        sep, zone = draw(st.sampled_from(["T", " "])), draw(st.sampled_from(["", "Z"]))
        opts["min"] = draw(_written(lo.isoformat(sep=sep) + zone))
    if draw(st.booleans()):
        opts["max"] = draw(_written(hi.date().isoformat()))
        tick = dt.timedelta(milliseconds=1) if precision == "ms" else dt.timedelta(seconds=1)
        hi = dt.datetime.combine(hi.date(), dt.time()) + dt.timedelta(days=1) - tick  # end of that day
    else:
        opts["max"] = draw(_written(hi.isoformat(sep="T")))
    if precision:
        opts["precision"] = precision
    ticks = (hi - lo) // (dt.timedelta(milliseconds=1) if precision == "ms" else dt.timedelta(seconds=1)) + 1
    if ticks >= rows and draw(st.integers(0, 2)) == 0:
        opts["unique"] = True
    opts["null"] = draw(NULL_RATES)
    return Col(name, opts, bounds=Bounds(lo, hi), entropic=ticks >= 1000, redrawable=not opts.get("unique"))


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

MAKERS = {
    "num": distribution, "bool": boolean, "choice": choice, "constant": constant, "uuid": uuid,
    "pattern": pattern, "template": template, "expr": expr, "date": date, "timestamp": timestamp,
}
_WEIGHTED = ["num"] * 4 + ["bool", "choice", "choice", "constant", "uuid", "pattern", "pattern",
                           "template", "expr", "expr", "date", "timestamp"]


@st.composite
def constraint(draw: Any, columns: dict[str, Col]) -> Constraint | None:
    """A constraint that most rows pass on a first draw (at least ~25 %, often ~100 %).

    ``a <= b + C`` with C = Q_a(q) - Q_b(1 - q): for independent a, b it holds with probability
    >= q * q. ``a >= L`` with L = Q_a(1 - q) holds with probability >= q.
    """
    pool = [c for c in columns.values() if c.redrawable and c.quantile is not None]
    if not pool:
        return None
    q = draw(st.sampled_from([0.5, 0.8, 0.95, 0.999]))
    a = draw(st.sampled_from(pool))
    others = [c for c in pool if c.name != a.name]
    if others and draw(st.booleans()):
        b = draw(st.sampled_from(others))
        offset = _on_grid(a.quantile(q) - b.quantile(1 - q), 4, math.ceil)
        return Constraint(a.name, b.name, float(offset))
    return Constraint(a.name, None, float(_on_grid(a.quantile(1 - q), 4, math.floor)))


def respec(case: TableCase, columns: dict[str, Col]) -> TableCase:
    """``case`` with other columns (same rows, constraints and seed), its YAML rendered again."""
    new = TableCase(case.rows, columns, case.constraints, seed=case.seed)
    new.yaml = render(new)
    return new


@st.composite
def table_specs(draw: Any, min_rows: int = 0, max_rows: int = 300, min_columns: int = 2,
                max_columns: int = 8) -> TableCase:
    """A valid one-table spec: ``id`` (sequence, primary key) and 2-8 drawn columns."""
    rows = draw(st.integers(min_rows, max_rows) | st.sampled_from([min_rows, min(max_rows, max(min_rows, 1))]))
    start, step = draw(st.integers(-100, 1000)), draw(st.sampled_from([1, 1, 2, -1, 7]))
    columns = {"id": Col("id", {"kind": "sequence", "start": start, "step": step}, numeric=True, integer=True,
                         template_text=True, derive=(start, step))}
    for i in range(draw(st.integers(min_columns, max_columns))):
        maker = draw(st.sampled_from(_WEIGHTED))
        col = draw(MAKERS[maker](f"c{i}_{maker}", rows, columns))
        columns[col.name] = col
    constraints = [c for c in draw(st.lists(constraint(columns), max_size=2)) if c is not None]
    # Hide, now and then, a column nothing else reads (its values are then not checked).
    used = {i for c in columns.values() for i in c.inputs} | {n for c in constraints for n in (c.left, c.right)}
    for name, col in columns.items():
        if name != "id" and name not in used and draw(st.integers(0, 9)) == 0:
            col.opts["hidden"] = True
    for col in columns.values():
        if col.opts.get("null") == 0:
            del col.opts["null"]
    case = TableCase(rows, columns, constraints, seed=draw(st.none() | SEEDS))
    case.yaml = render(case)
    return case
