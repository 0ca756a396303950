"""File writers: CSV, JSON Lines, Parquet and SQL scripts, streamed block by block and written
atomically.

Each table is written to a hidden temporary file in the target folder, created exclusively
(never through a symlink); only when every table is complete are they renamed into place, all
or none (:mod:`rulegen.io.outputs`), so a failed or killed run leaves no half-written file and
no mix of new and old files. Whatever a table is called, its file lands directly in the folder.

Tables made together (a parent and the children its aggregates read, see
:mod:`rulegen.engine.costream`) are written together: their files are open at once, and each
block is appended to its own table's file as the group streams.
"""

from __future__ import annotations

import contextlib
import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.types as pat

from rulegen.io import outputs
from rulegen.io.durations import seconds_columns
from rulegen.io.jsonl import encode_jsonl
from rulegen.io.manifest import MANIFEST_NAME
from rulegen.io.parquet import ParquetAssembler, ParquetEncoder
from rulegen.io.sql import SqlScript, comment, insert_rows

if TYPE_CHECKING:
    import pyarrow.parquet as pq  # (imported by the Parquet writer when it writes: CSV needs none of it)

__all__ = ["FORMATS", "Encoder", "TableOutput", "TableWriter", "write_tables"]


Encoder = Callable[[pa.RecordBatch], bytes | pa.Buffer]  # one block's bytes in the file; picklable


@dataclass(frozen=True, slots=True)
class TableOutput:
    """What to write for one table: its schema, its blocks (made on demand, given the format's
    encoder for blocks made in other processes), and the columns with few distinct values
    (dictionary-encoded where the format can).

    With ``along`` (tables made with this one), ``blocks`` is given every table's encoder, this
    one's first, and yields ``(position, block)`` pairs: position 0 for this table's blocks,
    i for those of ``along[i - 1]``, each table's blocks in order (``along``'s own ``blocks``
    are not called).
    """

    name: str
    schema: pa.Schema
    blocks: Callable[..., Iterable[Any]]
    categorical: tuple[str, ...] = ()
    script: SqlScript | None = None  # for the sql format
    along: tuple[TableOutput, ...] = ()


class TableWriter(ABC):
    """Writes one table to one file: a head, then each block, then a tail.

    Encoding is the costly part: a block made in a worker process comes already encoded by
    :attr:`encode` (:meth:`append`); one made here is encoded here (:meth:`write`). Either way
    the file has the same bytes.
    """

    extension: ClassVar[str]

    def __init__(self, path: Path, table: TableOutput) -> None:
        self.path, self.schema = path, table.schema
        self._file = outputs.open_new(path)  # exclusive; closed by close()
        self.encode = self.encoder(table)

    @staticmethod
    @abstractmethod
    def encoder(table: TableOutput) -> Encoder:
        """The function from a block to its bytes in the file (picklable, for worker processes)."""

    def write(self, batch: pa.RecordBatch) -> None:
        """Append one block."""
        self.append(self.encode(batch))

    def append(self, data: bytes | pa.Buffer) -> None:
        """Append one block encoded by :attr:`encode`."""
        self._file.write(data)

    def close(self) -> None:
        """Finish and close the file."""
        self._file.close()

    def abandon(self) -> None:
        """Close the file after a failure (it is removed): whatever fails now is not the news."""
        with contextlib.suppress(Exception):
            self.close()
        with contextlib.suppress(OSError):
            self._file.close()


class CsvWriter(TableWriter):
    """CSV with a header row; nulls are empty fields, booleans `true`/`false`.

    A null that is a row's only field is written ``""``: an empty line is skipped by pandas and
    Arrow, which would lose the row. ``rulegen check`` reads ``""`` in a one-column file as a null
    (:func:`rulegen.io.read.csv_nulls`), so an empty string of a one-column text table reads back
    as a null, as pandas reads every empty field.
    """

    extension = "csv"

    def __init__(self, path: Path, table: TableOutput) -> None:
        super().__init__(path, table)
        pa_csv.write_csv(table.schema.empty_table(), self._file)  # the header line

    @staticmethod
    def encoder(table: TableOutput) -> Encoder:
        return _csv_rows


