"""Spec-content caps (rulegen/spec/caps.py) and the Faker allow list (rulegen/kinds/fakers.py)."""

from __future__ import annotations

import time

import pytest
from faker import Faker

from rulegen.errors import SpecError
from rulegen.kinds.fakers import FAKER_PROVIDERS, check_provider, provider_max_bytes
from rulegen.kinds.text import _plain, faker_providers
from rulegen.spec import caps
from rulegen.spec.structure import check_structure


def _codes(data: object) -> list[tuple[str, str]]:
    return [(d.code, d.pointer) for d in check_structure(data)]


def _table(columns: int = 1) -> dict:
    return {"rows": 1, "columns": {f"c{i}": {"kind": "sequence"} for i in range(columns)}}


def test_too_many_tables_is_the_only_problem_reported() -> None:
    data = {"tables": {f"t{i}": _table() for i in range(caps.MAX_TABLES + 1)}}
    data["tables"]["t0"]["columns"]["c0"]["kind"] = "no such kind"  # not looked at: the cap comes first
    assert _codes(data) == [("RG250", "/tables")]
    del data["tables"]["t1"]
    assert ("RG250", "/tables") not in _codes(data)


def test_too_many_columns() -> None:
    data = {"tables": {"wide": _table(caps.MAX_COLUMNS + 1), "ok": _table(caps.MAX_COLUMNS)}}
    assert _codes(data) == [("RG251", "/tables/wide/columns")]


def test_long_lists_mappings_and_strings_are_located() -> None:
    values = list(range(caps.MAX_ITEMS + 1))
    data = {"tables": {"t": {"rows": 1, "description": "é" * (caps.MAX_STRING_BYTES // 2 + 1), "columns": {
        "a": {"kind": "choice", "values": values},
        "b": {"kind": "choice", "values": {str(i): 1 for i in values}},
        "c": {"kind": "constant", "value": "x" * (caps.MAX_STRING_BYTES + 1)},
        "d": {"kind": "constant", "value": "x" * caps.MAX_STRING_BYTES},
        "e": {"kind": "histogram", "edges": list(range(caps.MAX_HISTOGRAM_EDGES + 1)), "weights": [1]},
    }}}}
    assert sorted(_codes(data)) == [("RG252", "/tables/t/columns/a/values"), ("RG252", "/tables/t/columns/b/values"),
                                    ("RG253", "/tables/t/columns/c/value"), ("RG253", "/tables/t/description"),
                                    ("RG254", "/tables/t/columns/e/edges")]


def test_caps_are_checked_in_linear_time() -> None:
    data = {"tables": {f"t{i}": _table(20) for i in range(caps.MAX_TABLES)}}
    started = time.process_time()
    assert caps.cap_problems(data) == []
    assert time.process_time() - started < 5  # 200,000 columns; a quadratic walk takes minutes


def test_every_allowed_provider_exists_is_fast_and_within_its_bound() -> None:
    assert faker_providers("en_US") >= FAKER_PROVIDERS
    fake = Faker("en_US")
    fake.seed_instance(1)
    for provider in sorted(FAKER_PROVIDERS):
        method = getattr(fake, provider)
        started = time.process_time()
        longest = max(len(str(_plain(method())).encode()) for _ in range(50))
        assert time.process_time() - started < 0.5, provider  # 10 ms a value at most
        assert longest <= provider_max_bytes(provider, {}), provider


@pytest.mark.parametrize("provider", ["seed_instance", "add_provider", "get_providers", "binary", "pylist",
                                      "pystruct", "pystr_format", "dsv", "csv", "json", "xml", "format", "parse",
                                      "set_formatter", "random", "__init__", "_Generator__config"])
def test_providers_that_are_not_value_sources_are_refused(provider: str) -> None:
    (problem,) = check_provider(provider, {}, "/c", "en_US", faker_providers("en_US"))
    assert problem.code in ("RG216", "RG255") and problem.pointer == "/c/provider"


@pytest.mark.parametrize(("provider", "args"), [
    ("bothify", {"text": "{{seed_instance}}"}), ("numerify", {"text": "{{get_providers}} #"}),
    ("date_between", {"start_date": "{{__init__}}"}), ("words", {"ext_word_list": ["{{binary}}"]}),
    ("pystr", {"max_chars": 10_001}), ("pystr", {"max_chars": True}), ("text", {"max_nb_chars": 1e9}),
    ("paragraph", {"nb_sentences": 101}), ("random_letters", {"length": 10**8}), ("first_name", {"gender": "x"}),
])
def test_arguments_are_bounded_and_never_a_faker_template(provider: str, args: dict) -> None:
    (problem,) = check_provider(provider, args, "/c", "en_US", faker_providers("en_US"))
    assert problem.code == "RG256" and problem.pointer.startswith("/c/args/")


def _text(tables: int) -> str:
    body = "".join(f"  t{i}:\n    rows: 1\n    columns: {{a: {{kind: constant, value: 1}}}}\n" for i in range(tables))
    return f"version: 1\ntables:\n{body}"


def test_the_loader_refuses_too_many_tables_before_building_them() -> None:
    from rulegen.spec.loader import load_document

    with pytest.raises(SpecError) as caught:
        load_document(_text(caps.MAX_TABLES + 1), filename="many.yaml")
    [problem] = caught.value.diagnostics
    line = 3 + 3 * caps.MAX_TABLES  # the first key past the cap
    assert (problem.code, problem.mark) == ("RG250", (line, 3))
    data, _ = load_document(_text(caps.MAX_TABLES), filename="ok.yaml")
    assert len(data["tables"]) == caps.MAX_TABLES
    # Only the root's `tables` mapping counts: a key named tables deeper down is any other key.
    nested = "version: 1\nmeta:\n  tables:\n" + "".join(f"    k{i}: 1\n" for i in range(caps.MAX_TABLES + 1))
    assert len(load_document(nested, filename="nested.yaml")[0]["meta"]["tables"]) == caps.MAX_TABLES + 1
