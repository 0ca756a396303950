"""A process that asked to die with its parent does, even when the parent is SIGKILLed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from rulegen.scale import startup
from tests.scale.test_killed_runs import alive, wait_for

# The parent starts a child that arms the lifeline (or not) and then sleeps, prints its pid, sleeps.
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]])
print(child.pid, flush=True)
time.sleep(600)
"""
CHILD = "from rulegen.scale.lifeline import die_with_parent\n{arm}\nimport time; time.sleep(600)\n"


def orphan(arm: bool) -> int:
    """The pid of a child whose parent was just SIGKILLed."""
    code = CHILD.format(arm="assert die_with_parent(run=None)" if arm else "")
    parent = subprocess.Popen([sys.executable, "-c", PARENT, code], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    time.sleep(1.0)  # the child has imported and armed by now
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    return child


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_an_armed_child_dies_with_its_parent_and_an_unarmed_one_does_not():
    armed = orphan(arm=True)
    wait_for(lambda: not alive(armed), 10, "the armed child to die")
    unarmed = orphan(arm=False)
    try:
        time.sleep(0.5)
        assert alive(unarmed)  # the check above means something
    finally:
        os.kill(unarmed, signal.SIGKILL)


def test_the_fork_server_loads_the_lifeline_first():
    assert startup._PRELOAD[0] == "rulegen.scale.server"
