"""The ``pattern`` kind: random strings matching a small regex subset, built column-wise.

Supported: literals (``\\`` escapes any character), classes ``[A-Z0-9_]`` and ``[^...]`` over
printable ASCII, ``.``, ``\\d \\w \\s`` (ASCII), groups ``( … )`` with ``|``, and repeats
``{m}``, ``{m,n}``, ``?``, ``*`` (0 to 8) and ``+`` (1 to 8). Strings are made as a matrix of code
points, one column per position, so a million values cost a few NumPy operations. Patterns
without alternation or variable repeats have an enumerable value space, which makes
``unique: true`` exact by construction.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from rulegen.errors import Diagnostic
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.registry import register
from rulegen.kinds.validity import matches, verdict

__all__ = ["Pattern", "PatternError", "parse_pattern", "pattern_regex"]

_UNBOUNDED = 8  # the upper repeat of `*` and `+`
MAX_LENGTH = 1_000  # characters a pattern may make: a spec cannot ask for gigabytes per row
_PRINTABLE = [c for c in string.printable if c not in "\t\n\r\x0b\x0c"]
_CLASSES = {"d": string.digits, "w": string.ascii_letters + string.digits + "_", "s": " "}


class PatternError(Exception):
    """A pattern outside the supported subset, with the offset of the problem."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message, self.offset = message, offset


@dataclass(frozen=True, slots=True)
class Chars:
    """One position drawn from a set of characters."""

    chars: str


@dataclass(frozen=True, slots=True)
class Seq:
    """Parts one after the other."""

    parts: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Alt:
    """One branch, chosen uniformly."""

    branches: tuple[Seq, ...]


@dataclass(frozen=True, slots=True)
class Repeat:
    """A part repeated between ``low`` and ``high`` times (uniform count)."""

    part: Any
    low: int
    high: int


def parse_pattern(pattern: str) -> Seq:
    """Parse ``pattern`` into a tree; raises :class:`PatternError` with an offset."""
    parser = _Parser(pattern)
    tree = parser.alternation()
    if parser.pos < len(pattern):
        raise PatternError(f"unexpected `{pattern[parser.pos]}`", parser.pos)
    tree = tree if isinstance(tree, Seq) else Seq((tree,))
    if _max_length(tree) > MAX_LENGTH:
        raise PatternError(f"makes strings of up to {_max_length(tree):,} characters; the limit is {MAX_LENGTH:,}",
                           0)
    return tree


class _Parser:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def alternation(self) -> Seq | Alt:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else Seq((Alt(tuple(branches)),))

    def sequence(self) -> Seq:
        parts = []
        while self.peek() not in (None, "|", ")"):
            parts.append(self.repeat(self.atom()))
        return Seq(tuple(parts))

    def atom(self) -> Any:
        start, char = self.pos, self.text[self.pos]
        self.pos += 1
        if char == "(":
            if self.text.startswith("?:", self.pos):
                self.pos += 2
            inner = self.alternation()
            if self.peek() != ")":
                raise PatternError("`(` is never closed", start)
            self.pos += 1
            return inner
        if char == "[":
            return self.char_class(start)
        if char == ".":
            return Chars("".join(_PRINTABLE))
        if char == "\\":
            return self.escape(start)
        if char in "{}*+?":
            raise PatternError(f"`{char}` has nothing to repeat", start)
        if char in "^$":
            raise PatternError(f"anchors (`{char}`) are not needed: patterns always match whole strings", start)
        return Chars(char)

    def escape(self, start: int) -> Chars:
        if self.pos >= len(self.text):
            raise PatternError("pattern ends with `\\`", start)
        char = self.text[self.pos]
        self.pos += 1
        if char in _CLASSES:
            return Chars(_CLASSES[char])
        if char.isalnum():
            raise PatternError(f"escape `\\{char}` is not supported (use \\d, \\w, \\s or a class)", start)
        return Chars(char)

    def char_class(self, start: int) -> Chars:
        negate = self.peek() == "^"
        self.pos += negate
        chars: list[str] = []
        while self.peek() != "]":
            if self.peek() is None:
                raise PatternError("`[` is never closed", start)
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\":
                chars.extend(self.escape(self.pos - 1).chars)
            elif self.peek() == "-" and self.pos + 1 < len(self.text) and self.text[self.pos + 1] != "]":
                end = self.text[self.pos + 1]
                if ord(end) < ord(char):
                    raise PatternError(f"range `{char}-{end}` is backwards", self.pos - 1)
                chars.extend(chr(c) for c in range(ord(char), ord(end) + 1))
                self.pos += 2
            else:
                chars.append(char)
        self.pos += 1
        unique = "".join(dict.fromkeys(chars))
        if negate:
            unique = "".join(c for c in _PRINTABLE if c not in unique)
        if not unique:
            raise PatternError("empty character class", start)
        return Chars(unique)

    def repeat(self, atom: Any) -> Any:
        char, start = self.peek(), self.pos
        if char in ("?", "*", "+"):
            self.pos += 1
            low, high = {"?": (0, 1), "*": (0, _UNBOUNDED), "+": (1, _UNBOUNDED)}[char]
            return Repeat(atom, low, high)
        if char != "{":
            return atom
        end = self.text.find("}", start)
        if end < 0:
            raise PatternError("`{` is never closed", start)
        body = self.text[start + 1:end]
        try:
            low_text, _, high_text = body.partition(",")
            low = int(low_text)
            high = int(high_text) if "," in body and high_text.strip() else (low + _UNBOUNDED if "," in body else low)
        except ValueError:
            raise PatternError(f"`{{{body}}}` is not a repeat count like {{3}} or {{2,5}}", start) from None
        if high < low:
            raise PatternError(f"repeat `{{{body}}}` has max < min", start)
        self.pos = end + 1
        return Repeat(atom, low, high)


