"""What the target database already declares about the tables a seed loads into.

Read once, inside the seed's transaction and before any row is written: each existing table's
columns and their types, the columns the database makes itself (``GENERATED ALWAYS AS (...)
STORED``; never written), the sequences its columns own (serial, ``bigserial``, identity
columns; SQLite ``AUTOINCREMENT``), its foreign keys (with whether each can be deferred), the
columns of each named constraint (to locate a refusal), and whether it holds rows. The seed
orders its tables, defers or breaks foreign-key cycles, offsets keys on append and advances
sequences from this.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TargetForeignKey", "TargetTable", "duckdb_tables", "name_parts", "postgres_tables", "sqlite_tables"]


@dataclass(frozen=True, slots=True)
class TargetForeignKey:
    """A foreign key the database declares on a table."""

    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    deferrable: bool  # SET CONSTRAINTS ALL DEFERRED (PRAGMA defer_foreign_keys in SQLite) defers it
    nullable: bool  # every column may hold null: a cycle through it loads nulls, then updates
    # its constraint's name (PostgreSQL, declared on the table itself): a cycle of immediate,
    # NOT NULL keys loads with it made deferrable for the load
    name: str | None = field(default=None, compare=False)


@dataclass(slots=True)
class TargetTable:
    """An existing table of the target database."""

    columns: dict[str, str]  # column -> declared type (lower case)
    not_null: set[str] = field(default_factory=set)
    defaults: set[str] = field(default_factory=set)  # a DEFAULT, serial or identity fills them
    generated: set[str] = field(default_factory=set)  # the database computes them: never written
    sequences: dict[str, str] = field(default_factory=dict)  # column -> its owned sequence (qualified)
    foreign_keys: list[TargetForeignKey] = field(default_factory=list)
    primary_key: tuple[str, ...] = ()
    # the columns of each unique constraint and unique index over whole columns, not partial
    # (a seed appending to the table never repeats a combination its rows hold)
    unique: list[tuple[str, ...]] = field(default_factory=list)
    constraints: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> columns
    partitions: set[str] = field(default_factory=set)  # its partitions (a refusal may name one)
    has_rows: bool = False


_PG_COLUMNS = r"""
SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attgenerated <> '',
       coalesce(pg_get_serial_sequence(format('%%I.%%I', n.nspname, c.relname), a.attname),
                (regexp_match(pg_get_expr(d.adbin, d.adrelid), '^nextval\(''(.+)''::regclass\)$'))[1]),
       a.atthasdef OR a.attidentity <> '', a.atttypid
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest(%(schemas)s::text[], %(names)s::text[]))
  AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum
"""

_PG_DOMAINS = "SELECT oid, typbasetype, format_type(typbasetype, typtypmod) FROM pg_type WHERE typtype = 'd'"

# The constraints of each table and of its partitions (a foreign key may be declared on the
# partitions only), with the table each belongs to.
_PG_CONSTRAINTS = """
WITH RECURSIVE tree(root, oid, depth) AS (
  SELECT c.oid, c.oid, 0 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest(%(schemas)s::text[], %(names)s::text[]))
    AND c.relkind IN ('r', 'p')
  UNION ALL SELECT tree.root, i.inhrelid, tree.depth + 1 FROM tree JOIN pg_inherits i ON i.inhparent = tree.oid
)
SELECT rn.nspname, r.relname, c.relname, tree.depth = 0, k.conname, k.contype, k.condeferrable, p.relname,
       ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i),
       ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, i)
             JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i),
       pn.nspname
FROM tree JOIN pg_class r ON r.oid = tree.root JOIN pg_namespace rn ON rn.oid = r.relnamespace
JOIN pg_class c ON c.oid = tree.oid
LEFT JOIN pg_constraint k ON k.conrelid = tree.oid
LEFT JOIN pg_class p ON p.oid = k.confrelid LEFT JOIN pg_namespace pn ON pn.oid = p.relnamespace
"""


# Unique indexes (those of primary keys and unique constraints too) over plain columns, not
# partial (an expression index has a 0 in indkey).
_PG_UNIQUE = """
SELECT n.nspname, c.relname,
       ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(n, k)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n ORDER BY u.k)
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest(%(schemas)s::text[], %(names)s::text[]))
  AND i.indisunique AND i.indpred IS NULL AND NOT 0 = ANY (i.indkey::int2[])
