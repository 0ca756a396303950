"""``sample``: bootstrap draws from a column of real data (CSV or Parquet), with ``jitter``.

``from`` is a path relative to the spec file, and must stay inside the spec's folder: a spec
someone else wrote cannot read other files of the machine into generated data. A table with
``sample_rows: {from: FILE}`` bootstraps whole rows: its ``sample`` columns without a ``from``
take the same source row on each generated row (drawn once per row from the table's own
stream), so they keep their joint distribution. Such columns are redrawn together when a
constraint fails, like a copula group.

``jitter: J`` multiplies each number by a uniform factor in [1 - J, 1 + J] (integers are rounded
back), so numbers vary without leaving the source's neighbourhood.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.engine.random import block_rng, stream_key
from rulegen.errors import Diagnostic, did_you_mean
from rulegen.io.inputs import MAX_SAMPLE_BYTES, InputFileError, open_regular_file
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.registry import register
from rulegen.kinds.validity import numbers, unknown, verdict

__all__ = ["Sample", "read_source", "source_path"]

SOURCES = (".csv", ".parquet", ".pq")
ROWS_PURPOSE = "sample_rows"  # the stream of source rows a `sample_rows` table draws


def source_path(text: str, base_dir: str) -> Path | str:
    """The file ``text`` names, relative to ``base_dir``; or, as text, why it cannot be read."""
    if "\0" in text:
        return f"must be a file name, got {text!r} (it holds a NUL character)"
    base = Path(base_dir).resolve()
    path = (base / text).resolve()
    if not path.is_relative_to(base):
        return f"must be inside the spec's folder ({base}), got {text!r}"
    if path.suffix.lower() not in SOURCES:
        return f"must be a .csv or .parquet file, got {text!r}"
    if not path.exists():
        return f"no such file: {text!r} (relative to {base})"
    return path


_UTF8_CHUNK = 1 << 24  # bytes decoded at a time while looking for the first invalid one


class SourceTextError(ValueError):
    """A CSV source that is not UTF-8 text; the message says where its first invalid byte is."""


@functools.lru_cache(maxsize=16)
def _read(path: Path, mtime: float) -> pa.Table:
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    # A regular file of bounded size, checked on the descriptor the reader gets: never a FIFO.
    with open_regular_file(path, "sample file", MAX_SAMPLE_BYTES) as file:
        if path.suffix.lower() != ".csv":
            return pq.read_table(file)
        # An empty field is a null, as spreadsheets and pandas write them.
        try:
            table = pa_csv.read_csv(file, convert_options=pa_csv.ConvertOptions(strings_can_be_null=True))
            table = table.combine_chunks()  # a header that is not UTF-8 fails here, decoding its names
        except (pa.ArrowInvalid, UnicodeDecodeError):
            file.seek(0)
            _check_utf8(file.read())
            raise
        # Arrow reads a column that is not UTF-8 as bytes, which no output format can write.
        if any(pa.types.is_binary(t) or pa.types.is_large_binary(t) for t in table.schema.types):
            file.seek(0)
            _check_utf8(file.read())
        return table


def _check_utf8(data: bytes) -> None:
    """Raise :class:`SourceTextError` at the first byte of ``data`` that is not UTF-8, naming its
    offset and line (decoded a chunk at a time: the file may be a gigabyte)."""
    start = 0
    while start < len(data):
        chunk = data[start:start + _UTF8_CHUNK]
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data" and start + len(chunk) < len(data):
                start += exc.start  # a character cut by the chunk's end: the next chunk starts on it
                continue
            at = start + exc.start
            line = data.count(b"\n", 0, at) + 1
            column = at - data.rfind(b"\n", 0, at)
            raise SourceTextError(f"it is not UTF-8 text: byte 0x{data[at]:02x} at offset {at:,} (line {line}, "
                                  f"byte {column} of the line) is invalid") from None
        start += len(chunk)


def read_source(path: Path) -> pa.Table:
    """The whole table in a source file (read once per run while the file is unchanged).

    Raises:
        InputFileError: the file is not a regular file, or is larger than ``MAX_SAMPLE_BYTES``.
        SourceTextError: a CSV file is not UTF-8 text.
        OSError, pyarrow.ArrowException: it cannot be read as CSV or Parquet.
    """
    table = _read(path, path.stat().st_mtime)
    return table.combine_chunks()


@register
class Sample(Kind):
    """Values drawn with replacement from a column of a CSV or Parquet file."""

    name = "sample"
    summary = "bootstrap draws from a column of a CSV or Parquet file (relative to the spec), with `jitter`"
    options = {
        "from": {"type": "string", "description": "a .csv or .parquet file, relative to the spec file "
                                                  "(default: the table's `sample_rows`)"},
        "column": {"type": "string", "description": "the file's column (default: this column's name)"},
        "jitter": {"type": "number", "minimum": 0, "maximum": 1,
                   "description": "relative noise on numbers: each is multiplied by U[1 - J, 1 + J]"},
    }
    example = {"kind": "sample", "from": "data/prices.csv", "column": "price", "jitter": 0.05}

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.values: pa.Array = pa.array([])
        self.joint = False  # drawn with the table's other `sample_rows` columns

    def check(self, table: Any) -> list[Diagnostic]:
        if self.option("from") is None and table.sample_rows is None:
            return [Diagnostic("RG204", "a `sample` needs `from` (or the table's `sample_rows`)",
                               self.column.pointer)]
        self.joint = self.option("from") is None
        return []

    def compile(self, env: CompileEnv) -> None:
        text = self.option("from") or env.table.sample_rows
        pointer = self.pointer("from") if self.option("from") else env.table.pointer + "/sample_rows/from"
        path = source_path(text, env.base_dir)
        if isinstance(path, str):
            env.report("RG226", path, pointer)
            return
        try:
            source = read_source(path)
        except InputFileError as exc:
            env.report(exc.code, f"cannot read {text!r}: it {exc.reason}", pointer)
            return
        except SourceTextError as exc:
            env.report("RG226", f"cannot read {text!r}: {exc}", pointer,
                       hint="save the file as UTF-8 (from Latin-1: iconv -f latin1 -t utf-8)")
            return
        except (OSError, pa.ArrowException) as exc:
            env.report("RG226", f"cannot read {text!r}: {exc}", pointer)
            return
        name = self.option("column", self.column.name)
        if name not in source.column_names:
            env.report("RG212", f"{text!r} has no column `{name}`", self.pointer("column") if self.option("column")
                       else self.column.pointer, hint=did_you_mean(name, source.column_names))
            return
        if source.num_rows == 0:
            env.report("RG226", f"{text!r} has no rows to sample", pointer)
            return
        self.values = source.column(name).combine_chunks()
        if pa.types.is_binary(self.values.type) or pa.types.is_large_binary(self.values.type):
            env.report("RG226", f"column `{name}` of {text!r} holds bytes, not text or numbers: no output "
                                "format writes them", pointer, hint="store the column as text (UTF-8)")
            return
        self.type = self.values.type if not pa.types.is_null(self.values.type) else pa.string()
        jitter = self.option("jitter") or 0
        if jitter and (pa.types.is_integer(self.type) or pa.types.is_floating(self.type)):
            self._check_jitter(jitter, text, env)

    def _check_jitter(self, jitter: float, text: str, env: CompileEnv) -> None:
        """Refuse a jitter that moves the source's largest number past its type (a float past
        1.8e308 is infinite, an integer past 2**63 - 1 does not fit)."""
        low, high = (abs(v.as_py() or 0) for v in pc.min_max(self.values).values())
        largest = float(max(low, high)) * (1 + jitter)  # in floats, as the jitter is drawn
        if largest < (2.0**63 if pa.types.is_integer(self.type) else math.inf):
            return
        kind = "64-bit integers" if pa.types.is_integer(self.type) else "64-bit floats"
        env.report("RG281", f"jitter {jitter} moves the values of {text!r} (up to {max(low, high):,}) past the "
                            f"{kind}", self.pointer("jitter"), hint="lower `jitter`, or leave it out")

    def low_cardinality(self) -> bool:
        return len(self.values) > 0 and len(pc.unique(self.values)) <= 256

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """A value of the source column (numbers within the ``jitter`` band of its range)."""
        makes_null = self.values.null_count > 0
        jitter = self.option("jitter") or 0
        if jitter and (pa.types.is_integer(self.type) or pa.types.is_floating(self.type)):
            x, nulls = numbers(values)
            source, _ = numbers(self.values.drop_null())
            low, high = np.min(source), np.max(source)
            low, high = min(low * (1 - jitter), low * (1 + jitter)), max(high * (1 - jitter), high * (1 + jitter))
            return verdict((x >= low - within - 0.5) & (x <= high + within + 0.5), nulls, makes_null)
        if within:
            return unknown(values, null=makes_null)
        nulls = values.is_null().to_numpy(zero_copy_only=False)
        found = pc.is_in(values, value_set=self.values.drop_null().cast(values.type)).fill_null(False)
        return verdict(found.to_numpy(zero_copy_only=False), nulls, makes_null)

    def do_evaluate(self, ctx: Any) -> pa.Array:
        rng = block_rng(stream_key(ctx.seed, ctx.table, "", ROWS_PURPOSE), ctx.block, ctx.attempt) \
            if self.joint else ctx.rng()
        index = rng.integers(0, len(self.values), size=ctx.n)
        values = self.values.take(pa.array(index))
        jitter = self.option("jitter") or 0
        if not jitter or not (pa.types.is_integer(self.type) or pa.types.is_floating(self.type)):
            return values
        factor = 1 + jitter * (2 * ctx.rng("jitter").random(ctx.n) - 1)
        jittered = values.to_numpy(zero_copy_only=False).astype(np.float64) * factor
        if pa.types.is_integer(self.type):
            jittered = np.round(jittered)
        return pa.array(jittered, mask=values.is_null().to_numpy(zero_copy_only=False)).cast(self.type)
