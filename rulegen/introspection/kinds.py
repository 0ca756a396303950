"""Choose the kind of a column that is not a key or a reference: from its type, its name,
what its CHECK constraints allow (:class:`Hints`) and, with ``--sample``, its statistics.

Precedence: a CHECK's list of values (or an enum's labels) makes a ``choice``; then a sampled
column with few distinct values makes a ``choice`` weighted as in the data; then the type
decides, refined by the name (an ``email`` gets Faker's emails, an ``age`` 18 to 90) and by the
CHECK's range, which wins over any guess. Each guess carries a note for the spec's comments.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from typing import Any

from rulegen.introspection.fitting import fitting_spec
from rulegen.introspection.guesses import flag_draft, range_hint, year_draft
from rulegen.introspection.model import ColumnInfo, ColumnStats
from rulegen.introspection.names import is_birth, provider_for, temporal_hint

__all__ = ["Draft", "Hints", "column_draft", "is_number", "null_rate"]

DEFAULT_NULL = 0.1  # null share of a nullable column when no sample says otherwise
_INTEGER_LIMITS = {"smallint": 32_767, "integer": 2_147_483_647}
_FALLBACK_PATTERN = "[a-z]{8}"
# A char(n) this wide or narrower holds codes of exactly n characters (IATA, ISO, ticket numbers);
# a wider one (World's char(45) names) is padded text, drafted as a varchar(n).
FIXED_CODE_LONGEST = 16
FAKER_UNIQUE_ROWS = 50_000  # above this, a unique text column is a pattern: distinct Faker pools are slow
_CODE_NAMES = ("code", "sku", "reference", "ref_no", "serial", "serial_number")


@dataclass(slots=True)
class Hints:
    """What the table's CHECK constraints say about one column."""

    values: tuple[Any, ...] | None = None  # IN (...)
    low: Any = None
    low_open: bool = False  # `>` rather than `>=`
    high: Any = None
    high_open: bool = False


@dataclass(slots=True)
class Draft:
    """A column's spec (a mapping, as written in YAML) and the notes that become its comment."""

    spec: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def null_rate(column: ColumnInfo, stats: ColumnStats | None) -> float | None:
    """The ``null`` option of a nullable column: the sampled share, else :data:`DEFAULT_NULL`."""
    if not column.nullable:
        return None
    if stats is None or stats.count == 0:
        return DEFAULT_NULL
    rate = round(stats.nulls / stats.count, 3)
    return rate or None


def column_draft(table: str, column: ColumnInfo, hints: Hints, stats: ColumnStats | None, *, dialect: str,
                 unique: bool, rows: int, today: datetime.date) -> Draft:
    """The kind of a plain column (no key or reference role).

    ``rows`` is about how many rows the table will have, to size value spaces of unique columns.
    """
    category = column.category
    if category == "enum" and not hints.values:
        hints = Hints(values=column.labels, low=hints.low, high=hints.high)
    if hints.values is not None:
        draft = _listed(column, hints, stats)
        if draft is not None:
            return draft
    if not unique and category in ("integer", "decimal", "float", "text", "enum") and _categorical(stats):
        return Draft({"kind": "choice", "values": dict(stats.categories)},
                     [f"{len(stats.categories)} value{'s' if len(stats.categories) > 1 else ''}, "
                      "weighted as in the sample"])
    guessed = None if unique or hints.low is not None or hints.high is not None else (
        flag_draft(column, stats) or year_draft(column, stats, today))
    if guessed is not None:
        return guessed
    if category == "bool":
        share = round(stats.true / stats.values, 3) if stats and stats.values else 0.5
        return Draft({"kind": "bool", "p": share})
    if category in ("integer", "decimal", "float"):
        return _number(column, hints, stats, unique=unique, rows=rows, year=today.year)
    if category in ("date", "timestamp"):
        return _temporal(category, column, hints, stats, unique=unique, rows=rows, today=today)
    if category == "text" or (category == "unknown" and dialect == "sqlite" and not column.type_name):
        when = temporal_hint(column.name) if dialect == "sqlite" else None
        if when and (column.length is None or column.length >= 19):
            draft = _temporal(when, column, hints, stats, unique=unique, rows=rows, today=today)
            draft.notes.insert(0, f"{when} from the name, kept as text")
            return draft
        return _text(table, column, stats, unique=unique, rows=rows)
    return _other(column, unique=unique, rows=rows)


