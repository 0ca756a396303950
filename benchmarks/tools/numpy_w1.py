"""W1 hand-written with NumPy + Arrow: the vectorised ceiling that rulegen is measured against.

* One ``numpy.random.default_rng(seed)`` (PCG64); every column is one vectorised call over all
  N rows at once (no blocks, no per-row Python).
* Names: Faker's en_US lists (``faker.providers.person.en_US.Provider.first_names``, 690 names,
  and ``last_names``, 1,000), sampled with Faker's frequency weights by ``searchsorted`` on the
  cumulative weights; only the lists are imported, no ``Faker`` object is made.
* Email: the name lists are lower-cased once (690 + 1,000 strings), the row's lower-case names
  are ``take``-n from them, and ``pyarrow.compute.binary_join_element_wise`` joins them with the
  id cast to string.
* Dates and timestamps are uniform integer days / seconds viewed as ``date32`` /
  ``timestamp[s]``; country by ``searchsorted`` on the 20 cumulative weights; balance
  ``np.round(rng.lognormal(7, 1.2), 2)``; is_active ``rng.random(n) < 0.8``.
* Written with ``pyarrow.parquet.write_table`` with pyarrow's default compression (snappy), which
  is what rulegen's Parquet writer uses.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from benchmarks.tools import common

NAME = "numpy+arrow"
FORMAT = "parquet"

_EPOCH = datetime.date(1970, 1, 1)


def load() -> None:
    import numpy  # noqa: F401
    import pyarrow
    import pyarrow.compute
    import pyarrow.parquet  # noqa: F401
    from faker.providers.person.en_US import Provider  # noqa: F401


def _pool(weighted: dict[str, float]) -> tuple[Any, Any, Any]:
    """(names, lower-cased names, cumulative probabilities) of one Faker name list."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    names = pa.array(list(weighted))
    cumulative = np.cumsum(np.fromiter(weighted.values(), dtype=np.float64))
    return names, pc.utf8_lower(names), cumulative / cumulative[-1]


def setup(n: int, seed: int = common.SEED) -> dict[str, Any]:
    import numpy as np
    from faker.providers.person.en_US import Provider

    weights = np.array(list(common.COUNTRY_WEIGHTS.values()))
    return {
        "first": _pool(Provider.first_names),
        "last": _pool(Provider.last_names),
        "countries": common.COUNTRIES,
        "country_cum": np.cumsum(weights) / weights.sum(),
    }


def generate(n: int, seed: int = common.SEED, state: dict[str, Any] | None = None) -> Any:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    state = state if state is not None else setup(n, seed)
    rng = np.random.default_rng(seed)
    first_names, first_lower, first_cum = state["first"]
    last_names, last_lower, last_cum = state["last"]
    first_idx = pa.array(np.searchsorted(first_cum, rng.random(n), side="right").clip(0, len(first_cum) - 1))
    last_idx = pa.array(np.searchsorted(last_cum, rng.random(n), side="right").clip(0, len(last_cum) - 1))
    ids = pa.array(np.arange(1, n + 1, dtype=np.int64))
    email = pc.binary_join_element_wise(
        first_lower.take(first_idx), ".", last_lower.take(last_idx), pc.cast(ids, pa.string()),
        "@example.com", "",
    )
    b0 = (common.BIRTH_MIN - _EPOCH).days
    b1 = (common.BIRTH_MAX - _EPOCH).days
    s0 = int((common.SIGNUP_MIN - datetime.datetime(1970, 1, 1)).total_seconds())
    s1 = int((common.SIGNUP_MAX - datetime.datetime(1970, 1, 1)).total_seconds())
    birth = rng.integers(b0, b1, size=n, endpoint=True).astype(np.int32)
    signup = rng.integers(s0, s1, size=n, endpoint=True)
    country_idx = np.searchsorted(state["country_cum"], rng.random(n), side="right").clip(0, 19)
    return pa.table({
        "id": ids,
        "first_name": first_names.take(first_idx),
        "last_name": last_names.take(last_idx),
        "email": email,
        "birthdate": pa.array(birth).view(pa.date32()),
        "signup_ts": pa.array(signup).view(pa.timestamp("s")),
        "country": pa.array(state["countries"]).take(pa.array(country_idx)),
        "balance": np.round(rng.lognormal(common.BALANCE_MU, common.BALANCE_SIGMA, size=n), 2),
        "is_active": rng.random(n) < common.ACTIVE_P,
    })


def write(table: Any, out_dir: Path) -> Path:
    import pyarrow.parquet as pq

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "customers.parquet"
    pq.write_table(table, path)
    return path


if __name__ == "__main__":
    common.main("benchmarks.tools.numpy_w1")
