"""Dates written as text (``31.01.2024``, ``1998 Jan``, ``1998 Q1``, ``1991 W06``): read as dates
for `rulegen infer` to fit, and written back in the same format (`strftime`), so that a column
of quarters stays a column of quarters.

The first format every value reads in is taken (``01/02/2024`` is January: ``%m/%d/%Y`` is tried
before ``%d/%m/%Y``, which ``13/02/2024`` needs); when it does not write every value back to the
same text (``1/5/2024``), the column is dates, written as dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from rulegen.expr.strftime import strftime
from rulegen.fidelity.render import ColumnDraft, TableDraft

__all__ = ["ISO", "parse_text_dates", "written_as_text"]

ISO = "%Y-%m-%d"  # read as dates and written as dates, as a file's date column is
# (format, the shape every value has) in the order tried; the first that reads every value wins
_FORMATS = [
    (ISO, r"\d{4}-\d{1,2}-\d{1,2}"), ("%Y/%m/%d", r"\d{4}/\d{1,2}/\d{1,2}"),
    ("%d.%m.%Y", r"\d{1,2}\.\d{1,2}\.\d{4}"), ("%m/%d/%Y", r"\d{1,2}/\d{1,2}/\d{4}"),
    ("%d/%m/%Y", r"\d{1,2}/\d{1,2}/\d{4}"), ("%Y-%m", r"\d{4}-\d{2}"),
    ("%Y %b", r"\d{4} [A-Z][a-z]{2}"), ("%b %Y", r"[A-Z][a-z]{2} \d{4}"), ("%Y %B", r"\d{4} [A-Z][a-z]+"),
    ("%B %Y", r"[A-Z][a-z]+ \d{4}"), ("%d %b %Y", r"\d{2} [A-Z][a-z]{2} \d{4}"), ("%Y Q%q", r"\d{4} Q[1-4]"),
    ("%G W%V", r"\d{4} W\d{2}"),
]
_MAX_DISTINCT = 100_000  # distinct texts parsed one by one


def _reader(fmt: str) -> Callable[[str], dt.date]:
    if fmt == "%Y Q%q":
        return lambda text: dt.date(int(text[:4]), 3 * int(text[-1]) - 2, 1)
    if fmt == "%G W%V":
        return lambda text: dt.datetime.strptime(text + " 1", "%G W%V %u").date()
    return lambda text: dt.datetime.strptime(text, fmt).date()


def parse_text_dates(texts: pa.Array) -> tuple[pa.Array, str] | None:
    """``texts`` (strings, nulls allowed) as dates and the format they are written in, or None
    when they are not all dates of one known format."""
    present = pc.drop_null(texts)
    if not len(present):
        return None
    distinct = pc.unique(present)
    if len(distinct) > _MAX_DISTINCT:
        return None
    for fmt, shape in _FORMATS:
        if not pc.all(pc.match_substring_regex(distinct, f"^{shape}$")).as_py():
            continue
        read = _reader(fmt)
        try:
            days = pa.array([read(text) for text in distinct.to_pylist()], pa.date32())
        except ValueError:
            continue
        if fmt != ISO and not pc.all(pc.equal(strftime(days, pa.scalar(fmt)), distinct)).as_py():
            fmt = ISO  # 1/5/2024 reads as %m/%d/%Y but writes as 01/05/2024: dates, written as dates
        return pc.take(days, pc.index_in(texts, distinct)), fmt
    return None


def written_as_text(table: TableDraft, formats: dict[str, str]) -> None:
    """Each date column of ``table`` read from text in a format other than ISO becomes a hidden
    date and the text `strftime` writes of it; a column another reads is left a date."""
    for name, fmt in formats.items():
        draft = table.columns.get(name)
        if draft is None or fmt == ISO or _read_by_others(table, name):
            continue
        hidden = table.free_name(f"{name}_date")
        table.insert_before(name, hidden)
        table.columns[hidden] = ColumnDraft({**draft.spec, "hidden": True}, draft.notes)
        table.columns[name] = ColumnDraft({"kind": "expr", "expr": f"strftime({hidden}, '{fmt}')"},
                                          [f"dates written {fmt} in the file, read from {hidden}"])


def _read_by_others(table: TableDraft, name: str) -> bool:
    word = re.compile(rf"\b{re.escape(name)}\b(?!\s*\()")  # a name, not a function called alike
    return any(word.search(str(draft.spec)) for other, draft in table.columns.items() if other != name) \
        or any(name in pair[:2] for pair in table.correlations)
