"""The translators of introspection: text patterns to ``pattern``, CHECKs to expressions, index
definitions to key columns, partition bounds to a CHECK, types to literals the database reads.
Each pattern made is checked by generating values and matching them against the original."""

from __future__ import annotations

import datetime
import fnmatch
import json
import re

import pytest

import rulegen
from rulegen.introspection.exprs import check_expression
from rulegen.introspection.model import ColumnInfo, index_columns
from rulegen.introspection.patterns import glob_pattern, like_pattern, regex_pattern
from rulegen.introspection.postgres import partition_check
from rulegen.introspection.types import type_draft

TODAY = datetime.date(2025, 6, 30)


def _values(pattern: str, rows: int = 200) -> list[str]:
    text = json.dumps({"version": 1, "seed": 3, "tables": {"t": {"rows": rows, "columns": {
        "v": {"kind": "pattern", "pattern": pattern}}}}})  # JSON is YAML
    spec = rulegen.load(text)
    return list(rulegen.generate(spec)["t"]["v"])


def _like(text: str, like: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in like)
    return re.fullmatch(regex, text, re.DOTALL) is not None


@pytest.mark.parametrize("like", ["TK-%", "a_b%", "100\\%", "x.y_"])
def test_like_patterns_make_matching_values(like):
    pattern = like_pattern(like)
    assert pattern is not None
    original = like.replace("\\%", "\x00")
    assert all(_like(v, original.replace("\x00", "\\%")) if "\\%" not in like else v == "100%"
               for v in _values(pattern))


@pytest.mark.parametrize("glob", ["[A-Z][A-Z]-[0-9][0-9][0-9][0-9]", "img_*.png", "?[^0-9]x"])
def test_glob_patterns_make_matching_values(glob):
    pattern = glob_pattern(glob)
    assert pattern is not None
    assert all(fnmatch.fnmatchcase(v, glob.replace("[^", "[!")) for v in _values(pattern))


@pytest.mark.parametrize("regex", ["^[0-9]{5}$", "^\\+[0-9]{8,12}$", "[A-Z]{2}-\\d{3}", "^(ab|cd)x?$"])
def test_regex_patterns_make_matching_values(regex):
    pattern = regex_pattern(regex)
    assert pattern is not None
    assert all(re.search(regex, v) for v in _values(pattern))


@pytest.mark.parametrize("regex", ["\\bword", "a^b", "^a$b", "(?i)x", "[[:alpha:]]", "(a)\\1"])
def test_regexes_outside_the_subset_are_none(regex):
    assert regex_pattern(regex) is None


@pytest.mark.parametrize(("check", "expression"), [
    ("(slot % 15) = 0", "(slot % 15) == 0"),
    ("(title)::text <> ''::text", "(title) != ''"),
    ("((a IS NULL) OR (a > b))", "((is_null(a)) or (a > b))"),
    ("((x)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))", "((x) in ['a', 'b'])"),
    ("x NOT IN ('a', 'b')", "x not in ['a', 'b']"),
    ("upper((x)::text) <> 'Z'", "upper((x)) != 'Z'"),
    ("char_length(title) > 2 AND a IS NOT NULL", "len(title) > 2 and not is_null(a)"),
    ("a / 2 > 1", None),  # integer division differs
    ("foo(a) > 1", None),
    ("x LIKE 'a%'", None),
    ("unknown_column > 1", None),
    ("minutes > 1", None),  # a column named like a function of the language
    # EXTRACT: PostgreSQL's isodow is Monday 1 .. Sunday 7, dow Sunday 0 .. Saturday 6.
    ("((EXTRACT(isodow FROM a) >= (1)::numeric) AND (EXTRACT(isodow FROM a) <= (5)::numeric))",
     "(((weekday(a) + 1) >= (1)) and ((weekday(a) + 1) <= (5)))"),
    ("EXTRACT(dow FROM a) <> 0", "((weekday(a) + 1) % 7) != 0"),
    ("extract(year from a) >= 2000 and EXTRACT(hour FROM b) < 18", "year(a) >= 2000 and hour(b) < 18"),
    ("EXTRACT(epoch FROM a) > 0", None),
])
def test_checks_as_expressions(check, expression):
    assert check_expression(check, {"a", "b", "x", "title", "slot", "minutes"}) == expression


