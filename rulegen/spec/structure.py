"""Structure checks: the JSON Schema of the spec language, composed from the kind registry.

The same pieces give two things: :func:`spec_schema`, the whole schema exported to
``schemas/rulegen.schema.json`` for editors, and :func:`check_structure`, which validates a
loaded document table by table and column by column so that every problem is reported with a
precise pointer and a message a person can act on.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from rulegen.errors import Diagnostic, did_you_mean
from rulegen.kinds.numeric import COUNT_LAWS
from rulegen.kinds.registry import KINDS, KindRegistry
from rulegen.spec.as_of import AS_OF
from rulegen.spec.caps import cap_problems
from rulegen.spec.conform import conforms
from rulegen.spec.names import name_problems
from rulegen.spec.source_map import join_pointer

if TYPE_CHECKING:
    import jsonschema

__all__ = ["ROW_LAWS", "SCHEMA_ID", "check_column", "check_structure", "column_schema", "spec_schema"]

SCHEMA_ID = "https://rulegen.dev/schemas/rulegen.schema.json"
_DRAFT = "http://json-schema.org/draft-07/schema#"

_NUMBER_OR_NULL = {"type": ["number", "null"]}
_NAME = {"type": "string", "x-expect": "a column name"}
_NAME_LIST = {"type": "array", "items": _NAME, "minItems": 1, "uniqueItems": True}
_ROW_COUNT = {"type": "integer", "minimum": 0, "maximum": 10**15}
# Laws of counts per parent row: the integer families, and bins (a histogram of whole numbers).
ROW_LAWS = (*COUNT_LAWS, "histogram")
_STRATIFIED = {"type": "boolean", "description": "draw the counts at stratified uniforms (one parent row in each "
                                                 "of n equal slices of the law), so n counts follow the law closely"}
# `rows: {fixed: N}`: a table --scale leaves alone (a dimension such as regions), --rows still sizes.
FIXED_ROWS_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["fixed"], "additionalProperties": False,
    "properties": {"fixed": {**_ROW_COUNT, "description": "the number of rows, whatever --scale says"}},
}

COMMON_COLUMN_OPTIONS: dict[str, dict[str, Any]] = {
    "kind": {"type": "string", "description": "the column kind"},
    "null": {"type": "number", "minimum": 0, "maximum": 1, "description": "probability of null"},
    "unique": {"type": "boolean", "description": "values are distinct"},
    "hidden": {"type": "boolean", "description": "computed and usable by others, not written out"},
    "round": {"type": "integer", "minimum": -15, "maximum": 15, "description": "decimals (numbers)"},
    "clip": {"type": "array", "items": _NUMBER_OR_NULL, "minItems": 2, "maxItems": 2,
             "description": "clamp numbers to [lo, hi]; null leaves a side open"},
    "when": {"type": "string", "minLength": 1, "description": "expression; rows where false get `else`"},
    "else": {"type": ["string", "number", "boolean", "null"], "description": "value where `when` is false"},
    "description": {"type": "string", "description": "free text, ignored"},
}

TABLE_OPTIONS: dict[str, dict[str, Any]] = {
    # The mappings (`fixed`, `per`) are checked apart, each with its own closed schema (check_structure).
    "rows": {"anyOf": [_ROW_COUNT, {"type": "object"}],
             "x-expect": "a number of rows, {fixed: N}, or {per: PARENT, ...} with a count per parent row",
             "description": "number of rows (--scale multiplies it), {fixed: N} (--scale leaves it alone), or "
                            "{per: PARENT, count: K | <integer distribution>}"},
    "timeline": {
        "type": "object", "additionalProperties": False, "required": ["start", "end", "every"],
        "properties": {
            "start": {"type": "string", "x-expect": "a date or timestamp such as 2024-01-01",
                      "description": "the first tick"},
            "end": {"type": "string", "x-expect": "a date or timestamp such as 2024-12-31 (a date: its end)",
                    "description": "the last tick (inclusive)"},
            "every": {"type": ["string", "number"], "x-expect": "a duration such as 15m, 1h or 1d",
                      "description": "the time between ticks"},
            "per": {"type": "string", "description": "the parent table: one timeline for each of its rows"},
        },
        "description": "one row per tick from start to end inclusive (instead of `rows`)",
    },
    "sample_rows": {
        "type": "object", "additionalProperties": False, "required": ["from"],
        "properties": {"from": {"type": "string", "description": "a .csv or .parquet file, relative to the spec"}},
        "description": "bootstrap whole rows: the table's `sample` columns without `from` share a source row",
    },
    "primary_key": {"anyOf": [_NAME, _NAME_LIST],
                    "x-expect": "a column name or a list of column names",
                    "description": "a column or list of columns: unique and never null"},
    "unique": {"type": "array", "items": {"anyOf": [_NAME, _NAME_LIST]},
               "x-expect": "a list of column names or column-name lists",
               "description": "columns or column lists whose values (together) are unique"},
    "columns": {"type": "object", "minProperties": 1,
                "description": "mapping of column name to column spec (a `kind` and its options), in output order"},
    "constraints": {"type": "array", "items": {"type": "string", "minLength": 1},
                    "description": "expressions true for every row; rows that break one are redrawn"},
    "correlations": {"type": "array", "items": {
        "type": "object", "additionalProperties": False, "required": ["columns", "rho"],
        "properties": {
            "columns": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2,
                        "description": "the two columns"},
            "rho": {"type": "number", "minimum": -1, "maximum": 1, "description": "their rank correlation"},
        },
    }, "description": "rank (Spearman) correlations between numeric columns, met by a Gaussian copula"},
    "schema": {"type": "string", "minLength": 1,
               "description": "the database schema the table lives in: `seed` writes it there (a table named "
                              "SCHEMA.NAME is the table NAME of that schema)"},
    "description": {"type": "string", "description": "free text, ignored"},
}

SPEC_OPTIONS: dict[str, dict[str, Any]] = {
    "version": {"const": 1, "description": "spec language version"},
    # As the command line's --seed: seeds are 64-bit keys of the random streams.
    "seed": {"type": "integer", "minimum": 0, "maximum": 2**64 - 1, "x-expect": "an integer from 0 to 2**64 - 1",
             "description": "default seed of every run (the command line's --seed and the API's seed= override it)"},
    "locale": {"type": "string", "description": "default Faker locale"},
    "as_of": AS_OF,
    "description": {"type": "string", "description": "free text, ignored"},
    "tables": {"type": "object", "minProperties": 1,
               "description": "mapping of table name to table, in any order: references decide the order"},
}




def per_parent_schema(kind: str | None, registry: KindRegistry = KINDS) -> dict[str, Any]:
    """The closed schema of ``rows: {per: PARENT, ...}``: a fixed ``count`` or an integer law."""
    per = {"type": "string", "description": "the parent table: each of its rows gets a count of rows"}
    if kind is None:
        count = {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "minLength": 1}],
                 "x-expect": "a whole number of rows of at least 0, or an expression over the parent's columns",
                 "description": "rows for each parent row: a number, or an integer expression over the parent row"}
        return {"type": "object", "properties": {"per": per, "count": count},
                "required": ["per", "count"], "additionalProperties": False}
    cls = registry.get(kind)
    assert cls is not None, kind
    if kind == "histogram":  # bins of counts: whole numbers always, one law for every parent row
        options = {name: cls.options[name] for name in ("edges", "weights")}
        return {"type": "object", "additionalProperties": False, "required": ["per", "kind", *cls.required],
                "properties": {"per": per, **options, "stratified": _STRATIFIED, "kind": {"enum": list(ROW_LAWS)}}}
    # A parameter of the law may be an expression over the parent row (``lam: "visits / 4"``).
    params = {name: {"anyOf": [cls.options[name], {"type": "string", "minLength": 1}],
                     "x-expect": f"{cls.options[name].get('x-expect', 'a number')}, or an expression over the "
                                 "parent's columns",
                     "description": f"{cls.options[name].get('description', name)}: a number, or an expression "
                                    "over the parent row"}
              for name in cls.family.params if name in cls.options}
    return {"type": "object", "properties": {"per": per, **cls.options, **params, "stratified": _STRATIFIED,
                                             "kind": {"enum": list(ROW_LAWS)}},
            "required": ["per", "kind", *cls.required], "additionalProperties": False}


def column_schema(kind: str, registry: KindRegistry = KINDS) -> dict[str, Any]:
    """The closed schema of a column of ``kind``: common options plus the kind's own."""
    cls = registry.get(kind)
    assert cls is not None, kind
    return {
        "type": "object",
        "properties": {**COMMON_COLUMN_OPTIONS, **cls.options, "kind": {"const": kind}},
        "required": ["kind", *cls.required],
        "additionalProperties": False,
    }


