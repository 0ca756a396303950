"""File writers: CSV, JSON Lines, Parquet and SQL scripts, streamed block by block and written
atomically.

Each table is written to a hidden temporary file in the target folder; only when every table
is complete are they renamed into place, so a failed run leaves no half-written file.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from rulegen.errors import Diagnostic, OutputError
from rulegen.io.jsonl import encode_jsonl
from rulegen.io.sql import SqlScript, insert_rows

__all__ = ["FORMATS", "TableOutput", "TableWriter", "write_tables"]


@dataclass(frozen=True, slots=True)
class TableOutput:
    """What to write for one table: its schema, its batches (made on demand), and the columns
    with few distinct values (dictionary-encoded where the format can)."""

    name: str
    schema: pa.Schema
    batches: Callable[[], Iterable[pa.RecordBatch]]
    categorical: tuple[str, ...] = ()
    script: SqlScript | None = None  # for the sql format


class TableWriter(ABC):
    """Writes one table's batches to one file."""

    extension: ClassVar[str]

    def __init__(self, path: Path, table: TableOutput) -> None:
        self.path, self.schema = path, table.schema

    @abstractmethod
    def write(self, batch: pa.RecordBatch) -> None:
        """Append one block."""

    @abstractmethod
    def close(self) -> None:
        """Flush and close the file."""


class CsvWriter(TableWriter):
    """CSV with a header row; nulls are empty fields, booleans `true`/`false`."""

    extension = "csv"

    def __init__(self, path: Path, table: TableOutput) -> None:
        super().__init__(path, table)
        self._writer = pa_csv.CSVWriter(str(path), table.schema)

    def write(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(batch)

    def close(self) -> None:
        self._writer.close()


class JsonlWriter(TableWriter):
    """One JSON object per line; dates and timestamps as ISO 8601 text."""

    extension = "jsonl"

    def __init__(self, path: Path, table: TableOutput) -> None:
        super().__init__(path, table)
        self._file = open(path, "wb")  # noqa: SIM115 - closed by close()

    def write(self, batch: pa.RecordBatch) -> None:
        self._file.write(encode_jsonl(batch))

    def close(self) -> None:
        self._file.close()


class ParquetWriter(TableWriter):
    """Parquet with one row group per block (snappy: fast to write and read).

    Only columns with few distinct values are dictionary-encoded: for keys and free text the
    dictionary costs time and space and is abandoned anyway.
    """

    extension = "parquet"

    def __init__(self, path: Path, table: TableOutput) -> None:
        super().__init__(path, table)
        self._writer = pq.ParquetWriter(str(path), table.schema, use_dictionary=list(table.categorical))

    def write(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(batch)

    def close(self) -> None:
        self._writer.close()


class SqlWriter(TableWriter):
    """A SQL script: the table's DDL, then multi-row ``INSERT``s, in one transaction."""

    extension = "sql"

    def __init__(self, path: Path, table: TableOutput) -> None:
        super().__init__(path, table)
        assert table.script is not None, "the sql format needs the table's script"
        self.name, self.script = table.name, table.script
        self._file = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed by close()
        self._file.write(f"-- {table.name}: written by rulegen ({self.script.dialect.name})\n")
        self._file.write("BEGIN;\n" if self.script.dialect.name != "mysql" else "START TRANSACTION;\n")
        self._file.write(self.script.before + ";\n")

    def write(self, batch: pa.RecordBatch) -> None:
        self._file.writelines(insert_rows(self.name, batch, self.script.dialect))

    def close(self) -> None:
        if self.script.after:
            self._file.write(self.script.after + ";\n")
        self._file.write("COMMIT;\n")
        self._file.close()


FORMATS: dict[str, type[TableWriter]] = {
    w.extension: w for w in (CsvWriter, JsonlWriter, ParquetWriter, SqlWriter)
}


def write_tables(tables: Iterable[TableOutput], out_dir: str | Path, fmt: str = "csv") -> dict[str, Path]:
    """Write each table to ``out_dir/NAME.FORMAT``, all or nothing.

    Returns:
        The final path of each table.

    Raises:
        OutputError: the folder or a file cannot be written (the original error is chained).
    """
    writer_cls = FORMATS[fmt]
    out = Path(out_dir)
    done: dict[str, tuple[Path, Path]] = {}
    current: Path | None = None
    try:
        out.mkdir(parents=True, exist_ok=True)
        for table in tables:
            final = out / f"{table.name}.{writer_cls.extension}"
            current = out / f".{final.name}.{os.getpid()}.tmp"
            writer = writer_cls(current, table)
            try:
                for batch in table.batches():
                    writer.write(batch)
            finally:
                writer.close()
            done[table.name] = (current, final)
            current = None
        for temp, final in done.values():
            os.replace(temp, final)
    except OSError as exc:
        raise OutputError([Diagnostic("RG501", f"cannot write {exc.filename or out}: {exc.strerror}")]) from exc
    finally:
        for temp in [current, *(t for t, _ in done.values())]:
            if temp is not None and temp.exists():
                temp.unlink()
    return {name: final for name, (_, final) in done.items()}
