"""Columns that are a function of others: a sum or a product of two of the table's numbers.

Real tables carry totals (vega's us_employment: ``nonfarm = private + government``) and
interaction terms (statsmodels' star98: ``PERMINTE_AVYRSEXP = PERMINTE * AVYRSEXP``, ccard's
``INCOMESQ = INCOME * INCOME``). Drawn as a column of its own, a total is only correlated with
its parts, and a model that learns it from them learns noise. :func:`derive_columns` finds
every column that equals ``a + b`` or ``a * b`` on every row, up to the rounding of the values
written, and writes it as that ``expr``: readable, exact, and its inputs keep their laws and
correlations.

Only sums and products are tried (not differences or ratios), so a column is never written
from the total it is part of; a candidate whose inputs are themselves written from it is left
alone. Rows are screened on a small sample first, then checked on all rows read.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa

from rulegen.fidelity.profile import ColumnProfile, as_floats
from rulegen.fidelity.render import ColumnDraft, TableDraft

__all__ = ["derive_columns"]

MIN_ROWS = 10  # rows a relation must hold on: fewer could hold by chance
MAX_COLUMNS = 60  # wider tables are not searched (pairs grow as the square)
_SCREEN = 64  # rows each candidate is first tried on
_RELATIVE = 1e-6  # floating-point slack, relative to the value
_DRAWN = {"histogram", "choice"}  # with the numeric laws: what a derived column may replace


def derive_columns(table: TableDraft, data: pa.Table, profiles: dict[str, ColumnProfile], skip: set[str]) -> None:
    """Rewrite each number of ``table`` that is the sum or the product of two others (on every
    row, none of them null) as that expression, rounded as the column's values are."""
    from rulegen.kinds.numeric import DISTRIBUTIONS

    names = [name for name, profile in profiles.items()
             if name not in skip and profile.numeric and not profile.nulls and profile.distinct > 2
             and name.isidentifier() and table.columns[name].spec.get("kind") in {*DISTRIBUTIONS, *_DRAWN}]
    if len(names) < 3 or len(names) > MAX_COLUMNS or data.num_rows < MIN_ROWS:
        return
    values = {name: as_floats(data.column(name)) for name in names}
    grain = {name: _half_step(profiles[name]) for name in names}
    inputs: dict[str, tuple[str, ...]] = {}
    screen = np.linspace(0, data.num_rows - 1, min(_SCREEN, data.num_rows)).astype(np.int64)
    for target in names:
        found = _relation(target, names, values, grain, inputs, screen)
        if found is None:
            continue
        a, operator, b = found
        inputs[target] = (a, b)
        text = f"{a} {operator} {b}"
        decimals = profiles[target].decimals if profiles[target].category == "float" else 0
        whole = all(profiles[n].category == "integer" for n in (a, b))
        if decimals is not None and not (decimals == 0 and whole):  # integers add and multiply to integers
            text = f"round({text}, {decimals})" if decimals else f"round({text})"
        word = "sum" if operator == "+" else "product"
        table.columns[target] = ColumnDraft({"kind": "expr", "expr": text},
                                            [f"the {word} of {a} and {b} on every one of the {data.num_rows:,} rows"])


def _relation(target: str, names: list[str], values: dict[str, np.ndarray], grain: dict[str, float],
              inputs: dict[str, tuple[str, ...]], screen: np.ndarray) -> tuple[str, str, str] | None:
    """The first ``(a, "+" or "*", b)`` that ``target`` equals on every row, or None."""
    y = values[target]
    for a, b in itertools.combinations_with_replacement([n for n in names if n != target], 2):
        if _reaches(target, a, inputs) or _reaches(target, b, inputs):
            continue  # a cycle: a or b is written from target
        for operator in ("+", "*"):
            if a == b and operator == "+":
                continue  # 2a is a scale, not a relation between columns
            if _holds(y, values[a], values[b], operator, grain[target], grain[a], grain[b], screen) and \
                    _holds(y, values[a], values[b], operator, grain[target], grain[a], grain[b], None):
                return a, operator, b
    return None


def _holds(y: np.ndarray, a: np.ndarray, b: np.ndarray, operator: str, gy: float, ga: float, gb: float,
           rows: np.ndarray | None) -> bool:
    """Whether ``y == a op b`` on ``rows`` (all when None) within the rounding of each value."""
    if rows is not None:
        y, a, b = y[rows], a[rows], b[rows]
    if operator == "+":
        made, slack = a + b, gy + ga + gb
    else:
        made, slack = a * b, gy + np.abs(b) * ga + np.abs(a) * gb + ga * gb
    return bool(np.all(np.abs(y - made) <= slack + _RELATIVE * np.abs(y)))


def _half_step(profile: ColumnProfile) -> float:
    """Half the step the column's values were rounded to (0 for integers and full precision)."""
    if profile.category != "float" or profile.decimals is None:
        return 0.0
    return 0.5 * 10.0 ** -profile.decimals * (1 + 1e-9)


def _reaches(target: str, name: str, inputs: dict[str, tuple[str, ...]]) -> bool:
    """Whether ``name`` is ``target`` or is written (through other derived columns) from it."""
    if name == target:
        return True
    return any(_reaches(target, part, inputs) for part in inputs.get(name, ()))