def _table_schema(column: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**TABLE_OPTIONS, "columns": {**TABLE_OPTIONS["columns"], "additionalProperties": column}},
        "required": ["columns"],  # and `rows` or `timeline`: see _size_problems
        "additionalProperties": False,
    }


def _document_schema(column: dict[str, Any]) -> dict[str, Any]:
    tables = {**SPEC_OPTIONS["tables"], "additionalProperties": _table_schema(column)}
    return {"type": "object", "properties": {**SPEC_OPTIONS, "tables": tables},
            "required": ["tables"], "additionalProperties": False}


def spec_schema(registry: KindRegistry = KINDS) -> dict[str, Any]:
    """The whole spec language as one JSON Schema (draft-07, for editors)."""
    names = registry.names()
    column = {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": names}},
        "allOf": [
            {"if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
             "then": {"$ref": f"#/definitions/kind-{name}"}}
            for name in names
        ],
    }
    schema = _document_schema({"$ref": "#/definitions/column"})
    per_forms = [per_parent_schema(None, registry)] + [per_parent_schema(k, registry) for k in ROW_LAWS]
    rows = {**TABLE_OPTIONS["rows"], "anyOf": [_ROW_COUNT, FIXED_ROWS_SCHEMA, *per_forms]}
    table = schema["properties"]["tables"]["additionalProperties"]
    table["properties"] = {**table["properties"], "rows": rows}
    table["oneOf"] = [{"required": ["rows"]}, {"required": ["timeline"]}]
    return {
        "$schema": _DRAFT,
        "$id": SCHEMA_ID,
        "title": "rulegen spec",
        **schema,
        "definitions": {
            "column": column,
            **{f"kind-{name}": column_schema(name, registry) for name in names},
        },
    }


