"""Write table drafts as a spec: YAML in the style of ``schemas/shop.yaml``, one column per
line in flow style, values aligned, every guess explained in a comment."""

from __future__ import annotations

import json

from rulegen.introspection.tables import TableDraft
from rulegen.spec.emit import column_lines, comment, flow, yaml_scalar

__all__ = ["render_spec", "yaml_scalar"]

_ALIGN_LIMIT = 22  # column names longer than this are not padded to


def _key(names: tuple[str, ...]) -> str:
    return yaml_scalar(names[0]) if len(names) == 1 else flow(list(names))


def render_spec(drafts: list[TableDraft], *, source: str, sample: int, seed: int = 1,
                notes: list[str] | None = None) -> str:
    """The whole spec as YAML text; ``notes`` about the whole database go in its head comment."""
    sampled = f", with --sample {sample}" if sample else ""
    lines = [
        f"# Read from {source} by `rulegen introspect`{sampled}.",
        "# Kinds are guesses from each column's type, name, CHECK constraints"
        + (" and sampled rows" if sample else "") + ":",
        "# the comments say where a guess was made; review them before relying on the data.",
        *[f"# {' '.join(note.split())}" for note in notes or ()],
        "version: 1",
        f"seed: {seed}",
        "tables:",
    ]
    for table in drafts:
        lines += _table(table)
    return "\n".join(lines) + "\n"


def _table(table: TableDraft) -> list[str]:
    lines = [f"  {yaml_scalar(table.name)}:"]
    if table.schema is not None:
        lines.append(f"    schema: {yaml_scalar(table.schema)}")
    lines.append(f"    rows: {flow(table.rows)}{comment(table.rows_note)}")
    if table.primary_key:
        lines.append(f"    primary_key: {_key(table.primary_key)}")
    if table.unique:
        lines.append(f"    unique: {flow([list(k) for k in table.unique])}")
    lines += [f"    # {' '.join(note.split())}" for note in dict.fromkeys(table.notes)]
    lines += column_lines({name: (draft.spec, draft.notes) for name, draft in table.columns.items()},
                          align=_ALIGN_LIMIT)
    if table.constraints:
        lines.append("    constraints:")
        lines += [f"      - {json.dumps(text)}" for text in table.constraints]
    return lines
