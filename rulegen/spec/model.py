"""The spec model: frozen declarations, each node keeping the JSON pointer it came from.

Nothing here generates data; the model is what a spec *says*, checked for structure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rulegen.spec.source_map import SourceMap

__all__ = ["ColumnSpec", "ConstraintSpec", "CorrelationSpec", "PerParentSpec", "Spec", "TableSpec", "TimelineSpec"]

@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnSpec:
    """One column: its kind, the kind's own options and the options common to all kinds."""

    name: str
    kind: str
    pointer: str
    options: Mapping[str, Any] = field(default_factory=dict)
    null: float = 0.0
    unique: bool = False
    hidden: bool = False
    round: int | None = None
    clip: tuple[float | None, float | None] | None = None
    when: str | None = None
    else_: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConstraintSpec:
    """A rule every row must satisfy, as expression text."""

    expr: str
    pointer: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CorrelationSpec:
    """A rank correlation between two numeric columns, met with a Gaussian copula."""

    columns: tuple[str, str]
    rho: float
    pointer: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PerParentSpec:
    """``rows: {per: PARENT, ...}``: each parent row gets a count of rows, fixed or drawn."""

    parent: str
    pointer: str
    count: int | None = None  # a fixed count, or
    expression: str | None = None  # an integer expression over the parent row, or
    law: ColumnSpec | None = None  # an integer distribution of counts
    stratified: bool = False  # the law's counts drawn at stratified uniforms (one per stratum)


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineSpec:
    """``timeline: {start, end, every}``: a row per tick from start to end inclusive; with
    ``per: PARENT``, such a timeline for each parent row. Checked when the spec compiles."""

    start: str
    end: str
    every: str | float
    pointer: str
    parent: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TableSpec:
    """One table: how many rows, its columns in output order, keys and row rules."""

    name: str
    pointer: str
    rows: int | PerParentSpec | TimelineSpec
    columns: Mapping[str, ColumnSpec]
    fixed: bool = False  # `rows: {fixed: N}`: --scale leaves the N rows alone (--rows still sets them)
    primary_key: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    constraints: tuple[ConstraintSpec, ...] = ()
    correlations: tuple[CorrelationSpec, ...] = ()
    sample_rows: str | None = None  # a data file whose rows `sample` columns draw together
    schema: str | None = None  # the database schema the table lives in (seed writes it there)

    @property
    def location(self) -> tuple[str, str] | None:
        """(schema, table name in it) when the spec says where the table lives: a table named
        ``SCHEMA.NAME`` with ``schema: SCHEMA`` is the table ``NAME`` of that schema."""
        if self.schema is None:
            return None
        return self.schema, self.name.removeprefix(f"{self.schema}.")

    @property
    def parent(self) -> str | None:
        """The table whose rows this one's rows follow (``per``), if any."""
        return self.rows.parent if isinstance(self.rows, PerParentSpec | TimelineSpec) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Spec:
    """A whole spec, with the source map used to render diagnostics."""

    tables: Mapping[str, TableSpec]
    source: SourceMap
    seed: int | None = None
    locale: str = "en_US"
    version: int = 1
    base_dir: Path = Path(".")

    def __repr__(self) -> str:
        tables = ", ".join(f"{t.name}[{t.rows if isinstance(t.rows, int) else 'per ' + str(t.parent)}]"
                           for t in self.tables.values())
        return f"Spec({self.source.filename!r}: {tables})"
