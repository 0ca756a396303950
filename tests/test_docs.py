"""The spec reference (docs/spec.md) is rendered from the kind registry and kept in sync.

That every kind's example generates is tested once, in
tests/kinds/test_kinds.py::test_every_kind_has_an_example_that_generates.
"""

from __future__ import annotations

import inspect

import pytest
from click.testing import CliRunner

from rulegen.cli import main
from rulegen.docs import REFERENCE, render_reference, type_words
from rulegen.expr.functions import FUNCTIONS
from rulegen.kinds import KINDS
from rulegen.spec.structure import COMMON_COLUMN_OPTIONS, TABLE_OPTIONS
from tests.conftest import ROOT

# Options that still lack a description, in modules being edited elsewhere. Shrink it as they
# get one; a new option without a description fails.


def test_docs_spec_md_is_up_to_date():
    written = (ROOT / REFERENCE).read_text(encoding="utf-8")
    assert written == render_reference(), "docs/spec.md is stale: regenerate it with `rulegen docs -o docs/spec.md`"


@pytest.mark.parametrize("kind", list(KINDS), ids=lambda k: k.name)
def test_every_kind_is_documented(kind):
    assert kind.summary.strip(), f"kind {kind.name!r} has no summary"
    assert kind.example.get("kind") == kind.name, f"kind {kind.name!r} has no example"
    for name, schema in kind.options.items():
        assert schema.get("description") or "type" in schema or "enum" in schema, f"{kind.name}.{name}"
        assert schema.get("description"), f"option `{name}` of kind {kind.name!r} needs a description"


@pytest.mark.parametrize("module", ["text", "categorical", "numeric", "pattern", "computed"])
def test_kinds_of_these_modules_describe_every_option(module):
    kinds = [k for k in KINDS if inspect.getmodule(k).__name__ == f"rulegen.kinds.{module}"]
    assert kinds
    assert not [(k.name, n) for k in kinds for n, s in k.options.items() if not s.get("description")]


def test_the_reference_has_every_kind_option_and_function():
    text = render_reference()
    for kind in KINDS:
        assert f"### `{kind.name}`" in text
        assert all(f"| `{name}` |" in text for name in kind.options)
    for name in [*TABLE_OPTIONS, *COMMON_COLUMN_OPTIONS, *FUNCTIONS]:
        assert f"| `{name}` |" in text
    assert "| `truncate` | a list of 2, each a number or null |" in text
    assert "| `start` | a 64-bit integer | default `1` | the first value |" in text


@pytest.mark.parametrize(("schema", "words"), [
    ({"type": "number", "exclusiveMinimum": 0}, "a number > 0"),
    ({"type": "number", "minimum": 0, "maximum": 1}, "a number in [0, 1]"),
    ({"type": "integer", "minimum": -15, "maximum": 15}, "an integer in [-15, 15]"),
    ({"enum": ["sum", "count"]}, "one of `sum`, `count`"),
    ({"type": ["string", "number", "boolean", "null"]}, "a string, a number, a boolean or null"),
    ({"type": "array", "items": {"type": "string"}}, "a list, each a string"),
    ({"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
     "a mapping, each value a number >= 0"),
    ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, "a string or an integer"),
    ({"type": "string", "x-expect": "TABLE.COLUMN"}, "TABLE.COLUMN"),
])
def test_type_words(schema, words):
    assert type_words(schema) == words


def test_cli_docs_prints_and_writes_the_reference(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["docs"])
    assert result.exit_code == 0 and result.output == render_reference()
    result = runner.invoke(main, ["docs", "-o", str(tmp_path / "spec.md")])
    assert result.exit_code == 0 and (tmp_path / "spec.md").read_text() == render_reference()
