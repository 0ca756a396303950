"""Composite ``unique`` lists and keys (rulegen/plan/uniqueness.py): they hold on every table whose
value space allows them, and a space too small is refused when the spec compiles (RG311); a
table-level ``unique: [c]`` gives the same bytes as ``unique: true`` on ``c``."""

from __future__ import annotations

import math

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import rulegen
from rulegen.errors import GenerationError, SpecError
from rulegen.plan.compiler import compile_spec
from rulegen.plan.plan import Plan

SLOW = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
PARENT_ROWS = 7

# Each maker: (column declaration, number of distinct values, or None when only known compiled).
COLUMNS = st.one_of(
    st.builds(lambda lo, n: (f"{{kind: integers, low: {lo}, high: {lo + n - 1}}}", n),
              st.integers(-50, 50), st.integers(1, 40)),
    st.builds(lambda n: (f"{{kind: choice, values: [{', '.join(f'v{i}' for i in range(n))}]}}", n),
              st.integers(1, 6)),
    st.builds(lambda n: (f"{{kind: choice, values: {{{', '.join(f'w{i}: {i + 1}' for i in range(n))}}}}}", n),
              st.integers(2, 5)),
    st.builds(lambda days: (f"{{kind: date, min: 2024-02-27, max: {_date(days)}}}", days + 1),
              st.integers(0, 30)),
    st.builds(lambda p: (f"{{kind: bool, p: {p}}}", 2 if 0 < p < 1 else 1), st.sampled_from([0.1, 0.5, 0.9, 1.0])),
    st.just(("{kind: ref, to: parent.id}", PARENT_ROWS)),
    st.builds(lambda pool: (f"{{kind: faker, provider: color_name, pool: {pool}}}", None), st.integers(1, 12)),
)


def _date(days: int) -> str:
    return (pd.Timestamp("2024-02-27") + pd.Timedelta(days=days)).strftime("%Y-%m-%d")


def _yaml(columns: list[str], rows: str, key: str) -> str:
    lines = ["version: 1", "tables:", "  parent:", f"    rows: {PARENT_ROWS}", "    primary_key: id", "    columns:",
             "      id: {kind: sequence}", "  t:", f"    rows: {rows}", f"    {key}", "    columns:"]
    lines += [f"      c{i}: {column}" for i, column in enumerate(columns)]
    lines.append("      other: {kind: uniform, low: 0, high: 1}")
    return "\n".join(lines) + "\n"


@st.composite
def composite_tables(draw: st.DrawFn) -> tuple[str, list[int | None], int, list[int], list[str]]:
    """A spec whose table `t` has a composite key over 2-3 random columns; with ``rows: {per:
    parent}``, one of them the parent ref (each parent's rows must then differ on the others).
    Also gives each column's count of values (None: known once compiled), the rows that must be
    distinct, the key's columns other than the parent ref, and all the key's columns."""
    made = draw(st.lists(COLUMNS, min_size=2, max_size=4))
    key_columns = sorted(draw(st.sets(st.integers(0, len(made) - 1), min_size=2, max_size=3)))
    per = draw(st.booleans())
    if per:
        count = draw(st.integers(0, 60))
        made[key_columns[0]] = ("{kind: ref, to: parent.id}", None)
        rows, unit, others = f"{{per: parent, count: {count}}}", count, key_columns[1:]
    else:
        unit = draw(st.integers(1, 400))
        rows, others = str(unit), key_columns
    names = ", ".join(f"c{i}" for i in key_columns)
    key = draw(st.sampled_from([f"primary_key: [{names}]", f"unique: [[{names}]]"]))
    return _yaml([m[0] for m in made], rows, key), [m[1] for m in made], unit, others, names.split(", ")


def _frame(plan: Plan) -> pd.DataFrame:
    """Table `t` of a plan, streamed block by block (the repeats are looked for here)."""
    batches = list(rulegen.iter_blocks(plan, "t", arrow=True))
    return pa.Table.from_batches(batches, schema=plan.tables["t"].schema).to_pandas()


def _space(plan: Plan, table: str, name: str, known: int | None) -> int:
    if known is not None:
        return known
    pool = plan.tables[table].columns[name].kind.possible_values()
    return len(set(pool.to_pylist()))


@given(case=composite_tables(), seed=st.integers(0, 2**32))
@settings(max_examples=120, deadline=None, suppress_health_check=SLOW)
def test_composite_unique_holds_or_is_refused_when_the_spec_compiles(case, seed: int) -> None:
    yaml, known, unit, others, names = case
    note(yaml)
    try:
        plan = compile_spec(rulegen.load(yaml), seed=seed, block_rows=64)
    except SpecError as exc:
        codes = [d.code for d in exc.diagnostics]
        # RG310: a (parent ref, ref) key, kept distinct per parent by the ref itself.
        assert codes in (["RG311"], ["RG310"]), f"only a space too small may be refused: {exc}"
        assert exc.diagnostics[0].pointer.startswith("/tables/t/"), "located at the key"
        # Then the space is indeed too small: compile again without the key to count the values.
        bare = compile_spec(rulegen.load(yaml.replace(yaml.split("\n")[9], "    unique: []")), seed=seed)
        product = math.prod(_space(bare, "t", f"c{i}", known[i]) for i in others)
        assert product < unit, f"refused although {product:,} combinations hold {unit:,} rows"
        return
    frame = _frame(plan)
    repeats = frame[frame.duplicated(names, keep=False)]
    assert repeats.empty, f"repeated keys:\n{repeats}"
    # Built by construction: the same rows, whatever the block size.
    other = _frame(compile_spec(rulegen.load(yaml), seed=seed, block_rows=7))
    pd.testing.assert_frame_equal(other[names], frame[names], check_exact=True)


