"""Data at the edges of the types infer reads (found by a sweep of real tables with their values
pushed there): integers past 2^53 and past the 64-bit integers, and timestamps with fractions
of a second, learnt with and without differential privacy, always give a spec that generates."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

import rulegen
from rulegen.fidelity.infer import infer


def _write(tmp_path, frame: pd.DataFrame):
    frame.to_csv(tmp_path / "t.csv", index=False)
    return tmp_path


@pytest.mark.parametrize("epsilon", [None, 1.0])
def test_integers_past_two_to_the_53(tmp_path, epsilon):
    folder = _write(tmp_path, pd.DataFrame({"x": np.int64(2**62) + np.arange(200) * 2**50}))
    made = rulegen.generate(infer(folder, epsilon=epsilon, seed=0), seed=1)["t"]
    assert len(made) == pytest.approx(200, abs=0 if epsilon is None else 20)
    assert made["x"].between(2**62, 2**62 + 200 * 2**50).mean() > (0.999 if epsilon is None else 0.5)


def test_whole_numbers_past_int64_stay_floats(tmp_path):
    # Read as floats (no 64-bit integer holds them): `round: 0` would write them as integers.
    folder = _write(tmp_path, pd.DataFrame({"x": [10**20 + k * 10**18 for k in range(100)]}))
    text = infer(folder)
    assert "round" not in rulegen.load(text).tables["t"].columns["x"].options
    made = rulegen.generate(text, seed=1)["t"]["x"]
    assert made.between(1e20, 2e20).all()


def test_timestamps_with_milliseconds_under_differential_privacy(tmp_path):
    # (1,000 rows: with fewer, no range stands out of the noise and the column is all null)
    folder = _write(tmp_path, pd.DataFrame({"t": pd.date_range("2000-01-01", periods=1000, freq="1234567ms")}))
    made = rulegen.generate(infer(folder, epsilon=1.0, seed=0), seed=1)["t"]
    assert made["t"].notna().mean() > 0.9


@pytest.mark.parametrize(("offset", "zone"), [(-8, "Etc/GMT+8"), (5.5, "UTC"), (14, "Etc/GMT-14")])
def test_a_parquet_timestamp_at_a_fixed_offset_gets_a_zone_a_spec_knows(tmp_path, offset, zone):
    # A Parquet writer stores the zone as `-08:00`, which is no IANA name: the spec was refused (RG206).
    tz = datetime.timezone(datetime.timedelta(hours=offset))
    pd.DataFrame({"t": pd.date_range("2020-01-01", periods=200, freq="7h", tz=tz)}).to_parquet(tmp_path / "t.parquet")
    text = infer(tmp_path)
    assert rulegen.load(text).tables["t"].columns["t"].options["tz"] == zone
    made = rulegen.generate(text, seed=1)["t"]["t"]
    first = pd.Timestamp("2020-01-01", tz=tz)  # the data's first instant: none is made a day before it
    assert made.min() >= first.floor("D") - pd.Timedelta(days=1)


def test_a_private_integer_range_past_int64_is_clamped(tmp_path):
    # The noise (here --bounds) may stretch an integer range past what 64-bit edges hold (RG276).
    folder = _write(tmp_path, pd.DataFrame({"x": np.arange(1000) * 7}))
    text = infer(folder, epsilon=1.0, seed=0, bounds={"t.x": (0.0, 1e19)})
    made = rulegen.generate(text, seed=1)["t"]["x"]
    assert made.min() >= 0 and len(made) > 900


def test_a_private_date_range_stretched_to_the_year_9999_keeps_no_seasonality():
    # crimea's dates (1854-1856) at epsilon 10, seed 3: the noise took the range to 9999-12-31, and
    # monthly weights over it needed a grid of more days than a kind builds (RG210).
    vega = pytest.importorskip("vega_datasets")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        vega.local_data.crimea()[["date"]].to_csv(Path(folder) / "crimea.csv", index=False)
        text = infer(folder, epsilon=10.0, seed=3)
    assert len(rulegen.generate(text, seed=1)["crimea"]) > 0
