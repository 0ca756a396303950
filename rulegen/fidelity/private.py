"""``rulegen infer --epsilon E``: a spec learnt from noisy counts only, differentially private.

The guarantee, the budget's split and what is not covered are written out in
``docs/privacy.md``; in short, whatever one row of one table holds changes the probability of
any spec by a factor of at most ``exp(E)`` (plus :data:`DELTA` for category labels). Each table
has the budget E; a row counts in the releases of its own table only, and in the
children-per-parent law of each relation its table takes part in, which both tables pay for.
Within a table, E is split evenly between the releases:

- the row count (a noisy count), or for a table generated per parent row, its law of children
  per parent, a method-of-moments Poisson or negative binomial fitted to the noisy counts of
  parents with 0, 1, ... :data:`MAX_CHILDREN` children;
- each column that is neither a key nor a reference, from its Arrow type: booleans from noisy
  true/false/null counts; numbers as a ``histogram`` of :data:`BINS` equal bins over a range
  given by the caller (``bounds``) or found privately, with a noisy null count; dates and
  timestamps as a range found privately with noisy monthly weights; text as a ``choice`` of the categories whose noisy
  count passes the threshold, when they hold at least half of the rows (else letters of the
  lengths found privately).

Keys and references come from the names alone (the schema is public): ``id``, ``<table>_id``
is a table's key; ``<parent>_id`` (or ``<parent>_<key>``, or the key's own name) a reference.
Nothing else of the data reaches the spec: no correlations, dependencies or patterns.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from rulegen.errors import Diagnostic, OutputError
from rulegen.fidelity import dp
from rulegen.fidelity.read import Source
from rulegen.fidelity.relations import Link, parent_first, singular
from rulegen.fidelity.render import ColumnDraft, TableDraft, render_spec
from rulegen.kinds.seasonality import MAX_BINS

__all__ = ["BINS", "DELTA", "MAX_CHILDREN", "PrivacyOptionError", "private_drafts", "private_spec"]

BINS = 32  # bins of a numeric histogram
DELTA = 1e-6  # chance of releasing a category one row holds, per text column
MAX_CHILDREN = 100  # children per parent counted one by one; more are counted as this many
MAX_CATEGORIES = 50
_MAX_LENGTH = 255  # text lengths counted one by one; longer counts as this long
_CHOICE_SHARE = 0.5  # released categories must hold this share of the rows to make a choice
# An integer column's range is clamped to ±this: its last edge (at most a bin's width, 1/32 of
# the range, past it) stays a 64-bit integer.
_INT_LIMIT = 8.5e18


class PrivacyOptionError(OutputError):
    """``epsilon`` or ``bounds`` cannot be used (RG600 to RG603)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__([Diagnostic(code, message)])
        self.message = message

    def __str__(self) -> str:
        return self.message


def private_spec(sources: list[Source], *, epsilon: float | None, seed: int | None = None,
                 bounds: Mapping[str, tuple[float, float]] | None = None, allow_values: bool = False) -> str:
    """The spec text of :func:`private_drafts`.

    Raises:
        PrivacyOptionError: no epsilon (bounds alone), ``allow_values`` with it, or a bad
            epsilon or bound.
    """
    if epsilon is None:
        raise PrivacyOptionError("RG603", "--bounds only works with --epsilon: give the privacy budget too")
    if allow_values:
        raise PrivacyOptionError("RG603", "--allow-values copies rare values, which --epsilon exists to hide: "
                                          "use one or the other")
    drafts = private_drafts(sources, epsilon=epsilon, seed=seed, bounds=bounds)
    text = render_spec(drafts, sources=[str(source.path) for source in sources], allow_values=False)
    header = (f"# --epsilon {epsilon:g}: learnt from noisy counts only, differentially private; see "
              "docs/privacy.md for what is protected.\n")
    return header + text


