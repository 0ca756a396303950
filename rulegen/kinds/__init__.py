"""Column kinds. Importing this package registers every built-in kind in :data:`KINDS`."""

from rulegen.kinds import (  # noqa: F401  (registration)
    categorical,
    computed,
    numeric,
    pattern,
    relational,
    sample,
    temporal,
    text,
    timeline,
)
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.registry import KINDS, KindRegistry, register

__all__ = ["KINDS", "CompileEnv", "Kind", "KindRegistry", "register"]
