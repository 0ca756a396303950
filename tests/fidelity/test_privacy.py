"""The privacy check of `rulegen compare`: copies judged against the real data's own repeats,
distances to the closest record against the real-to-real ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rulegen.fidelity.compare import compare
from rulegen.fidelity.privacy import CLOSE_SHARE

N = 4000


def _numbers(seed: int, n: int = N) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(0, 1, n), "b": rng.gamma(2.0, 1.0, n), "c": rng.uniform(0, 10, n)})


def _categories(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"size": rng.choice(["s", "m", "l"], N), "colour": rng.choice(["red", "blue"], N),
                         "grade": rng.integers(1, 4, N)})


def _privacy(real: pd.DataFrame, synth: pd.DataFrame):
    return compare(real, synth).tables[0].privacy


def test_rows_that_repeat_in_the_real_data_too_are_not_copies():
    """18 possible rows: a fresh sample repeats real rows all the time, as real rows do."""
    privacy = _privacy(_categories(1), _categories(2))
    assert privacy.copies > 0.99 and privacy.copies_baseline > 0.99
    assert privacy.ok, privacy.problems


def test_copies_beyond_the_real_rate_of_repeats_fail():
    real = _numbers(1)
    synth = _numbers(2)
    synth.iloc[: N // 10] = real.iloc[: N // 10].to_numpy()  # 10 % of rows copied
    privacy = _privacy(real, synth)
    assert privacy.copies == pytest.approx(0.1)
    assert privacy.copies_baseline == 0.0
    assert not privacy.ok and "copy a real row" in privacy.problems[0]


def test_a_fresh_sample_is_no_closer_than_real_rows_are_to_each_other():
    privacy = _privacy(_numbers(1), _numbers(2))
    assert privacy.ok, privacy.problems
    assert privacy.close == pytest.approx(CLOSE_SHARE, abs=0.02)
    assert privacy.dcr_median == pytest.approx(privacy.baseline_median, rel=0.15)


def test_a_few_near_copies_fail_even_when_the_5th_percentile_passes():
    n = 10_000
    real, synth = _numbers(1, n), _numbers(2, n)
    rng = np.random.default_rng(9)
    # 8 % of rows hug a real row, half of them one of the reference half: under the 5th percentile's reach.
    near = rng.choice(n, n * 8 // 100, replace=False)
    synth.iloc[near] = real.iloc[near].to_numpy() + rng.normal(0, 1e-4, (near.size, 3))
    privacy = _privacy(real, synth)
    assert privacy.copies == 0.0
    assert privacy.dcr_p05 >= 0.5 * privacy.baseline_p05  # the old criterion alone would pass
    assert not privacy.ok
    assert "closer to a real row than 95% of real rows" in privacy.problems[-1]
