"""The Dask engine writes only inside its target folder, and a failed run leaves nothing there."""

from __future__ import annotations

import dataclasses
import os

import pytest

import rulegen
from rulegen.errors import GenerationError, OutputError
from rulegen.plan.compiler import compile_spec
from rulegen.scale.dask import write_dask

pytest.importorskip("distributed", reason="the Dask engine needs it: pip install -e '.[dask]'")

SPEC = """
version: 1
seed: 2
tables:
  t:
    rows: 40
    columns:
      x: {kind: integers, low: 0, high: 10}
"""


def listing(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("name", ["../t", "../../t", "/tmp/rulegen-escape/t", "sub/t"])
def test_a_table_name_that_leaves_the_folder_makes_nothing(client, tmp_path, name):
    plan = compile_spec(rulegen.load(SPEC), block_rows=10)
    # The loader may refuse such names: the plan is renamed after compiling, as a defence in depth.
    renamed = dataclasses.replace(plan, tables={name: plan.tables["t"]})
    out = tmp_path / "a" / "out"
    with pytest.raises(OutputError) as caught:
        write_dask(renamed, out, client)
    assert caught.value.diagnostics[0].code == "RG512"
    assert listing(tmp_path) == []
    assert not os.path.exists("/tmp/rulegen-escape")


def test_a_failed_run_leaves_no_folder_and_keeps_the_old_output(client, tmp_path):
    out = tmp_path / "out"
    plan = compile_spec(rulegen.load(SPEC), block_rows=10)
    first = write_dask(plan, out, client)
    before = {p.name: p.read_bytes() for p in first["t"].iterdir()}
    failing = compile_spec(rulegen.load(SPEC + '    constraints: ["x > 100"]\n'), block_rows=10)
    with pytest.raises(GenerationError):
        write_dask(failing, out, client)
    assert sorted(p.name for p in out.iterdir()) == ["t.parquet"]
    assert {p.name: p.read_bytes() for p in first["t"].iterdir()} == before
    with pytest.raises(GenerationError):
        write_dask(failing, tmp_path / "new" / "out", client)
    assert not (tmp_path / "new").exists()


def test_dead_runs_staging_folders_are_removed(client, tmp_path):
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".rulegen-{dead.pid}-0123abcd.dask.tmp"
    (stale / "t.parquet").mkdir(parents=True)
    write_dask(compile_spec(rulegen.load(SPEC), block_rows=10), tmp_path, client)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]
