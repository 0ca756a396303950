"""A quick yes/no answer to "does this document fit this schema?", without jsonschema.

Most specs a command reads are valid, and importing jsonschema (with its `referencing`,
`attrs` and format checkers) costs more than the rest of ``rulegen validate``. So
:mod:`rulegen.spec.structure` asks :func:`conforms` first, and only a document it does not
pass is handed to jsonschema, whose errors become the diagnostics.

:func:`conforms` knows the part of draft-07 that the spec language's schemas use, with the
types of :mod:`rulegen.spec.structure` (an ``integer`` is a Python int and never a boolean, a
``number`` is finite), and follows jsonschema's rules for each keyword: a bound applies to
numbers only, ``const`` tells ``true`` from ``1``, and so on. A schema with any other keyword
is not passed, so jsonschema decides. :func:`schema_problem` lets the kind registry refuse
such a keyword in a kind's options, so a kind never falls off the quick path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["KEYWORDS", "conforms", "schema_problem"]

# Keywords that say nothing about validity (draft-07 annotations, and rulegen's own `x-` ones).
# `format` is one too: structure's validator has no format checker.
_ANNOTATIONS = frozenset({"description", "default", "title", "examples", "format", "$comment", "$schema", "$id",
                          "definitions"})


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


_TYPES: dict[str, Callable[[Any], bool]] = {
    "integer": _integer, "number": _number, "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool), "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list), "object": lambda v: isinstance(v, dict),
}


_TRUE, _FALSE = object(), object()


def _unbool(value: Any) -> Any:
    """``True`` and ``False`` as values that equal no number (as jsonschema compares them)."""
    return _TRUE if value is True else _FALSE if value is False else value


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's equality: ``1 == 1.0`` but ``true != 1``, lists and mappings item by item."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(key in two and _equal(one[key], two[key]) for key in one)
    return bool(_unbool(one) == _unbool(two))


def _type(value: Any, types: Any) -> bool | None:
    names = [types] if isinstance(types, str) else types
    if not isinstance(names, list) or not all(name in _TYPES for name in names):
        return None
    return any(_TYPES[name](value) for name in names)


def _object(value: Any, schema: dict[str, Any]) -> bool:
    """properties, required, additionalProperties, minProperties and maxProperties."""
    if not isinstance(value, dict):
        return True
    properties = schema.get("properties", {})
    if not all(key in value for key in schema.get("required", ())):
        return False
    if not all(conforms(value[key], sub) for key, sub in properties.items() if key in value):
        return False
    extra = schema.get("additionalProperties", True)
    extras = [key for key in value if key not in properties]
    if extra is False and extras:
        return False
    if isinstance(extra, dict) and not all(conforms(value[key], extra) for key in extras):
        return False
    return schema.get("minProperties", 0) <= len(value) <= schema.get("maxProperties", math.inf)


def _array(value: Any, schema: dict[str, Any]) -> bool | None:
    """items (one schema for all), minItems, maxItems and uniqueItems."""
    if not isinstance(value, list):
        return True
    items = schema.get("items", True)
    if isinstance(items, list):
        return None  # tuple validation: not used by the spec language
    if not all(conforms(item, items) for item in value):
        return False
    if schema.get("uniqueItems") and any(_equal(a, b) for i, a in enumerate(value) for b in value[i + 1:]):
        return False
    return schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", math.inf)


def _bounds(value: Any, schema: dict[str, Any]) -> bool:
    """minimum, maximum and the exclusive ones, which apply to numbers only."""
    if not _number(value):
        return True
    return (value >= schema.get("minimum", -math.inf) and value <= schema.get("maximum", math.inf)
            and value > schema.get("exclusiveMinimum", -math.inf) and value < schema.get("exclusiveMaximum", math.inf))


def _string(value: Any, schema: dict[str, Any]) -> bool:
    """minLength, maxLength and pattern (searched, not matched, as JSON Schema says)."""
    if not isinstance(value, str):
        return True
    if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", math.inf):
        return False
    return "pattern" not in schema or re.search(schema["pattern"], value) is not None


def _choices(value: Any, schema: dict[str, Any]) -> bool:
    """const, enum, anyOf, oneOf and allOf."""
    if "const" in schema and not _equal(value, schema["const"]):
        return False
    if "enum" in schema and not any(_equal(value, option) for option in schema["enum"]):
        return False
    if "anyOf" in schema and not any(conforms(value, sub) for sub in schema["anyOf"]):
        return False
    if "oneOf" in schema and sum(conforms(value, sub) for sub in schema["oneOf"]) != 1:
        return False
    return all(conforms(value, sub) for sub in schema.get("allOf", ()))


# Each keyword this module understands, with the check that reads it (several read a few).
_CHECKS: dict[str, Callable[[Any, dict[str, Any]], bool | None]] = {
    **dict.fromkeys(("properties", "required", "additionalProperties", "minProperties", "maxProperties"), _object),
    **dict.fromkeys(("items", "minItems", "maxItems", "uniqueItems"), _array),
    **dict.fromkeys(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"), _bounds),
    **dict.fromkeys(("minLength", "maxLength", "pattern"), _string),
    **dict.fromkeys(("const", "enum", "anyOf", "oneOf", "allOf"), _choices),
}
KEYWORDS: frozenset[str] = frozenset({"type", *_CHECKS})


def conforms(value: Any, schema: Any) -> bool:
    """Whether ``value`` is valid against ``schema``, as sure as jsonschema would be.

    Args:
        value: a loaded document or a part of it (YAML's plain data).
        schema: a draft-07 schema (a mapping, or ``True``/``False``).

    Returns:
        True when jsonschema would find no error. False when it would find one, and also when
        the schema has a keyword this module does not know (then ask jsonschema).
    """
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, dict):
        return False
    checks: dict[Callable[[Any, dict[str, Any]], bool | None], None] = {}
    for keyword in schema:
        if keyword == "type":
            if not _type(value, schema["type"]):
                return False
        elif keyword in _CHECKS:
            checks[_CHECKS[keyword]] = None
        elif keyword not in _ANNOTATIONS and not keyword.startswith("x-"):
            return False  # unknown here: jsonschema decides
    return all(check(value, schema) for check in checks)


def schema_problem(schema: Any, where: str = "") -> str | None:
    """What keeps ``schema`` off the quick path: a keyword :func:`conforms` does not know, or
    a sub-schema that is no mapping; None when there is nothing.

    Args:
        schema: a kind's option schema (or any part of one).
        where: the path of ``schema`` in the options, for the message.
    """
    if isinstance(schema, bool):
        return None
    if not isinstance(schema, dict):
        return f"{where or 'the schema'} is not a mapping"
    for keyword, value in schema.items():
        at = f"{where}.{keyword}" if where else keyword
        if keyword not in KEYWORDS and keyword not in _ANNOTATIONS and not keyword.startswith("x-"):
            return f"{at}: keyword {keyword!r} is not one rulegen checks (it knows {', '.join(sorted(KEYWORDS))})"
        if keyword == "type" and _type(None, value) is None:
            return f"{at}: unknown type {value!r}"
        if keyword == "properties" and not isinstance(value, dict):
            return f"{at} is not a mapping"
        subs = (value.items() if keyword == "properties" else
                enumerate(value) if keyword in ("anyOf", "oneOf", "allOf") else
                [("", value)] if keyword in ("items", "additionalProperties") else ())
        for name, sub in subs:
            problem = schema_problem(sub, f"{at}.{name}" if name != "" else at)
            if problem:
                return problem
    return None
