"""A killed run leaves nothing that lasts: its workers die with it (SIGKILL or SIGTERM), SIGTERM
cleans up as Ctrl-C does, and what SIGKILL left (temporary files, slot folders) is removed by
the next run."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SPEC = """
version: 1
seed: 1
tables:
  big:
    rows: 20000000
    columns:
      id: {kind: sequence}
      code: {kind: pattern, pattern: "[A-Z]{3}-[0-9]{6}"}
      amount: {kind: lognormal, mean: 3, sigma: 1, round: 2}
"""
SHARED = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path("/tmp")


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), fields[0]


def descendants(pid: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = found[0]
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {child for child, p in parents.items() if p == parent}
        todo += children - found
        found |= children
    return found


def alive(pid: int) -> bool:
    found = _stat(pid)
    return found is not None and found[1] != "Z"  # a zombie has ended: only its entry is left


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def workers_die(workers: set[int], what: str) -> None:
    """Wait for ``workers`` to end; a survivor is reported with its state, parent and where it
    waits in the kernel. (30 s: on 2 busy cores a fork-server worker once took more than 10.)"""
    try:
        wait_for(lambda: not any(alive(p) for p in workers), 30, what)
    except AssertionError as exc:
        def where(pid: int) -> str:
            try:
                return Path(f"/proc/{pid}/wchan").read_text()
            except OSError:
                return "?"
        survivors = {p: (_stat(p), where(p)) for p in workers if alive(p)}
        raise AssertionError(f"{exc}: (parent, state), wchan of the survivors: {survivors}") from None


def start_run(tmp_path: Path, out: Path, fork_server: bool) -> tuple[subprocess.Popen[str], set[int]]:
    """`rulegen generate --workers 2` of a large table, caught in the middle of it."""
    spec = tmp_path / "big.yaml"
    spec.write_text(SPEC)
    before = "import threading; threading.Thread(target=lambda: __import__('time').sleep(600), daemon=True).start()\n"
    code = (f"import sys\n{before if fork_server else ''}sys.argv = ['rulegen', *sys.argv[1:]]\n"
            "from rulegen.cli import entry\nentry()\n")
    run = subprocess.Popen([sys.executable, "-c", code, "generate", str(spec), "--out", str(out), "--workers", "2",
                            "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: any(out.glob(".rulegen-*.tmp")) and slot_folders(run.pid) and len(workers_of(run.pid)) >= 2,
                 120, "a temporary file, a slot folder and two workers")
    except AssertionError:
        run.kill()
        raise AssertionError(run.communicate()[1]) from None
    time.sleep(0.3)  # well inside the table
    return run, workers_of(run.pid)


def workers_of(pid: int) -> set[int]:
    return {p for p in descendants(pid) if alive(p)}


def slot_folders(pid: int) -> list[Path]:
    return list(SHARED.glob(f".rulegen-{pid}-*.blocks.tmp"))


@pytest.mark.parametrize("fork_server", [False, True], ids=["forked", "fork-server"])
def test_sigkill_leaves_no_worker_and_the_next_run_cleans_up(tmp_path, fork_server):
    out = tmp_path / "out"
    run, workers = start_run(tmp_path, out, fork_server)
    assert slot_folders(run.pid)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    workers_die(workers, f"workers {workers} to die with the run")
    left = list(out.glob(".rulegen-*.tmp"))
    assert left and slot_folders(run.pid)  # SIGKILL runs no cleanup: the next run does it
    small = tmp_path / "small.yaml"
    small.write_text(SPEC.replace("rows: 20000000", "rows: 140000"))
    done = subprocess.run([sys.executable, "-m", "rulegen", "generate", str(small), "--out", str(out),
                           "--workers", "2", "--quiet"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["big.csv", "rulegen-manifest.json"]
    assert not slot_folders(run.pid)


@pytest.mark.parametrize("fork_server", [False, True], ids=["forked", "fork-server"])
def test_sigterm_cleans_up_and_says_so(tmp_path, fork_server):
    out = tmp_path / "out"
    run, workers = start_run(tmp_path, out, fork_server)
    run.send_signal(signal.SIGTERM)
    _, stderr = run.communicate(timeout=30)
    assert run.returncode == 1
    assert stderr.strip().splitlines() == ["rulegen: stopped by SIGTERM; its temporary files were removed"]
    workers_die(workers, f"workers {workers} to stop")
    assert not out.exists()  # the run made the folder, and removed it with its temporary files
    assert not slot_folders(run.pid)
