"""Worker processes die with the process they work for, however it ends.

A run killed with SIGKILL runs no cleanup of its own, so its workers must not depend on one:
each worker, and the fork server workers start from, asks the kernel (Linux's
``prctl(PR_SET_PDEATHSIG, SIGKILL)``) to kill it the moment its parent exits. A worker of the
fork server dies with the server, and the server with the run. Elsewhere nothing changes: a
worker then ends once its pipe to the dead run closes, after its current block.

The request is made after the process started, so a parent that died in between is checked
for by hand.
"""

from __future__ import annotations

import ctypes
import os
import signal

from rulegen.io.outputs import pid_alive

__all__ = ["die_with_parent"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(run: int | None = None) -> bool:
    """Be killed (SIGKILL) when this process's parent exits; exit now if ``run`` is gone already.

    Args:
        run: the pid of the run this process works for (its parent, or its parent's parent
            for a worker of the fork server); None to skip the check.

    Returns:
        Whether the kernel took the request (False off Linux).
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):  # not Linux
        armed = False
    if run is not None and os.getppid() != run and not pid_alive(run):
        os._exit(1)  # the run died before the request was made: nobody will kill this process
    return armed
