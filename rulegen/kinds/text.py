"""Text kinds: ``faker`` (pooled), ``template`` and ``uuid``.

Faker is used as a value source, never per row: a pool is drawn once per
(provider, args, locale, seed) from a seeded Faker, and rows index the pool with their stream.
That keeps Faker's realism and frequency weighting at NumPy speed. A lock file
(:mod:`rulegen.lockfile`) can supply the pools instead, through :data:`POOL_SOURCE`.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import functools
import string
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.errors import Diagnostic, did_you_mean
from rulegen.expr.functions import lower, upper
from rulegen.kinds.base import CompileEnv, Kind, arrow_type_of, longest_text
from rulegen.kinds.faker_cache import remembered, restore_values, stored_values
from rulegen.kinds.fakers import FAKER_PROVIDERS, MAX_POOL_BYTES, MAX_UNIQUE_POOL, check_provider, provider_max_bytes
from rulegen.kinds.registry import register
from rulegen.kinds.validity import matches, unknown, verdict

__all__ = ["POOL_SOURCE", "FakerKind", "Pool", "PoolRequest", "Template", "Uuid", "faker_locales", "faker_providers",
           "forget_pools"]

POOL_SIZE = 4_096  # values per pool of composite providers (single picks keep their list and weights)
_STALL_ROUNDS = 5  # rounds without a new distinct value before a unique pool gives up
_POOR_YIELD = 100  # a unique pool gives up after a round in which fewer than 1 call in 100 found a new value


@functools.lru_cache(maxsize=32)
def _faker(locale: str) -> Any:
    from faker import Faker

    return Faker(locale)


@functools.lru_cache(maxsize=32)
def faker_providers(locale: str) -> frozenset[str]:
    """Names of the public methods of Faker's providers for ``locale`` (only those in
    :data:`~rulegen.kinds.fakers.FAKER_PROVIDERS` may be used); kept on disk
    (:mod:`rulegen.kinds.faker_cache`), as Faker's locales and pools are."""

    def build() -> frozenset[str]:
        fake = _faker(locale)
        return frozenset(name for provider in fake.providers for name in dir(provider)
                         if not name.startswith("_") and callable(getattr(provider, name, None)))

    return frozenset(remembered("providers", {"locale": locale}, build, sorted, _names))


class Pool(NamedTuple):
    """Values of a Faker provider, and their weights when they are one weighted pick.

    ``seeded`` is False for Faker's own list of a single-pick provider, which no seed changes.
    """

    values: tuple[Any, ...]
    weights: tuple[float, ...] | None = None
    seeded: bool = True


class PoolRequest(NamedTuple):
    """What a ``faker`` column asks for; its pool depends on all of it but the names."""

    table: str
    column: str
    pointer: str  # of the column, for diagnostics
    locale: str
    provider: str
    args: tuple[tuple[str, Any], ...]
    size: int
    distinct: int  # distinct values wanted (a unique column's rows), or 0
    seed: int

    def build(self) -> Pool:
        """The pool, drawn from the installed Faker."""
        return _pool(self.locale, self.provider, self.args, self.size, self.distinct, self.seed)


# Where `faker` columns take their pools while a spec compiles: None means the installed Faker;
# rulegen.lockfile sets a lock file's reader (or a recorder that writes one). A source returns
# the pool, or None once it has reported to the env why it has none.
PoolSource = Callable[[PoolRequest, CompileEnv], Pool | None]
POOL_SOURCE: ContextVar[PoolSource | None] = ContextVar("rulegen_pool_source", default=None)


