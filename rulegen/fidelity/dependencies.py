"""Dependencies between a table's columns, learnt by `rulegen infer` and written as `given`/`cases`.

Categorical columns (``choice``) are conditioned on one or two earlier categorical columns, and
numeric columns (a law or a ``histogram``) on one or two categorical columns, each only where
the Bayesian information criterion (BIC: -2 log-likelihood + parameters x log n) of the
conditional model beats the column alone: a dependency must pay for the parameters it adds, so
small data keeps simple laws and an independent pair stays independent. A category is scored
by its counts; a number by a Gaussian law per case (or a mean per case and one spread, the
better of the two), which is what the share of variance a category explains measures. A
combination seen fewer than :data:`MIN_CASE_ROWS` times gets no case of its own: its rows draw
from the column's own law.

Codes count as categories too. A child table's numbering within its parent (``{kind: sequence,
within: ref}``, a key part that other columns are never conditioned on otherwise) often says
what a row is: in a table of four travel modes per traveller, row 4 is the car, whose wait at
the terminal is always 0, so the wait depends on the numbering and not on the traveller. And an
integer column of at most :data:`MAX_CODE_VALUES` values (a ``mode`` code 1..4) may be the
``given`` of a column after it, and stays in the copula (it is drawn from its own law; the
columns with cases on it read its values). A column never takes as ``given`` one whose cases
read it, directly or through others, so the dependencies have no cycle. Both are scored by the
same BIC, so a numbering or a code that says nothing about a column is never written.

A numeric column with cases is drawn through each case's inverse CDF, so its copula uniforms
are its ranks within its case: :func:`learn_dependencies` returns them, and the table's
``correlations`` are measured on them, which keeps the rank correlations within each category
(the penguins' bill length and depth correlate negatively over all species and positively
within each).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from rulegen.fidelity.cases import case_key, numeric_cases
from rulegen.fidelity.profile import as_floats
from rulegen.fidelity.render import ColumnDraft, TableDraft
from rulegen.fidelity.text import OTHER, RARE_COUNT
from rulegen.kinds.numeric import DISTRIBUTIONS

__all__ = ["MIN_CASE_ROWS", "condition_choice", "learn_dependencies"]

MIN_CASE_ROWS = 15  # rows a combination needs for a case of a numeric column
MAX_PARENTS = 2
# categorical columns with more values are not parents; 60 lets a US state (50 and a few
# territories) place an airport, and BIC still has to pay for every case a parent adds
MAX_PARENT_VALUES = 60
MAX_CODE_VALUES = 10  # integer columns of a law with more values are not parents
_NUMERIC_KINDS = {*DISTRIBUTIONS, "histogram"}
_LEAST_SPREAD = 1e-4  # of the column's variance: the least a case's variance counts for


@dataclass(slots=True)
class _Category:
    """A categorical column as codes: the index of each row's value among its kept values (-1: null or dropped)."""

    name: str
    values: list[Any]
    codes: np.ndarray


@dataclass(slots=True)
class _Choice:
    """The parents picked for a column, its groups of rows (-1: no case) and the BIC gain."""

    parents: tuple[_Category, ...]
    groups: np.ndarray
    keys: list[tuple[Any, ...]]
    bic: float  # the model's BIC minus the BIC of the column alone (negative: better)
    explained: float = 0.0  # share of variance explained, for numbers


