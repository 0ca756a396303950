"""Progress of a run on a terminal (a bar per table: rows, rows/s, ETA) and its ``--stats``.

The engine reports through a plain callback, ``progress(table, rows done, rows in all)``; this
module turns those calls into tqdm bars when stderr is a terminal (never in CI logs or pipes),
and keeps per-table figures for the ``--stats`` summary.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Progress", "RunStats"]

Progress = Callable[[str, int, int], None]  # (table, rows done so far, rows in all)


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
    _bar: Any = None
    _current: str | None = None
    _since: float = field(default_factory=time.perf_counter)

    @classmethod
    def for_terminal(cls, quiet: bool) -> RunStats:
        """Bars only on an interactive stderr, and never with ``--quiet``."""
        return cls(show=not quiet and sys.stderr.isatty())

    def __call__(self, table: str, done: int, total: int) -> None:
        if table != self._current:
            self._close()
            self._current = table
            if self.show:
                from tqdm import tqdm

                # No monitor thread: worker processes fork only from a process without threads.
                tqdm.monitor_interval = 0
                self._bar = tqdm(total=total, desc=table, unit="rows", unit_scale=True, file=sys.stderr,
                                 leave=True, dynamic_ncols=True)
        entry = self.tables.setdefault(table, _Table())
        if self._bar is not None:
            self._bar.update(done - entry.rows)
        entry.rows = done
        now = time.perf_counter()
        entry.seconds += now - self._since
        self._since = now

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def finish(self, paths: Mapping[str, Path] | None = None) -> None:
        """Close the last bar and note the size of each written file (or folder of parts)."""
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
