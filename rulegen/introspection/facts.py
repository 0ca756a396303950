"""What a table's CHECK constraints say, sorted by what the drafter does with each: per-column
values and bounds (:class:`~rulegen.introspection.kinds.Hints`), comparisons of two columns,
patterns, length bounds, and the CHECKs that state no simple fact, as constraint expressions
where they translate (:mod:`.exprs`) and as comments where they do not."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from rulegen.introspection.checks import Bound, Compare, Length, Matches, NotNull, OneOf, check_clauses, parse_check
from rulegen.introspection.exprs import check_expression
from rulegen.introspection.kinds import Hints
from rulegen.introspection.model import TableInfo

__all__ = ["Checks", "read_checks"]

RELATIVE_MARGIN = datetime.timedelta(days=2)  # a low bound from now() moves up by this: seeding comes later


@dataclass(slots=True)
class Checks:
    """What a table's CHECKs say, sorted by what the drafter does with it."""

    hints: dict[str, Hints] = field(default_factory=dict)  # per-column values and bounds
    compares: list[Compare] = field(default_factory=list)  # two columns compared
    patterns: dict[str, str] = field(default_factory=dict)  # LIKE, GLOB, ~
    lengths: dict[str, list[int | None]] = field(default_factory=dict)  # [shortest, longest]
    expressions: list[tuple[str, str]] = field(default_factory=list)  # (CHECK, rulegen expression)
    skipped: list[str] = field(default_factory=list)  # neither: kept as comments
    relative: bool = False  # a bound computed from now()


def read_checks(table: TableInfo, today: datetime.date) -> Checks:
    """Per-column hints of the table's CHECKs, comparisons between columns, and the CHECKs
    that are not simple (as constraint expressions where they translate, else comments)."""
    found = Checks()
    for text in table.checks:
        facts = parse_check(text, today) if not text.startswith("--") else None
        if facts is None or any(getattr(f, "column", None) not in table.columns for f in facts
                                if not isinstance(f, Compare)):
            expression = check_expression(_body(text), set(table.columns)) if not text.startswith("--") else None
            if expression is not None:
                found.expressions.append((text, expression))
            else:
                found.skipped.append(text.removeprefix("-- "))
            continue
        for fact in facts:
            _note_fact(found, table, fact)
    return found


def _note_fact(found: Checks, table: TableInfo, fact: Any) -> None:
    if isinstance(fact, Compare):
        found.compares.append(fact)
        return
    if isinstance(fact, NotNull):
        table.columns[fact.column].nullable = False
        return
    if isinstance(fact, Matches):
        found.patterns[fact.column] = fact.pattern
        return
    if isinstance(fact, Length):
        bounds = found.lengths.setdefault(fact.column, [None, None])
        if fact.op in (">=", ">"):
            bounds[0] = max(bounds[0] or 0, fact.value + (fact.op == ">"))
        else:
            bounds[1] = min(bounds[1] or fact.value, fact.value - (fact.op == "<"))
        return
    hint = found.hints.setdefault(fact.column, Hints())
    if isinstance(fact, OneOf):
        hint.values = fact.values if hint.values is None else tuple(v for v in hint.values if v in fact.values)
    elif isinstance(fact, Bound) and fact.op in (">=", ">"):
        value = fact.value + RELATIVE_MARGIN if fact.relative else fact.value
        hint.low, hint.low_open = value, fact.op == ">"
    elif isinstance(fact, Bound):
        hint.high, hint.high_open = fact.value, fact.op == "<"
    found.relative = found.relative or getattr(fact, "relative", False)


def _body(text: str) -> str:
    """A CHECK's expression without ``CHECK (...)`` around it."""
    stripped = re.sub(r"\s+NOT\s+VALID\s*$", "", text.strip(), flags=re.IGNORECASE)
    bodies = check_clauses(stripped) if re.match(r"check\s*\(", stripped, re.IGNORECASE) else [stripped]
    return bodies[0] if len(bodies) == 1 else stripped
