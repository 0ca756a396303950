"""The CHECK reader understands the simple forms SQLite and PostgreSQL write, and gives up
(None) on anything else rather than guessing."""

from __future__ import annotations

import pytest

from rulegen.introspection.checks import Bound, Compare, OneOf, check_clauses, parse_check


@pytest.mark.parametrize(("text", "facts"), [
    ("status IN ('new', 'it''s')", [OneOf("status", ("new", "it's"))]),
    ("rating BETWEEN 1 AND 5", [Bound("rating", ">=", 1), Bound("rating", "<=", 5)]),
    ("0 < qty AND qty IS NOT NULL", [Bound("qty", ">", 0)]),
    ('"my col" >= -5.5', [Bound("my col", ">=", -5.5)]),
    ("[weird col] IN (1, 2)", [OneOf("weird col", (1, 2))]),
    ("t.x <= 3", [Bound("x", "<=", 3)]),
    ("ends >= starts", [Compare("ends", ">=", "starts")]),
    # PostgreSQL's pg_get_constraintdef spellings
    ("CHECK (((st)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])))",
     [OneOf("st", ("a", "b"))]),
    ("CHECK (((r >= 1) AND (r <= 5)))", [Bound("r", ">=", 1), Bound("r", "<=", 5)]),
    ("CHECK ((p >= (0)::numeric))", [Bound("p", ">=", 0)]),
    ("CHECK ((d >= '2020-01-01'::date))", [Bound("d", ">=", "2020-01-01")]),
    ("CHECK (((f > (0)::double precision) AND (f < (1)::double precision)))",
     [Bound("f", ">", 0), Bound("f", "<", 1)]),
    ("CHECK (((x = 'a'::text) OR (x = 'b'::text)))", [OneOf("x", ("a", "b"))]),
    ("CHECK ((x = ANY (ARRAY[1, 2]))) NOT VALID", [OneOf("x", (1, 2))]),
])
def test_simple_forms(text, facts):
    assert parse_check(text) == facts


@pytest.mark.parametrize("text", [
    "length(x) > 3", "a > 0 OR b > 0", "x <> 'a'", "x NOT IN (1, 2)", "x LIKE 'a%'", "x IS NULL",
    "x BETWEEN 1 AND", "((x > 1)", "x > 1)", "x > y + 1", "'a' = 'b'", "__import__('os')",
    "(" * 40 + "x > 1" + ")" * 40, "x IN (" + ", ".join(["1"] * 5000) + ")",
])
def test_anything_else_is_none(text):
    assert parse_check(text) is None


def test_check_clauses_of_a_create_table():
    sql = "CREATE TABLE t (a int CHECK (a > 0), b text check(b in ('x)', 'y')), CONSTRAINT c CHECK ((a < b)))"
    assert check_clauses(sql) == ["a > 0", "b in ('x)', 'y')", "(a < b)"]
