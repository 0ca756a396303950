"""Parquet row-group statistics (rulegen/io/parquet.py): kept where a reader can skip row groups
by them (numbers, dates, times, booleans), left out on text, and the same whoever encodes a block."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

import rulegen

SPEC = """
version: 1
seed: 5
tables:
  events:
    rows: 1000
    primary_key: id
    columns:
      id:    {kind: sequence, start: 1}
      day:   {kind: date, min: 2024-01-01, max: 2024-12-31}
      at:    {kind: timestamp, min: 2024-01-01, max: 2024-12-31}
      score: {kind: normal, loc: 0, scale: 1, null: 0.1}
      ok:    {kind: bool}
      kind:  {kind: choice, values: [a, b, c]}
      code:  {kind: pattern, pattern: "[A-Z]{3}-[0-9]{4}"}
"""


def test_statistics_on_every_column_but_text(tmp_path: Path) -> None:
    path = rulegen.write(SPEC, tmp_path, "parquet")["events"]
    group = pq.ParquetFile(path).metadata.row_group(0)
    kept = {group.column(i).path_in_schema for i in range(group.num_columns) if group.column(i).is_stats_set}
    assert kept == {"id", "day", "at", "score", "ok"}
    assert group.column(3).statistics.null_count > 0  # score's nulls are counted


def test_readers_filter_on_what_has_statistics_and_on_text(tmp_path: Path) -> None:
    path = rulegen.write(SPEC, tmp_path, "parquet")["events"]
    table = pq.read_table(path)
    assert pq.read_table(path, filters=[("id", "=", 1000)]).num_rows == 1
    expected = sum(1 for value in table.column("kind").to_pylist() if value == "b")
    assert pq.read_table(path, filters=[("kind", "=", "b")]).num_rows == expected
    assert duckdb.sql(f"select count(*) from '{path}' where kind = 'b'").fetchall() == [(expected,)]
