"""The manifest generate writes next to the data, and check reads so that its user repeats nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import rulegen
from rulegen.errors import OutputError
from rulegen.io.manifest import MANIFEST_NAME, spec_digest

SPEC = """
version: 1
seed: 1
tables:
  customers:
    rows: 40
    primary_key: id
    columns:
      id: {kind: sequence}
      city: {kind: faker, provider: city}
  orders:
    rows: {per: customers, kind: poisson, lam: 3}
    columns:
      customer_id: {kind: ref, to: customers.id}
      total: {kind: lognormal, mean: 3, sigma: 0.5, round: 2}
"""


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rulegen", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(SPEC)
    return path


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "sql"])
def test_generate_records_how_the_files_were_made(spec: Path, tmp_path: Path, fmt: str) -> None:
    files = rulegen.write(spec, tmp_path / "out", fmt, seed=9, scale=2.0, rows={"customers": 30})
    manifest = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text())
    counts = {name: len(rulegen.generate(spec, seed=9, scale=2.0, rows={"customers": 30})[name])
              for name in ("customers", "orders")}
    assert manifest["seed"] == 9 and manifest["scale"] == 2.0 and manifest["rows"] == {"customers": 30}
    assert manifest["format"] == fmt and manifest["spec_sha256"] == spec_digest(SPEC)
    assert manifest["tables"] == {name: {"file": path.name, "rows": counts[name]} for name, path in files.items()}
    assert set(manifest["versions"]) == {"rulegen", "faker"}


def test_the_manifest_is_the_same_bytes_for_the_same_run(spec: Path, tmp_path: Path) -> None:
    rulegen.write(spec, tmp_path / "a", "csv", workers=1)
    rulegen.write(spec, tmp_path / "b", "csv", workers=2)
    one = (tmp_path / "a" / MANIFEST_NAME).read_bytes()
    assert one == (tmp_path / "b" / MANIFEST_NAME).read_bytes()
    assert str(tmp_path).encode() not in one  # no absolute path, no time


def test_check_takes_seed_scale_and_rows_from_the_manifest(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _cli("generate", str(spec), "--out", str(out), "--seed", "9", "--scale", "2", "--rows", "customers=30",
                cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    checked = _cli("check", str(spec), str(out), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok: no violations" in checked.stdout
    # Options given to check win over the manifest: another seed makes other row counts.
    other = _cli("check", str(spec), str(out), "--seed", "10", cwd=tmp_path)
    assert other.returncode == 1 and "orders: rows:" in other.stdout


def test_without_a_manifest_check_uses_the_spec_and_its_options(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    rulegen.write(spec, out, "csv", seed=9)
    (out / MANIFEST_NAME).unlink()
    assert not rulegen.check(spec, out).ok  # the spec's seed 1 makes other counts
    assert rulegen.check(spec, out, seed=9).ok


@pytest.mark.parametrize(("content", "problem"), [
    ("{not json", "is not a manifest rulegen wrote"),
    ('{"seed": -1, "scale": 1, "rows": {}}', "seed -1 is not an integer"),
    ('{"seed": 1, "scale": "big", "rows": {}}', "scale 'big' is not a positive number"),
    ('{"seed": 1, "scale": 1, "rows": {"t": 1.5}}', "rows is not a mapping"),
    ("[1, 2]", "not a JSON object"),
    ('{"seed": 1, "scale": 1, "rows": {}, "tables": "orders"}', "tables is not a mapping"),
    ('{"seed": 1, "scale": 1, "rows": {}, "max_bytes": 0}', "max_bytes 0 is not a positive integer"),
])
def test_a_broken_manifest_is_a_clear_error(spec: Path, tmp_path: Path, content: str, problem: str) -> None:
    out = tmp_path / "out"
    rulegen.write(spec, out, "csv")
    (out / MANIFEST_NAME).write_text(content)
    with pytest.raises(OutputError) as caught:
        rulegen.check(spec, out)
    assert caught.value.diagnostics[0].code == "RG514" and problem in caught.value.render()
    done = _cli("check", str(spec), str(out), cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr and problem in done.stderr


def test_a_fifo_at_the_manifest_is_refused_not_read(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    rulegen.write(spec, out, "csv")
    (out / MANIFEST_NAME).unlink()
    os.mkfifo(out / MANIFEST_NAME)
    done = _cli("check", str(spec), str(out), cwd=tmp_path)
    assert done.returncode == 1 and "RG514" in done.stderr and "FIFO" in done.stderr


def test_a_failed_run_leaves_the_old_manifest(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    rulegen.write(spec, out, "csv", seed=9)
    before = (out / MANIFEST_NAME).read_bytes()
    (out / "orders.csv").unlink()
    (out / "orders.csv").mkdir()  # the second table cannot be renamed into place
    (out / "orders.csv" / "keep").write_text("x")
    with pytest.raises(OutputError):
        rulegen.write(spec, out, "csv", seed=10)
    assert (out / MANIFEST_NAME).read_bytes() == before


def test_generate_writes_picked_tables_and_check_checks_those(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _cli("generate", str(spec), "--out", str(out), "--tables", "orders", "--seed", "9", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["orders.csv", MANIFEST_NAME]
    everything = rulegen.generate(spec, seed=9)["orders"]
    assert len((out / "orders.csv").read_text().splitlines()) == len(everything) + 1  # parents computed, not written
    assert list(json.loads((out / MANIFEST_NAME).read_text())["tables"]) == ["orders"]
    checked = _cli("check", str(spec), str(out), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok: no violations in 1 table" in checked.stdout
    excluded = rulegen.write(spec, tmp_path / "ex", "csv", exclude=["orders"])
    assert list(excluded) == ["customers"]


def test_an_unknown_table_to_pick_is_a_clear_error(spec: Path, tmp_path: Path) -> None:
    done = _cli("generate", str(spec), "--out", str(tmp_path / "out"), "--tables", "order", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "error[RG543] `order` is not a table of the spec" in done.stderr and "did you mean `orders`?" in done.stderr
    assert not (tmp_path / "out").exists()
