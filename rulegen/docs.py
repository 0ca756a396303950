"""The spec reference (``docs/spec.md``), rendered from the kind registry so it cannot drift.

Every kind's summary, options (JSON-Schema types in words, required or default, description)
and example come from its declaration; the options of specs, tables and columns from
:mod:`rulegen.spec.structure`; the expression functions from :data:`rulegen.expr.functions.FUNCTIONS`.
``rulegen docs -o docs/spec.md`` (or ``python -m rulegen.docs``) writes it, and a test fails when
the file in the repository differs from a fresh rendering.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from rulegen.expr.arithmetic import RULES as ARITHMETIC_RULES
from rulegen.expr.functions import FUNCTIONS
from rulegen.kinds import KINDS, Kind, KindRegistry
from rulegen.spec.structure import COMMON_COLUMN_OPTIONS, ROW_LAWS, SPEC_OPTIONS, TABLE_OPTIONS

__all__ = ["REFERENCE", "render_reference", "type_words"]

REFERENCE = Path("docs") / "spec.md"  # relative to the repository root

_TYPE_WORDS = {"string": "a string", "boolean": "true or false", "object": "a mapping", "null": "null"}


def type_words(schema: Mapping[str, Any]) -> str:
    """What a JSON Schema accepts, in words: ``a number > 0``, ``one of `sum`, `count```."""
    if "x-expect" in schema:
        return str(schema["x-expect"])
    if "const" in schema:
        return f"`{_scalar(schema['const'])}`"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{_scalar(v)}`" for v in schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(dict.fromkeys(type_words(branch) for branch in schema[key]))
    types = schema.get("type")
    if types is None:
        return "a mapping" if "properties" in schema else "any value"
    if isinstance(types, str):
        return _one_type(types, schema)
    words = [_one_type(t, schema) if t != "boolean" else "a boolean" for t in types]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _one_type(name: str, schema: Mapping[str, Any]) -> str:
    if name in ("number", "integer"):
        return ("a number" if name == "number" else "an integer") + _bounds(schema)
    if name == "array":
        low, high = schema.get("minItems"), schema.get("maxItems")
        count = (f" of {low}" if low is not None and low == high else
                 f" of at least {low}" if low is not None and low > 1 else "")
        items = schema.get("items")
        return f"a list{count}" + (f", each {type_words(items)}" if isinstance(items, Mapping) else "")
    if name == "object":
        values = schema.get("additionalProperties")
        return "a mapping" + (f", each value {type_words(values)}" if isinstance(values, Mapping) else "")
    return _TYPE_WORDS.get(name, name)


def _bounds(schema: Mapping[str, Any]) -> str:
    low = (("[", schema["minimum"]) if "minimum" in schema else
           ("(", schema["exclusiveMinimum"]) if "exclusiveMinimum" in schema else None)
    high = (("]", schema["maximum"]) if "maximum" in schema else
            (")", schema["exclusiveMaximum"]) if "exclusiveMaximum" in schema else None)
    if low and high:
        return f" in {low[0]}{_scalar(low[1])}, {_scalar(high[1])}{high[0]}"
    if low:
        return f" {'>=' if low[0] == '[' else '>'} {_scalar(low[1])}"
    if high:
        return f" {'<=' if high[0] == ']' else '<'} {_scalar(high[1])}"
    return ""


def _scalar(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int) and abs(value) >= 10**6:
        return f"{value:.0e}".replace("e+", "e")  # 1e15, not 1000000000000000
    return str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rows(options: Mapping[str, Mapping[str, Any]], required: tuple[str, ...] | list[str],
          prefix: str = "") -> Iterator[tuple[str, str, str, str]]:
    """(name, type, required/default, description) of each option, nested options after it."""
    for name, schema in options.items():
        path = prefix + name
        need = ("required" if name in required else
                f"default `{_scalar(schema['default'])}`" if "default" in schema else "")
        description = schema.get("description", "")
        yield path, type_words(schema), need, description
        items = schema.get("items") if schema.get("type") == "array" else None
        if "properties" in schema:  # a mapping of named options: each on its own row
            nested, suffix = schema, "."
        elif isinstance(items, Mapping) and "properties" in items:  # a list of such mappings
            nested, suffix = items, "[]."
        else:
            continue
        inner = {k: v for k, v in nested["properties"].items() if k != "kind"}
        yield from _rows(inner, nested.get("required", []), path + suffix)


def _table(options: Mapping[str, Mapping[str, Any]], required: tuple[str, ...] | list[str],
           first: str = "option") -> list[str]:
    lines = [f"| {first} | type | required / default | description |", "|---|---|---|---|"]
    for name, words, need, description in _rows(options, required):
        lines.append(f"| `{name}` | {_cell(words)} | {need} | {_cell(description)} |")
    return lines


def _example(kind: type[Kind]) -> str:
    flow = yaml.safe_dump(kind.example, default_flow_style=True, sort_keys=False, width=10_000, allow_unicode=True)
    return f"column: {flow.strip()}"


def _kind_section(kind: type[Kind]) -> list[str]:
    lines = [f"### `{kind.name}`", "", kind.summary[:1].upper() + kind.summary[1:] + ".", ""]
    if kind.options:
        lines += [*_table(kind.options, kind.required), ""]
    else:
        lines += ["No options of its own.", ""]
    return [*lines, "```yaml", _example(kind), "```", ""]


def render_reference(registry: KindRegistry = KINDS) -> str:
    """The Markdown text of ``docs/spec.md``."""
    kinds = list(registry)
    lines = [
        "# rulegen spec reference",
        "",
        "<!-- Generated from the kind registry by `rulegen docs -o docs/spec.md`: do not edit by hand. -->",
        "",
        "Every option of the spec language, generated from the code that checks specs, so it is always",
        "complete and current. What the options mean together is explained in the rest of the",
        "[documentation](README.md): [the language](language.md) (tables, columns, determinism),",
        "[expressions](expressions.md), [time](time.md), [relations](relations.md), the",
        "[command line](cli.md) and the [Python API](api.md). `rulegen schema` prints the same",
        "options as a JSON Schema for editors.",
        "",
        "## A spec",
        "",
        *_table(SPEC_OPTIONS, ["tables"], "key"),
        "",
        "## Tables",
        "",
        "A table has `columns` and either `rows` or `timeline`.",
        "",
        *_table(TABLE_OPTIONS, ["columns"], "key"),
        "",
        "`rows: {per: PARENT, count: K}` gives every row of PARENT K rows; `rows: {per: PARENT, kind: LAW, ...}`",
        "draws each count from an integer law, with that kind's options: "
        + ", ".join(f"[`{law}`](#{law})" for law in ROW_LAWS) + " (bins of whole numbers); `stratified: true` "
        "draws the counts at stratified uniforms, one parent row in each of n equal slices of the law, so that "
        "few parent rows follow it closely.",
        "",
        "## Options of every column",
        "",
        *_table(COMMON_COLUMN_OPTIONS, ["kind"]),
        "",
        "## Kinds",
        "",
        "| kind | values |",
        "|---|---|",
        *(f"| [`{k.name}`](#{k.name}) | {_cell(k.summary)} |" for k in kinds),
        "",
        "Examples name columns and tables of a shop (`customers.id`, `orders.amount`, `customer_id`,",
        "`first_name`); each one generates in such a spec (a test makes sure).",
        "",
    ]
    for kind in kinds:
        lines += _kind_section(kind)
    lines += [
        "## Expression functions",
        "",
        "Used by `expr`, `constraints` and `when`; operators, types and null semantics are in",
        "[expressions.md](expressions.md).",
        "",
        "| function | arguments | value |",
        "|---|---|---|",
        *(f"| `{f.name}` | {f.describe_arity()} | {_cell(f.doc)} |" for f in FUNCTIONS.values()),
        "",
        "## Expression arithmetic",
        "",
        *(f"- {rule}" for rule in ARITHMETIC_RULES),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m rulegen.docs [FILE]
    output = render_reference()
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(output, encoding="utf-8")
    else:
        sys.stdout.write(output)
