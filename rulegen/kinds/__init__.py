"""Column kinds. Importing this package registers every built-in kind in :data:`KINDS`."""

from rulegen.kinds import categorical, computed, numeric, pattern, temporal, text  # noqa: F401  (registration)
from rulegen.kinds.base import CompileEnv, Kind
from rulegen.kinds.registry import KINDS, KindRegistry, register

__all__ = ["KINDS", "CompileEnv", "Kind", "KindRegistry", "register"]
