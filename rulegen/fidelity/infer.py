"""`rulegen infer`: a spec learnt from data files, as ordinary readable YAML.

Each file becomes a table with its row count; each column a kind fitted to its values
(:mod:`rulegen.fidelity.columns`); then the tables are tied together: primary keys, references
between files, tables generated per parent row with a fitted law of children per parent,
numberings that restart per parent, columns that are the sum or product of two others
(:mod:`rulegen.fidelity.derived`), dependencies of columns on a table's categories
(:mod:`rulegen.fidelity.dependencies`), and rank correlations between numeric columns (and the
dates that move with them, :func:`~rulegen.fidelity.dates.dates_as_numbers`). Tables come
parents first. Nothing of the data reaches the spec but laws, ranges, frequent categories and
the literal parts of patterns, unless ``allow_values`` (rare categories are then kept).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from rulegen.fidelity.columns import draft_column, per_value_histogram, with_nulls
from rulegen.fidelity.correlate import correlations
from rulegen.fidelity.dates import copula_days, dates_as_numbers
from rulegen.fidelity.dependencies import learn_dependencies
from rulegen.fidelity.derived import derive_columns
from rulegen.fidelity.fit import fit_count_law
from rulegen.fidelity.grid import integer_grid
from rulegen.fidelity.keys import shared_keys
from rulegen.fidelity.parent_effects import shape_children
from rulegen.fidelity.profile import ColumnProfile, as_floats, profile_table
from rulegen.fidelity.read import DEFAULT_SAMPLE_ROWS, Source, read_sources
from rulegen.fidelity.relations import (
    Link,
    find_links,
    parent_first,
    pick_parents,
    primary_key,
    sequence_within,
)
from rulegen.fidelity.render import ColumnDraft, TableDraft, render_spec
from rulegen.fidelity.seasons import seasonal_numbers
from rulegen.fidelity.shapes import day_grain, missing_together
from rulegen.fidelity.text import derive_pattern, pattern_space
from rulegen.fidelity.text_dates import written_as_text
from rulegen.kinds.numeric import DISTRIBUTIONS

__all__ = ["infer"]

_COPULA_KINDS = {*DISTRIBUTIONS, "histogram"}


def infer(paths: str | Path | Sequence[str | Path], *, allow_values: bool = False,
          sample_rows: int = DEFAULT_SAMPLE_ROWS, epsilon: float | None = None, seed: int | None = None,
          bounds: Mapping[str, tuple[float, float]] | None = None) -> str:
    """The spec text of the tables in ``paths`` (CSV or Parquet files, or folders of them).

    Up to ``sample_rows`` rows of each file are read for fitting; ``rows`` is the file's full
    count. With ``epsilon``, the spec is learnt under differential privacy instead
    (:mod:`rulegen.fidelity.private`; ``seed`` fixes its noise, ``bounds`` clips numeric
    columns). Raises :class:`~rulegen.fidelity.read.InferError` for data that cannot be read.
    """
    paths = [paths] if isinstance(paths, str | Path) else list(paths)
    sources = read_sources(paths, sample_rows=sample_rows)
    if epsilon is not None or bounds:
        from rulegen.fidelity.private import private_spec

        return private_spec(sources, epsilon=epsilon, seed=seed, bounds=bounds, allow_values=allow_values)
    profiles = {source.name: profile_table(source.data) for source in sources}
    keys = shared_keys(profiles, {name: primary_key(name, columns) for name, columns in profiles.items()})
    links = find_links(profiles, keys, {source.name: source.complete for source in sources})
    keys = {name: _measured(name, key, profiles[name], links) for name, key in keys.items()}
    parents = pick_parents(links, {name: list(columns) for name, columns in profiles.items()})
    by_name = {source.name: source for source in sources}
    drafts: dict[str, TableDraft] = {}
    for name in parent_first(list(by_name), links):
        per = parents.get(name)
        drafts[name] = _table(by_name[name], profiles[name], keys[name], [link for link in links if link.child == name],
                              per, by_name, allow_values)
        if per is not None and per.parent in drafts:  # parents first, unless the tables form a cycle
            shape_children(drafts[name], drafts[per.parent], per, by_name[name], by_name[per.parent])
    return render_spec(list(drafts.values()), sources=[str(source.path) for source in sources],
                       allow_values=allow_values)


def _table(source: Source, profiles: dict[str, ColumnProfile], key: str | None, links: list[Link],
           per: Link | None, sources: dict[str, Source], allow_values: bool) -> TableDraft:
    table = TableDraft(name=source.name, rows=source.rows, rows_note=f"rows of {source.path.name}")
    if not source.complete:
        table.notes.append(f"fitted on the first {source.data.num_rows:,} of {source.rows:,} rows")
    refs = {link.column: link for link in links}
    within = _within(source, profiles, per, key)
    for name, profile in profiles.items():
        if name == key:
            table.columns[name] = _key(profile, source.rows, allow_values)
        elif name in refs:
            link = refs[name]
            draft = ColumnDraft({"kind": "ref", "to": f"{link.parent}.{link.key}"},
                                [f"every value is found in {link.parent}.{link.key}" if link.contained == 1 else
                                 f"{link.contained:.0%} of values are found in the {link.parent}.{link.key} read"])
            table.columns[name] = with_nulls(draft, profile)
        elif within is not None and name == within[0]:
            table.columns[name] = ColumnDraft({"kind": "sequence", **({"start": within[1]} if within[1] != 1 else {}),
                                               "within": per.column},
                                              [f"numbers {within[1]}, {within[1] + 1}, ... restarting for each "
                                               f"{per.parent} row"])
        else:
            table.columns[name] = draft_column(profile, table=source.name, rows=source.rows,
                                               allow_values=allow_values)
    for name, original in source.renamed.items():
        table.columns[name].notes.append(f"named {original!r} in {source.path.name}: a spec's column names are "
                                         "never empty, padded with spaces, or another's but for case")
    table.primary_key = key
    if key is None and within is not None:
        table.primary_key = [per.column, within[0]]
    if per is not None:
        _per_parent(table, per, source, sources[per.parent])
    skip = {key, *refs, *(within[:1] if within else ())}
    derive_columns(table, source.data, profiles, skip)
    uniforms, linked = learn_dependencies(table, source.data, skip, allow_values)
    _correlate(table, source, profiles, key, refs, allow_values, uniforms, linked)
    integer_grid(table, profiles)
    seasonal_numbers(table, source.data)
    day_grain(table, profiles)
    missing_together(table, source.data)
    written_as_text(table, source.text_dates)
    return table


def _measured(table: str, key: str | None, profiles: dict[str, ColumnProfile], links: list[Link]) -> str | None:
    """``key``, or None when it is a measurement that happens to be unique: integers that are not
    1, 2, 3..., not named like a key, and that no other table refers to (a county's population,
    a year of a yearly series, a month's payroll count). Taken as a key it would be drawn
    uniformly over its range, unrelated to the other columns; as a number it keeps its law and
    its correlations."""
    if key is None or any(link.parent == table and link.key == key for link in links):
        return key
    profile = profiles[key]
    if profile.category != "integer" or primary_key(table, {key: replace(profile, category="string")}) == key:
        return key  # named like a key (a string of that name would be taken too)
    values = np.sort(profile.values)
    return key if np.array_equal(values, values[0] + np.arange(len(values))) else None


def _key(profile: ColumnProfile, rows: int, allow_values: bool) -> ColumnDraft:
    """The primary key: a `sequence` for 1..n, unique `integers`, `uuid`s or a unique `pattern`."""
    if profile.category == "integer":
        values = np.sort(profile.values)
        first = int(values[0])
        if np.array_equal(values, first + np.arange(len(values))):
            spec = {"kind": "sequence"} | ({"start": first} if first != 1 else {})
            return ColumnDraft(spec, [f"primary key: consecutive integers from {first}"])
        high = max(int(values[-1]), first + rows - 1)
        return ColumnDraft({"kind": "integers", "low": first, "high": high, "unique": True},
                           ["primary key: distinct integers in the data's range"])
    draft = draft_column(profile, table="", rows=rows, allow_values=allow_values)
    if draft.spec["kind"] == "uuid":
        draft.spec["unique"] = True
        return ColumnDraft(draft.spec, ["primary key: UUIDs"])
    found = derive_pattern(list(profile.values), allow_values=allow_values)
    if found is not None and pattern_space(found[0]) >= 2 * rows:
        return ColumnDraft({"kind": "pattern", "pattern": found[0], "unique": True}, [f"primary key: {found[1]}"])
    return ColumnDraft({"kind": "uuid", "unique": True}, ["primary key: strings of no pattern with room for "
                                                          "every row, written as UUIDs"])


def _within(source: Source, profiles: dict[str, ColumnProfile], per: Link | None,
            key: str | None) -> tuple[str, int] | None:
    """The integer column numbering rows 1, 2, 3... under each parent, and its start."""
    if per is None:
        return None
    parents = np.unique(source.data.column(per.column).to_numpy(zero_copy_only=False), return_inverse=True)[1]
    for name, profile in profiles.items():
        if name in (key, per.column) or profile.category != "integer" or profile.nulls:
            continue
        values = source.data.column(name).to_numpy().astype(np.int64)
        start = sequence_within(parents, values)
        if start is not None:
            return name, start
    return None


def _per_parent(table: TableDraft, link: Link, source: Source, parent: Source) -> None:
    """Rows per parent row with the fitted count law; the parent's ref first among refs to it."""
    law, note = fit_count_law(link.counts)
    table.rows = {"per": link.parent, **law}
    mean = float(np.mean(link.counts))
    table.rows_note = (f"{source.rows:,} rows in {source.path.name}, {mean:.2f} per {link.parent} row: {note}")
    if not (source.complete and parent.complete):
        table.rows_note += " (counted on the rows read)"
    columns = list(table.columns)
    to_parent = [name for name in columns if table.columns[name].spec.get("kind") == "ref"
                 and table.columns[name].spec["to"].rpartition(".")[0] == link.parent]
    if to_parent and to_parent[0] != link.column:  # the first ref to the parent holds each row's parent
        columns.remove(link.column)
        columns.insert(columns.index(to_parent[0]), link.column)
        table.columns = {name: table.columns[name] for name in columns}
    table.columns[link.column].notes.append(f"each row's own {link.parent} row")


def _correlate(table: TableDraft, source: Source, profiles: dict[str, ColumnProfile], key: str | None,
               refs: dict[str, Link], allow_values: bool, uniforms: dict[str, np.ndarray], linked: set[str]) -> None:
    """Rank correlations between the table's numeric columns (labels as one-bin-per-value histograms),
    measured on ``uniforms`` where given: ranks within the cases a column depends on."""
    candidates: dict[str, np.ndarray] = {}
    for name, draft in table.columns.items():
        profile = profiles[name]
        if name == key or name in refs or not profile.numeric or name in linked:
            continue
        kind = draft.spec.get("kind")
        labels = kind == "choice" and (profile.category == "integer" or profile.decimals is not None)
        if kind in _COPULA_KINDS or labels:
            candidates[name] = uniforms[name] if name in uniforms else as_floats(source.data.column(name))
    days = copula_days(table, profiles) if candidates else {}
    pairs, note = correlations(candidates | days)
    pairs = dates_as_numbers(table, pairs, days)
    for name in dict.fromkeys(n for a, b, _ in pairs for n in (a, b)):
        if table.columns[name].spec.get("kind") == "choice":
            histogram = per_value_histogram(profiles[name], allow_values)
            if histogram is None:  # cannot be: only labels on a grid are candidates
                pairs = [p for p in pairs if name not in p[:2]]
                continue
            table.columns[name] = with_nulls(histogram, profiles[name])
    table.correlations, table.correlations_note = pairs, note

