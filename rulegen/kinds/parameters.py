"""Distribution parameters given as expressions over the row's columns.

A numeric law's parameter is a number, or a string: an expression over the columns of the same
row (``loc: "base_price * 1.1"``, ``p: "if(vip, 0.3, 0.05)"``), and a ``delay``'s parameter a
duration expression (``scale: "days(30)"``). Such a column reads the columns its expressions
name (the column graph orders them), its expressions are type-checked when the spec compiles,
and each block evaluates them into one parameter per row, which NumPy's generators take as
arrays. A row whose parameter is null gets a null value.

Checks that need the parameters' values cannot run before any row is made; they run on each
block instead (:meth:`Parameters.check_rows`), and a value outside the law's domain (a negative
``scale``, a ``p`` above 1) stops the run naming its row, never as a NumPy exception.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.types as pat

from rulegen.errors import Diagnostic, GenerationError
from rulegen.expr.evaluate import evaluate_expression
from rulegen.expr.parser import Expression, parse_expressions
from rulegen.expr.types import describe, is_numeric
from rulegen.kinds.base import CompileEnv

if TYPE_CHECKING:
    from rulegen.kinds.numeric import Family

__all__ = ["Parameters", "parameter_schema"]

_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}

# Rules between parameters, per row: where they hold (Family.rule says why, at the first row
# where one does not).
_RULES: dict[str, Callable[..., np.ndarray]] = {
    "uniform": lambda low, high: low < high,
    "triangular": lambda left, mode, right: (left <= mode) & (mode <= right) & (left < right),
    "integers": lambda low, high: low <= high,
}


def parameter_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema of a parameter that is a number as ``schema`` says, or an expression.

    One schema of two types rather than an ``anyOf``: the bounds apply to numbers only and
    ``minLength`` to strings only, so a number out of bounds (or infinite) is reported as such.
    """
    return {**schema, "type": [schema.get("type", "number"), "string"], "minLength": 1,
            "x-expect": f"{_number_words(schema)}, or an expression"}