def check_structure(data: Any, registry: KindRegistry = KINDS) -> list[Diagnostic]:
    """Every structural problem of a loaded document, in document order.

    A document beyond the caps of :mod:`rulegen.spec.caps` gets those problems only.
    """
    capped = cap_problems(data)
    if capped:
        return capped
    loose_column = {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}}
    problems = list(_validate(data, _document_schema(loose_column), "")) + name_problems(data)
    tables = data.get("tables") if isinstance(data, dict) else None
    for table_name, table in (tables or {}).items() if isinstance(tables, dict) else ():
        table_pointer = join_pointer("/tables", table_name)
        problems += _name_problems(table_name, table_pointer, "table")
        problems += _size_problems(table, table_pointer)
        rows = table.get("rows") if isinstance(table, dict) else None
        if isinstance(rows, dict):
            problems += _rows_mapping_problems(rows, join_pointer(table_pointer, "rows"), registry)
        columns = table.get("columns") if isinstance(table, dict) else None
        if not isinstance(columns, dict):
            continue
        for column_name, column in columns.items():
            pointer = join_pointer(join_pointer(table_pointer, "columns"), column_name)
            problems += _name_problems(column_name, pointer, "column")
            if not isinstance(column, dict) or not isinstance(column.get("kind"), str):
                continue
            kind = column["kind"]
            if registry.get(kind) is None:
                problems.append(Diagnostic(
                    "RG201", f"unknown kind `{kind}`", join_pointer(pointer, "kind"),
                    hint=did_you_mean(kind, registry.names()) or f"kinds are: {', '.join(registry.names())}",
                ))
                continue
            problems.extend(check_column(column, pointer, registry))
    return list(dict.fromkeys(problems))  # the document and its columns are checked apart: one report each


def check_column(column: dict[str, Any], pointer: str, registry: KindRegistry = KINDS) -> list[Diagnostic]:
    """Structural problems of one column spec of a known kind (also used for nested laws)."""
    return list(_validate(column, column_schema(column["kind"], registry), pointer))


