"""Dates that follow each other by name: ``to_date`` after ``from_date``, ``end_time`` after
``start_time``, ``ShippedDate`` after ``OrderDate``, ``return_date`` after ``rental_date``,
``updated_at`` after ``created_at``; a hire date 16 years after the birth date at least.

A later column is written ``after`` its earlier one with a ``delay`` of the usual size for the
pair (a shipment days after the order, an employment period months after its start), or the
delay fitted to the sampled gaps, so every generated row has them in order; sampled rows out of
order leave the pair unrelated. A hire date keeps its own range, bounded by a table
constraint (``hire_date >= birth_date + years(16)``), since people are hired over decades.
Names are compared as words (:func:`~rulegen.introspection.names.words`) once their temporal
suffix (``date``, ``at``, ``time``...) is dropped: the two must differ in one word only, and
that pair of words must be one of :data:`PAIRS`.
"""

from __future__ import annotations

import datetime
from typing import Any

from rulegen.introspection.kinds import Draft
from rulegen.introspection.model import TableSample
from rulegen.introspection.names import words

__all__ = ["ADULT_YEARS", "BIRTH", "PAIRS", "follows", "relate_dates"]

ADULT_YEARS = 16  # the youngest age at hiring
_TEMPORAL_WORDS = {"date", "at", "on", "time", "dt", "ts", "timestamp", "datetime", "day"}
# Spellings of one meaning: the first word of each group stands for the others.
_SAME = [("to", "until", "till", "thru", "through"), ("from", "since"), ("end", "ends", "ended", "ending", "finish",
         "finished", "stop", "stopped"), ("start", "starts", "started", "starting", "begin", "begins", "began"),
         ("updated", "update", "modified", "modify", "changed", "edited"), ("created", "create", "inserted", "added"),
         ("returned", "return"), ("rented", "rental", "rent", "borrowed", "borrow", "loaned", "loan", "checkout"),
         ("shipped", "ship", "shipping", "dispatched", "sent"), ("ordered", "order", "purchased", "purchase"),
         ("delivered", "delivery", "received"), ("required", "needed", "wanted"), ("due",),
         ("issued", "issue", "invoice", "invoiced", "billed"), ("closed", "close", "resolved", "resolve", "completed",
         "complete", "done"), ("opened", "open", "reported", "submitted"), ("left", "terminated", "termination",
         "quit", "resigned"), ("hired", "hire", "joined", "employed"), ("expires", "expiry", "expiration", "expired"),
         ("checked_out",), ("checked_in",)]
_CANONICAL = {word: group[0] for group in _SAME for word in group}

# (later word, earlier word) -> the delay of the later one, in the spec's duration units.
PAIRS: dict[tuple[str, str], dict[str, Any]] = {
    ("to", "from"): {"kind": "exponential", "scale": "180d"},
    ("end", "start"): {"kind": "exponential", "scale": "30d"},
    ("returned", "rented"): {"kind": "uniform", "low": "1d", "high": "10d"},
    ("shipped", "ordered"): {"kind": "exponential", "scale": "3d"},
    ("required", "ordered"): {"kind": "uniform", "low": "7d", "high": "30d"},
    ("delivered", "shipped"): {"kind": "exponential", "scale": "3d"},
    ("delivered", "ordered"): {"kind": "exponential", "scale": "6d"},
    ("due", "issued"): {"kind": "uniform", "low": "14d", "high": "60d"},
    ("due", "ordered"): {"kind": "uniform", "low": "14d", "high": "60d"},
    ("updated", "created"): {"kind": "exponential", "scale": "30d"},
    ("closed", "created"): {"kind": "exponential", "scale": "5d"},
    ("closed", "opened"): {"kind": "exponential", "scale": "5d"},
    ("left", "hired"): {"kind": "exponential", "scale": "1095d"},
    ("expires", "issued"): {"kind": "uniform", "low": "365d", "high": "3650d"},
    ("checked_out", "checked_in"): {"kind": "uniform", "low": "1d", "high": "14d"},
}
BIRTH = ("hired", "birth")  # a hire date after a birth date: a constraint, not a delay
_KNOWN = {*PAIRS, BIRTH}
_TIME_KINDS = ("date", "timestamp")


