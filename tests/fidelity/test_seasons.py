"""Numbers that follow the season: a planted monthly cycle is found and reproduced month by
month; a number without one is left as it was."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rulegen
from rulegen.fidelity.infer import infer
from rulegen.fidelity.parent_effects import parent_effect
from rulegen.spec.loader import load_document


@pytest.fixture(scope="module")
def weather(tmp_path_factory):
    rng = np.random.default_rng(13)
    days = pd.date_range("2015-01-01", "2019-12-31", freq="D")
    month = days.month.to_numpy()
    frame = pd.DataFrame({
        "day": days.date,
        "temperature": np.round(10 - 8 * np.cos(2 * np.pi * (month - 1) / 12) + rng.normal(0, 3, len(days)), 1),
        "wind": np.round(rng.gamma(3, 1.5, len(days)), 1),  # no season
    })
    path = tmp_path_factory.mktemp("weather") / "weather.csv"
    frame.to_csv(path, index=False)
    text = infer(path)
    return frame, text, load_document(text)[0]["tables"]["weather"]["columns"]


def test_the_season_is_found_and_not_invented(weather):
    _, _, columns = weather
    assert columns["temperature"]["kind"] == "expr" and "temperature_season" in columns["temperature"]["expr"]
    assert "month(day)" in columns["temperature_season"]["expr"]
    assert columns["wind"]["kind"] != "expr" and "wind_season" not in columns


@pytest.mark.parametrize("seed", [1, 2])
def test_the_season_is_reproduced(weather, seed):
    real, text, _ = weather
    made = rulegen.generate(text, seed=seed)["weather"]

    def by_month(frame: pd.DataFrame, column: str) -> np.ndarray:
        return frame.groupby(pd.to_datetime(frame["day"]).dt.month)[column].mean().to_numpy()
    assert np.abs(by_month(made, "temperature") - by_month(real, "temperature")).max() < 1.0
    assert made["temperature"].std() == pytest.approx(real["temperature"].std(), rel=0.05)
    # no season where the data has none: the month explains no more of the wind than chance
    share, p, _, _ = parent_effect(made["wind"].to_numpy(), pd.to_datetime(made["day"]).dt.month.to_numpy())
    assert share < 0.01 and p > 1e-4