def _csv_rows(batch: pa.RecordBatch) -> bytes:
    batch = seconds_columns(batch)
    if batch.num_columns == 1 and batch.column(0).null_count:
        return _lone_column_rows(batch)
    return _csv_bytes(batch)


def _csv_bytes(batch: pa.RecordBatch) -> bytes:
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(batch, sink, pa_csv.WriteOptions(include_header=False))
    return sink.getvalue().to_pybytes()


_NULL_FIELD = b'""'


def _lone_column_rows(batch: pa.RecordBatch) -> bytes:
    """The rows of a one-column block with nulls, each null written ``""`` (see CsvWriter)."""
    column = batch.column(0)
    if pat.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pat.is_string(column.type) or pat.is_large_string(column.type):
        # Text may span lines: its nulls become a marker no value holds, always written quoted.
        marker = _absent_marker(column)
        filled = pa.record_batch([pc.fill_null(column, marker)], names=batch.schema.names)
        return _csv_bytes(filled).replace(b'"' + marker.encode() + b'"', _NULL_FIELD)
    lines = np.array(_csv_bytes(batch).split(b"\n"), dtype=object)  # a line per row: no other type breaks lines
    lines[:len(column)][column.is_null().to_numpy(zero_copy_only=False)] = _NULL_FIELD
    return b"\n".join(lines)


def _absent_marker(column: pa.Array) -> str:
    """A text that no value of ``column`` holds."""
    number = 0
    while pc.any(pc.match_substring(column, f"\x1enull{number}\x1e")).as_py():
        number += 1
    return f"\x1enull{number}\x1e"


class JsonlWriter(TableWriter):
    """One JSON object per line; dates and timestamps as ISO 8601 text."""

    extension = "jsonl"

    @staticmethod
    def encoder(table: TableOutput) -> Encoder:
        return encode_jsonl


class ParquetWriter(TableWriter):
    """Parquet with one row group per block (snappy: fast to write and read).

    Blocks made here stream through one Arrow writer; blocks encoded by workers are assembled
    by byte copies (:mod:`rulegen.io.parquet`), which gives the same file. Only columns with few
    distinct values are dictionary-encoded: for keys and free text the dictionary costs time
    and space and is abandoned anyway.
    """

    extension = "parquet"

    def __init__(self, path: Path, table: TableOutput) -> None:
        super().__init__(path, table)
        self._writer: pq.ParquetWriter | None = None
        self._assembler: ParquetAssembler | None = None

    @staticmethod
    def encoder(table: TableOutput) -> ParquetEncoder:
        return ParquetEncoder(table.schema, table.categorical)

    def write(self, batch: pa.RecordBatch) -> None:
        assert self._assembler is None, "blocks of one table are all encoded here or all elsewhere"
        if self._writer is None:
            self._writer = self.encode.writer(self._file)  # type: ignore[attr-defined]
        self._writer.write_batch(batch)

    def append(self, data: bytes | pa.Buffer) -> None:
        assert self._writer is None, "blocks of one table are all encoded here or all elsewhere"
        if self._assembler is None:
            self._assembler = ParquetAssembler(self._file)
        self._assembler.append(data)

    def close(self) -> None:
        if self._assembler is not None:
            self._assembler.finish()
        else:  # also a table without rows: the schema alone
            (self._writer or self.encode.writer(self._file)).close()  # type: ignore[attr-defined]
        super().close()


class SqlWriter(TableWriter):
    """A SQL script: the table's DDL, then multi-row ``INSERT``s, in one transaction."""

    extension = "sql"

    def __init__(self, path: Path, table: TableOutput) -> None:
        super().__init__(path, table)
        assert table.script is not None, "the sql format needs the table's script"
        self.script = table.script
        begin = "BEGIN;" if self.script.dialect.name != "mysql" else "START TRANSACTION;"
        self._text(f"-- {comment(table.name)}: written by rulegen ({self.script.dialect.name})\n{begin}\n"
                   f"{self.script.before};\n")

    @staticmethod
    def encoder(table: TableOutput) -> Encoder:
        assert table.script is not None, "the sql format needs the table's script"
        return functools.partial(_sql_inserts, table.name, table.script)

    def close(self) -> None:
        if self.script.after:
            self._text(self.script.after + ";\n")
        self._text("COMMIT;\n")
        super().close()

    def _text(self, text: str) -> None:
        self._file.write(text.encode("utf-8"))


