"""Differential-privacy mechanisms for ``rulegen infer --epsilon``: noisy counts, histograms,
ranges and thresholded category counts.

Every release here is a vector of counts in which one row of the data counts at most
``sensitivity`` times in total (the L1 sensitivity under adding or removing a row), perturbed by
the **geometric mechanism**: two-sided geometric noise ``P(k) ∝ exp(-epsilon |k| / sensitivity)``,
the discrete Laplace. It is epsilon-differentially private, and being integer it avoids the
floating-point weaknesses of a sampled Laplace. Whatever is computed from the noisy counts
afterwards (ranges, shares, laws) is post-processing and costs no more budget.

- :func:`noisy_counts`: counts of fixed, data-independent bins;
- :func:`private_range`: where the values lie, without bounds given: a count of the values in
  data-independent bins that double in size away from 0 (``±2**k``), then twice a count in
  :data:`REFINE_BINS` equal bins of the range found; each stage keeps the span of the bins whose
  noisy count passes ``sensitivity/epsilon * ln(bins / FALSE_BIN)`` (so that an empty bin passes
  with probability under :data:`FALSE_BIN` in all): sparse tails are cut, and clipped into the
  range afterwards;
- :func:`private_histogram`: counts of equal bins of a range (values outside it clipped in);
- :func:`thresholded_counts`: counts of categories whose labels come from the data (the
  stability-based histogram): a category is released only when its noisy count passes
  ``1 + sensitivity/epsilon * ln(1/(2 delta))``, so a category held by one row is released with
  probability at most ``delta``: (epsilon, delta)-differential privacy.

The noise comes from a NumPy generator the caller seeds: from the operating system's entropy by
default (unpredictable noise, as the guarantee needs), or from a fixed seed for tests.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import numpy as np

__all__ = [
    "FALSE_BIN",
    "REFINE_BINS",
    "geometric_noise",
    "noisy_counts",
    "passing",
    "private_histogram",
    "private_range",
    "thresholded_counts",
]

FALSE_BIN = 0.05  # chance that noise alone makes some empty bin count in a private range
REFINE_BINS = 8  # equal bins of each refinement of a private range
_EXPONENTS = (-16, 64)  # coarse bins from 2**-16 to 2**64 on each side of 0


def geometric_noise(rng: np.random.Generator, epsilon: float, sensitivity: float, size: int) -> np.ndarray:
    """Two-sided geometric noise of scale ``sensitivity / epsilon`` (integers)."""
    p = 1.0 - math.exp(-epsilon / sensitivity)
    return (rng.geometric(p, size) - rng.geometric(p, size)).astype(np.int64)


def noisy_counts(counts: np.ndarray, epsilon: float, rng: np.random.Generator, *, sensitivity: float = 1.0,
                 floor: bool = True) -> np.ndarray:
    """``counts`` plus geometric noise, floored at 0 unless ``floor`` is False (unbiased, for
    moments); epsilon-DP when a row moves the counts by at most ``sensitivity`` in total."""
    counts = np.asarray(counts, dtype=np.int64)
    noisy = counts + geometric_noise(rng, epsilon, sensitivity, counts.size)
    return np.maximum(noisy, 0) if floor else noisy


def _coarse_edges() -> np.ndarray:
    powers = 2.0 ** np.arange(_EXPONENTS[0], _EXPONENTS[1] + 1)
    return np.concatenate([-powers[::-1], [0.0], powers])


def passing(noisy: np.ndarray, epsilon: float, sensitivity: float = 1.0) -> np.ndarray:
    """Which noisy counts pass the threshold of an empty bin (see the module docstring)."""
    return noisy > sensitivity / epsilon * math.log(len(noisy) / FALSE_BIN)


def _span(values: np.ndarray, edges: np.ndarray, epsilon: float, rng: np.random.Generator, sensitivity: float
          ) -> tuple[float, float] | None:
    counts = np.histogram(np.clip(values, edges[0], edges[-1]), edges)[0]
    noisy = noisy_counts(counts, epsilon, rng, sensitivity=sensitivity)
    kept = np.flatnonzero(passing(noisy, epsilon, sensitivity))
    return (float(edges[kept[0]]), float(edges[kept[-1] + 1])) if kept.size else None


def private_range(values: np.ndarray, epsilon: float, rng: np.random.Generator, *, sensitivity: float = 1.0
                  ) -> tuple[float, float] | None:
    """A range holding most of ``values`` (finite floats), epsilon-DP: coarse bins, then two
    refinements in :data:`REFINE_BINS` equal bins, ``epsilon / 3`` each (see the module
    docstring); None when no coarse bin stands out of the noise. ``sensitivity``: how many bins
    one row's change moves the counts of (2 when it moves a value from one bin to another)."""
    found = _span(values, _coarse_edges(), epsilon / 3, rng, sensitivity)
    if found is None:
        return None
    for _ in range(2):
        refined = _span(values, np.linspace(found[0], found[1], REFINE_BINS + 1), epsilon / 3, rng, sensitivity)
        found = refined if refined is not None else found
    return found


def private_histogram(values: np.ndarray, edges: np.ndarray, epsilon: float, rng: np.random.Generator,
                      *, nulls: int | None = None, clip: bool = True) -> tuple[np.ndarray, int | None]:
    """Noisy counts of ``values`` in the bins ``edges`` (values outside are clipped into the end
    bins, or left out unless ``clip``), and of ``nulls`` when given: one release, epsilon-DP, a
    row counting in one bin at most."""
    counts = np.histogram(np.clip(values, edges[0], edges[-1]) if clip else values, edges)[0]
    if nulls is None:
        return noisy_counts(counts, epsilon, rng), None
    noisy = noisy_counts(np.append(counts, nulls), epsilon, rng)
    return noisy[:-1], int(noisy[-1])


def thresholded_counts(values: Iterable[object], epsilon: float, delta: float, rng: np.random.Generator,
                       *, limit: int) -> dict[object, int]:
    """Noisy counts of the categories that pass the threshold (see the module docstring), at most
    ``limit`` of them, commonest first; (epsilon, delta)-DP, a row holding one category."""
    counts = Counter(values)
    labels = sorted(counts, key=str)  # a fixed order: the noise drawn for a label does not depend on the others'
    noisy = noisy_counts(np.array([counts[v] for v in labels], dtype=np.int64), epsilon, rng)
    threshold = 1.0 + math.log(1.0 / (2.0 * delta)) / epsilon
    kept = [(label, int(count)) for label, count in zip(labels, noisy, strict=True) if count > threshold]
    kept.sort(key=lambda item: (-item[1], str(item[0])))
    return dict(kept[:limit])
