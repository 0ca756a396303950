"""Writing specs: YAML scalars and flow collections that read back as the same values.

Shared by the commands that write a spec for the user to edit (``introspect``, ``infer``):
strings are quoted only where YAML would read them as something else (``yes``, ``null``, a
number), floats always carry a dot, and non-printable characters are escaped.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["column_lines", "comment", "flow", "yaml_scalar"]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATA = {"values", "cases", "default"}  # options whose keys are data (values, cases of other columns)
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}  # YAML 1.1 and 1.2 words


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
        value += 0.0  # a negative zero is written 0.0
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


def flow(value: Any, *, options: bool = True) -> str:
    """A flow-style mapping or list. Keys are rulegen's option names (written plain, as in
    ``null: 0.1``) except those inside a ``values``, ``cases`` or ``default`` mapping, which are data."""
    if isinstance(value, dict):
        items = [f"{k if options else yaml_scalar(k)}: {flow(v, options=options and k not in _DATA)}"
                 for k, v in value.items()]
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return yaml_scalar(value)


def comment(notes: Iterable[str] | str | None) -> str:
    """``  # notes; joined`` at the end of a line (nothing without notes)."""
    if not notes:
        return ""
    text = notes if isinstance(notes, str) else "; ".join(dict.fromkeys(n for n in notes if n))
    return "  # " + " ".join(text.split()) if text else ""


def column_lines(columns: Mapping[str, tuple[Any, Iterable[str]]], *, align: int) -> list[str]:
    """A table's ``columns:`` block: one flow-style line per column (its spec, then its notes as
    a comment), the specs aligned after names of up to ``align`` characters."""
    names = {name: yaml_scalar(name) + ":" for name in columns}
    width = min(max(map(len, names.values()), default=0), align + 1)
    return ["    columns:"] + [f"      {names[name].ljust(width)} {flow(spec)}{comment(notes)}"
                               for name, (spec, notes) in columns.items()]
