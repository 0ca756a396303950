"""Progress of a run on a terminal (a bar per table: rows, rows/s, ETA) and its ``--stats``.

The engine reports through a plain callback, ``progress(table, rows done, rows in all)``; this
module turns those calls into tqdm bars when stderr is a terminal (never in CI logs or pipes),
and keeps per-table figures for the ``--stats`` summary.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Progress", "RunStats"]

Progress = Callable[[str, int, int], None]  # (table, rows done so far, rows in all)
_FALLBACK_SIZE = (80, 24)  # columns, rows of a terminal that reports a size of 0


@dataclass(slots=True)
class _Table:
    rows: int = 0
    seconds: float = 0.0
    bytes: int | None = None


@dataclass(slots=True)
class RunStats:
    """Rows and seconds per table as a run reports them; bars on a terminal when ``show``."""

    show: bool = False
    tables: dict[str, _Table] = field(default_factory=dict)
    clock: Callable[[], float] = time.perf_counter
    _bar: Any = None
    _current: str | None = None
    _since: float | None = None

    @classmethod
    def for_terminal(cls, quiet: bool) -> RunStats:
        """Bars only on an interactive stderr, and never with ``--quiet``."""
        return cls(show=not quiet and sys.stderr.isatty())

    def __call__(self, table: str, done: int, total: int) -> None:
        now = self.clock()
        if self._since is None:
            self._since = now
        if table != self._current:
            # The time since the last report was the previous table's (finishing its file),
            # not this one's: a table's clock starts when it announces itself with 0 rows done.
            if self._current is not None:
                self.tables[self._current].seconds += now - self._since
                self._since = now
            self._close()
            self._current = table
            if self.show:
                self._bar = _bar(table, total)
        entry = self.tables.setdefault(table, _Table())
        if self._bar is not None:
            self._bar.update(done - entry.rows)
        entry.rows = done
        entry.seconds += now - self._since
        self._since = now

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def finish(self, paths: Mapping[str, Path] | None = None) -> None:
        """Close the last bar and note the size of each written file (or folder of parts)."""
        if self._current is not None and self._since is not None:  # the last table's tail: closing its file
            now = self.clock()
            self.tables[self._current].seconds += now - self._since
            self._since = now
        self._close()
        for name, path in (paths or {}).items():
            entry = self.tables.setdefault(name, _Table())
            entry.bytes = sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size

    def render(self) -> str:
        """The ``--stats`` table: rows, bytes and seconds per table, then the total."""
        lines = [f"{'table':<24} {'rows':>14} {'bytes':>14} {'seconds':>9} {'rows/s':>12}"]
        for name, t in [*self.tables.items(), ("total", self._total())]:
            size = "" if t.bytes is None else f"{t.bytes:,}"
            rate = f"{t.rows / t.seconds:,.0f}" if t.seconds > 0 else ""
            lines.append(f"{name:<24} {t.rows:>14,} {size:>14} {t.seconds:>9.2f} {rate:>12}")
        return "\n".join(lines)

    def _total(self) -> _Table:
        sizes = [t.bytes for t in self.tables.values() if t.bytes is not None]
        return _Table(rows=sum(t.rows for t in self.tables.values()),
                      seconds=sum(t.seconds for t in self.tables.values()), bytes=sum(sizes) if sizes else None)


def _bar(table: str, total: int) -> Any:
    """A tqdm bar on stderr, as wide as the terminal; 80x24 on a terminal that reports a size of
    0x0 (some containers and CI consoles), where tqdm would show nothing."""
    from tqdm import tqdm

    # No monitor thread: worker processes fork only from a process without threads.
    tqdm.monitor_interval = 0
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except (OSError, ValueError):
        size = os.terminal_size((0, 0))
    # tqdm hides bars below the screen's last row: a height of 0 hides them all.
    sized = {"dynamic_ncols": True} if size.columns > 0 and size.lines > 0 else \
        {"ncols": size.columns or _FALLBACK_SIZE[0], "nrows": size.lines or _FALLBACK_SIZE[1]}
    return tqdm(total=total, desc=table, unit="rows", unit_scale=True, file=sys.stderr, leave=True, **sized)
