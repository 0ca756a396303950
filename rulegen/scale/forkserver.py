"""How many worker processes, and a head start for them.

Kept apart from :mod:`rulegen.scale.local` (which imports the whole engine) so that the CLI
can start the fork server before it imports anything heavy: the server's imports then overlap
the main process's own imports and the compile.
"""

from __future__ import annotations

import multiprocessing
import os

__all__ = ["default_workers", "prepare_workers"]

# What the fork server imports once, so that a worker forked from it starts with all of it: its
# first block would otherwise spend 0.3 s importing (pyarrow imports pandas the first time it
# converts a NumPy array; NumPy's random module is imported on first use).
_PRELOAD = ["rulegen.scale.local", "rulegen.kinds.registry", "rulegen.expr.functions", "rulegen.io.files",
            "numpy.random", "pandas", "zoneinfo"]


def default_workers() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def prepare_workers() -> None:
    """Start the fork server in the background, importing rulegen, while the spec compiles.

    Call it before a run on more than one worker; the pools that follow fork from it. Calling
    it again does nothing.
    """
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(_PRELOAD)
    forkserver.ensure_running()
