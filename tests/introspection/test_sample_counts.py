"""Children per parent: a fitted integer family, or the mean and variance when none fits."""

from __future__ import annotations

import numpy as np
import pytest

from rulegen.introspection.counts import fit_children
from rulegen.introspection.tables import fit_count


def _histogram(counts: np.ndarray) -> dict[int, int]:
    keys, numbers = np.unique(counts, return_counts=True)
    return {int(k): int(n) for k, n in zip(keys, numbers, strict=True)}


def test_a_skewed_count_keeps_its_mean():
    # 1 to 25 lines per order, 2.6 on average: a uniform 1..25 would make five times the rows.
    counts = 1 + np.random.default_rng(3).poisson(1.6, 800)
    counts[:3] = 25
    law, note = fit_children(_histogram(counts), fit_count)
    assert law["kind"] in ("poisson", "negative_binomial", "binomial", "geometric")
    mean = law["lam"] + law.get("shift", 0) if law["kind"] == "poisson" else None
    assert mean is None or mean == pytest.approx(counts.mean(), rel=0.1)
    assert "fitted" in note


def test_no_family_fits_then_the_moments():
    histogram = {1: 100, 50: 100}  # two spikes: no integer family
    law, note = fit_children(histogram, fit_count)
    assert law == fit_count(histogram) and "mean and variance" in note


@pytest.mark.parametrize(("histogram", "law"), [({0: 30, 1: 70}, {"kind": "binomial", "n": 1, "p": 0.7}),
                                                ({3: 50}, {"count": 3})])
def test_simple_counts(histogram, law):
    assert fit_children(histogram, fit_count)[0] == law