ORDER BY c.relname, i.indexrelid
"""


def postgres_tables(connection: Any, schema: str, places: Mapping[str, tuple[str, str]]) -> dict[str, TargetTable]:
    """The tables of ``places`` that exist in a PostgreSQL database.

    Args:
        connection: an open psycopg connection, inside the seed's transaction.
        schema: the schema the seed writes the tables into that do not say where they live.
        places: the tables the seed loads, each with its (schema, name) in the database.

    Returns:
        The existing ones, by their name in the spec.
    """
    found: dict[str, TargetTable] = {}
    named = {place: name for name, place in places.items()}
    arguments = {"schemas": [s for s, _ in places.values()], "names": [n for _, n in places.values()]}
    domains = {oid: (base, name) for oid, base, name in connection.execute(_PG_DOMAINS)}
    for space, relation, column, declared, not_null, generated, sequence, default, type_oid in connection.execute(
            _PG_COLUMNS, arguments):
        target = found.setdefault(named[space, relation], TargetTable({}))
        target.columns[column] = _base_type(declared, type_oid, domains).lower()
        if not_null:
            target.not_null.add(column)
        if default:
            target.defaults.add(column)
        if generated:
            target.generated.add(column)
        if sequence is not None:
            target.sequences[column] = sequence
    for space, table, relation, own, name, kind, deferrable, parent, columns, parent_columns, parent_space in \
            connection.execute(_PG_CONSTRAINTS, arguments):
        target = found[named[space, table]]
        if not own:
            target.partitions.add(relation)
        if name is None:
            continue
        target.constraints[name] = tuple(columns)
        if kind == "p" and own:
            target.primary_key = tuple(columns)
        elif kind == "f" and (parent := named.get((parent_space, parent),
                                                   parent if parent_space == schema else None)) is not None:
            # (a parent elsewhere that the spec does not place is never one the seed loads)
            key = TargetForeignKey(tuple(columns), parent, tuple(parent_columns), deferrable,
                                   not set(columns) & target.not_null, name if own else None)
            if key not in target.foreign_keys:  # declared on the table and each partition alike
                target.foreign_keys.append(key)
            elif own:  # the table's own constraint, by its name
                target.foreign_keys[target.foreign_keys.index(key)] = key
    for space, relation, columns in connection.execute(_PG_UNIQUE, arguments):
        if (space, relation) in named and tuple(columns) not in found[named[space, relation]].unique:
            found[named[space, relation]].unique.append(tuple(columns))
    for table, target in found.items():
        space, relation = places[table]
        target.has_rows = connection.execute(
            f"SELECT EXISTS (SELECT FROM {_pg_name(space)}.{_pg_name(relation)})").fetchone()[0]
    return found


def _base_type(declared: str, type_oid: int, domains: dict[int, tuple[int, str]]) -> str:
    """A column's type, with the base type of a domain (over domains) after it: ``year (integer)``."""
    seen = set()
    base = None
    while type_oid in domains and type_oid not in seen:
        seen.add(type_oid)
        type_oid, base = domains[type_oid]
    return declared if base is None else f"{declared} ({base})"


def sqlite_tables(connection: Any, schema: str, names: list[str]) -> dict[str, TargetTable]:
    """The tables of ``names`` that exist in the SQLite database ``schema`` (``main``).

    SQLite has no sequence objects: an ``AUTOINCREMENT`` table's key is recorded in
    :attr:`TargetTable.sequences` under the name ``sqlite_sequence``. Every foreign key counts as
    deferrable: ``PRAGMA defer_foreign_keys`` defers them all until commit.
    """
    found: dict[str, TargetTable] = {}
    quoted = _pg_name(schema)  # SQLite quotes identifiers as PostgreSQL does
    for name in names:
        rows = connection.execute(f"PRAGMA {quoted}.table_xinfo({_pg_name(name)})").fetchall()
        if not rows:
            continue
        target = found[name] = TargetTable({})
        for _, column, declared, not_null, default, key, hidden in rows:
            if hidden == 1:  # a virtual table's hidden column
                continue
            target.columns[column] = (declared or "text").lower()
            if not_null or key:
                target.not_null.add(column)
            if default is not None or (key and (declared or "").upper() == "INTEGER"):  # the rowid numbers it
                target.defaults.add(column)
            if hidden in (2, 3):  # GENERATED ALWAYS AS (...) VIRTUAL or STORED
                target.generated.add(column)
        target.primary_key = tuple(r[1] for r in sorted((r for r in rows if r[5]), key=lambda r: r[5]))
        sql = connection.execute(f"SELECT sql FROM {quoted}.sqlite_master WHERE type = 'table' AND name = ?",
                                 [name]).fetchone()
        if sql and sql[0] and "autoincrement" in sql[0].lower() and len(target.primary_key) == 1:
            target.sequences[target.primary_key[0]] = "sqlite_sequence"
        target.foreign_keys = _sqlite_foreign_keys(connection, quoted, name, target)
        target.unique = _sqlite_unique(connection, quoted, name, target.primary_key)
        target.has_rows = connection.execute(
            f"SELECT EXISTS (SELECT 1 FROM {quoted}.{_pg_name(name)})").fetchone()[0] == 1
    return found