def _check(epsilon: float, bounds: Mapping[str, tuple[float, float]], sources: list[Source]) -> None:
    if not (isinstance(epsilon, int | float) and np.isfinite(epsilon) and epsilon > 0):
        raise PrivacyOptionError("RG600", f"--epsilon must be a number > 0, got {epsilon!r}: the privacy budget "
                                          "(smaller is more private, 0.1 to 10 is usual)")
    known = {f"{s.name}.{c}" for s in sources for c in s.data.column_names}
    for name, (low, high) in bounds.items():
        if name not in known:
            raise PrivacyOptionError("RG601", f"--bounds {name}: no such column; name TABLE.COLUMN among "
                                              f"{', '.join(sorted(known))}")
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise PrivacyOptionError("RG602", f"--bounds {name}={low}:{high}: LOW must be below HIGH, both finite")


def _key(source: Source) -> str | None:
    own = {"id", f"{singular(source.name)}_id", f"{source.name.lower()}_id", f"{singular(source.name)}id"}
    for column in source.data.column_names:
        kind = source.data.schema.field(column).type
        if column.lower() in own and (pat.is_integer(kind) or pat.is_string(kind) or pat.is_large_string(kind)):
            return column
    return None


def _refers(column: str, parent: str, key: str) -> bool:
    column, key, one = column.lower(), key.lower(), singular(parent)
    return column in {f"{one}_{key}", f"{parent.lower()}_{key}", f"{one}_id"} or (column == key and key != "id")


def _links(sources: list[Source], keys: dict[str, str | None]) -> list[Link]:
    found = []
    for child in sources:
        for column in child.data.column_names:
            for parent, key in keys.items():
                if key is not None and parent != child.name and column != keys[child.name] and \
                        _refers(column, parent, key):
                    found.append(Link(child.name, column, parent, key, complete=True, contained=1.0))
                    break
    return found


def private_drafts(sources: list[Source], *, epsilon: float, seed: int | None = None,
                   bounds: Mapping[str, tuple[float, float]] | None = None) -> list[TableDraft]:
    """The tables of the spec, parents first, learnt under epsilon-differential privacy.

    Args:
        sources: the tables read.
        epsilon: the privacy budget of each table (see the module docstring).
        seed: fixes the noise (for tests: the same data and seed give the same spec); None draws
            it from the operating system, as the guarantee needs.
        bounds: ``table.column`` -> (low, high) for numeric columns: values are clipped to it and
            no budget is spent finding a range.

    Raises:
        PrivacyOptionError: a bad epsilon or bound.
    """
    bounds = dict(bounds or {})
    _check(epsilon, bounds, sources)
    rng = np.random.default_rng(seed)
    keys = {s.name: _key(s) for s in sources}
    links = _links(sources, keys)
    per: dict[str, Link] = {}
    for link in links:  # the first reference of a table is what it is generated per, unless that closes a cycle
        if link.child not in per and not _reaches(per, link.parent, link.child):
            per[link.child] = link
    by_name = {s.name: s for s in sources}
    refs = {s.name: {link.column: link for link in links if link.child == s.name} for s in sources}
    plain = {s.name: [c for c in s.data.column_names if c != keys[s.name] and c not in refs[s.name]] for s in sources}
    # Releases of a table: its row count or count law, its plain columns, the count laws of its children.
    shares = {s.name: epsilon / (1 + len(plain[s.name]) + sum(1 for link in per.values() if link.parent == s.name))
              for s in sources}
    drafts = []
    expected: dict[str, int] = {}  # rows each table will have (as released): the mean of children per parent
    for name in parent_first(list(by_name), links):
        source, share = by_name[name], shares[name]
        table = TableDraft(name=name, rows=0, primary_key=keys[name])
        table.notes.append(f"differentially private: epsilon {epsilon:g} for this table, {share:.4g} per release")
        if name in per:
            link = per[name]
            table.rows, table.rows_note = _count_law(source, by_name[link.parent], link,
                                                     min(share, shares[link.parent]), rng, expected.get(link.parent))
            expected[name] = round(expected.get(link.parent, 0) * _mean(table.rows))
        else:
            rows = int(dp.noisy_counts(np.array([source.rows]), share, rng)[0])
            table.rows, table.rows_note = max(rows, 1), "a noisy count of the rows"
            expected[name] = table.rows
        table.columns = _columns(source, keys[name], refs[name], share, rng, bounds)
        drafts.append(table)
    return drafts


def _columns(source: Source, key: str | None, refs: dict[str, Link], epsilon: float, rng: np.random.Generator,
             bounds: dict[str, tuple[float, float]]) -> dict[str, ColumnDraft]:
    """Every column of a table: the key and references from their names, the others from noisy
    counts with ``epsilon`` each."""
    columns = {}
    for column in source.data.column_names:
        if column == key:
            columns[column] = _key_column(source.data.schema.field(column).type)
        elif column in refs:
            link = refs[column]
            columns[column] = ColumnDraft({"kind": "ref", "to": f"{link.parent}.{link.key}"},
                                          ["a reference, from its name"])
        else:
            columns[column] = _column(source.data.column(column), epsilon, rng, bounds.get(f"{source.name}.{column}"))
    return columns


def _mean(law: dict[str, Any]) -> float:
    if law["kind"] == "poisson":
        return float(law["lam"])
    return float(law["n"]) * (1 - float(law["p"])) / float(law["p"])


def _reaches(per: dict[str, Link], start: str, target: str) -> bool:
    """Whether ``target`` is ``start`` or one of its ancestors through ``per``."""
    seen, table = set(), start
    while table not in seen:
        if table == target:
            return True
        seen.add(table)
        if table not in per:
            return False
        table = per[table].parent
    return False


def _key_column(kind: pa.DataType) -> ColumnDraft:
    if pat.is_integer(kind):
        return ColumnDraft({"kind": "sequence"}, ["primary key, from its name: numbered rows"])
    return ColumnDraft({"kind": "uuid", "unique": True}, ["primary key, from its name: UUIDs"])


def _count_law(child: Source, parent: Source, link: Link, epsilon: float, rng: np.random.Generator,
               parents: int | None) -> tuple[dict[str, Any], str]:
    """Rows per parent row, from three releases of epsilon / 3: the child rows with a parent (a
    noisy count), a private range of the children per parent, and the noisy counts of parents
    with 0, 1, ... children up to its top. The mean is the first over ``parents`` (the parent's
    released row count) when known, else the histogram's; the histogram's unfloored moments
    choose between Poisson and negative binomial. One child row moves one parent between two
    counts: sensitivity 2 for the last two."""
    third = epsilon / 3
    children = pc.cast(child.data.column(link.column), pa.string()).to_numpy(zero_copy_only=False)
    keys = pc.cast(parent.data.column(link.key), pa.string()).to_numpy(zero_copy_only=False)
    values, counts = np.unique(children[[v is not None for v in children]].astype(str), return_counts=True)
    per_parent = dict(zip(values, counts, strict=True))
    spread = np.array([per_parent.get(k, 0) for k in keys if k is not None], dtype=np.float64)
    total_children = int(dp.noisy_counts(np.array([int(spread.sum())]), third, rng)[0])
    found = dp.private_range(spread, third, rng, sensitivity=2)
    top = min(MAX_CHILDREN, max(1, int(np.ceil(found[1])))) if found is not None else None
    mean = var = None
    if top is not None:
        noisy = dp.noisy_counts(np.bincount(np.minimum(spread, top).astype(np.int64), minlength=top + 1), third,
                                rng, sensitivity=2, floor=False).astype(np.float64)
        if noisy.sum() > 0:
            k = np.arange(top + 1)
            mean = float(np.clip((k * noisy).sum() / noisy.sum(), 0, top))
            var = float(max(((k - mean) ** 2 * noisy).sum() / noisy.sum(), 0.0))
    if parents:
        ratio = var / mean if mean and var is not None else 1.0
        mean = total_children / parents
        var = ratio * mean
    if mean is None:
        mean, var = 1.0, 1.0
    law: dict[str, Any] = {"per": link.parent}
    if mean > 0 and var > 1.2 * mean:
        spec = {"kind": "negative_binomial", "n": round(mean**2 / (var - mean), 4), "p": round(mean / var, 4)}
    else:
        spec = {"kind": "poisson", "lam": round(mean, 4)}
    return law | spec, f"per {link.parent} row: {spec['kind']} of mean {mean:.3g}, fitted to noisy counts"


