"""Run blocks on local cores: a process pool whose results come back in block order.

Blocks are independent and each is a pure function of (plan, seed, block), so the output is
the same bytes whatever the number of workers. At most ``2 * workers`` blocks are in flight,
which keeps memory flat however many blocks a table has.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import numpy as np
import pyarrow as pa

from rulegen.engine.evaluate import evaluate_block
from rulegen.plan.plan import TablePlan

__all__ = ["default_workers", "run_blocks"]

BlockResult = tuple[pa.RecordBatch, list[np.ndarray]]

_TABLE: TablePlan | None = None
_SEED = 0


def default_workers() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _init(table: TablePlan, seed: int) -> None:
    global _TABLE, _SEED
    _TABLE, _SEED = table, seed


def _work(block: int) -> BlockResult:
    assert _TABLE is not None
    return evaluate_block(_TABLE, _SEED, block)


def run_blocks(table: TablePlan, seed: int, blocks: Iterable[int], workers: int = 1) -> Iterator[BlockResult]:
    """Evaluate ``blocks`` of ``table``, yielding results in the order of ``blocks``."""
    blocks = list(blocks)
    if workers <= 1 or len(blocks) <= 1:
        for block in blocks:
            yield evaluate_block(table, seed, block)
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init,
                             initargs=(table, seed)) as pool:
        pending: deque[Future[BlockResult]] = deque()
        todo = iter(blocks)
        for block in todo:
            pending.append(pool.submit(_work, block))
            if len(pending) >= 2 * workers:
                break
        while pending:
            result = pending.popleft().result()
            for block in todo:
                pending.append(pool.submit(_work, block))
                break
            yield result
