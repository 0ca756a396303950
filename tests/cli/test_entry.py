"""The console script skips the interpreter's teardown, and loses nothing by it."""

import subprocess
import sys

import pyarrow.parquet as pq

SPEC = "version: 1\nseed: 1\ntables:\n  t:\n    rows: 70000\n    columns:\n      id: {kind: sequence}\n"


def entry(*args: str, before: str = "") -> subprocess.CompletedProcess[str]:
    code = f"import sys\n{before}\nsys.argv = ['rulegen', *sys.argv[1:]]\nfrom rulegen.cli import entry\nentry()\n"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)


def test_output_exit_code_and_exit_handlers_survive_the_quick_exit(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    done = entry("generate", str(spec), "--out", str(tmp_path / "out"), "--format", "parquet", "--workers", "2",
                 before="import atexit; atexit.register(lambda: print('exit handler ran'))")
    assert done.returncode == 0, done.stderr
    # stdout is a pipe here (block-buffered): everything printed reached it
    assert done.stdout.splitlines() == [f"wrote {tmp_path / 'out' / 't.parquet'}", "exit handler ran"]
    assert pq.read_table(tmp_path / "out" / "t.parquet").num_rows == 70000


def test_errors_keep_their_exit_codes(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(SPEC.replace("sequence", "sequense"))
    done = entry("generate", str(spec), "--out", str(tmp_path / "out"))
    assert done.returncode == 1 and "error[" in done.stderr
    assert entry("no-such-command").returncode == 2
    assert entry("--version").returncode == 0
