"""Clusters that lose a worker mid-run, and clusters started as separate processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rulegen.scale.dask import run_dask, write_dask
from tests.conftest import ROOT
from tests.scale.conftest import assert_same_tables, start_cluster

distributed = pytest.importorskip("distributed", reason="the Dask engine needs it: pip install -e '.[dask]'")


def test_worker_killed_mid_run(shop_plan, shop_local, tmp_path):
    """Dask runs the dead worker's tasks again; parts are idempotent, so the output is unchanged."""
    total = sum(t.blocks for t in shop_plan.tables.values())
    with start_cluster() as cluster, distributed.Client(cluster, set_as_default=False) as client:
        pids = client.run(os.getpid)
        outcome: dict[str, object] = {}

        def run() -> None:
            try:
                outcome["paths"] = write_dask(shop_plan, tmp_path, client)
            except Exception as exc:  # handed to the test thread
                outcome["error"] = exc

        runner = threading.Thread(target=run)
        runner.start()
        parts = _wait_for_parts(tmp_path, runner)
        assert runner.is_alive() and 0 < parts < total, "the run ended before a worker could be killed"
        victim = sorted(pids.values())[0]
        os.kill(victim, signal.SIGKILL)
        runner.join(timeout=120)
        assert not runner.is_alive()
        assert "error" not in outcome, outcome.get("error")
        assert victim not in client.run(os.getpid).values()  # the nanny started a new worker
    assert_same_tables(shop_local, outcome["paths"])  # type: ignore[arg-type]


def _wait_for_parts(out: Path, runner: threading.Thread, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while runner.is_alive() and time.monotonic() < deadline:
        parts = len(list(out.glob(".rulegen-*/*/part-*.parquet")))
        if parts:
            return parts
        time.sleep(0.01)
    return 0


@pytest.fixture
def scheduler_processes(tmp_path):
    """``dask scheduler`` and two ``dask worker ADDRESS --nthreads 1`` processes; stopped after."""
    dask_cli = shutil.which("dask") or shutil.which("dask", path=str(Path(sys.executable).parent))
    if dask_cli is None:
        pytest.skip("the `dask` command is not installed (it comes with `distributed`)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    info = tmp_path / "scheduler.json"
    started: list[subprocess.Popen] = []

    def start(*args: str) -> None:
        started.append(subprocess.Popen([dask_cli, *args], env=env, cwd=tmp_path,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    try:
        start("scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", "127.0.0.1:0",
              "--scheduler-file", str(info))
        address = _scheduler_address(info, started[0])
        for _ in range(2):
            start("worker", address, "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1",
                  "--no-dashboard")
        with distributed.Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(started):
            process.terminate()
        for process in reversed(started):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _scheduler_address(info: Path, scheduler: subprocess.Popen, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if scheduler.poll() is not None:
            pytest.fail(f"`dask scheduler` exited with {scheduler.returncode}")
        try:
            return json.loads(info.read_text())["address"]
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            time.sleep(0.05)
    pytest.fail("`dask scheduler` wrote no address")


def test_scheduler_started_as_processes(scheduler_processes, shop_plan, shop_local, tmp_path):
    paths = run_dask(shop_plan, tmp_path, scheduler_processes)
    assert_same_tables(shop_local, paths)
