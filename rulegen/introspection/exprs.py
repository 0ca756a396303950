"""Translate a CHECK that states no simple fact into a rulegen expression, for ``constraints:``.

A table's ``constraints`` are redrawn until they hold, with SQL's rule that a null result
passes, so a CHECK kept as a constraint is met by every row that is loaded. The translation
works token by token on the subset both languages share: columns, literals, comparisons,
``AND``/``OR``/``NOT``, ``+ - * %``, ``IS [NOT] NULL`` (``is_null``), ``IN (...)`` and ``=
ANY (ARRAY[...])`` lists, and the functions ``lower``, ``upper``, ``length`` (``len``),
``abs``, ``coalesce``, ``round``, ``floor``, ``ceil``, ``greatest`` and ``least``, and
``EXTRACT`` of a year, month, day, hour or day of the week (``isodow``, ``dow``). Casts are
dropped. Anything else (``LIKE``, ``now()``, ``CASE``, division, whose integer semantics
differ) gives None, and the CHECK stays a comment.
"""

from __future__ import annotations

from rulegen.expr.functions import FUNCTIONS
from rulegen.expr.parser import parse_expression
from rulegen.introspection.checks import _Token, _tokens

__all__ = ["check_expression"]

_FUNCTIONS = {"lower": "lower", "upper": "upper", "length": "len", "char_length": "len", "abs": "abs",
              "coalesce": "coalesce", "round": "round", "floor": "floor", "ceil": "ceil", "ceiling": "ceil",
              "greatest": "max", "least": "min"}
# EXTRACT(field FROM x): what to write before x and after it. PostgreSQL's isodow counts
# Monday as 1 and dow Sunday as 0; rulegen's weekday counts Monday as 0.
_EXTRACTS = {"year": ("year(", ")"), "month": ("month(", ")"), "day": ("day(", ")"), "hour": ("hour(", ")"),
             "isodow": ("(weekday(", ") + 1)"), "dow": ("((weekday(", ") + 1) % 7)")}
_OPERATORS = {"=": "==", "<>": "!=", "!=": "!=", "==": "==", ">=": ">=", "<=": "<=", ">": ">", "<": "<",
              "+": "+", "-": "-", "*": "*", "%": "%", ",": ","}
_WORDS = {"and": "and", "or": "or", "not": "not", "true": "True", "false": "False", "null": "None"}
_PYTHON_WORDS = {"and", "or", "not", "in", "if", "is", "true", "false", "none", "lambda", "def", "class"}


class _Untranslatable(Exception):
    """The CHECK uses something the expression language has no word for."""


