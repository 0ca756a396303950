"""Errors and diagnostics.

Every problem rulegen reports about a spec is a :class:`Diagnostic`: a stable code, a message,
the JSON pointer of the offending node and an optional hint. The source location is not stored:
it is resolved from the spec's :class:`~rulegen.spec.source_map.SourceMap` only when rendered, so
later stages can report problems without knowing about YAML.

Codes: RG1xx YAML, RG2xx structure and semantics, RG3xx graph, RG4xx generation, RG5xx output.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rulegen.spec.source_map import SourceMap

__all__ = [
    "Diagnostic",
    "GenerationError",
    "MessageError",
    "OutputError",
    "RulegenError",
    "SpecError",
    "did_you_mean",
    "pointer_to_path",
]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a spec.

    Attributes:
        code: stable identifier such as ``RG203``.
        message: what is wrong, naming the value and the rule.
        pointer: JSON pointer of the spec node at fault (``/tables/orders/rows``).
        hint: an optional suggestion (``did you mean `lognormal`?``).
        offset: character offset inside a string value (expression positions).
        at_key: point at the mapping key rather than its value (unknown options).
        mark: an explicit (line, column), for problems found before there are pointers (YAML syntax).
    """

    code: str
    message: str
    pointer: str = ""
    hint: str | None = None
    offset: int | None = None
    at_key: bool = False
    mark: tuple[int, int] | None = None

    def render(self, source: SourceMap | None = None) -> str:
        """``FILE:LINE:COL: error[CODE] spec.path: message`` plus a hint line; ``rulegen: ...``
        for a problem with no place in the spec (a database that refuses the data)."""
        if not self.pointer and self.mark is None:
            where = "rulegen"
        else:
            where = (source.describe(self.pointer, offset=self.offset, at_key=self.at_key, mark=self.mark)
                     if source else "<spec>")
        path = pointer_to_path(self.pointer)
        text = f"{where}: error[{self.code}] {path + ': ' if path else ''}{_visible(self.message)}"
        if self.hint:
            text += f"\n    hint: {_visible(self.hint)}"
        return text


def pointer_to_path(pointer: str) -> str:
    """``/tables/t/constraints/0`` -> ``tables.t.constraints[0]`` (the path users see)."""
    parts = [_visible(raw.replace("~1", "/").replace("~0", "~")) for raw in pointer.split("/")[1:]]
    # /tables/NAME/columns/NAME: those places hold names (a column may be called `2024`).
    names = {1, 3} if parts[:1] == ["tables"] and parts[2:3] in ([], ["columns"]) else {1}
    path = ""
    for i, part in enumerate(parts):
        is_index = part.isdigit() and not (i in names and parts[:1] == ["tables"])
        path += f"[{part}]" if is_index else (f".{part}" if path else part)
    return path


def _visible(text: str) -> str:
    """Text with its invisible characters escaped: a name or value from a spec must not end the
    line or drive the terminal (escape sequences) when a message shows it."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate to a misspelt ``word``, if any is close."""
    match = difflib.get_close_matches(str(word), sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean `{match[0]}`?" if match else None


class RulegenError(Exception):
    """Base of every error rulegen raises on purpose (a user error, never a bug)."""

    def __init__(self, diagnostics: Sequence[Diagnostic], source: SourceMap | None = None) -> None:
        self.diagnostics = tuple(diagnostics)
        self.source = source  # may be attached later, by the stage that knows the spec
        super().__init__(*self.diagnostics)

    def __str__(self) -> str:
        return self.render()

    def __reduce__(self) -> tuple[type[RulegenError], tuple[tuple[Diagnostic, ...], SourceMap | None]]:
        # Errors raised in worker processes travel back by pickle with all their diagnostics.
        return type(self), (self.diagnostics, self.source)

    def render(self) -> str:
        """All diagnostics, one per line, with their source locations."""
        return "\n".join(d.render(self.source) for d in self.diagnostics)


class SpecError(RulegenError):
    """The spec is invalid: YAML, structure, semantics or graph."""


class GenerationError(RulegenError):
    """The spec is valid but its rules could not be met (constraints, uniqueness)."""


class OutputError(RulegenError):
    """Data could not be written or read."""


class MessageError(OutputError):
    """An :class:`OutputError` of one line, its message (a file that cannot be read, a database
    that cannot be reached), under the code of its class."""

    code = "RG500"

    def __init__(self, message: str) -> None:
        super().__init__([Diagnostic(self.code, message)])
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[MessageError], tuple[str]]:  # type: ignore[override]
        return type(self), (self.message,)
