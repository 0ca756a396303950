"""Names are data: the checks that let a table or column name go into SQL and file names safely.

A table name becomes a file name (``NAME.csv``, a hidden temp file next to it) and a quoted SQL
identifier; a column name a quoted identifier and a CSV header. Quoting makes any text safe
*inside* an identifier, but some names still change what happens:

- control and format characters (NUL, newlines, ``\\r``, bidi overrides, U+2028) end lines in
  comments and clients, and hide what a name says from the person reading it;
- lone surrogates cannot be written as UTF-8 at all;
- ``/``, ``\\``, ``.``, ``..`` and a leading ``.`` make a table name a path, or a hidden file
  that collides with the writers' temp files;
- a name longer than a file name can be fails only once data has been made;
- names that differ only by case (or by how accents are encoded) can be one name in SQLite,
  DuckDB, MySQL and the file systems of macOS and Windows;
- names of system catalogs (``pg_*``, ``information_schema``, ``sqlite_*``, ``duckdb_*`` and
  MySQL's system schemas) can resolve to the catalog instead of the user's table.

:func:`name_problems` runs with the structure checks, for every target. A target's own limits
(PostgreSQL's 63-byte identifiers and system columns, MySQL's 64 characters of the Basic
Multilingual Plane) are checked by :func:`target_problems` once the target is known, before
anything is written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from rulegen.errors import Diagnostic
from rulegen.spec.source_map import join_pointer

__all__ = ["MAX_TABLE_BYTES", "folded", "name_problems", "shown", "target_problems"]

# A file name is at most 255 bytes on every common file system; the writers add the longest
# extension (`.parquet`) and a temp-file prefix and suffix (at most 40 bytes) to a table name.
MAX_TABLE_BYTES = 255 - len(".parquet") - 40

# Prefixes and names of system catalogs, reserved in every target: a spec may be seeded anywhere.
RESERVED_PREFIXES = {"pg_": "PostgreSQL's system catalogs", "sqlite_": "SQLite's internal tables",
                     "duckdb_": "DuckDB's system views"}
RESERVED_TABLES = {"information_schema": "the SQL standard's catalog schema",
                   "mysql": "MySQL's system schema", "performance_schema": "MySQL's system schema",
                   "sys": "MySQL's system schema"}

# Identifier limits of targets that have one: PostgreSQL silently truncates longer names (two
# long names could become one); MySQL refuses them.
TARGET_LIMITS = {"postgresql": (63, "bytes"), "mysql": (64, "characters")}
PG_SYSTEM_COLUMNS = ("tableoid", "xmin", "cmin", "xmax", "cmax", "ctid")

# Unicode categories no name may hold: controls, format characters (bidi overrides, zero-width
# joiners), surrogates, and the line and paragraph separators.
_REFUSED_CATEGORIES = {"Cc": "control character", "Cf": "format character", "Cs": "lone surrogate",
                       "Zl": "line separator", "Zp": "paragraph separator"}
_CONTROL_NAMES = {0: "NUL", 9: "TAB", 10: "LINE FEED", 11: "VERTICAL TAB", 12: "FORM FEED",
                  13: "CARRIAGE RETURN", 27: "ESCAPE", 127: "DELETE", 133: "NEXT LINE"}
_SHOWN_LENGTH = 60


def name_problems(data: Any) -> list[Diagnostic]:
    """Every problem of the table and column names of a loaded document (names that are not
    text are left to the structure checks)."""
    tables = data.get("tables") if isinstance(data, dict) else None
    if not isinstance(tables, dict):
        return []
    problems: list[Diagnostic] = []
    table_names: list[tuple[str, str]] = []
    for name, table in tables.items():
        if not isinstance(name, str):
            continue
        pointer = join_pointer("/tables", name)
        problems += _table_problems(name, pointer)
        table_names.append((name, pointer))
        columns = table.get("columns") if isinstance(table, dict) else None
        if isinstance(columns, dict):
            column_pointer = join_pointer(pointer, "columns")
            names = [(c, join_pointer(column_pointer, c)) for c in columns if isinstance(c, str)]
            for column, at in names:
                problems += _text_problems(column, at, "column")
            problems += _folded_problems(names, "column", f"of table {shown(name)}")
    problems += _folded_problems(table_names, "table", "")
    return problems


def target_problems(dialect: str, tables: Mapping[str, tuple[str, Iterable[tuple[str, str]]]]) -> list[Diagnostic]:
    """Names a target database cannot hold as they are.

    Args:
        dialect: ``sqlite``, ``postgresql``, ``duckdb`` or ``mysql``.
        tables: per table, its pointer and its written columns as (name, pointer) pairs.

    Returns:
        A diagnostic per name over the target's identifier limit, per MySQL name with a
        character beyond U+FFFF, and per PostgreSQL system column name.
    """
    problems = []
    for table, (pointer, columns) in tables.items():
        problems += _length_problems(dialect, table, pointer, "table")
        problems += _plane_problems(dialect, table, pointer, "table")
        for column, at in columns:
            problems += _length_problems(dialect, column, at, "column")
            problems += _plane_problems(dialect, column, at, "column")
            if dialect == "postgresql" and column.lower() in PG_SYSTEM_COLUMNS:
                problems.append(Diagnostic(
                    "RG247", f"column name {shown(column)} is a system column of every PostgreSQL table",
                    at, at_key=True, hint=f"rename it; PostgreSQL reserves {', '.join(PG_SYSTEM_COLUMNS)}"))
    return problems


def folded(name: str) -> str:
    """The form under which case-folding targets see a name (canonical caseless matching)."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())


