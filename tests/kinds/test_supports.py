"""The supports of the numeric laws, stated without SciPy, are SciPy's own floats."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rulegen.kinds.numeric import DISTRIBUTIONS
from rulegen.kinds.supports import SUPPORTS

_ANY = st.floats(-1e300, 1e300)
_POSITIVE = st.floats(1e-300, 1e300)
_PROBABILITY = st.floats(1e-300, 1.0)
_PARAMS = {
    "uniform": st.fixed_dictionaries({"low": _ANY, "high": _ANY}),
    "normal": st.fixed_dictionaries({"loc": _ANY, "scale": _POSITIVE}),
    "lognormal": st.fixed_dictionaries({"mean": st.floats(-800, 800), "sigma": _POSITIVE}),
    "exponential": st.fixed_dictionaries({"scale": _POSITIVE}),
    "gamma": st.fixed_dictionaries({"shape": _POSITIVE, "scale": _POSITIVE}),
    "beta": st.fixed_dictionaries({"a": _POSITIVE, "b": _POSITIVE}),
    "poisson": st.fixed_dictionaries({"lam": st.floats(0, 1e12)}),
    "geometric": st.fixed_dictionaries({"p": _PROBABILITY}),
    "negative_binomial": st.fixed_dictionaries({"n": _POSITIVE, "p": _PROBABILITY}),
    "zipf": st.fixed_dictionaries({"a": st.floats(1.0001, 100)}),
    "pareto": st.fixed_dictionaries({"a": _POSITIVE}),
    "weibull": st.fixed_dictionaries({"a": _POSITIVE}),
    "triangular": st.fixed_dictionaries({"left": _ANY, "mode": _ANY, "right": _ANY}),
    "laplace": st.fixed_dictionaries({"loc": _ANY, "scale": _POSITIVE}),
    "logistic": st.fixed_dictionaries({"loc": _ANY, "scale": _POSITIVE}),
}


def test_every_law_but_those_given_by_their_ends_has_a_support():
    assert set(SUPPORTS) == set(DISTRIBUTIONS) - {"integers", "binomial"} == set(_PARAMS)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(_PARAMS)).flatmap(lambda name: st.tuples(st.just(name), _PARAMS[name])))
def test_supports_are_scipys(case):
    name, params = case
    assume(DISTRIBUTIONS[name].rule(**params) is None)  # (a spec breaking the rule does not compile)
    ours = SUPPORTS[name](**params)
    with np.errstate(all="ignore"):  # SciPy's own arithmetic on an infinite scale
        scipys = tuple(float(end) for end in DISTRIBUTIONS[name].scipy(**params).support())
    assert all(_same(a, b) for a, b in zip(ours, scipys, strict=True)), (name, params, ours, scipys)
