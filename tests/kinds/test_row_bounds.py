"""``min`` and ``max`` of dates and timestamps as expressions over the row (rulegen/kinds/bounds.py):
every value lies between its own row's bounds, read as literal bounds are (a date ``max`` of a
timestamp is the end of that day), a null bound gives a null, a zoned bound gives its zone, the
values are uniform between the bounds, and a row whose ``min`` is after its ``max`` stops the run
naming it. Blocks stay independent (same bytes for any block order or worker count)."""

from __future__ import annotations

import pandas as pd
import pytest
import scipy.stats as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst

import rulegen
from rulegen.engine.stream import stream_table
from rulegen.errors import GenerationError
from rulegen.plan.compiler import compile_spec
from tests.properties.test_determinism import assert_same_batches
from tests.stats._stats import ALPHA

SPEC = """
version: 1
tables:
  members:
    rows: {rows}
    columns:
      joined_on: {{kind: date, min: 2024-01-01, max: 2024-06-30, null: 0.1}}
      seen_at:   {{kind: timestamp, min: 2024-01-01, max: 2024-06-30, tz: Europe/Berlin}}
{columns}
"""


def _generate(columns: str, rows: int = 3000, seed: int = 7) -> pd.DataFrame:
    return rulegen.generate(SPEC.format(rows=rows, columns=columns), seed=seed)["members"]


def test_dates_lie_between_their_rows_bounds_and_a_null_bound_gives_a_null() -> None:
    frame = _generate('      left_on: {kind: date, min: joined_on, max: "joined_on + days(30)"}')
    joined, left = pd.to_datetime(frame.joined_on), pd.to_datetime(frame.left_on)
    assert left.isna().eq(joined.isna()).all() and joined.isna().sum() > 0
    days = (left - joined).dt.days.dropna()
    assert days.between(0, 30).all()
    # Uniform over the 31 days, both ends included (and not uniform over 30 of them).
    counts = days.value_counts().reindex(range(31), fill_value=0).to_numpy()
    assert st.chisquare(counts).pvalue > ALPHA and counts[0] > 0 and counts[30] > 0


def test_a_date_max_of_a_timestamp_is_the_end_of_that_day() -> None:
    frame = _generate("      visit_at: {kind: timestamp, min: joined_on, max: joined_on}").dropna()
    assert (frame.visit_at.dt.normalize() == pd.to_datetime(frame.joined_on)).all()
    assert frame.visit_at.dt.hour.nunique() == 24  # the whole day, not its midnight


def test_timestamps_between_zoned_instants_keep_their_zone_and_literal_bounds_mix() -> None:
    frame = _generate('      reply_at: {kind: timestamp, min: seen_at, max: "seen_at + hours(2)", precision: ms}\n'
                      "      first_at: {kind: timestamp, min: 2023-01-01, max: seen_at}\n"
                      "      card_on:  {kind: date, min: seen_at, max: \"date('2024-12-31')\"}")
    assert str(frame.reply_at.dt.tz) == "Europe/Berlin" and str(frame.first_at.dt.tz) == "Europe/Berlin"
    assert ((frame.reply_at >= frame.seen_at) & (frame.reply_at <= frame.seen_at + pd.Timedelta(hours=2))).all()
    assert (frame.reply_at.dt.microsecond % 1000 == 0).all() and frame.reply_at.dt.microsecond.nunique() > 1
    assert (frame.first_at >= pd.Timestamp("2023-01-01", tz="Europe/Berlin")).all()
    assert (frame.first_at <= frame.seen_at).all()
    card = pd.to_datetime(frame.card_on)
    assert (card >= frame.seen_at.dt.tz_localize(None).dt.normalize()).all()  # the day of a local instant
    assert card.max() == pd.Timestamp("2024-12-31")


def test_a_row_whose_min_is_after_its_max_stops_the_run_naming_it() -> None:
    with pytest.raises(GenerationError) as raised:
        _generate('      left_on: {kind: date, min: joined_on, max: "joined_on - days(1)"}', rows=50)
    (problem,) = raised.value.diagnostics
    assert problem.code == "RG335" and problem.pointer.endswith("/left_on/min")
    assert problem.message.startswith("row 0: `min` (") and "is after `max`" in problem.message


def test_written_files_pass_check(tmp_path) -> None:
    text = SPEC.format(rows=500, columns='      left_on: {kind: date, min: joined_on, max: "joined_on + days(30)"}')
    (tmp_path / "spec.yaml").write_text(text, encoding="utf-8")
    rulegen.write(tmp_path / "spec.yaml", tmp_path / "out", "csv", seed=3)
    report = rulegen.check(tmp_path / "spec.yaml", tmp_path / "out")
    assert report.ok, report.render()


BOUNDED = ('      left_on:  {kind: date, min: joined_on, max: "joined_on + days(40)"}\n'
           '      reply_at: {kind: timestamp, min: seen_at, max: "seen_at + minutes(90)", precision: us}\n'
           "      first_on: {kind: timestamp, min: 2023-06-01, max: joined_on, precision: day}")


@given(rows=hst.integers(1, 200), block_rows=hst.integers(1, 64), seed=hst.integers(0, 2**32), data=hst.data())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_bounds_per_row_keep_blocks_independent(rows: int, block_rows: int, seed: int, data: hst.DataObject) -> None:
    spec = rulegen.load(SPEC.format(rows=rows, columns=BOUNDED))
    plan = compile_spec(spec, seed=seed, block_rows=block_rows)
    in_order = list(rulegen.iter_blocks(plan, "members", arrow=True))
    order = data.draw(hst.permutations(range(len(in_order))), label="block order")
    shuffled = dict(zip(order, rulegen.iter_blocks(plan, "members", blocks=order, arrow=True), strict=True))
    assert_same_batches([shuffled[i] for i in range(len(in_order))], in_order, f"blocks in order {order}")


def test_bounds_per_row_give_the_same_batches_on_two_workers() -> None:
    plan = compile_spec(rulegen.load(SPEC.format(rows=3000, columns=BOUNDED)), seed=5, block_rows=256)
    table = plan.tables["members"]
    assert_same_batches(list(stream_table(table, 5, workers=2)), list(stream_table(table, 5, workers=1)),
                        "workers=2 vs workers=1")
