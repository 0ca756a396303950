"""Rebalance an imbalanced class column by interpolation, SMOTE style: ``rulegen augment``.

Every class smaller than ``ratio`` times the largest class gets new rows until it reaches
``ceil(ratio x largest)``. Each new row is made from a row of its class (the *base*, drawn at
random) and one of the base's ``k`` nearest neighbours in that class (drawn at random), with
one random ``gap`` in [0, 1) per new row:

- numbers are ``base + gap x (neighbour - base)``, so the new row lies on the segment between
  the two rows (integer columns are rounded, decimals rounded to their scale);
- dates and timestamps are interpolated as instants (dates rounded to the day, timestamps to
  their unit);
- every other column (text, categories, booleans) takes the base's or the neighbour's value,
  by a coin flip per column;
- where either side is null, the column takes one side's value by a coin flip, null or not.

Neighbours are found with a KD-tree over the numeric and date columns (the class column left
out), each standardised by its mean and standard deviation over the whole data, a null counting
as the mean; without such columns the neighbour is any other row of the class. The original
rows are kept as they are, in their order, and the new rows follow, class by class. The same
data, options and seed give the same output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat
from scipy.spatial import cKDTree

from rulegen.errors import did_you_mean
from rulegen.fidelity.datafiles import DataError, read_table, table_format, write_table

__all__ = ["AugmentResult", "augment", "augment_file"]


@dataclass(frozen=True, slots=True)
class AugmentResult:
    """What :func:`augment` did: rows per class before and after (classes as text)."""

    column: str
    before: dict[str, int]
    after: dict[str, int]

    @property
    def added(self) -> int:
        return sum(self.after.values()) - sum(self.before.values())

    def render(self) -> str:
        """One line per class, then the total."""
        lines = [f"{self.column}={label}: {self.before[label]:,} -> {self.after[label]:,} rows"
                 + (f" (+{self.after[label] - self.before[label]:,})" if self.after[label] > self.before[label] else "")
                 for label in self.before]
        lines.append(f"{self.added:,} rows added")
        return "\n".join(lines)


def _kind(kind: pa.DataType) -> str:
    if pat.is_integer(kind):
        return "integer"
    if pat.is_floating(kind) or pat.is_decimal(kind):
        return "number"
    if pat.is_timestamp(kind) or pat.is_date(kind):
        return "instant"
    return "other"


def _as_float(array: pa.Array) -> np.ndarray:
    """Numbers as float64, instants as their integer storage (days, ms, ...) in float64; NaN for null."""
    if pat.is_date32(array.type):
        array = array.view(pa.int32())
    elif pat.is_timestamp(array.type) or pat.is_date64(array.type):
        array = array.view(pa.int64())
    return np.asarray(pc.cast(array, pa.float64(), safe=False).to_numpy(zero_copy_only=False), dtype=np.float64)


def _from_float(values: np.ndarray, kind: pa.DataType) -> pa.Array:
    """The inverse of :func:`_as_float` for interpolated values (rounded as the type needs)."""
    mask = np.isnan(values)
    if pat.is_integer(kind) or pat.is_date(kind) or pat.is_timestamp(kind):
        whole = np.where(mask, 0, np.rint(values)).astype(np.int64)
        if pat.is_date32(kind):
            return pa.array(whole.astype(np.int32), mask=mask, type=pa.int32()).view(kind)
        if pat.is_date64(kind) or pat.is_timestamp(kind):
            return pa.array(whole, mask=mask, type=pa.int64()).view(kind)
        return pa.array(whole, mask=mask, type=pa.int64()).cast(kind)
    if pat.is_decimal(kind):
        values = np.round(values, kind.scale)
    return pa.array(values, mask=mask, type=pa.float64()).cast(kind, safe=False)


def _neighbours(features: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """For each row, the indices of its ``k`` nearest other rows (random others without features)."""
    n = len(features)
    if features.shape[1] == 0:
        others = rng.integers(0, n - 1, size=(n, k))
        return others + (others >= np.arange(n)[:, None])
    _, found = cKDTree(features).query(features, k=k + 1)
    found = np.asarray(found).reshape(n, k + 1)
    # A row is usually its own nearest neighbour, but with duplicates it may come later: drop it wherever it is.
    order = np.argsort(found == np.arange(n)[:, None], axis=1, kind="stable")
    return np.take_along_axis(found, order, axis=1)[:, :k]


def augment(table: pa.Table, column: str, *, ratio: float = 1.0, k: int = 5, seed: int = 0,
            ) -> tuple[pa.Table, AugmentResult]:
    """Add interpolated rows to the small classes of ``column`` (see the module docstring).

    Args:
        table: the data; its rows are kept unchanged, first.
        column: the class column.
        ratio: each class is brought to at least ``ratio`` times the largest class, in (0, 1].
        k: neighbours to choose from.
        seed: seeds every random choice.

    Returns:
        The augmented table (same schema) and the rows per class before and after.

    Raises:
        DataError: no such column, fewer than two classes, a class to grow with a single row,
            or a ratio or k out of range.
    """
    if column not in table.column_names:
        hint = did_you_mean(column, table.column_names)
        raise DataError(f"no column {column!r} to balance; columns are: {', '.join(table.column_names)}"
                        + (f" ({hint})" if hint else ""))
    if not 0 < ratio <= 1:
        raise DataError(f"ratio={ratio!r} must be in (0, 1]")
    if k < 1:
        raise DataError(f"k={k!r} must be at least 1")
    labels = np.array(table.column(column).to_pylist(), dtype=object)
    codes, classes = pd.factorize(labels, use_na_sentinel=True)
    if len(classes) < 2:
        raise DataError(f"column {column!r} has {len(classes)} class{'es' if len(classes) != 1 else ''}: "
                        "nothing to balance")
    counts = np.bincount(codes[codes >= 0], minlength=len(classes))
    target = math.ceil(ratio * counts.max() - 1e-9)
    names = [str(c) for c in classes]
    for name, count in zip(names, counts, strict=True):
        if count == 1 and count < target:
            raise DataError(f"class {column}={name} has a single row: at least 2 are needed to interpolate")

    rng = np.random.default_rng(seed)
    kinds = {name: _kind(table.schema.field(name).type) for name in table.column_names}
    floats = {name: _as_float(table.column(name).combine_chunks())
              for name, kind in kinds.items() if kind != "other" and name != column}
    matrix = np.column_stack(list(floats.values())) if floats else np.empty((table.num_rows, 0))
    mean = np.nanmean(matrix, axis=0) if floats else np.empty(0)
    std = np.nanstd(matrix, axis=0) if floats else np.empty(0)
    with np.errstate(invalid="ignore"):
        standard = (matrix - np.nan_to_num(mean)) / np.where(np.nan_to_num(std) > 0, std, 1.0)
    standard = np.nan_to_num(standard, nan=0.0)

    bases, partners, gaps = [], [], []
    for code, count in enumerate(counts):
        new = target - int(count)
        if new <= 0:
            continue
        members = np.flatnonzero(codes == code)
        nearest = _neighbours(standard[members], min(k, len(members) - 1), rng)
        base = rng.integers(0, len(members), size=new)
        pick = rng.integers(0, nearest.shape[1], size=new)
        bases.append(members[base])
        partners.append(members[nearest[base, pick]])
        gaps.append(rng.random(new))
    after = {name: max(int(count), target) for name, count in zip(names, counts, strict=True)}
    result = AugmentResult(column, dict(zip(names, map(int, counts), strict=True)), after)
    if not bases:
        return table, result

    base, partner, gap = np.concatenate(bases), np.concatenate(partners), np.concatenate(gaps)
    new_columns = []
    for name in table.column_names:
        source = table.column(name).combine_chunks()
        coin = rng.random(len(base)) < 0.5
        side = np.where(coin, base, partner)
        if name not in floats:
            new_columns.append(source.take(pa.array(side)))
            continue
        a, b = floats[name][base], floats[name][partner]
        both = ~(np.isnan(a) | np.isnan(b))
        values = np.where(both, a + gap * (b - a), floats[name][side])
        new_columns.append(_from_float(values, source.type))
    added = pa.Table.from_arrays(new_columns, schema=table.schema)
    return pa.concat_tables([table, added]), result


def augment_file(path: str | Path, column: str, out: str | Path | None = None, *, ratio: float = 1.0,
                 k: int = 5, seed: int = 0) -> tuple[Path, AugmentResult]:
    """Read ``path``, :func:`augment` it and write the result atomically.

    Args:
        path: a CSV, JSON Lines or Parquet file.
        out: where to write; by default ``NAME_augmented.EXT`` beside ``path``. Its format is
            its extension's when that is csv, jsonl or parquet, else the input's.

    Raises:
        DataError: the file cannot be read or written, or :func:`augment` refuses the data.
    """
    path = Path(path)
    fmt = table_format(path)
    if out is None:
        out = path.with_name(f"{path.stem}_augmented{path.suffix}")
    out = Path(out)
    if out.exists() and out.is_dir():
        out = out / path.name
    try:
        out_fmt = table_format(out)
    except DataError:
        out_fmt = fmt
    data, result = augment(read_table(path), column, ratio=ratio, k=k, seed=seed)
    return write_table(data, out, out_fmt), result
