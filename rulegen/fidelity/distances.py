"""Columns made comparable, and the distances between a real and a synthetic column.

A column pair is first brought to one *kind*, decided by both sides' Arrow types:

- ``numeric``: numbers (integers, floats, decimals), as float64 with NaN for null;
- ``datetime``: dates and timestamps, as float64 nanoseconds since the epoch (UTC);
- ``categorical``: booleans, and text with few distinct values, as Python strings or None;
  booleans read as ``"true"``/``"false"`` however either side writes them (``true``/``false``,
  ``t``/``f``, ``yes``/``no``, ``y``/``n``, any case, or integers 0/1 facing one of these), so a
  CSV's ``t`` meets a Parquet file's ``True``;
- ``text``: text with many distinct values (names, e-mails), compared by length.

When one side is text and the other numbers or dates (a CSV with a stray value), the text side
is parsed; when most of it does not parse, both sides are compared as text.

Distances are in [0, 1], 0 when the two samples are identical:

- the Kolmogorov-Smirnov statistic ``max |F_real(x) - F_synth(x)|`` for numbers, dates and text
  lengths, where null counts as a value below every other (so a different null rate shows);
- the total-variation distance ``1/2 sum |p_real(v) - p_synth(v)|`` for categories, with null as
  a category of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

__all__ = [
    "Histogram",
    "PreparedColumn",
    "Summary",
    "category_histogram",
    "category_shares",
    "histogram",
    "ks_distance",
    "prepare_column",
    "summarise",
    "text_lengths",
    "tv_distance",
]

QUANTILES = (0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0)
_MAX_CATEGORIES = 1000  # more distinct values than this (or than half the rows) is free text
_PARSE_SHARE = 0.9  # text converts to numbers or dates when this share of its values parse
_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})
_EXACT = 2.0**50  # beyond this, float64 cannot hold x +- 0.5: no bin per integer


@dataclass(frozen=True, slots=True, eq=False)
class PreparedColumn:
    """Both sides of a column, in one kind (see the module docstring).

    ``real`` or ``synth`` is None when the column is on one side only.
    """

    kind: str
    real: np.ndarray | None
    synth: np.ndarray | None


@dataclass(frozen=True, slots=True)
class Summary:
    """One side of a column: its size, null share, and (numbers, dates, text lengths) moments.

    Attributes:
        rows: number of values, nulls included.
        nulls: share of nulls.
        mean, std: of the non-null values (None when there are none, or for categories).
        quantiles: the values at :data:`QUANTILES` (min, p5, p25, median, p75, p95, max).
    """

    rows: int
    nulls: float
    mean: float | None = None
    std: float | None = None
    quantiles: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Histogram:
    """Shares of rows per bin (``edges``) or per category (``labels``), for both sides."""

    real: tuple[float, ...]
    synth: tuple[float, ...]
    edges: tuple[float, ...] = ()
    labels: tuple[str, ...] = ()


def _base_kind(kind: pa.DataType) -> str:
    if pat.is_boolean(kind):
        return "bool"
    if pat.is_integer(kind) or pat.is_floating(kind) or pat.is_decimal(kind):
        return "numeric"
    if pat.is_timestamp(kind) or pat.is_date(kind):
        return "datetime"
    if pat.is_string(kind) or pat.is_large_string(kind):
        return "string"
    return "other"


def _plain(array: pa.ChunkedArray | pa.Array) -> pa.Array:
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    return array.dictionary_decode() if pat.is_dictionary(array.type) else array


def _numbers(array: pa.Array) -> np.ndarray:
    return np.asarray(pc.cast(array, pa.float64(), safe=False).to_numpy(zero_copy_only=False), dtype=np.float64)


def _instants(array: pa.Array) -> np.ndarray:
    if pat.is_date(array.type):
        array = pc.cast(array, pa.timestamp("s"))
    nanos = pc.cast(array, pa.timestamp("ns", array.type.tz), safe=False)
    return _numbers(pc.cast(nanos, pa.int64()))


def _strings(array: pa.Array) -> np.ndarray:
    if pat.is_boolean(array.type):
        array = pc.if_else(array, "true", "false")
    elif not (pat.is_string(array.type) or pat.is_large_string(array.type)):
        try:
            array = pc.cast(array, pa.string())
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            return np.array([None if v is None else str(v) for v in array.to_pylist()], dtype=object)
    return np.array(array.to_pylist(), dtype=object)


def _parse(values: np.ndarray, kind: str) -> np.ndarray | None:
    """Text parsed as numbers or ISO dates, or None when too few values parse."""
    series = pd.Series(values, dtype=object)
    present = series.notna()
    if kind == "numeric":
        parsed = pd.to_numeric(series, errors="coerce").astype(np.float64).to_numpy()
    else:
        stamps = pd.to_datetime(series, errors="coerce", format="ISO8601", utc=True)
        nanos = stamps.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]").view(np.int64)
        parsed = np.where(stamps.isna().to_numpy(), np.nan, nanos.astype(np.float64))
    good = np.isfinite(parsed[present.to_numpy()]) if present.any() else np.array([])
    return parsed if good.size == 0 or good.mean() >= _PARSE_SHARE else None


def _booleans(array: pa.Array) -> np.ndarray | None:
    """The values as ``"true"``/``"false"``/None when the array holds booleans however written
    (see the module docstring), else None. Integers count only when all are 0 or 1."""
    kind = _base_kind(array.type)
    if kind == "bool":
        return _strings(array)
    if kind not in ("numeric", "string"):
        return None
    if kind == "numeric":
        numbers = _numbers(array)
        present = numbers[np.isfinite(numbers)]
        if not np.isin(present, (0.0, 1.0)).all():
            return None
        return np.array([None if not np.isfinite(v) else ("true" if v == 1 else "false") for v in numbers],
                        dtype=object)
    distinct = pc.unique(array)
    if len(distinct) > 32:  # a quick no for text of many values (the words above, in a few cases each)
        return None
    words = {v: v.strip().lower() for v in distinct.to_pylist() if v is not None}
    if not all(w in _TRUE or w in _FALSE for w in words.values()):
        return None
    flags = {v: "true" if w in _TRUE else "false" for v, w in words.items()}
    return np.array([None if v is None else flags[v] for v in array.to_pylist()], dtype=object)


def prepare_column(real: pa.ChunkedArray | pa.Array | None, synth: pa.ChunkedArray | pa.Array | None) -> PreparedColumn:
    """Bring both sides of a column to one kind (either may be None: on one side only)."""
    sides = [None if a is None else _plain(a) for a in (real, synth)]
    kinds = {_base_kind(a.type) for a in sides if a is not None}
    # true/false, t/f, yes/no or 0/1, however each side writes them
    if kinds <= {"bool", "string", "numeric"} and kinds != {"numeric"}:
        flags = [None if a is None else _booleans(a) for a in sides]
        if all(f is not None for f, a in zip(flags, sides, strict=True) if a is not None) and \
                any(f is not None and len(f) and any(v is not None for v in f) for f in flags):
            return PreparedColumn("categorical", *flags)
    if kinds <= {"numeric"} or kinds <= {"datetime"}:
        kind = kinds.pop()
        convert = _numbers if kind == "numeric" else _instants
        return PreparedColumn(kind, *(None if a is None else convert(a) for a in sides))
    if kinds in ({"numeric", "string"}, {"datetime", "string"}):
        kind = (kinds - {"string"}).pop()
        convert = _numbers if kind == "numeric" else _instants
        values = [
            None if a is None else (_parse(_strings(a), kind) if _base_kind(a.type) == "string" else convert(a))
            for a in sides
        ]
        if all(v is not None for v, a in zip(values, sides, strict=True) if a is not None):
            return PreparedColumn(kind, *values)
    strings = [None if a is None else _strings(a) for a in sides]
    reference = strings[0] if strings[0] is not None else strings[1]
    present = [v for v in reference if v is not None]
    distinct = len(set(present))
    many = distinct > _MAX_CATEGORIES or (distinct > 20 and distinct > len(present) / 2)
    return PreparedColumn("text" if many and kinds != {"bool"} else "categorical", *strings)


def text_lengths(values: np.ndarray) -> np.ndarray:
    """Length of each string, NaN for null."""
    return np.array([np.nan if v is None else len(v) for v in values], dtype=np.float64)


def ks_distance(real: np.ndarray, synth: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic; NaN (null) counts as below every value."""
    if len(real) == 0 or len(synth) == 0:
        return 0.0 if len(real) == len(synth) else 1.0
    a = np.sort(np.where(np.isnan(real), -np.inf, real))
    b = np.sort(np.where(np.isnan(synth), -np.inf, synth))
    points = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, points, side="right") / len(a)
    cdf_b = np.searchsorted(b, points, side="right") / len(b)
    return float(np.max(np.abs(cdf_a - cdf_b)))


