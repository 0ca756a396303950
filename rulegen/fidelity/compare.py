"""Compare synthetic data with the real data it imitates: ``rulegen compare REAL SYNTH``.

Tables are matched by name (a file's stem). For each column present on both sides, the
distance between the two distributions (see :mod:`rulegen.fidelity.distances`): the
Kolmogorov-Smirnov statistic for numbers and dates, the total-variation distance for
categories, the KS statistic of the lengths for free text; identifiers (``id``, ``*_id``, and
the keys of the relations found) are listed but not scored. For each table, the difference of
the Pearson correlation matrices of its numeric and date columns, and a privacy check (see
:mod:`rulegen.fidelity.privacy`). For each relation, the distribution of children per parent.

**The score** is in [0, 1], 1 when the synthetic data cannot be told from the real by these
measures::

    score = columns x correlation
    columns = mean of (1 - d) over the scored columns and the relations, where d is the
              column's KS or TV distance (1 for a real column missing from the synthetic data)
              or the relation's KS distance between children-per-parent counts
    correlation = 1 - mean |rho_synth - rho_real| over every pair of numeric and date
                  columns of every table (1 when no table has two), floored at 0

So columns that each look right but lose their relationships (the values of each column
shuffled independently) keep ``columns`` near 1 while ``correlation`` drops. Privacy is
reported beside the score, never inside it.

**Relations** are found in the real data: a column of one table is a reference to another
table's key (a column that is unique and never null, of integers or text) when its name is the
key's name (other than a bare ``id``), or the parent table's name, singular or plural, then the
key's name (``customer_id`` or ``customers_id`` for ``customers.id``), and all its values are
among the key's values. Composite keys are not looked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from rulegen.fidelity import distances as dist
from rulegen.fidelity.datafiles import DataError, read_dataset
from rulegen.fidelity.privacy import Privacy, check_privacy

__all__ = [
    "ChildCounts",
    "ColumnComparison",
    "Comparison",
    "CorrelationComparison",
    "RelationComparison",
    "TableComparison",
    "compare",
]

DataLike = str | Path | Mapping[str, "pa.Table | pd.DataFrame"] | pa.Table | pd.DataFrame


@dataclass(frozen=True, slots=True)
class ColumnComparison:
    """One column, real against synthetic.

    Attributes:
        table, column: where it is.
        kind: ``numeric``, ``datetime``, ``categorical``, ``text`` or ``key`` (not scored).
        metric: ``KS``, ``TV`` or ``KS(length)``; None when not scored.
        distance: in [0, 1], 0 when identical; None when not scored (keys, synthetic-only columns).
        real, synth: each side's summary (for text, of the lengths); None on a missing side.
        categories: categories: how many distinct real values there are.
        coverage: categories: share of the real values that the synthetic data has.
        novel: categories: share of synthetic rows whose value is never in the real data.
        histogram: what the HTML report plots.
        note: why the column is not compared, when it is not.
    """

    table: str
    column: str
    kind: str
    metric: str | None
    distance: float | None
    real: dist.Summary | None
    synth: dist.Summary | None
    categories: int | None = None
    coverage: float | None = None
    novel: float | None = None
    histogram: dist.Histogram | None = field(default=None, repr=False)
    note: str = ""


@dataclass(frozen=True, slots=True)
class CorrelationComparison:
    """Pearson correlations of a table's numeric and date columns on each side.

    Attributes:
        columns: the columns, in matrix order.
        real, synth: the matrices (NaN where a column is constant).
        mean_abs, max_abs: of ``synth - real`` over the pairs (upper triangle).
        pairs: how many pairs were compared.
    """

    columns: tuple[str, ...]
    real: np.ndarray = field(repr=False)
    synth: np.ndarray = field(repr=False)
    mean_abs: float = 0.0
    max_abs: float = 0.0
    pairs: int = 0

    @property
    def difference(self) -> np.ndarray:
        """``synth - real``; NaN where both are undefined, a constant column's side counting as 0."""
        both_nan = np.isnan(self.real) & np.isnan(self.synth)
        return np.where(both_nan, np.nan, np.nan_to_num(self.synth) - np.nan_to_num(self.real))


@dataclass(frozen=True, slots=True)
class TableComparison:
    """One table: its columns, correlations and privacy check."""

    name: str
    real_rows: int
    synth_rows: int
    columns: tuple[ColumnComparison, ...]
    correlation: CorrelationComparison | None = None
    privacy: Privacy | None = None


@dataclass(frozen=True, slots=True)
class ChildCounts:
    """How one side's children spread over their parents.

    Attributes:
        parents: rows of the parent table.
        mean, max: children per parent.
        childless: share of parents without a child.
        top_decile: share of children held by the 10 % of parents with the most.
        orphans: share of children whose reference matches no parent row.
    """

    parents: int
    mean: float
    max: int
    childless: float
    top_decile: float
    orphans: float


