"""A small, tolerant reader of simple CHECK constraints: never ``eval``, never an abort.

It understands what SQLite keeps verbatim and what PostgreSQL's ``pg_get_constraintdef``
prints: ``col IN (...)``, ``col = ANY (ARRAY[...])`` (also on ``upper(col)``/``lower(col)``),
``col BETWEEN a AND b``, comparisons of a column with a literal (``col >= 0``, a date, or a time
from ``now()``/``CURRENT_DATE`` plus or minus an interval) or with another column (``ends >=
starts``), ``char_length``/``length`` bounds, ``LIKE``, ``GLOB`` and ``~`` patterns, joined by
AND, and ORs of equalities or of patterns on one column. A branch ``OR col IS NULL`` is dropped (the rest is
then stricter than the CHECK, so still meets it), ``col IS NOT NULL`` says the column is never
null, and casts (``(0)::numeric``) and redundant parentheses are looked through. Anything else
makes :func:`parse_check` return None, and the caller keeps the constraint as a comment.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from rulegen.introspection.patterns import glob_pattern, like_pattern, regex_pattern

__all__ = ["Bound", "Compare", "Fact", "Length", "Matches", "NotNull", "OneOf", "check_clauses", "parse_check"]


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
    relative: bool = False  # a time computed from now(): true on the day the spec was written


@dataclass(frozen=True, slots=True)
class Length:
    """``length(column) op value``, with op one of ``>= > <= <`` (``==`` as two facts)."""

    column: str
    op: str
    value: int


@dataclass(frozen=True, slots=True)
class Matches:
    """The column's text matches ``pattern`` (in the ``pattern`` kind's syntax)."""

    column: str
    pattern: str


@dataclass(frozen=True, slots=True)
class NotNull:
    """The column is never null (``col IS NOT NULL``)."""

    column: str


@dataclass(frozen=True, slots=True)
class _IsNull:
    """``col IS NULL``: only meaningful as a branch of an OR, which is then dropped."""

    column: str


@dataclass(frozen=True, slots=True)
class Compare:
    """``left op right`` between two columns of the row (op one of ``== != >= > <= <``)."""

    left: str
    op: str
    right: str

    def expression(self) -> str:
        """The comparison in rulegen's expression syntax."""
        return f"{self.left} {self.op} {self.right}"


Fact = OneOf | Bound | Compare | Length | Matches | NotNull

MAX_DEPTH = 12  # nested parentheses; PostgreSQL prints simple checks with 3 or 4
MAX_TOKENS = 2_000

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<str>[eE]?'(?:[^']|'')*')
  | (?P<name>"(?:[^"]|"")*"|`[^`]*`|\[[A-Za-z_][^\]'",]*\])
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<op>::|>=|<=|<>|!=|==|!?~~?\*?|[=<>()\[\],.+\-])
  | (?P<other>.)
