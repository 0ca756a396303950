"""Safe YAML loading: positions, forbidden tags, duplicate keys, alias bombs, YAML 1.2 booleans."""

import pytest

from rulegen.errors import SpecError
from rulegen.spec.loader import load_document


def test_positions_of_values_and_keys():
    data, smap = load_document(
        "tables:\n"           # 1
        "  t:\n"              # 2
        "    rows: 5\n"       # 3
        "    columns: {a: {kind: normal}}\n"  # 4
    )
    assert data["tables"]["t"]["rows"] == 5
    assert smap.describe("/tables/t/rows") == "<spec>:3:11"
    assert smap.describe("/tables/t/rows", at_key=True) == "<spec>:3:5"
    assert smap.describe("/tables/t/columns/a/kind") == "<spec>:4:25"


def test_missing_pointer_falls_back_to_nearest_ancestor():
    _, smap = load_document("tables:\n  t: {rows: 1}\n")
    assert smap.describe("/tables/t/columns/x") == smap.describe("/tables/t")


def test_offset_inside_quoted_and_plain_scalars():
    _, smap = load_document('a: "x + y"\nb: x + y\n')
    assert smap.describe("/a", offset=4) == "<spec>:1:9"
    assert smap.describe("/b", offset=4) == "<spec>:2:8"


def test_offset_inside_block_scalar():
    _, smap = load_document("a: |\n  first\n  second\n")
    assert smap.describe("/a", offset=8) == "<spec>:3:5"


def test_yaml_12_booleans_keep_norway_a_string():
    data, _ = load_document("values: {NO: 1, yes: 2, on: 3, true: 4}\n")
    assert set(data["values"]) == {"NO", "yes", "on", True}


def test_null_key_is_the_option_name():
    data, _ = load_document("a: {kind: bool, null: 0.5}\n")
    assert data["a"]["null"] == 0.5


def test_dates_stay_text():
    data, _ = load_document("min: 2020-01-01\nts: 2020-01-01T10:00:00\n")
    assert data == {"min": "2020-01-01", "ts": "2020-01-01T10:00:00"}


@pytest.mark.parametrize("text", [
    "a: !!python/object/apply:os.system ['echo pwned']\n",
    "a: !!python/name:os.system\n",
    "a: !custom 1\n",
])
def test_non_standard_tags_are_refused_never_constructed(text):
    with pytest.raises(SpecError) as info:
        load_document(text)
    assert [d.code for d in info.value.diagnostics] == ["RG102"]


def test_duplicate_keys_are_all_reported():
    with pytest.raises(SpecError) as info:
        load_document("a: 1\nb: 2\na: 3\nb: 4\n")
    assert [(d.code, d.mark) for d in info.value.diagnostics] == [("RG103", (3, 1)), ("RG103", (4, 1))]


def test_alias_bomb_is_refused():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(SpecError) as info:
        load_document("\n".join(lines) + "\n")
    assert info.value.diagnostics[0].code == "RG104"


def test_small_aliases_and_merge_keys_work():
    data, _ = load_document("base: &b {kind: normal, loc: 1}\nx: {<<: *b, loc: 2}\n")
    assert data["x"] == {"kind": "normal", "loc": 2}


def test_syntax_error_has_a_position():
    with pytest.raises(SpecError) as info:
        load_document("a: [1, 2\nb: 3\n")
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.code == "RG101" and diagnostic.mark is not None


def test_unreadable_file(tmp_path):
    with pytest.raises(SpecError) as info:
        load_document(tmp_path / "missing.yaml")
    assert info.value.diagnostics[0].code == "RG100"


@pytest.mark.parametrize(("text", "value"), [
    ("0o17", 15), ("-0o17", -15), ("1e3", 1000.0), ("-1.5e-3", -0.0015), (".5E2", 50.0), ("1_000", 1000),
    ("0", 0), ("0.5", 0.5), ("'010'", "010"), ('"1:30"', "1:30"), ("08:00", "08:00"), ("0x1F", 31),
])
def test_numbers_read_as_yaml_12_where_yaml_11_surprises(text, value):
    data, _ = load_document(f"a: {text}\n")
    assert data["a"] == value and type(data["a"]) is type(value)


@pytest.mark.parametrize("text", ["1:30", "-2:05:00", "1:30.5", "010", "-010", "00", "007"])
def test_yaml_11_only_numbers_are_refused_with_their_place(text):
    with pytest.raises(SpecError) as info:
        load_document(f"x: 1\na: {text}\n")
    (problem,) = info.value.diagnostics
    assert problem.code == "RG109" and problem.pointer == "/a"
    assert info.value.render().startswith("<spec>:2:4: ")


def test_control_characters_and_lone_surrogates_are_located():
    with pytest.raises(SpecError) as info:
        load_document("a: 1\nb: x\x07y\n")
    assert info.value.render().startswith("<spec>:2:5: error[RG101]")
    with pytest.raises(SpecError) as info:
        load_document('a: 1\nb: "\\ud800"\n"\\udfff": 2\n')
    assert [d.code for d in info.value.diagnostics] == ["RG108", "RG108"]
    assert info.value.render().count("<spec>:") == 2