def category_shares(values: np.ndarray) -> dict[str | None, float]:
    """Share of each category (null included, as None), largest first."""
    nulls = pd.isna(pd.Series(values, dtype=object)).to_numpy()
    counts = pd.Series(values[~nulls], dtype=object).value_counts()
    total = max(len(values), 1)
    shares: dict[str | None, float] = {str(k): float(v) / total for k, v in counts.items()}
    if nulls.any():
        shares[None] = float(nulls.sum()) / total
    return dict(sorted(shares.items(), key=lambda item: -item[1]))


def tv_distance(real: dict[str | None, float], synth: dict[str | None, float]) -> float:
    """Total-variation distance between two category share tables (see :func:`category_shares`)."""
    keys = real.keys() | synth.keys()
    return float(min(1.0, 0.5 * sum(abs(real.get(k, 0.0) - synth.get(k, 0.0)) for k in keys)))


def summarise(values: np.ndarray, *, numeric: bool = True) -> Summary:
    """Size, null share and (when ``numeric``) mean, std and quantiles of one side."""
    nulls = np.isnan(values) if numeric else pd.isna(pd.Series(values, dtype=object)).to_numpy()
    rows = len(values)
    share = float(nulls.mean()) if rows else 0.0
    if not numeric:
        return Summary(rows, share)
    present = values[~nulls]
    if present.size == 0:
        return Summary(rows, share)
    return Summary(rows, share, float(present.mean()), float(present.std()),
                   tuple(float(q) for q in np.quantile(present, QUANTILES)))