def pattern_regex(node: Any) -> str:
    """An RE2 regex that matches exactly the strings ``node`` can make.

    Written from the parsed tree rather than the user's text, so the subset's own meanings hold
    (``.`` is printable ASCII, ``*`` repeats at most 8 times) and no character needs RE2's escapes.
    """
    if isinstance(node, Chars):
        chars = "".join(_regex_char(c) for c in node.chars)
        return chars if len(node.chars) == 1 else f"[{chars}]"
    if isinstance(node, Seq):
        return "".join(pattern_regex(p) for p in node.parts)
    if isinstance(node, Alt):
        return "(?:" + "|".join(pattern_regex(b) for b in node.branches) + ")"
    return f"(?:{pattern_regex(node.part)}){{{node.low},{node.high}}}"


def _regex_char(char: str) -> str:
    return char if char.isascii() and char.isalnum() else f"\\x{{{ord(char):x}}}"


def _max_length(node: Any) -> int:
    if isinstance(node, Chars):
        return 1
    if isinstance(node, Seq):
        return sum(_max_length(p) for p in node.parts)
    if isinstance(node, Alt):
        return max(_max_length(b) for b in node.branches)
    return node.high * _max_length(node.part)


def _max_bytes(node: Any) -> int:
    """As :func:`_max_length`, in UTF-8 bytes."""
    if isinstance(node, Chars):
        return max(len(c.encode("utf-8", "surrogatepass")) for c in node.chars)
    if isinstance(node, Seq):
        return sum(_max_bytes(p) for p in node.parts)
    if isinstance(node, Alt):
        return max(_max_bytes(b) for b in node.branches)
    return node.high * _max_bytes(node.part)


def _fixed_positions(node: Any) -> list[str] | None:
    """The character set of each position, when the pattern has a fixed shape; else None."""
    if isinstance(node, Chars):
        return [node.chars]
    if isinstance(node, Seq):
        out: list[str] = []
        for part in node.parts:
            sub = _fixed_positions(part)
            if sub is None:
                return None
            out += sub
        return out
    if isinstance(node, Repeat) and node.low == node.high:
        sub = _fixed_positions(node.part)
        return None if sub is None else sub * node.low
    return None


def _count_upper_bound(node: Any) -> int:
    """How many strings the pattern can make at most (exact for fixed shapes)."""
    if isinstance(node, Chars):
        return len(node.chars)
    if isinstance(node, Seq):
        return math.prod(_count_upper_bound(p) for p in node.parts)
    if isinstance(node, Alt):
        return sum(_count_upper_bound(b) for b in node.branches)
    one = _count_upper_bound(node.part)
    return sum(one ** k for k in range(node.low, node.high + 1))


