"""pyarrow.compute imported on first use (rulegen.lazy_compute): nothing is lost by waiting."""

from __future__ import annotations

import subprocess
import sys

_PROGRAM = """
import sys
from rulegen.lazy_compute import defer_compute
defer_compute()
import pyarrow as pa
import pyarrow.compute as pc
import rulegen.api, rulegen.expr.functions, rulegen.kinds  # rulegen's modules read nothing of it
assert "call_function" not in vars(pc), "loaded too early"
assert pa.compute is pc
assert pc.add(1, 2).as_py() == 3 and "call_function" in vars(pc)
from pyarrow.compute import Expression, field
assert isinstance(field("a") > 1, Expression)
table = pa.table({"a": [3, 1, 2]})
assert table.filter(pc.field("a") > 1).num_rows == 2 and table.sort_by("a").column("a").to_pylist() == [1, 2, 3]
import pyarrow.dataset
defer_compute()  # again: nothing happens
assert sys.modules["pyarrow.compute"].add is pc.add
print("ok")
"""


def test_compute_works_once_used():
    done = subprocess.run([sys.executable, "-c", _PROGRAM], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr
