"""Parse expressions into a small, whitelisted node tree. Nothing is ever ``eval``ed.

The text is parsed by Python's own parser (``ast``, mode ``eval``) and then rebuilt node by node
into the classes below; any construct outside the language (attributes, subscripts, lambdas,
comprehensions, dunder names, unknown functions, keywords arguments) is a diagnostic pointing at
its character inside the expression. ``if(c, a, b)`` is a keyword in Python, so the token is
renamed before parsing to a same-length name that no column can have.
"""

from __future__ import annotations

import ast
import datetime
import io
import re
import tokenize
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rulegen.errors import Diagnostic, did_you_mean
from rulegen.expr.functions import FUNCTIONS
from rulegen.expr.literals import literal_problems
from rulegen.expr.nodes import Binary, Call, Compare, Const, Expression, InList, Logic, Name, Node, Unary

__all__ = [
    "Binary", "Call", "Compare", "Const", "Expression", "InList", "Logic", "Name", "Node", "Unary",
    "parse_expression", "parse_expressions",
]

MAX_LENGTH = 10_000  # characters; longer expressions are refused before parsing
_IF = "__"  # stand-in for the `if` function: two characters, like `if`, and not a valid column name


_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
           ast.Pow: "**"}
_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_UNARY = {ast.USub: "-", ast.UAdd: "+", ast.Not: "not"}
_FORBIDDEN = {
    ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambdas",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions", ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions", ast.IfExp: "`a if c else b` (use `if(c, a, b)`)",
    ast.NamedExpr: "assignment", ast.Starred: "`*` unpacking", ast.Await: "await", ast.Yield: "yield",
    ast.JoinedStr: "f-strings", ast.Dict: "mappings", ast.Set: "sets", ast.Slice: "slices",
}


