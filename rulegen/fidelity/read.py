"""Read the data `rulegen infer` learns from: CSV and Parquet files, or folders of them.

Each file is one table, named after the file's stem (``orders.csv.gz`` is ``orders``). Up to
``sample_rows`` rows are read into Arrow (the first ones, as ``rulegen introspect --sample``
reads them); the full row count is still counted, without keeping the rest. Every problem is an
:class:`InferError` whose message is one line a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from rulegen.errors import MessageError
from rulegen.fidelity import DEFAULT_SAMPLE_ROWS
from rulegen.fidelity.text_dates import parse_text_dates
from rulegen.io.inputs import InputFileError, check_regular_file
from rulegen.spec.names import folded

__all__ = ["DEFAULT_SAMPLE_ROWS", "InferError", "Source", "read_sources", "spec_names"]

_CSV = (".csv", ".csv.gz", ".csv.bz2", ".tsv")
_PARQUET = (".parquet", ".pq")
_BLOCK = 16 << 20  # bytes per CSV block: column types are inferred from the first one


class InferError(MessageError):
    """The data given to ``rulegen infer`` cannot be read (a missing file, an unreadable one...).
    Its text is one line."""

    code = "RG530"


@dataclass(frozen=True, slots=True)
class Source:
    """One table's data: the rows read (at most the sample), and how many the file holds."""

    name: str
    path: Path
    data: pa.Table
    rows: int
    renamed: dict[str, str] = field(default_factory=dict)  # a column's name in the spec -> in the file
    text_dates: dict[str, str] = field(default_factory=dict)  # a column of dates read from text -> their format

    @property
    def complete(self) -> bool:
        """Whether every row of the file was read."""
        return self.data.num_rows >= self.rows


def read_sources(paths: list[str | Path], *, sample_rows: int = DEFAULT_SAMPLE_ROWS) -> list[Source]:
    """The tables in ``paths`` (files, or folders whose CSV and Parquet files are read), in order."""
    if sample_rows < 1:
        raise InferError(f"--sample-rows must be at least 1, got {sample_rows}")
    files = [file for path in paths for file in _expand(Path(path))]
    if not files:
        raise InferError("no data given: name CSV or Parquet files, or folders holding them")
    seen: dict[str, Path] = {}
    for file in files:
        name = table_name(file)
        if name in seen:
            raise InferError(f"{file} and {seen[name]} would both be table `{name}`: rename one")
        seen[name] = file
    return [_read(file, sample_rows) for file in files]


def table_name(path: Path) -> str:
    """``data/orders.csv.gz`` -> ``orders``."""
    name = path.name
    for suffix in sorted(_CSV + _PARQUET, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(_CSV):
        return "csv"
    if name.endswith(_PARQUET):
        return "parquet"
    return None


def _expand(path: Path) -> list[Path]:
    if not path.exists():
        raise InferError(f"{path}: no such file or folder")
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.is_file() and _kind(p) is not None)
        if not found:
            raise InferError(f"{path}: the folder holds no .csv or .parquet file")
        return found
    if _kind(path) is None:
        raise InferError(f"{path}: not a CSV or Parquet file (expected .csv, .csv.gz, .tsv, .parquet or .pq)")
    return [path]


def _read(path: Path, limit: int) -> Source:
    try:
        check_regular_file(path, "data file")  # a FIFO or a device would hang or never end
        data, rows = _read_parquet(path, limit) if _kind(path) == "parquet" else _read_csv(path, limit)
    except InferError:
        raise
    except InputFileError as exc:
        raise InferError(exc.message) from None
    except (OSError, pa.ArrowException) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise InferError(f"{path}: cannot read it: {message}") from exc
    if not data.num_columns:
        raise InferError(f"{path}: no columns")
    names = spec_names(data.column_names)
    renamed = {new: old for new, old in zip(names, data.column_names, strict=True) if new != old}
    data = data.rename_columns(names) if renamed else data
    text_dates = {}
    for index, name in enumerate(data.column_names):
        column = data.column(index)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            parsed = parse_text_dates(column.combine_chunks())
            if parsed is not None:
                data = data.set_column(index, name, parsed[0])
                text_dates[name] = parsed[1]
    return Source(name=table_name(path), path=path, data=data, rows=rows, renamed=renamed, text_dates=text_dates)


def spec_names(columns: list[str]) -> list[str]:
    """The columns' names as a spec may hold them: without white space around them, ``unnamed``
    for an empty one (the index pandas' ``to_csv`` writes under an empty header), and unique
    once case is folded (DAAG's ``science`` has ``Class`` and ``class``, which a spec refuses:
    RG244). A name that must change gets ``_2``, ``_3``...; the others keep theirs."""
    used: set[str] = set()
    kept: list[str | None] = []
    for column in columns:
        keep = bool(column) and column == column.strip() and folded(column) not in used
        if keep:
            used.add(folded(column))
        kept.append(column if keep else None)
    names = []
    for column, name in zip(columns, kept, strict=True):
        if name is None:
            base = column.strip() or "unnamed"
            name, number = base, 1
            while folded(name) in used:
                number += 1
                name = f"{base}_{number}"
            used.add(folded(name))
        names.append(name)
    return names


def _csv_options(path: Path) -> tuple[object, object, object]:
    import pyarrow.csv as csv

    delimiter = "\t" if path.name.lower().endswith(".tsv") else ","
    return (csv.ReadOptions(block_size=_BLOCK), csv.ParseOptions(delimiter=delimiter),
            csv.ConvertOptions(strings_can_be_null=True))


def _read_csv(path: Path, limit: int) -> tuple[pa.Table, int]:
    import pyarrow.csv as csv

    read, parse, convert = _csv_options(path)
    reader = csv.open_csv(path, read_options=read, parse_options=parse, convert_options=convert)
    batches, kept = [], 0
    complete = True
    for batch in reader:
        batches.append(batch.slice(0, limit - kept))
        kept += batches[-1].num_rows
        if kept >= limit:
            complete = False
            break
    data = pa.Table.from_batches(batches, schema=reader.schema)
    return data, kept if complete else _count_csv(path)


def _count_csv(path: Path) -> int:
    """All the rows of a CSV file, read as text in one column so that types do not matter."""
    import pyarrow.csv as csv

    read, parse, _ = _csv_options(path)
    first = csv.open_csv(path, read_options=read, parse_options=parse).schema.names[0]
    convert = csv.ConvertOptions(include_columns=[first], column_types={first: pa.string()})
    return sum(batch.num_rows for batch in csv.open_csv(path, read_options=read, parse_options=parse,
                                                        convert_options=convert))


def _read_parquet(path: Path, limit: int) -> tuple[pa.Table, int]:
    import pyarrow.parquet as pq

    file = pq.ParquetFile(path)
    batches, kept = [], 0
    for batch in file.iter_batches(batch_size=min(limit, 65_536)):
        batches.append(batch.slice(0, limit - kept))
        kept += batches[-1].num_rows
        if kept >= limit:
            break
    data = pa.Table.from_batches(batches, schema=file.schema_arrow) if batches else file.schema_arrow.empty_table()
    return data, file.metadata.num_rows
