"""Relational kinds: ``ref`` (a foreign key) and ``lookup`` (a parent's column).

A ``ref`` picks a parent *row index* and writes that row's key, so references resolve by
construction. In a table with ``rows: {per: PARENT}``, the first ``ref`` to PARENT holds each
row's own parent (from the plan's :class:`~rulegen.plan.plan.ParentLink`); any other ``ref``
draws its parent row, uniformly or with a ``skew`` over parent rank. A ``ref`` to the table's own
``sequence`` key points to an earlier row (an employee's manager), null on the first row.
``lookup`` reads a column of the row a ``ref`` points to. A ``ref`` to one part of a composite
key (``order_items.order_id`` of ``[order_id, line_no]``) picks a parent row the same way; the
other parts come through lookups of that row, so the combination is a key of the parent.

Other tables are read through :func:`parent_values`, which evaluates only the columns the asked
one needs: tables may refer to each other both ways as long as their columns do not. A parent of
up to :data:`IN_MEMORY_ROWS` rows is evaluated once and kept whole; a larger one is read where
it is needed: a key that is a pure function of the row (a sequence, a unique value by keyed
permutation) is computed at the asked rows, and other columns block by block, the last few
blocks kept, since a child's own parents come block after block. Only a column read at random
across more blocks than that is kept whole.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.errors import Diagnostic, did_you_mean
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.numeric import COUNT_LAWS, value_error
from rulegen.kinds.registry import KINDS, register
from rulegen.kinds.validity import unknown
from rulegen.spec.model import ColumnSpec

__all__ = ["IN_MEMORY_ROWS", "Aggregate", "Lookup", "Ref", "foreign_key", "parent_column", "parent_values"]

IN_MEMORY_ROWS = 2_000_000  # parents up to this size are kept whole once evaluated
BLOCKS_KEPT = 4  # blocks of a larger parent kept (per column) while children read it


def parent_column(table: Any, seed: int, column: str) -> pa.Array:
    """A whole column of another table (hidden columns too), made once and kept on its plan.

    Only the columns that ``column`` needs are evaluated (see :meth:`TablePlan.needed`).
    """
    key = (seed, column)
    if key not in table.cache:
        from rulegen.engine.evaluate import evaluate_values

        needed = table.needed([column])
        chunks = [evaluate_values(table, seed, block, needed)[column] for block in range(table.blocks)]
        table.cache[key] = pa.chunked_array(chunks, type=table.columns[column].type).combine_chunks()
    return table.cache[key]


def parent_values(table: Any, seed: int, column: str, rows: np.ndarray) -> pa.Array:
    """``column`` of another table at ``rows`` (null where a row is -1), with flat memory for
    large tables (see the module docstring)."""
    if table.rows <= IN_MEMORY_ROWS or (seed, column) in table.cache:
        return take_rows(parent_column(table, seed, column), rows)
    wanted = rows[rows >= 0]
    if _addressable(table, column):
        from rulegen.engine.evaluate import evaluate_rows

        unique, inverse = np.unique(wanted, return_inverse=True)
        values = evaluate_rows(table, seed, 0, unique, columns=frozenset([column]))[column]
        return take_rows(values, _spread(rows, inverse))
    blocks = np.unique(wanted // table.block_rows)
    if len(blocks) > BLOCKS_KEPT:  # read at random: keep the whole column after all
        return take_rows(parent_column(table, seed, column), rows)
    pieces = [_parent_block(table, seed, column, int(block)) for block in blocks]
    starts = blocks * table.block_rows
    offsets = np.concatenate([[0], np.cumsum([len(piece) for piece in pieces])])
    at = np.searchsorted(starts, wanted, side="right") - 1
    local = offsets[at] + (wanted - starts[at])
    return take_rows(pa.concat_arrays(pieces), _spread(rows, local))


def _spread(rows: np.ndarray, found: np.ndarray) -> np.ndarray:
    """Indices into the values found for the valid ``rows``, -1 where a row is -1."""
    result = np.full(len(rows), -1, dtype=np.int64)
    result[rows >= 0] = found
    return result


def _addressable(table: Any, column: str) -> bool:
    """Whether a column's value at a row is a pure function of the row: no stream draws (a
    sequence, or a unique value by keyed permutation), no inputs, nulls or redraws."""
    plan = table.columns[column]
    if plan.needs or plan.spec.null > 0 or plan.when is not None or column in table.redraw:
        return False
    if table.copula is not None and column in table.copula.columns:
        return False
    return plan.uniqueness.value == "construct" or plan.kind.name == "sequence"


def _parent_block(table: Any, seed: int, column: str, block: int) -> pa.Array:
    """One block of a large parent's column, from a small cache of recent blocks."""
    from rulegen.engine.evaluate import evaluate_values

    recent = table.cache.setdefault(("blocks", seed, column), {})
    if block not in recent:
        if len(recent) >= BLOCKS_KEPT:
            del recent[next(iter(recent))]  # the oldest: children move forward through the parents
        recent[block] = evaluate_values(table, seed, block, table.needed([column]))[column]
    return recent[block]


