"""Progress bars on a terminal (never in logs), and the --stats summary."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from click.testing import CliRunner

import rulegen
from rulegen.cli import main
from rulegen.progress import RunStats
from tests.conftest import ROOT

SHOP = ROOT / "schemas" / "shop.yaml"


def test_stats_prints_rows_bytes_and_seconds_per_table(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["generate", str(SHOP), "--out", str(tmp_path), "--scale", "0.05",
                                       "--format", "parquet", "--stats", "--workers", "1"])
    assert result.exit_code == 0, result.output
    plan = rulegen.compile(SHOP, scale=0.05)
    lines = {line.split()[0]: line.split() for line in result.stderr.splitlines() if line.strip()}
    for name, table in plan.tables.items():
        assert int(lines[name][1].replace(",", "")) == table.rows
        assert int(lines[name][2].replace(",", "")) == (tmp_path / f"{name}.parquet").stat().st_size
    assert int(lines["total"][1].replace(",", "")) == sum(t.rows for t in plan.tables.values())
    assert "it/s" not in result.stderr and "rows/s]" not in result.stderr, "no bars when not on a terminal"


def run_on_a_terminal(args: list[str], size: tuple[int, int] = (40, 120)) -> str:
    """Run the CLI with stderr on a pseudo-terminal of ``size`` (rows, columns); what it showed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
    env |= {"PYTHONPATH": str(ROOT)} | ({"COLUMNS": str(size[1])} if size[1] else {})
    process = subprocess.Popen([sys.executable, "-m", "rulegen", *args], stdout=subprocess.DEVNULL,
                               stderr=follower, env=env)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=60)
    os.close(leader)
    assert process.returncode == 0, shown.decode(errors="replace")
    return shown.decode(errors="replace")


def test_a_terminal_gets_a_bar_per_table_and_quiet_silences_them(tmp_path: Path) -> None:
    shown = run_on_a_terminal(["generate", str(SHOP), "--out", str(tmp_path / "a"), "--scale", "0.05",
                               "--workers", "1"])
    for name in ("customers", "orders", "order_items", "shipments"):
        assert f"{name}: 100%" in shown, shown
    assert "rows/s" in shown
    quiet = run_on_a_terminal(["generate", str(SHOP), "--out", str(tmp_path / "b"), "--scale", "0.05",
                               "--workers", "1", "--quiet"])
    assert quiet.strip() == ""


def test_seed_reports_progress_per_table(tmp_path: Path) -> None:
    shown = run_on_a_terminal(["seed", str(SHOP), "--db", f"sqlite:///{tmp_path / 's.db'}", "--scale", "0.05",
                               "--workers", "1"])
    assert "orders: 100%" in shown and "rows/s" in shown


def test_a_terminal_that_reports_no_size_still_gets_bars(tmp_path: Path) -> None:
    shown = run_on_a_terminal(["generate", str(SHOP), "--out", str(tmp_path), "--scale", "0.05", "--workers", "1"],
                              size=(0, 0))
    for name in ("customers", "orders", "order_items", "shipments"):
        assert f"{name}: 100%" in shown, shown


def test_each_table_is_charged_the_time_it_took() -> None:
    stats = RunStats(clock=iter([0.0, 1.0, 5.0, 5.5, 9.0, 12.0]).__next__)
    stats("a", 0, 10)     # t=0: a starts
    stats("a", 10, 10)    # t=1: a's only block
    stats("b", 0, 10)     # t=5: a spent 4 s finishing its file, b starts
    stats("b", 5, 10)     # t=5.5
    stats("b", 10, 10)    # t=9
    stats.finish()        # t=12: b's file closed
    assert stats.tables["a"].seconds == 5.0 and stats.tables["b"].seconds == 7.0
