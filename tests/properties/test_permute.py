"""``permute(rows, size, key)``: a keyed bijection of [0, size), row-addressable, different per key."""

from __future__ import annotations

import numpy as np
from hypothesis import given, note, settings
from hypothesis import strategies as st

from rulegen.engine.unique import permute

KEYS = st.integers(0, 2**64 - 1) | st.sampled_from([0, 1, 2**63, 2**64 - 1])
# Sizes of every magnitude, with the awkward ones (powers of two and just above) drawn often:
# cycle walking works hardest just above a power of two.
SIZES = st.one_of(
    st.integers(1, 1000),
    st.integers(1000, 10**6),
    st.sampled_from([1, 2, 3, 10**6]),
    st.builds(lambda k, d: 2**k + d, st.integers(1, 19), st.sampled_from([-1, 0, 1, 2, 3])),
)


@given(size=SIZES, key=KEYS)
@settings(max_examples=60, deadline=None)
def test_permute_is_a_bijection_of_the_range(size: int, key: int) -> None:
    out = permute(np.arange(size, dtype=np.int64), size, key)
    assert out.shape == (size,)
    assert out.min() >= 0 and out.max() < size, f"values outside [0, {size})"
    assert len(np.unique(out)) == size, "two rows map to the same point"


@given(size=SIZES, key=KEYS, data=st.data())
@settings(max_examples=60, deadline=None)
def test_permute_of_any_rows_is_the_same_as_within_the_whole_range(size: int, key: int, data: st.DataObject) -> None:
    """Row-addressable: a block of rows (any subset, any order) maps as it does in the full range."""
    start = data.draw(st.integers(0, size - 1), label="start")
    stop = data.draw(st.integers(start + 1, min(size, start + 5000)), label="stop")
    rows = np.arange(start, stop, dtype=np.int64)
    scrambled = data.draw(st.permutations(list(range(len(rows)))), label="order") if len(rows) < 50 else None
    full = permute(np.arange(size, dtype=np.int64), size, key) if size <= 2**17 else None
    part = permute(rows, size, key)
    if full is not None:
        assert np.array_equal(part, full[start:stop])
    if scrambled is not None:
        assert np.array_equal(permute(rows[scrambled], size, key), part[scrambled])
    one = data.draw(st.integers(start, stop - 1), label="one row")
    assert permute(np.array([one], dtype=np.int64), size, key)[0] == part[one - start]


@given(size=st.integers(20, 10**5) | st.builds(lambda k: 2**k + 1, st.integers(5, 16)), key=KEYS,
       bit=st.integers(0, 63))
@settings(max_examples=60, deadline=None)
def test_different_keys_give_different_permutations(size: int, key: int, bit: int) -> None:
    """Even keys one bit apart: agreeing on all of [0, size), size >= 20, would be a ~1/20! coincidence."""
    keys = [key, key ^ (1 << bit)]
    rows = np.arange(size, dtype=np.int64)
    a, b = (permute(rows, size, k) for k in keys)
    note(f"agree on {int((a == b).sum())} of {size} rows")
    assert not np.array_equal(a, b), f"keys {keys} give the same permutation of {size}"
    assert (a != b).mean() > 0.5, "keys give nearly the same permutation"