@register
class Ref(Kind):
    """A value of another table's key column: a foreign key that always resolves."""

    name = "ref"
    summary = "a foreign key: the key of a parent row (its own parent with rows per parent, else drawn)"
    options = {
        "to": {"type": "string", "pattern": r"^.+\.[^.]+$", "x-expect": "TABLE.COLUMN",
               "description": "the parent table and its key column"},
        "skew": {"type": "object", "required": ["kind"],
                 "properties": {"kind": {"enum": list(COUNT_LAWS)}},
                 "description": "an integer law over parent rank (e.g. {kind: zipf, a: 1.3}): popular parents"},
    }
    required = ("to",)
    example = {"kind": "ref", "to": "customers.id"}

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.table, _, self.key = str(self.option("to")).rpartition(".")
        self.skew: Any = None  # the Distribution of parent ranks, when skewed
        self.own: Any = None  # the table's own sequence key (ColumnSpec), for a self-reference
        self.size = -1  # rows of the parent table, once compiled
        self.plans: dict[str, Any] = {}  # every TablePlan, by name (filled when compiling ends)
        self.link: Any = None
        self.holds_parent = False
        self.distinct = False

    @property
    def target(self) -> Any:
        """The parent's TablePlan."""
        return self.plans[self.table]

    @property
    def compiled(self) -> bool:
        """Whether the ref compiled against a parent table (a self-reference has none)."""
        return self.size >= 0

    def references(self) -> frozenset[tuple[str, str]]:
        return frozenset([(self.table, self.key)])

    def check(self, table: Any) -> list[Diagnostic]:
        self.own = None
        if self.table == table.name:  # a self-reference: rows point to earlier rows
            key = table.columns.get(self.key)
            if key is None or key.kind != "sequence" or "within" in key.options:
                return [Diagnostic("RG218", "a ref to its own table needs a `sequence` key column to point to",
                                   self.pointer("to"))]
            if self.option("skew") is not None:
                return [Diagnostic("RG218", "`skew` is not supported on a ref to its own table", self.pointer("skew"))]
            self.own = key
            return []
        return self._check_skew(table)

    def resolve(self, tables: Any) -> list[Diagnostic]:
        if self.own is not None:
            return []
        target = tables.get(self.table)
        if target is None:
            return [Diagnostic("RG212", f"`to` names unknown table `{self.table}`", self.pointer("to"),
                               hint=did_you_mean(self.table, tables))]
        if self.key not in target.columns:
            return [Diagnostic("RG212", f"`{self.table}` has no column `{self.key}`", self.pointer("to"),
                               hint=did_you_mean(self.key, target.columns))]
        return []

    def _check_skew(self, table: Any) -> list[Diagnostic]:
        skew = self.option("skew")
        if skew is None:
            return []
        from rulegen.spec.structure import check_column  # imported here: structure imports the kinds

        problems = check_column(skew, self.pointer("skew"))
        if problems:
            return problems
        law = ColumnSpec(name=self.column.name, kind=skew["kind"], pointer=self.pointer("skew"),
                         options={k: v for k, v in skew.items() if k != "kind"})
        self.skew = KINDS.get(law.kind)(law)
        return self.skew.check(table)

    def compile(self, env: CompileEnv) -> None:
        if self.own is not None:
            self.type = pa.int64()
            return
        target = env.tables[self.table]
        column = target.columns[self.key]
        if column.uniqueness.value == "none":
            self._check_composite(env, target.spec)
        self.size, self.plans = target.rows, env.plans
        self.type = column.type
        self.link = env.link
        parent_ref = _parent_ref(env)
        self.holds_parent = parent_ref == self.column.name
        self.drawn = not self.holds_parent  # a row's own parent is fixed by its row
        # (parent ref, this ref) declared unique: each parent's rows get distinct parent rows here.
        keys = [set(env.table.primary_key), *(set(u) for u in env.table.unique)]
        self.distinct = parent_ref is not None and not self.holds_parent and {parent_ref, self.column.name} in keys
        if self.distinct:
            most = self.link.max_count()
            if most > target.rows:
                env.report("RG310", f"cannot give each `{self.link.parent}` row {most} distinct `{self.column.name}`: "
                                    f"`{self.table}` has {target.rows:,} rows", self.column.pointer)
        if self.skew is not None:
            self.skew.compile(env)

    def _check_composite(self, env: CompileEnv, parent: Any) -> None:
        """A ref to a column that is only part of a key needs the key's other parts looked up."""
        to = self.option("to")
        key = next((k for k in (parent.primary_key, *parent.unique) if len(k) > 1 and self.key in k), None)
        if key is None:
            column = parent.columns.get(self.key)
            hint = f"add `unique: true` to {to}"
            if column is not None and column.kind in ("ref", "lookup"):  # seldom unique: point at a key
                hint = (f"refer to `{self.table}.{parent.primary_key[0]}` and look `{self.key}` up through it"
                        if len(parent.primary_key) == 1 else f"give `{self.table}` a key of its own, e.g. "
                        "`id: {kind: sequence}` with `primary_key: id`, and refer to it")
            env.report("RG218", f"`{to}` is not a key: a ref needs a primary key or unique column",
                       self.pointer("to"), hint=hint)
            return
        looked_up = {c.options.get("column") for c in env.table.columns.values()
                     if c.kind == "lookup" and c.options.get("via") == self.column.name}
        missing = [part for part in key if part != self.key and part not in looked_up]
        if missing:
            example = f"{missing[0]}: {{kind: lookup, via: {self.column.name}, column: {missing[0]}}}"
            env.report("RG218", f"`{to}` is part of the key ({', '.join(key)}) of `{self.table}`: look up the "
                                f"other part{'s' if len(missing) > 1 else ''} through this ref",
                       self.pointer("to"), hint=f"add `{example}`")

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """Values are checked against the parent's file (orphans); nulls only where there is
        nothing to point to (an empty parent; the first row of a self-reference)."""
        return unknown(values, null=self.own is not None or self.size == 0)

    def parent_index(self, ctx: Any) -> np.ndarray:
        """The parent row each of ``ctx``'s rows points to (-1: the parent table is empty)."""
        if self.holds_parent:
            return self.link.parent_rows(ctx.rows)
        size = self.size
        if size == 0:
            return np.full(ctx.n, -1, dtype=np.int64)
        if self.distinct:
            return self._distinct_per_parent(ctx, size)
        if self.skew is None:
            return ctx.rng().integers(0, max(size, 1), size=ctx.n)
        # Rank r (0 = most popular) from the skew law, redrawn until inside the parent table;
        # a keyed permutation spreads the popular ranks over the parent rows.
        from rulegen.engine.unique import permute

        rng = ctx.rng()
        low = int(self.skew.law().support()[0])
        draws = self.skew.family.draw(rng, ctx.n, **self.skew.params)
        ranks = self.skew.redraw_outside(draws, rng, low, low + size - 1) - low
        return permute(ranks.astype(np.int64), size, ctx.key("skew"))

    def _distinct_per_parent(self, ctx: Any, size: int) -> np.ndarray:
        """The k-th child of a parent takes parent row (offset + k * stride) mod size, with offset
        and stride drawn per parent (stride coprime to size): distinct for k < size, and any
        child row is computed alone."""
        from rulegen.engine.random import hash_rows

        parents = self.link.parent_rows(ctx.rows)
        k = ctx.rows - self.link.first_child(parents)
        bits = hash_rows(ctx.key("distinct"), parents)
        strides = _coprimes(size)
        offset = (bits % np.uint64(size)).astype(np.int64)
        stride = strides[((bits >> np.uint64(32)) % np.uint64(len(strides))).astype(np.int64)]
        return (offset + k * stride) % size

    def do_evaluate(self, ctx: Any) -> pa.Array:
        if self.own is not None:  # an earlier row of the same table, by its sequence key
            earlier = np.floor(ctx.rng().random(ctx.n) * ctx.rows).astype(np.int64)
            keys = self.own.options.get("start", 1) + self.own.options.get("step", 1) * earlier
            return pa.array(keys, mask=ctx.rows == 0)
        index = self.parent_index(ctx)
        ctx.parent_rows[self.column.name] = index
        return parent_values(self.target, ctx.seed, self.key, index)


