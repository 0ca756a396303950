"""Caps on what a spec may hold, checked before any other work on it.

A spec can come from someone else. However it is written, the work of checking and compiling it
stays bounded: these caps hold the number of tables, columns per table, items of any list or
mapping, histogram edges and the length of any string well above what real specs need (real
schemas reach a few thousand tables) and far below what would take seconds to handle. The caps
are constants of rulegen: nothing in a spec can raise them. The loader caps the nodes of the
whole document (``MAX_NODES``) and the size of the file.
"""

from __future__ import annotations

from typing import Any

from rulegen.errors import Diagnostic
from rulegen.spec.source_map import join_pointer

__all__ = ["MAX_COLUMNS", "MAX_HISTOGRAM_EDGES", "MAX_ITEMS", "MAX_STRING_BYTES", "MAX_TABLES", "cap_problems"]

MAX_TABLES = 10_000  # tables in one spec
MAX_COLUMNS = 2_000  # columns in one table (PostgreSQL allows 1,600, SQLite 2,000 by default)
MAX_ITEMS = 100_000  # items of one list or entries of one mapping (choice values, weights, ...)
MAX_HISTOGRAM_EDGES = 10_001  # edges of one histogram (10,000 bins)
MAX_STRING_BYTES = 1 << 20  # UTF-8 bytes of one string (a constant, a pattern, a template)


def cap_problems(data: Any) -> list[Diagnostic]:
    """Every cap the loaded document breaks, each located at the value that breaks it.

    Args:
        data: the loaded document (plain dicts, lists and scalars).

    Returns:
        The problems; empty when the document is within every cap.
    """
    problems: list[Diagnostic] = []
    tables = data.get("tables") if isinstance(data, dict) else None
    if isinstance(tables, dict):
        if len(tables) > MAX_TABLES:
            problems.append(Diagnostic("RG250", f"{len(tables):,} tables (at most {MAX_TABLES:,})", "/tables",
                                       hint="split the spec into several specs"))
        for name, table in tables.items():
            columns = table.get("columns") if isinstance(table, dict) else None
            if isinstance(columns, dict) and len(columns) > MAX_COLUMNS:
                problems.append(Diagnostic(
                    "RG251", f"{len(columns):,} columns in table `{name}` (at most {MAX_COLUMNS:,})",
                    join_pointer(join_pointer("/tables", name), "columns"), hint="split the table"))
    if problems:
        return problems  # the rest would only repeat the work the caps are there to avoid
    _walk(data, "", problems)
    return problems


def _walk(value: Any, pointer: str, problems: list[Diagnostic]) -> None:
    """Check the lists, mappings and strings inside ``value``, iteratively (no deep recursion)."""
    todo = [(value, pointer)]
    while todo:
        value, pointer = todo.pop()
        if isinstance(value, str):
            _string(value, pointer, problems)
        elif isinstance(value, dict):
            if len(value) > MAX_ITEMS:
                problems.append(Diagnostic("RG252", f"{len(value):,} entries (at most {MAX_ITEMS:,})", pointer))
                continue
            for key, item in value.items():
                child = join_pointer(pointer, key)
                if isinstance(key, str):
                    _string(key, child, problems, at_key=True)
                todo.append((item, child))
        elif isinstance(value, list):
            if pointer.endswith("/edges") and len(value) > MAX_HISTOGRAM_EDGES:
                problems.append(Diagnostic(
                    "RG254", f"{len(value):,} histogram edges (at most {MAX_HISTOGRAM_EDGES:,})", pointer,
                    hint="merge bins, or sample the column from a file with `kind: sample`"))
                continue
            if len(value) > MAX_ITEMS:
                problems.append(Diagnostic("RG252", f"{len(value):,} items (at most {MAX_ITEMS:,})", pointer))
                continue
            todo.extend((item, join_pointer(pointer, i)) for i, item in enumerate(value))


def _string(text: str, pointer: str, problems: list[Diagnostic], *, at_key: bool = False) -> None:
    if len(text) * 4 <= MAX_STRING_BYTES:
        return  # short enough whatever its characters: no need to encode it
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_STRING_BYTES:
        problems.append(Diagnostic("RG253", f"a string of {size:,} bytes (at most {MAX_STRING_BYTES:,})", pointer,
                                   at_key=at_key, hint="keep long text in a file and read it with `kind: sample`"))
