"""Tables as folders of Parquet parts: one part per block, written atomically.

A part is a pure function of (plan, seed, block), and is written under a temporary name then
renamed, so writing it twice (a task run again after its worker died) gives the same bytes in
the same place. Part names sort in block order: a folder read as a dataset is the table.

Nothing here needs Dask: these are the steps each task and the client run.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from rulegen.engine.evaluate import evaluate_block
from rulegen.errors import RulegenError
from rulegen.io import outputs
from rulegen.io.parquet import ParquetEncoder
from rulegen.plan.plan import Plan, TablePlan

__all__ = ["part_path", "remove_tree", "write_empty_part", "write_part"]


def part_path(folder: str | Path, block: int, blocks: int = 0) -> Path:
    """Where ``block`` of a table of ``blocks`` blocks goes: ``part-000042.parquet``.

    Numbers are padded to one width per table (six digits, more past a million blocks) so
    that names sort in block order.
    """
    width = max(6, len(str(blocks - 1)))
    return Path(folder) / f"part-{block:0{width}d}.parquet"


def write_part(plan: Plan, table: str, block: int, folder: str) -> list[np.ndarray] | RulegenError:
    """Evaluate one block of ``table`` and write it as a part in ``folder``.

    The folder must exist (the client makes it): a task that outlives a cancelled run fails
    rather than recreate a folder that was cleaned up.

    Returns:
        The block's row hashes for each of the table's streaming unique checks; or the user
        error that stopped the block (a rule that cannot be met), returned rather than raised
        so that no worker logs it with a traceback: the client raises it.
    """
    table_plan = plan.tables[table]
    try:
        batch, hashes = evaluate_block(table_plan, plan.seed, block)
    except RulegenError as exc:
        return exc
    _write_atomic(part_path(folder, block, table_plan.blocks), _encoder(table_plan)(batch))
    return hashes


def write_empty_part(plan: Plan, table: str, folder: str | Path) -> None:
    """A table without rows is one part holding only the schema (an empty folder is no table)."""
    _write_atomic(part_path(folder, 0), _encoder(plan.tables[table]).empty())


def _encoder(table: TablePlan) -> ParquetEncoder:
    """The local writer's encoder: a part is the bytes of its block in the local file."""
    return ParquetEncoder(table.schema, table.categorical)


def _write_atomic(final: Path, data: pa.Buffer) -> None:
    # A name of its own per attempt: two attempts of one task may overlap (a worker taken
    # for dead may still be running); both write the same bytes and the last rename wins.
    file, temp = outputs.create_temp(final.parent, final.name)
    try:
        with file:
            file.write(memoryview(data))
        os.replace(temp, final)
    finally:
        if temp.exists():
            temp.unlink()


def remove_tree(path: Path, attempts: int = 20) -> None:
    """Remove a staging folder, retrying while late tasks of a cancelled run still write to it."""
    for _ in range(attempts):
        if not path.exists():
            return
        try:
            shutil.rmtree(path)
        except OSError:  # a file came or went while the folder was walked
            time.sleep(0.1)
    shutil.rmtree(path, ignore_errors=True)
