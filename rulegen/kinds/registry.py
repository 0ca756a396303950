"""The kind registry: one explicit object that maps YAML kind names to kind classes.

Registration checks the declaration at once (a duplicate name, an invalid options schema, a
missing hook), so a broken plug-in fails at import, not at first use.
"""

from __future__ import annotations

from collections.abc import Iterator

from rulegen.kinds.base import Kind
from rulegen.spec.conform import schema_problem

__all__ = ["KINDS", "KindRegistry", "register"]


class KindRegistry:
    """Kind classes by name."""

    def __init__(self) -> None:
        self._kinds: dict[str, type[Kind]] = {}

    def register(self, cls: type[Kind]) -> type[Kind]:
        """Add a kind class; raises ``ValueError`` when its declaration is inconsistent."""
        name = getattr(cls, "name", None)
        if not name or not isinstance(name, str):
            raise ValueError(f"{cls.__name__} has no kind name")
        if name in self._kinds:
            raise ValueError(f"kind {name!r} is registered twice ({self._kinds[name].__name__}, {cls.__name__})")
        if cls.compile is Kind.compile or cls.do_evaluate is Kind.do_evaluate:
            raise ValueError(f"kind {name!r} must implement compile and do_evaluate")
        missing = [r for r in cls.required if r not in cls.options]
        if missing:
            raise ValueError(f"kind {name!r} requires undeclared options {missing}")
        # Only keywords the quick structure check knows (tests check the whole schema against
        # draft-07's meta-schema; jsonschema is not imported for every command).
        problem = schema_problem({"type": "object", "properties": cls.options})
        if problem:
            raise ValueError(f"kind {name!r} has an options schema rulegen cannot check: {problem}")
        self._kinds[name] = cls
        return cls

    def get(self, name: str) -> type[Kind] | None:
        """The kind class called ``name``, or None."""
        return self._kinds.get(name)

    def names(self) -> list[str]:
        """All kind names, sorted."""
        return sorted(self._kinds)

    def __iter__(self) -> Iterator[type[Kind]]:
        return iter(self._kinds[name] for name in self.names())


KINDS = KindRegistry()
register = KINDS.register
