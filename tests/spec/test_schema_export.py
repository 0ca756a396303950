"""The exported JSON Schema is the registry's schema, and it accepts the shipped specs."""

import json

import jsonschema
import pytest

from rulegen.spec.loader import load_document
from rulegen.spec.structure import spec_schema
from tests.conftest import ROOT

EXPORTED = ROOT / "schemas" / "rulegen.schema.json"


def test_exported_schema_is_up_to_date():
    # Regenerate with: rulegen schema > schemas/rulegen.schema.json
    assert json.loads(EXPORTED.read_text()) == spec_schema()


def test_exported_schema_is_valid_draft7():
    jsonschema.Draft7Validator.check_schema(spec_schema())


@pytest.mark.parametrize("path", sorted((ROOT / "schemas").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_specs_pass_the_exported_schema(path):
    data, _ = load_document(path)
    jsonschema.Draft7Validator(spec_schema()).validate(data)


def test_exported_schema_rejects_unknown_options():
    data = {"tables": {"t": {"rows": 1, "columns": {"a": {"kind": "normal", "lok": 1}}}}}
    assert list(jsonschema.Draft7Validator(spec_schema()).iter_errors(data))
