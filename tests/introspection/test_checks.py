"""The CHECK reader understands the simple forms SQLite and PostgreSQL write, and gives up
(None) on anything else rather than guessing."""

from __future__ import annotations

import datetime

import pytest

from rulegen.introspection.checks import Bound, Compare, Length, Matches, NotNull, OneOf, check_clauses, parse_check

TODAY = datetime.date(2025, 6, 30)
MIDNIGHT = datetime.datetime(2025, 6, 30)


@pytest.mark.parametrize(("text", "facts"), [
    ("status IN ('new', 'it''s')", [OneOf("status", ("new", "it's"))]),
    ("rating BETWEEN 1 AND 5", [Bound("rating", ">=", 1), Bound("rating", "<=", 5)]),
    ("0 < qty AND qty IS NOT NULL", [Bound("qty", ">", 0), NotNull("qty")]),
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
    # a NULL branch, functions of the column, patterns, times from now()
    ("CHECK (((lane = ANY (ARRAY['a'::text, 'b'::text])) OR (lane IS NULL)))", [OneOf("lane", ("a", "b"))]),
    ("(ends >= starts) OR ends IS NULL", [Compare("ends", ">=", "starts")]),
    ("CHECK ((upper((g)::text) = ANY (ARRAY['A'::text, 'B'::text])))", [OneOf("g", ("A", "B"))]),
    ("lower(region) IN ('n', 's')", [OneOf("region", ("n", "s"))]),
    ("CHECK (((char_length((code)::text) >= 4) AND (char_length((code)::text) <= 16)))",
     [Length("code", ">=", 4), Length("code", "<=", 16)]),
    ("length(x) BETWEEN 2 AND 3", [Length("x", ">=", 2), Length("x", "<=", 3)]),
    ("length(x) > 3", [Length("x", ">", 3)]),
    ("CHECK ((ref ~~ 'TK-%'::text))", [Matches("ref", "TK\\-[a-z0-9]{0,8}")]),  # PostgreSQL's LIKE
    ("ref LIKE 'TK-%'", [Matches("ref", "TK\\-[a-z0-9]{0,8}")]),
    ("CHECK ((zip ~ '^[0-9]{5}$'::text))", [Matches("zip", "[0-9]{5}")]),
    ("c GLOB '[A-Z]?-*'", [Matches("c", "[A-Z][a-z]\\-[a-z0-9]{0,8}")]),
    ("CHECK ((d > '2020-01-01'::date) AND (d <= CURRENT_DATE))",
     [Bound("d", ">", "2020-01-01"), Bound("d", "<=", MIDNIGHT, relative=True)]),
    ("CHECK ((seen >= (now() - '30 days'::interval)))",
     [Bound("seen", ">=", MIDNIGHT - datetime.timedelta(days=30), relative=True)]),
    ("due <= now() + interval '1 year 2:00'",
     [Bound("due", "<=", MIDNIGHT + datetime.timedelta(days=365, hours=2), relative=True)]),
    ("d >= DATE '2021-02-03'", [Bound("d", ">=", "2021-02-03")]),
    ("f IS NULL OR f LIKE '%ab%' OR f LIKE 'c_'",
     [Matches("f", "([a-z0-9]{0,8}ab[a-z0-9]{0,8}|c[a-z])")]),
])
def test_simple_forms(text, facts):
    assert parse_check(text, TODAY) == facts


@pytest.mark.parametrize("text", [
    "substr(x, 1) > 3", "a > 0 OR b > 0", "x <> 'a'", "x NOT IN (1, 2)", "x ~ '\\ba'", "x IS NULL",
    "x > now() + 5", "x LIKE y", "x ~ 'a^b'", "d >= now() - interval '3 fortnights'",
    "x BETWEEN 1 AND", "((x > 1)", "x > 1)", "x > y + 1", "'a' = 'b'", "__import__('os')",
    "(" * 40 + "x > 1" + ")" * 40, "x IN (" + ", ".join(["1"] * 5000) + ")",
])
def test_anything_else_is_none(text):
    assert parse_check(text) is None


def test_check_clauses_of_a_create_table():
    sql = "CREATE TABLE t (a int CHECK (a > 0), b text check(b in ('x)', 'y')), CONSTRAINT c CHECK ((a < b)))"
    assert check_clauses(sql) == ["a > 0", "b in ('x)', 'y')", "(a < b)"]
