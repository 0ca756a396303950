"""The Dask engine: parts concatenated equal the local output, checks hold, runs are atomic."""

from __future__ import annotations

import pickle
import sys

import pyarrow.parquet as pq
import pytest

import rulegen
from rulegen.engine.stream import stream_table
from rulegen.errors import GenerationError, OutputError
from rulegen.plan.compiler import compile_spec
from rulegen.scale.dask import run_dask, write_dask
from rulegen.scale.parts import part_path, write_part
from tests.scale.conftest import SHOP, assert_same_tables, local_tables

distributed = pytest.importorskip("distributed", reason="the Dask engine needs it: pip install -e '.[dask]'")


def test_shop_equals_local_write(client, tmp_path):
    """Full-size blocks, compared with the files `rulegen.write` makes; relations resolve on workers."""
    spec = rulegen.load(SHOP)
    local = rulegen.write(spec, tmp_path / "local", "parquet", workers=1)
    paths = write_dask(rulegen.compile(spec), tmp_path / "dask", client)
    assert_same_tables({name: pq.read_table(path) for name, path in local.items()}, paths)
    assert all(path.is_dir() and path.name == f"{name}.parquet" for name, path in paths.items())


def test_many_blocks_equal_local(client, shop_plan, shop_local, tmp_path):
    assert not any(table.cache for table in shop_plan.tables.values())  # parents are made on the workers
    paths = write_dask(shop_plan, tmp_path, client)
    assert_same_tables(shop_local, paths)
    for name, table in shop_plan.tables.items():
        parts = sorted(p.name for p in paths[name].iterdir())
        assert parts == [f"part-{b:06d}.parquet" for b in range(table.blocks)]
        assert pq.ParquetFile(paths[name] / parts[0]).metadata.num_rows == min(table.rows, table.block_rows)
    assert shop_plan.tables["order_items"].blocks > 20
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.parquet" for n in shop_plan.tables)


UNIQUE_INSIDE = """
version: 1
tables:
  ok:
    rows: 50
    columns:
      id: {kind: sequence}
  u:
    rows: 100
    columns:
      x: {kind: integers, low: 0, high: 10}
      label: {kind: template, template: "L{x}", unique: true}
"""

UNIQUE_ACROSS = """
version: 1
tables:
  u:
    rows: 30
    columns:
      id: {kind: sequence}
      label: {kind: expr, expr: "id % 25", unique: true}
"""

IMPOSSIBLE = """
version: 1
tables:
  v:
    rows: 30
    columns:
      x: {kind: integers, low: 0, high: 10}
    constraints: ["x > 100"]
"""


@pytest.mark.parametrize("text", [UNIQUE_INSIDE, UNIQUE_ACROSS, IMPOSSIBLE], ids=["inside", "across", "constraint"])
def test_failure_is_the_local_error_and_leaves_nothing(client, tmp_path, text):
    plan = compile_spec(rulegen.load(text), block_rows=10)
    with pytest.raises(GenerationError) as local:
        for table in plan.tables.values():
            list(stream_table(table, plan.seed))
    with pytest.raises(GenerationError) as remote:
        write_dask(plan, tmp_path, client)
    assert remote.value.diagnostics == local.value.diagnostics
    assert list(tmp_path.iterdir()) == []
    # A rule that cannot be met is the user's error, not a crash: no worker logs a traceback.
    logs = "\n".join(line for lines in client.get_worker_logs().values() for _, line in lines)
    assert "Compute Failed" not in logs and "Traceback" not in logs


CHECKED = """
version: 1
seed: 5
tables:
  readings:
    rows: 9000
    unique: [[sensor, value]]
    columns:
      sensor: {kind: integers, low: 1, high: 50}
      value:  {kind: normal, loc: 0, scale: 1000000}
"""


