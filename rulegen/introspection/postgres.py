"""Read a PostgreSQL schema's catalog from ``pg_catalog``: columns and their types (domains
resolved to their base type, enum labels), not-null, primary, unique and foreign keys
(composite ones too), and CHECK constraints as ``pg_get_constraintdef`` prints them."""

from __future__ import annotations

import re
from typing import Any

from rulegen.introspection.model import Catalog, ColumnInfo, ForeignKey, TableInfo, index_columns, quote_identifier

__all__ = ["connect_postgres", "partition_check", "read_postgres"]

ROW_COUNT_CAP = 1_000_000  # rows counted per table: enough to size a spec, cheap on any table

# Tables of one schema, or of every user schema (not the system's, not an extension's).
_TABLES = """
select c.oid, n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and not c.relispartition
  and (n.nspname = %(schema)s or (%(schema)s::text is null and n.nspname not in ('information_schema', 'pg_toast')
       and n.nspname not like 'pg\\_%%'
       and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')))
order by n.nspname, c.relname
"""

# Partitions, each with the table it belongs to at the top of its tree.
_PARTITIONS = "select c.oid, pg_partition_root(c.oid)::oid from pg_class c where c.relispartition"

_TYPES = "select oid, typname, typtype, typcategory, typbasetype, typtypmod, typnotnull, typelem from pg_type"

_COLUMNS = """
select a.attrelid, a.attnum, a.attname, a.attnotnull, format_type(a.atttypid, a.atttypmod), a.atttypid,
       a.atttypmod, a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid)
from pg_attribute a
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where a.attrelid = any(%s) and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum
"""

# Constraints of the tables and of their partitions (a foreign key may be declared on either);
# copies a partition inherits from its parent (conparentid) are the parent's own.
_CONSTRAINTS = """
select k.conrelid, k.contype,
       array(select a.attname from unnest(k.conkey) with ordinality u(n, i)
             join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.n order by u.i),
       array(select a.attname from unnest(k.confkey) with ordinality u(n, i)
             join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.n order by u.i),
       p.relname, pn.nspname, pg_get_constraintdef(k.oid), k.conindid
from pg_constraint k
left join pg_class p on p.oid = k.confrelid
left join pg_namespace pn on pn.oid = p.relnamespace
where k.conrelid = any(%s) and k.contype in ('p', 'u', 'f', 'c') and k.conparentid = 0
order by k.conrelid, k.contype, k.conname
"""

# Unique indexes; indnullsnotdistinct is read through jsonb, as servers before 15 lack it.
_INDEXES = """
select i.indrelid, i.indexrelid, pg_get_indexdef(i.indexrelid),
       coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::bool, false)
from pg_index i where i.indrelid = any(%s) and i.indisunique and not i.indisprimary
order by i.indrelid, i.indexrelid
"""

_BOUNDS = """
select pg_partition_root(c.oid)::oid, pg_get_expr(c.relpartbound, c.oid), pt.partstrat,
       array(select a.attname from unnest(pt.partattrs::int2[]) u(n)
             join pg_attribute a on a.attrelid = pt.partrelid and a.attnum = u.n)
from pg_class c join pg_inherits h on h.inhrelid = c.oid
join pg_partitioned_table pt on pt.partrelid = h.inhparent
where c.relispartition and h.inhparent = any(%s)
order by c.relname
"""

_TRIGGERS = """
select t.tgrelid, p.prosrc from pg_trigger t join pg_proc p on p.oid = t.tgfoid
where not t.tgisinternal and t.tgrelid = any(%s)
order by t.tgname
"""

_CATEGORIES = {
    "int2": "integer", "int4": "integer", "int8": "integer", "numeric": "decimal", "float4": "float",
    "float8": "float", "bool": "bool", "text": "text", "varchar": "text", "bpchar": "text", "name": "text",
    "citext": "text", "date": "date", "timestamp": "timestamp", "timestamptz": "timestamp", "time": "time",
    "timetz": "time", "interval": "interval", "uuid": "uuid", "json": "json", "jsonb": "json", "bytea": "binary",
    "inet": "inet", "cidr": "inet", "macaddr": "mac", "macaddr8": "mac", "money": "money",
}


def connect_postgres(url: str) -> Any:
    """A psycopg connection (read only, autocommit: nothing is held open while reading).

    Raises:
        ImportError: psycopg is not installed.
        psycopg.Error: the server cannot be reached or refuses the login.
    """
    import psycopg

    connection = psycopg.connect(url, autocommit=True, connect_timeout=10)
    connection.execute("set default_transaction_read_only = on")
    return connection


