"""``as_of``: the day (or instant) a spec's data describes, for cutoffs that never read the clock.

A spec may say ``as_of: 2024-12-31`` (or an instant, ``as_of: "2024-12-31 18:00"``): the data is
a snapshot taken then, and expressions name it ``as_of`` to decide what has happened by then (a
return after it is not made yet, a loan due before it and not returned is overdue). The same
spec gives the same data on any day, which a ``now`` or ``today()`` would not.

``as_of`` is a value of the expression language like a column's: a date when it is written as
a date, a timestamp otherwise. It becomes a hidden column of every table that has no column of
that name (a date or timestamp whose ``min`` and ``max`` are both ``as_of``), so every place that
reads a row's columns reads it (expressions, ``when``, constraints, counts per parent row, the
parameters of laws and the bounds of dates), it is never written, and a table's own column
named ``as_of`` wins. A value that is not a date is reported at ``as_of`` (RG337).

A bound that is ``as_of`` itself (``max: as_of``) is the same on every row: it is written in as
the literal, so the column keeps what a fixed range gives (seasonality, trend, unique values
by construction, ``check``'s range), where an expression bound would refuse them. A zoned
timestamp keeps the expression: its literals are wall-clock times, ``as_of`` an instant.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from rulegen.errors import Diagnostic
from rulegen.kinds.temporal import parse_instant
from rulegen.spec.model import ColumnSpec, TableSpec

__all__ = ["AS_OF", "NAME", "as_of_problems", "with_as_of"]

NAME = "as_of"
POINTER = "/as_of"
AS_OF = {"type": "string", "x-expect": "a date or timestamp such as 2024-12-31 or \"2024-12-31 18:00\"",
         "description": "the day (or instant) the data describes: expressions name it `as_of`, so cutoffs such as "
                        "\"not returned yet\" never depend on the day the data is made"}


def as_of_problems(data: Any) -> list[Diagnostic]:
    """RG337 when the document's ``as_of`` is not a date or a timestamp."""
    value = data.get(NAME) if isinstance(data, dict) else None
    if value is None or not isinstance(value, str) or parse_instant(value) is not None:
        return []  # absent, or not text (then the schema says so)
    return [Diagnostic("RG337", f"`as_of` must be a date or timestamp such as 2024-12-31 or \"2024-12-31 18:00\", "
                                f"got {value!r}", POINTER,
                       hint="write the day the data describes, e.g. `as_of: 2024-12-31`")]


def with_as_of(tables: Mapping[str, TableSpec], value: Any) -> dict[str, TableSpec]:
    """``tables``, each with a hidden ``as_of`` column unless it has a column of that name."""
    if value is None:
        return dict(tables)
    text = str(value).strip()
    column = ColumnSpec(name=NAME, kind="date" if len(text) <= 10 else "timestamp", pointer=POINTER,
                        options={"min": text, "max": text}, hidden=True)
    return {name: table if NAME in table.columns else
            dataclasses.replace(table, columns={**{c: _literal_bounds(spec, text) for c, spec in table.columns.items()},
                                                NAME: column})
            for name, table in tables.items()}


def _literal_bounds(column: ColumnSpec, text: str) -> ColumnSpec:
    """``column`` with its ``min: as_of`` and ``max: as_of`` written as the literal ``text`` (a
    date's bound is the day of a timestamp ``as_of``, as the expression's would be)."""
    if column.kind not in ("date", "timestamp") or column.options.get("tz") is not None:
        return column
    instant = parse_instant(text)
    if instant is None:  # refused at as_of (RG337)
        return column
    literal = instant.date().isoformat() if column.kind == "date" else text  # the day of the (UTC) instant
    bounds = {option: literal for option in ("min", "max")
              if isinstance(column.options.get(option), str) and column.options[option].strip() == NAME}
    return dataclasses.replace(column, options={**column.options, **bounds}) if bounds else column