UNIQUE_COLUMNS = st.sampled_from([
    "{kind: faker, provider: country}",
    "{kind: integers, low: 1, high: 500}",
    "{kind: pattern, pattern: \"[A-C][0-9]{2}\"}",
    "{kind: choice, values: [a, b, c, d, e, f, g, h]}",
    "{kind: date, min: 2020-01-01, max: 2020-03-01}",
    "{kind: normal, loc: 0, scale: 1}",
])


@given(column=UNIQUE_COLUMNS, rows=st.integers(0, 60), seed=st.integers(0, 2**32),
       where=st.sampled_from(["unique: [c]", "unique: [[c]]", "primary_key: c", "primary_key: [c]"]))
@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
def test_a_table_level_unique_column_gives_the_bytes_of_unique_true(column: str, rows: int, seed: int,
                                                                    where: str) -> None:
    head = f"version: 1\ntables:\n  t:\n    rows: {rows}\n"
    by_table = f"{head}    {where}\n    columns:\n      c: {column}\n      d: {{kind: uniform, low: 0, high: 1}}\n"
    by_column = (f"{head}    columns:\n      c: {column[:-1]}, unique: true}}\n"
                 f"      d: {{kind: uniform, low: 0, high: 1}}\n")
    note(by_table)
    outcomes = []
    for text in (by_table, by_column):
        try:
            outcomes.append(rulegen.generate(rulegen.load(text), seed=seed)["t"])
        except SpecError as exc:
            outcomes.append([(d.code, d.message) for d in exc.diagnostics])
    if isinstance(outcomes[0], pd.DataFrame) and isinstance(outcomes[1], pd.DataFrame):
        pd.testing.assert_frame_equal(outcomes[0], outcomes[1], check_exact=True)
        assert not outcomes[0]["c"].duplicated().any()
    else:
        assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("key", ["primary_key: [d, n]", "unique: [[d, x]]", "unique: [[ts, x]]"])
def test_composite_keys_with_dates_and_timestamps_generate(key: str) -> None:
    """Once `Unsupported cast from date32[day] to int64`: dates in a checked composite key."""
    yaml = f"""version: 1
tables:
  t:
    rows: 300
    {key}
    columns:
      d: {{kind: date, min: 2024-01-01, max: 2024-12-31}}
      ts: {{kind: timestamp, min: 2024-01-01, max: 2024-01-02}}
      n: {{kind: integers, low: 1, high: 100}}
      x: {{kind: uniform, low: 0, high: 1}}
"""
    frame = rulegen.generate(rulegen.load(yaml), seed=3)["t"]
    names = key.split("[")[-1].rstrip("]").split(", ")
    assert not frame.duplicated(names).any()


@given(rows=st.integers(1, 300), seed=st.integers(0, 2**32), scale=st.sampled_from([0.5, 2, 20]),
       other=st.sampled_from([("{kind: choice, values: [a, b, c]}", 3),
                              ("{kind: date, min: 2024-01-01, max: 2024-01-31}", 31),
                              ("{kind: integers, low: 1, high: 9}", 9)]))
@settings(max_examples=40, deadline=None, suppress_health_check=SLOW)
def test_a_checked_key_redraws_its_repeats_inside_a_block(rows: int, seed: int, scale: float,
                                                          other: tuple[str, int]) -> None:
    """A key with a rounded normal cannot be listed: it is checked, and rows that repeat an earlier
    row of their block are drawn again; a table of one block does not fail while the pairs are
    plentiful (the normal makes some 5 x scale values: rows up to a fifth of the pairs)."""
    yaml = (f"version: 1\ntables:\n  t:\n    rows: {rows}\n    unique: [[x, o]]\n    columns:\n"
            f"      x: {{kind: normal, loc: 0, scale: {scale}, round: 0}}\n      o: {other[0]}\n")
    note(yaml)
    plan = compile_spec(rulegen.load(yaml), seed=seed)
    assert [c.columns for c in plan.tables["t"].unique_redraws] == [("x", "o")]
    try:
        frame = _frame(plan)
    except GenerationError as exc:
        assert rows > scale * other[1], f"a repeat although pairs are plentiful: {exc}"
        return
    assert not frame.duplicated(["x", "o"]).any()
    assert frame.equals(_frame(compile_spec(rulegen.load(yaml), seed=seed)))