@register
class Lookup(Kind):
    """The named column of the parent row that a ``ref`` column points to."""

    name = "lookup"
    drawn = False  # its value at a row is fixed, or follows its inputs
    summary = "a column of the row a ref points to (e.g. the order's date on each order line)"
    options = {
        "via": {"type": "string", "description": "a ref column of this table"},
        "column": {"type": "string", "description": "the column of the referenced table"},
    }
    required = ("via", "column")
    example = {"kind": "lookup", "via": "customer_id", "column": "signup_at"}

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.parent = ""  # the table the `via` ref points to
        self.ref: Any = None

    def check(self, table: Any) -> list[Diagnostic]:
        via = self.option("via")
        if via not in table.columns:
            return [Diagnostic("RG212", f"`via` names unknown column `{via}`", self.pointer("via"),
                               hint=did_you_mean(via, table.columns))]
        if table.columns[via].kind != "ref":
            return [Diagnostic("RG218", f"`via` must name a `ref` column, and `{via}` is a "
                                        f"`{table.columns[via].kind}`", self.pointer("via"))]
        self.parent = str(table.columns[via].options.get("to", "")).rpartition(".")[0]
        if self.parent == table.name:
            return [Diagnostic("RG218", "a lookup through a ref to its own table is not supported",
                               self.pointer("via"))]
        return []

    def resolve(self, tables: Any) -> list[Diagnostic]:
        parent, column = tables.get(self.parent), self.option("column")
        if parent is None or column in parent.columns:
            return []  # an unknown parent table is the ref's problem
        return [Diagnostic("RG212", f"`{self.parent}` has no column `{column}`", self.pointer("column"),
                           hint=did_you_mean(column, parent.columns))]

    def dependencies(self) -> frozenset[str]:
        return frozenset([self.option("via")])

    def references(self) -> frozenset[tuple[str, str]]:
        return frozenset([(self.parent, self.option("column"))])

    def compile(self, env: CompileEnv) -> None:
        self.ref = env.kinds[self.option("via")]
        self.type = env.tables[self.parent].columns[self.option("column")].type

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """Cannot tell a value here; a null comes through a null ref (or a null parent value)."""
        return unknown(values, null=True)

    def do_evaluate(self, ctx: Any) -> pa.Array:
        via = self.option("via")
        values = parent_values(self.ref.target, ctx.seed, self.option("column"), ctx.parent_rows[via])
        missing = ctx.values[via].is_null()
        return pc.if_else(missing, pa.scalar(None, values.type), values) if missing.true_count else values


