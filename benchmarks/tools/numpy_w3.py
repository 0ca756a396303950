"""W3 (20 numeric columns) hand-written with NumPy + Arrow: the ceiling for rulegen's engine.

* One ``numpy.random.default_rng(seed)`` (PCG64); each kind of column is one vectorised call
  over all N rows at once: ``standard_normal((10, n))`` and ``integers(0, 1_000_000, (5, n))``,
  whose rows are handed to Arrow without a copy; each categorical is ``searchsorted`` of
  ``random(n)`` on the 20 cumulative Zipf weights, then ``take`` from the 20 level strings.
* The arrays are the ones rulegen makes (``double``, ``int64``, ``string``), in one
  ``pyarrow.Table``; written with ``pyarrow.parquet.write_table``, snappy, the categoricals
  dictionary-encoded (``use_dictionary``), as rulegen's Parquet writer does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tools import common

NAME = "numpy"
FORMAT = "parquet"


def load() -> None:
    import numpy  # noqa: F401
    import pyarrow
    import pyarrow.parquet  # noqa: F401


def setup(n: int, seed: int = common.SEED) -> dict[str, Any]:
    import numpy as np
    import pyarrow as pa

    weights = np.array(common.W3_WEIGHTS)
    return {"levels": pa.array(common.W3_LEVELS), "cum": np.cumsum(weights) / weights.sum()}


def generate(n: int, seed: int = common.SEED, state: dict[str, Any] | None = None) -> Any:
    import numpy as np
    import pyarrow as pa

    state = state if state is not None else setup(n, seed)
    rng = np.random.default_rng(seed)
    floats = rng.standard_normal((len(common.W3_FLOATS), n))
    ints = rng.integers(0, common.W3_INT_HIGH, size=(len(common.W3_INTS), n))
    columns: dict[str, Any] = dict(zip(common.W3_FLOATS, floats, strict=True))
    columns.update(zip(common.W3_INTS, ints, strict=True))
    levels, cum, top = state["levels"], state["cum"], len(common.W3_LEVELS) - 1
    for name in common.W3_CATEGORICALS:
        codes = np.searchsorted(cum, rng.random(n), side="right").clip(0, top)
        columns[name] = levels.take(pa.array(codes))
    return pa.table(columns)


def write(table: Any, out_dir: Path) -> Path:
    import pyarrow.parquet as pq

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "numeric.parquet"
    pq.write_table(table, path, use_dictionary=list(common.W3_CATEGORICALS))
    return path


if __name__ == "__main__":
    common.main("benchmarks.tools.numpy_w3")
