"""Scale out on a Dask cluster: every block is a task that writes its own Parquet part.

Each table becomes a folder ``NAME.parquet`` of parts ``part-000000.parquet``, … one per block;
read in name order (as ``pyarrow.parquet.read_table(folder)`` does) the parts are, row for row,
the file the local engine writes. The plan is scattered to every worker once, and each worker
computes the parent columns its children read from its own copy, so tasks carry only
(table, block). Parts are written under temporary names and renamed, so a task run again after
its worker died writes the same bytes to the same place.

The run is atomic: parts go to a hidden staging folder inside the target folder, and the table
folders are renamed into place only once every part of every table exists and every unique
check has passed, all or none (:func:`rulegen.io.outputs.publish`); a failed run leaves no
folder behind, and no table name can put one outside the target folder. Workers write to that
folder themselves, so on a cluster of several machines the target must be on a file system
they all share.

Dask is optional (``pip install 'rulegen[dask]'``): it is imported only when a run starts.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rulegen.engine.stream import raise_on_repeat
from rulegen.engine.unique import UniqueChecker
from rulegen.errors import Diagnostic, OutputError, RulegenError
from rulegen.io import outputs
from rulegen.io.manifest import MANIFEST_NAME
from rulegen.plan.plan import Plan
from rulegen.scale.parts import remove_tree, write_empty_part, write_part
from rulegen.scale.startup import default_workers

if TYPE_CHECKING:
    from distributed import Client, Future

__all__ = ["run_dask", "write_dask"]

LOCAL = "local"  # the scheduler address that asks for a cluster on this machine


def run_dask(
    plan: Plan, out_dir: str | Path, scheduler: str | None = None, *, workers: int | None = None,
    timeout: float = 10.0, manifest: Callable[[Mapping[str, Path]], bytes] | None = None,
    tables: Sequence[str] | None = None,
) -> dict[str, Path]:
    """Write every table of ``plan`` as a folder of Parquet parts, using a Dask cluster.

    Args:
        plan: the compiled plan.
        out_dir: the target folder (on a file system every worker shares).
        scheduler: the address of a running scheduler (``tcp://host:8786``); ``None`` or
            ``"local"`` starts a cluster on this machine for the run.
        workers: worker processes of a local cluster (all cores by default); one thread each.
        timeout: seconds to wait for the scheduler to answer.
        manifest: makes the bytes of the manifest from the tables' folders (see :func:`write_dask`).
        tables: the tables to write (all by default); others are computed where these read them.

    Returns:
        The final folder of each table.

    Raises:
        OutputError: Dask is not installed, the scheduler cannot be reached, the cluster
            failed, or the folder cannot be written.
        GenerationError: a rule cannot be met (as with the local engine).
    """
    distributed = _import_distributed()
    with _connect(distributed, scheduler, workers, timeout) as client:
        return write_dask(plan, out_dir, client, manifest=manifest, tables=tables)


def write_dask(plan: Plan, out_dir: str | Path, client: Client,
               manifest: Callable[[Mapping[str, Path]], bytes] | None = None,
               tables: Sequence[str] | None = None) -> dict[str, Path]:
    """Write every table of ``plan`` to ``out_dir/NAME.parquet/part-BLOCK.parquet`` with ``client``.

    One task per block; the unique checks that are not met by construction run on the client
    over the blocks' row hashes, in block order, and raise what the local engine raises.
    ``manifest``, given the tables' final folders, makes the bytes of the manifest
    (:mod:`rulegen.io.manifest`), published with them. ``tables`` picks the tables to write (all
    by default); the others are computed where picked ones read them, and not written.

    Returns:
        The final folder of each table.

    Raises:
        GenerationError: a column or key that must be unique repeats, or a constraint cannot be met.
        OutputError: the folder cannot be written, or the cluster lost the run.
    """
    out = Path(out_dir)
    names = list(plan.tables) if tables is None else list(tables)
    for name in names:  # before anything is made: a name that leaves the folder makes nothing
        outputs.contained(out, f"{name}.parquet")
    made: list[Path] = []
    try:
        made = outputs.make_folder(out)
        outputs.remove_stale(out)
        staging = outputs.make_temp_folder(out, "dask")
    except OSError as exc:
        outputs.remove_made(made)
        raise _write_error(exc, out) from exc
    tasks: dict[str, list[Future | None]] = {}
    published = False
    try:
        folders = {name: outputs.contained(staging, f"{name}.parquet") for name in names}
        for name, folder in folders.items():
            folder.mkdir()
            if plan.tables[name].blocks == 0:
                write_empty_part(plan, name, folder)
        tasks = _submit(plan, folders, client)
        for name in folders:
            table = plan.tables[name]
            checkers = [UniqueChecker() for _ in table.unique_checks]
            for block, future in enumerate(tasks[name]):
                assert future is not None
                hashes = future.result()
                tasks[name][block] = None  # the worker may drop the result
                if isinstance(hashes, RulegenError):
                    raise hashes
                for check, checker, block_hashes in zip(table.unique_checks, checkers, hashes, strict=True):
                    raise_on_repeat(table, plan.seed, check, checker.add(block_hashes))
            for check, checker in zip(table.unique_checks, checkers, strict=True):
                raise_on_repeat(table, plan.seed, check, checker.finish())
        finals = {name: out / folder.name for name, folder in folders.items()}
        moves = [(folder, finals[name]) for name, folder in folders.items()]
        if manifest is not None:
            with outputs.open_new(staging / MANIFEST_NAME) as file:
                file.write(manifest(finals))
            moves.append((staging / MANIFEST_NAME, out / MANIFEST_NAME))
        try:
            outputs.publish(moves)
        except OSError as exc:
            raise outputs.publish_error(exc, out) from exc
        published = True
        return finals
    except _cluster_errors() as exc:
        raise _cluster_error(f"the Dask cluster lost the run: {_describe(exc)}",
                             "check that the workers stay alive and can reach each other") from exc
    except OSError as exc:
        raise _write_error(exc, out, staging) from exc
    finally:
        pending = [f for futures in tasks.values() for f in futures if f is not None]
        if pending:
            with suppress(Exception):  # a lost scheduler cannot cancel: its tasks are gone anyway
                client.cancel(pending)
        remove_tree(staging)
        if not published:
            outputs.remove_made(made)


def _submit(plan: Plan, folders: dict[str, Path], client: Client) -> dict[str, list[Future | None]]:
    """One task per block, earlier tables and blocks first; the plan travels once per worker."""
    shared = client.scatter(plan, broadcast=True, hash=False)
    run = uuid.uuid4().hex[:12]
    total = sum(plan.tables[name].blocks for name in folders)
    tasks: dict[str, list[Future | None]] = {}
    index = 0
    for name in folders:
        table = plan.tables[name]
        tasks[name] = []
        for block in range(table.blocks):
            tasks[name].append(client.submit(
                write_part, shared, name, block, str(folders[name]),
                key=(f"rulegen-{name}-{run}", block), priority=total - index, pure=False,
            ))
            index += 1
    return tasks


@contextmanager
def _connect(distributed: Any, scheduler: str | None, workers: int | None, timeout: float) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a cluster started here; closed after."""
    if scheduler is None or scheduler == LOCAL:
        try:
            # The scheduler always serves HTTP: a random loopback port keeps runs off each other's 8787.
            cluster = distributed.LocalCluster(
                n_workers=workers or default_workers(), threads_per_worker=1, processes=True,
                dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
            )
        except (OSError, RuntimeError) as exc:
            raise _cluster_error(f"cannot start a local Dask cluster: {_describe(exc)}",
                                 "check that worker processes can start and import rulegen") from exc
        with cluster, distributed.Client(cluster, set_as_default=False) as client:
            yield client
        return
    try:
        _probe(scheduler, timeout)
        client = distributed.Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:
        raise _cluster_error(f"cannot connect to the Dask scheduler at {scheduler!r}: {_describe(exc)}",
                             "start one with `dask scheduler` and `dask worker ADDRESS`, "
                             "or leave out --scheduler for a cluster on this machine") from exc
    with client:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise _cluster_error(f"the Dask scheduler at {scheduler!r} has no workers after {timeout:g} s",
                                 "start workers with `dask worker ADDRESS`") from exc
        yield client


def _probe(address: str, timeout: float) -> None:
    """Raise OSError or ValueError unless a scheduler answers at ``address``.

    A Client that fails to connect is left half-made, and closing it when the program ends
    prints a traceback and waits; a bare connection first keeps failures clean.
    """
    from distributed.comm import connect

    async def knock() -> None:
        comm = await connect(address, timeout=timeout)
        await comm.close()

    # In a thread of its own: the caller may already run an event loop (a notebook).
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, knock()).result()


def _cluster_error(message: str, hint: str) -> OutputError:
    return OutputError([Diagnostic("RG505", message, hint=hint)])


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise _cluster_error("the Dask engine needs dask.distributed, which is not installed",
                             "pip install 'rulegen[dask]'") from exc
    return distributed


def _cluster_errors() -> tuple[type[BaseException], ...]:
    """What a lost worker, scheduler or connection raises (dask is imported by then)."""
    from distributed import KilledWorker
    from distributed.comm import CommClosedError

    return KilledWorker, CommClosedError, CancelledError, TimeoutError


def _write_error(exc: OSError, out: Path, staging: Path | None = None) -> OutputError:
    shared = staging is not None and str(exc.filename or "").startswith(str(staging))
    if shared and exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        hint = "the workers write the parts themselves: the folder must be on a file system they all share"
        return OutputError([Diagnostic("RG501", f"cannot write {exc.filename}: {exc.strerror or exc}", hint=hint)])
    return outputs.write_error(exc, out)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