def _size_problems(table: Any, pointer: str) -> list[Diagnostic]:
    """A table is sized by exactly one of `rows` and `timeline`."""
    if not isinstance(table, dict):
        return []
    if "rows" in table and "timeline" in table:
        return [Diagnostic("RG210", "`rows` does not go with `timeline` (a timeline has a row per tick)",
                           join_pointer(pointer, "rows"), at_key=True)]
    if "rows" not in table and "timeline" not in table:
        return [Diagnostic("RG204", "missing required option `rows` (or `timeline`)", pointer)]
    return []


def _rows_mapping_problems(rows: dict[str, Any], pointer: str, registry: KindRegistry) -> list[Diagnostic]:
    """`rows` as a mapping: `{fixed: N}` or `{per: PARENT, ...}`, never both."""
    if "fixed" not in rows and "per" not in rows:
        # `{fixd: 5}` meant a fixed table: say so rather than ask for a parent.
        misspelt = [key for key in rows if did_you_mean(str(key), ["fixed"])]
        if misspelt:
            return [Diagnostic("RG202", f"unknown option `{key}`", join_pointer(pointer, str(key)), at_key=True,
                               hint="did you mean `fixed`? (`rows: {fixed: N}` makes N rows whatever --scale says)")
                    for key in misspelt]
    if "fixed" not in rows:
        return _per_parent_problems(rows, pointer, registry)
    if "per" in rows:
        return [Diagnostic("RG360", "`fixed` does not go with `per`: rows per parent row follow the parent's rows",
                           join_pointer(pointer, "fixed"), at_key=True,
                           hint="mark the parent `rows: {fixed: N}` instead, or drop `fixed`")]
    return list(_validate(rows, FIXED_ROWS_SCHEMA, pointer))


def _per_parent_problems(rows: dict[str, Any], pointer: str, registry: KindRegistry) -> list[Diagnostic]:
    kind = rows.get("kind")
    if kind is not None and "count" in rows:  # the schema would call `kind` unknown
        return [Diagnostic("RG391", "`count` does not go with `kind`: each parent row gets a fixed count, or one "
                                    "drawn from the law", join_pointer(pointer, "count"), at_key=True,
                           hint="drop `count` to draw the counts from the law, or drop `kind` and the law's options")]
    laws = [law for law in COUNT_LAWS if set(rows) - {"per"} <= set(registry.get(law).options)]
    if kind is None and "count" not in rows and set(rows) - {"per"} and laws:  # a law's options without its kind
        return [Diagnostic("RG204", "rows per parent row need `count: K`, or `kind:` an integer law with its options",
                           pointer, hint=f"add `kind: {laws[0]}`")]
    if kind is None or "count" in rows:
        return list(_validate(rows, per_parent_schema(None, registry), pointer))
    if kind not in ROW_LAWS:
        return [Diagnostic("RG206", f"a count per parent row needs an integer law, got `{kind}`",
                           join_pointer(pointer, "kind"), hint=f"use one of: {', '.join(ROW_LAWS)}")]
    return list(_validate(rows, per_parent_schema(kind, registry), pointer))


def _name_problems(name: object, pointer: str, what: str) -> list[Diagnostic]:
    """YAML reads `2024:` or `true:` as a number or a boolean; names must be text."""
    if isinstance(name, str):
        return []
    shown = _show(name)
    return [Diagnostic("RG205", f"a {what} name must be a string, got {shown}", pointer, at_key=True,
                       hint=f'quote it: "{shown}"')]