@pytest.mark.parametrize(("definition", "columns"), [
    ("CREATE UNIQUE INDEX m ON public.member USING btree (lower((email)::text))", ("email",)),
    ("CREATE UNIQUE INDEX s ON public.shelf USING btree (upper(label), room)", ("label", "room")),
    ('CREATE UNIQUE INDEX a ON "my t" (title) WHERE title IS NOT NULL', ("title",)),
    ("CREATE UNIQUE INDEX n ON t USING btree (title) NULLS NOT DISTINCT", ("title",)),
    ("CREATE UNIQUE INDEX p ON ONLY public.t USING btree (email, room)", ("email", "room")),
    ('CREATE UNIQUE INDEX q ON t USING btree ("Odd ""Name""" DESC)', ('Odd "Name"',)),
    ("CREATE UNIQUE INDEX x ON t USING btree (substr(title, 1))", None),
    ("CREATE UNIQUE INDEX y ON t USING btree ((room + 1))", None),
])
def test_index_columns(definition, columns):
    known = {name: ColumnInfo(name, "text", "text") for name in ("email", "label", "room", "title", 'Odd "Name"')}
    assert index_columns(definition, known) == columns


@pytest.mark.parametrize(("partitions", "check"), [
    ([("FOR VALUES IN ('east', 'north')", "l", ["region"]), ("FOR VALUES IN ('west')", "l", ["region"])],
     "\"region\" IN ('east', 'north', 'west')"),
    ([("FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')", "r", ["d"]),
      ("FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')", "r", ["d"]),
      ("FOR VALUES FROM ('2030-01-01') TO ('2031-01-01')", "r", ["d"])],
     "\"d\" >= '2023-01-01' AND \"d\" < '2025-01-01'"),  # the longest run of adjacent partitions
    ([("FOR VALUES FROM (MINVALUE) TO (500)", "r", ["id"]), ("FOR VALUES FROM (500) TO (2000)", "r", ["id"])],
     '"id" < 2000'),
    ([("FOR VALUES IN ('a')", "l", ["k"]), ("DEFAULT", "l", ["k"])], None),  # any row fits
    ([("FOR VALUES FROM (1, 1) TO (2, 2)", "r", ["a", "b"])], None),  # a key of two columns
])
def test_partition_bounds_as_a_check(partitions, check):
    assert partition_check(partitions) == check


@pytest.mark.parametrize(("type_name", "labels"), [
    ("int4range", ()), ("daterange", ()), ("tstzrange", ()), ("point", ()), ("bit(8)", ()),
    ("bit varying(16)", ()), ("text[]", ()), ("integer[]", ()), ("weekday[]", ("mon", "tue")), ("jsonb", ()),
    ("tsvector", ()), ("bytea", ()), ("xml", ()), ("macaddr8", ()), ("time with time zone", ()),
    ("interval", ()),
])
def test_every_type_gets_a_pattern_that_compiles(type_name, labels):
    draft = type_draft(ColumnInfo("c", type_name, "unknown", labels=labels), TODAY)
    assert draft is not None and draft.spec["kind"] == "pattern"
    assert all(v for v in _values(draft.spec["pattern"], rows=20))


def test_range_patterns_are_never_empty():
    for type_name in ("int4range", "daterange", "tsrange"):
        pattern = type_draft(ColumnInfo("c", type_name, "unknown"), TODAY).spec["pattern"]
        for value in _values(pattern):
            low, high = value[1:-1].split(",")
            assert low < high, value


def test_plain_types_are_left_to_the_kinds():
    assert type_draft(ColumnInfo("c", "integer", "integer"), TODAY) is None


@pytest.mark.parametrize(("field", "expected"), [
    ("isodow", lambda day: day.isoweekday()), ("dow", lambda day: day.isoweekday() % 7),
])
def test_extracted_days_of_the_week_count_as_postgresql_does(field, expected):
    expression = check_expression(f"EXTRACT({field} FROM d)", {"d"})
    text = json.dumps({"version": 1, "tables": {"t": {"rows": 60, "columns": {
        "d": {"kind": "date", "min": "2025-06-30", "max": "2025-07-13"},
        "n": {"kind": "expr", "expr": expression}}}}})
    frame = rulegen.generate(rulegen.load(text))["t"]
    days = [datetime.date.fromisoformat(str(d)[:10]) for d in frame["d"]]
    assert len(set(days)) == 14 and list(frame["n"]) == [expected(day) for day in days]
