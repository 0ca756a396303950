"""Composite keys built by construction (rulegen/engine/unique.py): a permutation per parent
(``permute_each``) and each column's digit of a row's point (``composite_digit``), both functions
of the row alone."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rulegen.engine.unique import composite_digit, permute_each
from rulegen.plan.plan import CompositeSlot


@given(size=st.integers(1, 3000) | st.builds(lambda k: 2**k + 1, st.integers(1, 11)),
       keys=st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=4))
@settings(max_examples=60, deadline=None)
def test_permute_each_is_a_bijection_for_every_key(size: int, keys: list[int]) -> None:
    rows = np.tile(np.arange(size, dtype=np.int64), len(keys))
    per_row = np.repeat(np.array(keys, dtype=np.uint64), size)
    out = permute_each(rows, size, per_row)
    for i in range(len(keys)):
        part = out[i * size:(i + 1) * size]
        assert part.min() >= 0 and part.max() < size
        assert len(np.unique(part)) == size, "two rows of one key map to the same point"
    single = permute_each(rows[:size], size, per_row[:size])
    assert np.array_equal(single, out[:size]), "a row's point depends on its own key only"


def test_permute_each_differs_between_keys() -> None:
    rows = np.arange(500, dtype=np.int64)
    a = permute_each(rows, 500, np.full(500, 1, dtype=np.uint64))
    b = permute_each(rows, 500, np.full(500, 2, dtype=np.uint64))
    assert (a != b).mean() > 0.5


@given(radices=st.lists(st.integers(1, 12), min_size=1, max_size=4), key=st.integers(0, 2**64 - 1),
       data=st.data())
@settings(max_examples=60, deadline=None)
def test_digits_give_distinct_tuples_and_do_not_depend_on_the_rows_asked(radices: list[int], key: int,
                                                                        data: st.DataObject) -> None:
    size = math.prod(radices)
    slots = [CompositeSlot(group=("a",), radices=tuple(radices), position=i, source="space", unit=size)
             for i in range(len(radices))]
    rows = np.arange(size, dtype=np.int64)
    digits = np.stack([composite_digit(slot, rows, 0, key, None) for slot in slots], axis=1)
    assert len({tuple(d) for d in digits}) == size, "two rows share a combination"
    assert all((digits[:, i] < r).all() for i, r in enumerate(radices))
    some = np.array(sorted(data.draw(st.sets(st.integers(0, size - 1), min_size=1))), dtype=np.int64)
    alone = np.stack([composite_digit(slot, some, 0, key, None) for slot in slots], axis=1)
    assert np.array_equal(alone, digits[some])
