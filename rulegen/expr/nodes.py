"""The node tree of a parsed expression: the only constructs the language has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Binary", "Call", "Compare", "Const", "Expression", "InList", "Logic", "Name", "Node", "Unary"]


@dataclass(frozen=True, slots=True)
class Node:
    """Base of expression nodes; ``offset`` is the character offset in the expression text."""

    offset: int


@dataclass(frozen=True, slots=True)
class Const(Node):
    value: Any


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "-", "+", "not"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str  # "+", "-", "*", "/", "//", "%", "**"
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: str  # "==", "!=", "<", "<=", ">", ">="
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Logic(Node):
    op: str  # "and", "or"
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class InList(Node):
    operand: Node
    values: tuple[Any, ...]
    negate: bool


@dataclass(frozen=True, slots=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Expression:
    """A parsed expression: its text, tree, the columns it reads, and where it sits in the spec."""

    text: str
    root: Node
    names: frozenset[str]
    pointer: str

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"
