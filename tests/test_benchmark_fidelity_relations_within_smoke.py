"""Smoke test of ``benchmarks/fidelity_relations.py`` on modechoice: rulegen keeps the share of
each child column the traveller explains, the wait that the travel mode sets (below chance) and
the one chosen mode per traveller (τ 0) included."""

from __future__ import annotations

import pytest

from benchmarks import fidelity_relations as bench


def test_rulegen_keeps_modechoice_parent_effects():
    pytest.importorskip("statsmodels")
    real, relation = bench.modechoice()
    made = bench.fit_rulegen(real, relation)(1)
    real_effects, effects = bench.parent_effects(real, relation), bench.parent_effects(made, relation)
    assert {"ttme", "choice (τ)", "mode (τ)"} <= real_effects.keys()
    assert real_effects["choice (τ)"] == pytest.approx(0.0, abs=1e-9)
    assert max(abs(effects[c] - real_effects[c]) for c in real_effects) < 0.1