def foreign_key(table: Any, name: str, plan: Any) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """What ref ``name`` of ``table`` (a TablePlan of ``plan``) declares: the table's columns that
    hold the parent's key, the parent table, and its key columns. That is the ref alone for a
    one-column key; for part of a composite key, the ref and the lookups of the other parts
    through it, in the key's order."""
    ref = table.columns[name].kind
    parent = table.name if ref.own is not None else ref.table
    if ref.own is not None or plan.tables[parent].columns[ref.key].uniqueness.value != "none":
        return (name,), parent, (ref.key,)
    spec = plan.spec.tables[parent]
    key = next(k for k in (spec.primary_key, *spec.unique) if len(k) > 1 and ref.key in k)
    lookups = {c.kind.option("column"): n for n, c in table.columns.items()
               if isinstance(c.kind, Lookup) and c.kind.option("via") == name}
    return tuple(name if part == ref.key else lookups[part] for part in key), parent, tuple(key)


def _parent_ref(env: CompileEnv) -> str | None:
    """The column that holds each row's parent: the first ref to the parent, in declaration order."""
    if env.link is None:
        return None
    return next((name for name, column in env.table.columns.items()
                 if column.kind == "ref" and str(column.options.get("to", "")).rpartition(".")[0] == env.link.parent),
                None)


