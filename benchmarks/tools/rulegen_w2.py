"""W1 + W2 (customers and their orders) with rulegen: ``benchmarks/specs/w2.yaml``, one core.

* In memory: ``rulegen.compile(spec, rows={"customers": n})`` (the "setup" phase: loading and
  checking the YAML, drawing the Faker name pools and the per-customer order counts), then every
  block of ``rulegen.iter_blocks(plan, table, arrow=True)`` for ``customers`` then ``orders``
  (the "generate" phase), each gathered into one ``pyarrow.Table``.
* To Parquet: ``rulegen.write(spec, out_dir, "parquet", workers=1)``, the one-call API (one file
  per table; compile, generate and write are timed together).
* Whole process: the CLI, ``rulegen generate w2.yaml --format parquet --workers 1``.

``--rows N`` is the number of customers; orders follow (Poisson(3) each, ~3N), and the rows
counted are both tables'.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.tools import common, rulegen_w1

NAME = "rulegen"
FORMAT = "parquet"
WRITE_COMBINED = True
SPEC = Path(__file__).resolve().parents[1] / "specs" / "w2.yaml"
PARENT = "customers"
TABLES = ("customers", "orders")


def load() -> None:
    rulegen_w1.load()


def setup(n: int, seed: int = common.SEED) -> Any:
    import rulegen

    return rulegen.compile(SPEC, seed=seed, rows={PARENT: n})


def generate(n: int, seed: int = common.SEED, state: Any = None) -> dict[str, Any]:
    import pyarrow as pa

    import rulegen

    plan = state if state is not None else setup(n, seed)
    return {t: pa.Table.from_batches(list(rulegen.iter_blocks(plan, t, arrow=True, workers=1))) for t in TABLES}


def write(tables: dict[str, Any], out_dir: Path) -> Path:
    import pyarrow.parquet as pq

    out_dir.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        pq.write_table(table, out_dir / f"{name}.parquet")
    return out_dir


def write_spec(n: int, out_dir: Path, seed: int = common.SEED) -> Path:
    """Both Parquet files through rulegen's own API (compile + generate + write in one call)."""
    import rulegen

    rulegen.write(SPEC, out_dir, "parquet", seed=seed, rows={PARENT: n}, workers=1)
    return out_dir


def cli_command(n: int, out_dir: Path, seed: int = common.SEED, workers: int = 1) -> list[str]:
    """The whole-process command line (the ``rulegen`` console script)."""
    return rulegen_w1.cli_command(n, out_dir, seed, workers=workers, spec=SPEC, table=PARENT)


if __name__ == "__main__":
    common.main("benchmarks.tools.rulegen_w2")
