"""Row constraints and unique checks inside a block, met by deterministic redraw.

Rows that break a constraint, or repeat the value of an earlier row of their block in a unique
column or key checked while streaming, are generated again from the streams of the next attempt
(counter ``attempt``) until every row passes. Only the columns the constraints and checks depend
on, and those derived from them, are drawn again (the plan's ``redraw`` set); the others keep
their values. The failing rows of each attempt are a pure function of the block, so the result
is as deterministic as a first draw.
When redraws cannot make every row pass a constraint, the run stops with the worst constraint
and its pass rate, rather than looping forever or quietly dropping rows. Repeats that redraws
cannot remove, and repeats across blocks, are left to the streaming check, which names both rows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.engine.unique import row_hashes
from rulegen.errors import Diagnostic, GenerationError
from rulegen.expr.evaluate import evaluate_expression
from rulegen.expr.parser import Expression
from rulegen.plan.plan import MAX_ATTEMPTS

__all__ = ["enforce_constraints", "passing", "repeats"]


Evaluator = Callable[..., dict[str, pa.Array]]

# Redraws without fewer failing rows after which repeats are given up (the value space is too
# small to remove them): the streaming check then stops the run, without 1,000 vain redraws.
_STALLED = 50


def passing(constraints: tuple[Expression, ...], values: dict[str, pa.Array], n: int,
            rows: np.ndarray | None = None) -> list[np.ndarray]:
    """Per constraint, a boolean array: the row passes (a null result passes, as in SQL CHECK)."""
    return [
        pc.fill_null(evaluate_expression(c, values, n, rows=rows), True).to_numpy(zero_copy_only=False)
        for c in constraints
    ]


def repeats(table, values: dict[str, pa.Array], rows: np.ndarray) -> np.ndarray:
    """Rows whose value in a redrawn unique check (``table.unique_redraws``) an earlier row of
    ``rows`` already has; the first of equal rows is kept. Nulls never repeat."""
    found = np.zeros(len(rows), dtype=bool)
    for check in table.unique_redraws:
        if all(name in values for name in check.columns):
            hashes = row_hashes([values[name] for name in check.columns], rows)
            order = np.argsort(hashes, kind="stable")  # equal hashes keep row order: the first stays
            ordered = hashes[order]
            found[order[1:][ordered[1:] == ordered[:-1]]] = True
    return found


def enforce_constraints(table, seed: int, block: int, rows: np.ndarray,
                        values: dict[str, pa.Array], evaluate_rows: Evaluator) -> dict[str, pa.Array]:
    """``values`` with every row that fails a constraint, or repeats an earlier row's unique
    value, redrawn until it passes.

    Raises:
        GenerationError: some rows still fail a constraint after :data:`MAX_ATTEMPTS` redraws.
    """
    first = passing(table.constraints, values, len(rows), rows)
    ok = np.logical_and.reduce(first) if first else np.ones(len(rows), dtype=bool)
    attempt, fewest, since = 0, len(rows) + 1, 0
    while True:
        bad = np.flatnonzero(~ok | repeats(table, values, rows))
        if not len(bad):
            return values
        attempt += 1
        fewest, since = (len(bad), attempt) if len(bad) < fewest else (fewest, since)
        if attempt > MAX_ATTEMPTS and not ok.all():
            raise _unmet(table, first, int((~ok).sum()), block)
        if ok.all() and (attempt > MAX_ATTEMPTS or attempt - since > _STALLED):
            return values  # repeats redraws do not remove: the streaming check names them
        at_bad = pa.array(bad)
        kept = {name: array.take(at_bad) for name, array in values.items() if name not in table.redraw}
        redrawn = evaluate_rows(table, seed, block, rows[bad], attempt, known=kept, columns=values.keys())
        checks = passing(table.constraints, redrawn, len(bad), rows[bad])
        now_ok = np.logical_and.reduce(checks) if checks else np.ones(len(bad), dtype=bool)
        fixed = bad[now_ok]
        if len(fixed):
            mask = np.zeros(len(rows), dtype=bool)
            mask[fixed] = True
            take = pa.array(np.flatnonzero(now_ok))
            for name in table.redraw:
                if name in values:  # evaluating a subset of the columns (another table reads them)
                    values[name] = pc.replace_with_mask(values[name], pa.array(mask), redrawn[name].take(take))
            ok[fixed] = True


def _unmet(table, first: list[np.ndarray], left: int, block: int) -> GenerationError:
    rates = [float(p.mean()) if len(p) else 1.0 for p in first]
    worst = int(np.argmin(rates))
    constraint = table.constraints[worst]
    return GenerationError([Diagnostic(
        "RG401",
        f"constraint `{constraint.text}` cannot be met: {rates[worst]:.2%} of rows pass on a first draw, "
        f"and {left} rows of block {block} still fail after {MAX_ATTEMPTS} redraws",
        constraint.pointer,
        hint="loosen the constraint or change the distributions it reads",
    )])
