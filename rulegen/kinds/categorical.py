"""Categorical kinds: ``bool``, ``choice`` (weighted, or conditional on another column), ``constant``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.errors import Diagnostic, did_you_mean
from rulegen.expr.types import common_type, describe
from rulegen.kinds.base import CompileEnv, Kind, arrow_type_of
from rulegen.kinds.registry import register

__all__ = ["Bool", "Choice", "Constant"]

_WEIGHTS = {
    "anyOf": [
        {"type": "object", "minProperties": 1, "additionalProperties": {"type": "number", "minimum": 0}},
        {"type": "array", "minItems": 1, "items": {"type": ["string", "number", "boolean"]}},
    ],
    "x-expect": "a mapping of value to weight, or a list of equally likely values",
}


@register
class Bool(Kind):
    """True with probability ``p``."""

    name = "bool"
    summary = "true with probability p"
    options = {"p": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5}}
    example = {"kind": "bool", "p": 0.8}

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.bool_()

    def low_cardinality(self) -> bool:
        return True

    def do_evaluate(self, ctx: Any) -> np.ndarray:
        return ctx.rng().random(ctx.n) < self.option("p", 0.5)

    def space_size(self) -> int:
        return 2

    def values_at(self, index: np.ndarray) -> pa.Array:
        return pa.array(index.astype(bool))


class _Weights:
    """Values with cumulative weights: one categorical distribution."""

    def __init__(self, spec: Mapping[Any, float] | list[Any]) -> None:
        pairs = list(spec.items()) if isinstance(spec, Mapping) else [(v, 1.0) for v in spec]
        self.values = [v for v, _ in pairs]
        self.cumulative = np.cumsum([float(w) for _, w in pairs])

    @property
    def total(self) -> float:
        return float(self.cumulative[-1])

    def indices(self, u: np.ndarray) -> np.ndarray:
        """Index of the value drawn for each uniform in ``u``."""
        index = np.searchsorted(self.cumulative, u * self.total, side="right")
        return np.minimum(index, len(self.values) - 1)


@register
class Choice(Kind):
    """A categorical draw; with ``given``, the weights depend on another column's value."""

    name = "choice"
    summary = "a categorical draw from weighted values, optionally conditional on another column"
    options = {
        "values": _WEIGHTS,
        "given": {"type": "string", "description": "column whose value picks the case"},
        "cases": {"type": "object", "minProperties": 1, "additionalProperties": _WEIGHTS},
        "default": _WEIGHTS,
    }
    example = {"kind": "choice", "values": {"US": 40, "DE": 10, "FR": 8}}

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.weights = _Weights(self.option("values")) if self.option("values") is not None else None
        self.cases = {key: _Weights(w) for key, w in (self.option("cases") or {}).items()}
        self.default = _Weights(self.option("default")) if self.option("default") is not None else None

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
            if not self.cases:
                problems.append(Diagnostic("RG204", "`given` needs `cases`", self.pointer("given")))
            if given not in table.columns:
                problems.append(Diagnostic("RG212", f"`given` names unknown column `{given}`", self.pointer("given"),
                                           hint=did_you_mean(given, table.columns)))
        for option, weights in [("values", self.weights), ("default", self.default),
                                *((f"cases/{k}", w) for k, w in self.cases.items())]:
            if weights is not None and weights.total <= 0:
                problems.append(Diagnostic("RG210", "weights must not all be 0", self.pointer(*option.split("/"))))
        return problems

    def low_cardinality(self) -> bool:
        return True

    def dependencies(self) -> frozenset[str]:
        given = self.option("given")
        return frozenset([given]) if given else frozenset()

    def _all_values(self) -> list[Any]:
        groups = [self.weights, self.default, *self.cases.values()]
        return [v for g in groups if g is not None for v in g.values]

    def compile(self, env: CompileEnv) -> None:
        self.type = arrow_type_of(self._all_values())
        self.pool = pa.array(self._all_values(), type=self.type) if self.type != pa.string() else \
            pa.array([str(v) for v in self._all_values()])
        given = self.option("given")
        if given is not None and given in env.types:
            for key in self.cases:
                if common_type(env.types[given], pa.scalar(key).type) is None:
                    env.report("RG224", f"case `{key}` cannot match `{given}`, which holds "
                                        f"{describe(env.types[given])} values", self.pointer("cases", key))

    def do_evaluate(self, ctx: Any) -> pa.Array:
        u = ctx.rng().random(ctx.n)
        if self.weights is not None:
            return self.pool.take(pa.array(self.weights.indices(u)))
        # Conditional: each group of rows draws from its case, using the same uniforms.
        given = ctx.values[self.option("given")]
        offsets, start = {}, 0
        for group in [self.default, *self.cases.values()]:
            if group is not None:
                offsets[id(group)] = start
                start += len(group.values)
        index = np.full(ctx.n, -1, dtype=np.int64)
        unmatched = np.ones(ctx.n, dtype=bool)
        for key, group in self.cases.items():
            rows = pc.fill_null(pc.equal(given, pa.scalar(key).cast(given.type)), False).to_numpy(
                zero_copy_only=False)
            index[rows] = offsets[id(group)] + group.indices(u[rows])
            unmatched &= ~rows
        if self.default is not None:
            index[unmatched] = offsets[id(self.default)] + self.default.indices(u[unmatched])
        return self.pool.take(pa.array(index, mask=index < 0))

    def _possible(self) -> pa.Array:
        """The distinct values that can be drawn (weight above 0), in declaration order."""
        positive = [i for i, w in enumerate(np.diff(self.weights.cumulative, prepend=0.0)) if w > 0]
        unique = list(dict.fromkeys(self.pool[i].as_py() for i in positive))
        return pa.array(unique, type=self.type)

    def space_size(self) -> int | None:
        return len(self._possible()) if self.weights is not None else None

    def values_at(self, index: np.ndarray) -> pa.Array:
        return self._possible().take(pa.array(index))


@register
class Constant(Kind):
    """The same value on every row."""

    name = "constant"
    summary = "the same value on every row"
    options = {"value": {"type": ["string", "number", "boolean", "null"]}}
    required = ("value",)
    example = {"kind": "constant", "value": "EUR"}

    def compile(self, env: CompileEnv) -> None:
        value = self.option("value")
        self.type = pa.scalar(value).type if value is not None else pa.string()

    def low_cardinality(self) -> bool:
        return True

    def do_evaluate(self, ctx: Any) -> pa.Array:
        return pa.repeat(pa.scalar(self.option("value"), type=self.type), ctx.n)
