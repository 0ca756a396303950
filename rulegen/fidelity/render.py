"""Write inferred tables as a spec: readable YAML, one column per line in flow style, values
aligned, and a comment on every line saying what was inferred and how well it fits."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ColumnDraft", "TableDraft", "render_spec", "yaml_scalar"]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}  # YAML 1.1 and 1.2 words
_ALIGN_LIMIT = 24  # column names longer than this are not padded to


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


def yaml_scalar(value: Any) -> str:
    """One value as YAML that reads back as the same value (strings quoted where needed)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # a NumPy scalar
        value = value.item()
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
        if value == int(value) and abs(value) < 1e15:
            return f"{value:.1f}"
        mantissa, e, exponent = repr(value).partition("e")
        # PyYAML reads a float only with a dot and a signed exponent: 1.0e-05, not 1e-05.
        return (mantissa if "." in mantissa else mantissa + ".0") + (e + exponent if e else "")
    text = str(value)
    if (_PLAIN.fullmatch(text) and text.lower() not in _RESERVED) or _DATE.fullmatch(text):
        return text
    return "".join(c if _printable(c) else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
                   for c in json.dumps(text, ensure_ascii=False))


def _printable(char: str) -> bool:
    """Whether YAML allows ``char`` as it is in a double-quoted string."""
    code = ord(char)
    if code in (0x2028, 0x2029, 0xFEFF):
        return False
    return 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


def _flow(value: Any) -> str:
    """A flow-style mapping or list (keys quoted like values, where needed: a ``values``
    mapping's keys are data)."""
    if isinstance(value, dict):
        items = [f"{yaml_scalar(k)}: {_flow(v)}" for k, v in value.items()]
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return yaml_scalar(value)


def _comment(notes: list[str] | str | None) -> str:
    if not notes:
        return ""
    text = notes if isinstance(notes, str) else "; ".join(dict.fromkeys(n for n in notes if n))
    return "  # " + " ".join(text.split()) if text else ""


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
    lines.append(f"    rows: {_flow(table.rows)}{_comment(table.rows_note)}")
    if table.primary_key:
        lines.append(f"    primary_key: {_flow(table.primary_key)}")
    lines.append("    columns:")
    names = {name: yaml_scalar(name) + ":" for name in table.columns}
    width = min(max(map(len, names.values())), _ALIGN_LIMIT + 1)
    for name, draft in table.columns.items():
        lines.append(f"      {names[name].ljust(width)} {_flow(draft.spec)}{_comment(draft.notes)}")
    if table.correlations:
        lines.append(f"    correlations:{_comment(table.correlations_note)}")
        lines += [f"      - {{columns: [{yaml_scalar(a)}, {yaml_scalar(b)}], rho: {yaml_scalar(rho)}}}"
                  for a, b, rho in table.correlations]
    return lines
