"""Stratified counts per parent row: one uniform in each stratum, the same for any block size,
and counts within 1/n of their law where independent draws stray by 0.12 at n = 51."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hs

import rulegen
from rulegen.engine.strata import stratified_uniforms
from rulegen.plan.compiler import compile_spec

SPEC = """
version: 1
seed: {seed}
tables:
  states:
    rows: {parents}
    primary_key: id
    columns:
      id: {{kind: sequence}}
  airports:
    rows: {{per: states, kind: negative_binomial, n: 1.8, p: 0.027{stratified}}}
    columns:
      state: {{kind: ref, to: states.id}}
"""


@pytest.mark.parametrize("parents", [1, 2, 51, 1_000, 65_537])
def test_one_uniform_in_each_stratum(parents):
    u = stratified_uniforms(7, "airports", np.arange(parents), parents)
    assert ((u > 0) & (u < 1)).all()
    assert np.array_equal(np.sort(np.floor(u * parents).astype(np.int64)), np.arange(parents))


@settings(max_examples=60, deadline=None)
@given(seed=hs.integers(0, 2**63), parents=hs.integers(1, 5_000), cut=hs.integers(0, 5_000))
def test_any_split_of_the_parent_rows_gets_one_uniform_per_stratum(seed, parents, cut):
    cut = min(cut, parents)
    u = np.concatenate([stratified_uniforms(seed, "t", np.arange(0, cut), parents),
                        stratified_uniforms(seed, "t", np.arange(cut, parents), parents)])
    assert ((u > 0) & (u < 1)).all()
    assert np.array_equal(np.sort(np.floor(u * parents).astype(np.int64)), np.arange(parents))


def test_uniforms_are_a_function_of_the_row_alone():
    whole = stratified_uniforms(3, "t", np.arange(500), 500)
    cuts = [(0, 7), (7, 300), (300, 500)]
    pieces = np.concatenate([stratified_uniforms(3, "t", np.arange(a, b), 500) for a, b in cuts])
    assert np.array_equal(whole, pieces)
    assert not np.array_equal(whole, stratified_uniforms(4, "t", np.arange(500), 500))
    assert not np.array_equal(whole, stratified_uniforms(3, "u", np.arange(500), 500))


def _counts(parents: int, seed: int, *, stratified: bool, block_rows: int = 65_536) -> np.ndarray:
    text = SPEC.format(seed=seed, parents=parents, stratified=", stratified: true" if stratified else "")
    plan = compile_spec(rulegen.load(text), block_rows=block_rows)
    states = pa.Table.from_batches(list(rulegen.iter_blocks(plan, "airports", arrow=True)))["state"].to_numpy()
    return np.bincount(states - 1, minlength=parents)


def _ks(counts: np.ndarray) -> float:
    """The KS distance between the counts and the law: both CDFs step at whole numbers."""
    k = np.arange(counts.max() + 1)
    return float(np.abs(np.searchsorted(np.sort(counts), k, side="right") / len(counts)
                        - st.nbinom(1.8, 0.027).cdf(k)).max())


def test_stratified_counts_follow_their_law_at_51_parents():
    stratified = [_ks(_counts(51, seed, stratified=True)) for seed in range(1, 11)]
    drawn = [_ks(_counts(51, seed, stratified=False)) for seed in range(1, 11)]
    # One uniform in each of the n strata: the share of counts <= k is within 1/n of the law's.
    assert max(stratified) <= 1 / 51 + 1e-9
    assert np.mean(drawn) > 0.08  # independent draws: about 0.87 / sqrt(51)


def test_stratified_counts_do_not_depend_on_the_block_size():
    assert np.array_equal(_counts(300, 5, stratified=True), _counts(300, 5, stratified=True, block_rows=64))


def test_a_law_whose_mean_reads_the_parent_row_may_be_stratified():
    text = """
version: 1
seed: 4
tables:
  members:
    rows: 400
    primary_key: id
    columns:
      id:   {kind: sequence}
      tier: {kind: choice, values: {basic: 3, premium: 1}}
  loans:
    rows: {per: members, kind: poisson, lam: "if(tier == 'premium', 8, 2)", stratified: %s}
    columns:
      member: {kind: ref, to: members.id}
"""
    stratified, drawn = (rulegen.generate(text % flag) for flag in ("true", "false"))
    assert stratified["loans"].equals(rulegen.generate(text % "true")["loans"])
    counts = stratified["loans"]["member"].value_counts().reindex(stratified["members"]["id"], fill_value=0)
    premium = (stratified["members"]["tier"] == "premium").to_numpy()
    # Each parent keeps its own mean: premium members borrow about four times as much.
    assert counts[premium].mean() == pytest.approx(8, rel=0.15)
    assert counts[~premium].mean() == pytest.approx(2, rel=0.15)
    assert not stratified["loans"].equals(drawn["loans"])