def _core(name: str) -> tuple[str, ...]:
    """A name's words without the temporal ones, spellings made one (``ShippedDate`` -> shipped)."""
    parts: list[str] = []
    for word in words(name):
        if word in ("in", "out") and parts and parts[-1] in ("check", "checked"):
            parts[-1] = f"checked_{word}"  # check_in, CheckedOut: one word
        elif word not in _TEMPORAL_WORDS:
            parts.append(word)
    if parts[:1] == ["last"] and len(parts) > 1:  # last_update, LastModified
        parts = parts[1:]
    return tuple(_CANONICAL.get(w, w) for w in parts)


def follows(later: str, earlier: str) -> tuple[str, str] | None:
    """The (later, earlier) words by which ``later`` follows ``earlier``, if it does."""
    a, b = _core(later), _core(earlier)
    if len(a) != len(b):
        return None
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return differ[0] if len(differ) == 1 and differ[0] in _KNOWN else None


def relate_dates(columns: dict[str, Draft], fixed: set[str], sample: TableSample | None = None) -> list[str]:
    """Rewrite the drafts of dates that follow others by name: ``after`` with a delay, in place.

    Args:
        columns: the table's drafts, by column name.
        fixed: columns to leave as they are (keys, references, columns a CHECK bounds).
        sample: sampled statistics, whose fitted delays replace the usual ones (and whose rows
            out of order leave a pair unrelated: the names were wrong).

    Returns:
        Table constraints to add (a hire date after the birth date).
    """
    times = [n for n, d in columns.items() if d.spec["kind"] in _TIME_KINDS and "after" not in d.spec]
    constraints = []
    followed: dict[str, str] = {}
    for later in times:
        if later in fixed or columns[later].spec.get("unique"):
            continue
        for earlier in times:
            pair = follows(later, earlier) if earlier != later else None
            if pair is None or _reaches(followed, earlier, later):
                continue
            if pair == BIRTH:
                if later.isidentifier() and earlier.isidentifier():
                    constraints.append(f"{later} >= {earlier} + years({ADULT_YEARS})")
                    columns[later].notes.append(f"at least {ADULT_YEARS} years after {earlier}")
                    if earlier not in fixed:
                        _born_before(columns[earlier].spec, columns[later].spec)
                break
            sampled = sample.columns.get(later) if sample is not None else None
            fitted = sampled.delay if sampled is not None and sampled.delay else None
            if fitted is not None and fitted["after"] == earlier and fitted["law"] is None:
                columns[later].notes.append(f"not after {earlier}: some sampled rows are not in that order")
                break
            delay, note = dict(PAIRS[pair]), f"after {earlier}: the names say so"
            if fitted is not None and fitted["after"] == earlier:
                delay, note = dict(fitted["law"]), f"after {earlier} (the names say so), by {fitted['note']}"
            spec = columns[later].spec
            kept = {k: v for k, v in spec.items() if k in ("null", "hidden")}
            columns[later].spec = {"kind": spec["kind"], "after": earlier, "delay": delay, **kept}
            columns[later].notes = [note]
            followed[later] = earlier
            break
    return constraints


def _born_before(birth: dict[str, Any], hire: dict[str, Any]) -> None:
    """Births no later than :data:`ADULT_YEARS` before the last hire, so that few rows are redrawn
    (a guessed range of births against a sampled range of hires could break the constraint on
    half the rows)."""
    try:
        first, last = (datetime.date.fromisoformat(str(birth[k])[:10]) for k in ("min", "max"))
        hired = datetime.date.fromisoformat(str(hire["max"])[:10])
    except (KeyError, ValueError):
        return
    latest = hired.replace(year=hired.year - ADULT_YEARS, day=min(hired.day, 28))
    if first <= latest < last:
        birth["max"] = latest.isoformat()


def _reaches(followed: dict[str, str], start: str, target: str) -> bool:
    """Whether ``start`` already follows ``target``, directly or not (no cycle of ``after``)."""
    seen = set()
    while start in followed and start not in seen:
        seen.add(start)
        start = followed[start]
        if start == target:
            return True
    return False