def _column(column: pa.ChunkedArray, epsilon: float, rng: np.random.Generator,
            bounds: tuple[float, float] | None) -> ColumnDraft:
    if pat.is_dictionary(column.type):
        column = column.combine_chunks().dictionary_decode()
    kind = column.type
    present = pc.drop_null(column)
    nulls = len(column) - len(present)
    if pat.is_boolean(kind):
        true = int(pc.sum(present).as_py() or 0)
        noisy = dp.noisy_counts(np.array([true, len(present) - true, nulls]), epsilon, rng)
        p = noisy[0] / max(noisy[0] + noisy[1], 1)
        return _nulls(ColumnDraft({"kind": "bool", "p": round(float(p), 4)}, [f"{p:.1%} true (noisy counts)"]),
                      noisy[2], noisy[0] + noisy[1])
    if pat.is_integer(kind) or pat.is_floating(kind) or pat.is_decimal(kind):
        values = pc.cast(present, pa.float64(), safe=False).to_numpy(zero_copy_only=False)  # past 2^53: rounded
        return _number(values[np.isfinite(values)], nulls, pat.is_integer(kind), epsilon, rng, bounds)
    if pat.is_timestamp(kind) or pat.is_date(kind):
        return _instants(present, kind, nulls, epsilon, rng)
    texts = [str(v) for v in present.to_pylist()]
    return _text(texts, nulls, epsilon, rng)


def _nulls(draft: ColumnDraft, nulls: int, present: int) -> ColumnDraft:
    rate = nulls / max(nulls + present, 1)
    if rate > 0:
        draft.spec["null"] = max(round(rate, 4), 0.0001)
        draft.notes.append(f"{rate:.1%} null (noisy count)")
    return draft


