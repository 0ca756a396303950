"""Shared by the check tests: specs that use every kind, and planting bad values into files."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

import rulegen
from rulegen.io.files import TableOutput, write_tables
from rulegen.kinds import KINDS

FORMATS = ["csv", "jsonl", "parquet"]

# Kinds that need other tables, a timeline or a data file: the relations and series issues.
NOT_SINGLE_TABLE = {"ref", "lookup", "aggregate", "tick", "series", "sample"}


def every_kind_spec(rows: int = 400) -> str:
    """A spec with a column of every single-table kind (its registered example) and columns that
    use every common option: null, round (also negative), clip, when/else, unique, hidden."""
    columns: dict[str, Any] = {
        "id": {"kind": "sequence", "start": 10, "step": 3},
        "first_name": {"kind": "faker", "provider": "first_name"},  # read by the template example
        "last_name": {"kind": "faker", "provider": "last_name"},
        "amount": {"kind": "gamma", "shape": 2.0, "scale": 40.0, "round": 2},  # read by the expr example
    }
    for kind in KINDS:
        if kind.name not in NOT_SINGLE_TABLE:
            columns[f"k_{kind.name}"] = dict(kind.example)
    columns.update({
        "whole": {"kind": "normal", "loc": 50, "scale": 30, "round": 0, "clip": [0, 100]},
        "tens": {"kind": "integers", "low": 0, "high": 1000, "round": -1},
        "narrow": {"kind": "normal", "loc": 0, "scale": 5, "truncate": [-4.2, -3.4], "round": -1},
        "shifted": {"kind": "poisson", "lam": 3, "truncate": [1, 6], "shift": 10},
        "gated": {"kind": "uniform", "low": 0, "high": 10, "round": 1, "when": "amount > 50", "else": -1.0},
        "gated_null": {"kind": "choice", "values": ["a", "b"], "when": "k_bool", "else": None},
        "maybe": {"kind": "lognormal", "mean": 1, "sigma": 0.5, "null": 0.3, "round": 3},
        "cond": {"kind": "choice", "given": "k_choice", "cases": {"US": {"x": 1, "never": 0}}},
        "ms": {"kind": "timestamp", "min": "2024-01-01", "max": "2024-01-31", "precision": "ms"},
        "code": {"kind": "pattern", "pattern": "(AB|C)[0-9]{2,4}x?", "null": 0.1},
        "serial": {"kind": "integers", "low": 1, "high": 100000, "unique": True},
        "maybe_bool": {"kind": "faker", "provider": "null_boolean"},
        "secret": {"kind": "uniform", "low": 0, "high": 1, "hidden": True},
        "from_secret": {"kind": "expr", "expr": "secret * 2"},
    })
    spec = {"version": 1, "seed": 5, "tables": {
        "every": {"rows": rows, "primary_key": "id", "unique": [["k_pattern", "serial"]], "columns": columns,
                  "constraints": ["amount >= 0", "secret < 2"]},
        "pairs": {"rows": 100, "primary_key": ["a", "b"],
                  "columns": {"a": {"kind": "integers", "low": 1, "high": 20}, "b": {"kind": "sequence"}}},
    }}
    return yaml.safe_dump(spec, sort_keys=False)


def arrow_table(spec: str, table: str, **kwargs: Any) -> pa.Table:
    """One table generated in memory, as the files hold it."""
    plan = rulegen.compile(spec, **kwargs)
    batches = list(rulegen.iter_blocks(plan, table, arrow=True))
    return pa.Table.from_batches(batches, plan.tables[table].schema)


def rewrite(directory: Path, fmt: str, name: str, data: pa.Table) -> None:
    """Write ``data`` as table ``name`` into ``directory`` with rulegen's own writer."""
    write_tables([TableOutput(name, data.schema, lambda encode: map(encode, data.to_batches()))], directory, fmt)


def with_values(data: pa.Table, column: str, changes: Mapping[int, Any], type_: pa.DataType | None = None,
                convert: Callable[[Any], Any] | None = None) -> pa.Table:
    """``data`` with some rows of ``column`` replaced (the column converted first, if asked)."""
    values = data.column(column).to_pylist()
    if convert is not None:
        values = [None if v is None else convert(v) for v in values]
    for row, value in changes.items():
        values[row] = value
    array = pa.array(values, type=type_ or data.schema.field(column).type)
    return data.set_column(data.schema.get_field_index(column), column, array)
