"""Every input file is a regular file of bounded size: FIFOs, devices and folders given as a
spec, a lock, a `sample` source or a data file are refused at once with a clear message and
exit 1, never a hang; `check` never reads outside its folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rulegen.checking.read import table_files

SPEC = "version: 1\nseed: 1\ntables:\n  t:\n    rows: 5\n    columns:\n      id: {kind: sequence}\n"


def rulegen_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The command in a subprocess: a regression that hangs fails on the timeout instead."""
    return subprocess.run([sys.executable, "-m", "rulegen", *map(str, args)], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)


def refused(done: subprocess.CompletedProcess[str], code: str = "RG106") -> str:
    assert done.returncode == 1, done.stderr
    assert f"error[{code}]" in done.stderr or code in done.stdout + done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def test_a_spec_that_is_a_device_a_fifo_or_too_big_is_refused(tmp_path, fifo):
    assert "character device" in refused(rulegen_cli("validate", "/dev/zero"))
    assert "FIFO" in refused(rulegen_cli("validate", fifo))
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (10 << 20) + b"\n" + SPEC.encode())
    assert "larger than 10 MiB" in refused(rulegen_cli("validate", big), "RG107")


def test_a_lock_file_that_is_a_device_or_a_fifo_is_refused(tmp_path, fifo):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    assert "/dev/zero is a character device" in refused(rulegen_cli("validate", spec, "--lock", "/dev/zero"))
    assert "FIFO" in refused(rulegen_cli("generate", spec, "--out", tmp_path / "out", "--lock", fifo))
    assert not (tmp_path / "out").exists()


def test_a_sample_source_that_is_a_fifo_is_refused_at_its_option(tmp_path):
    os.mkfifo(tmp_path / "data.csv")
    spec = tmp_path / "spec.yaml"
    spec.write_text("version: 1\nseed: 1\ntables:\n  t:\n    rows: 5\n    columns:\n"
                    "      v: {kind: sample, from: data.csv, column: v}\n")
    text = refused(rulegen_cli("validate", spec))
    assert f"{spec}:7:31: error[RG106] tables.t.columns.v.from:" in text and "data.csv" in text and "FIFO" in text


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_check_refuses_a_data_file_that_is_a_fifo(tmp_path, fmt):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / f"t.{fmt}")
    done = rulegen_cli("check", spec, out)
    assert done.returncode == 1 and "not a regular file" in done.stdout, done.stdout + done.stderr


def test_check_refuses_a_fifo_among_parquet_parts(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    parts = tmp_path / "out" / "t.parquet"
    parts.mkdir(parents=True)
    os.mkfifo(parts / "part-000000.parquet")
    done = rulegen_cli("check", spec, tmp_path / "out")
    assert done.returncode == 1 and "not a regular file" in done.stdout, done.stdout + done.stderr


def test_infer_and_compare_refuse_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "real.csv")
    (tmp_path / "synth.csv").write_text("a\n1\n")
    for args in (("infer", tmp_path / "real.csv"), ("compare", tmp_path / "real.csv", tmp_path / "synth.csv"),
                 ("compare", tmp_path / "synth.csv", "/dev/zero")):
        done = rulegen_cli(*args)
        assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
        assert "not a regular file" in done.stderr or "not a .csv" in done.stderr, done.stderr


def test_check_looks_only_inside_its_folder(tmp_path):
    folder = tmp_path / "out"
    (folder / "sub").mkdir(parents=True)
    (tmp_path / "secret.csv").write_text("id\n1\n")
    for name in ("../secret", str(tmp_path / "secret"), "sub/../../secret", "secret\0"):
        assert table_files(folder, name) == []
    (folder / "t.csv").write_text("id\n1\n")
    assert table_files(folder, "t") == [folder / "t.csv"]
