"""Read and write the data files that ``compare`` and ``augment`` work on.

A table is one file, ``NAME.csv``, ``NAME.jsonl`` or ``NAME.parquet`` (or a folder of Parquet
parts named ``NAME.parquet``, as ``generate --engine dask`` writes), named by its stem. A
dataset is one such file or a folder of them, as ``generate`` writes. Files are read with
Arrow, so types are Arrow's: CSV and JSON Lines values are inferred (numbers, booleans, ISO
dates and timestamps), an empty CSV field is null. Finding the files, and refusing those that
are not data (a FIFO, a device), is :mod:`rulegen.io.read`'s part, shared with ``check``.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq
import pyarrow.types as pat

from rulegen.errors import MessageError
from rulegen.io import outputs
from rulegen.io.inputs import InputFileError
from rulegen.io.jsonl import encode_jsonl
from rulegen.io.read import EXTENSIONS, ReadError, check_table_file, dataset_files, jsonl_records

__all__ = ["EXTENSIONS", "DataError", "read_dataset", "read_table", "table_format", "write_table"]


class DataError(MessageError):
    """Data cannot be read, written or compared; the message is one line for the user (and a
    :class:`~rulegen.errors.RulegenError`, as every error rulegen's API raises for its input)."""

    code = "RG531"


def table_format(path: Path) -> str:
    """``csv``, ``jsonl`` or ``parquet``, from the file name's extension.

    Raises:
        DataError: any other extension.
    """
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "json":
        fmt = "jsonl"
    if fmt not in EXTENSIONS:
        raise DataError(f"{path}: not a .csv, .jsonl or .parquet file")
    return fmt


def read_table(path: str | Path) -> pa.Table:
    """Read one table file (or a folder of Parquet parts) into an Arrow table.

    JSON Lines dates come back as timestamps from Arrow's reader; a timestamp column whose
    values are all at midnight is returned as a date column, as ``generate`` wrote it.

    Raises:
        DataError: the file is missing or malformed.
    """
    path = Path(path)
    fmt = table_format(path)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    try:
        check_table_file(path)  # a FIFO or a device would hang or never end
        if fmt == "parquet":
            return pq.read_table(path)
        if fmt == "csv":  # nulls as `infer` reads them (NA, null, N/A... and empty), so the two agree
            return pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(strings_can_be_null=True))
        return _read_jsonl(path)
    except InputFileError as exc:
        raise DataError(exc.message) from None
    except (pa.ArrowException, OSError, orjson.JSONDecodeError, ReadError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"{path}: cannot read as {fmt}: {first}") from exc


def _read_jsonl(path: Path) -> pa.Table:
    if not path.read_bytes().strip():
        return pa.table({})
    try:
        table = pa_json.read_json(path)
    except pa.ArrowInvalid:  # mixed types in a column: read every record, let Arrow unify as text
        records = jsonl_records(path.read_bytes())
        names = list(dict.fromkeys(key for record in records for key in record))
        table = pa.table({
            name: pa.array([None if (v := r.get(name)) is None else str(v) for r in records], pa.string())
            for name in names
        })
    columns = []
    for column in table.columns:
        if pat.is_string(column.type) or pat.is_large_string(column.type):
            column = _iso_instants(column)
        if pat.is_timestamp(column.type) and column.type.tz is None and _all_midnight(column):
            column = column.cast(pa.timestamp("s"), safe=False).cast(pa.date32())
        columns.append(column)
    return pa.table(columns, names=table.column_names)


_ISO = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$"


def _iso_instants(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A text column whose every value is an ISO 8601 date or timestamp, as timestamps (zoned, in
    UTC, when the text has offsets); any other column as it is."""
    valid = pc.drop_null(column)
    if len(valid) == 0 or not pc.all(pc.match_substring_regex(valid, _ISO)).as_py():
        return column
    zoned = pc.any(pc.match_substring_regex(valid, r"(Z|[+-]\d{2}:?\d{2})$")).as_py()
    try:
        stamps = pd.to_datetime(pd.Series(column.to_pylist(), dtype=object), format="ISO8601", utc=bool(zoned))
    except (ValueError, OverflowError):
        return column
    return pa.chunked_array([pa.Array.from_pandas(stamps)])


def _all_midnight(column: pa.ChunkedArray) -> bool:
    valid = pc.drop_null(column)
    if len(valid) == 0:
        return False
    nanos = pc.cast(valid, pa.timestamp("ns"), safe=False).cast(pa.int64()).to_numpy()
    return bool((nanos % 86_400_000_000_000 == 0).all())


def read_dataset(path: str | Path) -> dict[str, pa.Table]:
    """Every table of a dataset: one file, or a folder of files named by table.

    Hidden files (``generate``'s temporary files) are skipped; when a table has several files,
    Parquet wins over JSON Lines over CSV.

    Raises:
        DataError: the path is missing, holds no table file, or a file cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    if not path.is_dir() or path.suffix.lower() == ".parquet":
        return {path.stem: read_table(path)}
    found = dataset_files(path)
    if not found:
        raise DataError(f"{path}: no .csv, .jsonl or .parquet file in this folder")
    return {name: read_table(file) for name, file in found.items()}


def write_table(table: pa.Table, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``table`` to ``path`` atomically: a hidden temporary file, renamed when complete.

    Args:
        table: the data.
        path: the final file.
        fmt: ``csv``, ``jsonl`` or ``parquet``; by default from ``path``'s extension.

    Raises:
        DataError: the file cannot be written.
    """
    path = Path(path)
    fmt = fmt or table_format(path)
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        outputs.remove_stale(path.parent)
        out, temp = outputs.create_temp(path.parent, path.name)  # exclusive: never through a symlink
        with out:
            if fmt == "parquet":
                pq.write_table(table, out)
            elif fmt == "csv":
                pa_csv.write_csv(table, out)
            else:
                # The JSON Lines encoder joins plain strings: large ones (pandas' default) are cast per block.
                schema = pa.schema([f.with_type(pa.string()) if pat.is_large_string(f.type) else f
                                    for f in table.schema])
                for batch in table.to_batches(max_chunksize=65_536):
                    out.write(encode_jsonl(batch.cast(schema) if schema != table.schema else batch))
        os.replace(temp, path)
    except (OSError, pa.ArrowException) as exc:
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        raise DataError(f"cannot write {path}: {reason}") from exc
    finally:
        if temp is not None and temp.exists():
            temp.unlink()
    return path
