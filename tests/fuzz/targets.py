"""What the fuzzer feeds its inputs to. Each target takes one input and must end in a result or
a :class:`~rulegen.errors.RulegenError` (a located user error); anything else is a defect."""

from __future__ import annotations

import contextlib
import warnings

import rulegen
from rulegen.errors import RulegenError
from rulegen.expr.check import infer_type
from rulegen.expr.parser import parse_expression
from rulegen.spec.loader import load_document

__all__ = ["TARGETS", "expression", "loader", "spec"]

_TYPES = {"a": "int64", "b": "double", "t": "timestamp[s]", "x": "string", "n": "bool"}


def loader(text: str) -> None:
    """The YAML loader alone, on text at the edge of valid YAML."""
    with contextlib.suppress(RulegenError):
        load_document(text + "\n", filename="<fuzz>")  # the newline keeps the text from being read as a path


def spec(text: str) -> None:
    """What `rulegen validate` and then `rulegen preview` do: load, compile, one block per table."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a NumPy warning reaching the user is a defect too
        with contextlib.suppress(RulegenError):
            rulegen.preview(text + "\n", n=3, lock=False)


def expression(text: str) -> None:
    """The expression parser and type checker."""
    import pyarrow as pa

    parsed, problems = parse_expression(text, "/x", list(_TYPES))
    if parsed is not None and not problems:
        infer_type(parsed, {name: pa.type_for_alias(t) for name, t in _TYPES.items()})


TARGETS = {"loader": loader, "spec": spec, "expression": expression}