def histogram(real: np.ndarray, synth: np.ndarray, *, bins: int = 30) -> Histogram:
    """Shares of each side's non-null values in common bins.

    The range runs from the 0.5th to the 99.5th percentile of both sides together, so a few
    outliers do not squash the plot; integer values with a small range get one bin per integer.
    """
    a, b = real[np.isfinite(real)], synth[np.isfinite(synth)]
    both = np.concatenate([a, b])
    if both.size == 0:
        return Histogram((0.0,), (0.0,), (0.0, 1.0))
    lo, hi = (float(q) for q in np.quantile(both, [0.005, 0.995]))
    if np.all(np.mod(both, 1) == 0) and hi - lo <= 2 * bins and max(abs(lo), abs(hi)) < _EXACT:
        edges = np.floor(lo) - 0.5 + np.arange(int(np.ceil(hi) - np.floor(lo)) + 2, dtype=np.float64)
    else:
        if hi <= lo:  # one value: a bin around it, wide enough to exist at the value's precision
            pad = max(0.5, abs(lo) * 1e-6)
            lo, hi = lo - pad, hi + pad
        edges = np.linspace(lo, hi, bins + 1)
    shares = [np.histogram(side, edges)[0] / max(side.size, 1) for side in (a, b)]
    return Histogram(tuple(map(float, shares[0])), tuple(map(float, shares[1])), tuple(map(float, edges)))


def category_histogram(real: dict[str | None, float], synth: dict[str | None, float], *,
                       top: int = 20) -> Histogram:
    """Shares of the ``top`` commonest real categories on both sides (then the synthetic side's
    own, if there is room), the rest as ``(other)`` and nulls as ``(null)``."""
    labels = [v for v in real if v is not None][:top]
    labels += [v for v in synth if v is not None and v not in real][: max(0, top - len(labels))]
    r = [real.get(v, 0.0) for v in labels]
    s = [synth.get(v, 0.0) for v in labels]
    rest_r = 1.0 - sum(r) - real.get(None, 0.0)
    rest_s = 1.0 - sum(s) - synth.get(None, 0.0)
    if rest_r > 1e-9 or rest_s > 1e-9:
        labels, r, s = [*labels, "(other)"], [*r, max(rest_r, 0.0)], [*s, max(rest_s, 0.0)]
    if None in real or None in synth:
        labels, r, s = [*labels, "(null)"], [*r, real.get(None, 0.0)], [*s, synth.get(None, 0.0)]
    return Histogram(tuple(r), tuple(s), labels=tuple(str(v) for v in labels))
