"""W1 with rulegen: the spec ``benchmarks/specs/w1.yaml``, run on one core (``workers=1``).

* In memory: ``rulegen.compile(spec, rows={"customers": n})`` (the "setup" phase: loading the
  YAML, checking it, drawing the Faker name pools), then every block of
  ``rulegen.iter_blocks(plan, "customers", arrow=True)`` (Arrow record batches of 65,536 rows,
  the "generate" phase), gathered into one ``pyarrow.Table``.
* To Parquet: ``rulegen.write(spec, out_dir, "parquet", workers=1)``, the one-call API (compile,
  generate and write interleaved block by block, so the phases are timed together).
* Whole process: the CLI, ``rulegen generate w1.yaml --format parquet --workers 1`` (run.py
  times it as a subprocess).

rulegen draws Faker names from a seeded pool of 10,000 values per provider, drawn from
``Faker("en_US")`` with its frequency weighting on, so names follow Faker's en_US frequencies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tools import common

NAME = "rulegen"
FORMAT = "parquet"
WRITE_COMBINED = True  # the file run uses rulegen.write, whose phases are not separable
SPEC = Path(__file__).resolve().parents[1] / "specs" / "w1.yaml"
TABLE = "customers"


def load() -> None:
    import pyarrow  # noqa: F401

    import rulegen  # noqa: F401


def setup(n: int, seed: int = common.SEED) -> Any:
    import rulegen

    return rulegen.compile(SPEC, seed=seed, rows={TABLE: n})


def generate(n: int, seed: int = common.SEED, state: Any = None) -> Any:
    import pyarrow as pa

    import rulegen

    plan = state if state is not None else setup(n, seed)
    batches = list(rulegen.iter_blocks(plan, TABLE, arrow=True, workers=1))
    return pa.Table.from_batches(batches)


def write(table: Any, out_dir: Path) -> Path:
    import pyarrow.parquet as pq

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{TABLE}.parquet"
    pq.write_table(table, path)
    return path


def write_spec(n: int, out_dir: Path, seed: int = common.SEED) -> Path:
    """The Parquet file through rulegen's own API (compile + generate + write in one call)."""
    import rulegen

    return rulegen.write(SPEC, out_dir, "parquet", seed=seed, rows={TABLE: n}, workers=1)[TABLE]


def cli_command(n: int, out_dir: Path, seed: int = common.SEED, *, workers: int = 1, spec: Path = SPEC,
                table: str = TABLE) -> list[str]:
    """The whole-process command line (the ``rulegen`` console script); ``--rows table=n``.

    The script installed beside this interpreter is preferred to the first one on PATH, which
    may be a version manager's shim (pyenv's costs ~0.2 s of bash per start)."""
    import shutil
    import sys

    beside = Path(sys.executable).parent / "rulegen"
    exe = str(beside) if beside.is_file() else shutil.which("rulegen")
    prefix = [exe] if exe else [sys.executable, "-m", "rulegen"]
    return [*prefix, "generate", str(spec), "--out", str(out_dir), "--format", "parquet", "--workers",
            str(workers), "--rows", f"{table}={n}", "--seed", str(seed), "--quiet"]

if __name__ == "__main__":
    common.main("benchmarks.tools.rulegen_w1")
