"""``--sample N``: read a random sample of up to N rows per table and sum it up as :class:`ColumnStats`.

Rows are drawn at random, not taken from the start of the table, and the same ones every run
(so the spec is too): PostgreSQL ``ORDER BY random() LIMIT N`` after ``setseed`` (a table past
the row-count cap thinned first with ``TABLESAMPLE SYSTEM ... REPEATABLE``), SQLite rowids in a
fixed pseudo-random order. Each table's draw is bounded by :data:`SAMPLE_SECONDS`, after which
its first N rows are read instead. Only
statistics leave this module: ranges, null counts, text lengths, the share of true values, a
numeric law fitted to the values (:func:`rulegen.fidelity.fit.fit_numeric`), and the counts of
each value of columns that hold few distinct values (at most :data:`MAX_CATEGORIES`), which are
the only sampled values a spec may show. A sensitive column (:mod:`.sensitive`) keeps only its
counts and lengths, unless values are allowed. Children per parent row are counted by the
database (one grouped query per parent link), so only a histogram of counts is read.
"""

from __future__ import annotations

import datetime
import decimal
import sqlite3
import time
import uuid
from collections import Counter
from typing import Any

import numpy as np

from rulegen.introspection.model import Catalog, ColumnInfo, ColumnStats, ForeignKey, TableSample, quote_identifier
from rulegen.introspection.sensitive import digest, sensitive_by_name, sensitive_values

__all__ = ["MAX_CATEGORIES", "MIN_FIT_VALUES", "SAMPLE_SECONDS", "read_samples", "summarize"]

MAX_CATEGORIES = 20  # distinct values up to which a column counts as categorical
MIN_FIT_VALUES = 30  # numeric values below which no law is fitted (the sampled range is kept)
SAMPLE_SECONDS = 30.0  # time a table's random sample may take before its first rows are read instead
_THIN = 10  # a table past the count cap is thinned to about this many times the rows asked for
_SEED, _REPEAT = 0.42, 42  # PostgreSQL's random() and TABLESAMPLE seeds: the same sample every run
_MIX, _PRIME = 2_654_435_761, 4_294_967_291  # (rowid * _MIX) mod _PRIME: a fixed shuffle of SQLite rowids

_NUMERIC = ("integer", "decimal", "float")


def read_samples(connection: Any, catalog: Catalog, links: dict[str, ForeignKey], limit: int, *,
                 allow_values: bool = False, seconds: float = SAMPLE_SECONDS) -> dict[str, TableSample]:
    """Statistics of a random sample of up to ``limit`` rows of every table, and of children per
    parent row along ``links`` (each table's foreign key to the parent it is generated per).

    Args:
        allow_values: keep the values of sensitive columns too (``--allow-values``).
        seconds: how long drawing one table's random rows, or counting its children per parent,
            may take (past it: the first rows, and no count).
    """
    samples = {}
    for name, table in catalog.tables.items():
        columns = [c for c in table.columns.values() if not c.generated]
        if not columns:
            continue
        rows = _random_rows(connection, catalog, name, columns, limit, seconds)
        stats = {c.name: summarize(c, [row[i] for row in rows], table=name, allow_values=allow_values)
                 for i, c in enumerate(columns)}
        _delays(columns, rows, stats)
        sample = TableSample(rows=len(rows), columns=stats)
        if name in links:
            sample.children = _children(connection, catalog, name, links[name], seconds)
        samples[name] = sample
    return samples


def _random_rows(connection: Any, catalog: Catalog, table: str, columns: list[ColumnInfo], limit: int,
                 seconds: float) -> list[tuple[Any, ...]]:
    """Up to ``limit`` rows drawn at random, or the first ``limit`` rows past ``seconds``."""
    listed = ", ".join(quote_identifier(c.name) for c in columns)
    source = _qualified(catalog, table)
    first = f"select {listed} from {source} limit {int(limit)}"
    if catalog.tables[table].rows <= limit:
        return connection.execute(first).fetchall()  # the whole table: any order is a random one
    if catalog.dialect == "sqlite":
        # rowids in a fixed pseudo-random order (the same sample, and so the same spec, every run);
        # random() for a table WITHOUT ROWID
        query = f"select {listed} from {source} order by (rowid * {_MIX}) % {_PRIME} limit {int(limit)}"
        try:
            rows = _bounded(connection, catalog, seconds, query)
        except sqlite3.OperationalError as exc:  # no such column: rowid
            if "rowid" not in str(exc):
                raise
            rows = _bounded(connection, catalog, seconds, f"select {listed} from {source} order by random() "
                                                          f"limit {int(limit)}")
    else:
        thin = _thin(connection, catalog, table, limit)
        rows = _bounded(connection, catalog, seconds,
                        f"select {listed} from {source}{thin} order by random() limit {int(limit)}")
    return connection.execute(first).fetchall() if rows is None else rows


