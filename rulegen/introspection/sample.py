"""``--sample N``: read up to N rows per table and sum them up as :class:`ColumnStats`.

Only statistics leave this module: ranges, null counts, text lengths, the share of true
values, and the counts of each value of columns that hold few distinct values (at most
:data:`MAX_CATEGORIES`), which are the only sampled values a spec may show. Rows are the
first N the database returns. Children per parent row are counted by the database (one
grouped query per parent link), so only a histogram of counts is read.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections import Counter
from typing import Any

from rulegen.introspection.model import Catalog, ColumnInfo, ColumnStats, ForeignKey, TableSample, quote_identifier

__all__ = ["MAX_CATEGORIES", "read_samples"]

MAX_CATEGORIES = 20  # distinct values up to which a column counts as categorical

_NUMERIC = ("integer", "decimal", "float")


def read_samples(connection: Any, catalog: Catalog, links: dict[str, ForeignKey], limit: int) -> dict[str, TableSample]:
    """Statistics of up to ``limit`` rows of every table, and of children per parent row along
    ``links`` (each table's foreign key to the parent it is generated per)."""
    samples = {}
    for name, table in catalog.tables.items():
        columns = [c for c in table.columns.values() if not c.generated]
        if not columns:
            continue
        listed = ", ".join(quote_identifier(c.name) for c in columns)
        rows = connection.execute(f"select {listed} from {_qualified(catalog, name)} limit {int(limit)}").fetchall()
        stats = {c.name: summarize(c, [row[i] for row in rows]) for i, c in enumerate(columns)}
        sample = TableSample(rows=len(rows), columns=stats)
        if name in links:
            sample.children = _children(connection, catalog, name, links[name])
        samples[name] = sample
    return samples


def _qualified(catalog: Catalog, table: str) -> str:
    return catalog.qualified(table)


def _children(connection: Any, catalog: Catalog, table: str, link: ForeignKey) -> dict[int, int]:
    """How many parent rows have 0, 1, 2, ... children along ``link``."""
    keys = ", ".join(quote_identifier(c) for c in link.columns)
    present = " and ".join(f"{quote_identifier(c)} is not null" for c in link.columns)
    histogram = dict(connection.execute(
        f"select n, count(*) from (select count(*) as n from {_qualified(catalog, table)} where {present} "
        f"group by {keys}) as g group by n").fetchall())
    parents = catalog.tables[link.parent].rows
    with_children = sum(histogram.values())
    if parents > with_children:
        histogram[0] = histogram.get(0, 0) + parents - with_children
    return {int(k): int(v) for k, v in sorted(histogram.items())}


def summarize(column: ColumnInfo, values: list[Any]) -> ColumnStats:
    """Statistics of one column's sampled values (SQLite's loose typing tolerated: values
    that do not fit the column's category are left out of ranges)."""
    present = [v for v in values if v is not None]
    stats = ColumnStats(count=len(values), nulls=len(values) - len(present))
    parsed = [p for p in (_parse(column.category, v) for v in present) if p is not None]
    if parsed and column.category in (*_NUMERIC, "date", "timestamp"):
        stats.low, stats.high = min(parsed), max(parsed)
    if column.category == "bool":
        stats.true = sum(1 for v in parsed if v)
    texts = [v for v in present if isinstance(v, str)]
    if texts:
        stats.shortest, stats.longest = min(map(len, texts)), max(map(len, texts))
    if column.category in ("integer", "decimal", "text", "enum", "bool"):
        counts = Counter(_category(column.category, v) for v in present)
        if len(counts) <= MAX_CATEGORIES:
            stats.categories = dict(sorted(counts.items(), key=lambda item: (-item[1], str(item[0]))))
    return stats


def _category(category: str, value: Any) -> Any:
    if category == "decimal" or isinstance(value, decimal.Decimal):
        return float(value)
    if category == "bool":
        return bool(value)
    if isinstance(value, uuid.UUID | bytes | memoryview):
        return str(value)
    return value


def _parse(category: str, value: Any) -> Any:
    """``value`` as a comparable Python value of the category, or None."""
    try:
        if category in _NUMERIC:
            if isinstance(value, bool):
                return None
            number = float(value) if category != "integer" else int(value)
            return number if category != "decimal" else float(decimal.Decimal(str(value)))
        if category == "bool":
            return bool(int(value)) if isinstance(value, int | str) and str(value) in ("0", "1") else value
        if category == "date":
            if isinstance(value, datetime.datetime):
                return value.date()
            return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])
        if category == "timestamp":
            if not isinstance(value, datetime.datetime):
                value = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            if value.tzinfo is not None:
                value = value.astimezone(datetime.UTC).replace(tzinfo=None)
            return value
    except (TypeError, ValueError, ArithmeticError):
        return None
    return value