@functools.lru_cache(maxsize=256)
def _pool(locale: str, provider: str, args: tuple[tuple[str, Any], ...], size: int, distinct: int,
          seed: int) -> Pool:
    """The values a column draws from.

    A provider that returns one weighted pick from a fixed list (``first_name``) gives that
    list and Faker's weights, so rows follow Faker's frequencies exactly. Any other provider
    gives ``size`` values from a Faker seeded by the spec's seed (or ``distinct`` distinct
    ones); so does a provider registered by the user (:mod:`rulegen.providers`), through its
    own seeded source. Pools depend on (locale, provider, args, size, seed) only: columns that
    share them share one pool, and one cost, per run.
    """
    from rulegen.engine.random import stream_seed

    pool_seed = stream_seed(seed, "faker", locale, provider, args, size)
    kwargs = dict(args)
    custom = None
    if provider not in FAKER_PROVIDERS:  # (the registry, and its plug-ins, only for a name Faker does not allow)
        from rulegen.providers import custom_provider

        custom = custom_provider(provider)
    if custom is not None:  # the user's code: not kept on disk, whose key could not say what it does
        return _draw(custom.caller(locale, pool_seed), kwargs, size, distinct)

    def build() -> Pool:
        fake = _faker(locale)
        fake.seed_instance(pool_seed)
        method = getattr(fake, provider)
        pick = _single_pick(method, kwargs)
        if pick is not None:
            return pick if not distinct else Pool(pick.values, seeded=False)
        return _draw(method, kwargs, size, distinct)

    key = {"locale": locale, "provider": provider, "args": args, "size": size, "distinct": distinct,
           "seed": pool_seed}
    return remembered("pool", key, build, _stored_pool, _restored_pool)


def _stored_pool(pool: Pool) -> dict[str, Any] | None:
    values = stored_values(pool.values)
    if values is None:
        return None
    return {**values, "weights": None if pool.weights is None else list(pool.weights), "seeded": pool.seeded}


def _restored_pool(data: dict[str, Any]) -> Pool:
    values, weights, seeded = restore_values(data), data["weights"], data["seeded"]
    if weights is not None and (len(weights) != len(values) or not all(type(w) is float for w in weights)):
        raise ValueError("weights do not match the values")
    if not isinstance(seeded, bool):
        raise ValueError("seeded is not a boolean")
    return Pool(values, None if weights is None else tuple(weights), seeded)


def _draw(method: Callable[..., Any], kwargs: dict[str, Any], size: int, distinct: int) -> Pool:
    """``size`` values of ``method``, or ``distinct`` distinct ones as far as it makes them."""
    if not distinct:
        return Pool(tuple(_plain(method(**kwargs)) for _ in range(size)))
    seen: dict[Any, None] = {}
    stalled = 0
    while len(seen) < distinct and stalled < _STALL_ROUNDS:
        before, calls = len(seen), max(size, distinct - len(seen))
        for _ in range(calls):
            seen[_plain(method(**kwargs))] = None
        if len(seen) - before < calls // _POOR_YIELD:
            break  # a provider with few values would run a round of calls for each new one
        stalled = stalled + 1 if len(seen) == before else 0
    return Pool(tuple(seen))


def forget_pools() -> None:
    """Drop the pools built so far (a provider was registered again under a name they used)."""
    _pool.cache_clear()


def _single_pick(method: Any, kwargs: dict[str, Any]) -> Pool | None:
    """The list and weights of a provider that returns one draw of ``random_elements`` from a
    fixed collection (as ``first_name`` does); None for anything else.

    Found by watching one call: formats, post-processing or several draws give None, and the
    pool is then drawn call by call.
    """
    provider = getattr(method, "__self__", None)
    original = getattr(provider, "random_elements", None)
    if original is None:
        return None
    calls: list[tuple[tuple[Any, ...], dict[str, Any], list[Any]]] = []

    def record(*args: Any, **kw: Any) -> list[Any]:
        result = original(*args, **kw)
        calls.append((args, kw, result))
        return result

    provider.random_elements = record
    try:
        value = method(**kwargs)
    finally:
        del provider.random_elements
    if len(calls) != 1:
        return None
    args, kw, result = calls[0]
    elements = args[0] if args else kw.get("elements")
    if kw.get("unique") or kw.get("length", 1) != 1 or len(result) != 1 or result[0] != value \
            or not isinstance(elements, dict | list | tuple):
        return None
    values = tuple(_plain(v) for v in dict.fromkeys(elements))
    weighted = kw.get("use_weighting", getattr(provider.generator, "_use_weighting", True))
    if isinstance(elements, dict) and weighted:
        return Pool(values, tuple(float(w) for w in elements.values()), seeded=False)
    return Pool(values, seeded=False)


