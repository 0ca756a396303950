"""Value providers that users add, named in specs like Faker's own: ``{kind: faker, provider: sku}``.

Installed code registers them, never a spec: a Python function through :func:`register_provider`,
or a Faker provider class (every public method it defines) through
:func:`register_faker_provider`, either from the user's own code before a run or from a package's
``rulegen.providers`` entry point. A spec that names a provider only looks it up in this
registry, so loading a spec still imports and runs nothing.

Entry points are loaded once, the first time a spec names a provider that neither Faker's
allowed list nor the registry knows: runs that use only built-in providers never import a plugin.
An entry point names either a Faker provider class or a function that rulegen calls with no
arguments and that registers its providers itself.

A custom provider is a value source like Faker's: rulegen calls it to fill a pool once per
(provider, arguments, locale, seed) and rows draw from the pool, so it must give the same values
for the same seed. A function gets a ``numpy.random.Generator`` seeded from the spec's seed; a
Faker class's methods run on a Faker seeded the same way. Each provider declares the longest
value it makes (``max_bytes``), which the run budget trusts before the pool is built and which
the pool is held to once built.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rulegen.errors import Diagnostic, did_you_mean
from rulegen.spec.source_map import join_pointer

__all__ = ["ENTRY_POINT_GROUP", "Provider", "custom_provider", "custom_providers", "register_faker_provider",
           "register_provider"]

ENTRY_POINT_GROUP = "rulegen.providers"
MAX_DECLARED_BYTES = 1 << 20  # the longest value a provider may declare: pools stay within the run budget
_ARG_TYPES = (bool, int, float, str)
_TEXT_ARG_CHARS = 1_000  # a text argument's longest value, as for Faker's own providers


@dataclass(frozen=True, slots=True)
class Provider:
    """A registered provider: how to make its values, its arguments' types, its longest value."""

    name: str
    caller: Callable[[str, int], Callable[..., Any]]  # (locale, seed) -> a function making one value
    args: Mapping[str, type]  # argument name -> bool, int, float or str
    max_bytes: int
    origin: str  # where it came from, for messages: the function's or class's qualified name

    def check(self, args: Mapping[str, Any], pointer: str) -> list[Diagnostic]:
        """The problems of ``args`` as written in a spec: unknown names, wrong types, long text."""
        problems = []
        for name, value in args.items():
            at = join_pointer(join_pointer(pointer, "args"), name)
            if name not in self.args:
                taken = f"it takes: {', '.join(self.args)}" if self.args else "it takes none"
                problems.append(Diagnostic("RG256", f"`{self.name}` takes no argument `{name}` ({taken})", at,
                                           at_key=True, hint=did_you_mean(name, self.args)))
                continue
            wanted = self.args[name]
            fits = isinstance(value, wanted) and not (wanted is not bool and isinstance(value, bool))
            if wanted is float and isinstance(value, int) and not isinstance(value, bool):
                fits = True
            if not fits:
                problems.append(Diagnostic("RG256", f"`{name}` of `{self.name}` must be {_TYPE_NAMES[wanted]}, "
                                                    f"got {value!r}"[:200], at))
            elif wanted is str and (len(value) > _TEXT_ARG_CHARS or "{{" in value):
                problems.append(Diagnostic("RG256", f"`{name}` of `{self.name}` must be text of at most "
                                                    f"{_TEXT_ARG_CHARS:,} characters with no Faker template", at))
        return problems


_TYPE_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "text"}
_REGISTRY: dict[str, Provider] = {}
_LOCK = threading.Lock()
_plugins_loaded = False
_plugin_failures: list[str] = []


def register_provider(name: str, function: Callable[..., Any], *, max_bytes: int = 256,
                      args: Mapping[str, type] | None = None) -> None:
    """Make ``function`` a provider that specs can name: ``{kind: faker, provider: NAME}``.

    Args:
        name: the name specs use; it must not be one of Faker's allowed providers.
        function: called as ``function(rng, **args)`` for one value, ``rng`` a seeded
            ``numpy.random.Generator``; the same seed must give the same values.
        max_bytes: the longest value it makes, in UTF-8 bytes.
        args: the arguments a spec may pass and their types (bool, int, float or str); by
            default, the keyword parameters of ``function`` that have a default of those types.

    Raises:
        ValueError: a bad name, a name Faker's allowed list already has, or bad ``args``.
    """
    declared = _arguments(function, args, skip=1)

    def caller(locale: str, seed: int) -> Callable[..., Any]:
        rng = np.random.default_rng(seed)
        return lambda **kwargs: function(rng, **kwargs)

    _add(Provider(name, caller, declared, _checked_bytes(max_bytes), _qualified(function)))


