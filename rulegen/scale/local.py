"""Run blocks on local cores: a process pool whose results come back in block order.

Blocks are independent and each is a pure function of (plan, seed, block), so the output is
the same bytes whatever the number of workers. At most ``2 * workers`` blocks are in flight,
which keeps memory flat however many blocks a table has.

Workers do all the per-row work: given an ``encode`` function (a file format's), a worker
returns the block's bytes in the file, so the main process only appends them; without one, it
returns the block's Arrow batch. A task may also make a parent block together with the child
blocks it owns (:mod:`rulegen.engine.costream`): their parts come one after the other. Either
comes back through shared memory, not a pipe: each block in flight has a slot, a file in
``/dev/shm`` that the worker writes into and the main process maps (pickling a batch through a
pipe costs more CPU than making it). Workers fork
from this process or from a server that has imported rulegen already
(:mod:`rulegen.scale.startup`), so a pool starts in milliseconds.

Nothing of a run outlives it: workers die with the run even when it is SIGKILLed
(:mod:`rulegen.scale.lifeline`), a stream that stops early (an error, Ctrl-C, SIGTERM) kills
its workers at once, and the slot folders of runs killed before they could remove them are
removed by the next run.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import os
import shutil
import signal
import tempfile
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from rulegen.engine.costream import Part, evaluate_together
from rulegen.engine.evaluate import evaluate_block
from rulegen.io import outputs
from rulegen.io.files import Encoder
from rulegen.plan.plan import TablePlan
from rulegen.scale.lifeline import die_with_parent
from rulegen.scale.startup import starting_workers

if TYPE_CHECKING:  # imported by the runs that start workers (with multiprocessing): see _pool_class
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["run_blocks", "run_parts"]

Data = pa.RecordBatch | bytes | pa.Buffer
BlockResult = tuple[Data, list[np.ndarray]]
PartResult = tuple[int, Data, list[np.ndarray]]  # a table's position in its group, a block, its hashes

_SHARED_MEMORY = Path("/dev/shm")

_TABLES: tuple[TablePlan, ...] = ()  # in a worker: the table, then the children made with it
_SEED = 0
_ENCODES: tuple[Encoder, ...] | None = None
_SLOTS: dict[str, _Mapped] = {}  # in a worker: its open slot files


def _init(tables: tuple[TablePlan, ...], seed: int, encodes: tuple[Encoder, ...] | None, run: int) -> None:
    global _TABLES, _SEED, _ENCODES
    die_with_parent(run)  # a killed run leaves no worker behind
    # A forked worker inherits the run's SIGTERM handler; a worker told to stop just stops.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _TABLES, _SEED, _ENCODES = tables, seed, encodes
    _keep_freed_memory()


# glibc's mallopt parameters, and the values for a worker: blocks' arrays of a few MiB each stay
# in the heap instead of going back to the system when freed.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_TRIM_THRESHOLD, _MMAP_THRESHOLD = 128 << 20, 32 << 20


def _keep_freed_memory() -> None:
    """A fresh worker's heap is mostly free after each block, so glibc gives it back to the
    system and the next block faults every page in again: ~1,000 page faults a block, 200k in
    a 10M-row run (the main process, whose heap holds the plan, does not). Keeping up to 128 MiB
    of freed memory saves them (on glibc; elsewhere nothing changes)."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
        libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
    except (OSError, AttributeError):  # not glibc
        pass


def _evaluate(tables: tuple[TablePlan, ...], seed: int, block: int,
              finish: Callable[[int, pa.RecordBatch], Data] | None = None) -> list[Part]:
    """Block ``block`` of ``tables[0]``, with the blocks it owns of the others (its children);
    ``finish(position, batch)`` as in :func:`evaluate_together`."""
    if len(tables) == 1:
        batch, hashes = evaluate_block(tables[0], seed, block)
        return [(0, batch if finish is None else finish(0, batch), hashes)]
    return evaluate_together(tables[0], tables[1:], seed, block, finish)


def _bytes(position: int, batch: pa.RecordBatch) -> Data:
    """A block as a worker returns it: encoded for its table's file, or as an Arrow IPC message."""
    return _ENCODES[position](batch) if _ENCODES is not None else batch.serialize()


def _work(block: int, slot: str) -> list[tuple[int, int, list[np.ndarray]]]:
    """Evaluate ``block``'s parts, each encoded or as an Arrow IPC message, one after the other
    into the slot file ``slot``; return each part's table position, size and unique hashes."""
    parts = _evaluate(_TABLES, _SEED, block, _bytes)
    size = sum(len(data) for _, data, _ in parts)
    sink = _SLOTS.get(slot)
    if sink is None or sink.mapped < size:
        if os.path.getsize(slot) < size:
            _grow(slot, size * 5 // 4)  # slots only grow; a quarter more spares resizes
        sink = _SLOTS[slot] = _Mapped(slot, "r+")
    sink.file.seek(0)
    for _, data, _ in parts:
        sink.file.write(data)
    return [(position, len(data), hashes) for position, data, hashes in parts]


def _grow(slot: str, size: int) -> None:
    """Make the slot ``size`` bytes, its memory reserved now: a write through the mapping into
    a full ``/dev/shm`` would kill the worker with SIGBUS, a full disk here is an OSError."""
    fd = os.open(slot, os.O_RDWR)
    try:
        if hasattr(os, "posix_fallocate"):
            os.posix_fallocate(fd, 0, size)
        else:
            os.ftruncate(fd, size)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, slot) from None
    finally:
        os.close(fd)


class _Mapped:
    """A slot file mapped into memory, with the size it had then (the file may grow later)."""

    def __init__(self, path: str, mode: str = "r") -> None:
        self.file = pa.memory_map(path, mode)
        self.mapped = self.file.size()