def _custom(provider: str) -> Any:
    """The user's provider called ``provider`` (:mod:`rulegen.providers`), unless Faker allows one by that name."""
    if provider in FAKER_PROVIDERS:
        return None
    from rulegen.providers import custom_provider

    return custom_provider(provider)


def _unknown_provider(problem: Diagnostic, provider: str) -> list[Diagnostic]:
    """An unknown provider's problem, its hint naming close registered providers and broken plugins."""
    from rulegen.providers import custom_providers, plugin_failures

    close = did_you_mean(provider, custom_providers())
    hint = "; ".join(filter(None, [close or problem.hint, *plugin_failures()])) or None
    return [dataclasses.replace(problem, hint=hint)]


def _frozen(args: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Hashable provider arguments (lists become tuples)."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in args.items()))


def faker_locales() -> list[str]:
    """Locales Faker knows (kept on disk: :mod:`rulegen.kinds.faker_cache`)."""
    return list(_locales())


@functools.cache
def _locales() -> tuple[str, ...]:
    def build() -> tuple[str, ...]:
        from faker.config import AVAILABLE_LOCALES

        return tuple(AVAILABLE_LOCALES)

    return remembered("locales", {}, build, list, _names)


def _names(data: Any) -> tuple[str, ...]:
    """Names read back from the cache (raises on data of another shape)."""
    if not isinstance(data, list) or not all(isinstance(name, str) for name in data):
        raise ValueError("not a list of names")
    return tuple(data)


def _plain(value: Any) -> Any:
    """Faker values as Arrow-friendly Python values."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, str | int | float | bool | datetime.date | datetime.datetime) or value is None:
        return value
    return str(value)


@register
class FakerKind(Kind):
    """Any Faker provider's output, drawn from a seeded pool."""

    name = "faker"
    summary = "any Faker provider's output (pooled: Faker runs once per pool, not per row)"
    options = {
        "provider": {"type": "string", "minLength": 1,
                     "description": "a Faker provider from rulegen's list of fast, bounded value sources, "
                                    "e.g. first_name (others, such as binary, pylist or pystr_format, are refused), "
                                    "or one registered from Python or a plugin (see Custom value providers in api.md)"},
        "args": {"type": "object",
                 "description": "keyword arguments of the provider, each checked against its bounds "
                                "(e.g. text max_nb_chars <= 10000, paragraph nb_sentences <= 100)"},
        "locale": {"type": "string", "description": "Faker locale (defaults to the spec's)"},
        "pool": {"type": "integer", "minimum": 1, "maximum": MAX_UNIQUE_POOL, "default": POOL_SIZE,
                 "description": "values drawn into the pool (providers that pick from a list keep the list)"},
    }
    required = ("provider",)
    example = {"kind": "faker", "provider": "first_name"}

    def check(self, table: Any) -> list[Diagnostic]:
        locale = self.option("locale")
        if locale is not None and locale not in faker_locales():
            return [Diagnostic("RG216", f"unknown Faker locale `{locale}`", self.pointer("locale"),
                               hint=did_you_mean(locale, faker_locales()))]
        return []

    def compile(self, env: CompileEnv) -> None:
        locale = self.option("locale") or env.locale
        if locale not in faker_locales():
            return  # reported once, where the locale is written
        provider, args = self.option("provider"), self.option("args") or {}
        custom = _custom(provider)
        if custom is not None:
            found = custom.check(args, self.pointer())
            longest = custom.max_bytes
        else:
            found = check_provider(provider, args, self.pointer(), locale, faker_providers(locale))
            longest = 0 if found else provider_max_bytes(provider, args)
            if found and found[0].code == "RG216":
                found = _unknown_provider(found[0], provider)
        if not found:
            found = self._pool_problems(provider, longest, env.rows)
        if found:
            env.diagnostics.extend(found)
            return
        request = PoolRequest(env.table.name, self.column.name, self.pointer(), locale, provider, _frozen(args),
                              self.option("pool", POOL_SIZE), env.rows if self.column.unique else 0, env.seed)
        source = POOL_SOURCE.get()
        try:
            pool = request.build() if source is None else source(request, env)
        except Exception as exc:  # a provider rejecting its args is a spec problem, not a crash
            env.report("RG216", f"Faker `{provider}` failed with args {args}: {exc}", self.pointer("args"))
            return
        if pool is None:
            return  # the source (a lock file) said why
        self.type = arrow_type_of(pool.values)
        values = list(pool.values) if self.type != pa.string() else [str(v) for v in pool.values]
        self.pool = pa.array(values, type=self.type)
        self.longest = longest_text(self.pool)  # measured: the budget's bound of one value
        if custom is not None and self.longest > custom.max_bytes:
            env.report("RG290", f"provider `{provider}` ({custom.origin}) made a value of {self.longest:,} bytes, "
                                f"more than the {custom.max_bytes:,} it declares", self.pointer("provider"),
                       hint="register it with a larger max_bytes, or make it return shorter values")
        self.cumulative = np.cumsum(pool.weights) if pool.weights else None

    def _pool_problems(self, provider: str, longest: int, rows: int) -> list[Diagnostic]:
        """A pool Faker would take too long to fill: too many distinct values, or too many bytes."""
        size = self.option("pool", POOL_SIZE)
        if self.column.unique and rows > MAX_UNIQUE_POOL:
            return [Diagnostic("RG257", f"a unique `faker` column asks Faker for {rows:,} distinct values "
                                        f"(at most {MAX_UNIQUE_POOL:,})", self.pointer("unique"),
                               hint="make the values unique with a `template` over a unique column, or a `pattern`")]
        estimate = max(size, rows if self.column.unique else 0) * longest
        if estimate > MAX_POOL_BYTES:
            return [Diagnostic("RG257", f"a pool of {size:,} `{provider}` values could hold {estimate:,} bytes "
                                        f"(at most {MAX_POOL_BYTES:,})", self.pointer("pool" if "pool" in
                                                                                      self.column.options else "args"),
                               hint="lower `pool`, or ask for shorter values")]
        return []

    def max_bytes(self, widths: Mapping[str, int | None]) -> int | None:
        """The longest value of the pool, measured when it was built."""
        return getattr(self, "longest", None)

    def low_cardinality(self) -> bool:
        return not self.column.unique

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array | None:
        """Cannot tell (pools depend on the seed and the Faker version), except that a provider
        which returns None (``null_boolean``) makes nulls."""
        pool = getattr(self, "pool", None)
        return unknown(values, null=True) if pool is not None and pool.null_count else None

    def space_size(self) -> int | None:
        pool = getattr(self, "pool", None)  # None when compile reported a problem
        return len(pool) if self.column.unique and pool is not None else None

    def values_at(self, index: np.ndarray) -> pa.Array:
        return self.pool.take(pa.array(index))

    def possible_values(self) -> pa.Array | None:
        return getattr(self, "pool", None)

    def do_evaluate(self, ctx: Any) -> pa.Array:
        rng = ctx.rng()
        if self.cumulative is None:
            return self.pool.take(pa.array(rng.integers(0, len(self.pool), size=ctx.n)))
        index = np.searchsorted(self.cumulative, rng.random(ctx.n) * self.cumulative[-1], side="right")
        return self.pool.take(pa.array(np.minimum(index, len(self.pool) - 1)))


@register
class Template(Kind):
    """A string built from other columns: ``"{first_name}.{last_name}@example.com"``."""

    name = "template"
    drawn = False  # its value at a row is fixed, or follows its inputs
    summary = "a string built from other columns with {column} placeholders ({{ and }} for braces)"
    options = {
        "template": {"type": "string", "description": "text with {column} placeholders"},
        "lower": {"type": "boolean", "description": "lower-case the result"},
        "upper": {"type": "boolean", "description": "upper-case the result"},
    }
    required = ("template",)
    example = {"kind": "template", "template": "{first_name}.{last_name}@example.com", "lower": True}

    def check(self, table: Any) -> list[Diagnostic]:
        self.parts: list[str | tuple[str]] = []
        text = self.option("template")
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError as exc:
            return [Diagnostic("RG217", f"invalid template: {exc}", self.pointer("template"))]
        problems = []
        for literal, field, spec, conversion in parsed:
            if literal:
                self.parts.append(literal)
            if field is None:
                continue
            offset = text.find("{" + field)
            if spec or conversion:
                problems.append(Diagnostic("RG217", f"format specs are not supported in `{{{field}}}`",
                                           self.pointer("template"), offset=offset,
                                           hint="format the value with an `expr` column instead"))
            elif field not in table.columns:
                problems.append(Diagnostic("RG212", f"template names unknown column `{field}`",
                                           self.pointer("template"), offset=max(offset, 0),
                                           hint=did_you_mean(field, table.columns)))
            else:
                self.parts.append((field,))
        if self.option("lower") and self.option("upper"):
            problems.append(Diagnostic("RG210", "choose `lower` or `upper`, not both", self.pointer("upper")))
        return problems

    def dependencies(self) -> frozenset[str]:
        return frozenset(p[0] for p in self.parts if isinstance(p, tuple))

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.string()

    def max_bytes(self, widths: Mapping[str, int | None]) -> int | None:
        """Its literal text and the widths of its columns added up (case changes can turn a
        character of 2 bytes into one of 3 in UTF-8: their bound grows by half)."""
        total = 0
        for part in self.parts:
            width = len(part.encode("utf-8", "surrogatepass")) if isinstance(part, str) else widths.get(part[0])
            if width is None:
                return None
            total += width
        return total * 3 // 2 if self.option("lower") or self.option("upper") else total

    def unique_given(self, columns: Mapping[str, Any]) -> bool:
        """Distinct when a unique, never-null input can be read back from every value: all other
        parts are constant, or it is a number ≥ 0 with constant text on one side and, on the
        other, a part that never ends (or starts) with a digit, so that its digits are found
        again (``{first}.{last}{id}@example.com``)."""
        for i, part in enumerate(self.parts):
            column = columns.get(part[0]) if isinstance(part, tuple) else None
            distinct = column is not None and (column.uniqueness.distinct or column.kind.inherently_unique)
            if not distinct or not _never_null(column):
                continue
            before, after = self.parts[:i], self.parts[i + 1:]
            constant_before = all(isinstance(p, str) for p in before)
            constant_after = all(isinstance(p, str) for p in after)
            if constant_before and constant_after and _text_is_injective(column, self.option("lower")
                                                                         or self.option("upper")):
                return True
            if not _non_negative_integer(column):
                continue
            if constant_after and _no_digit_at(before[-1:], columns, end=True):
                return True
            if constant_before and _no_digit_at(after[:1], columns, end=False):
                return True
        return False

    def do_evaluate(self, ctx: Any) -> pa.Array:
        pieces: list[Any] = []
        for part in self.parts:
            if isinstance(part, str):
                pieces.append(pa.scalar(part))
                continue
            values = ctx.values[part[0]]
            pieces.append(values if pa.types.is_string(values.type) else pc.cast(values, pa.string()))
        if not any(isinstance(p, pa.Array) for p in pieces):
            pieces.append(pa.repeat(pa.scalar(""), ctx.n))
        joined = pc.binary_join_element_wise(*pieces, "", null_handling="replace", null_replacement="")
        if self.option("lower"):
            return lower(joined)
        return upper(joined) if self.option("upper") else joined


def _never_null(column: Any) -> bool:
    """Whether a compiled column never writes a null (a template would write "" for it)."""
    if column.spec.null > 0 or column.when is not None:
        return False
    answer = column.kind.valid(pa.nulls(1, column.type))
    if answer is not None:
        return answer[0].as_py() is False
    values = column.kind.possible_values()
    return values is not None and values.null_count == 0


def _text_is_injective(column: Any, case_folded: bool) -> bool:
    """Whether distinct values of the column stay distinct as template text."""
    if pa.types.is_integer(column.type):
        return True
    return pa.types.is_string(column.type) and not case_folded


def _non_negative_integer(column: Any) -> bool:
    """An integer column without a sign: its text is digits only."""
    bounds = column.kind.bounds() if pa.types.is_integer(column.type) else None
    return bounds is not None and bounds[0] is not None and bounds[0] >= 0


def _no_digit_at(parts: list[str | tuple[str]], columns: Mapping[str, Any], *, end: bool) -> bool:
    """Whether the text of ``parts`` (nothing, a literal or one column) never has an ASCII digit
    at its end (``end``) or start, and is never empty: so it cannot continue a number's digits."""
    if not parts:
        return True
    part = parts[0]
    if isinstance(part, str):
        return (part[-1] if end else part[0]) not in string.digits
    column = columns.get(part[0])
    values = column.kind.possible_values() if column is not None and _never_null(column) else None
    if values is None or len(values) == 0:
        return False
    text = values if pa.types.is_string(values.type) else pc.cast(values, pa.string())
    digit = pc.match_substring_regex(text, "[0-9]$" if end else "^[0-9]")
    return pc.min(pc.utf8_length(text)).as_py() > 0 and not pc.any(digit).as_py()


_UUID_REGEX = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_UUID_LAYOUT = [i for i in range(36) if i not in (8, 13, 18, 23)]  # where hex digits go


@register
class Uuid(Kind):
    """A deterministic, random-looking version-4 UUID string."""

    name = "uuid"
    summary = "a deterministic version-4 UUID string"
    example = {"kind": "uuid"}
    inherently_unique = True  # 122 random bits: a repeat needs ~2**61 rows
    value_rule = "format"

    def valid(self, values: pa.Array, *, within: float = 0.0) -> pa.Array:
        """Lower-case version-4 UUID text with the RFC 4122 variant, as :meth:`do_evaluate` writes it."""
        nulls = values.is_null().to_numpy(zero_copy_only=False)
        found = matches(values, _UUID_REGEX)
        assert found is not None, "a fixed regex that RE2 accepts"
        return verdict(found, nulls, False)

    def compile(self, env: CompileEnv) -> None:
        self.type = pa.string()

    def max_bytes(self, widths: Mapping[str, int | None]) -> int:
        return 36

    def do_evaluate(self, ctx: Any) -> pa.Array:
        raw = np.frombuffer(ctx.rng().bytes(16 * ctx.n), dtype=np.uint8).reshape(ctx.n, 16).copy()
        raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
        raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
        nibbles = np.empty((ctx.n, 32), dtype=np.uint8)
        nibbles[:, 0::2] = _HEX[raw >> 4]
        nibbles[:, 1::2] = _HEX[raw & 0x0F]
        text = np.full((ctx.n, 36), ord("-"), dtype=np.uint8)
        text[:, _UUID_LAYOUT] = nibbles
        offsets = np.arange(0, 36 * (ctx.n + 1), 36, dtype=np.int32)
        return pa.StringArray.from_buffers(ctx.n, pa.py_buffer(offsets), pa.py_buffer(text.tobytes()))
