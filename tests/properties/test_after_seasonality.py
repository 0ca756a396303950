"""Seasonality after an anchor keeps blocks independent (rulegen/kinds/thinning.py): for any block
size, the blocks of a table give the same bytes made in order, in any order, or alone by a fresh
plan, including rows redrawn by a constraint; and every value is after its anchor."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import rulegen
from rulegen.plan.compiler import compile_spec
from tests.properties.strategies import SEEDS

WEIGHTS = st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0]), min_size=7, max_size=7).filter(any)


def _yaml(rows: int, weekly: list[float], scale_days: int, tz: str | None) -> str:
    zone = f"\n        tz: {tz}" if tz else ""
    return f"""
version: 1
tables:
  loans:
    rows: {rows}
    columns:
      joined_at: {{kind: timestamp, min: 2024-01-01, max: 2024-12-31, null: 0.1}}
      loaned_at:
        kind: timestamp
        after: joined_at
        delay: {{kind: exponential, scale: {scale_days}d}}
        seasonality: {{weekly: {weekly}, daily: {{peak: "11:00", amplitude: 0.8}}}}{zone}
      due_on:
        kind: date
        after: loaned_at
        delay: {{kind: integers, low: 10d, high: 20d}}
        seasonality: {{weekly: {{sun: 0}}}}
    constraints:
      - "is_null(loaned_at) or loaned_at <= joined_at + days({2 * scale_days})"
"""


def _batches(yaml: str, seed: int, block_rows: int, blocks: list[int] | None = None) -> list[pa.RecordBatch]:
    plan = compile_spec(rulegen.load(yaml), seed=seed, block_rows=block_rows)
    return list(rulegen.iter_blocks(plan, "loans", blocks=blocks, arrow=True))


@given(rows=st.integers(0, 150), weekly=WEIGHTS, scale_days=st.integers(1, 60),
       tz=st.sampled_from([None, "Europe/Berlin"]), seed=SEEDS, block_rows=st.integers(1, 64), data=st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_blocks_in_any_order_or_alone_give_the_same_bytes(rows: int, weekly: list[float], scale_days: int,
                                                          tz: str | None, seed: int, block_rows: int,
                                                          data: st.DataObject) -> None:
    yaml = _yaml(rows, weekly, scale_days, tz)
    note(yaml)
    in_order = _batches(yaml, seed, block_rows)
    n = len(in_order)
    assert sum(b.num_rows for b in in_order) == rows
    order = data.draw(st.permutations(range(n)), label="block order")
    shuffled = dict(zip(order, _batches(yaml, seed, block_rows, order), strict=True))
    assert all(shuffled[i].equals(in_order[i]) for i in range(n))
    if n:
        block = data.draw(st.integers(0, n - 1), label="block made alone")
        assert _batches(yaml, seed, block_rows, [block])[0].equals(in_order[block])
    if rows:
        table = pa.Table.from_batches(in_order)
        seconds = {name: pc.cast(table[name], pa.int64()) for name in ("loaned_at", "joined_at")}  # both UTC, s
        assert pc.all(pc.greater_equal(seconds["loaned_at"], seconds["joined_at"])).as_py() in (True, None)
        assert table["loaned_at"].null_count == table["joined_at"].null_count
