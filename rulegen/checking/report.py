"""The result of ``rulegen check``: the rules written data breaks, table by table.

A :class:`Violation` names the table, the column (or table rule), the rule, how many rows break
it, the first few of them with their values, and the JSON pointer of the spec node that states
the rule. Rules that could not be checked (they read hidden columns) are :class:`Skipped`, so a
clean report never hides what it did not look at.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

__all__ = ["EXAMPLES", "CheckReport", "Skipped", "TableChecked", "Violation", "examples"]

EXAMPLES = 3  # rows shown per violation


@dataclass(frozen=True, slots=True)
class Violation:
    """Rows of one table that break one rule of the spec.

    Attributes:
        table: the table.
        column_or_rule: the column (or columns, for a composite key), or a table rule such as
            ``constraints[0]``; empty when the rule is about the table's file.
        rule: ``primary_key``, ``unique``, ``not_null``, ``range``, ``domain``, ``pattern``,
            ``format``, ``sequence``, ``round``, ``clip``, ``when``, ``constraint``, ``type``,
            ``column``, ``rows`` or ``file``.
        count: how many rows break it (0 for rules about the file or its columns).
        message: what is wrong with those rows, without a verb (``outside [0, 100]``).
        examples: the first few ``(row, value)`` pairs; rows count from 0, header excluded.
        pointer: JSON pointer of the spec node that states the rule.
    """

    table: str
    column_or_rule: str
    rule: str
    count: int
    message: str
    examples: tuple[tuple[int, Any], ...] = ()
    pointer: str = ""

    def render(self) -> str:
        """``orders.amount: range: 3 rows outside [0, 100] (rows 4, 17, 90: -2.5, 101.0, 140.2)``."""
        where = f"{self.table}.{self.column_or_rule}" if self.column_or_rule else self.table
        text = f"{where}: {self.rule}: "
        text += f"{self.count:,} row{'' if self.count == 1 else 's'} {self.message}" if self.count else self.message
        if self.examples:
            rows = ", ".join(str(row) for row, _ in self.examples)
            values = ("; " if any(isinstance(v, Mapping) for _, v in self.examples) else ", ").join(
                show(v) for _, v in self.examples)
            text += f" (row{'s' if len(self.examples) > 1 else ''} {rows}: {values})"
        return text


@dataclass(frozen=True, slots=True)
class Skipped:
    """A rule that was not checked, and why (it reads a hidden column, which is not written)."""

    table: str
    column_or_rule: str
    rule: str
    reason: str

    def render(self) -> str:
        """``orders.constraints[0]: constraint: skipped: reads hidden column `signup_at```."""
        where = f"{self.table}.{self.column_or_rule}" if self.column_or_rule else self.table
        return f"{where}: {self.rule}: skipped: {self.reason}"


@dataclass(frozen=True, slots=True)
class TableChecked:
    """One table of the spec: the file read for it (None when there is none) and its rows."""

    name: str
    path: Path | None
    rows: int


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Everything ``rulegen check`` found; :attr:`ok` when no rule is broken."""

    directory: Path
    tables: tuple[TableChecked, ...]
    violations: tuple[Violation, ...]
    skipped: tuple[Skipped, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the data breaks no rule (skipped rules do not count)."""
        return not self.violations

    def find(self, table: str | None = None, column_or_rule: str | None = None,
             rule: str | None = None) -> list[Violation]:
        """The violations that match every argument given (a convenience for tests and CI)."""
        return [v for v in self.violations if (table is None or v.table == table)
                and (column_or_rule is None or v.column_or_rule == column_or_rule)
                and (rule is None or v.rule == rule)]

    def summary(self) -> str:
        """One line: how many violations, in how many tables, over how many rows."""
        rows = sum(t.rows for t in self.tables)
        tables = f"{len(self.tables)} table{'' if len(self.tables) == 1 else 's'}"
        skipped = f", {len(self.skipped)} rule{'' if len(self.skipped) == 1 else 's'} skipped" if self.skipped else ""
        if self.ok:
            return f"ok: no violations in {tables} ({rows:,} rows{skipped})"
        broken = len({v.table for v in self.violations})
        count = len(self.violations)
        return (f"{count} violation{'' if count == 1 else 's'} in {broken} of {tables} "
                f"({rows:,} rows{skipped})")

    def render(self) -> str:
        """One line per violation, then one per skipped rule, then the summary."""
        lines = [v.render() for v in self.violations] + [s.render() for s in self.skipped]
        return "\n".join([*lines, self.summary()])

    def __str__(self) -> str:
        return self.render()


def examples(bad: np.ndarray, values: pa.Array | Mapping[str, pa.Array]) -> tuple[tuple[int, Any], ...]:
    """The first :data:`EXAMPLES` rows of the mask ``bad`` with their values (a mapping of
    columns gives each row's values by column name)."""
    rows = np.flatnonzero(bad)[:EXAMPLES]
    at = pa.array(rows, type=pa.int64())
    if isinstance(values, Mapping):
        taken = {name: array.take(at).to_pylist() for name, array in values.items()}
        return tuple((int(r), {name: taken[name][i] for name in taken}) for i, r in enumerate(rows))
    return tuple(zip((int(r) for r in rows), values.take(at).to_pylist(), strict=True))


def show(value: Any) -> str:
    """A value as the report prints it: strings quoted, dates ISO, a row as ``name=value, ...``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return ", ".join(f"{name}={show(v)}" for name, v in value.items())
    return str(value)
