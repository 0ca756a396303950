"""The ``histogram`` kind: a piecewise-uniform law over bins with weights."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pyarrow as pa

from rulegen.errors import Diagnostic
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.domains import DOMAIN_HINT
from rulegen.kinds.registry import register
from rulegen.kinds.validity import in_intervals, numbers, verdict

__all__ = ["Histogram"]


@register
class Histogram(Kind):
    """A piecewise-uniform law: bin i, between ``edges[i]`` and ``edges[i + 1]``, has weight
    ``weights[i]``. Follows any shape (multimodal, skewed) without copying values."""

    name = "histogram"
    summary = "piecewise uniform over bins [edges[i], edges[i+1]) with the given weights"
    options = {
        "edges": {"type": "array", "items": {"type": "number"}, "minItems": 2,
                  "description": "n + 1 increasing bin edges"},
        "weights": {"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 1,
                    "description": "n bin weights"},
        "integer": {"type": "boolean", "description": "whole numbers (each bin gives the integers it covers)"},
    }
    required = ("edges", "weights")
    example = {"kind": "histogram", "edges": [0, 10, 50, 100], "weights": [5, 3, 1]}
    value_rule = "range"

    def check(self, table: Any) -> list[Diagnostic]:
        edges, weights = self.option("edges"), self.option("weights")
        if len(weights) != len(edges) - 1:
            return [Diagnostic("RG210", f"{len(edges)} edges make {len(edges) - 1} bins, but there are "
                                        f"{len(weights)} weights", self.pointer("weights"))]
        if any(b <= a for a, b in itertools.pairwise(edges)):
            return [Diagnostic("RG210", "edges must increase", self.pointer("edges"))]
        if sum(weights) <= 0:
            return [Diagnostic("RG210", "weights must not all be 0", self.pointer("weights"))]
        if not math.isfinite(edges[-1] - edges[0]):
            return [Diagnostic("RG276", f"the edges span {edges[0]} to {edges[-1]}, beyond the range of 64-bit "
                                        "floats", self.pointer("edges"), hint=DOMAIN_HINT)]
        if self.option("integer") and not -(2.0**63) <= edges[0] <= edges[-1] < 2.0**63:  # in float, as drawn
            return [Diagnostic("RG276", f"integer values from {edges[0]} to {edges[-1]} do not fit in 64-bit "
                                        "integers", self.pointer("edges"), hint=DOMAIN_HINT)]
        return []

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.int64() if self.option("integer") else pa.float64()
        self.edges = np.asarray(self.option("edges"), dtype=np.float64)
        weights = np.asarray(self.option("weights"), dtype=np.float64)
        weights = weights / weights.max()  # scaled first: a sum of huge weights stays finite
        self.cumulative = np.cumsum(weights) / weights.sum()

    def inverse_cdf(self, u: np.ndarray) -> np.ndarray:
        """Values at uniform quantiles ``u``: the CDF is piecewise linear."""
        bins = np.minimum(np.searchsorted(self.cumulative, u, side="right"), len(self.cumulative) - 1)
        start = np.concatenate([[0.0], self.cumulative])[bins]
        mass = self.cumulative[bins] - start
        within = np.divide(u - start, mass, out=np.zeros_like(u), where=mass > 0)
        values = self.edges[bins] + within * (self.edges[bins + 1] - self.edges[bins])
        return np.floor(values).astype(np.int64) if self.option("integer") else values

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """Inside a bin of positive weight (its integers, with ``integer``)."""
        x, nulls = numbers(values)
        weights = np.asarray(self.option("weights"), dtype=np.float64)
        starts, ends = self.edges[:-1][weights > 0], self.edges[1:][weights > 0]
        if self.option("integer"):  # values are floor(x), x in [start, end)
            ok = in_intervals(x, np.floor(starts), np.floor(ends), within=within, integer=True)
        else:  # edge + fraction * width may land an ulp past the edge
            slack = 1e-9 * (self.edges[-1] - self.edges[0])
            ok = in_intervals(x, starts - slack, ends + slack, within=within)
        return verdict(ok, nulls, False)

    def bounds(self) -> tuple[float, float]:
        first, last = float(self.edges[0]), float(self.edges[-1])
        if self.option("integer"):
            return math.floor(first), math.floor(last)
        slack = 1e-9 * (last - first)  # as in valid(): a value may land an ulp past an edge
        return first - slack, last + slack

    def do_evaluate(self, ctx: Any) -> np.ndarray:
        u = ctx.uniform()
        return self.inverse_cdf(u if u is not None else ctx.rng().random(ctx.n))
