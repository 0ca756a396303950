"""Shared fixtures: a small Dask cluster, the shop plan, and the local engine's output to compare with."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import rulegen
from rulegen.engine.stream import stream_table
from rulegen.io.files import TableOutput, write_tables
from rulegen.plan.compiler import compile_spec
from rulegen.plan.plan import Plan
from tests.conftest import ROOT

SHOP = ROOT / "schemas" / "shop.yaml"


def start_cluster() -> Any:
    """Two worker processes of one thread each: the machine has two cores, shared."""
    import distributed

    return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                    dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)


@pytest.fixture(scope="session")
def client():
    import distributed

    with start_cluster() as cluster, distributed.Client(cluster, set_as_default=False) as client:
        yield client


def shop() -> Plan:
    """shop.yaml at 30 % cut into blocks of 300 rows: order_items and shipments span dozens."""
    return compile_spec(rulegen.load(SHOP), scale=0.3, block_rows=300)


@pytest.fixture(scope="session")
def shop_plan() -> Plan:
    """A plan the client never evaluates, so its tables carry no parent columns: workers make them.

    Tests that evaluate blocks on the client use a copy.
    """
    return shop()


@pytest.fixture(scope="session")
def shop_local(tmp_path_factory) -> dict[str, pa.Table]:
    """The local engine's output for the plan of ``shop_plan`` (from a plan of its own)."""
    return local_tables(shop(), tmp_path_factory.mktemp("local"))


def local_tables(plan: Plan, out: Path) -> dict[str, pa.Table]:
    """What the local engine writes for ``plan`` (as ``rulegen.write(..., "parquet")`` does), read back."""
    outputs = [TableOutput(name, t.schema, lambda encode, t=t: stream_table(t, plan.seed, encode=encode),
                           categorical=t.categorical)
               for name, t in plan.tables.items()]
    return {name: pq.read_table(path) for name, path in write_tables(outputs, out, "parquet").items()}


def assert_same_tables(expected: dict[str, pa.Table], paths: dict[str, Path]) -> None:
    assert list(paths) == list(expected)
    for name, table in expected.items():
        got = pq.read_table(paths[name])
        assert got.schema.equals(table.schema), name
        assert got.equals(table), name
