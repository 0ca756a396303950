"""TPC-H with DuckDB: ``CALL dbgen(sf=SF)`` into an in-memory database, then ``COPY`` of each of
the eight tables to Parquet.

    python -m benchmarks.tools.duckdb_tpch --sf 1 --out DIR

* DuckDB's ``tpch`` extension must be loadable without a download: the benchmark machine has no
  route to DuckDB's extension server, so it comes from PyPI as ``duckdb-ext-tpch``, whose builds
  match one DuckDB release (1.4.4) and so live in their own virtual environment, which
  :func:`python` finds: ``$RULEGEN_BENCH_DUCKDB_PYTHON``, or ``benchmarks/.venvs/duckdb-tpch``
  (ignored by git) made by ``python -m venv benchmarks/.venvs/duckdb-tpch &&
  benchmarks/.venvs/duckdb-tpch/bin/pip install duckdb==1.4.4 duckdb-ext-tpch==1.4.4.20260205``,
  or this interpreter when its DuckDB loads the extension.
* DuckDB uses every core (its default ``threads``); ``COPY ... (FORMAT parquet)`` writes one
  file per table with DuckDB's default compression (snappy), as tpchgen-cli does.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

TABLES = ("region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem")
VENV = Path(__file__).resolve().parents[1] / ".venvs" / "duckdb-tpch"  # inside the checkout, ignored by git
VENV_PYTHON = VENV / "bin" / "python"
ENV_PYTHON = "RULEGEN_BENCH_DUCKDB_PYTHON"
_PROBE = "from benchmarks.tools.duckdb_tpch import connect\nconnect()\n"


def python() -> str | None:
    """An interpreter whose DuckDB loads the tpch extension offline, or None."""
    candidates = [os.environ.get(ENV_PYTHON), str(VENV_PYTHON) if VENV_PYTHON.exists() else None, sys.executable]
    for exe in filter(None, candidates):
        probe = subprocess.run([exe, "-c", _PROBE], capture_output=True)
        if probe.returncode == 0:
            return exe
    return None


def unavailable() -> str | None:
    """Why DuckDB's dbgen cannot run here, or None."""
    if python() is None:
        return (f"no DuckDB that loads the tpch extension offline (set {ENV_PYTHON}, or "
                "`python -m venv benchmarks/.venvs/duckdb-tpch && benchmarks/.venvs/duckdb-tpch/bin/pip install "
                "duckdb==1.4.4 duckdb-ext-tpch==1.4.4.20260205`)")
    return None


def connect() -> Any:
    """An in-memory DuckDB with the tpch extension loaded, from duckdb-ext-tpch's folder when that
    package is installed (never from the network)."""
    import importlib.util

    import duckdb

    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions = false")
    found = importlib.util.find_spec("duckdb_ext")
    if found is not None and found.submodule_search_locations:
        folder = Path(next(iter(found.submodule_search_locations))) / "extensions"
        con.execute("SET extension_directory = ?", [str(folder)])
    con.execute("LOAD tpch")
    return con


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sf", type=float, default=1.0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    con = connect()
    con.execute(f"CALL dbgen(sf={args.sf})")
    for table in TABLES:
        con.execute(f"COPY {table} TO '{args.out / (table + '.parquet')}' (FORMAT parquet)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
