"""The ``histogram`` kind: a piecewise-uniform law over bins with weights."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pyarrow as pa

from rulegen.errors import Diagnostic
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.cases import Cases
from rulegen.kinds.conditional import case_options, check_cases, draw_cases
from rulegen.kinds.domains import DOMAIN_HINT
from rulegen.kinds.registry import register
from rulegen.kinds.validity import in_intervals, numbers, verdict
from rulegen.spec.source_map import join_pointer

__all__ = ["Histogram"]

_EDGES = {"type": "array", "items": {"type": "number"}, "minItems": 2, "description": "n + 1 increasing bin edges"}
_BIN_WEIGHTS = {"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 1,
                "description": "n bin weights"}


@register
class Histogram(Kind):
    """A piecewise-uniform law: bin i, between ``edges[i]`` and ``edges[i + 1]``, has weight
    ``weights[i]``. Follows any shape (multimodal, skewed) without copying values; with
    ``given``, each case of other columns has bins of its own (:mod:`rulegen.kinds.conditional`)."""

    name = "histogram"
    summary = "piecewise uniform over bins [edges[i], edges[i+1]) with the given weights"
    options = {
        "edges": _EDGES,
        "weights": _BIN_WEIGHTS,
        "integer": {"type": "boolean", "description": "whole numbers (each bin gives the integers it covers)"},
        **case_options({"type": "object", "required": ["edges", "weights"], "additionalProperties": False,
                        "properties": {"edges": _EDGES, "weights": _BIN_WEIGHTS}},
                       "its own `edges` and `weights`"),
    }
    required = ("edges", "weights")
    example = {"kind": "histogram", "edges": [0, 10, 50, 100], "weights": [5, 3, 1]}
    value_rule = "range"

    def check(self, table: Any) -> list[Diagnostic]:
        own = self._bin_problems(self.option("edges"), self.option("weights"), self.pointer())
        return own + check_cases(self, table, lambda case, at: self._bin_problems(case["edges"], case["weights"], at))

    def _bin_problems(self, edges: list[float], weights: list[float], at: str) -> list[Diagnostic]:
        """Problems of one set of bins (the kind's own or a case's, at pointer ``at``)."""
        if len(weights) != len(edges) - 1:
            return [Diagnostic("RG210", f"{len(edges)} edges make {len(edges) - 1} bins, but there are "
                                        f"{len(weights)} weights", join_pointer(at, "weights"))]
        if any(b <= a for a, b in itertools.pairwise(edges)):
            return [Diagnostic("RG210", "edges must increase", join_pointer(at, "edges"))]
        if sum(weights) <= 0:
            return [Diagnostic("RG210", "weights must not all be 0", join_pointer(at, "weights"))]
        if not math.isfinite(edges[-1] - edges[0]):
            return [Diagnostic("RG276", f"the edges span {edges[0]} to {edges[-1]}, beyond the range of 64-bit "
                                        "floats", join_pointer(at, "edges"), hint=DOMAIN_HINT)]
        if self.option("integer") and not -(2.0**63) <= edges[0] <= edges[-1] < 2.0**63:  # in float, as drawn
            return [Diagnostic("RG276", f"integer values from {edges[0]} to {edges[-1]} do not fit in 64-bit "
                                        "integers", join_pointer(at, "edges"), hint=DOMAIN_HINT)]
        return []

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.int64() if self.option("integer") else pa.float64()
        self.edges, self.cumulative = _bins(self.option("edges"), self.option("weights"))
        self.by_case = Cases.of(self)
        self.case_bins = [_bins(case["edges"], case["weights"]) for case in (self.option("cases") or {}).values()]
        if self.by_case is not None:
            self.by_case.compile(env)

    def dependencies(self) -> frozenset[str]:
        given = Cases.of(self)
        return frozenset(given.given) if given else frozenset()

    def inverse_cdf(self, u: np.ndarray) -> np.ndarray:
        """Values at uniform quantiles ``u`` (of the kind's own bins): the CDF is piecewise linear."""
        return _inverse_cdf(self.edges, self.cumulative, u, integer=bool(self.option("integer")))

    def _all_bins(self) -> tuple[np.ndarray, np.ndarray]:
        """Starts and ends of the bins of positive weight, the kind's own and every case's."""
        sets = [(self.option("edges"), self.option("weights")),
                *((case["edges"], case["weights"]) for case in (self.option("cases") or {}).values())]
        starts, ends = [], []
        for edges, weights in sets:
            edges, positive = np.asarray(edges, dtype=np.float64), np.asarray(weights, dtype=np.float64) > 0
            starts.append(edges[:-1][positive])
            ends.append(edges[1:][positive])
        return np.concatenate(starts), np.concatenate(ends)

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """Inside a bin of positive weight (its integers, with ``integer``), of any case."""
        x, nulls = numbers(values)
        starts, ends = self._all_bins()
        if self.option("integer"):  # values are floor(x), x in [start, end)
            ok = in_intervals(x, np.floor(starts), np.floor(ends), within=within, integer=True)
        else:  # edge + fraction * width may land an ulp past the edge
            slack = 1e-9 * (ends.max() - starts.min())
            ok = in_intervals(x, starts - slack, ends + slack, within=within)
        return verdict(ok, nulls, False)

    def bounds(self) -> tuple[float, float]:
        starts, ends = self._all_bins()
        first, last = float(starts.min()), float(ends.max())
        if self.option("integer"):
            return math.floor(first), math.floor(last)
        slack = 1e-9 * (last - first)  # as in valid(): a value may land an ulp past an edge
        return first - slack, last + slack

    def do_evaluate(self, ctx: Any) -> np.ndarray:
        integer = bool(self.option("integer"))
        if self.by_case is not None:
            laws = [lambda u, bins=bins: _inverse_cdf(*bins, u, integer=integer) for bins in self.case_bins]
            return draw_cases(self.by_case, ctx, self.inverse_cdf, laws, integer=integer)
        u = ctx.uniform()
        return self.inverse_cdf(u if u is not None else ctx.rng().random(ctx.n))


def _bins(edges: list[float], weights: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Edges and cumulative shares of a histogram's bins, as floats."""
    scaled = np.asarray(weights, dtype=np.float64)
    scaled = scaled / scaled.max()  # scaled first: a sum of huge weights stays finite
    return np.asarray(edges, dtype=np.float64), np.cumsum(scaled) / scaled.sum()


def _inverse_cdf(edges: np.ndarray, cumulative: np.ndarray, u: np.ndarray, *, integer: bool) -> np.ndarray:
    """Values at uniform quantiles ``u`` of the bins: the CDF is piecewise linear."""
    bins = np.minimum(np.searchsorted(cumulative, u, side="right"), len(cumulative) - 1)
    start = np.concatenate([[0.0], cumulative])[bins]
    mass = cumulative[bins] - start
    within = np.divide(u - start, mass, out=np.zeros_like(u), where=mass > 0)
    values = edges[bins] + within * (edges[bins + 1] - edges[bins])
    return np.floor(values).astype(np.int64) if integer else values
