"""Columns that are a function of others: a sum, a product or a ratio of two of the table's numbers.

Real tables carry totals (vega's us_employment: ``nonfarm = private + government``), interaction
terms (statsmodels' star98: ``PERMINTE_AVYRSEXP = PERMINTE * AVYRSEXP``, ccard's ``INCOMESQ =
INCOME * INCOME``) and ratios (Stat2Data's GrinnellHouses: the sale price as a percentage of the
list price, ``SPLPPct = 100 * SalePrice / ListPrice``). Drawn as a column of its own, a total is
only correlated with its parts, and a model that learns it from them learns noise.
:func:`derive_columns` finds every column that equals ``a + b``, ``a * b``, ``a / b`` or
``100 * a / b`` on every row, up to the rounding of the values written, and writes it as that
``expr``: readable, exact, and its inputs keep their laws and correlations.

Differences are not tried, so a column is never written from the total it is part of; a
candidate whose inputs are themselves written from it is left alone. Rows are screened on a
small sample first, then checked on all rows read.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa

from rulegen.fidelity.correlate import spearman
from rulegen.fidelity.profile import ColumnProfile, as_floats
from rulegen.fidelity.render import ColumnDraft, TableDraft, readable

__all__ = ["derive_columns"]

MIN_ROWS = 10  # rows a relation must hold on: fewer could hold by chance
MAX_COLUMNS = 60  # wider tables are not searched (pairs grow as the square)
_SCREEN = 64  # rows each candidate is first tried on
_RELATIVE = 1e-6  # floating-point slack, relative to the value
_DRAWN = {"histogram", "choice"}  # with the numeric laws: what a derived column may replace
_FOLLOWS = 0.95  # a rank correlation this strong: one column follows another


def derive_columns(table: TableDraft, data: pa.Table, profiles: dict[str, ColumnProfile], skip: set[str]) -> None:
    """Rewrite each number of ``table`` that is the sum, the product or the ratio of two others
    (on every row, none of them null) as that expression, rounded as the column's values are."""
    from rulegen.kinds.numeric import DISTRIBUTIONS

    names = [name for name, profile in profiles.items()
             if name not in skip and profile.numeric and not profile.nulls and profile.distinct > 2
             and readable(name) and table.columns[name].spec.get("kind") in {*DISTRIBUTIONS, *_DRAWN}]
    if len(names) < 3 or len(names) > MAX_COLUMNS or data.num_rows < MIN_ROWS:
        return
    values = {name: as_floats(data.column(name)) for name in names}
    grain = {name: _half_step(profiles[name]) for name in names}
    rho = dict(zip(names, np.abs(np.nan_to_num(spearman(values)[1])), strict=True))
    inputs: dict[str, tuple[str, ...]] = {}
    screen = np.linspace(0, data.num_rows - 1, min(_SCREEN, data.num_rows)).astype(np.int64)

    def first(target: str) -> tuple[bool, tuple[str, str, str]] | None:
        """A sum or product, else (for a number with decimals) a ratio, that ``target`` equals."""
        # A whole number that is a ratio of rounded values is rounding's coincidence.
        for ratios in (False, True) if profiles[target].category == "float" else (False,):
            relation = _relation(target, names, values, grain, inputs, screen, ratios)
            if relation is not None:
                return ratios, relation
        return None

    found = {target: relation for target in names if (relation := first(target)) is not None}
    kept = [name for name in names if name not in found]  # drawn, whatever is written from what
    while found:
        # y = a * b is also a = y / b, and the column written as the expression leaves the
        # copula. A sum or product comes first (an interaction term is computed from its
        # factors), unless its column follows one that stays drawn almost exactly: a sale price
        # that follows its list price stays drawn, and its price per square foot is computed.
        target = min(found, key=lambda t: (_lost(t, found[t][1], kept, rho[t], names), found[t][0]))
        a, operator, b = found.pop(target)[1]
        inputs[target] = (a, b)
        text = f"{a} {operator} {b}" if operator in ("+", "*", "/") else f"100 * {a} / {b}"
        decimals = profiles[target].decimals if profiles[target].category == "float" else 0
        whole = operator in ("+", "*") and all(profiles[n].category == "integer" for n in (a, b))
        if decimals is not None and not (decimals == 0 and whole):  # integers add and multiply to integers
            text = f"round({text}, {decimals})" if decimals else f"round({text})"
        word = {"+": "sum", "*": "product"}.get(operator, "ratio")
        table.columns[target] = ColumnDraft({"kind": "expr", "expr": text},
                                            [f"the {word} of {a} and {b} on every one of the {data.num_rows:,} rows"])
        for other, (_, (c, _, d)) in list(found.items()):  # a relation that now reads itself is sought again
            if _reaches(other, c, inputs) or _reaches(other, d, inputs):
                del found[other]
                if (relation := first(other)) is not None:
                    found[other] = relation


