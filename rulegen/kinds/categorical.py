"""Categorical kinds: ``bool``, ``choice`` (weighted, or conditional on another column), ``constant``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.errors import Diagnostic
from rulegen.expr.arithmetic import INT64_MAX, INT64_MIN
from rulegen.kinds.base import CompileEnv, Kind, arrow_type_of
from rulegen.kinds.cases import GIVEN_SCHEMA, Cases, cases_schema
from rulegen.kinds.registry import register
from rulegen.kinds.validity import near, near_integers, numbers, verdict

__all__ = ["Bool", "Choice", "Constant", "out_of_range"]

_WEIGHTS = {
    "anyOf": [
        {"type": "object", "minProperties": 1, "additionalProperties": {"type": "number", "minimum": 0}},
        {"type": "array", "minItems": 1, "items": {"type": ["string", "number", "boolean"]}},
    ],
    "x-expect": "a mapping of value to weight, or a list of equally likely values",
}


def out_of_range(values: list[Any], pointer: str) -> list[Diagnostic]:
    """Values a column cannot hold: integers beyond 64 bits, and NaN or infinite numbers."""
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
            return [Diagnostic("RG278", f"value {value} does not fit in a 64-bit integer", pointer,
                               hint="quote it to make it text")]
        if isinstance(value, float) and not math.isfinite(value):
            return [Diagnostic("RG278", f"value {value} is not a finite number", pointer,
                               hint="use null for a missing value")]
    return []


@register
class Bool(Kind):
    """True with probability ``p``."""

    name = "bool"
    summary = "true with probability p"
    options = {"p": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5,
                     "description": "probability of true"}}
    example = {"kind": "bool", "p": 0.8}

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.bool_()

    def low_cardinality(self) -> bool:
        return True

    def do_evaluate(self, ctx: Any) -> np.ndarray:
        return ctx.rng().random(ctx.n) < self.option("p", 0.5)

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """Both values, except False when p is 1 and True when p is 0."""
        p = self.option("p", 0.5)
        nulls = values.is_null().to_numpy(zero_copy_only=False)
        drawn = values.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)
        ok = np.ones(len(values), dtype=bool) if 0 < p < 1 else drawn == (p == 1)
        return verdict(ok, nulls, False)

    def space_size(self) -> int:
        return 2 if 0 < self.option("p", 0.5) < 1 else 1

    def choices(self) -> list[Any] | None:
        p = self.option("p", 0.5)
        return None if 0 < p < 1 else [p == 1]

    def values_at(self, index: np.ndarray) -> pa.Array:
        only = self.option("p", 0.5)
        return pa.array(index.astype(bool) if 0 < only < 1 else np.full(len(index), only == 1))


class _Weights:
    """Values with cumulative weights: one categorical distribution."""

    def __init__(self, spec: Mapping[Any, float] | list[Any]) -> None:
        pairs = list(spec.items()) if isinstance(spec, Mapping) else [(v, 1.0) for v in spec]
        self.values = [v for v, _ in pairs]
        weights = np.array([float(w) for _, w in pairs])
        if weights.max() > 0:  # scaled first: a sum of huge weights stays finite
            weights = weights / weights.max()
        self.cumulative = np.cumsum(weights)

    @property
    def total(self) -> float:
        return float(self.cumulative[-1])

    def indices(self, u: np.ndarray) -> np.ndarray:
        """Index of the value drawn for each uniform in ``u``."""
        index = np.searchsorted(self.cumulative, u * self.total, side="right")
        return np.minimum(index, len(self.values) - 1)


@register
class Choice(Kind):
    """A categorical draw; with ``given``, the weights depend on the values of other columns
    (:mod:`rulegen.kinds.cases`)."""

    name = "choice"
    summary = "a categorical draw from weighted values, optionally conditional on other columns"
    options = {
        "values": {**_WEIGHTS, "description": "the values and their weights (without `given`)"},
        "given": GIVEN_SCHEMA,
        "cases": cases_schema(_WEIGHTS, "the values and weights to draw from"),
        "default": {**_WEIGHTS, "description": "values and weights where `given` has no case (else null)"},
    }
    example = {"kind": "choice", "values": {"US": 40, "DE": 10, "FR": 8}}

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.weights = _Weights(self.option("values")) if self.option("values") is not None else None
        self.cases = {key: _Weights(w) for key, w in (self.option("cases") or {}).items()}
        self.default = _Weights(self.option("default")) if self.option("default") is not None else None
        self.given = Cases.of(self)

    def check(self, table: Any) -> list[Diagnostic]:
        given = self.option("given")
        problems = []
        if given is None:
            if self.weights is None:
                problems.append(Diagnostic("RG204", "choice needs `values` (or `given` with `cases`)",
                                           self.column.pointer))
            for option in ("cases", "default"):
                if self.option(option) is not None:
                    problems.append(Diagnostic("RG210", f"`{option}` needs `given`", self.pointer(option)))
        else:
            if self.weights is not None:
                problems.append(Diagnostic("RG210", "use `default` rather than `values` with `given`",
                                           self.pointer("values")))
            problems += self.given.check(table)
        for option, weights in [("values", self.weights), ("default", self.default),
                                *((f"cases/{k}", w) for k, w in self.cases.items())]:
            if weights is not None and weights.total <= 0:
                problems.append(Diagnostic("RG210", "weights must not all be 0", self.pointer(*option.split("/"))))
            if weights is not None:
                problems += out_of_range(weights.values, self.pointer(*option.split("/")))
        return problems

    def low_cardinality(self) -> bool:
        return True

    def dependencies(self) -> frozenset[str]:
        return frozenset(self.given.given) if self.given else frozenset()

    def _all_values(self) -> list[Any]:
        groups = [self.weights, self.default, *self.cases.values()]
        return [v for g in groups if g is not None for v in g.values]

    def values_taken(self) -> list[Any]:
        """Every value a row of this column can hold (nulls aside), once compiled: its own, and
        the value of its ``else``."""
        taken = self.pool.to_pylist()
        return taken if self.column.else_ is None else [*taken, self.column.else_]

    def compile(self, env: CompileEnv) -> None:
        self.type = arrow_type_of(self._all_values())
        self.pool = pa.array(self._all_values(), type=self.type) if self.type != pa.string() else \
            pa.array([str(v) for v in self._all_values()])
        if self.given is not None:
            self.given.compile(env)

    def do_evaluate(self, ctx: Any) -> pa.Array:
        u = ctx.rng().random(ctx.n)
        if self.weights is not None:
            return self.pool.take(pa.array(self.weights.indices(u)))
        # Conditional: each group of rows draws from its case, using the same uniforms.
        offsets, start = {}, 0
        for group in [self.default, *self.cases.values()]:
            if group is not None:
                offsets[id(group)] = start
                start += len(group.values)
        index = np.full(ctx.n, -1, dtype=np.int64)
        masks, unmatched = self.given.rows(ctx.values, ctx.n)
        for rows, group in zip(masks, self.cases.values(), strict=True):
            index[rows] = offsets[id(group)] + group.indices(u[rows])
        if self.default is not None:
            index[unmatched] = offsets[id(self.default)] + self.default.indices(u[unmatched])
        return self.pool.take(pa.array(index, mask=index < 0))

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """One of the values of positive weight (of any case, with ``given``); null only for a
        ``given`` without ``default``, whose unmatched rows are null."""
        possible = self._drawable()
        makes_null = self.option("given") is not None and self.default is None
        if pa.types.is_integer(self.type) and pa.types.is_integer(values.type):  # exact past 2**53
            nulls = values.is_null().to_numpy(zero_copy_only=False)
            return verdict(near_integers(values, possible.drop_null().to_numpy(), within), nulls, makes_null)
        if pa.types.is_integer(self.type) or pa.types.is_floating(self.type):  # numbers: `round` may apply
            x, nulls = numbers(values)
            return verdict(near(x, numbers(possible)[0], within), nulls, makes_null)
        nulls = values.is_null().to_numpy(zero_copy_only=False)
        found = pc.is_in(values, value_set=possible.cast(values.type)).fill_null(False)
        return verdict(found.to_numpy(zero_copy_only=False), nulls, makes_null)

    def _drawable(self, *, first_group_only: bool = False) -> pa.Array:
        """The values of positive weight in ``values``, ``default`` and every case (in the pool's
        order: the groups one after the other)."""
        groups = [g for g in (self.weights, self.default, *self.cases.values()) if g is not None]
        groups = groups[:1] if first_group_only else groups
        start, picked = 0, []
        for group in groups:
            weights = np.diff(group.cumulative, prepend=0.0)
            picked += [start + i for i, w in enumerate(weights) if w > 0]
            start += len(group.values)
        return self.pool.take(pa.array(picked, type=pa.int64()))

    def choices(self) -> list[Any]:
        """The values of positive weight (nulls come from ``given`` without ``default``)."""
        return pc.unique(self._drawable()).to_pylist()

    def _possible(self) -> pa.Array:
        """The distinct values of ``values`` that can be drawn, in declaration order (for unique)."""
        return pc.unique(self._drawable(first_group_only=True))

    def space_size(self) -> int | None:
        return len(self._possible()) if self.weights is not None else None

    def values_at(self, index: np.ndarray) -> pa.Array:
        return self._possible().take(pa.array(index))


@register
class Constant(Kind):
    """The same value on every row."""

    name = "constant"
    drawn = False  # its value at a row is fixed, or follows its inputs
    summary = "the same value on every row"
    options = {"value": {"type": ["string", "number", "boolean", "null"], "description": "the value of every row"}}
    required = ("value",)
    example = {"kind": "constant", "value": "EUR"}

    def check(self, table: Any) -> list[Diagnostic]:
        return out_of_range([self.option("value")], self.pointer("value"))

    def compile(self, env: CompileEnv) -> None:
        value = self.option("value")
        self.type = pa.scalar(value).type if value is not None else pa.string()

    def low_cardinality(self) -> bool:
        return True

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """The value itself (a null ``value`` makes only nulls)."""
        value = self.option("value")
        nulls = values.is_null().to_numpy(zero_copy_only=False)
        if value is None:
            return verdict(np.zeros(len(values), dtype=bool), nulls, True)
        if isinstance(value, int) and not isinstance(value, bool) and pa.types.is_integer(values.type):
            return verdict(near_integers(values, [value], within), nulls, False)  # exact past 2**53
        if isinstance(value, int | float) and not isinstance(value, bool):
            x, nulls = numbers(values)
            return verdict(near(x, [value], within), nulls, False)
        same = pc.equal(values, pa.scalar(value, type=self.type).cast(values.type)).fill_null(False)
        return verdict(same.to_numpy(zero_copy_only=False), nulls, False)

    def choices(self) -> list[Any] | None:
        value = self.option("value")
        return None if value is None else [value]

    def do_evaluate(self, ctx: Any) -> pa.Array:
        return pa.repeat(pa.scalar(self.option("value"), type=self.type), ctx.n)
