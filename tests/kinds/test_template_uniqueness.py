"""A unique template is distinct by construction when a unique input can be read back from it.

Then no streaming check runs (no hashing, no 8 bytes per row held until the end of the table);
every other unique template is still checked, and a real repeat is still reported.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.errors import GenerationError
from rulegen.plan.plan import Uniqueness


def compiled(columns: str, rows: int = 300):
    spec = f"version: 1\nseed: 3\ntables:\n  t:\n    rows: {rows}\n    columns:\n{columns}"
    return spec, rulegen.compile(spec).tables["t"]


NAMES = ("      id: {kind: sequence}\n"
         "      first: {kind: faker, provider: first_name}\n"
         "      last: {kind: faker, provider: last_name}\n")


@pytest.mark.parametrize(("columns", "proven"), [
    # digits of a number >= 0 after a part that never ends in a digit, constant text after
    (NAMES + "      e: {kind: template, template: '{first}.{last}{id}@example.com', lower: true, unique: true}\n",
     True),
    # ...or before a part that never starts with one, constant text before
    (NAMES + "      e: {kind: template, template: 'u{id}{last}', unique: true}\n", True),
    # every other part constant: any integer, or a string when the case is kept
    ("      n: {kind: sequence, start: 0, step: -1}\n      e: {kind: template, template: 'N{n}', unique: true}\n",
     True),
    ("      p: {kind: pattern, pattern: '[a-z]{4}', unique: true}\n"
     "      e: {kind: template, template: '<{p}>', unique: true}\n", True),
    # upper-casing may merge two strings that differ in case
    ("      p: {kind: pattern, pattern: '[a-zA-Z]{4}', unique: true}\n"
     "      e: {kind: template, template: '<{p}>', upper: true, unique: true}\n", False),
    # a part that may end in a digit could continue the number
    ("      id: {kind: sequence}\n      c: {kind: choice, values: [x, x1]}\n"
     "      e: {kind: template, template: '{c}{id}', unique: true}\n", False),
    # a negative number's sign could belong to the part before it
    ("      id: {kind: sequence, start: -5}\n      c: {kind: choice, values: [x, y]}\n"
     "      e: {kind: template, template: '{c}{id}', unique: true}\n", False),
    # a null input is written as "", and nulls are not distinct
    ("      id: {kind: sequence, null: 0.1}\n      e: {kind: template, template: 'x{id}', unique: true}\n", False),
    # two variable parts around the number
    (NAMES + "      e: {kind: template, template: '{first}{id}{last}', unique: true}\n", False),
])
def test_which_unique_templates_are_distinct_by_construction(columns, proven):
    _, table = compiled(columns)
    assert (table.columns["e"].uniqueness is Uniqueness.INHERENT) is proven
    assert [c.columns for c in table.unique_checks] == ([] if proven else [("e",)])


def test_an_unproven_template_is_still_checked_and_its_repeat_reported():
    # "x" + "12" and "x1" + "2" are both "x12": such rows draw `c` again until they differ
    columns = ("      id: {kind: sequence}\n      c: {kind: choice, values: [x, x1]}\n"
               "      e: {kind: template, template: '{c}{id}', unique: true}\n")
    spec, table = compiled(columns, rows=200)
    assert [c.columns for c in table.unique_checks] == [("e",)]
    assert not rulegen.generate(spec)["t"]["e"].duplicated().any()
    # A repeat no redraw can remove is still reported.
    spec, _ = compiled("      c: {kind: choice, values: [x, x1]}\n"
                       "      e: {kind: template, template: '{c}!', unique: true}\n", rows=3)
    with pytest.raises(GenerationError) as info:
        rulegen.generate(spec)
    assert info.value.diagnostics[0].code == "RG402"


_PIECES = st.sampled_from(["", ".", "-", "a", "1", "a1", "1a", "-1"])


@settings(max_examples=150, deadline=None)
@given(
    start=st.integers(-3, 3), step=st.sampled_from([1, 2, 7, -1]),
    values=st.lists(_PIECES, min_size=1, max_size=4, unique=True),
    layout=st.lists(st.sampled_from(["{id}", "{c}", "<lit>"]), min_size=1, max_size=4),
    literals=st.lists(_PIECES.filter(bool), min_size=4, max_size=4),
    case=st.sampled_from(["", ", lower: true", ", upper: true"]),
)
def test_a_template_proven_distinct_is_distinct(start, step, values, layout, literals, case):
    """Soundness of the proof: whatever the parts, a template taken as distinct never repeats."""
    template = "".join(literals[i] if part == "<lit>" else part for i, part in enumerate(layout))
    choices = ", ".join(f"'{v}'" for v in values)
    columns = (f"      id: {{kind: sequence, start: {start}, step: {step}}}\n"
               f"      c: {{kind: choice, values: [{choices}]}}\n"
               f"      e: {{kind: template, template: '{template}', unique: true{case}}}\n")
    spec, table = compiled(columns, rows=150)
    if table.columns["e"].uniqueness is not Uniqueness.INHERENT:
        return
    assert rulegen.generate(spec)["t"]["e"].is_unique, template