def _sqlite_foreign_keys(connection: Any, schema: str, table: str, target: TargetTable) -> list[TargetForeignKey]:
    """A SQLite table's foreign keys (a parent's key columns left out mean its primary key)."""
    rows = connection.execute(f"PRAGMA {schema}.foreign_key_list({_pg_name(table)})").fetchall()
    keys = []
    for number in sorted({r[0] for r in rows}):
        parts = sorted((r for r in rows if r[0] == number), key=lambda r: r[1])
        columns = tuple(r[3] for r in parts)
        parent = parts[0][2]
        parent_columns = tuple(r[4] for r in parts)
        if None in parent_columns:
            info = connection.execute(f"PRAGMA {schema}.table_info({_pg_name(parent)})").fetchall()
            parent_columns = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
        keys.append(TargetForeignKey(columns, parent, parent_columns, True, not set(columns) & target.not_null))
    return keys


def _sqlite_unique(connection: Any, schema: str, table: str, key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A SQLite table's primary key and its unique indexes over plain columns, not partial."""
    found = [key] if key else []
    for _, index, unique, _, partial in connection.execute(f"PRAGMA {schema}.index_list({_pg_name(table)})"):
        if not unique or partial:
            continue
        parts = sorted(connection.execute(f"PRAGMA {schema}.index_info({_pg_name(index)})").fetchall())
        columns = tuple(r[2] for r in parts)
        if None not in columns and columns not in found:  # (a None: an expression)
            found.append(columns)
    return found


_DUCKDB_COLUMNS = """
SELECT table_schema, table_name, column_name, data_type, is_nullable = 'NO', column_default
FROM information_schema.columns WHERE table_catalog = current_database() AND list_contains(?, table_schema)
ORDER BY table_schema, table_name, ordinal_position
"""
_DUCKDB_CONSTRAINTS = """
SELECT schema_name, table_name, constraint_type, constraint_column_names, referenced_table, referenced_column_names
FROM duckdb_constraints() WHERE database_name = current_database() AND list_contains(?, schema_name)
ORDER BY schema_name, table_name, constraint_index
"""
_NEXTVAL = re.compile(r"nextval\('((?:[^']|'')+)'\)", re.IGNORECASE)


def duckdb_tables(connection: Any, places: Mapping[str, tuple[str, str]]) -> dict[str, TargetTable]:
    """The tables of ``places`` (spec name -> (schema, name)) that exist in a DuckDB database.

    A column whose default is ``nextval('seq')`` owns that sequence (qualified with the
    table's schema when the name is bare and the schema has it, as DuckDB binds it). DuckDB
    cannot defer foreign keys: none counts as deferrable.
    """
    named = {place: name for name, place in places.items()}
    schemas = sorted({space for space, _ in places.values()})
    sequences = {(space, name) for space, name in connection.execute(
        "SELECT schema_name, sequence_name FROM duckdb_sequences() WHERE database_name = current_database()"
    ).fetchall()}
    found: dict[str, TargetTable] = {}
    columns = connection.execute(_DUCKDB_COLUMNS, [schemas]).fetchall()
    for space, relation, column, declared, not_null, default in columns:
        if (space, relation) not in named:
            continue
        target = found.setdefault(named[space, relation], TargetTable({}))
        target.columns[column] = declared.lower()
        if not_null:
            target.not_null.add(column)
        if default is not None:
            target.defaults.add(column)
            sequence = _NEXTVAL.search(default)
            if sequence is not None:
                target.sequences[column] = _duckdb_sequence(sequence.group(1).replace("''", "'"), space, sequences)
    for space, relation, kind, columns, parent, parent_columns in connection.execute(
            _DUCKDB_CONSTRAINTS, [schemas]).fetchall():
        target = found.get(named.get((space, relation), ""))
        if target is None:
            continue
        key = tuple(columns)
        if kind == "PRIMARY KEY":
            target.primary_key = key
        if kind in ("PRIMARY KEY", "UNIQUE") and key not in target.unique:
            target.unique.append(key)
        elif kind == "NOT NULL":
            target.not_null.update(key)
        elif kind == "FOREIGN KEY" and (space, parent) in named:  # a parent the seed loads, in the same schema
            target.foreign_keys.append(TargetForeignKey(key, named[space, parent], tuple(parent_columns), False,
                                                        not set(key) & target.not_null))
    for name, target in found.items():
        space, relation = places[name]
        target.has_rows = connection.execute(
            f"SELECT EXISTS (SELECT 1 FROM {_pg_name(space)}.{_pg_name(relation)})").fetchall()[0][0]
    return found


def _duckdb_sequence(text: str, schema: str, sequences: set[tuple[str, str]]) -> str:
    """The sequence a default names (``s``, ``sales.s``, ``"sales"."s"``), as ``"schema"."name"``:
    a bare name is the table's schema's when that has one, else ``main``'s."""
    parts = name_parts(text)
    if len(parts) == 1:
        parts = [schema if (schema, parts[0]) in sequences else "main", parts[0]]
    return ".".join(_pg_name(part) for part in parts[-2:])


def name_parts(text: str) -> list[str]:
    """The parts of a dotted SQL name, each unquoted: ``"a.b".c`` gives ``a.b`` and ``c``."""
    return [quoted.replace('""', '"') if quoted or not bare else bare
            for quoted, bare in re.findall(r'"((?:[^"]|"")*)"|([^."]+)', text)]


def _pg_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