@dataclass(frozen=True, slots=True)
class RelationComparison:
    """A reference ``child.column -> parent.key`` found in the real data.

    ``distance`` is the KS statistic between the real and synthetic counts of children per
    parent; None (and ``synth`` None) when the synthetic data lacks one of the columns.
    """

    child: str
    column: str
    parent: str
    key: str
    distance: float | None
    real: ChildCounts
    synth: ChildCounts | None
    histogram: dist.Histogram | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return f"{self.child}.{self.column} -> {self.parent}.{self.key}"


@dataclass(frozen=True, slots=True)
class Comparison:
    """The result of :func:`compare` (the score's formula is in this module's docstring).

    Attributes:
        tables: the tables on both sides, and those on one side only (with no column).
        relations: the references found in the real data.
        columns_term, correlation_term: the two factors of the score.
        score: in [0, 1], 1 = indistinguishable by these measures.
        notes: tables present on one side only, and other remarks.
    """

    tables: tuple[TableComparison, ...]
    relations: tuple[RelationComparison, ...]
    columns_term: float
    correlation_term: float
    score: float
    notes: tuple[str, ...] = ()

    @property
    def privacy_ok(self) -> bool:
        """True unless some table's privacy check failed."""
        return all(t.privacy is None or t.privacy.ok for t in self.tables)

    def column(self, table: str, column: str) -> ColumnComparison:
        """The comparison of ``table.column``.

        Raises:
            KeyError: no such column was compared.
        """
        for t in self.tables:
            for c in t.columns:
                if t.name == table and c.column == column:
                    return c
        raise KeyError(f"{table}.{column}")

    def render(self) -> str:
        """A text report: one line per column and relation, a line per table, then the score."""
        from rulegen.fidelity.report import render_text

        return render_text(self)


def compare(real: DataLike, synth: DataLike, *, sample: int = 10_000, seed: int = 0) -> Comparison:
    """Compare synthetic data with real data.

    Args:
        real, synth: a CSV, JSON Lines or Parquet file, a folder of them (one per table, named by
            file stem, as ``generate`` writes), a mapping of table name to DataFrame or Arrow
            table, or a single DataFrame or Arrow table.
        sample: rows of each side used for the distance to closest record.
        seed: seeds the privacy check's holdout split and samples.

    Raises:
        DataError: a file cannot be read, or the two sides have no table in common.
    """
    real_tables, synth_tables = _dataset(real), _dataset(synth)
    notes = []
    if len(real_tables) == 1 and len(synth_tables) == 1 and real_tables.keys() != synth_tables.keys():
        (name, _), (other, table) = next(iter(real_tables.items())), next(iter(synth_tables.items()))
        notes.append(f"compared real table {name} with synthetic table {other}")
        synth_tables = {name: table}
    common = [name for name in real_tables if name in synth_tables]
    if not common:
        raise DataError(f"no table in common: real has {', '.join(real_tables) or 'none'}, "
                        f"synthetic has {', '.join(synth_tables) or 'none'}")
    notes += [f"table {n} is only in the real data" for n in real_tables if n not in synth_tables]
    notes += [f"table {n} is only in the synthetic data" for n in synth_tables if n not in real_tables]
    links = _find_relations({n: real_tables[n] for n in common})
    key_columns = {(c, col) for c, col, _, _ in links} | {(p, key) for _, _, p, key in links}
    tables = tuple(_compare_table(name, real_tables[name], synth_tables[name], key_columns, sample, seed)
                   for name in common)
    relations = tuple(_compare_relation(link, real_tables, synth_tables) for link in links)

    terms = [1.0 - c.distance for t in tables for c in t.columns if c.distance is not None]
    terms += [1.0 - r.distance for r in relations if r.distance is not None]
    columns_term = float(np.mean(terms)) if terms else 1.0
    diffs = [abs(d) for t in tables if t.correlation for d in _upper(t.correlation.difference)]
    correlation_term = max(0.0, 1.0 - float(np.mean(diffs))) if diffs else 1.0
    return Comparison(tables, relations, columns_term, correlation_term, columns_term * correlation_term,
                      tuple(notes))


def _dataset(data: DataLike) -> dict[str, pa.Table]:
    if isinstance(data, str | Path):
        return read_dataset(data)
    if isinstance(data, pa.Table | pd.DataFrame):
        data = {"data": data}
    return {name: t if isinstance(t, pa.Table) else pa.Table.from_pandas(t, preserve_index=False)
            for name, t in data.items()}


