"""Parquet made block by block in any process, and put together into one file by byte copies.

Encoding is the costly part of writing Parquet. :class:`ParquetEncoder` turns one block into a
small Parquet file of one row group, wherever the block was made (a worker process, a Dask
task); :class:`ParquetAssembler` appends the row groups of such files to one output file: it
copies their bytes, shifts the offsets in their metadata by where they landed, and ends the
file with one footer for all of them. The process that writes the file only copies bytes, so a
run scales with its workers, and the file is the same bytes whoever encoded each block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

import pyarrow as pa

from rulegen.io import thrift

if TYPE_CHECKING:
    import pyarrow.parquet as pq

__all__ = ["ParquetAssembler", "ParquetEncoder"]

_MAGIC = b"PAR1"

# Field ids of parquet.thrift (FileMetaData, RowGroup, ColumnChunk, ColumnMetaData).
_FILE_NUM_ROWS, _FILE_ROW_GROUPS = 3, 4
_GROUP_COLUMNS, _GROUP_FILE_OFFSET, _GROUP_ORDINAL = 1, 5, 7
_CHUNK_OFFSETS = (2, 4, 6)  # file_offset, offset_index_offset, column_index_offset
_CHUNK_META = 3
_META_OFFSETS = (9, 10, 11, 14)  # data, index and dictionary page offsets, bloom filter offset


@dataclass(frozen=True, slots=True)
class ParquetEncoder:
    """One block as a Parquet file of one row group (snappy; dictionaries for ``categorical``)."""

    schema: pa.Schema
    categorical: tuple[str, ...] = ()

    def __call__(self, batch: pa.RecordBatch) -> pa.Buffer:
        return self._encode(pa.Table.from_batches([batch], self.schema))

    def empty(self) -> pa.Buffer:
        """A file with the schema and no row group (what a table without rows is)."""
        return self._encode(self.schema.empty_table())

    def writer(self, sink: pa.NativeFile | BinaryIO | str) -> pq.ParquetWriter:
        """An Arrow writer with these settings: the blocks it is given one by one make the same
        file as their encodings assembled."""
        import pyarrow.parquet as pq  # here: pyarrow.parquet (and its file systems) cost a CSV run 30-40 ms

        return pq.ParquetWriter(sink, self.schema, use_dictionary=list(self.categorical),
                                write_statistics=self.statistics())

    def statistics(self) -> list[str]:
        """The columns whose row groups carry statistics (min, max, null count): all but text.

        A reader skips a row group whose min and max miss its filter, which needs values that
        follow the rows: keys, counters, dates, times. rulegen's text is drawn row by row
        (choices, pools, patterns, templates), so each row group's min and max span about the
        whole domain and never let a reader skip one (TPC-H's filters on text, ``l_shipmode``,
        ``p_type``, ``c_mktsegment``, skip nothing either way), while finding them compares
        every string: 13% of the CPU of a TPC-H run, for text's null counts alone.
        """
        return [f.name for f in self.schema if not _text(f.type)]

    def _encode(self, table: pa.Table) -> pa.Buffer:
        sink = pa.BufferOutputStream()
        with self.writer(sink) as writer:
            if table.num_rows:
                writer.write_table(table, row_group_size=table.num_rows)
        return sink.getvalue()


def _text(value_type: pa.DataType) -> bool:
    if pa.types.is_dictionary(value_type):
        value_type = value_type.value_type
    return (pa.types.is_string(value_type) or pa.types.is_large_string(value_type) or pa.types.is_binary(value_type)
            or pa.types.is_large_binary(value_type))


class ParquetAssembler:
    """Appends the row groups of Parquet files made by one :class:`ParquetEncoder` to ``file``."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._file.write(_MAGIC)
        self._at = len(_MAGIC)
        self._footer: thrift.Struct | None = None  # the first part's, for all but the row groups
        self._groups: list[thrift.Struct] = []
        self._rows = 0

    def append(self, part: bytes | memoryview | pa.Buffer) -> None:
        """Copy the row groups of ``part`` (a whole Parquet file) to the end of the file."""
        view = memoryview(part).cast("B")
        footer_size = int.from_bytes(view[-8:-4], "little")
        footer_start = len(view) - 8 - footer_size
        if view[:4] != _MAGIC or view[-4:] != _MAGIC or footer_start < 4:
            raise ValueError("not a Parquet file")
        footer = thrift.decode(view[footer_start:-8])
        shift = self._at - len(_MAGIC)  # part offsets count from its own start, after its magic
        for group in footer.get(_FILE_ROW_GROUPS).items:
            _shift_group(group, shift, ordinal=len(self._groups))
            self._groups.append(group)
        self._rows += footer.get(_FILE_NUM_ROWS)
        self._footer = self._footer or footer
        self._file.write(view[len(_MAGIC):footer_start])
        self._at += footer_start - len(_MAGIC)

    def finish(self) -> None:
        """End the file with the footer of every row group appended (at least one part is needed)."""
        if self._footer is None:
            raise ValueError("a Parquet file needs at least one part, for its schema")
        self._footer.set(_FILE_NUM_ROWS, self._rows)
        self._footer.get(_FILE_ROW_GROUPS).items = self._groups
        encoded = thrift.encode(self._footer)
        self._file.write(encoded + len(encoded).to_bytes(4, "little") + _MAGIC)


def _shift_group(group: thrift.Struct, shift: int, *, ordinal: int) -> None:
    _shift(group, (_GROUP_FILE_OFFSET,), shift)
    if _GROUP_ORDINAL in group.fields:
        if ordinal < 2**15:
            group.set(_GROUP_ORDINAL, ordinal)
        else:  # an i16: past 32,767 row groups it is left out, as it is optional
            del group.fields[_GROUP_ORDINAL]
    for chunk in group.get(_GROUP_COLUMNS).items:
        _shift(chunk, _CHUNK_OFFSETS, shift)
        if _CHUNK_META in chunk.fields:
            _shift(chunk.get(_CHUNK_META), _META_OFFSETS, shift)


def _shift(value: thrift.Struct, fids: tuple[int, ...], shift: int) -> None:
    for fid in fids:
        if value.get(fid, 0) > 0:  # 0 is no offset: Arrow writes it for the deprecated file_offset
            value.set(fid, value.get(fid) + shift)
