"""Compare synthetic data with the real data it imitates: ``rulegen compare REAL SYNTH``.

Tables are matched by name (a file's stem). For each column present on both sides, the
distance between the two distributions (see :mod:`rulegen.fidelity.distances`): the
Kolmogorov-Smirnov statistic for numbers and dates, the total-variation distance for
categories, the KS statistic of the lengths for free text; keys are listed but not scored (the
two ends of each reference found, and the columns that are unique and never null in the real
data and named like an identifier: ``id``, ``*_id``, ``*Id``). For each table, the difference
of the Pearson correlation matrices of its numeric and date columns, the association of its
categorical pairs and of its categorical-numeric pairs (see
:mod:`rulegen.fidelity.associations`), optionally a machine-learning efficacy score (see
:mod:`rulegen.fidelity.efficacy`), and a privacy check (see :mod:`rulegen.fidelity.privacy`).
For each reference, the children per parent and the parent effect on each numeric, date and
categorical child column (see
:mod:`rulegen.fidelity.references`, which also says how references are found).

**The score** is in [0, 1], 1 when the synthetic data cannot be told from the real by these
measures::

    score = columns x correlation x association x efficacy
    columns = mean of (1 - d) over the scored columns and the relations, where d is the
              column's KS or TV distance (1 for a real column missing from the synthetic data)
              or the relation's KS distance between children-per-parent counts
    correlation = 1 - mean |rho_synth - rho_real| over every pair of numeric and date
                  columns of every table (1 when no table has two), floored at 0
    association = mean, over every categorical pair, categorical-numeric pair and parent
                  effect, of its similarity: the contingency similarity, 1 - |eta_synth -
                  eta_real|, 1 - |effect_synth - effect_real| (1 when there is none)
    efficacy = mean of min(1, synthetic-trained score / real-trained score) over the
               targets asked for (1 when none)

So columns that each look right but lose their relationships (the values of each column
shuffled independently) keep ``columns`` near 1 while ``correlation`` and ``association``
drop. Privacy is reported beside the score, never inside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from rulegen.fidelity import distances as dist
from rulegen.fidelity.associations import CategoricalPair, MixedPair, categorical_pairs, mixed_pairs
from rulegen.fidelity.datafiles import DataError, read_dataset
from rulegen.fidelity.efficacy import Efficacy, measure_efficacy
from rulegen.fidelity.privacy import Privacy, check_privacy
from rulegen.fidelity.references import (
    ChildCounts,
    RelationComparison,
    compare_relation,
    declared_relations,
    find_relations,
    table_keys,
)

if TYPE_CHECKING:
    from rulegen.spec.model import Spec

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
    """One table: its columns, correlations, associations, efficacy and privacy check."""

    name: str
    real_rows: int
    synth_rows: int
    columns: tuple[ColumnComparison, ...]
    correlation: CorrelationComparison | None = None
    privacy: Privacy | None = None
    categorical_pairs: tuple[CategoricalPair, ...] = ()
    mixed_pairs: tuple[MixedPair, ...] = ()
    efficacy: tuple[Efficacy, ...] = ()


@dataclass(frozen=True, slots=True)
class Comparison:
    """The result of :func:`compare` (the score's formula is in this module's docstring).

    Attributes:
        tables: the tables on both sides, and those on one side only (with no column).
        relations: the references found in the real data.
        columns_term, correlation_term, association_term, efficacy_term: the factors of the score.
        score: in [0, 1], 1 = indistinguishable by these measures.
        notes: tables present on one side only, and other remarks.
    """

    tables: tuple[TableComparison, ...]
    relations: tuple[RelationComparison, ...]
    columns_term: float
    correlation_term: float
    score: float
    notes: tuple[str, ...] = ()
    association_term: float = 1.0
    efficacy_term: float = 1.0

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


def compare(real: DataLike, synth: DataLike, *, sample: int = 10_000, seed: int = 0,
            targets: Sequence[str] = (), holdout: DataLike | None = None, spec: Spec | None = None) -> Comparison:
    """Compare synthetic data with real data.

    Args:
        real, synth: a CSV, JSON Lines or Parquet file, a folder of them (one per table, named by
            file stem, as ``generate`` writes), a mapping of table name to DataFrame or Arrow
            table, or a single DataFrame or Arrow table.
        sample: rows of each side used for the distance to closest record.
        seed: seeds the privacy check's holdout split and samples, and the efficacy models.
        targets: columns to predict for the efficacy score, ``table.column`` (or ``column`` when
            there is one table in common).
        holdout: real rows the synthetic data was not fitted on, in the same form as ``real``;
            the efficacy models are tested on them (else on a share of ``real``).
        spec: a spec (:func:`rulegen.load`) whose primary keys are keys and whose ``ref``
            columns are references, whatever their names, where the real data bears them out.

    Raises:
        DataError: a file cannot be read, the two sides have no table in common, or a target
            cannot be predicted.
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
    aims = _targets(targets, common)
    held = _holdout(holdout, common) if holdout is not None and aims else {}
    links, key_columns = _keys_and_links({n: real_tables[n] for n in common}, spec, notes)
    tables = tuple(_compare_table(name, real_tables[name], synth_tables[name], key_columns, sample, seed,
                                  aims.get(name, []), held.get(name))
                   for name in common)
    relations = tuple(compare_relation(link, real_tables, synth_tables,
                                       {col for t, col in key_columns if t == link[0]}) for link in links)
    return _scored(tables, relations, tuple(notes))


