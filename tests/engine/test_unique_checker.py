"""The streaming unique check finds exactly the earliest repeat, however the hashes are sorted."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulegen.engine import unique
from rulegen.engine.random import splitmix64
from rulegen.engine.unique import UniqueChecker


def earliest_repeat(values: list[int], start: int) -> tuple[int, int] | None:
    """The oracle: the repeat whose second occurrence comes first, by a walk over the rows."""
    first: dict[int, int] = {}
    for row, value in enumerate(values):
        if value in first:
            return first[value] + start, row + start
        first[value] = row
    return None


# Blocks of distinct values (a repeat inside a block is reported by add, before finish runs).
blocks = st.lists(st.lists(st.integers(0, 60), min_size=1, max_size=12, unique=True), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(blocks=blocks, start=st.integers(0, 1000), sort_rows=st.sampled_from([1, 3, 1 << 23]))
def test_finish_reports_the_earliest_repeat_across_blocks(blocks, start, sort_rows, monkeypatch_module):
    monkeypatch_module.setattr(unique, "_SORT_ROWS", sort_rows)  # 1 and 3: split into 16 and 2-16 slices
    checker = UniqueChecker(start)
    hashed = [splitmix64(np.array(b, dtype=np.uint64)) for b in blocks]  # spread over all top bits
    assert all(checker.add(h) is None for h in hashed)
    expected = earliest_repeat([v for b in blocks for v in b], start) if len(blocks) > 1 else None
    assert checker.finish() == expected


def test_add_reports_a_repeat_inside_a_block_with_its_rows():
    checker = UniqueChecker(10)
    assert checker.add(np.array([1, 2, 3], dtype=np.uint64)) is None
    assert checker.add(np.array([4, 5, 4], dtype=np.uint64)) == (13, 15)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch
