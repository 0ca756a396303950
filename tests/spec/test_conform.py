"""The quick structure check (rulegen.spec.conform) agrees with jsonschema.

``conforms`` decides alone whenever it passes a document, so it must never pass one that
jsonschema (with structure's types) finds an error in, and, to be worth having, it must pass
every document jsonschema finds valid. Checked on every golden case and shipped spec, and on
columns of every kind made of random options.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from rulegen.kinds.base import Kind
from rulegen.kinds.registry import KINDS, KindRegistry
from rulegen.spec import structure
from rulegen.spec.conform import conforms, schema_problem
from rulegen.spec.loader import load_document

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [*sorted((ROOT / "tests" / "diagnostics" / "cases").glob("*.yaml")),
             *sorted((ROOT / "schemas").glob("*.yaml"))]
LOOSE_COLUMN = {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}}


def _jsonschema_valid(value: Any, schema: dict[str, Any]) -> bool:
    return not any(structure._validator_class()(schema).iter_errors(value))


def _agree(value: Any, schema: dict[str, Any]) -> None:
    assert conforms(value, schema) == _jsonschema_valid(value, schema), (value, schema)


def _schemas_of(document: Any) -> list[tuple[Any, dict[str, Any]]]:
    """(part, schema) pairs as structure checks them: the document, then each column of a known kind."""
    pairs = [(document, structure._document_schema(LOOSE_COLUMN))]
    tables = document.get("tables") if isinstance(document, dict) else None
    for table in tables.values() if isinstance(tables, dict) else ():
        columns = table.get("columns") if isinstance(table, dict) else None
        for column in columns.values() if isinstance(columns, dict) else ():
            if isinstance(column, dict) and isinstance(column.get("kind"), str) and KINDS.get(column["kind"]):
                pairs.append((column, structure.column_schema(column["kind"])))
    return pairs


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_agrees_on_shipped_and_golden_specs(path: Path) -> None:
    try:
        document, _ = load_document(path)
    except Exception:  # a YAML-syntax case: nothing to check
        pytest.skip("not loadable")
    for value, schema in _schemas_of(document):
        _agree(value, schema)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**65), 2**65) | st.floats() | st.text(max_size=8)
    | st.sampled_from([0, 1, 1.0, -1, 0.5, 2**64, "", "a", "x y", "1d", "2024-01-01"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def _columns(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A column of a registered kind: some of its options (its example's values or random
    ones), maybe an unknown key, maybe a required option missing."""
    cls = draw(st.sampled_from(list(KINDS)))
    example = dict(cls.example)
    names = sorted({*cls.options, *structure.COMMON_COLUMN_OPTIONS} - {"kind"})
    column = {key: value for key, value in example.items() if draw(st.booleans()) or key == "kind"}
    for name in draw(st.lists(st.sampled_from([*names, "nonsense"]), max_size=3)):
        column[name] = draw(st.sampled_from([example[name]]) | _JSON) if name in example else draw(_JSON)
    return column, structure.column_schema(cls.name)


@settings(max_examples=400, deadline=None)
@given(_columns())
def test_agrees_on_random_columns(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    _agree(*case)


@settings(max_examples=200, deadline=None)
@given(st.data(), st.sampled_from(sorted(KINDS.names())))
def test_agrees_on_columns_made_from_the_schema(data: st.DataObject, kind: str) -> None:
    """Columns that draft-07 finds valid (hypothesis-jsonschema knows no custom types, so some
    are not valid for structure's integer and number): the quick check must still agree."""
    schema = structure.column_schema(kind)
    _agree(data.draw(from_schema(schema)), schema)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["version", "seed", "locale", "tables", "description", "x"]), _JSON,
                       max_size=4))
def test_agrees_on_random_documents(document: dict[str, Any]) -> None:
    _agree(document, structure._document_schema(LOOSE_COLUMN))


@pytest.mark.parametrize(("value", "schema", "expected"), [
    (True, {"const": 1}, False),  # a boolean is no number
    (1.0, {"const": 1}, True),
    (float("inf"), {"type": "number"}, False),
    (float("inf"), {"minimum": 0}, True),  # bounds apply to finite numbers only
    (10.0, {"type": "integer"}, False),  # structure's integer is a Python int
    (["a", "a"], {"uniqueItems": True}, False),
    ([1, True], {"uniqueItems": True}, True),
    ("ab", {"pattern": "b"}, True),  # searched, not matched
    ({"a": 1}, {"$ref": "#/x"}, False),  # unknown keyword: jsonschema decides
])
def test_keyword_rules(value: Any, schema: dict[str, Any], expected: bool) -> None:
    assert conforms(value, schema) is expected


def test_registry_refuses_options_off_the_quick_path() -> None:
    class Odd(Kind):
        name = "odd"
        options = {"size": {"type": "integer", "multipleOf": 2}}

        def compile(self, env: Any) -> None: ...

        def do_evaluate(self, ctx: Any) -> Any: ...

    with pytest.raises(ValueError, match="multipleOf"):
        KindRegistry().register(Odd)
    assert schema_problem({"properties": {"a": {"type": "text"}}}) == "properties.a.type: unknown type 'text'"
