"""The column-kind protocol: what every kind declares and the hooks the engine calls.

A kind is a class registered under its YAML name. It declares its options as JSON Schema (the
registry composes them into the spec schema), then goes through three steps:

1. ``check(table)``: semantic checks of its own options (``low <= high``), reported as diagnostics;
   then ``resolve(tables)`` for kinds that name other tables (a ``ref``'s parent column).
2. ``compile(env)``: resolve what depends on other columns or on the seed (types of inputs,
   expressions, Faker pools) and settle :attr:`type`, the Arrow type of its values.
3. ``evaluate(ctx)``: the values of one block of rows, vectorised. Subclasses implement
   ``do_evaluate``; the public method converts and checks the result (a template method, so
   every kind gets the same guarantees).

Kinds with a finite, enumerable value space implement :meth:`space_size` and
:meth:`values_at`, which is how ``unique: true`` is met by construction.

``rulegen check`` asks each kind :meth:`valid`: could it have made these values? The checker
applies the common options (``round``, ``clip``, ``when``/``else``, ``null``) around the answer,
and reports the values a kind rejects under its :attr:`Kind.value_rule`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pyarrow as pa

from rulegen.errors import Diagnostic
from rulegen.spec.source_map import join_pointer

if TYPE_CHECKING:
    from rulegen.engine.context import BlockContext
    from rulegen.expr.parser import Expression
    from rulegen.spec.model import ColumnSpec, TableSpec

__all__ = ["CompileEnv", "Kind", "fixed_width", "longest_text"]


@dataclass(slots=True)
class CompileEnv:
    """What a kind may know while compiling: the seed, its table, and the types of its inputs."""

    seed: int
    table: TableSpec
    rows: int
    locale: str
    base_dir: str
    types: dict[str, pa.DataType] = field(default_factory=dict)
    widths: dict[str, int | None] = field(default_factory=dict)  # bytes of a value (plan.budget)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    kinds: dict[str, Kind] = field(default_factory=dict)  # this table's kinds compiled so far
    link: Any = None  # the table's ParentLink, for `rows: {per: ...}`
    timeline: Any = None  # the table's Timeline, for `timeline: {...}`
    block_rows: int = 0  # rows per block, set by the compiler (kinds that look back across blocks need it)
    # Every table while it compiles (its spec, rows, and the ColumnPlans compiled so far): columns
    # compile in the column graph's order across tables, so a column's inputs are there.
    tables: Mapping[str, Any] = field(default_factory=dict)
    # Every table's TablePlan, filled once all tables are compiled: what kinds read at run time.
    plans: dict[str, Any] = field(default_factory=dict)

    def report(self, code: str, message: str, pointer: str, **extra: Any) -> None:
        """Record a problem; compilation goes on so that all problems are reported at once."""
        self.diagnostics.append(Diagnostic(code, message, pointer, **extra))

    def infer(self, expression: Expression) -> pa.DataType | None:
        """The type of an expression over this table's columns, reporting type errors."""
        from rulegen.expr.check import infer_type

        result, problems = infer_type(expression, self.types)
        self.diagnostics.extend(problems)
        return result


