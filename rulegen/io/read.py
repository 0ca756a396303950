"""Find and open the files ``generate`` writes, for every command that reads them back.

``check`` (:mod:`rulegen.checking.read`), ``compare`` and ``augment``
(:mod:`rulegen.fidelity.datafiles`) read the same files: ``NAME.parquet`` (a file, or a folder
of Parquet parts as ``--engine dask`` writes), ``NAME.jsonl`` or ``NAME.csv``, Parquet winning
over JSON Lines over CSV when a table has several. What they share lives here:

- where a table's files are (:func:`table_files`, :func:`dataset_files`): only entries directly
  inside the folder, so no table name can lead a reader anywhere else;
- that a file is data before any reader opens it (:func:`check_table_file`): a regular file, or
  a folder of regular Parquet parts, never a FIFO that would hang or a device that never ends;
- the CSV null convention of the writer and the JSON Lines records of a file.

What the readers make of the values (plan types for ``check``, Arrow's inference for
``compare``) stays with them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from rulegen.io.inputs import check_regular_file

__all__ = ["CSV_NULLS", "EXTENSIONS", "ReadError", "check_table_file", "csv_nulls", "dataset_files",
           "jsonl_records", "table_files"]

EXTENSIONS = ("parquet", "jsonl", "csv")  # which file wins when a table has several

# Only an unquoted empty field is null, as the writer makes them: `""` is an empty string, and
# `NA` or `null` are text like any other.
CSV_NULLS: dict[str, Any] = {"null_values": [""], "strings_can_be_null": True, "quoted_strings_can_be_null": False}


def csv_nulls(columns: int) -> dict[str, Any]:
    """The null convention of a CSV file of ``columns`` columns: :data:`CSV_NULLS`, except that in a
    one-column file ``""`` is a null too (the writer's null of a row alone, never an empty line)."""
    return {**CSV_NULLS, "quoted_strings_can_be_null": columns == 1}


class ReadError(Exception):
    """A file exists but cannot be read as its format (a line of JSON Lines that is not an object)."""


def table_files(directory: Path, table: str) -> list[Path]:
    """The files ``generate`` may have written for ``table`` in ``directory``, preferred first.

    Only entries directly inside ``directory`` are looked at: a table name that would lead
    anywhere else (``../x``, ``/etc/x``) finds no file, and nothing outside is ever read.
    """
    inside = directory.resolve()
    found = []
    for ext in EXTENSIONS:
        name = f"{table}.{ext}"
        if "\0" in name or "/" in name or (os.altsep is not None and os.altsep in name):
            return []
        path = directory / name
        if path.parent.resolve() == inside and path.exists():
            found.append(path)
    return found


def dataset_files(directory: Path) -> dict[str, Path]:
    """Each table's preferred file in ``directory``, by table name (the file's stem).

    Hidden entries (temporary files of a run) and folders other than ``NAME.parquet`` are
    skipped.
    """
    found: dict[str, Path] = {}
    for entry in sorted(directory.iterdir()):
        fmt = entry.suffix.lower().lstrip(".")
        if entry.name.startswith(".") or fmt not in EXTENSIONS or (entry.is_dir() and fmt != "parquet"):
            continue
        current = found.get(entry.stem)
        if current is None or EXTENSIONS.index(fmt) < EXTENSIONS.index(current.suffix.lower().lstrip(".")):
            found[entry.stem] = entry
    return found


def check_table_file(path: Path) -> None:
    """Refuse ``path`` unless it is a regular file, or a ``.parquet`` folder of regular parts.

    Raises:
        InputFileError: a FIFO, a device, a socket (or a part that is one), or another folder.
        OSError: it cannot be opened.
    """
    if path.suffix.lower() != ".parquet" or not path.is_dir():
        check_regular_file(path, "data file")
        return
    for part in path.iterdir():
        if not part.name.startswith((".", "_")):  # what Arrow's dataset discovery skips
            check_regular_file(part, "Parquet part")


def jsonl_records(data: bytes) -> list[dict[str, Any]]:
    """The objects of a JSON Lines text, one per non-blank line.

    Raises:
        ReadError: a line is not a JSON object.
        orjson.JSONDecodeError: a line is not JSON.
    """
    records = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        record = orjson.loads(line)
        if not isinstance(record, dict):
            raise ReadError(f"line {number} is not a JSON object")
        records.append(record)
    return records