def _upper(matrix: np.ndarray) -> list[float]:
    rows, cols = np.triu_indices(len(matrix), k=1)
    values = matrix[rows, cols]
    return [float(v) for v in values if not np.isnan(v)]


def _is_identifier(name: str) -> bool:
    lower = name.lower()
    return lower == "id" or lower.endswith("_id") or (name.endswith("Id") and len(name) > 2)


def _compare_table(name: str, real: pa.Table, synth: pa.Table, key_columns: set[tuple[str, str]],
                   sample: int, seed: int) -> TableComparison:
    columns: list[ColumnComparison] = []
    prepared: dict[str, dist.PreparedColumn] = {}
    names = [*real.column_names, *(c for c in synth.column_names if c not in real.column_names)]
    for column in names:
        r = real.column(column) if column in real.column_names else None
        s = synth.column(column) if column in synth.column_names else None
        col = dist.prepare_column(r, s)
        keyish = col.kind in ("categorical", "text") or (col.kind == "numeric" and _integral(col.real, col.synth))
        if (name, column) in key_columns or (keyish and _is_identifier(column)):
            col = dist.PreparedColumn("key", col.real, col.synth)
        prepared[column] = col
        columns.append(_compare_column(name, column, col))

    both = {c: p for c, p in prepared.items() if p.real is not None and p.synth is not None and p.kind != "key"}
    numeric = [c for c, p in both.items() if p.kind in ("numeric", "datetime")]
    correlation = _correlation(numeric, both) if len(numeric) >= 2 else None
    privacy = check_privacy({c: (p.kind, p.real) for c, p in both.items()},
                            {c: (p.kind, p.synth) for c, p in both.items()}, sample=sample, seed=seed)
    return TableComparison(name, real.num_rows, synth.num_rows, tuple(columns), correlation, privacy)


def _integral(*sides: np.ndarray | None) -> bool:
    return all(s is None or bool(np.all(np.mod(s[np.isfinite(s)], 1) == 0)) for s in sides)


def _compare_column(table: str, column: str, col: dist.PreparedColumn) -> ColumnComparison:
    numeric = col.kind in ("numeric", "datetime")
    real, synth = col.real, col.synth
    if col.kind == "key":
        summaries = [None if v is None else dist.summarise(v, numeric=numeric) for v in (real, synth)]
        return ColumnComparison(table, column, "key", None, None, *summaries, note="identifier: not scored")
    if col.kind == "text":
        real, synth = (None if v is None else dist.text_lengths(v) for v in (real, synth))
    metric = {"numeric": "KS", "datetime": "KS", "text": "KS(length)", "categorical": "TV"}[col.kind]
    summaries = [None if v is None else dist.summarise(v, numeric=col.kind != "categorical") for v in (real, synth)]
    if synth is None:
        return ColumnComparison(table, column, col.kind, metric, 1.0, summaries[0], None,
                                note="missing from the synthetic data")
    if real is None:
        return ColumnComparison(table, column, col.kind, None, None, None, summaries[1],
                                note="only in the synthetic data")
    if col.kind != "categorical":
        return ColumnComparison(table, column, col.kind, metric, dist.ks_distance(real, synth), *summaries,
                                histogram=dist.histogram(real, synth))
    shares_r, shares_s = dist.category_shares(real), dist.category_shares(synth)
    values_r = {v for v in shares_r if v is not None}
    novel = sum(share for v, share in shares_s.items() if v is not None and v not in values_r)
    coverage = len(values_r & shares_s.keys()) / len(values_r) if values_r else 1.0
    return ColumnComparison(table, column, "categorical", "TV", dist.tv_distance(shares_r, shares_s), *summaries,
                            categories=len(values_r), coverage=coverage, novel=novel,
                            histogram=dist.category_histogram(shares_r, shares_s))


def _correlation(numeric: list[str], prepared: dict[str, dist.PreparedColumn]) -> CorrelationComparison:
    matrices = []
    for side in ("real", "synth"):
        frame = pd.DataFrame({c: getattr(prepared[c], side) for c in numeric})
        with np.errstate(all="ignore"):
            matrices.append(frame.corr().to_numpy(dtype=np.float64))
    result = CorrelationComparison(tuple(numeric), matrices[0], matrices[1])
    diffs = np.abs(_upper(result.difference))
    if diffs.size:
        result = CorrelationComparison(tuple(numeric), matrices[0], matrices[1], float(diffs.mean()),
                                       float(diffs.max()), int(diffs.size))
    return result


# -- relations ---------------------------------------------------------------------------------

