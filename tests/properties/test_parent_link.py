"""ParentLink.parent_rows: the fast path for whole blocks equals a search per row."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rulegen.plan.plan import ParentLink


@given(st.lists(st.integers(0, 4), min_size=1, max_size=60), st.data())
def test_parents_of_consecutive_rows_equal_a_search_per_row(counts: list[int], data: st.DataObject) -> None:
    ends = np.cumsum(np.array(counts, dtype=np.int64))
    total = int(ends[-1])
    if total == 0:
        return
    low = data.draw(st.integers(0, total - 1))
    high = data.draw(st.integers(low + 1, total))
    rows = np.arange(low, high, dtype=np.int64)
    assert (ParentLink("p", ends).parent_rows(rows) == np.searchsorted(ends, rows, side="right")).all()