def register_faker_provider(provider_class: type, *, max_bytes: int = 256,
                            methods: Mapping[str, int] | None = None) -> list[str]:
    """Make the public methods a Faker provider class defines into providers specs can name.

    Args:
        provider_class: a subclass of ``faker.providers.BaseProvider``.
        max_bytes: the longest value of each method, in UTF-8 bytes.
        methods: the methods to register and the longest value of each; by default every
            public method the class itself defines, each with ``max_bytes``.

    Returns:
        The names registered.

    Raises:
        ValueError: not a Faker provider class, no methods, or a name Faker already allows.
    """
    from faker.providers import BaseProvider

    if not (isinstance(provider_class, type) and issubclass(provider_class, BaseProvider)):
        raise ValueError(f"{provider_class!r} is not a Faker provider class (a subclass of BaseProvider)")
    chosen = dict(methods) if methods is not None else {
        name: max_bytes for name, member in vars(provider_class).items()
        if not name.startswith("_") and inspect.isfunction(member)}
    if not chosen:
        raise ValueError(f"{_qualified(provider_class)} defines no public method to register")
    for method, longest in chosen.items():
        function = getattr(provider_class, method, None)
        if not inspect.isfunction(function):
            raise ValueError(f"{_qualified(provider_class)} has no method {method!r}")

        def caller(locale: str, seed: int, method: str = method) -> Callable[..., Any]:
            from faker import Faker

            fake = Faker(locale)
            fake.add_provider(provider_class)
            fake.seed_instance(seed)
            return getattr(fake, method)

        _add(Provider(method, caller, _arguments(function, None, skip=1), _checked_bytes(longest),
                      f"{_qualified(provider_class)}.{method}"))
    return list(chosen)


def custom_provider(name: str) -> Provider | None:
    """The registered provider called ``name``, loading the plugins once if it is not known yet."""
    provider = _REGISTRY.get(name)
    if provider is None and not _plugins_loaded:
        _load_plugins()
        provider = _REGISTRY.get(name)
    return provider


def custom_providers() -> dict[str, Provider]:
    """Every registered provider (plugins included), by name."""
    if not _plugins_loaded:
        _load_plugins()
    return dict(_REGISTRY)


def plugin_failures() -> list[str]:
    """Why plugins that failed to load failed, one line each (for a message about an unknown provider)."""
    return list(_plugin_failures)


def _add(provider: Provider) -> None:
    from rulegen.kinds.fakers import FAKER_PROVIDERS
    from rulegen.kinds.text import forget_pools

    if not provider.name.isidentifier():
        raise ValueError(f"a provider name must be an identifier, got {provider.name!r}")
    if provider.name in FAKER_PROVIDERS:
        raise ValueError(f"{provider.name!r} is one of Faker's allowed providers: choose another name")
    with _LOCK:
        _REGISTRY[provider.name] = provider
    forget_pools()  # a pool cached under this name may come from the provider it replaces


def _load_plugins() -> None:
    """Register the providers of every ``rulegen.providers`` entry point, once per process."""
    global _plugins_loaded
    from importlib.metadata import entry_points

    from faker.providers import BaseProvider

    with _LOCK:
        if _plugins_loaded:
            return
        _plugins_loaded = True
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            target = point.load()
            if isinstance(target, type) and issubclass(target, BaseProvider):
                register_faker_provider(target)
            elif callable(target):
                target()
            else:
                raise TypeError(f"{target!r} is neither a Faker provider class nor a function")
        except Exception as exc:  # a broken plugin is reported, never a crash
            _plugin_failures.append(f"plugin {point.name} ({point.value}) failed to load: "
                                    f"{type(exc).__name__}: {exc}"[:300])


def _arguments(function: Callable[..., Any], declared: Mapping[str, type] | None, *, skip: int) -> dict[str, type]:
    """The arguments a spec may pass: ``declared``, or the defaults' types of the signature."""
    if declared is not None:
        bad = {name: kind for name, kind in declared.items() if kind not in _ARG_TYPES}
        if bad:
            raise ValueError(f"argument types must be bool, int, float or str, got {bad}")
        return dict(declared)
    parameters = list(inspect.signature(function).parameters.values())[skip:]
    return {p.name: type(p.default) for p in parameters
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and type(p.default) in _ARG_TYPES}


def _checked_bytes(max_bytes: int) -> int:
    if not isinstance(max_bytes, int) or not 1 <= max_bytes <= MAX_DECLARED_BYTES:
        raise ValueError(f"max_bytes must be an integer from 1 to {MAX_DECLARED_BYTES:,}, got {max_bytes!r}")
    return max_bytes


def _qualified(thing: Any) -> str:
    return f"{getattr(thing, '__module__', '?')}.{getattr(thing, '__qualname__', repr(thing))}"