class _Problem(Exception):
    def __init__(self, code: str, message: str, offset: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.offset, self.hint = code, message, offset, hint


def parse_expressions(
    texts: Mapping[str, str], pointer: Callable[[str], str], columns: Iterable[str]
) -> tuple[dict[str, Expression], list[Diagnostic]]:
    """Parse several options given as expressions (a law's parameters, a column's bounds).

    Args:
        texts: each option's name and expression text.
        pointer: the JSON pointer of an option, by its name.
        columns: the columns the expressions may read.

    Returns:
        The expressions that parsed, by option name, and the problems of all of them.
    """
    known = list(columns)
    parsed: dict[str, Expression] = {}
    problems: list[Diagnostic] = []
    for name, text in texts.items():
        expression, found = parse_expression(text, pointer(name), known)
        problems += found
        if expression is not None:
            parsed[name] = expression
    return parsed, problems


def parse_expression(
    text: str, pointer: str, columns: Iterable[str]
) -> tuple[Expression | None, list[Diagnostic]]:
    """Parse ``text`` into an :class:`Expression` over ``columns``.

    Returns:
        The expression (None when it has problems) and the problems, each with the character
        offset of the offending construct.
    """
    known = list(columns)
    if len(text) > MAX_LENGTH:
        return None, [Diagnostic("RG220", f"expression is {len(text):,} characters long; the limit is {MAX_LENGTH:,}",
                                 pointer, hint="split it into several `expr` columns")]
    try:
        # One line, same length: offsets stay character offsets into the original text.
        flat = " ".join(text.splitlines()) if text.strip() else "None +"
        tree = ast.parse(_rename_if(flat).strip(), mode="eval")
        source = flat
    except (RecursionError, MemoryError):
        return None, [Diagnostic("RG220", "expression is nested too deeply", pointer,
                                 hint="split it into several `expr` columns")]
    except SyntaxError as exc:
        offset = (exc.offset or 1) - 1 + (len(flat) - len(flat.lstrip()))
        if "integer string conversion" in str(exc.msg):  # Python refuses literals of over 4,300 digits
            return None, [Diagnostic("RG271", "an integer literal of thousands of digits does not fit in a "
                                              "64-bit integer", pointer, offset=max(0, min(offset, len(text))))]
        message = (exc.msg or "invalid syntax").replace("'(' was never closed", "`(` is never closed")
        return None, [Diagnostic("RG220", f"invalid expression: {message}", pointer,
                                 offset=max(0, min(offset, len(text))), hint=habit_hint(flat))]
    except _Problem as exc:
        return None, [Diagnostic(exc.code, exc.message, pointer, offset=exc.offset)]
    builder = _Builder(source, set(known))
    try:
        root = builder.build(tree.body)
    except RecursionError:
        return None, [Diagnostic("RG220", "expression is nested too deeply", pointer,
                                 hint="split it into several `expr` columns")]
    except _Problem as exc:
        hint = exc.hint
        if exc.code == "RG222" and hint is None:
            name = exc.message.split("`")[1]
            hint = did_you_mean(name, known) or _NAME_HINTS.get(name.lower()) or (
                _AS_OF_HINT if name == "as_of" else None)
        return None, [Diagnostic(exc.code, exc.message, pointer, offset=exc.offset, hint=hint)]
    problems = literal_problems(root, pointer)
    if problems:
        return None, problems
    return Expression(text=text, root=root, names=frozenset(builder.names), pointer=pointer), []


# `as_of` is the spec's snapshot day (rulegen/spec/as_of.py), a column of every table once declared.
_AS_OF_HINT = "declare the day the data describes at the top of the spec, e.g. `as_of: 2024-12-31`"
# The clock is never read (same spec, same data, any day): `as_of` stands for "now".
_CLOCK = {"now", "today", "current_date", "current_timestamp", "getdate", "sysdate"}
_CLOCK_HINT = "rulegen never reads the clock: declare `as_of: 2024-12-31` at the top of the spec and write `as_of`"
# Names that SQL, YAML or JavaScript users write for the literals (read as unknown columns).
_NAME_HINTS = {"null": "write `None` for null", "nil": "write `None` for null",
               "true": "write `True`", "false": "write `False`"}


# Habits of SQL and C-like languages that Python's grammar refuses, each with what to write.
_HABITS = ((re.compile(r"&&|\|\|"), "write `and` and `or` (and `not` for `!`)"),
           (re.compile(r"<>"), "write `!=` for not equal"),
           (re.compile(r"(?<![=!<>])=(?!=)"), "compare with `==`"),
           (re.compile(r"\b(?:like|LIKE|ilike|ILIKE)\b"), "there is no LIKE: compare with `==`, or test a list "
                                                          "with `in ['a', 'b']`"),
           (re.compile(r"\b(?:between|BETWEEN)\b"), "write `low <= x <= high`"),
           (re.compile(r"\b(?:AND|OR|NOT|IN)\b"), "write `and`, `or`, `not` and `in` in lower case"),
           (re.compile(r"\?"), "write `if(condition, a, b)`"))


def habit_hint(text: str) -> str | None:
    """What to write instead of a habit of another language in ``text`` (strings aside), if any."""
    code = re.sub(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"", lambda m: " " * len(m.group()), text)
    return next((hint for pattern, hint in _HABITS if pattern.search(code)), None)


def _rename_if(text: str) -> str:
    """Replace the function name `if` (a keyword) by a same-length stand-in, keeping offsets."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return text
    lines = text.split("\n")
    significant = [t for t in tokens if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)]
    for prev, tok, nxt in zip([None, *significant], significant, [*significant[1:], None], strict=False):
        follows_operand = prev is not None and (
            (prev.type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING) and prev.string not in _KEYWORDS)
            or prev.string in (")", "]")
        )
        if tok.string == "if" and nxt is not None and nxt.string == "(" and not follows_operand:
            row, col = tok.start
            line = lines[row - 1]
            lines[row - 1] = line[:col] + _IF + line[col + 2:]
    return "\n".join(lines)


_KEYWORDS = {"and", "or", "not", "in", "is", "if", "else"}


class _Builder:
    """Rebuilds an ``ast`` tree into expression nodes, refusing everything else."""

    def __init__(self, text: str, columns: set[str]) -> None:
        self.text = text
        self.indent = len(text) - len(text.lstrip())  # ast sees the stripped text
        self.columns = columns
        self.names: set[str] = set()

    def offset(self, node: ast.AST) -> int:
        stripped = self.text.strip()
        return self.indent + len(stripped.encode("utf-8")[: node.col_offset].decode("utf-8", errors="ignore"))

    def operator_offset(self, left: ast.AST, symbol: str) -> int:
        """Where the operator after ``left`` stands (ast keeps no position for operators)."""
        stripped = self.text.strip()
        end = len(stripped.encode("utf-8")[: left.end_col_offset].decode("utf-8", errors="ignore"))
        found = stripped.find(symbol, end)
        return self.indent + (found if found >= 0 else end)

    def build(self, node: ast.AST) -> Node:
        at = self.offset(node)
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is not None:
            return method(node, at)
        what = _FORBIDDEN.get(type(node), type(node).__name__)
        hint = None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id not in self.columns:
            # `customers.tier`: a column of another table, which expressions read through a lookup
            hint = (f"read `{node.value.id}.{node.attr}` through a lookup column of this table, e.g. "
                    f"`{node.attr}: {{kind: lookup, via: REF, column: {node.attr}}}`, and name `{node.attr}`")
        raise _Problem("RG221", f"{what} not allowed in expressions", at, hint)

    def _Constant(self, node: ast.Constant, at: int) -> Node:
        if not isinstance(node.value, str | int | float | bool | type(None)):
            raise _Problem("RG221", f"literal {node.value!r} not allowed in expressions", at)
        return Const(at, node.value)

    def _Name(self, node: ast.Name, at: int) -> Node:
        name = node.id
        if name in ("True", "False", "None"):
            return Const(at, {"True": True, "False": False, "None": None}[name])
        if name.startswith("__"):
            raise _Problem("RG221", f"dunder name `{name}` not allowed in expressions", at)
        # A column may share a function's name (`timestamp`, `date`): a bare name is the column.
        if name not in self.columns and (name in FUNCTIONS or name == _IF):
            raise _Problem("RG222", f"`{name if name != _IF else 'if'}` is a function: call it", at)
        if name not in self.columns:
            raise _Problem("RG222", f"unknown column `{name}` in expression", at)
        self.names.add(name)
        return Name(at, name)

    def _UnaryOp(self, node: ast.UnaryOp, at: int) -> Node:
        op = _UNARY.get(type(node.op))
        if op is None:
            raise _Problem("RG221", "operator `~` not allowed in expressions", at)
        operand = self.build(node.operand)
        # A signed literal (`-5`) is one constant; a negation of anything else, even of a signed
        # literal, is computed, so that `-(-(-9223372036854775808))` overflows as its middle
        # step does rather than folding back into range.
        if op == "-" and isinstance(node.operand, ast.Constant) and isinstance(operand, Const) \
                and isinstance(operand.value, int | float):
            return Const(at, -operand.value)
        return Unary(at, op, operand)

    def _BinOp(self, node: ast.BinOp, at: int) -> Node:
        op = _BINARY.get(type(node.op))
        if op is None:
            raise _Problem("RG221", "bitwise and matrix operators not allowed in expressions", at)
        return Binary(self.operator_offset(node.left, op), op, self.build(node.left), self.build(node.right))

    def _BoolOp(self, node: ast.BoolOp, at: int) -> Node:
        op = "and" if isinstance(node.op, ast.And) else "or"
        return Logic(at, op, tuple(self.build(v) for v in node.values))

    def _Compare(self, node: ast.Compare, at: int) -> Node:
        parts: list[Node] = []
        left = self.build(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                parts.append(InList(at, left, self._list(right_node), isinstance(op, ast.NotIn)))
                continue
            name = _COMPARE.get(type(op))
            if name is None:
                raise _Problem("RG221", "`is` not allowed in expressions (use `is_null(x)`)", at)
            right = self.build(right_node)
            parts.append(Compare(self.operator_offset(node.left, name), name, left, right))
            left = right
        return parts[0] if len(parts) == 1 else Logic(at, "and", tuple(parts))

    def _list(self, node: ast.AST) -> tuple[Any, ...]:
        if not isinstance(node, ast.List | ast.Tuple):
            raise _Problem("RG221", "`in` takes a list of literals: `x in [1, 2]`", self.offset(node))
        values = []
        for item in node.elts:
            built = self.build(item)
            if not isinstance(built, Const):
                raise _Problem("RG221", "`in` lists hold literals only", self.offset(item))
            values.append(built.value)
        return tuple(values)

    def _Call(self, node: ast.Call, at: int) -> Node:
        if not isinstance(node.func, ast.Name):
            return self.build(node.func)  # reports the attribute/subscript/lambda
        name = "if" if node.func.id == _IF else node.func.id
        if name.startswith("__"):
            raise _Problem("RG221", f"dunder name `{name}` not allowed in expressions", at)
        function = FUNCTIONS.get(name)
        if function is None:
            hint = _CLOCK_HINT if name.lower() in _CLOCK else did_you_mean(name, FUNCTIONS)
            raise _Problem("RG223", f"unknown function `{name}`", at,
                           hint or f"functions are: {', '.join(sorted(FUNCTIONS))}")
        if node.keywords:
            raise _Problem("RG221", f"keyword arguments not allowed (in `{name}`)", self.offset(node.keywords[0]))
        if not function.arity[0] <= len(node.args) <= function.arity[1]:
            raise _Problem("RG225", f"`{name}` takes {function.describe_arity()}, got {len(node.args)}", at)
        args = tuple(self.build(a) for a in node.args)
        if name in ("date", "timestamp") and isinstance(args[0], Const) and isinstance(args[0].value, str):
            return Const(at, _instant_literal(name, args[0]))
        return Call(at, name, args)


def _instant_literal(name: str, text: Const) -> datetime.date:
    """The date of ``date('2024-01-31')`` or the timestamp of ``timestamp('2024-01-31 12:00')``
    (an offset such as ``+02:00`` or ``Z`` makes it that instant in UTC, as timestamps hold UTC).

    Raises:
        _Problem: the text is not an ISO 8601 date, or timestamp (RG351), at the literal.
    """
    value = text.value.strip()
    try:
        if name == "date":
            return datetime.date.fromisoformat(value)
        instant = datetime.datetime.fromisoformat(value)
    except ValueError:
        example = "'2024-01-31'" if name == "date" else "'2024-01-31 12:00' or '2024-01-31T12:00:00+02:00'"
        raise _Problem("RG351", f"`{name}({text.value!r})`: {text.value!r} is not a valid {name}",
                       text.offset, f"write it in ISO 8601, e.g. {example}") from None
    if instant.tzinfo is not None:
        instant = instant.astimezone(datetime.UTC).replace(tzinfo=None)
    return instant
