"""Build the frozen :class:`Spec` model from a structurally valid document."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from rulegen.errors import Diagnostic, SpecError
from rulegen.spec.as_of import as_of_problems, with_as_of
from rulegen.spec.loader import load_document
from rulegen.spec.model import (
    ColumnSpec,
    ConstraintSpec,
    CorrelationSpec,
    PerParentSpec,
    Spec,
    TableSpec,
    TimelineSpec,
)
from rulegen.spec.source_map import SourceMap, join_pointer
from rulegen.spec.structure import COMMON_COLUMN_OPTIONS, check_structure

__all__ = ["build_spec", "load_spec"]


def load_spec(source: str | Path, *, filename: str | None = None) -> Spec:
    """Load, check the structure of, and build a spec from a path or YAML text.

    Raises:
        SpecError: with every YAML and structure problem found, in document order.
    """
    data, smap = load_document(source, filename=filename)
    if data is None:
        raise SpecError([Diagnostic("RG108", "the spec is empty", mark=(1, 1),
                                    hint="a spec is a mapping with `version: 1` and `tables:`")], smap)
    root = smap.position("")
    problems = [  # a problem of the whole document still gets a place: where the document starts
        p if p.pointer or p.mark else dataclasses.replace(p, mark=(root.line, root.col))
        for p in [*check_structure(data), *as_of_problems(data)]
    ]
    if problems:
        raise SpecError(smap.in_document_order(problems), smap)
    base_dir = Path(source).parent if smap.filename != "<spec>" else Path.cwd()
    return build_spec(data, smap, base_dir=base_dir)


def build_spec(data: dict[str, Any], smap: SourceMap, *, base_dir: Path = Path(".")) -> Spec:
    """The model of a document that passed :func:`check_structure`."""
    tables = {
        name: _table(name, table, join_pointer("/tables", name)) for name, table in data["tables"].items()
    }
    return Spec(tables=with_as_of(tables, data.get("as_of")), source=smap, seed=data.get("seed"),
                locale=data.get("locale", "en_US"), version=data.get("version", 1), base_dir=base_dir)


def _names(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _table(name: str, table: dict[str, Any], pointer: str) -> TableSpec:
    columns_pointer = join_pointer(pointer, "columns")
    fixed = isinstance(table.get("rows"), dict) and "fixed" in table["rows"]
    columns = {
        col: _column(col, spec, join_pointer(columns_pointer, col)) for col, spec in table["columns"].items()
    }
    return TableSpec(
        name=name,
        pointer=pointer,
        rows=table["rows"]["fixed"] if fixed else
        _rows(table["rows"], join_pointer(pointer, "rows")) if "rows" in table else
        _timeline(table["timeline"], join_pointer(pointer, "timeline")),
        columns=columns,
        fixed=fixed,
        primary_key=_names(table.get("primary_key", [])),
        unique=tuple(_names(u) for u in table.get("unique", [])),
        constraints=tuple(
            ConstraintSpec(expr=text, pointer=join_pointer(join_pointer(pointer, "constraints"), i))
            for i, text in enumerate(table.get("constraints", []))
        ),
        correlations=tuple(
            CorrelationSpec(columns=tuple(c["columns"]), rho=float(c["rho"]),
                            pointer=join_pointer(join_pointer(pointer, "correlations"), i))
            for i, c in enumerate(table.get("correlations", []))
        ),
        sample_rows=table["sample_rows"]["from"] if "sample_rows" in table else None,
        schema=table.get("schema"),
    )


def _timeline(timeline: dict[str, Any], pointer: str) -> TimelineSpec:
    return TimelineSpec(start=timeline["start"], end=timeline["end"], every=timeline["every"], pointer=pointer,
                        parent=timeline.get("per"))


def _rows(rows: int | dict[str, Any], pointer: str) -> int | PerParentSpec:
    if isinstance(rows, int):
        return rows
    if isinstance(rows.get("count"), str):
        return PerParentSpec(parent=rows["per"], pointer=pointer, expression=rows["count"])
    if "count" in rows:
        return PerParentSpec(parent=rows["per"], pointer=pointer, count=rows["count"])
    law = ColumnSpec(name="rows", kind=rows["kind"], pointer=pointer,
                     options={k: v for k, v in rows.items() if k not in ("per", "kind", "stratified")})
    return PerParentSpec(parent=rows["per"], pointer=pointer, law=law, stratified=bool(rows.get("stratified")))


def _column(name: str, spec: dict[str, Any], pointer: str) -> ColumnSpec:
    clip = spec.get("clip")
    return ColumnSpec(
        name=name,
        kind=spec["kind"],
        pointer=pointer,
        options={k: v for k, v in spec.items() if k not in COMMON_COLUMN_OPTIONS},
        null=float(spec.get("null", 0.0)),
        unique=bool(spec.get("unique", False)),
        hidden=bool(spec.get("hidden", False)),
        round=spec.get("round"),
        clip=tuple(clip) if clip is not None else None,
        when=spec.get("when"),
        else_=spec.get("else"),
    )
