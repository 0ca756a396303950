"""Stratified uniforms for counts per parent row (``rows: {per: P, ..., stratified: true}``).

A law drawn independently for each of n parent rows follows the law only up to the noise of n
draws: the empirical CDF of 51 counts strays from the law's by 0.12 on average (Kolmogorov's
0.87 / sqrt(n)). Latin hypercube sampling removes that noise: parent row i takes the uniform

    u_i = (pi(i) + v_i) / n

where pi is a keyed permutation of [0, n) and v_i is uniform in (0, 1), so each of the n equal
strata of (0, 1) holds exactly one parent's uniform, and the counts (the law's quantiles at the
u_i) have an empirical CDF within 1/n of the law's at every point, whatever n.

Both pi(i) (a Feistel network with cycle walking, :func:`rulegen.engine.unique.permute`) and v_i
(:func:`rulegen.engine.random.hash_rows`) are pure functions of (seed, table, parent row count,
row): any block of parent rows gets its uniforms alone, in any process, with any block size,
holding memory for that block only. Changing the number of parent rows (``--scale``) draws
another permutation.
"""

from __future__ import annotations

import numpy as np

from rulegen.engine.random import hash_rows, stream_seed
from rulegen.engine.unique import permute

__all__ = ["stratified_uniforms"]

_BITS = 53  # the mantissa of a float64: v_i takes 2**53 values
_BELOW_ONE = np.nextafter(1.0, 0.0)


def stratified_uniforms(seed: int, table: str, rows: np.ndarray, parent_rows: int) -> np.ndarray:
    """The stratified uniforms of parent rows ``rows`` (all < ``parent_rows``).

    Args:
        seed: the run's seed.
        table: the child table (the stream is (seed, table, "rows", ...), as the counts' own).
        rows: parent row indices.
        parent_rows: the parent's number of rows, the number of strata.

    Returns:
        Floats in (0, 1), one per row; over all ``parent_rows`` rows, one in each stratum
        [k / parent_rows, (k + 1) / parent_rows).
    """
    rows = np.asarray(rows, dtype=np.int64)
    stratum = permute(rows, parent_rows, stream_seed(seed, table, "rows", "strata"))
    bits = hash_rows(stream_seed(seed, table, "rows", "within"), rows) >> np.uint64(64 - _BITS)
    within = (bits.astype(np.float64) + 0.5) / float(1 << _BITS)  # never 0 or 1: a quantile is finite
    # stratum + within rounds up to the next whole number for a large stratum and a within near
    # 1 (one row in 2**53 / stratum): kept below 1, where every quantile is finite.
    return np.minimum((stratum + within) / parent_rows, _BELOW_ONE)
