"""`histogram`: a piecewise-uniform law whose CDF is linear inside each bin."""

import numpy as np
import pytest

from rulegen.errors import SpecError
from tests.stats._stats import ALPHA, chi2_p, column, ks_p

EDGES = [0.0, 10.0, 50.0, 100.0]
WEIGHTS = [5.0, 3.0, 2.0]


def histogram_cdf(edges, weights):
    edges, weights = np.asarray(edges, float), np.asarray(weights, float)
    cumulative = np.concatenate([[0.0], np.cumsum(weights) / weights.sum()])
    return lambda x: np.interp(x, edges, cumulative)


def test_continuous_histogram_follows_its_piecewise_linear_cdf():
    values = column({"kind": "histogram", "edges": EDGES, "weights": WEIGHTS}, 40_000, 1301)
    assert values.between(0, 100).all()
    assert ks_p(values, histogram_cdf(EDGES, WEIGHTS)) >= ALPHA


def test_wrong_weights_are_rejected():  # the KS test above can fail
    values = column({"kind": "histogram", "edges": EDGES, "weights": WEIGHTS}, 40_000, 1301)
    assert ks_p(values, histogram_cdf(EDGES, [2.0, 3.0, 5.0])) < ALPHA


def test_integer_histogram_gives_each_bin_its_integers():
    values = column({"kind": "histogram", "edges": [0, 10, 20], "weights": [3, 1], "integer": True}, 40_000, 1302)
    assert values.dtype == "int64" and values.min() == 0 and values.max() == 19
    def cdf(k):
        k = np.floor(np.asarray(k, float))
        return np.clip(np.where(k < 10, 0.75 * (k + 1) / 10, 0.75 + 0.25 * (k - 9) / 10), 0, 1)

    assert chi2_p(values, cdf, lo=0) >= ALPHA


def test_zero_weight_bins_are_never_drawn():
    values = column({"kind": "histogram", "edges": [0, 1, 2, 3], "weights": [1, 0, 1]}, 10_000, 1303)
    assert not values.between(1, 2, inclusive="left").any()


@pytest.mark.parametrize(("edges", "weights"), [([0, 1, 2], [1]), ([0, 2, 1], [1, 1]), ([0, 1], [0])])
def test_inconsistent_histograms_are_spec_errors(edges, weights):
    with pytest.raises(SpecError) as info:
        column({"kind": "histogram", "edges": edges, "weights": weights}, 10, 1)
    assert info.value.diagnostics[0].code == "RG210"
