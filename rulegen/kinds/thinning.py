"""Seasonality after an anchor: values ``after`` a column, denser where the rates are higher.

A value ``after: COL`` is COL plus a drawn delay. With ``seasonality`` it is drawn by thinning
(rejection sampling): each row draws a candidate (COL plus a fresh delay) and an independent
uniform u, and keeps the candidate when u < rate(candidate) / top, where ``top`` bounds every
rate; rows not kept draw again, in rounds. The values then have the density of the delay weighed
by the rates at the instants it reaches: every one is still after its anchor by a delay the law
can draw, and more of them fall on the hours, weekdays, months and event days that weigh more.
The rates are read on the column's local wall clock, as for a column with ``min`` and ``max``.

Determinism: round r draws its delays and uniforms from the column's streams named
``COLUMN/after-season/r`` at the block's counter and attempt, for the block's rows still
waiting, so a block's values depend on the block alone (any order, any process). A row still
waiting after :data:`ROUNDS` rounds (a chance below 1e-8 per row when the rates average a
quarter of their top) keeps its best-rated candidate. A row whose every candidate has a rate of 0
(a delay that seldom reaches a day of weight) moves its last one on, an hour or a day at a time
(a step), to the first instant whose rate is above 0; none within :data:`HORIZON` steps
stops the run.

``trend`` does not apply here (the column compiles without one): a trend says how many values
fall in each year, and a column ``after`` another has one value per row of its anchor.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyarrow as pa

from rulegen.engine.context import BlockContext
from rulegen.kinds.seasonality import Rates

__all__ = ["ROUNDS", "thin", "top_log_rate"]

ROUNDS = 64  # candidates a row draws at most before it keeps its best
HORIZON = 400 * 24  # steps a candidate of rate 0 moves on at most: over a year of hours
_STEPS = 256  # steps tried at once


def top_log_rate(rates: Rates) -> float:
    """The log of a bound of every rate of ``rates`` (trend aside): the product of the largest
    hourly, weekly and monthly weights and the largest product of overlapping event factors."""
    parts = [max(rates.weekly), max(rates.monthly), max(rates.hourly) if rates.hourly is not None else 1.0]
    return sum(math.log(p) for p in parts) + _top_event_log(rates.events)


def _top_event_log(events: tuple[tuple[int, int, float], ...]) -> float:
    """The log of the largest product of event factors on any day (0: a day of no event)."""
    if not events:
        return 0.0
    first, days, factors = (np.array(column, dtype=np.float64) for column in zip(*events, strict=True))
    # A sweep over the days where events begin (+log, +zero) and end (-log, -zero).
    logs = np.log(np.where(factors > 0, factors, 1.0))
    zeros = (factors == 0).astype(np.int64)
    at = np.concatenate([first, first + days])
    order = np.argsort(at, kind="stable")
    running = np.cumsum(np.concatenate([logs, -logs])[order])
    zeroed = np.cumsum(np.concatenate([zeros, -zeros])[order])
    last_of_day = np.append(at[order][1:] != at[order][:-1], True)  # the state once a day's changes are in
    live = running[last_of_day & (zeroed == 0)]
    return max(0.0, float(live.max())) if len(live) else 0.0


def thin(draw: Callable[[BlockContext], pa.Array], wall: Callable[[np.ndarray], np.ndarray], rates: Rates,
         ctx: BlockContext, *, step: Callable[[np.ndarray, np.ndarray], np.ndarray],
         fail: Callable[[int], Exception]) -> pa.Array:
    """Values for the rows of ``ctx``: candidates of ``draw`` kept in proportion to their rate.

    Args:
        draw: candidates (anchor plus a delay) for the rows of a context, of the column's type.
        wall: the local wall-clock seconds of candidates given as their stored integers.
        rates: the column's checked seasonality (its ``growth`` is 0).
        ctx: the block (or the redrawn rows) being evaluated.
        step: stored values moved on by a number of hours (for ``daily``) or days each: how a
            candidate of rate 0 moves on.
        fail: the error for a row (global index) with no instant of rate above 0 within reach.

    Returns:
        One value per row of ``ctx``, null where the anchor is null.

    Raises:
        GenerationError: what ``fail`` makes, for the first such row.
    """
    top = top_log_rate(rates)
    storage: np.ndarray | None = None
    nulls = np.zeros(ctx.n, dtype=bool)
    best = np.full(ctx.n, -math.inf)  # the log rate of each row's kept (or best so far) candidate
    waiting = np.arange(ctx.n)
    kind: pa.DataType | None = None
    for round_ in range(ROUNDS):
        sub = _subset(ctx, waiting, f"{ctx.column}/after-season/{round_}")
        candidates = draw(sub)
        kind = candidates.type
        stored, missing = _stored(candidates)
        if storage is None:
            storage = np.zeros(ctx.n, dtype=stored.dtype)
        log_rate = np.where(missing, 0.0, rates.log_rate(wall(stored), np.zeros(len(stored))))
        better = (log_rate > best[waiting]) | (best[waiting] == -math.inf)  # rate 0 so far: the last one
        storage[waiting[better]], best[waiting[better]] = stored[better], log_rate[better]
        nulls[waiting[better]] = missing[better]
        with np.errstate(divide="ignore"):
            kept = missing | (np.log(sub.rng("accept").random(sub.n)) < log_rate - top)
        storage[waiting[kept]], best[waiting[kept]], nulls[waiting[kept]] = stored[kept], np.inf, missing[kept]
        waiting = waiting[~kept]
        if not len(waiting):
            break
    assert storage is not None and kind is not None
    nowhere = np.flatnonzero(best == -math.inf)
    if len(nowhere):
        storage[nowhere] = _move_on(storage[nowhere], wall, rates, step, lambda i: fail(int(ctx.rows[nowhere[i]])))
    width = pa.int32() if kind.bit_width == 32 else pa.int64()
    return pa.array(storage, mask=nulls, type=width).view(kind)


def _move_on(stored: np.ndarray, wall: Callable[[np.ndarray], np.ndarray], rates: Rates,
             step: Callable[[np.ndarray, np.ndarray], np.ndarray], fail: Callable[[int], Exception]) -> np.ndarray:
    """Each of ``stored`` moved on by the fewest steps to an instant whose rate is above 0."""
    moved, left = stored.copy(), np.arange(len(stored))
    for first in range(0, HORIZON, _STEPS):
        offsets = np.arange(first, min(first + _STEPS, HORIZON + 1), dtype=np.int64)
        tried = step(np.repeat(moved[left], len(offsets)), np.tile(offsets, len(left))).reshape(len(left), -1)
        alive = np.isfinite(rates.log_rate(wall(tried.ravel()), np.zeros(tried.size))).reshape(tried.shape)
        found = alive.any(axis=1)
        moved[left[found]] = tried[found, alive[found].argmax(axis=1)]
        left = left[~found]
        if not len(left):
            return moved
    raise fail(int(left[0]))


def _stored(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The stored integers of dates or timestamps (0 where null) and their null mask."""
    width = pa.int32() if values.type.bit_width == 32 else pa.int64()
    stored = values.view(width).fill_null(0).to_numpy(zero_copy_only=False)
    return stored, values.is_null().to_numpy(zero_copy_only=False)


def _subset(ctx: BlockContext, positions: np.ndarray, column: str) -> BlockContext:
    """The rows of ``ctx`` at ``positions``, drawing from the streams of ``column``."""
    whole = len(positions) == ctx.n
    return BlockContext(
        seed=ctx.seed, table=ctx.table, block=ctx.block, rows=ctx.rows[positions], attempt=ctx.attempt,
        column=column,
        values=ctx.values if whole else {name: v.take(pa.array(positions)) for name, v in ctx.values.items()},
        parent_rows=ctx.parent_rows if whole else {name: r[positions] for name, r in ctx.parent_rows.items()},
    )
