"""How many worker processes, and how they start.

Workers fork from this process when it runs no other Python thread: they start at once and
share the compiled plan instead of importing rulegen and unpickling it. Otherwise (a thread
could hold a lock, logging's or the import lock, that a forked child would wait on forever)
they fork from a server process that imported rulegen in the background while the spec
compiled. Kept apart from :mod:`rulegen.scale.local`, which imports the whole engine, so that
the CLI can decide before it imports anything heavy.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # multiprocessing is imported when workers start: a run on one worker needs none of it
    from multiprocessing.context import BaseContext

__all__ = ["default_workers", "prepare_workers", "starting_workers"]

# What the fork server imports once, so that a worker forked from it starts with all of it: its
# first block would otherwise spend 0.3 s importing (pyarrow imports pandas the first time it
# converts a NumPy array; NumPy's random module is imported on first use).
# rulegen.scale.server comes first: it ties the server's life to the run's.
_PRELOAD = ["rulegen.scale.server", "rulegen.scale.local", "rulegen.kinds.registry", "rulegen.expr.functions",
            "rulegen.io.files", "numpy.random", "pandas", "zoneinfo"]


def default_workers() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def prepare_workers() -> None:
    """Before a run on more than one worker: when workers cannot fork from this process, start
    the fork server now, so that its imports overlap the compile. Calling it again does nothing."""
    if not _can_fork():
        _fork_server()


@contextmanager
def starting_workers() -> Iterator[BaseContext]:
    """The context to start a pool's processes with, for the block that starts them."""
    if not _can_fork():
        yield _fork_server()
        return
    with warnings.catch_warnings():
        # Python 3.12+ warns on any fork of a process with other OS threads; the only ones here
        # are native (jemalloc's, the BLAS pool), which prepare for fork themselves.
        warnings.filterwarnings("ignore", r"This process .* is multi-threaded", DeprecationWarning)
        import multiprocessing

        yield multiprocessing.get_context("fork")


def _can_fork() -> bool:
    # multiprocessing offers "fork" wherever os.fork exists (every platform but Windows)
    return hasattr(os, "fork") and threading.active_count() == 1


# The resource tracker of a fork server's workers warns, on the run's stderr, of the semaphores
# of workers a stopped run killed (Ctrl-C, SIGTERM), and then removes them: noise after the
# one line a stopped run prints. Its interpreter takes its -W options from sys.warnoptions.
_QUIET_TRACKER = "ignore:resource_tracker:UserWarning"


def _fork_server() -> BaseContext:
    import multiprocessing
    from multiprocessing import forkserver

    if _QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(_QUIET_TRACKER)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    forkserver.ensure_running()
    return context
