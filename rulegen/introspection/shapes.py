"""What values a drafted column can make, read from its spec: how many distinct ones (a short
list, a flag, a small integer range, a short fixed pattern), whether every text is at least so
long, and plain text made to start at a CHECK's shortest length."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["lengthen", "long_enough", "value_space"]


def value_space(spec: dict[str, Any]) -> int | None:
    """How many distinct values a drafted column can make, when that is small enough to matter."""
    kind = spec["kind"]
    if kind == "choice" and "values" in spec:
        return len(spec["values"])
    if kind == "bool":
        return 2
    if kind == "integers":
        return spec["high"] - spec["low"] + 1
    found = re.fullmatch(r"\[([a-zA-Z0-9-]+)\]\{(\d+)\}", spec.get("pattern", "")) if kind == "pattern" else None
    if found:
        width = sum(26 if part in ("a-z", "A-Z") else 10 for part in re.findall(r"a-z|A-Z|0-9", found.group(1)))
        return width ** int(found.group(2))
    return None


_LETTERS = re.compile(r"\[a-z\]\{(\d+),(\d+)\}")  # the draft of plain text of bounded length


def lengthen(spec: dict[str, Any], shortest: int) -> None:
    """Plain text of 1 to n letters starts at ``shortest`` letters instead (a CHECK
    ``length(x) = 5`` makes exactly 5, rather than rows redrawn until they are long enough)."""
    found = _LETTERS.fullmatch(spec.get("pattern", "")) if spec["kind"] == "pattern" else None
    if found is not None and int(found[1]) < shortest <= int(found[2]):
        longest = int(found[2])
        spec["pattern"] = f"[a-z]{{{shortest}}}" if shortest == longest else f"[a-z]{{{shortest},{longest}}}"


def long_enough(spec: dict[str, Any], shortest: int) -> bool:
    """Whether every value of a text column's draft is ``shortest`` characters or more by
    construction (a list of values that all are, letters of that many or more; other kinds are
    not known to)."""
    values = spec.get("values")
    if spec["kind"] == "pattern":
        found = re.fullmatch(r"\[a-z\]\{(\d+)(?:,\d+)?\}", spec["pattern"])
        return found is not None and int(found[1]) >= shortest
    return spec["kind"] == "choice" and isinstance(values, list) and all(
        isinstance(v, str) and len(v) >= shortest for v in values)
