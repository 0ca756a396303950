"""Where each node of a loaded spec came from: JSON pointer -> ``FILE:LINE:COL``."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Position", "SourceMap", "join_pointer"]


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column, plus how a scalar was quoted (for offsets inside it)."""

    line: int
    col: int
    style: str | None = None  # None (plain), "'", '"', "|" or ">"


def join_pointer(pointer: str, key: object) -> str:
    """Append one key to a JSON pointer, escaping ``~`` and ``/`` as RFC 6901 says."""
    return f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"


@dataclass(slots=True)
class SourceMap:
    """Positions of the values and keys of one spec document."""

    filename: str
    values: dict[str, Position] = field(default_factory=dict)
    keys: dict[str, Position] = field(default_factory=dict)
    text: str = ""

    def position(self, pointer: str, *, at_key: bool = False) -> Position:
        """The position of ``pointer``, or of its nearest recorded ancestor."""
        while True:
            found = (self.keys.get(pointer) if at_key else None) or self.values.get(pointer)
            if found or not pointer:
                return found or Position(1, 1)
            pointer = pointer.rsplit("/", 1)[0]

    def describe(self, pointer: str, *, offset: int | None = None, at_key: bool = False,
                 mark: tuple[int, int] | None = None) -> str:
        """``FILE:LINE:COL`` of a node; ``offset`` moves inside a string value."""
        if mark is not None:
            return f"{self.filename}:{mark[0]}:{mark[1]}"
        pos = self.position(pointer, at_key=at_key)
        line, col = pos.line, pos.col
        if offset is not None:
            line, col = self._inside(pos, offset)
        return f"{self.filename}:{line}:{col}"

    def _inside(self, pos: Position, offset: int) -> tuple[int, int]:
        """Position of the ``offset``-th character of the scalar that starts at ``pos``."""
        if pos.style in ("|", ">"):
            # Block scalars start on the next line, indented; count lines inside the block.
            lines = self.text.splitlines()
            line = pos.line + 1
            indent = len(lines[line - 1]) - len(lines[line - 1].lstrip()) if line <= len(lines) else 0
            while line <= len(lines) and offset > len(lines[line - 1]) - indent:
                offset -= len(lines[line - 1]) - indent + 1
                line += 1
            return line, indent + offset + 1
        # Flow scalars may span lines: each line break folds into one space, and the next
        # line's indentation is not part of the value.
        lines = self.text.splitlines()
        line, col = pos.line, pos.col + (1 if pos.style in ("'", '"') else 0)
        while line < len(lines):
            available = len(lines[line - 1].rstrip()) - (col - 1)
            if offset <= available:
                break
            offset -= available + 1
            line += 1
            col = len(lines[line - 1]) - len(lines[line - 1].lstrip()) + 1
        return line, col + offset

    def in_document_order(self, diagnostics: list) -> list:
        """Diagnostics sorted by where they point in the file (stable for equal positions)."""

        def where(d):
            if d.mark is not None:
                return d.mark
            pos = self.position(d.pointer, at_key=d.at_key)
            return (pos.line, pos.col)

        return sorted(diagnostics, key=where)