def read_postgres(connection: Any, source: str, schema: str | None = None) -> Catalog:
    """Every ordinary and partitioned table of ``schema``, or of every user schema (partitions
    are read as their parent). With more than one schema, tables are named ``schema.table``."""
    found = connection.execute(_TABLES, {"schema": schema}).fetchall()
    several = len({nsp for _, nsp, _ in found}) > 1
    oids = {oid: f"{nsp}.{rel}" if several else rel for oid, nsp, rel in found}
    located = {name: (nsp, rel) for (_, nsp, rel), name in zip(found, oids.values(), strict=True)}
    names = {place: name for name, place in located.items()}
    roots = {part: root for part, root in connection.execute(_PARTITIONS).fetchall() if root in oids}
    enums: dict[int, list[str]] = {}
    for type_oid, label in connection.execute("select enumtypid, enumlabel from pg_enum order by enumtypid, "
                                              "enumsortorder").fetchall():
        enums.setdefault(type_oid, []).append(label)
    types = {row[0]: row for row in connection.execute(_TYPES).fetchall()}
    tables = {name: TableInfo(name=name, columns={}, schema=located[name][0]) for name in oids.values()}
    domain_checks: dict[int, list[str]] = {}
    for domain, definition in connection.execute(
            "select contypid, pg_get_constraintdef(oid) from pg_constraint where contypid <> 0 and contype = 'c' "
            "order by conname").fetchall():
        domain_checks.setdefault(domain, []).append(definition)
    for row in connection.execute(_COLUMNS, [list(oids)]).fetchall():
        table = tables[oids[row[0]]]
        column, checks = _column(row, types, enums, domain_checks)
        table.columns[column.name] = column
        # A domain's CHECK speaks of VALUE: read it as a CHECK on this column.
        table.checks += [re.sub(r"\bVALUE\b", quote_identifier(column.name).replace("\\", "\\\\"), text)
                         for text in checks]
    _read_constraints(connection, oids, roots, tables, names)
    _read_indexes(connection, oids, tables)
    _read_bounds(connection, oids, tables)
    _read_triggers(connection, oids, roots, tables)
    for name, table in tables.items():
        where = ".".join(quote_identifier(part) for part in located[name])
        table.rows = connection.execute(
            f"select count(*) from (select 1 from {where} limit {ROW_COUNT_CAP}) as t").fetchone()[0]
    return Catalog(source=source, dialect="postgresql", tables=tables, schema=schema)


def _read_constraints(connection: Any, oids: dict[int, str], roots: dict[int, int], tables: dict[str, TableInfo],
                      names: dict[tuple[str, str], str]) -> None:
    """Keys, CHECKs and foreign keys (across schemas too); those of a partition count as its
    table's. ``names`` maps (schema, table) to the catalog's name of each table read."""
    for relid, kind, columns, parent_columns, parent, parent_schema, definition, _index in connection.execute(
            _CONSTRAINTS, [list(oids) + list(roots)]).fetchall():
        table = tables[oids[roots.get(relid, relid)]]
        columns, parent_columns = tuple(columns), tuple(parent_columns)
        if kind == "p" and relid in oids:
            table.primary_key = columns
        elif kind == "u" and columns not in table.unique and relid in oids:
            table.unique.append(columns)
        elif kind == "c" and relid in oids:
            table.checks.append(definition)
        elif kind == "f" and (parent_schema, parent) in names:
            key = ForeignKey(columns, names[(parent_schema, parent)], parent_columns)
            if key not in table.foreign_keys:
                table.foreign_keys.append(key)
        elif kind == "f":
            table.checks.append(f"-- {definition} (to {parent_schema}.{parent}, a table not read: not followed)")


def _read_indexes(connection: Any, oids: dict[int, str], tables: dict[str, TableInfo]) -> None:
    """Unique indexes as unique keys: partial ones are met on every row, and an expression of a
    column (``lower(email)``) counts as the column. ``NULLS NOT DISTINCT``: no nulls at all."""
    for relid, _index, definition, nulls_not_distinct in connection.execute(_INDEXES, [list(oids)]).fetchall():
        table = tables[oids[relid]]
        names = index_columns(definition, table.columns)
        if names is None:
            table.checks.append(f"-- {definition} (not read: an expression rulegen cannot make unique)")
            continue
        if nulls_not_distinct:
            for name in names:
                table.columns[name].nullable = False
        if names not in table.unique and names != table.primary_key:
            table.unique.append(names)