def _key_array(column: pa.ChunkedArray) -> pa.Array | None:
    """The column as text keys, or None when it cannot hold keys (floats with fractions, dates)."""
    array = column.combine_chunks()
    if pat.is_dictionary(array.type):
        array = array.dictionary_decode()
    if pat.is_floating(array.type):
        values = array.to_numpy(zero_copy_only=False)
        if not np.all(np.mod(values[np.isfinite(values)], 1) == 0):
            return None
        array = pc.cast(array, pa.int64(), safe=False)
    if not (pat.is_integer(array.type) or pat.is_string(array.type) or pat.is_large_string(array.type)):
        return None
    return pc.cast(array, pa.string())


def _singulars(name: str) -> set[str]:
    lower = name.lower()
    forms = {lower}
    if lower.endswith("ies"):
        forms.add(lower[:-3] + "y")
    elif lower.endswith(("sses", "xes", "ches", "shes")):
        forms.add(lower[:-2])
    elif lower.endswith("s") and not lower.endswith("ss"):
        forms.add(lower[:-1])
    return forms


def _name_rank(column: str, parent: str, key: str) -> int | None:
    """0 when the column names the parent table and its key, 1 for the key's name alone, else None."""
    lower, key = column.lower(), key.lower()
    if any(lower in (f"{stem}_{key}", f"{stem}{key}") for stem in _singulars(parent)):
        return 0
    if lower == key and key != "id":
        return 0 if any(lower.startswith(stem) for stem in _singulars(parent)) else 1
    return None


def _find_relations(tables: dict[str, pa.Table]) -> list[tuple[str, str, str, str]]:
    """``(child, column, parent, key)`` for each reference found (see the module docstring)."""
    keys: dict[tuple[str, str], pa.Array] = {}
    for name, table in tables.items():
        for column in table.column_names:
            values = _key_array(table.column(column))
            if values is not None and len(values) and values.null_count == 0 and \
                    pc.count_distinct(values).as_py() == len(values):
                keys[(name, column)] = values
    found = []
    for child, table in tables.items():
        for column in table.column_names:
            candidates = []
            named = [(rank, parent, key, parent_keys) for (parent, key), parent_keys in keys.items()
                     if parent != child and (rank := _name_rank(column, parent, key)) is not None]
            values = _key_array(table.column(column)) if named else None
            present = None if values is None else pc.drop_null(values)
            for rank, parent, key, parent_keys in named:
                if present is not None and len(present) and pc.all(pc.is_in(present, value_set=parent_keys)).as_py():
                    candidates.append((rank, -len(parent_keys), parent, key))
            if candidates:
                _, _, parent, key = min(candidates)
                found.append((child, column, parent, key))
    return found


def _child_counts(children: pa.ChunkedArray, parents: pa.ChunkedArray) -> tuple[np.ndarray, float]:
    """Children per parent row (in parent order), and the share of children with no parent."""
    child_keys, parent_keys = _key_array(children), _key_array(parents)
    if child_keys is None or parent_keys is None:
        return np.zeros(len(parents)), 1.0
    present = pd.Series(pc.drop_null(child_keys).to_numpy(zero_copy_only=False), dtype=object)
    counts = present.value_counts()
    parent_index = pd.Index(parent_keys.to_numpy(zero_copy_only=False), dtype=object)
    per_parent = counts.reindex(parent_index, fill_value=0).to_numpy(dtype=np.float64)
    orphans = 1.0 - float(counts[counts.index.isin(parent_index)].sum()) / len(present) if len(present) else 0.0
    return per_parent, orphans


def _spread(counts: np.ndarray, orphans: float) -> ChildCounts:
    if counts.size == 0:
        return ChildCounts(0, 0.0, 0, 0.0, 0.0, orphans)
    ordered = np.sort(counts)[::-1]
    top = ordered[: max(1, int(np.ceil(counts.size / 10)))].sum()
    total = counts.sum()
    return ChildCounts(int(counts.size), float(counts.mean()), int(ordered[0]), float((counts == 0).mean()),
                       float(top / total) if total else 0.0, orphans)


def _compare_relation(link: tuple[str, str, str, str], real: dict[str, pa.Table],
                      synth: dict[str, pa.Table]) -> RelationComparison:
    child, column, parent, key = link
    real_counts, real_orphans = _child_counts(real[child].column(column), real[parent].column(key))
    real_spread = _spread(real_counts, real_orphans)
    s_child, s_parent = synth.get(child), synth.get(parent)
    if s_child is None or s_parent is None or column not in s_child.column_names or key not in s_parent.column_names:
        return RelationComparison(child, column, parent, key, None, real_spread, None)
    synth_counts, synth_orphans = _child_counts(s_child.column(column), s_parent.column(key))
    return RelationComparison(child, column, parent, key, dist.ks_distance(real_counts, synth_counts), real_spread,
                              _spread(synth_counts, synth_orphans), dist.histogram(real_counts, synth_counts))
