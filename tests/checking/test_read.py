"""Reading files back: conversion to the plan's types finds every value that does not convert."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rulegen.checking.convert import convert


@given(st.lists(st.one_of(st.integers(-10**6, 10**6).map(str), st.none(),
                          st.sampled_from(["x", "1.5", "", " 1", "9" * 30])), max_size=60))
def test_every_bad_value_is_found_and_the_good_ones_kept(texts: list[str | None]) -> None:
    result, bad = convert(pa.array(texts, type=pa.string()), pa.int64())
    for text, value, flagged in zip(texts, result.to_pylist(), bad, strict=True):
        good = text is None or (text.lstrip("-").isdigit() and len(text) < 20)
        assert flagged == (not good), text
        assert value == (int(text) if good and text is not None else None)


@pytest.mark.parametrize(("texts", "target", "flags"), [
    (["true", "false", "yes"], pa.bool_(), [False, False, True]),
    (["1e+20", "-0", "0.1", "abc"], pa.float64(), [False, False, False, True]),
    (["2024-02-29", "2023-02-29", "2024-1-1"], pa.date32(), [False, True, True]),
    (["2024-01-01 10:00:00.250", "2024-01-01T10:00:00", "2024-01-01 25:00:00"], pa.timestamp("ms"),
     [False, False, True]),
])
def test_text_of_each_type(texts: list[str], target: pa.DataType, flags: list[bool]) -> None:
    assert convert(pa.array(texts), target)[1].tolist() == flags


def test_a_date_read_as_a_timestamp_must_be_midnight() -> None:
    stamps = pa.array([dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 2, 8)], type=pa.timestamp("s"))
    result, bad = convert(stamps, pa.date32())
    assert result.to_pylist() == [dt.date(2024, 1, 1), None]
    assert bad.tolist() == [False, True]


def test_types_without_a_cast_are_all_bad() -> None:
    result, bad = convert(pa.array([[1], None, [2]]), pa.int64())
    assert result.null_count == 3
    assert bad.tolist() == [True, False, True]
