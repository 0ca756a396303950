"""A flag that marks exactly one child of each parent: the travel mode a traveller chose of
the four, the winner of each match.

Drawn row by row, such a flag gives some parents no flagged child and others several, and the
children of one parent no longer differ the way they do (a traveller chooses one mode of four:
the flag's share explained by the traveller is 0, where independent draws give a quarter). When
every parent has the same number of children, numbered within it (``{kind: sequence, within:
ref}``), and exactly one child with one value of a two-valued column (at most one where
some children's values are missing: one male and one female bird in each nest), the parent
picks the number of that child instead: a hidden `choice` over the numbers, with the counts of
the data (so the fourth mode is picked as often as it was chosen), and the child's column
becomes ``if(mode == choice_pick, 1, 0)``. The pick follows the parent's categories where
BIC says so (:func:`~rulegen.fidelity.dependencies.condition_choice`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rulegen.fidelity.dependencies import condition_choice
from rulegen.fidelity.read import Source
from rulegen.fidelity.relations import Link
from rulegen.fidelity.render import ColumnDraft, TableDraft, readable

__all__ = ["pick_flags"]

_MIN_PARENTS = 20  # parents with children needed before a flag is read as one per parent (2^-20 by chance)
_NOT_FLAGS = {"sequence", "ref", "lookup", "expr", "uuid", "constant"}


def pick_flags(child: TableDraft, parent: TableDraft, link: Link, source: Source, parent_source: Source,
               groups: np.ndarray, order: np.ndarray) -> None:
    """Rewrite each column of ``child`` that flags one child per parent as the parent's pick.

    Args:
        child, parent: the drafts of the two tables.
        link: the reference ``child`` is generated per.
        source, parent_source: the data read of both tables.
        groups: the index of each child row's parent row, among the parent rows in ``order``
            (the parent's rows sorted by key).
    """
    numbering = next((name for name, draft in child.columns.items() if draft.spec.get("kind") == "sequence"
                      and draft.spec.get("within") == link.column and name in source.data.column_names), None)
    # With counts that vary, a parent could pick a number past its own count and flag no child.
    fixed = isinstance(child.rows, dict) and isinstance(child.rows.get("count"), int) and child.rows["count"] > 1
    if numbering is None or not fixed or len(np.unique(groups)) < _MIN_PARENTS:
        return
    numbers = source.data.column(numbering).to_numpy(zero_copy_only=False)
    for name, draft in list(child.columns.items()):
        if draft.spec.get("kind") in _NOT_FLAGS or draft.spec.get("hidden") or name not in source.data.column_names \
                or not readable(name):
            continue
        values = np.asarray(source.data.column(name).to_pylist(), dtype=object)
        flag = _flag(values, groups)
        if flag is None:
            continue
        on, off = flag
        flagged = values == on  # never a null
        picked = np.unique(numbers[flagged], return_counts=True)
        pick = parent.free_name(f"{child.name}_{name}")  # read by a lookup: any name will do
        lookup = child.free_name(f"{name}_pick")
        chooser = ColumnDraft(
            {"kind": "choice", "values": {int(n): int(c) for n, c in zip(*picked, strict=True)}, "hidden": True},
            [f"the {numbering} of its one {child.name} row whose {name} is {on!r}"])
        # The pick may follow the parent's categories (larger parties take the car): each parent
        # row's picked number as codes, in the parent data's row order.
        codes = np.full(parent_source.data.num_rows, -1, dtype=np.int64)
        codes[order[groups[flagged]]] = np.searchsorted(picked[0], numbers[flagged])
        condition_choice(chooser, pick, [int(n) for n in picked[0]], codes, parent, parent_source.data)
        parent.columns[pick] = chooser
        at = list(child.columns).index(name)
        child.columns = {n: child.columns.get(n, ColumnDraft({})) for n in [*list(child.columns)[:at], lookup,
                                                                           *list(child.columns)[at:]]}
        child.columns[lookup] = ColumnDraft({"kind": "lookup", "via": link.column, "column": pick, "hidden": True},
                                            [f"the {numbering} its {link.parent} row picks"])
        spec = {"kind": "expr", "expr": f"if({numbering} == {lookup}, {_literal(on)}, {_literal(off)})"}
        if "null" in draft.spec:
            spec["null"] = draft.spec["null"]
        child.columns[name] = ColumnDraft(spec, [
            f"every {link.parent} row with {child.name} rows has exactly one whose {name} is {on!r}"
            f"{' (or a null)' if 'null' in spec else ''}: its {link.parent} row picks which",
            *[note for note in draft.notes if "null" in note]])
        child.correlations = [pair for pair in child.correlations if name not in pair[:2]]


def _flag(values: np.ndarray, groups: np.ndarray) -> tuple[Any, Any] | None:
    """The value (and the other one) that exactly one child of every parent with children has;
    where some of a parent's children are null (a bird whose sex was not told), at most one.
    At least :data:`_MIN_PARENTS` parents must have no null child: a column nearly all null
    would flag by chance."""
    present = np.array([v is not None for v in values.tolist()], dtype=bool)
    distinct = list(dict.fromkeys(values[present].tolist()))
    if len(distinct) != 2:
        return None
    size = int(groups.max()) + 1
    parents = np.unique(groups)
    whole = np.bincount(groups[~present], minlength=size)[parents] == 0  # parents with no null child
    if whole.sum() < _MIN_PARENTS:
        return None
    for on, off in (distinct, distinct[::-1]):
        flagged = np.bincount(groups[present & (values == on)], minlength=size)[parents]
        if (flagged[whole] == 1).all() and (flagged <= 1).all():
            return on, off
    return None


def _literal(value: Any) -> str:
    """``value`` as an expression literal."""
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return repr(value.item() if isinstance(value, np.generic) else value)
