"""``rulegen check``: read data written by ``generate`` and report every rule of the spec it breaks.

:func:`check_plan` reads each table's file (CSV, JSON Lines or Parquet), then checks its shape,
each column's values (through :meth:`rulegen.kinds.base.Kind.valid` and the common options),
its keys and its constraints, and returns a :class:`CheckReport`.
"""

from rulegen.checking.report import CheckReport, Skipped, TableChecked, Violation
from rulegen.checking.runner import check_plan

__all__ = ["CheckReport", "Skipped", "TableChecked", "Violation", "check_plan"]