""", re.VERBOSE | re.IGNORECASE | re.DOTALL)

_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}
_KEYWORDS = {"and", "or", "not", "in", "between", "is", "any", "like", "ilike", "null", "true", "false", "array",
             "check", "collate", "similar", "escape", "glob"}
_CASE_FUNCTIONS = ("upper", "lower")  # a list of values on upper(col): the values themselves fit
_LENGTH_FUNCTIONS = ("length", "char_length", "character_length")
_NOW = ("now", "current_timestamp", "localtimestamp", "current_date", "transaction_timestamp",
        "statement_timestamp", "clock_timestamp")
_TYPED = ("date", "timestamp", "timestamptz", "interval", "time")  # DATE '2020-01-01' and the like
_UNITS = {"sec": 1, "second": 1, "min": 60, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400,
          "mon": 30 * 86400, "month": 30 * 86400, "year": 365 * 86400}


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
    def __init__(self, text: str, today: datetime.date) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.now = datetime.datetime.combine(today, datetime.time())

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
        if any(isinstance(f, _IsNull) for f in facts):
            raise _Fail("IS NULL")
        return facts

    def disjunction(self) -> list[Fact]:
        branches = [self.conjunction()]
        while self.accept("or"):
            branches.append(self.conjunction())
        if len(branches) == 1:
            return branches[0]
        # `... OR col IS NULL`: the other branches, stricter than the whole, still meet it.
        kept = [b for b in branches if not (len(b) == 1 and isinstance(b[0], _IsNull))]
        if len(kept) == 1:
            return kept[0]
        # Only ORs of IN/equalities on one column say something simple: the union of values.
        if kept and all(len(b) == 1 and isinstance(b[0], OneOf) for b in kept) \
                and len({b[0].column for b in kept}) == 1:
            values = tuple(dict.fromkeys(v for b in kept for v in b[0].values))
            return [OneOf(kept[0][0].column, values)]
        # ORs of patterns on one column (LIKE '%a%' OR LIKE '%b%'): a pattern of alternatives.
        if kept and all(len(b) == 1 and isinstance(b[0], Matches) for b in kept) \
                and len({b[0].column for b in kept}) == 1:
            return [Matches(kept[0][0].column, "(" + "|".join(b[0].pattern for b in kept) + ")")]
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
            negated = self.accept("not")
            self.expect("null")
            return [NotNull(_column(left)) if negated else _IsNull(_column(left))]
        if self.accept("between"):
            low = self.operand()
            self.expect("and")
            high = self.operand()
            return self.compare(left, ">=", low) + self.compare(left, "<=", high)
        if self.accept("in"):
            self.expect("(")
            values = [_literal(self.operand())]
            while self.accept(","):
                values.append(_literal(self.operand()))
            self.expect(")")
            return [OneOf(_column(left, case=True), tuple(values))]
        if self.peek() is not None and (self.peek().word("like", "glob") or self.peek().text in ("~", "~~")):
            word = self.take().text.lower().replace("~~", "like")  # PostgreSQL prints LIKE as ~~
            text = _literal(self.operand())
            escape = "\\"
            if self.accept("escape"):
                escape = _literal(self.operand())
            translate = {"like": lambda t: like_pattern(t, escape=escape), "glob": glob_pattern, "~": regex_pattern}
            pattern = translate[word](str(text)) if isinstance(text, str) else None
            if pattern is None:
                raise _Fail(f"{word} pattern")
            return [Matches(_column(left), pattern)]
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
            return [OneOf(_column(left, case=True), tuple(values[1]))]
        return self.compare(left, op, self.operand())

    def compare(self, left: tuple[str, Any], op: str, right: tuple[str, Any]) -> list[Fact]:
        if left[0] == "column" and right[0] == "column":
            return [Compare(left[1], op, right[1])]
        if left[0] not in ("column", "length", "case"):
            left, right, op = right, left, _FLIP[op]
        if left[0] == "length" and op == "==":
            return [Length(left[1], ">=", _literal(right)), Length(left[1], "<=", _literal(right))]
        if left[0] == "length" and op != "!=":
            return [Length(left[1], op, _literal(right))]
        column, value = _column(left, case=op == "=="), _literal(right)
        if op == "==":
            return [OneOf(column, (value,))]
        if op == "!=":
            raise _Fail("!=")
        return [Bound(column, op, value, relative=right[0] == "relative")]

    def operand(self) -> tuple[str, Any]:
        result = self.term()
        while self.peek() is not None and self.peek().text in ("+", "-") and result[0] == "relative":
            sign = 1 if self.take().text == "+" else -1
            delta = self.term()
            if not isinstance(delta[1], datetime.timedelta):
                raise _Fail("time arithmetic")
            result = ("relative", result[1] + sign * delta[1])
        return result

    def term(self) -> tuple[str, Any]:
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
        elif token.word(*_TYPED) and self.peek() is not None and self.peek().kind == "str":
            result = _typed(token.text.lower(), self.take().value)
        elif token.word(*_NOW):
            if self.accept("("):
                self.expect(")")
            result = ("relative", self.now)
        elif token.word("array"):
            self.expect("[")
            items = [_literal(self.operand())]
            while self.accept(","):
                items.append(_literal(self.operand()))
            self.expect("]")
            result = ("list", items)
        elif token.kind == "name" or (token.kind == "word" and token.text.lower() not in _KEYWORDS):
            result = self.name(token)
        else:
            raise _Fail(f"operand {token.text}")
        while self.accept("::"):
            kind = self.cast()
            if result[0] == "literal" and isinstance(result[1], str) and kind in _TYPED:
                result = _typed(kind, result[1])
        return result

    def name(self, token: _Token) -> tuple[str, Any]:
        """A column (``table.column`` read as the column), or a function of one column."""
        name = token.value
        while self.accept("."):
            name = self.take().value
        if self.peek() is None or self.peek().text != "(":
            return ("column", name)
        function = str(name).lower()
        if function not in _CASE_FUNCTIONS + _LENGTH_FUNCTIONS:
            raise _Fail("function call")
        self.expect("(")
        inner = self.operand()
        self.expect(")")
        return ("length" if function in _LENGTH_FUNCTIONS else "case", _column(inner))

    def cast(self) -> str:
        """Skip a type name after ``::`` (several words, a size, array brackets); its first word."""
        if self.peek() is None or self.peek().kind not in ("word", "name"):
            raise _Fail("cast")
        first = str(self.peek().value).lower()
        while self.peek() is not None and self.peek().kind in ("word", "name") \
                and not self.peek().word("and", "or", "not", "in", "between", "is", "any", "like", "glob"):
            self.take()
        if self.accept("("):
            while not self.accept(")"):
                self.take()
        while self.accept("["):
            self.expect("]")
        return "timestamp" if first.startswith("timestamp") else first


def _typed(kind: str, text: str) -> tuple[str, Any]:
    """A typed literal: an interval as a timedelta, a date or time as its text."""
    if kind != "interval":
        return ("literal", text)
    seconds = 0
    parts = re.findall(r"(-?\d+(?:\.\d+)?)\s*([a-z]+)|(\d+):(\d+)(?::(\d+))?", text.lower())
    if not parts or re.sub(r"(-?\d+(?:\.\d+)?)\s*[a-z]+|\d+:\d+(?::\d+)?|\s", "", text.lower()):
        raise _Fail("interval")
    for number, unit, hours, minutes, secs in parts:
        if hours:
            seconds += int(hours) * 3600 + int(minutes) * 60 + int(secs or 0)
            continue
        size = next((v for k, v in _UNITS.items() if unit.rstrip("s") in (k, k + "ond", k + "ute")), None)
        if size is None:
            raise _Fail(f"interval unit {unit}")
        seconds += float(number) * size
    return ("literal", datetime.timedelta(seconds=seconds))


def _column(operand: tuple[str, Any], *, case: bool = False) -> str:
    if operand[0] == "column" or (case and operand[0] == "case"):
        return operand[1]
    raise _Fail("expected a column")


def _literal(operand: tuple[str, Any]) -> Any:
    if operand[0] == "relative":
        return operand[1]
    if operand[0] != "literal":
        raise _Fail("expected a literal")
    return operand[1]


def parse_check(text: str, today: datetime.date | None = None) -> list[Fact] | None:
    """The facts a CHECK expression states, or None when it is not one of the simple forms.

    Args:
        text: the expression, with or without ``CHECK (...)`` around it.
        today: the day ``now()`` and ``CURRENT_DATE`` stand for (today by default).
    """
    text = re.sub(r"\s+NOT\s+VALID\s*$", "", text.strip(), flags=re.IGNORECASE)
    if re.match(r"check\s*\(", text, re.IGNORECASE):
        bodies = check_clauses(text)
        if len(bodies) != 1:
            return None
        text = bodies[0]
    parser = _Parser(text, today or datetime.date.today())
    depth = deepest = 0
    for token in parser.tokens:
        depth += {"(": 1, ")": -1}.get(token.text, 0) if token.kind == "op" else 0
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH or len(parser.tokens) > MAX_TOKENS:
        return None  # not a simple check, and backtracking over it could take long
    try:
        return parser.parse()
    except (_Fail, IndexError, KeyError, AttributeError, TypeError, RecursionError, ValueError):
        return None
