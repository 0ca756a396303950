"""Each kind's values and options, through the public API."""

import re
import uuid

import pytest

import rulegen
from rulegen.errors import GenerationError, SpecError
from rulegen.kinds import KINDS
from rulegen.kinds.pattern import PatternError, parse_pattern


def table(columns: str, rows: int = 200, extra: str = "", seed: int = 1):
    spec = f"version: 1\nseed: {seed}\ntables:\n  t:\n    rows: {rows}\n{extra}    columns:\n{columns}"
    return rulegen.generate(spec)["t"]


def test_sequence_start_and_step():
    frame = table("      id: {kind: sequence, start: 10, step: 5}\n", rows=4)
    assert frame["id"].tolist() == [10, 15, 20, 25]


def test_constant_and_hidden():
    frame = table("      c: {kind: constant, value: EUR, hidden: true}\n      d: {kind: template, template: 'x{c}'}\n",
                  rows=3)
    assert list(frame.columns) == ["d"]
    assert frame["d"].tolist() == ["xEUR"] * 3


def test_uuid_is_version_4_and_unique():
    values = table("      u: {kind: uuid}\n", rows=2000)["u"]
    parsed = [uuid.UUID(v) for v in values]
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in parsed)
    assert values.is_unique


@pytest.mark.parametrize("pattern", ["[A-Z]{3}-[0-9]{5}", r"\d{3}-\d{4}", "(ab|cd|e)x?[0-9]{1,3}", "[^a-z]{2}",
                                     r"\w+\.\w{2,4}", "é[ü-ü]{2}"])
def test_pattern_values_match(pattern):
    values = table(f"      p: {{kind: pattern, pattern: '{pattern}'}}\n", rows=500)["p"]
    assert all(re.fullmatch(pattern, v) for v in values), values[:5].tolist()


def test_unique_pattern_is_met_by_construction():
    values = table("      p: {kind: pattern, pattern: '[A-Z]{2}', unique: true}\n", rows=676)["p"]
    assert values.is_unique and len(values) == 676


def test_unique_beyond_the_value_space_is_a_spec_error():
    with pytest.raises(SpecError) as info:
        table("      p: {kind: pattern, pattern: '[A-Z]', unique: true}\n", rows=100)
    assert [d.code for d in info.value.diagnostics] == ["RG310"]


@pytest.mark.parametrize(("pattern", "offset"), [("[A-Z", 0), ("a{2", 1), ("*a", 0), (r"\q", 0), ("(ab", 0),
                                                  ("[z-a]", 1)])
def test_pattern_errors_have_offsets(pattern, offset):
    with pytest.raises(PatternError) as info:
        parse_pattern(pattern)
    assert info.value.offset == offset


def test_template_lower_and_non_string_inputs():
    frame = table("      n: {kind: sequence}\n      d: {kind: date, min: 2020-01-02, max: 2020-01-02}\n"
                  "      s: {kind: template, template: 'ID-{n}-{d}', upper: true}\n", rows=2)
    assert frame["s"].tolist() == ["ID-1-2020-01-02", "ID-2-2020-01-02"]


def test_template_repeats_are_caught_naming_both_rows():
    with pytest.raises(GenerationError) as info:
        table("      c: {kind: choice, values: [a, b]}\n      s: {kind: template, template: '{c}', unique: true}\n",
              rows=10)
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.code == "RG402" and "rows 0 and" in diagnostic.message


def test_choice_given_cases_and_default():
    frame = table("      g: {kind: choice, values: [x, y]}\n"
                  "      c: {kind: choice, given: g, cases: {x: [only_x]}, default: {only_default: 1}}\n", rows=300)
    assert set(frame.loc[frame.g == "x", "c"]) == {"only_x"}
    assert set(frame.loc[frame.g == "y", "c"]) == {"only_default"}


def test_choice_values_keep_their_type():
    frame = table("      n: {kind: choice, values: {1: 5, 2: 5}}\n      b: {kind: choice, values: [true, false]}\n")
    assert set(frame["n"]) == {1, 2} and frame["n"].dtype == "int64"
    assert frame["b"].dtype == "bool"


def test_faker_args_and_locale():
    frame = table("      n: {kind: faker, provider: pyint, args: {min_value: 5, max_value: 7}}\n"
                  "      c: {kind: faker, provider: city, locale: de_DE}\n")
    assert set(frame["n"]) <= {5, 6, 7} and frame["n"].dtype == "int64"
    assert frame["c"].str.len().min() > 0


def test_unique_faker_column_draws_distinct_values():
    values = table("      e: {kind: faker, provider: email, unique: true}\n", rows=3000)["e"]
    assert values.is_unique


def test_when_else_and_null():
    frame = table("      a: {kind: integers, low: 0, high: 9}\n"
                  "      b: {kind: constant, value: 1, when: 'a >= 5', else: 0}\n"
                  "      c: {kind: normal, null: 1.0}\n", rows=500)
    assert (frame["b"] == (frame["a"] >= 5).astype(int)).all()
    assert frame["c"].isna().all()