@dataclass(slots=True)
class Parameters:
    """The expression parameters of one law: parsed by :meth:`parse`, typed by :meth:`compile`,
    evaluated for a block by :meth:`values`."""

    law: str  # the family's name: a Family holds lambdas, and plans pickle into worker processes
    pointer: Callable[[str], str]  # JSON pointer of a parameter
    durations: bool = False  # a delay's: expressions are durations, evaluated as seconds
    expressions: dict[str, Expression] = field(default_factory=dict)

    @property
    def family(self) -> Family:
        """The law's family (:data:`rulegen.kinds.numeric.DISTRIBUTIONS`)."""
        from rulegen.kinds.numeric import DISTRIBUTIONS  # numeric imports this module

        return DISTRIBUTIONS[self.law]

    def parse(self, texts: Mapping[str, str], columns: Any) -> list[Diagnostic]:
        """Parse each parameter's expression over the table's ``columns``; the problems found."""
        parsed, problems = parse_expressions(texts, self.pointer, columns)
        self.expressions.update(parsed)
        return problems

    def names(self) -> frozenset[str]:
        """The columns the expressions read."""
        return frozenset().union(*(e.names for e in self.expressions.values()))

    def compile(self, env: CompileEnv) -> None:
        """Type-check the expressions: numbers (integers where the law needs them), or durations."""
        for name, expression in self.expressions.items():
            found = env.infer(expression)
            if found is None or pat.is_null(found):
                continue
            integer = self._schema(name).get("type") == "integer"
            if self.durations:
                ok, wanted = pat.is_duration(found), "a duration such as days(30) or hours(2)"
            elif integer:
                ok, wanted = pat.is_integer(found), "an integer"
            else:
                ok, wanted = is_numeric(found), "a number"
            if not ok:
                env.report("RG330", f"{self.family.name}'s `{name}` needs {wanted}, and `{expression.text}` is "
                                    f"{_a(describe(found))}", expression.pointer,
                           hint=_TYPE_HINTS["duration" if self.durations else "integer" if integer else "number"])

    def values(self, ctx: Any, literal: Mapping[str, Any]) -> tuple[dict[str, Any], np.ndarray]:
        """Every parameter for the rows of ``ctx`` (arrays for expressions, ``literal`` numbers
        as they are), and the mask of rows where some expression is null.

        Raises:
            GenerationError: a parameter is outside the law's domain at some row (RG331).
        """
        params: dict[str, Any] = dict(literal)
        nulls = np.zeros(ctx.n, dtype=bool)
        for name, expression in self.expressions.items():
            array = evaluate_expression(expression, ctx.values, ctx.n, rows=ctx.rows)
            nulls |= array.is_null().to_numpy(zero_copy_only=False)
            params[name] = self._numbers(name, array)
        for name in self.expressions:
            params[name] = params[name][~nulls]
        self._check_rows(params, ctx.rows[~nulls])
        return params, nulls

    def _numbers(self, name: str, array: pa.Array) -> np.ndarray:
        """An evaluated parameter as NumPy numbers (a duration as seconds); nulls as 0."""
        integer = self._schema(name).get("type") == "integer"
        if pat.is_duration(array.type):  # whole seconds for an integer law, as literal durations are
            ticks = array.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
            per_second = _PER_SECOND[array.type.unit]
            return ticks // per_second if integer else ticks / per_second
        if pat.is_null(array.type):
            return np.zeros(len(array), dtype=np.int64 if integer else np.float64)
        values = array.cast(pa.int64() if integer else pa.float64()).fill_null(0)
        return values.to_numpy(zero_copy_only=False)

    def _schema(self, name: str) -> Mapping[str, Any]:
        """The number schema of parameter ``name`` (its domain)."""
        return self.family.params[name][0]

    def _check_rows(self, params: Mapping[str, Any], rows: np.ndarray) -> None:
        """Refuse the first row whose parameters the law cannot draw from, naming it: each
        parameter in its schema's bounds, then the rules between them (``low < high``), then the
        64-bit domain (:mod:`rulegen.kinds.domains`), as for literal parameters."""
        law = self.family.name
        for name in self.expressions:
            values, schema = np.asarray(params[name]), self._schema(name)
            bad = ~np.isfinite(values) if values.dtype.kind == "f" else np.zeros(len(values), dtype=bool)
            for key, holds, _says in _BOUNDS:
                if key in schema:
                    with np.errstate(invalid="ignore"):
                        bad |= ~holds(values, schema[key])
            if bad.any():
                first = int(bad.argmax())
                unit = " seconds" if self.durations else ""
                raise _row_error(f"{law}'s `{name}` is {values[first]}{unit} here, and it must be "
                                 f"{_number_words(schema)}",
                                 self.expressions[name], int(rows[first]))
        if not len(rows):
            return
        rule, outside = _RULES.get(law), getattr(self.family.domain, "outside", None)
        if rule is not None:
            self._refuse_first(~rule(**params), self.family.rule, params, rows)
        if outside is not None:
            self._refuse_first(outside(**params), self.family.domain, params, rows)

    def _refuse_first(self, broken: np.ndarray, why: Callable[..., str | None], params: Mapping[str, Any],
                      rows: np.ndarray) -> None:
        """Stop at the first ``broken`` row, with what ``why`` says of its parameters."""
        broken = np.broadcast_to(broken, rows.shape)
        if broken.any():
            first = int(broken.argmax())
            at_row = {k: np.asarray(v)[first].item() if np.ndim(v) else v for k, v in params.items()}
            raise _row_error(str(why(**at_row)), next(iter(self.expressions.values())), int(rows[first]))


_BOUNDS: tuple[tuple[str, Callable[[np.ndarray, float], np.ndarray], str], ...] = (
    ("minimum", lambda x, bound: x >= bound, ">="),
    ("exclusiveMinimum", lambda x, bound: x > bound, ">"),
    ("maximum", lambda x, bound: x <= bound, "<="),
)

_TYPE_HINTS = {
    "number": "compute a number from the columns, e.g. `price * 1.1` or `if(vip, 0.3, 0.05)`",
    "integer": "make it a whole number, e.g. with `floor(x)` or an integer column",
    "duration": "multiply a unit by a number, e.g. `days(30)` or `hours(2) * weight`",
}


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _number_words(schema: Mapping[str, Any]) -> str:
    """A number schema in words, as the reference shows it: ``a number > 0``, ``a number in [0, 1]``."""
    if "x-expect" in schema:
        return str(schema["x-expect"])
    noun = "an integer" if schema.get("type") == "integer" else "a number"
    if ("minimum" in schema or "exclusiveMinimum" in schema) and "maximum" in schema:
        low = f"[{schema['minimum']}" if "minimum" in schema else f"({schema['exclusiveMinimum']}"
        return f"{noun} in {low}, {schema['maximum']}]"
    parts = [f"{says} {schema[key]}" for key, _, says in _BOUNDS if key in schema]
    return " ".join([noun, *parts[:1]]) + "".join(f" and {part}" for part in parts[1:])


def _row_error(message: str, expression: Expression, row: int) -> GenerationError:
    return GenerationError([Diagnostic("RG331", f"row {row}: {message}", expression.pointer,
                                       hint="keep the expression inside the law's domain, e.g. with max(x, ...) "
                                            "or clip(x, lo, hi)")])
