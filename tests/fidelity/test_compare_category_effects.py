"""The parent effect on a categorical child column (Goodman and Kruskal's τ, adjusted like η²):
measured on both sides, in the text and HTML reports and the score; 1 when each parent's
children share one value, near 0 when the parent says nothing of the category."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rulegen.fidelity.compare import compare
from rulegen.fidelity.references import category_effect, parent_effect

PARENTS, CHILDREN = 300, 4
CHANNELS = np.array(["web", "shop", "phone"])


def _orders(seed: int, inherit: bool) -> dict[str, pd.DataFrame]:
    """Customers and their orders; each order's channel is mostly the customer's own when ``inherit``."""
    rng = np.random.default_rng(seed)
    customers = pd.DataFrame({"id": np.arange(1, PARENTS + 1), "age": rng.integers(18, 80, PARENTS)})
    owner = np.repeat(customers["id"].to_numpy(), CHILDREN)
    own = rng.choice(CHANNELS, PARENTS)[owner - 1]
    drawn = rng.choice(CHANNELS, owner.size)
    channel = np.where(rng.random(owner.size) < 0.8, own, drawn) if inherit else drawn
    orders = pd.DataFrame({"customer_id": owner, "channel": channel,
                           "amount": np.round(rng.gamma(2, 20, owner.size), 2)})
    return {"customers": customers, "orders": orders}


def test_a_category_the_parent_sets_is_measured_on_both_sides() -> None:
    real = _orders(1, inherit=True)
    kept = compare(real, _orders(2, inherit=True))
    lost = compare(real, _orders(2, inherit=False))
    channel = {e.column: e for e in kept.relations[0].effects}["channel"]
    assert channel.measure == "category"
    assert channel.real > 0.6 and channel.difference < 0.08
    gone = {e.column: e for e in lost.relations[0].effects}["channel"]
    assert gone.synth < 0.05 and gone.difference > 0.55
    assert {e.column: e for e in kept.relations[0].effects}["amount"].measure == "variance"
    assert lost.association_term < kept.association_term - 0.2


def test_the_reports_show_it() -> None:
    comparison = compare(_orders(1, inherit=True), _orders(2, inherit=True))
    text = comparison.render()
    assert "parent effect of orders.customer_id -> customers.id on channel (share of its Gini variance, " \
           "Goodman-Kruskal tau" in text
    from rulegen.fidelity.report import render_html

    assert "channel (τ) 0." in render_html(comparison)


def test_category_effect_bounds() -> None:
    rng = np.random.default_rng(5)
    groups = np.repeat(np.arange(PARENTS), CHILDREN).astype(object)
    shared = np.repeat(rng.choice(CHANNELS, PARENTS), CHILDREN).astype(object)
    assert category_effect(groups, shared) == pytest.approx(1.0)
    assert category_effect(groups, rng.choice(CHANNELS, groups.size).astype(object)) == pytest.approx(0, abs=0.03)
    # Two values: the η² of the 0/1 column.
    flags = rng.integers(0, 2, groups.size)
    assert category_effect(groups, flags.astype(str).astype(object)) == pytest.approx(
        parent_effect(groups, flags.astype(float)))
    labels = shared.copy()
    labels[::7] = None  # nulls are left out
    assert category_effect(groups, labels) == pytest.approx(1.0)
    assert category_effect(groups, np.full(groups.size, "web", dtype=object)) is None
