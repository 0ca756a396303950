"""Children of large parents read the parent rows they need, not whole parent columns."""

from __future__ import annotations

import pyarrow as pa
import pytest

import rulegen
from rulegen.kinds import relational
from rulegen.plan.compiler import compile_spec
from tests.conftest import ROOT

SHOP = ROOT / "schemas" / "shop.yaml"


def tables(plan) -> dict[str, pa.Table]:
    return {name: pa.Table.from_batches(list(rulegen.iter_blocks(plan, name, arrow=True)), plan.tables[name].schema)
            for name in plan.tables}


def test_large_parents_give_the_same_data_without_whole_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = rulegen.load(SHOP)
    expected = tables(compile_spec(spec, scale=0.1, block_rows=200))
    monkeypatch.setattr(relational, "IN_MEMORY_ROWS", 100)  # every parent counts as large
    plan = compile_spec(spec, scale=0.1, block_rows=200)
    got = tables(plan)
    for name, table in expected.items():
        assert got[name].equals(table), name
    # orders read customers.signup_at block by block (its own parents come in order): never whole.
    customers = plan.tables["customers"]
    assert (plan.seed, "signup_at") not in customers.cache
    assert len(customers.cache[("blocks", plan.seed, "signup_at")]) <= relational.BLOCKS_KEPT
    # orders' keys of customers are a sequence: computed at the rows asked, never stored.
    assert not any(key[:2] == (plan.seed, "id") or key[2:] == ("id",) for key in customers.cache)
