"""Spec text: values read back as written, and counts per parent fit what was seen."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rulegen.introspection.render import yaml_scalar
from rulegen.introspection.tables import fit_count
from rulegen.spec.loader import load_document


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()))
def test_scalars_read_back_as_written(value):
    data, _ = load_document(f"key: {yaml_scalar(value)}\n")
    assert data["key"] == value and type(data["key"]) is type(value)


@given(st.text(min_size=1))
def test_names_read_back_as_keys(name):
    data, _ = load_document(f"{yaml_scalar(name)}: 1\n")
    assert list(data) == [name]


def test_count_laws():
    assert fit_count({0: 30, 1: 70}) == {"kind": "binomial", "n": 1, "p": 0.7}
    assert fit_count({3: 50}) == {"count": 3}
    assert fit_count({1: 10, 2: 10, 3: 10}) == {"kind": "integers", "low": 1, "high": 3}
    law = fit_count({0: 80, 5: 20})  # a mean of 1 with a variance of 4
    assert law["kind"] == "negative_binomial"
    assert law["n"] * (1 - law["p"]) / law["p"] == pytest.approx(1.0, rel=1e-3)