def _fill(node: Any, rng: np.random.Generator, codes: np.ndarray, rows: np.ndarray, col: np.ndarray) -> None:
    """Write the code points of ``node`` for ``rows`` starting at per-row column ``col`` (advanced)."""
    if isinstance(node, Chars):
        table = np.frombuffer(node.chars.encode("utf-32-le"), dtype=np.uint32)
        codes[rows, col] = table[rng.integers(0, len(table), size=len(rows))]
        col += 1
    elif isinstance(node, Seq):
        for part in node.parts:
            _fill(part, rng, codes, rows, col)
    elif isinstance(node, Alt):
        branch = rng.integers(0, len(node.branches), size=len(rows))
        for i, sub in enumerate(node.branches):
            pick = branch == i
            sub_col = col[pick]
            _fill(sub, rng, codes, rows[pick], sub_col)
            col[pick] = sub_col
    else:
        counts = rng.integers(node.low, node.high + 1, size=len(rows))
        for k in range(node.high):
            active = counts > k
            sub_col = col[active]
            _fill(node.part, rng, codes, rows[active], sub_col)
            col[active] = sub_col


def strings_from_codes(codes: np.ndarray) -> pa.Array:
    """An Arrow string array from a (rows, width) matrix of code points, 0 meaning "no character"."""
    n, width = codes.shape
    if width == 0:
        return pa.array([""] * n, type=pa.string())
    present = codes != 0
    if not present.all():  # move characters left over the holes, keeping their order
        order = np.argsort(~present, axis=1, kind="stable")
        codes = np.take_along_axis(codes, order, axis=1)
    if codes.max(initial=0) < 128:  # ASCII: build the Arrow buffers directly
        lengths = present.sum(axis=1)
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(lengths, out=offsets[1:])
        data = codes[np.arange(width) < lengths[:, None]].astype(np.uint8)
        return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data.tobytes()))
    return pa.array(np.ascontiguousarray(codes).view(f"<U{width}").ravel())


@register
class Pattern(Kind):
    """Random strings matching a regex subset (see the module docstring)."""

    name = "pattern"
    summary = "random strings matching a regex subset: literals, [A-Z0-9], \\d \\w, {m}, {m,n}, (a|b)"
    options = {"pattern": {"type": "string", "minLength": 1,
                           "description": "literals, classes [A-Z0-9], \\d \\w, {m} and {m,n} repeats, (a|b) groups"}}
    required = ("pattern",)
    example = {"kind": "pattern", "pattern": "[A-Z]{3}-[0-9]{5}"}
    value_rule = "pattern"

    def check(self, table: Any) -> list[Diagnostic]:
        try:
            self.tree = parse_pattern(self.option("pattern"))
        except PatternError as exc:
            return [Diagnostic("RG215", f"invalid pattern: {exc.message}", self.pointer("pattern"),
                               offset=exc.offset)]
        self.positions = _fixed_positions(self.tree)
        return []

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.string()
        most = _count_upper_bound(self.tree)
        if self.column.unique and self.positions is None and most < env.rows:
            env.report("RG310", f"cannot make {env.rows:,} unique values: the pattern makes at most {most:,}",
                       self.pointer("unique"), hint="widen the pattern or lower the row count")

    def max_bytes(self, widths: Mapping[str, int | None]) -> int:
        """The UTF-8 bytes of its longest match (an escaped literal may be any character)."""
        return _max_bytes(self.tree)

    def do_evaluate(self, ctx: Any) -> pa.Array:
        codes = np.zeros((ctx.n, _max_length(self.tree)), dtype=np.uint32)
        _fill(self.tree, ctx.rng(), codes, np.arange(ctx.n), np.zeros(ctx.n, dtype=np.int64))
        return strings_from_codes(codes)

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array | None:
        """A full match of the pattern (exactly the strings it can make)."""
        found = matches(values, pattern_regex(self.tree))
        nulls = values.is_null().to_numpy(zero_copy_only=False)
        return None if found is None else verdict(found, nulls, False)

    def space_size(self) -> int | None:
        """Exact for fixed-shape patterns; others are checked for repeats as they stream."""
        return _count_upper_bound(self.tree) if self.positions is not None else None

    def values_at(self, index: np.ndarray) -> pa.Array:
        assert self.positions is not None
        codes = np.zeros((len(index), len(self.positions)), dtype=np.uint32)
        rest = index.astype(np.int64)
        for i in range(len(self.positions) - 1, -1, -1):  # mixed radix, last position fastest
            table = np.frombuffer(self.positions[i].encode("utf-32-le"), dtype=np.uint32)
            codes[:, i] = table[rest % len(table)]
            rest //= len(table)
        return strings_from_codes(codes)