def _thin(connection: Any, catalog: Catalog, table: str, limit: int) -> str:
    """A ``TABLESAMPLE`` clause for a PostgreSQL table past the row-count cap, else nothing."""
    from rulegen.introspection.postgres import ROW_COUNT_CAP

    if catalog.tables[table].rows < ROW_COUNT_CAP:
        return ""
    # counted up to the cap only: the planner's estimate tells how far to thin
    estimate = connection.execute("select reltuples from pg_class where oid = %s::regclass",
                                  [_qualified(catalog, table)]).fetchone()[0] or 0
    if estimate <= _THIN * limit:
        return ""
    return f" tablesample system ({100 * _THIN * limit / estimate:.6f}) repeatable ({_REPEAT})"


def _bounded(connection: Any, catalog: Catalog, seconds: float, query: str) -> list[tuple[Any, ...]] | None:
    """The rows of ``query``, or None when it runs past ``seconds`` (it is then cancelled)."""
    if catalog.dialect == "sqlite":
        deadline = time.monotonic() + seconds
        connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            return connection.execute(query).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupt" not in str(exc):
                raise
            return None
        finally:
            connection.set_progress_handler(None, 0)
    connection.execute(f"set statement_timeout = {max(1, int(seconds * 1000))}")
    connection.execute(f"select setseed({_SEED})")
    try:
        return connection.execute(query).fetchall()
    except Exception as exc:  # psycopg is imported lazily: only a cancelled statement is expected here
        if getattr(exc, "sqlstate", None) != "57014":
            raise
        return None
    finally:
        connection.execute("reset statement_timeout")


def _qualified(catalog: Catalog, table: str) -> str:
    return catalog.qualified(table)


def _children(connection: Any, catalog: Catalog, table: str, link: ForeignKey,
              seconds: float) -> dict[int, int] | None:
    """How many parent rows have 0, 1, 2, ... children along ``link`` (None past ``seconds``)."""
    keys = ", ".join(quote_identifier(c) for c in link.columns)
    present = " and ".join(f"{quote_identifier(c)} is not null" for c in link.columns)
    counted = _bounded(connection, catalog, seconds,
                       f"select n, count(*) from (select count(*) as n from {_qualified(catalog, table)} "
                       f"where {present} group by {keys}) as g group by n")
    if counted is None:
        return None
    histogram = dict(counted)
    parents = catalog.tables[link.parent].rows
    with_children = sum(histogram.values())
    if parents > with_children:
        histogram[0] = histogram.get(0, 0) + parents - with_children
    return {int(k): int(v) for k, v in sorted(histogram.items())}


def summarize(column: ColumnInfo, values: list[Any], *, table: str = "", allow_values: bool = False) -> ColumnStats:
    """Statistics of one column's sampled values (SQLite's loose typing tolerated: values
    that do not fit the column's category are left out of ranges).

    A sensitive column, by its name or by the shape of any value, keeps counts and lengths only,
    unless ``allow_values``.
    """
    present = [v for v in values if v is not None]
    stats = ColumnStats(count=len(values), nulls=len(values) - len(present))
    texts = [v for v in present if isinstance(v, str)]
    if texts:
        stats.shortest, stats.longest = min(map(len, texts)), max(map(len, texts))
    parsed = [p for p in (_parse(column.category, v) for v in present) if p is not None]
    if column.category == "bool":
        stats.true = sum(1 for v in parsed if v)
    if not allow_values and column.category != "bool" and (
            sensitive_by_name(table, column.name) or sensitive_values(texts)):
        stats.sensitive = True
        stats.seen = frozenset(digest(v) for v in texts)
        return stats
    if parsed and column.category in (*_NUMERIC, "date", "timestamp"):
        stats.low, stats.high = min(parsed), max(parsed)
    if column.category in ("integer", "decimal", "float", "text", "enum", "bool"):
        counts = Counter(_category(column.category, v) for v in present)
        if len(counts) <= MAX_CATEGORIES:
            stats.categories = dict(sorted(counts.items(), key=lambda item: (-item[1], str(item[0]))))
    if column.category in _NUMERIC and len(parsed) >= MIN_FIT_VALUES and len(set(parsed)) > 2:
        stats.law = _law(column, parsed)
    return stats


def _delays(columns: list[ColumnInfo], rows: list[tuple[Any, ...]], stats: dict[str, ColumnStats]) -> None:
    """For each date that follows another by name (:func:`.related.follows`), the law of the gaps
    between the two in the sampled rows (the best family by :func:`rulegen.fidelity.fit.fit_numeric`,
    or a gamma with their mean and variance: a delay cannot be a histogram), in durations; None
    when a row has them out of order."""
    from rulegen.fidelity.fit import fit_numeric
    from rulegen.introspection.related import BIRTH, follows

    times = [(i, c) for i, c in enumerate(columns) if c.category in ("date", "timestamp")
             and not stats[c.name].sensitive]
    for i, later in times:
        earlier = next(((j, e) for j, e in times if j != i and follows(later.name, e.name) not in (None, BIRTH)),
                       None)
        if earlier is None:
            continue
        j, base = earlier
        pairs = [(_instant(later.category, row[i]), _instant(base.category, row[j])) for row in rows]
        gaps = np.array([(a - b).total_seconds() for a, b in pairs if a is not None and b is not None])
        if len(gaps) < MIN_FIT_VALUES:
            continue
        if (gaps < 0).any():
            stats[later.name].delay = {"after": base.name, "law": None, "note": "rows out of order"}
            continue
        try:
            fit = fit_numeric(gaps, integer=False)
        except (ArithmeticError, ValueError, RuntimeError):
            continue
        law, note = fit.spec, fit.note.split(";")[0]
        if law["kind"] == "histogram":  # a delay takes a family: the gaps' mean and variance
            law, note = _gamma(gaps), "a gamma law with the mean and variance of the sampled gaps"
        stats[later.name].delay = {"after": base.name, "law": _durations(law), "note": note}