def _categorical(stats: ColumnStats | None) -> bool:
    """Few distinct values, each seen about twice or more: a category, not an identifier."""
    return bool(stats and stats.categories and stats.values >= 2 * len(stats.categories))


def _coerce(category: str, value: Any) -> Any:
    try:
        if category == "integer":
            return int(float(value)) if float(value).is_integer() else None
        if category in ("decimal", "float", "money"):
            return float(value)
        if category == "bool":
            return bool(value) if not isinstance(value, str) else value.lower() in ("t", "true", "1")
        return str(value)
    except (TypeError, ValueError):
        return None


def _listed(column: ColumnInfo, hints: Hints, stats: ColumnStats | None) -> Draft | None:
    """A choice among the values a CHECK (or an enum) allows, weighted as sampled if sampled."""
    values = [v for v in (_coerce(column.category, v) for v in hints.values or ()) if v is not None]
    numeric = column.category in ("integer", "decimal", "float", "money")
    if numeric and hints.low is not None:
        values = [v for v in values if v > float(hints.low) or (v == float(hints.low) and not hints.low_open)]
    if numeric and hints.high is not None:
        values = [v for v in values if v < float(hints.high) or (v == float(hints.high) and not hints.high_open)]
    values = list(dict.fromkeys(values))
    if not values:
        return None
    source = "enum labels" if column.category == "enum" else "CHECK"
    seen = {_coerce(column.category, k): n for k, n in (stats.categories or {}).items()} if stats else {}
    if seen and any(seen.get(v) for v in values):
        return Draft({"kind": "choice", "values": {v: seen.get(v, 0) for v in values}},
                     [f"values from the {source}, weighted as in the sample"])
    if column.category == "bool" and len(values) == 2:
        return Draft({"kind": "bool", "p": 0.5})
    return Draft({"kind": "choice", "values": values}, [] if source == "CHECK" else [f"the {source}"])


def _number(column: ColumnInfo, hints: Hints, stats: ColumnStats | None, *, unique: bool, rows: int,
            year: int) -> Draft:
    integer = column.category == "integer"
    scale = column.scale if column.category == "decimal" else None
    notes = []
    if column.category == "decimal" and scale is None:
        scale = 2
        notes.append("numeric without a scale: rounded to 2 decimals")
    step = 1 if integer else (10.0 ** -scale if scale is not None else 0.0)
    found = range_hint(column, year)
    (low, high), firm, why = found or ((0, 1000), False, "range guessed")
    span = _type_span(column, scale, step)
    lo = float(hints.low) + (step if hints.low_open else 0) if is_number(hints.low) else None
    hi = float(hints.high) - (step if hints.high_open else 0) if is_number(hints.high) else None
    inside = max(low, lo if lo is not None else low), min(high, hi if hi is not None else high)
    low, high = inside if firm and inside[0] <= inside[1] else _within(low, high, lo, hi)
    if stats is not None and stats.low is not None:
        low = max(float(stats.low), lo) if lo is not None else float(stats.low)
        high = min(float(stats.high), hi) if hi is not None else float(stats.high)
    elif lo is None and hi is None:
        notes.append(why)
    if span is not None:
        low, high = max(low, span[0]), min(high, span[1])
        if low > high:  # the name's range is beyond what the type holds: the type's range
            low, high = max(span[0], min(0, span[1])), span[1]
    if stats is not None and stats.law is not None and not unique:
        return _fitted(stats.law, notes, lo, hi, span)
    if unique and integer and high - low + 1 < 10 * rows and hi is None:
        high = low + 10 * max(rows, 100)  # room for distinct values
        if span is not None:
            high = min(high, span[1])
    if integer:  # bounds went through floats: 2**63 - 1 came back as 2**63
        first = min(max(math.ceil(low), -(2**63)), 2**63 - 1)
        return Draft({"kind": "integers", "low": first, "high": min(max(math.floor(high), first), 2**63 - 1)}, notes)
    if high <= low:
        return Draft({"kind": "constant", "value": _tidy(low)}, notes)
    spec: dict[str, Any] = {"kind": "uniform", "low": _tidy(low), "high": _tidy(high)}
    if scale is not None:
        spec["round"] = scale
    return Draft(spec, notes)


