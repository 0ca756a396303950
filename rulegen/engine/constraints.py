"""Row constraints, met by deterministic redraw.

Rows that break a constraint are generated again from the streams of the next attempt
(counter ``attempt``) until every row passes. Only the columns the constraints depend on, and
those derived from them, are drawn again (the plan's ``redraw`` set); the others keep their
values. The failing rows of each attempt are a pure function of the block, so the result is
as deterministic as a first draw.
When redraws cannot make every row pass, the run stops with the worst constraint and its pass
rate, rather than looping forever or quietly dropping rows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.errors import Diagnostic, GenerationError
from rulegen.expr.evaluate import evaluate_expression
from rulegen.expr.parser import Expression
from rulegen.plan.plan import MAX_ATTEMPTS

__all__ = ["enforce_constraints", "passing"]


Evaluator = Callable[..., dict[str, pa.Array]]


def passing(constraints: tuple[Expression, ...], values: dict[str, pa.Array], n: int,
            rows: np.ndarray | None = None) -> list[np.ndarray]:
    """Per constraint, a boolean array: the row passes (a null result passes, as in SQL CHECK)."""
    return [
        pc.fill_null(evaluate_expression(c, values, n, rows=rows), True).to_numpy(zero_copy_only=False)
        for c in constraints
    ]


def enforce_constraints(table, seed: int, block: int, rows: np.ndarray,
                        values: dict[str, pa.Array], evaluate_rows: Evaluator) -> dict[str, pa.Array]:
    """``values`` with every row that fails a constraint redrawn until it passes.

    Raises:
        GenerationError: some rows still fail after :data:`MAX_ATTEMPTS` redraws.
    """
    first = passing(table.constraints, values, len(rows), rows)
    ok = np.logical_and.reduce(first)
    attempt = 0
    while not ok.all():
        attempt += 1
        bad = np.flatnonzero(~ok)
        if attempt > MAX_ATTEMPTS:
            raise _unmet(table, first, len(bad), block)
        at_bad = pa.array(bad)
        kept = {name: array.take(at_bad) for name, array in values.items() if name not in table.redraw}
        redrawn = evaluate_rows(table, seed, block, rows[bad], attempt, known=kept, columns=values.keys())
        now_ok = np.logical_and.reduce(passing(table.constraints, redrawn, len(bad), rows[bad]))
        fixed = bad[now_ok]
        if len(fixed):
            mask = np.zeros(len(rows), dtype=bool)
            mask[fixed] = True
            take = pa.array(np.flatnonzero(now_ok))
            for name in table.redraw:
                if name in values:  # evaluating a subset of the columns (another table reads them)
                    values[name] = pc.replace_with_mask(values[name], pa.array(mask), redrawn[name].take(take))
            ok[fixed] = True
    return values


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