_SPANS = ("scale", "loc", "low", "high", "shift", "truncate")  # options in seconds (not shapes, nor log-seconds)
_UNITS = ((86_400, "d"), (3_600, "h"), (60, "m"))


def _durations(law: dict[str, Any]) -> dict[str, Any]:
    """A delay's options in seconds written as durations (``5.5d`` rather than 475200); a
    uniform's ends to the second, since they may be a minute apart."""
    digits = 15 if law["kind"] == "uniform" else 6

    def duration(seconds: Any) -> Any:
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            return seconds
        seconds = round(seconds, 6)  # a fit's 7e-16 s is 0: nothing finer than a microsecond is stored
        size, unit = next(((n, u) for n, u in _UNITS if abs(seconds) >= n), (1, "s"))
        # positional, never 7.1e-16s or 1.2e+07d: a duration has no exponent
        return f"{np.format_float_positional(seconds / size, precision=digits, fractional=False, trim='-')}{unit}"

    return {k: ([duration(v) for v in value] if isinstance(value, list) else duration(value)) if k in _SPANS
            else value for k, value in law.items()}


def _gamma(gaps: np.ndarray) -> dict[str, Any]:
    """A gamma law (seconds) with the mean and variance of ``gaps``, within their range; a
    constant gap as a uniform over the day after it (whole days: the same day once floored) or
    the minute after it."""
    mean, variance, low, high = float(gaps.mean()), float(gaps.var()), float(gaps.min()), float(gaps.max())
    if variance <= 0 or mean <= 0:
        return {"kind": "uniform", "low": low, "high": low + (86_400 if low % 86_400 == 0 else 60)}
    law = {"kind": "gamma", "shape": float(f"{mean * mean / variance:.6g}"), "scale": float(f"{variance / mean:.6g}")}
    return {**law, "truncate": [low, high]} if low < high else law


def _instant(category: str, value: Any) -> datetime.datetime | None:
    parsed = _parse(category, value)
    if isinstance(parsed, datetime.datetime):
        return parsed
    return datetime.datetime.combine(parsed, datetime.time()) if isinstance(parsed, datetime.date) else None


def _law(column: ColumnInfo, values: list[float]) -> dict[str, Any] | None:
    """The numeric law :mod:`rulegen.fidelity.fit` finds best for the values, or None when it is
    a plain range (the sampled range says the same in fewer words)."""
    from rulegen.fidelity.fit import fit_numeric

    integer = column.category == "integer"
    decimals = None if integer or column.category == "float" else (column.scale if column.scale is not None else 2)
    try:
        fit = fit_numeric(np.asarray(values, dtype=np.float64), integer=integer, decimals=decimals)
    except (ArithmeticError, ValueError, RuntimeError):  # a solver that does not converge: the sampled range
        return None
    if fit.spec["kind"] in ("uniform", "integers"):
        return None
    return {**fit.spec, "note": fit.note}


def _category(category: str, value: Any) -> Any:
    """A sampled value as a spec writes it: a single-precision float to the 7 digits it holds
    (PostgreSQL's real 0.05 reads back as 0.05000000074505806)."""
    if category in ("decimal", "float") or isinstance(value, decimal.Decimal):
        number = float(value)
        return float(f"{number:.7g}") if isinstance(value, float) and float(np.float32(number)) == number else number
    if category == "bool":
        return bool(value)
    if isinstance(value, uuid.UUID | bytes | memoryview):
        return str(value)
    return value


def _parse(category: str, value: Any) -> Any:
    """``value`` as a comparable Python value of the category, or None."""
    try:
        if category in _NUMERIC:
            if isinstance(value, bool):
                return None
            number = float(value) if category != "integer" else int(value)
            return number if category != "decimal" else float(decimal.Decimal(str(value)))
        if category == "bool":
            return bool(int(value)) if isinstance(value, int | str) and str(value) in ("0", "1") else value
        if category == "date":
            if isinstance(value, datetime.datetime):
                return value.date()
            return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])
        if category == "timestamp":
            if not isinstance(value, datetime.datetime):
                value = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            if value.tzinfo is not None:
                value = value.astimezone(datetime.UTC).replace(tzinfo=None)
            return value
    except (TypeError, ValueError, ArithmeticError):
        return None
    return value