def learn_dependencies(table: TableDraft, data: pa.Table, skip: set[str],
                       allow_values: bool) -> tuple[dict[str, np.ndarray], set[str]]:
    """Condition ``table``'s columns on its categories where BIC says so (editing the drafts).

    Args:
        table: the drafts of the table's columns, fitted one by one.
        data: the rows read.
        skip: columns that are keys or references.
        allow_values: keep combinations seen fewer than the rare count.

    Returns:
        Each numeric column's copula uniforms (its rank within its case, or overall), and the
        categorical columns that take part in a dependency (they must stay `choice` columns).
    """
    categories = [_category(name, draft, data) for name, draft in table.columns.items()
                  if name not in skip and _is_category(draft)]
    categories = [c for c in categories if c is not None]
    numberings = [c for c in (_code(name, data) for name, draft in table.columns.items()
                              if draft.spec.get("kind") == "sequence" and "within" in draft.spec) if c is not None]
    codes = {name: code for name, draft in table.columns.items() if name not in skip
             and draft.spec.get("kind") in _NUMERIC_KINDS and (code := _code(name, data, MAX_CODE_VALUES)) is not None}
    order = list(table.columns)
    given: dict[str, set[str]] = {}  # each column conditioned so far -> its given columns

    def candidates(name: str, others: list[_Category]) -> list[_Category]:
        """The parents ``name`` may take: few values, codes before it, none that reads it (no cycle)."""
        before = [c for c in codes.values() if order.index(c.name) < order.index(name)]
        below = _readers(name, given)
        return [c for c in [*others, *before] if len(c.values) <= MAX_PARENT_VALUES and c.name not in below]

    linked: set[str] = set()
    for index, child in enumerate(categories):
        picked = _pick(lambda parents, c=child: _categorical_bic(c, parents, allow_values),
                       candidates(child.name, [*numberings, *categories[:index]]))
        if picked is not None and _condition_choice(table.columns[child.name], child, picked, allow_values):
            linked |= {child.name, *(p.name for p in picked.parents)}
            given[child.name] = {p.name for p in picked.parents}
    uniforms: dict[str, np.ndarray] = {}
    grouped: dict[tuple[str, ...], tuple[np.ndarray, list[tuple[Any, ...]]]] = {}  # the same for every number
    for name, draft in table.columns.items():
        if name in skip or draft.spec.get("kind") not in _NUMERIC_KINDS or "given" in draft.spec:
            continue
        x = as_floats(data.column(name))
        picked = _pick(lambda chosen, x=x: _numeric_bic(x, chosen, grouped),
                       candidates(name, [*numberings, *categories])) if len(x) else None
        if picked is not None and numeric_cases(draft, x, picked.groups, picked.keys, [p.name for p in picked.parents]):
            _note_numeric(draft, name, picked)
            given[name] = {p.name for p in picked.parents}
            uniforms[name] = _ranks(x, picked.groups)
        else:
            uniforms[name] = _ranks(x, np.zeros(len(x), dtype=np.int64))
    # A code stays in the copula: it is drawn from its own law, and a column with cases on it
    # reads its values; a category or a numbering never is in the copula.
    linked = {n for n in linked | {p for parents in given.values() for p in parents} if n not in codes}
    return uniforms, linked


def condition_choice(draft: ColumnDraft, name: str, values: list[Any], codes: np.ndarray, table: TableDraft,
                     data: pa.Table) -> bool:
    """Condition a `choice` column added to ``table`` after its others (a parent's hidden pick of
    a child) on the table's categories and integer codes, where BIC says so (editing ``draft``).

    Args:
        draft: the `choice` column's draft.
        name: its name.
        values: its values; ``codes`` the index of each row's value among them (-1: none).
        table, data: the table's drafts (none of which reads the column) and its rows.

    Returns:
        Whether a dependency was written.
    """
    candidates = [_category(n, d, data) for n, d in table.columns.items() if _is_category(d) and n != name]
    candidates += [_code(n, data, MAX_CODE_VALUES) for n, d in table.columns.items()
                   if d.spec.get("kind") in _NUMERIC_KINDS and n in data.column_names]
    candidates = [c for c in candidates if c is not None and len(c.values) <= MAX_PARENT_VALUES]
    child = _Category(name, values, codes)
    picked = _pick(lambda parents: _categorical_bic(child, parents, False), candidates)
    return picked is not None and _condition_choice(draft, child, picked, False)


def _is_category(draft: ColumnDraft) -> bool:
    kind = draft.spec.get("kind")
    return kind == "bool" or (kind == "choice" and isinstance(draft.spec.get("values"), dict))


def _category(name: str, draft: ColumnDraft, data: pa.Table) -> _Category | None:
    """The codes of a `choice` column's kept values (a value folded into (other) takes its
    code), or of a `bool` column's two values."""
    values = [True, False] if draft.spec["kind"] == "bool" else list(draft.spec["values"])
    index = {value: i for i, value in enumerate(values)}
    other = index.get(OTHER, -1)
    column = data.column(name).to_pylist()
    codes = np.array([-1 if v is None else index.get(v, other) for v in column], dtype=np.int64)
    return _Category(name, values, codes) if (codes >= 0).any() else None


def _readers(name: str, given: dict[str, set[str]]) -> set[str]:
    """The columns whose cases read ``name``, directly or through others."""
    found: set[str] = set()
    todo = [name]
    while todo:
        column = todo.pop()
        for reader, parents in given.items():
            if column in parents and reader not in found:
                found.add(reader)
                todo.append(reader)
    return found


