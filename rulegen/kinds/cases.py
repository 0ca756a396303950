"""Options that change with the values of other columns of the row: ``given`` + ``cases``.

``given`` names one column, or a list of columns; ``cases`` maps a value of it (or, for several
columns, their values joined by commas: ``"Adelie, Dream"``) to the options of that case. A
``choice``'s case holds weights; a numeric law's case holds its parameters
(``{kind: normal, given: species, cases: {Adelie: {loc: 38.8, scale: 2.7}}}``); a
``histogram``'s case holds its bins. Rows whose values have no case use the kind's own options
(a ``choice``'s ``default``).

Keys are matched against each block's values as whole columns (one comparison per distinct key
part), so a case never costs a Python step per row, and a row's case depends only on its own
values: the draws stay the same whatever the block order or the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.errors import Diagnostic, did_you_mean
from rulegen.expr.types import common_type, describe

__all__ = ["GIVEN_SCHEMA", "Cases", "cases_schema"]

GIVEN_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "string", "minLength": 1},
              {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1, "uniqueItems": True}],
    "x-expect": "a column name, or a list of column names",
    "description": "column (or list of columns) whose values pick the case",
}

_SEPARATOR = ","  # between the values of a key over several `given` columns


def cases_schema(leaf: Mapping[str, Any], what: str) -> dict[str, Any]:
    """The schema of ``cases`` whose every case is ``leaf``; ``what`` says what a case holds."""
    return {"type": "object", "minProperties": 1, "additionalProperties": dict(leaf),
            "description": f"for each value of `given` (values joined by commas for several columns), {what}"}


@dataclass(slots=True)
class Cases:
    """The keys of a kind's ``cases`` over its ``given`` columns, and how rows find their case."""

    given: tuple[str, ...]
    keys: list[Any]  # as written in the spec
    pointer: Callable[..., str]  # the kind's Kind.pointer
    # Filled by compile: for each case, the typed value of each given column it matches.
    values: list[tuple[pa.Scalar, ...]] = field(default_factory=list)

    @classmethod
    def of(cls, kind: Any) -> Cases | None:
        """The cases of ``kind`` (None without ``given``)."""
        given = kind.option("given")
        if given is None:
            return None
        given = (given,) if isinstance(given, str) else tuple(given)
        return cls(given, list((kind.option("cases") or {}).keys()), kind.pointer)

    def parts(self, key: Any) -> tuple[Any, ...]:
        """The value of each given column in a key: the key itself for one column, else the
        comma-separated parts, stripped."""
        if len(self.given) == 1:
            return (key,)
        return tuple(part.strip() for part in str(key).split(_SEPARATOR))

    def check(self, table: Any) -> list[Diagnostic]:
        """Unknown given columns, keys with the wrong number of parts, repeated keys."""
        problems = []
        for index, name in enumerate(self.given):
            if name not in table.columns:
                at = self.pointer("given") if len(self.given) == 1 else self.pointer("given", index)
                problems.append(Diagnostic("RG212", f"`given` names unknown column `{name}`", at,
                                           hint=did_you_mean(name, table.columns)))
        if not self.keys:
            problems.append(Diagnostic("RG204", "`given` needs `cases`", self.pointer("given")))
        seen: dict[tuple[Any, ...], Any] = {}
        for key in self.keys:
            parts = self.parts(key)
            if len(parts) != len(self.given):
                columns = ", ".join(self.given)
                problems.append(Diagnostic(
                    "RG370", f"case `{key}` has {len(parts)} value{'s' if len(parts) != 1 else ''}, and `given` "
                             f"names {len(self.given)} columns ({columns})", self.pointer("cases", key),
                    hint=f"write one value per column, in the order of `given`: \"{', '.join(self.given)}\""))
            elif parts in seen:
                problems.append(Diagnostic("RG371", f"case `{key}` repeats case `{seen[parts]}`",
                                           self.pointer("cases", key), hint="merge the two cases into one"))
            else:
                seen[parts] = key
        return problems

    def compile(self, env: Any) -> None:
        """Type each key part as its given column's values; a part that cannot be one is reported."""
        self.values = []
        for key in self.keys:
            typed = []
            for name, part in zip(self.given, self.parts(key), strict=True):
                scalar = _typed(part, env.types.get(name))
                if scalar is None:
                    env.report("RG224", f"case `{key}` cannot match `{name}`, which holds "
                                        f"{describe(env.types[name])} values", self.pointer("cases", key))
                    scalar = pa.scalar(None)
                elif (known := _values_taken(env, name)) is not None and scalar.as_py() not in known:
                    shown = ", ".join(str(v) for v in known[:8]) + (", ..." if len(known) > 8 else "")
                    env.report("RG375", f"case `{key}`: `{name}` never takes `{part}` (it takes {shown}), so no "
                                        f"row would reach the case", self.pointer("cases", key),
                               hint=did_you_mean(str(part), [str(v) for v in known]) or
                               f"key the case by one of the values of `{name}`")
                typed.append(scalar)
            self.values.append(tuple(typed))

    def rows(self, columns: Mapping[str, pa.Array], n: int) -> tuple[list[np.ndarray], np.ndarray]:
        """For each case, the mask of the rows it matches; and the mask of rows no case matches."""
        equal: dict[tuple[int, Any, str], np.ndarray] = {}  # one comparison per distinct part of a column
        masks, unmatched = [], np.ones(n, dtype=bool)
        for values in self.values:
            mask = np.ones(n, dtype=bool)
            for index, scalar in enumerate(values):
                memo = (index, scalar.as_py(), str(scalar.type))
                found = equal.get(memo)
                if found is None:
                    found = equal[memo] = _equal(columns[self.given[index]], scalar)
                mask &= found
            masks.append(mask)
            unmatched &= ~mask
        return masks, unmatched


def _values_taken(env: Any, name: str) -> list[Any] | None:
    """The values the given column ``name`` can take, when its kind knows them (a ``choice``)."""
    taken = getattr(env.kinds.get(name), "values_taken", None)
    return taken() if taken is not None else None


def _typed(part: Any, column_type: pa.DataType | None) -> pa.Scalar | None:
    """A key part as a scalar comparable with the column (None when it cannot be one). Text is
    read as the column's type: every part of a key over several columns is text, and a date key
    (``2024-01-01:``) stays text in a spec."""
    if column_type is None or pa.types.is_null(column_type):
        return pa.scalar(part)
    if isinstance(part, bool) or not isinstance(part, str):
        scalar = pa.scalar(part)
        return scalar if common_type(column_type, scalar.type) is not None else None
    if pa.types.is_string(column_type) or pa.types.is_large_string(column_type):
        return pa.scalar(part)
    try:
        return pa.scalar(part).cast(column_type)
    except (pa.ArrowException, OverflowError):  # text that is not a value of the column's type
        return None


def _equal(column: pa.Array, scalar: pa.Scalar) -> np.ndarray:
    """Where ``column`` holds ``scalar`` (never at a null)."""
    if not scalar.is_valid:
        return np.zeros(len(column), dtype=bool)
    return pc.fill_null(pc.equal(column, scalar.cast(column.type)), False).to_numpy(zero_copy_only=False)