def test_round_zero_gives_integers_and_clip_bounds():
    frame = table("      x: {kind: normal, loc: 0, scale: 100, round: 0, clip: [-50, 50]}\n", rows=1000)
    assert frame["x"].dtype == "int64"
    assert frame["x"].between(-50, 50).all() and (frame["x"] == 50).any()


def test_constraints_hold_on_every_row():
    frame = table("      a: {kind: integers, low: 0, high: 100}\n      b: {kind: integers, low: 0, high: 100}\n",
                  rows=5000, extra="    constraints: ['a < b', 'a + b > 50']\n")
    assert (frame.a < frame.b).all() and (frame.a + frame.b > 50).all()


def test_unmeetable_constraint_names_itself_and_its_pass_rate():
    with pytest.raises(GenerationError) as info:
        table("      a: {kind: integers, low: 0, high: 10}\n", extra="    constraints: ['a > 10']\n")
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.code == "RG401" and "`a > 10`" in diagnostic.message and "0.00%" in diagnostic.message


CONTEXT = ("      amount: {kind: uniform, low: 1, high: 9}\n"
           "      first_name: {kind: faker, provider: first_name}\n"
           "      last_name: {kind: faker, provider: last_name}\n"
           "      customer_id: {kind: ref, to: customers.id}\n")
CUSTOMERS = ("  customers:\n    rows: 3\n    primary_key: id\n    columns:\n"
             "      id: {kind: sequence}\n      signup_at: {kind: timestamp, min: 2020-01-01, max: 2020-12-31}\n")
ORDERS = ("  orders:\n    rows: {per: t, count: 2}\n    columns:\n"
          "      t_id: {kind: ref, to: t.id}\n      amount: {kind: uniform, low: 1, high: 9}\n")


@pytest.mark.parametrize("kind", list(KINDS), ids=lambda k: k.name)
def test_every_kind_has_an_example_that_generates(kind, tmp_path):
    options = ", ".join(f"{k}: {v!r}" for k, v in kind.example.items())
    size = "timeline: {start: 2024-01-01, end: 2024-01-01, every: 1h}" if kind.name in ("tick", "series") else "rows: 5"
    spec = (f"version: 1\ntables:\n{CUSTOMERS}{ORDERS}  t:\n    {size}\n    primary_key: id\n    columns:\n"
            f"      id: {{kind: sequence}}\n{CONTEXT}      c: {{{options}}}\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "prices.csv").write_text("price\n9.99\n15.5\n")  # what the `sample` example reads
    (tmp_path / "spec.yaml").write_text(spec)
    assert rulegen.generate(tmp_path / "spec.yaml")["t"]["c"].notna().all()


def test_timestamp_after_a_column_by_a_duration_delay():
    import scipy.stats as st

    frame = table("      start: {kind: timestamp, min: 2020-01-01, max: 2024-12-31}\n"
                  "      end: {kind: timestamp, after: start, delay: {kind: exponential, scale: 2d}}\n"
                  "      day: {kind: date, min: 2021-01-01, max: 2021-12-31}\n"
                  "      at: {kind: timestamp, after: day, delay: {kind: uniform, low: 8h, high: 18h}}\n", rows=20_000)
    days = (frame.end - frame.start).dt.total_seconds() / 86_400
    assert (days >= 0).all() and st.kstest(days, st.expon(scale=2).cdf).pvalue > 1e-3
    hours = (frame["at"] - frame["day"].astype("datetime64[s]")).dt.total_seconds() / 3600
    assert hours.between(8, 18).all()


@pytest.mark.parametrize(("column", "code"), [
    ("      b: {kind: timestamp, after: a, delay: {kind: exponential, scale: 30x}}\n", "RG205"),
    ("      b: {kind: timestamp, after: a, delay: {kind: choice}}\n", "RG206"),
    ("      b: {kind: timestamp, after: a}\n", "RG204"),
    ("      b: {kind: timestamp, after: zz, delay: {kind: exponential, scale: 1d}}\n", "RG212"),
    ("      b: {kind: timestamp, min: 2020-01-01}\n", "RG204"),
])
def test_timestamp_after_mistakes(column, code):
    with pytest.raises(SpecError) as info:
        table("      a: {kind: timestamp, min: 2020-01-01, max: 2020-02-01}\n" + column, rows=5)
    assert [d.code for d in info.value.diagnostics] == [code]


def test_date_after_a_column_moves_by_whole_days():
    frame = table("      a: {kind: date, min: 2020-01-01, max: 2020-12-31}\n"
                  "      b: {kind: date, after: a, delay: {kind: integers, low: 1d, high: 3d}, null: 0.1}\n", rows=2000)
    days = (frame.b - frame.a).dropna().map(lambda d: d.days)
    assert set(days) <= {1, 2, 3} and {1, 2} <= set(days)
