"""What a command imports, the guard of start-up time without timing anything.

``rulegen validate`` of a small spec and ``rulegen generate`` of a thousand rows answer in a
fraction of a second only while they leave out Faker (its answers come from the cache once
kept), pandas, SciPy and jsonschema, and ``validate`` Arrow's compute functions too (see
benchmarks/startup.py for the figures). Each command
runs in a fresh interpreter, as the console script does, and lists at exit the top-level
modules it imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "benchmarks" / "specs" / "startup_small.yaml"
THOUSAND = ROOT / "benchmarks" / "specs" / "startup_1k.yaml"
HEAVY = {"faker", "pandas", "scipy", "jsonschema", "holidays", "tqdm", "sklearn", "dask", "distributed",
         "psycopg", "duckdb", "sqlalchemy", "pymysql", "matplotlib"}

_PROGRAM = """
import atexit, sys
compute = lambda: "call_function" in vars(sys.modules.get("pyarrow.compute", sys))  # (vars: no loading)
atexit.register(lambda: print("IMPORTED", *sorted({m.partition(".")[0] for m in sys.modules}),
                              *["pyarrow.compute"] * compute(), file=sys.stderr))
sys.argv = ["rulegen", *sys.argv[1:]]
from rulegen.cli import entry
entry()
"""


def imported(*args: str, cache: Path) -> set[str]:
    """The top-level modules ``rulegen ARGS`` imported, and ``pyarrow.compute`` once it is
    loaded (it must succeed)."""
    env = {**os.environ, "RULEGEN_CACHE_DIR": str(cache)}
    env.pop("RULEGEN_NO_CACHE", None)
    done = subprocess.run([sys.executable, "-c", _PROGRAM, *args], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stderr.splitlines() if line.startswith("IMPORTED "))
    return set(line.split()[1:])


def test_importing_the_command_line_imports_no_library():
    done = subprocess.run([sys.executable, "-c", "import sys, rulegen.cli; print(*sorted(sys.modules))"],
                          capture_output=True, text=True, timeout=120)
    modules = {name.partition(".")[0] for name in done.stdout.split()}
    assert not modules & (HEAVY | {"numpy", "pyarrow", "yaml"})


def test_validate_imports_no_faker_pandas_scipy_or_jsonschema(tmp_path):
    first = imported("validate", str(SMALL), cache=tmp_path)
    assert "faker" in first  # nothing kept yet: Faker answers, and its answers are kept
    assert not imported("validate", str(SMALL), cache=tmp_path) & (HEAVY | {"pyarrow.compute"})


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_generate_of_a_thousand_rows_imports_none_of_them(tmp_path, fmt):
    args = ("generate", str(THOUSAND), "--out", str(tmp_path / "out"), "--format", fmt, "--quiet")
    imported(*args, cache=tmp_path / "cache")
    assert not imported(*args, cache=tmp_path / "cache") & HEAVY


def test_an_invalid_spec_still_gets_every_diagnostic(tmp_path):
    """jsonschema is imported when a document does not pass the quick check: its messages."""
    spec = tmp_path / "bad.yaml"
    spec.write_text(SMALL.read_text().replace("start: 1", "start: one").replace("round: 1", "rnd: 1"))
    env = {**os.environ, "RULEGEN_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "rulegen", "validate", str(spec)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 1
    assert "error[RG205] tables.users.columns.id.start: must be a 64-bit integer, got 'one'" in done.stderr
    assert "error[RG202] tables.users.columns.score.rnd: unknown option `rnd`" in done.stderr
