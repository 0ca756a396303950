"""rulegen: declarative YAML rules to realistic, consistent, multi-table fake data.

The same spec, seed and rulegen version give byte-identical data, whatever the number of
workers, processes or blocks: every table is generated in fixed-size row blocks whose
randomness depends only on (seed, table, column, block).

The API functions load on first use, so importing ``rulegen`` (as its pytest plugin does in
every test session) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rulegen.errors import Diagnostic, GenerationError, OutputError, RulegenError, SpecError

if TYPE_CHECKING:
    from rulegen.api import (
        check,
        compare,
        compile,
        generate,
        infer,
        introspect,
        iter_blocks,
        load,
        lock,
        preview,
        seed_database,
        write,
    )
    from rulegen.providers import register_faker_provider, register_provider

__all__ = [
    "Diagnostic",
    "GenerationError",
    "OutputError",
    "RulegenError",
    "SpecError",
    "check",
    "compare",
    "compile",
    "generate",
    "infer",
    "introspect",
    "iter_blocks",
    "load",
    "lock",
    "preview",
    "register_faker_provider",
    "register_provider",
    "seed_database",
    "write",
]

__version__ = "0.1.0"

_PROVIDERS = frozenset({"register_faker_provider", "register_provider"})  # of rulegen.providers
_API = frozenset(name for name in __all__ if name[0].islower()) - _PROVIDERS  # the functions of rulegen.api


def __getattr__(name: str) -> Any:
    """The API functions, imported from :mod:`rulegen.api` when first asked for."""
    if name in _API:
        from rulegen import api

        return getattr(api, name)
    if name in _PROVIDERS:
        from rulegen import providers

        return getattr(providers, name)
    raise AttributeError(f"module 'rulegen' has no attribute {name!r}")