def _sql_inserts(name: str, script: SqlScript, batch: pa.RecordBatch) -> bytes:
    return "".join(insert_rows(name, batch, script.dialect, pointers=script.pointers)).encode("utf-8")


FORMATS: dict[str, type[TableWriter]] = {
    w.extension: w for w in (CsvWriter, JsonlWriter, ParquetWriter, SqlWriter)
}


def write_tables(tables: Iterable[TableOutput], out_dir: str | Path, fmt: str = "csv",
                 manifest: Callable[[Mapping[str, Path]], bytes] | None = None) -> dict[str, Path]:
    """Write each table to ``out_dir/NAME.FORMAT``, all or nothing.

    Temporary files that killed runs left in ``out_dir`` are removed first. ``manifest``, given
    the tables' final paths, makes the bytes of the manifest (:mod:`rulegen.io.manifest`),
    published with the tables.

    Returns:
        The final path of each table.

    Raises:
        OutputError: a name that would put a file outside ``out_dir`` (RG512), a full disk
            (RG510), a file size limit (RG511), a file that cannot be renamed into place
            (RG513), or any other write failure (RG501). Nothing is left behind, and the files
            already in ``out_dir`` are as they were.
    """
    writer_cls = FORMATS[fmt]
    out = Path(out_dir)
    done: dict[str, tuple[Path, Path]] = {}
    moves: list[tuple[Path, Path]] = []  # every file to publish: the tables', then the manifest
    opened: list[tuple[str, Path, Path]] = []  # the files being written: (table, temp, final)
    failing: Path | None = None  # the final path being written when something fails
    made: list[Path] = []
    published = False
    try:
        made = outputs.make_folder(out)
        outputs.remove_stale(out)
        for table in tables:
            writers = []
            for member in (table, *table.along):
                failing = outputs.contained(out, f"{member.name}.{writer_cls.extension}")
                temp = outputs.contained(out, outputs.temp_name(failing.name))
                opened.append((member.name, temp, failing))
                try:
                    writers.append(writer_cls(temp, member))
                except FileExistsError:  # planted at the new name: not ours to remove
                    opened.pop()
                    raise
            for position in _write_blocks(table, writers):
                failing = opened[position][2]
            done.update((name, (temp, final)) for name, temp, final in opened)
            opened, failing = [], None
        moves = list(done.values())
        if manifest is not None:
            failing = outputs.contained(out, MANIFEST_NAME, "manifest")
            file, temp = outputs.create_temp(out, failing.name)
            opened.append((MANIFEST_NAME, temp, failing))
            with file:
                file.write(manifest({name: path for name, (_, path) in done.items()}))
            moves.append((temp, failing))
            opened, failing = [], None
        try:
            outputs.publish(moves)
        except OSError as exc:
            raise outputs.publish_error(exc, out) from exc
        published = True
    except OSError as exc:
        written = next((_size(temp) for _, temp, final in opened if final == failing), None)
        raise outputs.write_error(exc, out, failing.name if failing is not None else None, written) from exc
    finally:
        for path in [*(t for _, t, _ in opened), *(t for t, _ in done.values()), *(t for t, _ in moves)]:
            with contextlib.suppress(OSError):  # gone already (published), or never made
                path.unlink()
        if not published:
            outputs.remove_made(made)
    return {name: final for name, (_, final) in done.items()}


def _write_blocks(table: TableOutput, writers: list[TableWriter]) -> Iterator[int]:
    """Write the blocks of ``table`` (and of the tables made along with it) with ``writers``
    (one per table, in the same order), and close them; yields the position of the table each
    block is for before writing it (to name its file should the write fail)."""
    blocks = iter(table.blocks(*(writer.encode for writer in writers)))
    try:
        for item in blocks:
            position, block = item if table.along else (0, item)
            yield position
            if isinstance(block, pa.RecordBatch):
                writers[position].write(block)
            else:
                writers[position].append(block)
    except BaseException:
        for writer in writers:
            writer.abandon()
        raise
    finally:
        # Closed now, not whenever a traceback lets go of it: its workers stop at once.
        getattr(blocks, "close", lambda: None)()
    for position, writer in enumerate(writers):
        yield position
        writer.close()


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None
