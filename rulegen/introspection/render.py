"""Write table drafts as a spec: YAML in the style of ``schemas/shop.yaml``, one column per
line in flow style, values aligned, every guess explained in a comment."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from rulegen.introspection.tables import TableDraft

__all__ = ["render_spec", "yaml_scalar"]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}  # YAML 1.1 and 1.2 words
_ALIGN_LIMIT = 22  # column names longer than this are not padded to


def yaml_scalar(value: Any) -> str:
    """One value as YAML that reads back as the same value (strings quoted where needed)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
        mantissa, e, exponent = repr(value).partition("e")
        # PyYAML reads a float only with a dot and a signed exponent: 1.0e-05, not 1e-05.
        return (mantissa if "." in mantissa else mantissa + ".0") + (e + exponent if e else "")
    text = str(value)
    if (_PLAIN.fullmatch(text) and text.lower() not in _RESERVED) or _DATE.fullmatch(text):
        return text
    return "".join(c if _printable(c) else _escape(c) for c in json.dumps(text, ensure_ascii=False))


def _printable(char: str) -> bool:
    """Whether YAML allows ``char`` as it is in a double-quoted string."""
    code = ord(char)
    if code in (0x2028, 0x2029, 0xFEFF):  # line and paragraph separators, byte order mark
        return False
    return 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _flow(value: Any, *, options: bool = True) -> str:
    """A flow-style mapping or list. Keys are rulegen's option names (written plain, as in
    ``null: 0.1``) except those of a ``values`` mapping, which are data."""
    if isinstance(value, dict):
        items = [f"{k if options else yaml_scalar(k)}: {_flow(v, options=k != 'values')}" for k, v in value.items()]
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return yaml_scalar(value)


def _comment(notes: list[str] | str | None) -> str:
    if not notes:
        return ""
    text = notes if isinstance(notes, str) else "; ".join(dict.fromkeys(notes))
    return "  # " + " ".join(text.split())


def _key(names: tuple[str, ...]) -> str:
    return yaml_scalar(names[0]) if len(names) == 1 else _flow(list(names))


def render_spec(drafts: list[TableDraft], *, source: str, sample: int, seed: int = 1) -> str:
    """The whole spec as YAML text."""
    sampled = f", with --sample {sample}" if sample else ""
    lines = [
        f"# Read from {source} by `rulegen introspect`{sampled}.",
        "# Kinds are guesses from each column's type, name, CHECK constraints"
        + (" and sampled rows" if sample else "") + ":",
        "# the comments say where a guess was made; review them before relying on the data.",
        "version: 1",
        f"seed: {seed}",
        "tables:",
    ]
    for table in drafts:
        lines += _table(table)
    return "\n".join(lines) + "\n"


def _table(table: TableDraft) -> list[str]:
    lines = [f"  {yaml_scalar(table.name)}:"]
    lines.append(f"    rows: {_flow(table.rows)}{_comment(table.rows_note)}")
    if table.primary_key:
        lines.append(f"    primary_key: {_key(table.primary_key)}")
    if table.unique:
        lines.append(f"    unique: {_flow([list(k) for k in table.unique])}")
    lines += [f"    # {' '.join(note.split())}" for note in dict.fromkeys(table.notes)]
    lines.append("    columns:")
    names = {name: yaml_scalar(name) + ":" for name in table.columns}
    width = min(max(map(len, names.values())), _ALIGN_LIMIT + 1)
    for name, draft in table.columns.items():
        lines.append(f"      {names[name].ljust(width)} {_flow(draft.spec)}{_comment(draft.notes)}")
    if table.constraints:
        lines.append("    constraints:")
        lines += [f"      - {json.dumps(text)}" for text in table.constraints]
    return lines