def _read_bounds(connection: Any, oids: dict[int, str], tables: dict[str, TableInfo]) -> None:
    """The bounds of a partitioned table's partitions, as a CHECK on its partition key: a list
    of every partition's values, or the range of the longest run of adjacent partitions."""
    found: dict[int, list[tuple[str, str, list[str]]]] = {}
    for root, bound, strategy, key in connection.execute(_BOUNDS, [list(oids)]).fetchall():
        found.setdefault(root, []).append((bound, strategy, list(key)))
    for root, partitions in found.items():
        check = partition_check(partitions)
        if check is not None:
            tables[oids[root]].checks.append(check)


def partition_check(partitions: list[tuple[str, str, list[str]]]) -> str | None:
    """A CHECK that keeps rows inside the partitions (``(bound, strategy, key columns)`` each,
    as ``pg_get_expr`` prints the bound), or None when any row fits (a default partition)."""
    if any(bound.strip().upper() == "DEFAULT" for bound, _, _ in partitions) or len(partitions[0][2]) != 1:
        return None
    column = quote_identifier(partitions[0][2][0])
    if partitions[0][1] == "l":
        values = [v for bound, _, _ in partitions for v in _bound_values(bound, "IN")]
        return f"{column} IN ({', '.join(values)})" if values else None
    ranges = {}
    for bound, _, _ in partitions:
        low, high = _bound_values(bound, "FROM"), _bound_values(bound, "TO")
        if len(low) == 1 and len(high) == 1:
            ranges[low[0]] = high[0]
    runs = []
    for start in [low for low in ranges if low not in ranges.values()]:
        end, count = start, 0
        while end in ranges:
            end, count = ranges[end], count + 1
        runs.append((count, start, end))
    if not runs:
        return None
    _, low, high = max(runs)
    parts = ([f"{column} >= {low}"] if low != "MINVALUE" else []) + ([f"{column} < {high}"]
                                                                     if high != "MAXVALUE" else [])
    return " AND ".join(parts) or None


def _bound_values(bound: str, word: str) -> list[str]:
    """The literals after ``word`` (IN, FROM or TO) in a partition bound."""
    found = re.search(rf"\b{word}\s*\(((?:'(?:[^']|'')*'|[^()'])*)\)", bound)
    if found is None:
        return []
    return [v.strip() for v in re.findall(r"'(?:[^']|'')*'|[^,]+", found.group(1)) if v.strip()]


_INSERT = re.compile(r'\binsert\s+into\s+(?:(?:"[^"]+"|\w+)\s*\.\s*)?("[^"]+"|\w+)', re.IGNORECASE)


def _read_triggers(connection: Any, oids: dict[int, str], roots: dict[int, int],
                   tables: dict[str, TableInfo]) -> None:
    """Tables that a trigger's function inserts rows into (the function's text, read for
    ``INSERT INTO name``)."""
    for relid, source in connection.execute(_TRIGGERS, [list(oids) + list(roots)]).fetchall():
        owner = oids[roots.get(relid, relid)]
        for target in _INSERT.findall(source or ""):
            name = target[1:-1].replace('""', '"') if target.startswith('"') else target.lower()
            if name in tables and name != owner and owner not in tables[name].filled_by:
                tables[name].filled_by.append(owner)


def _column(row: tuple[Any, ...], types: dict[int, tuple[Any, ...]], enums: dict[int, list[str]],
            domain_checks: dict[int, list[str]]) -> tuple[ColumnInfo, list[str]]:
    """A column, with its type followed through domains (over domains) to the base type, and
    the CHECKs of those domains."""
    _, _, name, notnull, formatted, type_oid, typmod, identity, generated, default = row
    checks: list[str] = []
    while type_oid in types and types[type_oid][2] == "d":
        _, _, _, _, base, domain_typmod, domain_notnull, _ = types[type_oid]
        checks += domain_checks.get(type_oid, [])
        notnull = notnull or domain_notnull
        typmod = domain_typmod if domain_typmod != -1 else typmod
        type_oid = base
    _, typname, typtype, typcategory, _, _, _, element = types.get(type_oid, (0, "", "", "", 0, -1, False, 0))
    if typtype == "e":
        category = "enum"
    elif typcategory == "A":
        category = "array"
    else:
        category = _CATEGORIES.get(typname, "unknown")
    info = ColumnInfo(name=name, type_name=formatted, category=category, nullable=not notnull,
                      labels=tuple(enums.get(type_oid, enums.get(element, ()))), generated=bool(generated),
                      timezone=typname in ("timestamptz", "timetz"), fixed=typname == "bpchar")
    if typname in ("varchar", "bpchar") and typmod and typmod > 4:
        info.length = typmod - 4
    if typname == "numeric" and typmod and typmod > 4:
        info.precision, info.scale = ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF
    if identity:
        info.identity = "identity always" if identity == "a" else "identity"
    elif default and default.startswith("nextval("):
        info.identity = "serial"
    return info, checks
