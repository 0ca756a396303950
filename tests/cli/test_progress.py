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


def run_on_a_terminal(args: list[str]) -> str:
    """Run the CLI with stderr on a pseudo-terminal; what the terminal showed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # rows, columns
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
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