class Kind:
    """Base class of column kinds (see the module docstring for the protocol)."""

    name: ClassVar[str]
    summary: ClassVar[str] = ""
    options: ClassVar[dict[str, dict[str, Any]]] = {}
    required: ClassVar[tuple[str, ...]] = ()
    example: ClassVar[dict[str, Any]] = {}
    inherently_unique: ClassVar[bool] = False  # values distinct by nature (sequence, uuid)
    value_rule: ClassVar[str] = "domain"  # what `rulegen check` calls a value valid() rejects
    # Values come from the block's random streams, so a redraw gives others. False for kinds
    # whose value at a row is fixed (a sequence, a constant) or follows their inputs (an expr).
    drawn: bool = True

    def __init__(self, column: ColumnSpec) -> None:
        self.column = column
        self.type: pa.DataType = pa.null()

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.column.options.items())
        return f"{self.name}({args})"

    # --- declaration -------------------------------------------------------------------
    def option(self, name: str, default: Any = None) -> Any:
        """A kind-specific option, or its default."""
        return self.column.options.get(name, default)

    def pointer(self, *keys: object) -> str:
        """JSON pointer of this column, or of one of its options."""
        pointer = self.column.pointer
        for key in keys:
            pointer = join_pointer(pointer, key)
        return pointer

    def check(self, table: TableSpec) -> list[Diagnostic]:
        """Semantic problems of this kind's own options (the schema checked their types).

        ``table`` gives the names of the other columns, for kinds that refer to them.
        """
        return []

    def resolve(self, tables: Mapping[str, TableSpec]) -> list[Diagnostic]:
        """Problems with the names of other tables and their columns this kind gives.

        Called once every table has passed :meth:`check`, before :meth:`references` is asked.
        """
        return []

    def dependencies(self) -> frozenset[str]:
        """Columns of the same table this kind reads."""
        return frozenset()

    def references(self) -> frozenset[tuple[str, str]]:
        """Columns of other tables this kind reads, as (table, column)."""
        return frozenset()

    def compile(self, env: CompileEnv) -> None:
        """Settle :attr:`type` (and anything seed-dependent); report problems to ``env``."""
        raise NotImplementedError(f"{type(self).__name__}.compile")

    def low_cardinality(self) -> bool:
        """Whether values repeat a lot (worth dictionary-encoding in columnar output)."""
        return False

    # --- uniqueness by construction ----------------------------------------------------
    def space_size(self) -> int | None:
        """How many distinct values the kind can make, when finite and enumerable."""
        return None

    def values_at(self, index: np.ndarray) -> pa.Array:
        """The ``index``-th values of the value space (a bijection onto it)."""
        raise NotImplementedError(f"{type(self).__name__}.values_at")

    def unique_given(self, columns: Mapping[str, Any]) -> bool:
        """Whether distinct rows get distinct values because a unique input's are distinct, given
        the table's compiled columns (``ColumnPlan``s); ``unique: true`` then needs no check."""
        return False

    def possible_values(self) -> pa.Array | None:
        """Every value the kind can make, when it holds them all (a list, a Faker pool)."""
        choices = self.choices()
        return None if choices is None else pa.array(choices, type=self.type)

    # --- checking written data ---------------------------------------------------------
    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array | None:
        """Whether this kind can make each of ``values`` (of :attr:`type`, or numbers after ``round``).

        The answer is a boolean array as long as ``values``: True where the kind can make the
        value, False where it cannot, null where it cannot tell. On a null entry the question is
        whether the kind makes nulls itself (a ``choice`` row whose ``given`` has no case). The
        common options are the checker's: for a rounded column it passes ``within``, half a
        rounding step, and asks whether the kind can make a value that close.

        Returns:
            The answer, or None when the kind cannot tell anything (its values come from
            elsewhere, as Faker's or a template's do); such a kind never makes nulls itself.
        """
        return None

    # --- what a database may check -----------------------------------------------------
    def bounds(self) -> tuple[float | None, float | None] | None:
        """The closed interval every value of the kind lies in, when it is known (for a
        ``CHECK (x BETWEEN lo AND hi)``); None when unbounded or not a number."""
        return None

    def choices(self) -> list[Any] | None:
        """Every value the kind can make, when they are few and known (for a ``CHECK (x IN ...)``)."""
        return None

    # --- the byte budget ---------------------------------------------------------------
    def max_bytes(self, widths: Mapping[str, int | None]) -> int | None:
        """An upper bound of the UTF-8 bytes of one value written as text, once compiled; None
        when the kind cannot tell before making values (the engine then measures each block).

        ``widths`` holds the same bound for the table's columns compiled before this one (its
        inputs). The default knows fixed-width types and kinds that list their :meth:`choices`;
        kinds that build strings (templates, patterns, Faker pools) override it.
        """
        choices = self.choices()
        if choices is not None:
            return max((len(str(c).encode("utf-8", "surrogatepass")) for c in choices), default=0)
        return fixed_width(self.type)

    # --- evaluation --------------------------------------------------------------------
    def evaluate(self, ctx: BlockContext) -> pa.Array:
        """Values for the rows of ``ctx``, as an Arrow array of :attr:`type`."""
        result = self.do_evaluate(ctx)
        array = result if isinstance(result, pa.Array | pa.ChunkedArray) else pa.array(result)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        if array.type != self.type:
            array = array.cast(self.type)
        if len(array) != ctx.n:
            raise AssertionError(f"{self!r} made {len(array)} values for {ctx.n} rows")
        return array

    def do_evaluate(self, ctx: BlockContext) -> pa.Array | np.ndarray:
        """The kind's own vectorised generation."""
        raise NotImplementedError(f"{type(self).__name__}.do_evaluate")


def arrow_type_of(values: Mapping[Any, Any] | list[Any]) -> pa.DataType:
    """The Arrow type that holds all of ``values`` (strings when they are mixed)."""
    try:
        return pa.array(list(values)).type
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.string()


# Longest text of one value of each fixed-width type: -9223372036854775808 has 20 characters,
# a float64's shortest repr at most 24 (-2.2250738585072014e-308), a timestamp with nanoseconds
# and a zone about 35.
_WIDTHS = ((pa.types.is_boolean, 5), (pa.types.is_integer, 20), (pa.types.is_floating, 24),
           (pa.types.is_decimal, 80), (pa.types.is_date, 11), (pa.types.is_timestamp, 40),
           (pa.types.is_time, 18), (pa.types.is_duration, 40), (pa.types.is_null, 0))


def fixed_width(value_type: pa.DataType) -> int | None:
    """The most bytes one value of ``value_type`` takes as text, or None for variable-width types."""
    for test, width in _WIDTHS:
        if test(value_type):
            return width
    return None


def longest_text(values: pa.Array) -> int:
    """The most UTF-8 bytes any of ``values`` takes as text (0 when empty or all null)."""
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        width = fixed_width(values.type)
        if width is not None:
            return width
        values = values.cast(pa.string())
    # From the offsets, not with pyarrow.compute: compiling a Faker column must not import it
    # (rulegen.lazy_compute). A null's slot may span bytes: only valid values count.
    if len(values) == 0 or values.null_count == len(values):
        return 0
    width = np.int64 if pa.types.is_large_string(values.type) else np.int32
    validity, offsets = values.buffers()[:2]
    ends = np.frombuffer(offsets, dtype=width, count=len(values) + 1, offset=values.offset * width().itemsize)
    lengths = np.diff(ends)
    if values.null_count:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        lengths = lengths[bits[values.offset:values.offset + len(values)].astype(bool)]
    return int(lengths.max())
