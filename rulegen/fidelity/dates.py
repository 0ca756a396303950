"""Dates and timestamps: their range, to the day, and the seasonality and trend they show.

Each rate is tested against none: counts by weekday, by month and by hour are compared with
what a uniform spread over [min, max] would give (each weekday and month weighed by how many of
its days the range holds), by a chi-square test. Only a clear difference (p < 0.001 and a rate
at least 10 % off) becomes a ``seasonality`` entry, with the weights the counts show (mean 1).
A trend is the growth of an exponential rate fitted by maximum likelihood to when values fall.

A date that numbers of its row move with (:func:`dates_as_numbers`) is drawn instead as a hidden
number of days in the table's copula, and read from it.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.fidelity.correlate import MIN_RHO
from rulegen.fidelity.fit import fit_numeric
from rulegen.fidelity.profile import ColumnProfile
from rulegen.fidelity.render import ColumnDraft, TableDraft, readable

__all__ = ["copula_days", "dates_as_numbers", "fit_dates", "hidden_days", "reads_days"]

_DAY = 86_400
_EPOCH = datetime.date(1970, 1, 1)
_P_VALUE = 1e-3
_EFFECT = 0.1  # a seasonal weight at least this far from 1
_YEAR_DAYS = 365.25
_MIN_TREND = 0.05  # yearly growth below this is left out
_EPOCH_DAY = "date('1970-01-01') + days("  # how a date read from its hidden days begins
_MIN_TREND_DAYS = 10  # distinct dates a column needs to move with a number
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _iso(day: int) -> str:
    return (_EPOCH + datetime.timedelta(days=int(day))).isoformat()


def fit_dates(values: np.ndarray, *, timestamp: bool, zone: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """Options of a ``date`` (days since 1970) or ``timestamp`` (seconds) column and notes."""
    values = np.asarray(values, dtype=np.int64)
    days = values // _DAY if timestamp else values
    first, last = int(days.min()), int(days.max())
    spec: dict[str, Any] = {"kind": "timestamp" if timestamp else "date", "min": _iso(first), "max": _iso(last)}
    notes = [f"range of the data, to the day ({last - first + 1:,} days)"]
    if timestamp and zone:
        spec["tz"] = zone
    midnights = timestamp and bool(np.all(values % _DAY == 0))
    if midnights:
        spec["precision"] = "day"
        notes.append("every value is a midnight")
    seasonality: dict[str, Any] = {}
    span = last - first + 1
    beta, growth, trend_note = _trend(days, first, last)
    # Each day of the range weighs by the trend's rate, so a growth is not taken for a season.
    rate = np.exp(beta * (np.arange(first, last + 1) - first + 0.5) / span)
    if span >= 28:
        weekly, note = _seasonal(days, first, last, rate, (days + 3) % 7, 7, lambda d: (d + 3) % 7)
        if weekly is not None:
            seasonality["weekly"] = weekly
            notes.append(f"weekly rates: {note}")
    if span >= 330:
        yearly, note = _seasonal(days, first, last, rate, _months(days), 12, _months)
        if yearly is not None:
            seasonality["yearly"] = yearly
            notes.append(f"yearly rates by month, per day of the month: {note}")
    if timestamp and not midnights and len(values) >= 240:
        hours = (values % _DAY) // 3600
        counts = np.bincount(hours, minlength=24).astype(float)
        weights, note = _weights(counts, np.ones(24))
        if weights is not None:
            seasonality["daily"] = weights
            notes.append(f"hourly rates: {note}")
    if seasonality:
        spec["seasonality"] = seasonality
    if growth is not None:
        spec["trend"] = {"growth": growth}
        notes.append(trend_note)
    return spec, notes


def _months(days: np.ndarray) -> np.ndarray:
    return (np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)) % 12


def _seasonal(days: np.ndarray, first: int, last: int, rate: np.ndarray, labels: np.ndarray, size: int,
              label_of: Any) -> tuple[list[float] | None, str]:
    """Weights by label (weekday or month) of the days in [first, last], each count divided by
    how many days of that label the range holds (each day weighed by the trend's ``rate``)."""
    counts = np.bincount(labels, minlength=size).astype(float)
    exposure = np.bincount(label_of(np.arange(first, last + 1)), weights=rate, minlength=size)
    return _weights(counts, exposure)


def _weights(counts: np.ndarray, exposure: np.ndarray) -> tuple[list[float] | None, str]:
    from scipy.stats import chisquare

    present = exposure > 0
    expected = counts.sum() * exposure / exposure.sum()
    if counts.sum() < 5 * present.sum():
        return None, "too few values to tell"
    p_value = float(chisquare(counts[present], expected[present]).pvalue)
    rates = np.divide(counts, exposure, out=np.zeros_like(counts), where=present)
    mean = rates[present].mean()
    weights = np.where(present, rates / mean, 1.0)
    if p_value >= _P_VALUE or np.abs(weights[present] - 1).max() < _EFFECT:
        return None, f"no clear pattern (chi-square p = {p_value:.2g})"
    return [round(float(w), 2) for w in weights], f"chi-square against uniform p = {p_value:.2g}"


def _trend(days: np.ndarray, first: int, last: int) -> tuple[float, float | None, str]:
    """The exponent beta of a rate exp(beta t) on t in [0, 1] (the range), the yearly growth it
    makes and a note. beta solves E[t] = 1 / (1 - exp(-beta)) - 1 / beta = mean(t) (maximum
    likelihood); kept when the mean time is more than three standard errors from the middle of
    the range and the growth is at least 5 % a year (else beta is 0)."""
    from scipy.optimize import brentq

    span = last - first + 1
    if span < 365 or len(days) < 50:
        return 0.0, None, ""
    t = (days - first + 0.5) / span
    mean = float(t.mean())
    if abs(mean - 0.5) * math.sqrt(12 * len(t)) < 3:
        return 0.0, None, ""

    def expected(beta: float) -> float:
        return 1 / (1 - math.exp(-beta)) - 1 / beta if abs(beta) > 1e-9 else 0.5

    try:
        beta = brentq(lambda b: expected(b) - mean, -30, 30)
    except ValueError:
        return 0.0, None, ""
    growth = math.exp(beta * _YEAR_DAYS / span) - 1
    if abs(growth) < _MIN_TREND:
        return 0.0, None, ""
    return beta, round(growth, 3), f"trend: {growth:+.1%} a year (an exponential rate fitted to when values fall)"


def copula_days(table: TableDraft, profiles: dict[str, ColumnProfile]) -> dict[str, np.ndarray]:
    """The days of each never-null `date` column of ``table`` (as floats, one per row): the
    candidates :func:`dates_as_numbers` may put into the table's copula."""
    return {name: profile.values.astype(np.float64) for name, profile in profiles.items()
            if name in table.columns and table.columns[name].spec.get("kind") == "date" and not profile.nulls
            and profile.count == len(profile.values) and readable(name) and profile.distinct >= _MIN_TREND_DAYS}


def dates_as_numbers(table: TableDraft, pairs: list[tuple[str, str, float]],
                     days: dict[str, np.ndarray]) -> list[tuple[str, str, float]]:
    """Dates that move with a number (payrolls that grow month after month) take part in the
    table's copula: each becomes a hidden number of days since 1970, drawn by the law fitted to
    them, that the date is read from. A date correlated with nothing by at least
    :data:`~rulegen.fidelity.correlate.MIN_RHO` keeps its own kind and loses its pairs (a
    principal part of a copula's matrix is still a copula). Returns the pairs renamed."""
    for name, values in days.items():
        own = [pair for pair in pairs if name in pair[:2]]
        if not any(abs(rho) >= MIN_RHO for *_, rho in own):
            pairs = [pair for pair in pairs if name not in pair[:2]]
            continue
        hidden = table.free_name(f"{name}_days")
        fit = fit_numeric(values, integer=True)
        table.insert_before(name, hidden)
        table.columns[hidden] = ColumnDraft({**fit.spec, "hidden": True},
                                            [f"days since 1970-01-01 of {name}: {fit.note}"])
        day = f"{_EPOCH_DAY}{hidden})"
        monthly = all(_first_of_month(v) for v in np.unique(values))
        expr = f"date({day} + days(1 - day({day})))" if monthly else f"date({day})"
        table.columns[name] = ColumnDraft({"kind": "expr", "expr": expr},
                                          [f"read from {hidden}, which follows the table's numbers"
                                           + ("; always the first of a month" if monthly else "")])
        pairs = [(hidden if a == name else a, hidden if b == name else b, rho) for a, b, rho in pairs]
    return pairs


def reads_days(draft: ColumnDraft) -> bool:
    """Whether ``draft`` is a date that :func:`dates_as_numbers` reads from hidden days (still a
    date, whose month numbers may follow: :mod:`rulegen.fidelity.seasons`)."""
    return draft.spec.get("kind") == "expr" and _EPOCH_DAY in str(draft.spec.get("expr"))


def hidden_days(table: TableDraft, data: pa.Table, name: str) -> np.ndarray | None:
    """The data's values of ``name`` when it is the hidden days a date of ``table`` is read from
    (:func:`dates_as_numbers`): the days since 1970 of that date; None for any other column."""
    for date, draft in table.columns.items():
        if reads_days(draft) and f"{_EPOCH_DAY}{name})" in str(draft.spec["expr"]) and date in data.column_names:
            days = pc.cast(pc.cast(data.column(date), pa.date32()), pa.int32())
            return days.to_numpy(zero_copy_only=False).astype(np.float64)
    return None


def _first_of_month(day: float) -> bool:
    value = np.datetime64(int(day), "D")
    return bool(value == value.astype("datetime64[M]").astype("datetime64[D]"))