def test_unique_checks_pass_when_met(client, tmp_path):
    """(sensor, value) of drawn numbers is checked over hashes, not by construction."""
    spec = tmp_path / "readings.yaml"
    spec.write_text(CHECKED)
    plan = compile_spec(rulegen.load(spec), block_rows=2000)
    assert plan.tables["readings"].unique_checks
    paths = write_dask(plan, tmp_path / "out", client)
    keys = pq.read_table(paths["readings"], columns=["sensor", "value"]).to_pylist()
    assert len({(k["sensor"], k["value"]) for k in keys}) == plan.tables["readings"].rows


def test_part_written_twice_is_the_same_bytes(shop_plan, tmp_path):
    plan = pickle.loads(pickle.dumps(shop_plan))  # as a worker gets it
    write_part(plan, "orders", 3, str(tmp_path))
    first = part_path(tmp_path, 3).read_bytes()
    write_part(pickle.loads(pickle.dumps(shop_plan)), "orders", 3, str(tmp_path))
    assert part_path(tmp_path, 3).read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == ["part-000003.parquet"]


def test_part_names_sort_in_block_order():
    assert part_path("t", 7, 100).name == "part-000007.parquet"
    names = [part_path("t", b, 1_500_000).name for b in (5, 999_999, 1_000_000, 1_499_999)]
    assert names == sorted(names) and names[0] == "part-0000005.parquet"


def test_replaces_earlier_output_and_writes_empty_tables(client, tmp_path):
    text = """
    version: 1
    tables:
      none:
        rows: 0
        columns:
          id: {kind: sequence}
      some:
        rows: 25
        columns:
          id: {kind: sequence}
    """
    spec = rulegen.load(text.replace("\n    ", "\n"))
    rulegen.write(spec, tmp_path, "parquet")  # single files named like the folders
    plan = compile_spec(spec, block_rows=10)
    write_dask(plan, tmp_path, client)
    paths = write_dask(plan, tmp_path, client)  # over the folders of the run before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["none.parquet", "rulegen-manifest.json", "some.parquet"]
    empty = pq.read_table(paths["none"])
    assert empty.num_rows == 0 and empty.schema.names == ["id"]
    assert pq.read_table(paths["some"])["id"].to_pylist() == list(range(1, 26))


def test_unwritable_target_is_an_output_error(client, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    plan = compile_spec(rulegen.load(UNIQUE_ACROSS.replace("% 25", "% 100")))
    with pytest.raises(OutputError) as caught:
        write_dask(plan, blocker / "out", client)
    assert [d.code for d in caught.value.diagnostics] == ["RG501"]


def test_run_dask_cannot_connect(shop_plan, tmp_path):
    with pytest.raises(OutputError) as caught:
        run_dask(shop_plan, tmp_path, "tcp://127.0.0.1:9", timeout=1)
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "RG505"
    assert "cannot connect to the Dask scheduler at 'tcp://127.0.0.1:9'" in diagnostic.message
    assert list(tmp_path.iterdir()) == []


def test_run_dask_scheduler_without_workers(shop_plan, tmp_path):
    with distributed.LocalCluster(n_workers=0, dashboard_address="127.0.0.1:0") as empty, \
            pytest.raises(OutputError) as caught:
        run_dask(shop_plan, tmp_path, empty.scheduler_address, timeout=0.5)
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "RG505" and "has no workers" in diagnostic.message
    assert list(tmp_path.iterdir()) == []


def test_run_dask_starts_a_local_cluster(tmp_path):
    plan = compile_spec(rulegen.load(UNIQUE_ACROSS.replace("% 25", "% 100")), block_rows=10)
    expected = local_tables(plan, tmp_path / "local")
    assert_same_tables(expected, run_dask(plan, tmp_path / "dask", "local", workers=1))


def test_run_dask_without_dask_installed(shop_plan, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    with pytest.raises(OutputError) as caught:
        run_dask(shop_plan, tmp_path, None)
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "RG505" and diagnostic.hint == "pip install 'rulegen[dask]'"