def _type_span(column: ColumnInfo, scale: int | None, step: float) -> tuple[float, float] | None:
    """The smallest and largest number a column's type holds, where that is narrower than the
    number kinds' range: a ``numeric(p, s)``'s digits, a named integer type's, or what the
    dialect's reader found (``holds``)."""
    if column.holds is not None:
        return column.holds
    if column.precision:
        limit = 10.0 ** (column.precision - (scale or 0)) - (step or 0)
        return -limit, limit
    if column.category == "integer":
        limit = next((v for k, v in _INTEGER_LIMITS.items() if column.type_name.lower().startswith(k)), None)
        return (-limit, limit) if limit is not None else None
    return None


def _fitted(law: dict[str, Any], notes: list[str], lo: float | None, hi: float | None,
            span: tuple[float, float] | None) -> Draft:
    """The law fitted to a sample, clipped to the CHECK's bounds and the type's range (a fitted
    law may stray a little past the sampled values, which met both)."""
    spec = {k: v for k, v in law.items() if k != "note"}
    low, high = lo, hi
    if span is not None and "truncate" not in spec:  # an untruncated tail may reach past the type
        low = span[0] if low is None else max(span[0], low)
        high = span[1] if high is None else min(span[1], high)
    if (low is not None or high is not None) and spec["kind"] != "histogram":
        spec["clip"] = [_tidy(low) if low is not None else None, _tidy(high) if high is not None else None]
    return Draft(spec, [*notes, law["note"]])


def _within(low: Any, high: Any, lo: Any, hi: Any) -> tuple[Any, Any]:
    """The default range [low, high] moved inside the CHECK's bounds [lo, hi] (either may be
    None): bounds replace the default's ends, and a default range entirely outside them
    slides to keep its width."""
    span = high - low
    if lo is not None:
        low, high = lo, (high if high > lo else lo + span)
    if hi is not None:
        low, high = (low if low < hi else hi - span), hi
    return low, high


def is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, bool)


def _tidy(number: float) -> float | int:
    """Whole floats written as integers, others to 10 significant digits."""
    return int(number) if float(number).is_integer() else float(f"{number:.10g}")