# Types as every later stage reads them: JSON Schema counts 10.0 as an integer, but a row count
# or a bound written 10.0 is a float there, so "integer" means a Python int (never a boolean);
# YAML's .inf and .nan are floats but no JSON number (nor a column's value).
def _integer(checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


def _finite_number(checker: Any, instance: Any) -> bool:
    return isinstance(instance, int | float) and not isinstance(instance, bool) and math.isfinite(instance)


@functools.cache
def _validator_class() -> Any:
    """Draft-07 with the types above. jsonschema is imported here, for a document that
    :func:`~rulegen.spec.conform.conforms` did not pass: its import costs more than checking
    a valid spec takes (see that module)."""
    import jsonschema

    return jsonschema.validators.extend(
        jsonschema.Draft7Validator,
        type_checker=jsonschema.Draft7Validator.TYPE_CHECKER.redefine_many(
            {"integer": _integer, "number": _finite_number}),
    )


def _validate(instance: Any, schema: dict[str, Any], base: str) -> Iterator[Diagnostic]:
    if conforms(instance, schema):
        return
    validator = _validator_class()(schema)
    seen: set[Diagnostic] = set()  # alternatives of a schema may report the same problem twice
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        pointer = base
        for part in error.absolute_path:
            pointer = join_pointer(pointer, part)
        for problem in _describe(error, pointer):
            if problem not in seen:
                seen.add(problem)
                yield problem


def _branch_of_same_type(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError] | None:
    """The errors of the first alternative whose type the value has, if any."""
    branches: dict[int, list[jsonschema.ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    for _, errors in sorted(branches.items()):
        if not any(e.validator == "type" and not e.relative_path for e in errors):
            return errors
    return None


_TYPE_WORDS = {"number": "a number", "integer": "an integer", "string": "a string", "boolean": "true or false",
               "array": "a list", "object": "a mapping", "null": "null"}


def _words(types: str | Iterable[str]) -> str:
    types = [types] if isinstance(types, str) else list(types)
    return " or ".join(_TYPE_WORDS.get(t, t) for t in types)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def _describe(error: jsonschema.ValidationError, pointer: str) -> Iterator[Diagnostic]:
    """Turn one jsonschema error into diagnostics that say the rule, the value and the fix."""
    kind, value, instance = error.validator, error.validator_value, error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        for key in instance:
            if key not in allowed:
                yield Diagnostic("RG202", f"unknown option `{key}`", join_pointer(pointer, key), at_key=True,
                                 hint=did_you_mean(key, allowed) or f"options here are: {', '.join(allowed)}")
    elif kind == "required":
        for key in value:
            if isinstance(instance, dict) and key not in instance:
                yield Diagnostic("RG204", f"missing required option `{key}`", pointer)
    elif kind == "type" and isinstance(instance, float) and not math.isfinite(instance):
        yield Diagnostic("RG270", f"must be a finite number, got {instance}", pointer,
                         hint="YAML's .inf and .nan are not allowed; leave a bound open with null")
    elif kind == "type":
        yield Diagnostic("RG205", f"must be {schema.get('x-expect') or _words(value)}, got {_show(instance)}",
                         pointer)
    elif kind in ("anyOf", "oneOf") and (branch := _branch_of_same_type(error)) is not None:
        # The value has the type of one alternative: its problems are the ones to show.
        for sub in branch:
            sub_pointer = pointer
            for part in sub.relative_path:
                sub_pointer = join_pointer(sub_pointer, part)
            yield from _describe(sub, sub_pointer)
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        op = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[kind]
        yield Diagnostic("RG203", f"must be {op} {value}, got {_show(instance)}", pointer)
    elif kind in ("enum", "const"):
        options = value if kind == "enum" else [value]
        listed = ", ".join(f"`{v}`" for v in options)
        yield Diagnostic("RG206", f"must be {'one of ' if kind == 'enum' else ''}{listed}, got {_show(instance)}",
                         pointer, hint=did_you_mean(str(instance), map(str, options)))
    elif kind in ("minItems", "maxItems"):
        word = "at least" if kind == "minItems" else "at most"
        yield Diagnostic("RG205", f"must have {word} {value} item{'s' if value != 1 else ''}, "
                                  f"got {len(instance)}", pointer)
    elif kind == "minProperties":
        yield Diagnostic("RG205", "must not be empty", pointer)
    elif kind == "uniqueItems":
        yield Diagnostic("RG206", "items must not repeat", pointer)
    elif kind == "minLength":
        yield Diagnostic("RG206", "must not be empty", pointer)
    else:  # anyOf, oneOf, pattern, format: the schema names what it expects
        expect = schema.get("x-expect") or schema.get("description") or error.message
        yield Diagnostic("RG205", f"must be {expect}, got {_show(instance)}", pointer)