def _code(name: str, data: pa.Table, most: int = MAX_PARENT_VALUES) -> _Category | None:
    """An integer column of at most ``most`` distinct values as codes (its values in order)."""
    column = data.column(name)
    if not pa.types.is_integer(column.type):
        return None
    present = column.drop_null().to_numpy()
    values = np.unique(present)
    if not 2 <= len(values) <= most:
        return None
    codes = np.full(len(column), -1, dtype=np.int64)
    codes[~column.is_null().to_numpy(zero_copy_only=False)] = np.searchsorted(values, present)
    return _Category(name, [int(v) for v in values], codes)


def _pick(score: Callable[[tuple[_Category, ...]], _Choice | None], candidates: Sequence[_Category]) -> _Choice | None:
    """Greedy forward selection: the best single parent by BIC, then a second one while BIC falls."""
    best: _Choice | None = None
    chosen: tuple[_Category, ...] = ()
    for _ in range(MAX_PARENTS):
        trials = [score((*chosen, c)) for c in candidates if c not in chosen]
        trials = [t for t in trials if t is not None]
        if not trials:
            break
        trial = min(trials, key=lambda t: t.bic)
        if trial.bic >= (best.bic if best else 0.0):
            break
        best, chosen = trial, trial.parents
    return best


def _writable(parents: tuple[_Category, ...]) -> bool:
    """Whether the cases' keys can be written: values of several columns are joined by commas,
    and the spec reads each part stripped of spaces (sampleSelection's Mroz87 has ``" TRUE"``)."""
    return len(parents) == 1 or not any("," in str(v) or str(v) != str(v).strip() for p in parents for v in p.values)


def _groups(parents: tuple[_Category, ...], least: int) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """Each row's combination of parent values (-1: a null parent, or a combination seen fewer
    than ``least`` times), and the combinations kept, as values."""
    n = len(parents[0].codes)
    combined = np.zeros(n, dtype=np.int64)
    missing = np.zeros(n, dtype=bool)
    for parent in parents:
        missing |= parent.codes < 0
        combined = combined * (len(parent.values) + 1) + np.maximum(parent.codes, 0)
    combined[missing] = -1
    found, inverse, counts = np.unique(combined, return_inverse=True, return_counts=True)
    kept = (found >= 0) & (counts >= least)
    renumber = np.where(kept, np.cumsum(kept) - 1, -1)
    groups = renumber[inverse]
    keys = []
    for code in found[kept]:
        parts = []
        for parent in reversed(parents):
            code, part = divmod(int(code), len(parent.values) + 1)
            parts.append(parent.values[part])
        keys.append(tuple(reversed(parts)))
    return groups, keys


def _categorical_bic(child: _Category, parents: tuple[_Category, ...], allow_values: bool) -> _Choice | None:
    """BIC of ``child`` given ``parents`` (a categorical law per combination) minus its own."""
    if not _writable(parents):
        return None
    rows = child.codes >= 0
    groups, keys = _groups(parents, 1 if allow_values else RARE_COUNT)
    if not keys:
        return None
    k = len(child.values)
    counts = np.bincount(child.codes[rows], minlength=k).astype(np.float64)
    n = counts.sum()
    own = _loglik(counts)
    cells = np.zeros((len(keys), k))
    np.add.at(cells, (groups[rows & (groups >= 0)], child.codes[rows & (groups >= 0)]), 1)
    rest = counts - cells.sum(axis=0)  # rows of no case draw from the column's own law
    marginal = counts / n
    loglik = sum(_loglik(row) for row in cells) + float((rest[rest > 0] * np.log(marginal[rest > 0])).sum())
    bic = -2 * (loglik - own) + (k - 1) * len(keys) * math.log(n)
    return _Choice(parents, groups, keys, bic)


def _loglik(counts: np.ndarray) -> float:
    """Log-likelihood of counts under their own frequencies."""
    counts = counts[counts > 0]
    return float((counts * np.log(counts / counts.sum())).sum()) if len(counts) else 0.0