def shown(name: str) -> str:
    """A name as messages show it: quoted, every invisible character escaped, long ones cut."""
    text = repr(name if len(name) <= _SHOWN_LENGTH else name[:_SHOWN_LENGTH])
    return text if len(name) <= _SHOWN_LENGTH else f"{text[:-1]}...{text[-1]}"


def _table_problems(name: str, pointer: str) -> list[Diagnostic]:
    problems = _text_problems(name, pointer, "table")
    if problems:
        return problems
    path_hint = "a table name is also its file name: use a plain name such as `orders`"
    if any(sep in name for sep in "/\\"):
        problems.append(Diagnostic("RG242", f"table name {shown(name)} holds a path separator",
                                   pointer, at_key=True, hint=path_hint))
    elif name in (".", ".."):
        problems.append(Diagnostic("RG242", f"table name {shown(name)} names a folder", pointer,
                                   at_key=True, hint=path_hint))
    elif name.startswith("."):
        problems.append(Diagnostic("RG242", f"table name {shown(name)} starts with `.`: its file would be "
                                            "hidden, like rulegen's temp files", pointer, at_key=True,
                                   hint=path_hint))
    size = len(name.encode("utf-8"))
    if size > MAX_TABLE_BYTES:
        problems.append(Diagnostic("RG243", f"table name {shown(name)} is {size} bytes in UTF-8; a table's "
                                            f"file name allows at most {MAX_TABLE_BYTES}", pointer,
                                   at_key=True, hint="shorten it"))
    problems += _reserved_problems(name, pointer)
    return problems


def _reserved_problems(name: str, pointer: str) -> list[Diagnostic]:
    folded = name.casefold()
    owner = RESERVED_TABLES.get(folded) or next(
        (what for prefix, what in RESERVED_PREFIXES.items() if folded.startswith(prefix)), None)
    if owner is None:
        return []
    return [Diagnostic("RG245", f"table name {shown(name)} is reserved for {owner}: SQL could reach the "
                                "catalog instead of this table", pointer, at_key=True,
                       hint="rename the table (names starting pg_, sqlite_ or duckdb_, information_schema, "
                            "mysql, performance_schema and sys are reserved)")]


def _text_problems(name: str, pointer: str, what: str) -> list[Diagnostic]:
    """Problems any name can have: empty, padded, or holding an invisible character."""
    bad = next(_refused_characters(name), None)
    if bad is not None:
        char, category = bad
        label = _CONTROL_NAMES.get(ord(char)) or unicodedata.name(char, "")
        described = f"U+{ord(char):04X}{f' ({label})' if label else ''}"
        return [Diagnostic("RG240", f"{what} name {shown(name)} holds the {category} {described}", pointer,
                           at_key=True, hint="names go into SQL, file names and headers: use visible "
                                             "characters only")]
    if not name.strip():
        return [Diagnostic("RG241", f"a {what} name cannot be empty{' or blank' if name else ''}", pointer,
                           at_key=True)]
    if name != name.strip():
        return [Diagnostic("RG241", f"{what} name {shown(name)} starts or ends with white space", pointer,
                           at_key=True, hint=f"write it as {shown(name.strip())}")]
    return []


def _refused_characters(name: str) -> Iterator[tuple[str, str]]:
    for char in name:
        category = _REFUSED_CATEGORIES.get(unicodedata.category(char))
        if category is not None:
            yield char, category


def _folded_problems(names: list[tuple[str, str]], what: str, where: str) -> list[Diagnostic]:
    """Later names equal to an earlier one once case is folded."""
    problems, seen = [], {}
    for name, pointer in names:
        key = folded(name)
        if key in seen and seen[key] != name:
            problems.append(Diagnostic(
                "RG244", f"{what} name {shown(name)} differs from {what} {shown(seen[key])}"
                         f"{' ' + where if where else ''} only by case or by how accents are encoded: case-insensitive "
                         "targets (SQLite, DuckDB, MySQL, the file systems of macOS and Windows) take them for one "
                         "name", pointer, at_key=True, hint="give them names that differ in letters"))
        seen.setdefault(key, name)
    return problems


def _length_problems(dialect: str, name: str, pointer: str, what: str) -> list[Diagnostic]:
    if dialect not in TARGET_LIMITS:
        return []
    limit, unit = TARGET_LIMITS[dialect]
    size = len(name.encode("utf-8")) if unit == "bytes" else len(name)
    if size <= limit:
        return []
    target = "PostgreSQL" if dialect == "postgresql" else "MySQL"
    return [Diagnostic("RG246", f"{what} name {shown(name)} is {size} {unit}; {target} allows at most "
                                f"{limit}", pointer, at_key=True, hint="shorten it")]


def _plane_problems(dialect: str, name: str, pointer: str, what: str) -> list[Diagnostic]:
    """MySQL identifiers hold characters of the Basic Multilingual Plane only."""
    beyond = next((c for c in name if ord(c) > 0xFFFF), None) if dialect == "mysql" else None
    if beyond is None:
        return []
    return [Diagnostic("RG248", f"{what} name {shown(name)} holds U+{ord(beyond):X}; MySQL names hold characters "
                                "up to U+FFFF only", pointer, at_key=True, hint="use characters of the Basic "
                                                                                "Multilingual Plane")]
