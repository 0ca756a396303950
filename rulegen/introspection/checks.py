"""A small, tolerant reader of simple CHECK constraints: never ``eval``, never an abort.

It understands what SQLite keeps verbatim and what PostgreSQL's ``pg_get_constraintdef``
prints: ``col IN (...)``, ``col = ANY (ARRAY[...])``, ``col BETWEEN a AND b``, comparisons of
a column with a literal (``col >= 0``) or with another column (``ends >= starts``), joined by
AND, and ORs of equalities on one column. Casts (``(0)::numeric``), redundant parentheses and
``IS NOT NULL`` are looked through. Anything else makes :func:`parse_check` return None, and
the caller keeps the constraint as a comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Bound", "Compare", "Fact", "OneOf", "check_clauses", "parse_check"]


@dataclass(frozen=True, slots=True)
class OneOf:
    """The column holds one of ``values``."""

    column: str
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Bound:
    """``column op value``, with op one of ``>= > <= <``."""

    column: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class Compare:
    """``left op right`` between two columns of the row (op one of ``== != >= > <= <``)."""

    left: str
    op: str
    right: str

    def expression(self) -> str:
        """The comparison in rulegen's expression syntax."""
        return f"{self.left} {self.op} {self.right}"


Fact = OneOf | Bound | Compare

MAX_DEPTH = 12  # nested parentheses; PostgreSQL prints simple checks with 3 or 4
MAX_TOKENS = 2_000

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<str>[eE]?'(?:[^']|'')*')
  | (?P<name>"(?:[^"]|"")*"|`[^`]*`|\[[A-Za-z_][^\]'",]*\])
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<op>::|>=|<=|<>|!=|==|[=<>()\[\],.+\-])
  | (?P<other>.)