def _numeric_bic(x: np.ndarray, parents: tuple[_Category, ...],
                 grouped: dict[tuple[str, ...], tuple[np.ndarray, list[tuple[Any, ...]]]]) -> _Choice | None:
    """BIC of a Gaussian law per combination of ``parents`` (rows of no case keep the column's
    own) minus one Gaussian law, and the share of variance the combinations explain; ``grouped``
    keeps the groups of each set of parents, for the next column."""
    if not _writable(parents):
        return None
    names = tuple(p.name for p in parents)
    if names not in grouped:
        grouped[names] = _groups(parents, MIN_CASE_ROWS)
    groups, keys = grouped[names]
    present = ~np.isnan(x)
    if not keys or present.sum() < 2 * MIN_CASE_ROWS:
        return None
    g = np.where(groups >= 0, groups, len(keys))[present]  # the rest as one more group
    v = x[present]
    n, total = len(v), float(v.var())
    if total <= 0:
        return None
    sizes = np.bincount(g, minlength=len(keys) + 1).astype(np.float64)
    means = np.bincount(g, weights=v, minlength=len(keys) + 1) / np.maximum(sizes, 1)
    means[-1] = v.mean()  # the rest keeps the column's own law
    residual = v - means[g]
    spread = np.bincount(g, weights=residual**2, minlength=len(keys) + 1) / np.maximum(sizes, 1)
    spread[-1] = total
    # A case of one value has no Gaussian likelihood: its spread is floored, which still makes
    # it the strongest of dependencies.
    spread = np.maximum(spread, total * _LEAST_SPREAD)
    loglik = -0.5 * float((sizes[sizes > 0] * np.log(spread[sizes > 0])).sum())
    own = -0.5 * n * math.log(total)
    bic = -2 * (loglik - own) + 2 * len(keys) * math.log(n)
    # A shift of the mean alone (one spread for every case) pays for one parameter a case: with
    # heavy tails the spreads of small cases are noisy, and a mean and spread per case then lost
    # a dependency that explains 23 % of a column (MASS Boston's house values by highway access).
    pooled = float((residual**2).sum()) / n
    if pooled > 0:
        bic = min(bic, n * math.log(pooled / total) + len(keys) * math.log(n))
    explained = 1 - float((residual**2).sum()) / (total * n)
    return _Choice(parents, groups, keys, bic, explained)


def _condition_choice(draft: ColumnDraft, child: _Category, picked: _Choice, allow_values: bool) -> bool:
    """Rewrite a `choice` as ``given``/``cases`` (counts per combination) with its own values as
    the default; False, unchanged, when no combination has a value seen often enough."""
    least = 1 if allow_values else RARE_COUNT
    cases: dict[Any, dict[Any, int]] = {}
    for index, key in enumerate(picked.keys):
        rows = (picked.groups == index) & (child.codes >= 0)
        counts = np.bincount(child.codes[rows], minlength=len(child.values))
        weights = {child.values[i]: int(c) for i, c in enumerate(counts) if c >= least}
        if weights:
            cases[case_key(key)] = weights
    if not cases:
        return False
    names = [p.name for p in picked.parents]
    own = np.bincount(child.codes[child.codes >= 0], minlength=len(child.values))
    default = draft.spec.get("values") or {value: int(count) for value, count in zip(child.values, own, strict=True)}
    spec = {"kind": "choice", "given": names[0] if len(names) == 1 else names, "cases": cases, "default": default}
    draft.spec = spec | {k: v for k, v in draft.spec.items() if k not in ("kind", "values", "p")}
    dropped = "" if allow_values else f", values seen fewer than {RARE_COUNT} times in a case left out"
    draft.notes.append(f"depends on {' and '.join(names)}: BIC {picked.bic:+.0f} against no dependency "
                       f"({len(cases)} cases{dropped}; other combinations draw from the default)")
    return True


def _note_numeric(draft: ColumnDraft, name: str, picked: _Choice) -> None:
    names = " and ".join(p.name for p in picked.parents)
    draft.notes.append(f"{names} explain{'s' if len(picked.parents) == 1 else ''} {picked.explained:.0%} of "
                       f"{name}'s variance: BIC {picked.bic:+.0f} against one law (a law per case; "
                       "correlations measured within cases)")


def _ranks(x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each value's rank within its group, scaled into (0, 1); rows of no case (-1) are ranked
    among all values (they draw from the column's own law). NaN stays NaN."""
    import pandas as pd

    frame = pd.DataFrame({"x": x, "g": groups})
    within = frame.groupby("g")["x"].rank(method="average") / (frame.groupby("g")["x"].transform("count") + 1)
    overall = frame["x"].rank(method="average") / (frame["x"].count() + 1)
    return np.where(groups >= 0, within, overall).astype(np.float64)

