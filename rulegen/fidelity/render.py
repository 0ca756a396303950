"""Write inferred tables as a spec: readable YAML, one column per line in flow style, values
aligned, and a comment on every line saying what was inferred and how well it fits."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from rulegen.spec.emit import column_lines, comment, flow, yaml_scalar

__all__ = ["ColumnDraft", "TableDraft", "identifier", "readable", "render_spec", "yaml_scalar"]

_ALIGN_LIMIT = 24  # column names longer than this are not padded to


def identifier(text: str) -> str:
    """``text`` as a name an expression can read: other characters as ``_``, no leading digit."""
    name = re.sub(r"\W", "_", text)
    return f"_{name}" if not name or name[0].isdigit() or keyword.iskeyword(name) else name


def readable(name: str) -> bool:
    """Whether an expression can read a column of this name (``def`` and ``in`` it cannot)."""
    return name.isidentifier() and not keyword.iskeyword(name)


@dataclass(slots=True)
class ColumnDraft:
    """A column's spec options and the notes that explain them."""

    spec: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TableDraft:
    """A table of the spec, as inferred."""

    name: str
    rows: int | dict[str, Any]
    rows_note: str = ""
    primary_key: str | list[str] | None = None
    columns: dict[str, ColumnDraft] = field(default_factory=dict)
    correlations: list[tuple[str, str, float]] = field(default_factory=list)
    correlations_note: str = ""
    notes: list[str] = field(default_factory=list)

    def free_name(self, name: str) -> str:
        """``name``, or ``name_2``, ``name_3``... when the table has a column of that name (for
        the hidden columns ``infer`` adds)."""
        found, n = name, 1
        while found in self.columns:
            n += 1
            found = f"{name}_{n}"
        return found

    def insert_before(self, name: str, *new: str) -> None:
        """Make room for the ``new`` columns just before ``name`` (the order a reader follows)."""
        columns = list(self.columns)
        at = columns.index(name)
        self.columns = {n: self.columns.get(n, ColumnDraft({})) for n in [*columns[:at], *new, *columns[at:]]}


def render_spec(drafts: list[TableDraft], *, sources: list[str], allow_values: bool, seed: int = 1) -> str:
    """The whole spec as YAML text."""
    lines = [
        f"# Inferred by `rulegen infer` from {', '.join(sources)}.",
        "# Each column's law was fitted to the data; the comments say how and how well (KS: the",
        "# Kolmogorov-Smirnov distance between the data and the column as generated, 0 = identical).",
        ("# --allow-values: rare values were copied as they are; check the spec before sharing it."
         if allow_values else "# Rare values and free text were not copied: they could identify a person."),
        "version: 1",
        f"seed: {seed}",
        "tables:",
    ]
    for table in drafts:
        lines += _table(table)
    return "\n".join(lines) + "\n"


def _table(table: TableDraft) -> list[str]:
    lines = [f"  {yaml_scalar(table.name)}:"]
    lines += [f"    # {' '.join(note.split())}" for note in dict.fromkeys(table.notes)]
    lines.append(f"    rows: {flow(table.rows)}{comment(table.rows_note)}")
    if table.primary_key:
        lines.append(f"    primary_key: {flow(table.primary_key)}")
    lines += column_lines({name: (draft.spec, draft.notes) for name, draft in table.columns.items()},
                          align=_ALIGN_LIMIT)
    if table.correlations:
        lines.append(f"    correlations:{comment(table.correlations_note)}")
        lines += [f"      - {{columns: [{yaml_scalar(a)}, {yaml_scalar(b)}], rho: {yaml_scalar(rho)}}}"
                  for a, b, rho in table.correlations]
    return lines
