"""longest_text reads string lengths from the offsets (no pyarrow.compute): the same answer as
Arrow's kernels, nulls, slices and large strings included."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from rulegen.kinds.base import longest_text


@settings(deadline=None)
@given(st.lists(st.none() | st.text()), st.sampled_from([pa.string(), pa.large_string()]), st.data())
def test_longest_text_is_arrows(values, value_type, data):
    array = pa.array(values, value_type)
    start = data.draw(st.integers(0, len(values)))
    array = array.slice(start, data.draw(st.integers(0, len(values) - start)))
    assert longest_text(array) == int(pc.max(pc.binary_length(array)).as_py() or 0)
