"""Read the file ``generate`` wrote for a table, as Arrow columns of the plan's types.

Which file, and that it is data, is :mod:`rulegen.io.read`'s part (the same for every reader:
``DIR/<table>.parquet``, ``.jsonl`` or ``.csv``, only directly inside ``DIR``, only regular
files). Each column the spec writes is converted to its plan type; a value that does not
convert becomes null and is flagged (see :mod:`rulegen.checking.convert`), so a bad value is a
finding of the check, never a crash.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq
import pyarrow.types as pat

from rulegen.checking.convert import convert
from rulegen.io.inputs import InputFileError, open_regular_file
from rulegen.io.read import EXTENSIONS, ReadError, check_table_file, csv_nulls, jsonl_records, table_files
from rulegen.plan.plan import TablePlan

__all__ = ["EXTENSIONS", "ReadError", "TableData", "read_table", "table_files"]


@dataclass(slots=True)
class TableData:
    """What a table's file holds, for the columns the spec writes.

    Attributes:
        path: the file read.
        rows: its number of rows.
        columns: the spec's output columns found in the file, as their plan types; values that
            did not convert are null there.
        unparsed: per column, the mask of rows whose value did not convert.
        raw: per column with unparsed values, the column as read (to show the bad text).
        extra: columns of the file that the spec does not write.
    """

    path: Path
    rows: int
    columns: dict[str, pa.Array] = field(default_factory=dict)
    unparsed: dict[str, np.ndarray] = field(default_factory=dict)
    raw: dict[str, pa.Array] = field(default_factory=dict)
    extra: tuple[str, ...] = ()


def read_table(table: TablePlan, path: Path) -> TableData:
    """Read ``path`` (format from its extension) for ``table``.

    Raises:
        ReadError: the file is not a regular file (a FIFO, a device) or a folder of Parquet
            parts, or is not valid CSV, JSON Lines or Parquet.
    """
    reader = {"parquet": _read_parquet, "jsonl": _read_jsonl, "csv": _read_csv}[path.suffix.lstrip(".")]
    try:
        if path.suffix == ".parquet" and path.is_dir():
            check_table_file(path)
            data = pq.read_table(path)
        else:
            with open_regular_file(path, "data file") as file:
                data = reader(file, table)
    except InputFileError as exc:
        raise ReadError(exc.message) from exc
    except (pa.ArrowInvalid, OSError, orjson.JSONDecodeError) as exc:
        raise ReadError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    result = TableData(path=path, rows=data.num_rows,
                       extra=tuple(c for c in data.column_names if c not in table.output))
    for name in table.output:
        if name not in data.column_names:
            continue
        column = data.column(name)
        array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        if pat.is_dictionary(array.type):
            array = array.dictionary_decode()
        converted, bad = convert(array, table.schema.field(name).type)
        result.columns[name] = converted
        if bad.any():
            result.unparsed[name], result.raw[name] = bad, array
    return result


def _read_parquet(file: BinaryIO, table: TablePlan) -> pa.Table:
    return pq.read_table(file)


def _read_csv(file: BinaryIO, table: TablePlan) -> pa.Table:
    """Typed in one pass when every value parses; else as text, converted column by column
    (nulls as the writer makes them: :func:`~rulegen.io.read.csv_nulls`)."""
    types = {f.name: f.type for f in table.schema}
    nulls = csv_nulls(len(types))
    try:
        return pa_csv.read_csv(file, convert_options=pa_csv.ConvertOptions(column_types=types, **nulls))
    except pa.ArrowInvalid:
        file.seek(0)
        text = {name: pa.string() for name in types}
        return pa_csv.read_csv(file, convert_options=pa_csv.ConvertOptions(column_types=text, **nulls))


class _Untyped(Exception):
    """Arrow's JSON inference gave a column a type that loses its text (dates in a string column)."""


def _read_jsonl(file: BinaryIO, table: TablePlan) -> pa.Table:
    """Arrow's JSON reader when its inferred types convert cleanly, else a line-by-line read
    that keeps every value as text for :func:`convert`."""
    types = {f.name: f.type for f in table.schema}
    if os.fstat(file.fileno()).st_size < 16 and not file.read().strip():  # no rows: nothing was written
        return pa.table({name: pa.array([], type=t) for name, t in types.items()})
    file.seek(0)
    try:
        data = pa_json.read_json(file)
        for name in data.column_names:
            inferred = data.schema.field(name).type
            if name in types and pat.is_string(types[name]) and not (pat.is_string(inferred) or pat.is_null(inferred)):
                raise _Untyped(name)
        return data
    except (pa.ArrowInvalid, _Untyped):
        file.seek(0)
        return _read_jsonl_as_text(file.read())


def _read_jsonl_as_text(text: bytes) -> pa.Table:
    """Every value as its text: strings as they are, other JSON values as JSON."""
    records = jsonl_records(text)
    names = list(dict.fromkeys(key for record in records for key in record))
    columns = {}
    for name in names:
        values = [record.get(name) for record in records]
        columns[name] = pa.array([v if v is None or isinstance(v, str) else orjson.dumps(v).decode()
                                  for v in values], type=pa.string())
    return pa.table(columns) if columns else pa.table({})
