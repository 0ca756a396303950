"""ParentLink: parents found a parent block at a time equal a search over every parent's end."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rulegen.plan.plan import ParentLink


def _link(counts: np.ndarray, block_rows: int) -> ParentLink:
    """A link whose counts are given, drawn by parent block as the engine draws them."""
    blocks = -(-len(counts) // block_rows)
    prefix = np.zeros(blocks + 1, dtype=np.int64)
    for b in range(blocks):
        prefix[b + 1] = prefix[b] + counts[b * block_rows:(b + 1) * block_rows].sum()
    return ParentLink("p", len(counts), counts=lambda b: counts[b * block_rows:(b + 1) * block_rows],
                      prefix=prefix, most=int(counts.max()), block_rows=block_rows)


@given(st.lists(st.integers(0, 4), min_size=1, max_size=60), st.integers(1, 8), st.data())
def test_parents_of_consecutive_rows_equal_a_search_per_row(counts: list[int], block_rows: int,
                                                            data: st.DataObject) -> None:
    array = np.array(counts, dtype=np.int64)
    ends = np.cumsum(array)
    total = int(ends[-1])
    if total == 0:
        return
    low = data.draw(st.integers(0, total - 1))
    high = data.draw(st.integers(low + 1, total))
    rows = np.arange(low, high, dtype=np.int64)
    link = _link(array, block_rows)
    assert link.total == total
    assert (link.parent_rows(rows) == np.searchsorted(ends, rows, side="right")).all()
    picked = np.array(sorted(data.draw(st.sets(st.integers(0, total - 1), min_size=1))), dtype=np.int64)
    assert (link.parent_rows(picked) == np.searchsorted(ends, picked, side="right")).all()


@given(st.lists(st.integers(0, 4), min_size=1, max_size=60), st.integers(1, 8), st.data())
def test_first_child_is_the_end_of_the_previous_parent(counts: list[int], block_rows: int,
                                                       data: st.DataObject) -> None:
    array = np.array(counts, dtype=np.int64)
    ends = np.cumsum(array)
    parents = np.array(data.draw(st.lists(st.integers(0, len(counts) - 1), min_size=1)), dtype=np.int64)
    expected = np.where(parents > 0, ends[np.maximum(parents - 1, 0)], 0)
    assert (_link(array, block_rows).first_child(parents) == expected).all()


@given(st.integers(0, 5), st.integers(0, 50), st.data())
def test_a_fixed_count_needs_no_counts(count: int, parents: int, data: st.DataObject) -> None:
    link = ParentLink("p", parents, count=count)
    ends = np.arange(1, parents + 1, dtype=np.int64) * count
    assert link.total == count * parents
    if link.total:
        rows = np.arange(data.draw(st.integers(0, link.total - 1)), link.total, dtype=np.int64)
        assert (link.parent_rows(rows) == np.searchsorted(ends, rows, side="right")).all()