""", re.VERBOSE | re.IGNORECASE | re.DOTALL)

_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}
_KEYWORDS = {"and", "or", "not", "in", "between", "is", "any", "like", "ilike", "null", "true", "false", "array",
             "check", "collate", "similar", "escape"}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # str, name, num, word, op, other
    text: str
    value: Any
    start: int
    end: int

    def word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        raw = match.group()
        if kind == "space":
            continue
        if kind == "str":
            value: Any = raw[raw.index("'") + 1:-1].replace("''", "'")
        elif kind == "name":
            value = raw[1:-1].replace('""', '"') if raw[0] == '"' else raw[1:-1]
        elif kind == "num":
            value = float(raw) if any(c in raw for c in ".eE") else int(raw)
        else:
            value = raw
        tokens.append(_Token(kind, raw, value, match.start(), match.end()))
    return tokens


def check_clauses(sql: str) -> list[str]:
    """The bodies of every ``CHECK (...)`` in a statement (a CREATE TABLE, or a constraint
    definition), without the word CHECK and the outer parentheses."""
    tokens = _tokens(sql)
    bodies = []
    for i, token in enumerate(tokens):
        if not token.word("check") or i + 1 >= len(tokens) or tokens[i + 1].text != "(":
            continue
        depth = 0
        for j in range(i + 1, len(tokens)):
            depth += {"(": 1, ")": -1}.get(tokens[j].text, 0) if tokens[j].kind == "op" else 0
            if depth == 0:
                bodies.append(sql[tokens[i + 1].end:tokens[j].start].strip())
                break
    return bodies


class _Fail(Exception):
    """The expression is not one of the simple forms."""


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    # --- cursor -------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> _Token | None:
        index = self.at + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise _Fail("unexpected end")
        self.at += 1
        return token

    def accept(self, text: str) -> bool:
        token = self.peek()
        if token is not None and (token.text == text if token.kind == "op" else token.word(text)):
            self.at += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            raise _Fail(f"expected {text}")

    # --- grammar ------------------------------------------------------------------------
    def parse(self) -> list[Fact]:
        facts = self.disjunction()
        if self.peek() is not None:
            raise _Fail("trailing text")
        return facts

    def disjunction(self) -> list[Fact]:
        branches = [self.conjunction()]
        while self.accept("or"):
            branches.append(self.conjunction())
        if len(branches) == 1:
            return branches[0]
        # Only ORs of IN/equalities on one column say something simple: the union of values.
        if all(len(b) == 1 and isinstance(b[0], OneOf) for b in branches) \
                and len({b[0].column for b in branches}) == 1:
            values = tuple(dict.fromkeys(v for b in branches for v in b[0].values))
            return [OneOf(branches[0][0].column, values)]
        raise _Fail("OR")

    def conjunction(self) -> list[Fact]:
        facts = self.primary()
        while self.accept("and"):
            facts += self.primary()
        return facts

    def primary(self) -> list[Fact]:
        token = self.peek()
        if token is not None and token.kind == "op" and token.text == "(":
            start = self.at
            try:  # a parenthesised condition...
                self.take()
                facts = self.disjunction()
                self.expect(")")
                following = self.peek()
                if following is None or following.word("and", "or") or following.text == ")":
                    return facts
            except _Fail:
                pass
            self.at = start  # ...or a condition starting with a parenthesised operand
        return self.predicate()

    def predicate(self) -> list[Fact]:
        left = self.operand()
        if self.accept("is"):
            self.expect("not")
            self.expect("null")
            return []
        if self.accept("between"):
            low = self.operand()
            self.expect("and")
            high = self.operand()
            column = _column(left)
            return [Bound(column, ">=", _literal(low)), Bound(column, "<=", _literal(high))]
        if self.accept("in"):
            self.expect("(")
            values = [_literal(self.operand())]
            while self.accept(","):
                values.append(_literal(self.operand()))
            self.expect(")")
            return [OneOf(_column(left), tuple(values))]
        token = self.take()
        if token.kind != "op" or token.text not in ("=", "==", "<>", "!=", ">=", "<=", ">", "<"):
            raise _Fail(f"operator {token.text}")
        op = {"=": "==", "<>": "!="}.get(token.text, token.text)
        if op == "==" and self.accept("any"):
            self.expect("(")
            values = self.operand()
            self.expect(")")
            if values[0] != "list":
                raise _Fail("ANY of a non-array")
            return [OneOf(_column(left), tuple(values[1]))]
        right = self.operand()
        if left[0] == "column" and right[0] == "column":
            return [Compare(left[1], op, right[1])]
        if left[0] == "literal" and right[0] == "column":
            left, right, op = right, left, _FLIP[op]
        column, value = _column(left), _literal(right)
        if op == "==":
            return [OneOf(column, (value,))]
        if op == "!=":
            raise _Fail("!=")
        return [Bound(column, op, value)]

    def operand(self) -> tuple[str, Any]:
        token = self.take()
        if token.kind == "op" and token.text == "(":
            inner = self.operand()
            self.expect(")")
            result = inner
        elif token.kind == "op" and token.text in "+-":
            number = self.take()
            if number.kind != "num":
                raise _Fail("sign")
            result = ("literal", -number.value if token.text == "-" else number.value)
        elif token.kind in ("str", "num"):
            result = ("literal", token.value)
        elif token.word("true", "false"):
            result = ("literal", token.text.lower() == "true")
        elif token.word("array"):
            self.expect("[")
            items = [_literal(self.operand())]
            while self.accept(","):
                items.append(_literal(self.operand()))
            self.expect("]")
            result = ("list", items)
        elif token.kind == "name" or (token.kind == "word" and token.text.lower() not in _KEYWORDS):
            name = token.value
            while self.accept("."):  # table.column: the column
                name = self.take().value
            if self.peek() is not None and self.peek().text == "(":
                raise _Fail("function call")
            result = ("column", name)
        else:
            raise _Fail(f"operand {token.text}")
        while self.accept("::"):
            self.cast()
        return result

    def cast(self) -> None:
        """Skip a type name after ``::`` (several words, a size, array brackets)."""
        if self.peek() is None or self.peek().kind not in ("word", "name"):
            raise _Fail("cast")
        while self.peek() is not None and self.peek().kind in ("word", "name") \
                and not self.peek().word("and", "or", "not", "in", "between", "is", "any"):
            self.take()
        if self.accept("("):
            while not self.accept(")"):
                self.take()
        while self.accept("["):
            self.expect("]")


def _column(operand: tuple[str, Any]) -> str:
    if operand[0] != "column":
        raise _Fail("expected a column")
    return operand[1]


def _literal(operand: tuple[str, Any]) -> Any:
    if operand[0] != "literal":
        raise _Fail("expected a literal")
    return operand[1]


def parse_check(text: str) -> list[Fact] | None:
    """The facts a CHECK expression states, or None when it is not one of the simple forms.

    ``text`` is the expression, with or without ``CHECK (...)`` around it.
    """
    text = re.sub(r"\s+NOT\s+VALID\s*$", "", text.strip(), flags=re.IGNORECASE)
    if re.match(r"check\s*\(", text, re.IGNORECASE):
        bodies = check_clauses(text)
        if len(bodies) != 1:
            return None
        text = bodies[0]
    parser = _Parser(text)
    depth = deepest = 0
    for token in parser.tokens:
        depth += {"(": 1, ")": -1}.get(token.text, 0) if token.kind == "op" else 0
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH or len(parser.tokens) > MAX_TOKENS:
        return None  # not a simple check, and backtracking over it could take long
    try:
        return parser.parse()
    except (_Fail, IndexError, KeyError, AttributeError, TypeError, RecursionError):
        return None
