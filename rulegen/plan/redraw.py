"""Which columns a row that fails a constraint, or repeats a unique value checked while
streaming, draws again (the engine's redraw, see :mod:`rulegen.engine.constraints`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from rulegen.expr.parser import Expression
from rulegen.kinds.sample import Sample
from rulegen.plan.plan import ColumnPlan
from rulegen.spec.model import TableSpec

__all__ = ["redraw_set"]


def redraw_set(columns: Mapping[str, ColumnPlan], order: Sequence[str], constraints: Sequence[Expression],
               spec: TableSpec, joint: Iterable[Iterable[str]] = (),
               unique: Iterable[Iterable[str]] = ()) -> tuple[str, ...]:
    """Columns to draw again when a row fails a constraint or repeats a checked unique value.

    That is what the constraints and the unique checks read, all their ancestors (redrawing a derived value alone would
    give it back unchanged), everything derived from those, and whole groups drawn together:
    copula and `sample_rows` groups, and the columns of a composite unique built by construction
    (``joint``; redrawing one of them alone could repeat another row's combination). Columns a
    redraw cannot change (a sequence, a row's own parent, and what only follows from such columns)
    are left out: drawing them again would change nothing, and tie them to the constraints'
    columns for no reason (see TablePlan.needed).

    Args:
        columns: the table's compiled columns.
        order: the table's columns in dependency order.
        constraints: the table's parsed constraints.
        spec: the table.
        joint: further groups of columns drawn together.
        unique: the columns of each unique check (a row repeating one is drawn again).

    Returns:
        The columns to redraw, in dependency order.
    """
    chosen: set[str] = set()
    todo = [name for c in constraints for name in c.names] + [name for names in unique for name in names]
    while todo:
        name = todo.pop()
        if name not in chosen:
            chosen.add(name)
            todo.extend(columns[name].needs)
    groups = [{c for corr in spec.correlations for c in corr.columns},
              {name for name, c in columns.items() if isinstance(c.kind, Sample) and c.kind.joint},
              *(set(group) for group in joint)]
    for group in groups:
        if chosen & group:
            chosen |= group
    varies: set[str] = set()
    for name in order:  # dependency order: a column's inputs are settled before it
        column = columns[name]
        if column.needs & chosen:
            chosen.add(name)
        if column.kind.drawn or column.spec.null > 0 or column.needs & varies:
            varies.add(name)
    return tuple(name for name in order if name in chosen and name in varies)
