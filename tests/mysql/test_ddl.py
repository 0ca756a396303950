"""MySQL DDL without a server: every integer type holds the values its column can make, a key
is at least an INT, a choice of a few labels is an ENUM (not when a label ends in a space, which
MySQL would cut), and text is a VARCHAR sized from the longest value the kind can make."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.io.mysql import MysqlLoader
from rulegen.io.mysql_ddl import create_mysql_table, mysql_type

DIALECT = dataclasses.replace(MysqlLoader.dialect, schema="db")
RANGES = {"TINYINT": 2**7, "SMALLINT": 2**15, "MEDIUMINT": 2**23, "INT": 2**31, "BIGINT": 2**63}


def _type(spec: str, table: str, column: str) -> str:
    plan = rulegen.compile(spec)
    return mysql_type(plan, plan.tables[table], column, DIALECT)


@settings(max_examples=60, deadline=None)
@given(low=st.integers(-(2**62), 2**62), width=st.integers(0, 2**40))
def test_an_integer_type_holds_every_value_of_its_column(low: int, width: int) -> None:
    high = low + width
    declared = _type(f"version: 1\ntables:\n  t:\n    rows: 2\n    columns:\n"
                     f"      n: {{kind: integers, low: {low}, high: {high}}}\n", "t", "n")
    top = RANGES[declared]
    assert -top <= low and high <= top - 1


def test_keys_are_at_least_int_and_take_their_parents_type() -> None:
    spec = """
        version: 1
        tables:
          p:
            rows: 5
            primary_key: id
            columns:
              id: {kind: sequence}
          c:
            rows: 5
            columns:
              p_id: {kind: ref, to: p.id}
              small: {kind: integers, low: 1, high: 9}
        """
    assert _type(spec, "p", "id") == "INT" and _type(spec, "c", "p_id") == "INT"
    assert _type(spec, "c", "small") == "TINYINT"


def test_choices_are_enums_unless_a_label_ends_in_a_space_and_text_is_sized() -> None:
    spec = """
        version: 1
        tables:
          t:
            rows: 5
            columns:
              mood: {kind: choice, values: [calm, "it's \\\\ fine"]}
              spaced: {kind: choice, values: ["a ", b]}
              code: {kind: pattern, pattern: "[A-Z]{3}-[0-9]{4}"}
        """
    assert _type(spec, "t", "mood") == "ENUM('calm', 'it''s \\\\ fine')"
    assert _type(spec, "t", "spaced") == "VARCHAR(2)"
    assert _type(spec, "t", "code") == "VARCHAR(8)"
    plan = rulegen.compile(spec)
    assert "CHECK (`spaced` IN ('a ', 'b'))" in create_mysql_table(plan, plan.tables["t"], DIALECT)
