"""Privacy check: does the synthetic data copy, or sit too close to, real rows?

Two measures per table, each with a baseline from the real data itself (the real rows are
split at random into halves A and B, and B plays the part of an ideal synthetic sample: new
rows from the same population):

- **exact copies**: the share of synthetic rows whose values (identifier columns left out) are
  all equal to those of some real row, found by hashing each row. It is judged on the share of
  synthetic rows equal to a row of A, against the share of B's rows equal to a row of A (same
  reference, so the same odds of a chance match: repeated rows are natural in data made of
  categories or rounded numbers);
- **distance to closest record (DCR)**: for each row of a sample (at most ``sample`` rows of each
  side), the Euclidean distance to the nearest row of A over the numeric and date columns,
  standardised by the real mean and standard deviation (a null counts as the mean), found with a
  KD-tree; reported as the median and 5th percentile, next to B's.

The check fails when the copy share (against A) exceeds the baseline by more than one point
plus three standard errors of the difference, when the DCR's 5th percentile is under half
the baseline's, or when more synthetic rows than real ones sit closer to A than B's 5th
percentile (more than 5 % of them, beyond one point plus three standard errors): then the
generator has memorised real rows, or some of them. The
DCR baseline needs at least :data:`MIN_DCR_ROWS` rows in each real half, and the DCR criterion as
many synthetic rows: on fewer, a 5th percentile is noise, and only the measures are reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

__all__ = ["CLOSE_SHARE", "COPY_TOLERANCE", "DCR_FACTOR", "MIN_DCR_ROWS", "Privacy", "check_privacy"]

COPY_TOLERANCE = 0.01  # copy share allowed above the real-vs-real baseline, besides sampling noise
DCR_FACTOR = 0.5  # the synthetic DCR 5th percentile may not fall under this share of the baseline's
MIN_DCR_ROWS = 100  # rows of each sample below which the DCR is reported but not judged
CLOSE_SHARE = 0.05  # share of B's rows closer to A than B's 5th percentile: what synthetic rows may match


@dataclass(frozen=True, slots=True)
class Privacy:
    """The privacy measures of one table (see the module docstring).

    Attributes:
        columns: the columns compared for copies (identifiers left out).
        copies: share of synthetic rows equal to a real row.
        copies_of_half: share of synthetic rows equal to a row of the real half A (what is judged).
        copies_baseline: share of the real holdout half B's rows equal to a row of A.
        copies_margin: how far ``copies_of_half`` may exceed the baseline (tolerance plus noise).
        dcr_columns: the standardised numeric and date columns of the distance.
        dcr_median, dcr_p05: synthetic rows' distance to the closest real row (None without
            numeric columns).
        baseline_median, baseline_p05: the same for the real holdout half (None when a real half
            has fewer than :data:`MIN_DCR_ROWS` rows).
        dcr_rows: synthetic rows in the distance sample.
        close: share of the sampled synthetic rows closer to a real row than ``baseline_p05``
            (None without a baseline).
        close_margin: how far ``close`` may exceed :data:`CLOSE_SHARE` (tolerance plus noise).
    """

    columns: tuple[str, ...]
    copies: float
    copies_of_half: float
    copies_baseline: float
    copies_margin: float
    dcr_columns: tuple[str, ...] = ()
    dcr_median: float | None = None
    dcr_p05: float | None = None
    baseline_median: float | None = None
    baseline_p05: float | None = None
    dcr_rows: int = 0
    close: float | None = None
    close_margin: float = 0.0

    @property
    def problems(self) -> tuple[str, ...]:
        """Why the check fails: empty when it passes."""
        found = []
        if self.copies_of_half > self.copies_baseline + self.copies_margin:
            found.append(f"{self.copies:.1%} of synthetic rows copy a real row ({self.copies_of_half:.1%} one of "
                         f"half the real rows, where the other half has {self.copies_baseline:.1%})")
        if (self.dcr_p05 is not None and self.baseline_p05 is not None and self.baseline_p05 > 0
                and self.dcr_rows >= MIN_DCR_ROWS and self.dcr_p05 < DCR_FACTOR * self.baseline_p05):
            found.append(f"the 5th percentile of the distance to the closest real row is {self.dcr_p05:.3g}, "
                         f"under {DCR_FACTOR:g} x the real-vs-real {self.baseline_p05:.3g}")
        if self.close is not None and self.dcr_rows >= MIN_DCR_ROWS and self.close > CLOSE_SHARE + self.close_margin:
            found.append(f"{self.close:.1%} of synthetic rows are closer to a real row than 95% of real rows are "
                         f"to each other (at most {CLOSE_SHARE + self.close_margin:.1%} expected)")
        return tuple(found)

    @property
    def ok(self) -> bool:
        """True when no synthetic row copies or hugs real rows more than real rows do each other."""
        return not self.problems


def _row_hashes(columns: dict[str, tuple[str, np.ndarray]]) -> np.ndarray:
    frame = pd.DataFrame({
        name: (pd.Series(values, dtype=np.float64) if kind in ("numeric", "datetime")
               else pd.Series(values, dtype=object))
        for name, (kind, values) in columns.items()
    })
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


def _standardised(columns: dict[str, np.ndarray], mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    matrix = np.column_stack([columns[name] for name in columns]) if columns else np.empty((0, 0))
    matrix = (matrix - mean) / std
    return np.where(np.isnan(matrix), 0.0, matrix)


def check_privacy(real: dict[str, tuple[str, np.ndarray]], synth: dict[str, tuple[str, np.ndarray]], *,
                  sample: int = 10_000, seed: int = 0) -> Privacy | None:
    """Measure copies and distances to closest records between two versions of one table.

    Args:
        real, synth: column name -> (kind, values) as :func:`rulegen.fidelity.distances.prepare_column`
            makes them; only columns present on both sides and not identifiers should be passed.
        sample: rows of each side for the distances.
        seed: seeds the holdout split and the samples (the result is deterministic).

    Returns:
        The measures, or None when there is no column or no row to compare.
    """
    names = [name for name in real if name in synth]
    n_real = len(next(iter(real.values()))[1]) if real else 0
    n_synth = len(next(iter(synth.values()))[1]) if synth else 0
    if not names or n_real == 0 or n_synth == 0:
        return None
    rng = np.random.default_rng(seed)
    real_hash = _row_hashes({n: real[n] for n in names})
    synth_hash = _row_hashes({n: synth[n] for n in names})
    copies = float(np.isin(synth_hash, real_hash).mean())
    order = rng.permutation(n_real)
    half_a, half_b = order[: max(1, n_real // 2)], order[n_real // 2:]
    of_half = float(np.isin(synth_hash, real_hash[half_a]).mean())
    baseline = float(np.isin(real_hash[half_b], real_hash[half_a]).mean()) if n_real >= 2 else 0.0
    pooled = (of_half + baseline) / 2
    margin = COPY_TOLERANCE + 3 * float(np.sqrt(pooled * (1 - pooled) * (1 / len(half_b) + 1 / n_synth)))
    result = Privacy(tuple(names), copies, of_half, baseline, margin)

    numeric = [n for n in names if real[n][0] in ("numeric", "datetime")]
    if not numeric:
        return result
    real_num = {n: real[n][1] for n in numeric}
    synth_num = {n: synth[n][1] for n in numeric}
    mean = np.array([np.nanmean(v) if np.isfinite(v).any() else 0.0 for v in real_num.values()])
    std = np.array([np.nanstd(v) if np.isfinite(v).sum() > 1 else 0.0 for v in real_num.values()])
    std = np.where(std > 0, std, 1.0)
    real_x = _standardised(real_num, mean, std)
    synth_x = _standardised(synth_num, mean, std)
    picked = rng.choice(n_synth, size=min(sample, n_synth), replace=False)
    if len(half_a) >= MIN_DCR_ROWS:
        reference, holdout = real_x[half_a[:sample]], real_x[half_b[:sample]]
        base_d = cKDTree(reference).query(holdout, k=1)[0]
        base_median, base_p05 = float(np.median(base_d)), float(np.quantile(base_d, 0.05))
    else:
        reference, base_median, base_p05 = real_x[order[:sample]], None, None
    synth_d = cKDTree(reference).query(synth_x[picked], k=1)[0]
    close, close_margin = None, 0.0
    if base_p05 is not None and base_p05 > 0:  # with ties among real rows, copies are the measure
        close = float((synth_d < base_p05).mean())
        spread = CLOSE_SHARE * (1 - CLOSE_SHARE) * (1 / len(picked) + 1 / len(base_d))
        close_margin = COPY_TOLERANCE + 3 * float(np.sqrt(spread))
    return Privacy(tuple(names), copies, of_half, baseline, margin, tuple(numeric), float(np.median(synth_d)),
                   float(np.quantile(synth_d, 0.05)), base_median, base_p05, len(picked), close, close_margin)
