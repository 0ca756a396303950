"""Values seeded into MariaDB read back as rulegen made them, type by type: integers, doubles
to the last bit, rounded decimals, booleans, dates, timestamps to the microsecond (a zoned one as
its UTC instant), durations as seconds, UUIDs, text, and nulls of every type; through
``LOAD DATA`` and through the multi-row ``INSERT``s used where the server refuses local files."""

from __future__ import annotations

import datetime
import decimal
import math

import pandas as pd
import pytest

import rulegen
from tests.mysql.test_seed import query

SPEC = """
version: 1
seed: 5
tables:
  v:
    rows: 300
    primary_key: id
    columns:
      id: {kind: sequence}
      small: {kind: integers, low: -100, high: 100, null: 0.2}
      big: {kind: integers, low: -9000000000000000000, high: 9000000000000000000}
      real: {kind: normal, loc: 0, scale: 1e6, null: 0.2}
      money: {kind: uniform, low: -5000, high: 5000, round: 2}
      flag: {kind: bool, p: 0.5, null: 0.2}
      day: {kind: date, min: 1900-01-01, max: 2199-12-31, null: 0.2}
      at: {kind: timestamp, min: 1970-01-01, max: 2100-01-01, precision: us}
      zoned: {kind: timestamp, min: 2020-01-01, max: 2030-01-01, tz: Asia/Kolkata, null: 0.2}
      later: {kind: timestamp, after: at, delay: {kind: exponential, scale: 30d}}
      wait: {kind: expr, expr: "later - at"}
      id2: {kind: uuid}
      word: {kind: faker, provider: word, null: 0.3}
"""


def _expected() -> list[tuple]:
    frame = rulegen.generate(SPEC)["v"]
    rows = []
    for row in frame.itertuples(index=False):
        values = []
        for name, value in zip(frame.columns, row, strict=True):
            if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
                values.append(None)
            elif name == "zoned":  # stored as the UTC instant, read back without a zone
                values.append(value.tz_convert("UTC").tz_localize(None).to_pydatetime())
            elif name in ("at", "later"):
                values.append(value.to_pydatetime())
            elif name == "wait":
                values.append(value.total_seconds())
            elif name == "money":
                values.append(decimal.Decimal(f"{value:.2f}"))
            elif name == "flag":
                values.append(int(value))
            elif name == "day":
                values.append(value if isinstance(value, datetime.date) else value.date())
            else:
                values.append(value.item() if hasattr(value, "item") else value)
        rows.append(tuple(values))
    return rows


def _same(found: object, wanted: object) -> bool:
    if isinstance(wanted, float) and isinstance(found, float | int | decimal.Decimal):
        return math.isclose(float(found), wanted, rel_tol=0, abs_tol=0) or float(found) == wanted
    return found == wanted


@pytest.mark.parametrize("local_files", [True, False])
def test_every_type_reads_back_as_made(mysql_database: str, local_files: bool) -> None:
    if not local_files:
        query(mysql_database, "SET GLOBAL local_infile = 0")
    try:
        rulegen.seed_database(SPEC, mysql_database)
    finally:
        query(mysql_database, "SET GLOBAL local_infile = 1")
    found = query(mysql_database, "SELECT * FROM v ORDER BY id")
    expected = _expected()
    assert len(found) == len(expected) == 300
    for got, wanted in zip(found, expected, strict=True):
        assert all(_same(g, w) for g, w in zip(got, wanted, strict=True)), (got, wanted)