def _lost(target: str, relation: tuple[str, str, str], kept: list[str], rho: np.ndarray, names: list[str]) -> float:
    """The strongest rank correlation of ``target`` (``rho``: its row, in ``names``' order) with
    a ``kept`` column outside ``relation``, when it is at least :data:`_FOLLOWS` (else 0): what
    writing it as the expression would take out of the copula."""
    outside = [rho[names.index(name)] for name in kept if name not in (target, relation[0], relation[2])]
    strongest = float(max(outside, default=0.0))
    return round(strongest, 2) if strongest >= _FOLLOWS else 0.0


def _relation(target: str, names: list[str], values: dict[str, np.ndarray], grain: dict[str, float],
              inputs: dict[str, tuple[str, ...]], screen: np.ndarray, ratios: bool) -> tuple[str, str, str] | None:
    """The first ``(a, operator, b)`` that ``target`` equals on every row, or None (operators:
    ``+``, ``*``, and with ``ratios`` ``/`` and ``%``, for 100 * a / b). Every pair is screened
    at once on the ``screen`` rows (an array of rows x columns x columns), and only the pairs
    that pass are checked on all rows."""
    others = [n for n in names if n != target]
    x = np.stack([values[n][screen] for n in others], axis=1)
    g = np.array([grain[n] for n in others])
    y = values[target][screen][:, None, None]
    operators = _OPERATORS if ratios else _OPERATORS[:2]
    close = {op: _close(y, x[:, :, None], x[:, None, :], op, grain[target], g[:, None], g[None, :])
             for op in operators}
    for i, j in itertools.product(range(len(others)), repeat=2):
        first, second = others[i], others[j]
        if _reaches(target, first, inputs) or _reaches(target, second, inputs):
            continue  # a cycle: an input is written from target
        for operator in operators:
            if (operator in ("+", "*") and i > j) or (i == j and operator != "*"):
                continue  # a + b and a * b once; a + a is a scale and a / a a constant
            if close[operator][:, i, j].all() and _close(values[target], values[first], values[second], operator,
                                                         grain[target], grain[first], grain[second]).all():
                return first, operator, second
    return None


_OPERATORS = ("+", "*", "/", "%")


def _close(y: np.ndarray, a: np.ndarray, b: np.ndarray, operator: str, gy: float, ga: float | np.ndarray,
           gb: float | np.ndarray) -> np.ndarray:
    """Where ``y == a op b`` within the rounding of each value (``%``: 100 * a / b)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if operator == "+":
            made, slack = a + b, gy + ga + gb
        elif operator == "*":
            made, slack = a * b, gy + np.abs(b) * ga + np.abs(a) * gb + ga * gb
        else:
            scale = 100.0 if operator == "%" else 1.0
            made = scale * a / b
            slack = gy + scale * (ga / np.abs(b) + np.abs(a) * gb / (b * b))
            return (b != 0) & (np.abs(y - made) <= slack + _RELATIVE * np.abs(y))
        return np.abs(y - made) <= slack + _RELATIVE * np.abs(y)


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