class _Slots:
    """The main process's side of the slot files: one per block in flight, mapped for reading.

    Their folder is named like rulegen's temporary files (``.rulegen-<pid>-<hex>.blocks.tmp``),
    so that a run removes the folders of runs that were killed before they could.
    """

    def __init__(self, count: int) -> None:
        base = _SHARED_MEMORY if _SHARED_MEMORY.is_dir() else Path(tempfile.gettempdir())
        outputs.remove_stale(base)
        self.folder = outputs.make_temp_folder(base, "blocks", mode=0o700)
        self.paths = [str(self.folder / f"slot-{i}") for i in range(count)]
        for path in self.paths:
            Path(path).touch()
        self._maps: dict[str, _Mapped] = {}
        # Also at exit, should the run's generator never be closed (a traceback holding it).
        # Forked workers leave through os._exit and never run it.
        self._remove = weakref.finalize(self, shutil.rmtree, self.folder, ignore_errors=True)

    def read(self, path: str, size: int, offset: int = 0) -> pa.Buffer:
        """What a worker wrote into ``path`` from ``offset``: a view of the slot, valid until it
        is written again."""
        source = self._maps.get(path)
        if source is None or source.mapped < offset + size:
            source = self._maps[path] = _Mapped(path)
        source.file.seek(offset)
        return source.file.read_buffer(size)

    def remove(self) -> None:
        self._maps.clear()  # mappings close once no batch uses them
        self._remove()


def run_blocks(
    table: TablePlan, seed: int, blocks: Iterable[int], workers: int = 1, *, encode: Encoder | None = None
) -> Iterator[BlockResult]:
    """Evaluate ``blocks`` of ``table``, yielding results in the order of ``blocks``: each
    block's batch and unique hashes.

    Given ``encode``, worker processes yield each block's bytes instead (valid only until the
    next is asked for: for writers that append them at once); blocks made in this process (one
    worker, or one block) stay batches, for the writer to encode.
    """
    for ((_, data, hashes),) in run_parts((table,), seed, blocks, workers,
                                          encodes=None if encode is None else (encode,)):
        yield data, hashes


def run_parts(
    tables: tuple[TablePlan, ...], seed: int, blocks: Iterable[int], workers: int = 1, *,
    encodes: tuple[Encoder, ...] | None = None,
) -> Iterator[list[PartResult]]:
    """Evaluate ``blocks`` of ``tables[0]``, each with the blocks it owns of the other tables (its
    children, see :mod:`rulegen.engine.costream`), yielding each block's parts in the order of
    ``blocks``: the table's own first (position 0), then each child's blocks in order.

    ``encodes`` (one per table) as ``encode`` in :func:`run_blocks`: a block's parts are valid
    until the next block is asked for.
    """
    blocks = blocks if isinstance(blocks, range) else list(blocks)  # a range of 10^10 blocks stays one
    if workers <= 1 or len(blocks) <= 1:
        for block in blocks:
            yield _evaluate(tables, seed, block)
        return
    slots = _Slots(2 * workers)
    try:
        with starting_workers() as context, _pool_class()(
                max_workers=workers, mp_context=context, initializer=_init,
                initargs=(tables, seed, encodes, os.getpid())) as pool:
            _RUNNING.add(pool)
            try:
                yield from _in_order(pool, tables, blocks, slots, encodes is None)
            except BaseException:
                _stop(pool)  # interrupted, or a block failed: the blocks in flight are not wanted
                raise
            finally:
                _RUNNING.discard(pool)
    finally:
        slots.remove()


def _in_order(pool: ProcessPoolExecutor, tables: tuple[TablePlan, ...], blocks: Sequence[int], slots: _Slots,
              batches: bool) -> Iterator[list[PartResult]]:
    """The blocks' results in order, at most one block per slot in flight (``batches``: the
    parts are Arrow IPC messages, read back as batches)."""
    pending: deque[tuple[str, Future[list[tuple[int, int, list[np.ndarray]]]]]] = deque()
    todo = iter(blocks)
    for slot, block in zip(slots.paths, todo, strict=False):
        pending.append((slot, pool.submit(_work, block, slot)))
    while pending:
        slot, future = pending.popleft()
        parts: list[PartResult] = []
        offset = 0
        for position, size, hashes in future.result():
            data: Data = slots.read(slot, size, offset)
            offset += size
            if batches:  # a copy: a batch may be kept after the slot is reused
                data = pa.ipc.read_record_batch(pa.py_buffer(data.to_pybytes()), tables[position].schema)
            parts.append((position, data, hashes))
        yield parts
        # The consumer is done with the block: its slot takes the next one.
        for block in todo:
            pending.append((slot, pool.submit(_work, block, slot)))
            break


# Pools whose stream is still open. Should the program end before the stream is closed (a
# traceback holds it), their workers are killed at exit: multiprocessing's own exit handler,
# registered before this one and so run after it, would wait for them forever.
_RUNNING: weakref.WeakSet[ProcessPoolExecutor] = weakref.WeakSet()


@functools.cache
def _pool_class() -> type[ProcessPoolExecutor]:
    """The executor class, imported (with multiprocessing, whose exit handler that registers)
    by the first run that starts workers, which then registers :func:`_stop_running` after it."""
    from concurrent.futures import ProcessPoolExecutor

    atexit.register(_stop_running)
    return ProcessPoolExecutor


def _stop_running() -> None:
    for pool in list(_RUNNING):
        _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now, instead of waiting for the blocks they are making."""
    # The executor has no public way to end running tasks; its process table (stable since 3.8)
    # is read before shutdown() drops it.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
