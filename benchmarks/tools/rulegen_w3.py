"""W3 (20 numeric columns) with rulegen: ``benchmarks/specs/w3.yaml``, one core.

* In memory: ``rulegen.compile(spec, rows={"numeric": n})`` (the "setup" phase), then every
  block of ``rulegen.iter_blocks(plan, "numeric", arrow=True)`` (the "generate" phase), gathered
  into one ``pyarrow.Table``: 10 ``double``, 5 ``int64`` and 5 ``string`` columns, the arrays
  ``numpy_w3`` makes.
* To Parquet: ``rulegen.write(spec, out_dir, "parquet", workers=1)`` (the ``choice`` columns
  dictionary-encoded, one row group per block); phases timed together.
* Whole process: the CLI, ``rulegen generate w3.yaml --format parquet --workers 1``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tools import common, rulegen_w1

NAME = "rulegen"
FORMAT = "parquet"
WRITE_COMBINED = True
SPEC = Path(__file__).resolve().parents[1] / "specs" / "w3.yaml"
TABLE = "numeric"


def load() -> None:
    rulegen_w1.load()


def setup(n: int, seed: int = common.SEED) -> Any:
    import rulegen

    return rulegen.compile(SPEC, seed=seed, rows={TABLE: n})


def generate(n: int, seed: int = common.SEED, state: Any = None) -> Any:
    import pyarrow as pa

    import rulegen

    plan = state if state is not None else setup(n, seed)
    return pa.Table.from_batches(list(rulegen.iter_blocks(plan, TABLE, arrow=True, workers=1)))


def write(table: Any, out_dir: Path) -> Path:
    import pyarrow.parquet as pq

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{TABLE}.parquet"
    pq.write_table(table, path, use_dictionary=list(common.W3_CATEGORICALS))
    return path


def write_spec(n: int, out_dir: Path, seed: int = common.SEED) -> Path:
    """The Parquet file through rulegen's own API (compile + generate + write in one call)."""
    import rulegen

    return rulegen.write(SPEC, out_dir, "parquet", seed=seed, rows={TABLE: n}, workers=1)[TABLE]


def cli_command(n: int, out_dir: Path, seed: int = common.SEED, workers: int = 1) -> list[str]:
    """The whole-process command line (the ``rulegen`` console script)."""
    return rulegen_w1.cli_command(n, out_dir, seed, workers=workers, spec=SPEC, table=TABLE)


if __name__ == "__main__":
    common.main("benchmarks.tools.rulegen_w3")
