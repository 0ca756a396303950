"""`generate --engine dask` and `rulegen.write(..., client=...)`: the contract's way in."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import rulegen
from rulegen.cli import main
from tests.scale.conftest import SHOP

pytest.importorskip("distributed")


def test_the_api_writes_parts_through_a_client_equal_to_the_local_files(client, tmp_path: Path) -> None:
    parts = rulegen.write(SHOP, tmp_path / "dask", "parquet", scale=0.05, client=client)
    local = rulegen.write(SHOP, tmp_path / "local", "parquet", scale=0.05)
    assert list(parts) == list(local)
    for name, path in parts.items():
        assert path.is_dir() and path.name == f"{name}.parquet"
        assert pq.read_table(path).equals(pq.read_table(local[name])), name
    manifest = (tmp_path / "dask" / "rulegen-manifest.json").read_bytes()
    assert manifest == (tmp_path / "local" / "rulegen-manifest.json").read_bytes()  # the same record of the run
    assert rulegen.check(SHOP, tmp_path / "dask").ok  # the scale comes from the manifest


def test_the_cli_runs_on_a_scheduler_address(client, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["generate", str(SHOP), "--out", str(tmp_path), "--format", "parquet",
                                       "--scale", "0.05", "--engine", "dask", "--scheduler", client.scheduler.address])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "orders.parquet" / "part-000000.parquet").exists()


@pytest.mark.parametrize("args", [["--engine", "dask", "--format", "csv"], ["--scheduler", "tcp://127.0.0.1:1"]])
def test_engine_options_that_do_not_go_together_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(main, ["generate", str(SHOP), "--out", str(tmp_path), *args])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_the_api_writes_only_the_picked_tables_through_a_client(client, tmp_path: Path) -> None:
    parts = rulegen.write(SHOP, tmp_path / "dask", "parquet", scale=0.05, client=client, tables=["orders"])
    local = rulegen.write(SHOP, tmp_path / "local", "parquet", scale=0.05)
    assert list(parts) == ["orders"]
    assert sorted(p.name for p in (tmp_path / "dask").iterdir()) == ["orders.parquet", "rulegen-manifest.json"]
    assert pq.read_table(parts["orders"]).equals(pq.read_table(local["orders"]))