def _edges(low: float, high: float, integer: bool) -> np.ndarray:
    if integer:  # in Python integers: past 2^53 a float's low + 1 is low again
        lo, hi = int(np.floor(low)), int(np.ceil(high)) + 1
        width = max(1, -(-(hi - lo) // BINS))
        return np.array([lo + width * i for i in range(-(-(hi - lo) // width) + 1)], dtype=np.int64)
    if high <= low:
        high = low + 1.0
    edges = np.linspace(low, high, BINS + 1)
    digits = max(0, 3 - int(np.floor(np.log10((high - low) / BINS))))
    return np.unique(np.round(edges, digits))


def _number(values: np.ndarray, nulls: int, integer: bool, epsilon: float, rng: np.random.Generator,
            bounds: tuple[float, float] | None) -> ColumnDraft:
    if bounds is None:
        epsilon /= 2
        found = dp.private_range(values, epsilon, rng)
        how = "range found under noise"
    else:
        found, how = bounds, "range from --bounds"
    if found is None:
        return ColumnDraft({"kind": "constant", "value": None}, ["no value counted through the noise"])
    if integer:  # the noise may stretch the range past what 64-bit integer edges hold
        found = tuple(float(np.clip(v, -_INT_LIMIT, _INT_LIMIT)) for v in found)
    edges = _edges(*found, integer)
    weights, noisy_nulls = dp.private_histogram(values, edges, epsilon, rng, nulls=nulls, clip=bounds is not None)
    nonzero = np.flatnonzero(weights)
    if nonzero.size:  # empty bins at the ends only widen the range
        edges, weights = edges[nonzero[0]: nonzero[-1] + 2], weights[nonzero[0]: nonzero[-1] + 1]
    else:
        weights = np.ones_like(weights)
    spec: dict[str, Any] = {"kind": "histogram", "edges": [float(e) if not integer else int(e) for e in edges],
                            "weights": [int(w) for w in weights]}
    if integer:
        spec["integer"] = True
    draft = ColumnDraft(spec, [f"noisy counts of {len(weights)} bins, {how}"])
    return _nulls(draft, noisy_nulls or 0, int(weights.sum()))


def _instants(present: pa.Array, kind: pa.DataType, nulls: int, epsilon: float,
              rng: np.random.Generator) -> ColumnDraft:
    """Three releases of epsilon / 3: the range, the null and non-null counts, and the counts of
    each month of the year (the yearly seasonality)."""
    third = epsilon / 3
    dated = pat.is_date(kind)
    unit = pa.date32() if dated else pa.timestamp("s", kind.tz)
    months = pc.month(pc.local_timestamp(present) if not dated and kind.tz else present)
    # to whole seconds (or days): sub-second parts are dropped, never an error
    raw = pc.cast(pc.cast(present, unit, safe=False), pa.int32() if dated else pa.int64())
    values = raw.to_numpy(zero_copy_only=False).astype(np.float64)
    found = dp.private_range(values, third, rng)
    noisy = dp.noisy_counts(np.array([len(values), nulls]), third, rng)
    by_month = dp.noisy_counts(np.bincount(months.to_numpy(zero_copy_only=False).astype(np.int64) - 1,
                                           minlength=12), third, rng)
    if found is None:
        return ColumnDraft({"kind": "constant", "value": None}, ["no value counted through the noise"])
    epoch = datetime.datetime(1970, 1, 1)
    limits = (-719_162, 2_932_896) if dated else (-62_135_596_800, 253_402_300_799)  # years 1 to 9999
    found = tuple(float(np.clip(v, *limits)) for v in found)
    if dated:
        low, high = (epoch + datetime.timedelta(days=int(v)) for v in (np.ceil(found[0]), np.floor(found[1])))
        spec: dict[str, Any] = {"kind": "date", "min": low.date().isoformat(), "max": max(low, high).date().isoformat()}
    else:
        low, high = (epoch + datetime.timedelta(seconds=int(v)) for v in found)
        spec = {"kind": "timestamp", "min": low.isoformat(), "max": max(low, high).isoformat()}
        if kind.tz:
            spec["tz"] = kind.tz
    notes = ["range found under noise"]
    # Weights only where the range holds every month, and some month stands out of the noise.
    # (and a grid of days the kind can build: the noise may stretch the range to the year 9999)
    if 365 <= (high - low).days < MAX_BINS and by_month.max() > 0 and by_month.min() < by_month.max():
        spec["seasonality"] = {"yearly": [round(float(w) / float(by_month.max()), 3) for w in by_month]}
        notes.append("monthly weights from noisy counts")
    return _nulls(ColumnDraft(spec, notes), int(noisy[1]), int(noisy[0]))


def _text(texts: list[str], nulls: int, epsilon: float, rng: np.random.Generator) -> ColumnDraft:
    """Three releases of epsilon / 3: the non-null and null counts (disjoint rows), the categories
    that pass the threshold, and the counts of each length."""
    third = epsilon / 3
    present, noisy_nulls = (int(v) for v in dp.noisy_counts(np.array([len(texts), nulls]), third, rng))
    released = dp.thresholded_counts(texts, third, DELTA, rng, limit=MAX_CATEGORIES)
    lengths = np.minimum(np.array([len(t) for t in texts], dtype=np.int64), _MAX_LENGTH)
    counted = dp.noisy_counts(np.bincount(lengths, minlength=_MAX_LENGTH + 1), third, rng)
    kept = sum(released.values())
    if released and kept >= _CHOICE_SHARE * present:
        values: dict[Any, int] = dict(released)
        if present > kept:
            values["(other)"] = present - kept
        draft = ColumnDraft({"kind": "choice", "values": values},
                            [f"{len(released)} categories whose noisy count passed the threshold"])
        return _nulls(draft, noisy_nulls, max(present, kept))
    if present == 0:
        return ColumnDraft({"kind": "constant", "value": None}, ["no value counted through the noise"])
    standing = np.flatnonzero(dp.passing(counted, third))
    if not standing.size:
        standing = np.array([int(np.argmax(counted))])
    low, high = max(1, int(standing[0])), max(1, int(standing[-1]))
    draft = ColumnDraft({"kind": "pattern", "pattern": f"[a-z]{{{low},{high}}}"},
                        [f"free text: letters of the lengths found under noise ({low} to {high})"])
    return _nulls(draft, noisy_nulls, present)