def _keys_and_links(tables: dict[str, pa.Table], spec: Spec | None, notes: list[str]
                    ) -> tuple[list[tuple[str, str, str, str]], set[tuple[str, str]]]:
    """The references (declared by ``spec`` first, then found) and the key columns, not scored."""
    links = find_relations(tables)
    keys = table_keys(tables)
    key_columns = {(t, c) for t, c in keys if _is_identifier(c)}
    if spec is not None:
        declared, problems = declared_relations(tables, _declared(spec))
        links = [*declared, *(link for link in links if link[:2] not in {d[:2] for d in declared})]
        notes += problems
        key_columns |= {(t.name, c) for t in spec.tables.values() for c in t.primary_key if (t.name, c) in keys}
    key_columns |= {(c, col) for c, col, _, _ in links} | {(p, key) for _, _, p, key in links}
    return links, key_columns


def _scored(tables: tuple[TableComparison, ...], relations: tuple[RelationComparison, ...],
            notes: tuple[str, ...]) -> Comparison:
    """The comparison with its score (see the module docstring)."""
    terms = [1.0 - c.distance for t in tables for c in t.columns if c.distance is not None]
    terms += [1.0 - r.distance for r in relations if r.distance is not None]
    columns_term = float(np.mean(terms)) if terms else 1.0
    diffs = [abs(d) for t in tables if t.correlation for d in _upper(t.correlation.difference)]
    correlation_term = max(0.0, 1.0 - float(np.mean(diffs))) if diffs else 1.0
    links_kept = [p.similarity for t in tables for p in (*t.categorical_pairs, *t.mixed_pairs)]
    links_kept += [1.0 - e.difference for r in relations for e in r.effects if e.difference is not None]
    association_term = float(np.mean(links_kept)) if links_kept else 1.0
    ratios = [e.ratio for t in tables for e in t.efficacy]
    efficacy_term = float(np.mean(ratios)) if ratios else 1.0
    score = columns_term * correlation_term * association_term * efficacy_term
    return Comparison(tables, relations, columns_term, correlation_term, score, notes, association_term,
                      efficacy_term)


def _declared(spec: Spec) -> list[tuple[str, str, str, str]]:
    """``(child, column, parent, key)`` of every ``ref`` column of ``spec``."""
    found = []
    for table in spec.tables.values():
        for column in table.columns.values():
            target = column.options.get("to") if column.kind == "ref" else None
            if isinstance(target, str) and "." in target:
                parent, _, key = target.rpartition(".")
                found.append((table.name, column.name, parent, key))
    return found


def _targets(targets: Sequence[str], tables: list[str]) -> dict[str, list[str]]:
    """``table.column`` targets by table; a bare column belongs to the only table in common."""
    found: dict[str, list[str]] = {}
    for target in targets:
        table, dot, column = target.partition(".")
        if not dot or table not in tables:
            if len(tables) != 1 or (dot and target.split(".")[0] in tables):
                raise DataError(f"--target {target}: name TABLE.COLUMN, TABLE among {', '.join(tables)}")
            table, column = tables[0], target
        found.setdefault(table, []).append(column)
    return found


def _holdout(holdout: DataLike, tables: list[str]) -> dict[str, pa.Table]:
    held = _dataset(holdout)
    if len(held) == 1 and len(tables) == 1:
        return {tables[0]: next(iter(held.values()))}
    return {name: table for name, table in held.items() if name in tables}


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
                   sample: int, seed: int, targets: list[str], holdout: pa.Table | None) -> TableComparison:
    columns: list[ColumnComparison] = []
    prepared: dict[str, dist.PreparedColumn] = {}
    names = [*real.column_names, *(c for c in synth.column_names if c not in real.column_names)]
    for column in names:
        r = real.column(column) if column in real.column_names else None
        s = synth.column(column) if column in synth.column_names else None
        col = dist.prepare_column(r, s)
        if (name, column) in key_columns:
            col = dist.PreparedColumn("key", col.real, col.synth)
        prepared[column] = col
        columns.append(_compare_column(name, column, col))

    both = {c: p for c, p in prepared.items() if p.real is not None and p.synth is not None and p.kind != "key"}
    numeric = [c for c, p in both.items() if p.kind in ("numeric", "datetime")]
    correlation = _correlation(numeric, both) if len(numeric) >= 2 else None
    privacy = check_privacy({c: (p.kind, p.real) for c, p in both.items()},
                            {c: (p.kind, p.synth) for c, p in both.items()}, sample=sample, seed=seed)
    efficacy = tuple(measure_efficacy(name, target, both, _held(holdout, real, both), seed=seed)
                     for target in targets)
    return TableComparison(name, real.num_rows, synth.num_rows, tuple(columns), correlation, privacy,
                           tuple(categorical_pairs(both)), tuple(mixed_pairs(both)), efficacy)


def _held(holdout: pa.Table | None, real: pa.Table,
          columns: dict[str, dist.PreparedColumn]) -> dict[str, dist.PreparedColumn] | None:
    """The holdout's columns prepared as the real ones were (its values on the ``real`` side)."""
    if holdout is None:
        return None
    return {c: dist.PreparedColumn(p.kind, dist.prepare_column(real.column(c), holdout.column(c)).synth, None)
            for c, p in columns.items() if c in holdout.column_names}


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