def _coprimes(size: int, most: int = 64) -> np.ndarray:
    """Up to ``most`` strides coprime to ``size`` (1 always is), spread over [1, size)."""
    candidates = np.unique(np.linspace(1, max(size - 1, 1), num=min(max(size - 1, 1), 4 * most)).astype(np.int64))
    found = [int(c) for c in candidates if math.gcd(int(c), size) == 1][:most]
    return np.array(found or [1], dtype=np.int64)


def take_rows(column: pa.Array, rows: np.ndarray) -> pa.Array:
    """``column`` at ``rows``, null where a row is -1 (no parent row to read)."""
    missing = rows < 0
    return column.take(pa.array(rows, mask=missing) if missing.any() else rows)


_AGGREGATES = ("sum", "count", "min", "max", "mean")


@register
class Aggregate(Kind):
    """A value computed from the rows that point to this row: an order's total from its lines.

    Parents with no children get 0 for ``sum`` and ``count`` and null for the others.
    """

    name = "aggregate"
    drawn = False  # its value at a row is fixed, or follows its inputs
    summary = "sum, count, min, max or mean of a child column over each row's children"
    options = {
        "of": {"type": "string", "pattern": r"^.+\.[^.]+$", "x-expect": "CHILD_TABLE.COLUMN",
               "description": "the child table's column to reduce"},
        "fn": {"enum": list(_AGGREGATES), "description": "the reduction (sum and count are 0 without children)"},
        "via": {"type": "string", "description": "the child's ref column to this table (when it has several)"},
    }
    required = ("of", "fn")
    example = {"kind": "aggregate", "of": "orders.amount", "fn": "sum"}

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.child, _, self.of = str(self.option("of")).rpartition(".")
        self.parent = ""  # this table
        self.via: str = self.option("via")
        self.ref: Any = None
        self.plans: dict[str, Any] = {}

    def check(self, table: Any) -> list[Diagnostic]:
        self.parent = table.name
        return []

    def resolve(self, tables: Any) -> list[Diagnostic]:
        child = tables.get(self.child)
        if child is None or self.of not in child.columns:
            hint = did_you_mean(self.of, child.columns) if child is not None else did_you_mean(self.child, tables)
            return [Diagnostic("RG212", f"`of` names unknown column `{self.option('of')}`", self.pointer("of"),
                               hint=hint)]
        refs = [name for name, c in child.columns.items()
                if c.kind == "ref" and str(c.options.get("to", "")).rpartition(".")[0] == self.parent
                and self.child != self.parent]
        via = self.option("via")
        if via is None and len(refs) != 1:
            what = "no ref" if not refs else f"several refs ({', '.join(refs)}); say which with `via`"
            return [Diagnostic("RG218", f"`{self.child}` has {what} to `{self.parent}`", self.pointer("of"))]
        if via is not None and via not in refs:
            hint = did_you_mean(via, refs)
            if child.columns.get(via) is not None and child.columns[via].kind == "lookup":
                hint = (f"`{via}` is a lookup, and an aggregate follows a ref: aggregate over "
                        f"`{child.columns[via].options.get('via')}`'s table first, then sum that here")
            return [Diagnostic("RG218", f"`via` must name a ref of `{self.child}` to `{self.parent}`",
                               self.pointer("via"), hint=hint or (f"refs of `{self.child}` to `{self.parent}`: "
                                                                  f"{', '.join(refs)}" if refs else None))]
        self.via = via or refs[0]
        return []

    def references(self) -> frozenset[tuple[str, str]]:
        return frozenset([(self.child, self.of), (self.child, self.via)])

    def compile(self, env: CompileEnv) -> None:
        child = env.tables[self.child]
        self.ref, self.plans = child.columns[self.via].kind, env.plans
        value_type = child.columns[self.of].type
        fn = self.option("fn")
        if fn not in ("count", "min", "max") and not (pa.types.is_integer(value_type)
                                                     or pa.types.is_floating(value_type)):
            env.report("RG224", f"`{fn}` needs numbers, and `{self.option('of')}` is not numeric", self.pointer("fn"))
            return
        self.type = {"count": pa.int64(), "mean": pa.float64()}.get(fn, value_type)

    def totals(self, seed: int) -> pa.Array:
        """This aggregate for every row of the table, made once from the whole child column."""
        key = (seed, "aggregate", self.parent, self.column.name)
        child = self.plans[self.child]
        cache = child.cache
        if key not in cache:
            keys = parent_column(self.plans[self.parent], seed, self.ref.key)
            index = pc.index_in(parent_column(child, seed, self.via), value_set=keys)
            values = parent_column(child, seed, self.of)
            fn = self.option("fn")
            children = pa.table({"i": index, "v": values}).filter(pc.is_valid(index))
            if fn == "sum" and pa.types.is_integer(self.type):
                self._check_sums_fit(children)
            grouped = children.group_by("i").aggregate([("v", "count" if fn == "count" else fn)])
            empty = 0 if fn in ("sum", "count") else None
            result = pa.array([empty] * len(keys), type=self.type)
            at = grouped.column("i").combine_chunks().cast(pa.int64()).to_numpy()
            mask = np.zeros(len(keys), dtype=bool)
            mask[at] = True
            order = np.argsort(at)
            filled = grouped.column(1).combine_chunks().cast(self.type).take(pa.array(order))
            cache[key] = pc.replace_with_mask(result, pa.array(mask), filled)
        return cache[key]

    def _check_sums_fit(self, children: pa.Table) -> None:
        """Stop the run when a parent's integer sum leaves the 64-bit integers: Arrow's grouped
        sum wraps around silently. Sums in floats find the parents near the edge (beyond 2**62),
        whose sums are then made exactly."""
        floats = pa.table({"i": children.column("i"), "v": pc.cast(children.column("v"), pa.float64(), safe=False)})
        sums = floats.group_by("i").aggregate([("v", "sum")])
        suspect = pc.greater(pc.abs(sums.column("v_sum")), float(2**62))
        for parent in sums.column("i").filter(suspect).to_pylist():
            members = children.filter(pc.equal(children.column("i"), parent)).column("v").to_pylist()
            total = sum(v for v in members if v is not None)
            if not -(2**63) <= total < 2**63:
                raise value_error("RG410", f"the sum of `{self.option('of')}` over its children is {total:,}, which "
                                           "does not fit in a 64-bit integer", self.pointer("fn"), int(parent),
                                  hint="sum a column of smaller values, or make it a number (float) column")

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """Cannot tell a value here; min, max and mean are null for a row without children."""
        return unknown(values, null=self.option("fn") in ("min", "max", "mean"))

    def do_evaluate(self, ctx: Any) -> pa.Array:
        if not self._over_own_children():
            return self.totals(ctx.seed).take(pa.array(ctx.rows))
        from rulegen.engine.children import SumRangeError, child_ranges, child_values, reduce_runs

        child = self.plans[self.child]
        starts, counts = child_ranges(child.link, ctx.rows)
        values = child_values(ctx, child, self._siblings(), starts, counts)[self.of]
        fn = self.option("fn")
        if fn == "sum" and pa.types.is_integer(self.type) and values.null_count > 0:
            self._check_runs(values, counts, ctx.rows)
        try:
            return reduce_runs(values, counts, fn, self.type)
        except SumRangeError:
            self._check_runs(values, counts, ctx.rows)
            return reduce_runs(values, counts, fn, self.type, checked=True)

    def _over_own_children(self) -> bool:
        """Whether the children are this table's rows per parent through ``via``, never null: each
        parent row's children are then one run of child rows (see rulegen.engine.children)."""
        child = self.plans[self.child]
        via, key = child.columns[self.via], self.plans[self.parent].columns[self.ref.key]
        return (getattr(self.ref, "holds_parent", False) and child.link is not None
                and via.spec.null == 0 and via.when is None and key.spec.null == 0 and key.when is None)

    def _siblings(self) -> frozenset[str]:
        """The child columns that this table's aggregates over the same children read: one
        evaluation of the child blocks serves them all."""
        return frozenset(c.kind.of for c in self.plans[self.parent].columns.values()
                         if isinstance(c.kind, Aggregate) and c.kind.child == self.child and c.kind.via == self.via)

    def _check_runs(self, values: pa.Array, counts: np.ndarray, parents: np.ndarray) -> None:
        """:meth:`_check_sums_fit` over one parent block's children."""
        children = pa.table({"i": np.repeat(parents, counts), "v": values})
        self._check_sums_fit(children)
