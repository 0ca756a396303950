"""Fenced code blocks and expression tables of the Markdown documentation, with their markers.

A block is a fenced code block (```yaml, ```python, ```bash, ...). HTML comments on the lines
just before it (blank lines between are allowed) are its markers:

- ``<!-- no-run: REASON -->``: the block is not run (the reason is required);
- ``<!-- file: NAME -->``: a YAML block is also saved as NAME in the document's folder, for the
  commands and programs of later blocks;
- ``<!-- exit: N -->``: a bash block's commands end with exit code N (default 0);
- ``<!-- error: CODE -->``: a YAML spec is invalid, and its problems include CODE;
- ``<!-- output -->``: the block is the exact output of the last command run above it.

An expression table is a Markdown table whose header starts ``| expression | result |``; each
row's first two cells are an expression and the value it takes, both in backticks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Block", "ExpressionRow", "blocks", "expression_rows"]

_FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
_MARKER = re.compile(r"^\s*<!--\s*([\w-]+)\s*(?::\s*(.*?))?\s*-->\s*$")
_CELL = re.compile(r"`((?:[^`]|``)+?)`")


@dataclass(frozen=True)
class Block:
    """One fenced code block: its document, first line (1-based), language, text and markers."""

    doc: Path
    line: int
    lang: str
    text: str
    marks: dict[str, str] = field(default_factory=dict)

    def where(self) -> str:
        return f"{self.doc.name}:{self.line}"


@dataclass(frozen=True)
class ExpressionRow:
    """One row of an expression table: the expression, its expected value shown as text."""

    doc: Path
    line: int
    expression: str
    result: str


def _markers(lines: list[str], before: int) -> dict[str, str]:
    """The HTML comment markers on the lines just above line index ``before``."""
    marks: dict[str, str] = {}
    i = before - 1
    while i >= 0 and (not lines[i].strip() or _MARKER.match(lines[i])):
        match = _MARKER.match(lines[i])
        if match:
            marks.setdefault(match.group(1), match.group(2) or "")
        i -= 1
    return marks


def blocks(doc: Path) -> list[Block]:
    """Every fenced block of ``doc``, in order (the indentation of the fence is removed)."""
    lines = doc.read_text(encoding="utf-8").split("\n")
    found, i = [], 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, lang, start = len(match.group(1)), match.group(2), i
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        found.append(Block(doc, start + 1, lang, "\n".join(body) + "\n", _markers(lines, start)))
        i += 1
    return found


def expression_rows(doc: Path) -> list[ExpressionRow]:
    """The rows of every expression table of ``doc``."""
    lines = doc.read_text(encoding="utf-8").split("\n")
    rows, inside = [], False
    for number, line in enumerate(lines, 1):
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]] if line.strip().startswith("|") else []
        if cells[:2] == ["expression", "result"]:
            inside = True
            continue
        if not cells:
            inside = False
            continue
        if not inside or set(cells[0]) <= {"-", ":"}:
            continue
        expression, result = (_CELL.fullmatch(c.replace("\\|", "|")) for c in cells[:2])
        assert expression and result, f"{doc.name}:{number}: an expression row needs `expr` | `result`"
        rows.append(ExpressionRow(doc, number, expression.group(1), result.group(1)))
    return rows