class _Writer:
    """Writes the tokens of one CHECK as an expression, keeping where each operand starts (to
    wrap it in ``is_null(...)`` when ``IS NULL`` follows it)."""

    def __init__(self, tokens: list[_Token], columns: set[str]) -> None:
        self.tokens, self.columns = tokens, columns
        self.out: list[str] = []
        self.at = 0
        self.groups: list[tuple[int, str]] = []  # (where the group starts in out, its closing text)
        self.operand = 0  # where the last complete operand starts in out
        self.call = False  # the last token was a function's name: the next `(` is its own

    def peek(self, ahead: int = 0) -> _Token | None:
        index = self.at + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def write(self) -> str:
        while self.at < len(self.tokens):
            self.step(self.tokens[self.at])
        if self.groups:
            raise _Untranslatable("unbalanced")
        return " ".join(self.out)

    def step(self, token: _Token) -> None:
        self.at += 1
        if token.kind == "op" and token.text == "::":
            self.skip_cast()
        elif token.kind == "op" and token.text == "(":
            self.groups.append((self.operand if self.call else len(self.out), ")"))
            if not self.call:
                self.out.append("(")
            self.call = False
        elif token.kind == "op" and token.text in (")", "]"):
            if not self.groups:
                raise _Untranslatable("unbalanced")
            start, closing = self.groups.pop()
            if closing:
                self.out.append(closing)
            self.operand = start
        elif token.kind in ("str", "num"):
            self.operand = len(self.out)
            self.out.append(repr(token.value) if token.kind == "str" else token.text)
        elif token.kind == "op" and token.text in ("=", "<>") and self.peek() is not None and self.peek().word("any"):
            self.any_list("in" if token.text == "=" else "not in")
        elif token.kind in ("op", "other") and token.text in _OPERATORS:
            self.out.append(_OPERATORS[token.text])
        elif token.word("is"):
            self.is_null()
        elif token.word("in"):
            self.in_list()
        elif token.kind == "word" and token.text.lower() in _WORDS:
            if token.text.lower() in ("true", "false", "null"):
                self.operand = len(self.out)
            self.out.append(_WORDS[token.text.lower()])
        elif token.kind in ("word", "name"):
            self.name(token)
        else:
            raise _Untranslatable(token.text)

    def name(self, token: _Token) -> None:
        following = self.peek()
        if following is not None and following.text == "(" and token.word("extract"):
            self.extract()
            return
        if following is not None and following.text == "(" and token.kind == "word":
            function = _FUNCTIONS.get(token.text.lower())
            if function is None:
                raise _Untranslatable(token.text)
            self.operand = len(self.out)
            self.out.append(function + "(")
            self.call = True
            return
        name = str(token.value)
        while self.peek() is not None and self.peek().text == ".":  # table.column: the column
            self.at += 1
            name = str(self.tokens[self.at].value)
            self.at += 1
        if name not in self.columns or not name.isidentifier() or not name.isascii() \
                or name.lower() in _PYTHON_WORDS or name in FUNCTIONS:
            raise _Untranslatable(name)
        self.operand = len(self.out)
        self.out.append(name)

    def extract(self) -> None:
        """``EXTRACT(field FROM x)`` as rulegen's function of ``x`` for that field."""
        field, keyword = self.peek(1), self.peek(2)
        if field is None or keyword is None or not keyword.word("from") or field.text.lower() not in _EXTRACTS:
            raise _Untranslatable("EXTRACT")
        self.at += 3  # ( field FROM
        opening, closing = _EXTRACTS[field.text.lower()]
        self.operand = len(self.out)
        self.groups.append((self.operand, closing))
        self.out.append(opening)

    def skip_cast(self) -> None:
        while self.peek() is not None and self.peek().kind in ("word", "name") \
                and not self.peek().word("and", "or", "not", "in", "is", "any", "between", "like"):
            self.at += 1
        if self.peek() is not None and self.peek().text == "(":  # varchar(20)
            while self.peek() is not None and self.peek().text != ")":
                self.at += 1
            self.at += 1
        while self.peek() is not None and self.peek().text == "[" and self.peek(1) is not None \
                and self.peek(1).text == "]":
            self.at += 2

    def is_null(self) -> None:
        negated = self.peek() is not None and self.peek().word("not")
        self.at += 1 if negated else 0
        if self.peek() is None or not self.peek().word("null"):
            raise _Untranslatable("IS")
        self.at += 1
        operand = self.out[self.operand:]
        del self.out[self.operand:]
        self.out.append(("not " if negated else "") + "is_null(" + " ".join(operand) + ")")

    def in_list(self) -> None:
        if self.peek() is None or self.peek().text != "(":
            raise _Untranslatable("IN")
        self.at += 1
        self.out.append("in [")
        self.groups.append((len(self.out), "]"))

    def any_list(self, word: str) -> None:
        """``= ANY (ARRAY[a, b])`` as ``in [a, b]``: the list's own brackets, then the ``)``."""
        self.at += 1  # ANY
        opened = 0
        while self.peek() is not None and self.peek().text == "(":
            self.at += 1
            opened += 1
        for text in ("array", "["):
            if opened == 0 or self.peek() is None or self.peek().text.lower() != text:
                raise _Untranslatable("ANY")
            self.at += 1
        self.out.append(word + " [")
        # The `)`s around the array close nothing in the output.
        self.groups += [(len(self.out), "")] * opened + [(len(self.out), "]")]


def check_expression(text: str, columns: set[str]) -> str | None:
    """The CHECK body ``text`` as a rulegen expression over ``columns``, or None.

    The result parses as an expression (its types are checked when the spec is compiled).
    """
    try:
        expression = _Writer(_tokens(text), columns).write()
    except (_Untranslatable, IndexError):
        return None
    expression = expression.replace("( ", "(").replace(" )", ")").replace("[ ", "[").replace(" ]", "]")
    expression = expression.replace(" ,", ",")
    parsed, problems = parse_expression(expression, "", columns)
    return expression if parsed is not None and not problems else None