def _instant(category: str, value: Any) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    try:
        parsed = datetime.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(datetime.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _temporal(category: str, column: ColumnInfo, hints: Hints, stats: ColumnStats | None, *, unique: bool,
              rows: int, today: datetime.date) -> Draft:
    notes = []
    unit = datetime.timedelta(days=1) if category == "date" else datetime.timedelta(seconds=1)
    if is_birth(column.name):
        low = datetime.datetime(today.year - 85, 1, 1)
        high = datetime.datetime(today.year - 18, 12, 31)
    else:
        low, high = datetime.datetime(today.year - 5, 1, 1), datetime.datetime.combine(today, datetime.time())
    lo, hi = _instant(category, hints.low), _instant(category, hints.high)
    lo = lo + unit if lo is not None and hints.low_open else lo
    hi = hi - unit if hi is not None and hints.high_open else hi
    low, high = _within(low, high, lo, hi)
    sampled = stats is not None and stats.low is not None
    if sampled:
        low = max(_instant(category, stats.low), lo or datetime.datetime.min)
        high = min(_instant(category, stats.high), hi or datetime.datetime.max)
    elif lo is None and hi is None:
        notes.append("birth dates of adults" if is_birth(column.name) else "range guessed: the last 5 years")
    if unique and category == "date" and (high - low).days + 1 < 2 * rows:
        low = high - datetime.timedelta(days=2 * rows)
    # A date-only max of a timestamp means the end of its day: a bound a CHECK sets is written to the second.
    exact = category == "timestamp" and hi is not None and high == hi
    spec: dict[str, Any] = {"kind": category, "min": _when(low, category),
                            "max": high.isoformat(timespec="seconds") if exact else _when(high, category)}
    if category == "timestamp" and column.timezone:
        spec["tz"] = "UTC"
    return Draft(spec, notes)


def _when(value: datetime.datetime, category: str) -> str:
    if category == "date" or value.time() == datetime.time():
        return value.date().isoformat()
    return value.isoformat(timespec="seconds")


def _text(table: str, column: ColumnInfo, stats: ColumnStats | None, *, unique: bool, rows: int) -> Draft:
    length = column.length
    fixed = column.fixed and length is not None and length <= FIXED_CODE_LONGEST  # a code, not padded text
    found = provider_for(table, column.name)
    notes = []
    if found is not None and unique and rows > FAKER_UNIQUE_ROWS and found[0].provider == "email":
        return Draft({"kind": "pattern", "pattern": "[a-z]{6}[0-9]{4}@example\\.com", "unique": True},
                     [f"unique emails for {rows:,} rows: a pattern (a pool of distinct Faker emails would be slow)"])
    if found is not None:
        provider, guess = found
        fits = length is None or (length >= provider.longest if not fixed else length == provider.longest)
        if fits and (not unique or (provider.many and rows <= FAKER_UNIQUE_ROWS)):
            spec: dict[str, Any] = {"kind": "faker", "provider": provider.provider}
            if unique:
                spec["unique"] = True
            return Draft(spec, [f"{provider.provider}: {guess}" if guess else f"{provider.provider} from the name"])
        avoid = stats.seen if stats is not None else frozenset()
        fitted = fitting_spec(provider.provider, length, unique=unique, avoid=avoid) if not fits and length else None
        if fitted is not None:
            return Draft(fitted[0], [fitted[1]])
        why = (f"its values need {provider.longest} characters" if not fits else
               f"{rows:,} distinct values would be slow to draw" if provider.many else "too few distinct values")
        notes.append(f"not Faker's {provider.provider}: {why}")
    if fixed and length:
        chars = "[A-Z0-9]" if unique or 26 ** length < 10 * rows else "[A-Z]"
        return Draft({"kind": "pattern", "pattern": f"{chars}{{{length}}}", **({"unique": True} if unique else {})},
                     [*notes, f"char({length}): {length} characters"])
    if column.name.lower().endswith(_CODE_NAMES) and (length is None or length >= 9):
        return Draft({"kind": "pattern", "pattern": "[A-Z]{3}-[0-9]{5}", **({"unique": True} if unique else {})},
                     [*notes, "a code: guessed shape"])
    if unique:
        size = min(length or 10, 10)
        return Draft({"kind": "pattern", "pattern": f"[a-z0-9]{{{size}}}", "unique": True}, [*notes, "unique text"])
    if stats is not None and stats.longest:
        shortest, longest = max(stats.shortest or 1, 1), min(stats.longest, length or stats.longest)
        shortest = min(shortest, longest)
        repeat = f"{{{longest}}}" if shortest == longest else f"{{{shortest},{longest}}}"
        return Draft({"kind": "pattern", "pattern": f"[a-z]{repeat}"}, [*notes, "text: lengths as in the sample"])
    if length is None or length >= 14:
        return Draft({"kind": "faker", "provider": "word"},
                     notes or ["text: nothing in the name says what it holds"])
    return Draft({"kind": "pattern", "pattern": f"[a-z]{{1,{length}}}"},
                 [*notes, f"text of at most {length} characters"])


def _other(column: ColumnInfo, *, unique: bool, rows: int) -> Draft:
    """Types without a matching kind: values their text input accepts, or a note and text."""
    category, name = column.category, column.type_name
    if category == "uuid":
        return Draft({"kind": "uuid"})
    if category == "inet":
        return Draft({"kind": "faker", "provider": "ipv4", **({"unique": True} if unique else {})})
    if category == "mac":
        return Draft({"kind": "faker", "provider": "mac_address", **({"unique": True} if unique else {})})
    if category == "time":
        return Draft({"kind": "pattern", "pattern": "(0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"},
                     [f"{name}: a time of day, as text"])
    if category == "money":
        return Draft({"kind": "pattern", "pattern": "[1-9][0-9]{0,3}\\.[0-9]{2}"}, [f"{name}: an amount, as text"])
    if category == "interval":
        return Draft({"kind": "pattern", "pattern": "[1-9][0-9]? (days|hours|minutes)"},
                     [f"{name}: a duration, as text"])
    if category in ("json", "array"):
        empty = "object" if category == "json" else "array"
        return Draft({"kind": "constant", "value": "{}"}, [f"{name}: an empty {empty}, fill in a rule"])
    what = "binary" if category == "binary" else "unknown"
    spec: dict[str, Any] = {"kind": "pattern", "pattern": "[a-z0-9]{12}" if unique else _FALLBACK_PATTERN}
    if unique:
        spec["unique"] = True
    return Draft(spec, [f"{what} type {name or '(none)'}: kept as text"])
