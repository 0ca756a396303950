"""Read a PostgreSQL schema's catalog from ``pg_catalog``: columns and their types (domains
resolved to their base type, enum labels), not-null, primary, unique and foreign keys
(composite ones too), and CHECK constraints as ``pg_get_constraintdef`` prints them."""

from __future__ import annotations

import re
from typing import Any

from rulegen.introspection.model import Catalog, ColumnInfo, ForeignKey, TableInfo, quote_identifier

__all__ = ["connect_postgres", "read_postgres"]

ROW_COUNT_CAP = 1_000_000  # rows counted per table: enough to size a spec, cheap on any table

_TABLES = """
select c.oid, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = %s and c.relkind in ('r', 'p') and not c.relispartition order by c.relname
"""

# A domain's base type and typmod stand in for the domain (one level, the common case).
_COLUMNS = """
select a.attrelid, a.attnum, a.attname, a.attnotnull, format_type(a.atttypid, a.atttypmod),
       coalesce(b.typname, t.typname), coalesce(b.typtype, t.typtype), coalesce(b.typcategory, t.typcategory),
       case when t.typtype = 'd' then t.typtypmod else a.atttypmod end,
       coalesce(b.oid, t.oid), a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid),
       case when t.typtype = 'd' then t.oid end
from pg_attribute a
join pg_type t on t.oid = a.atttypid
left join pg_type b on t.typtype = 'd' and b.oid = t.typbasetype
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where a.attrelid = any(%s) and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum
"""

_CONSTRAINTS = """
select k.conrelid, k.contype, k.conkey, k.confkey, p.relname, pn.nspname, pg_get_constraintdef(k.oid)
from pg_constraint k
left join pg_class p on p.oid = k.confrelid
left join pg_namespace pn on pn.oid = p.relnamespace
where k.conrelid = any(%s) and k.contype in ('p', 'u', 'f', 'c')
order by k.conrelid, k.contype, k.conname
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


def read_postgres(connection: Any, source: str, schema: str = "public") -> Catalog:
    """Every ordinary and partitioned table of ``schema`` (partitions are read as their parent)."""
    oids = dict(connection.execute(_TABLES, [schema]).fetchall())
    enums: dict[int, list[str]] = {}
    for type_oid, label in connection.execute("select enumtypid, enumlabel from pg_enum order by enumtypid, "
                                              "enumsortorder").fetchall():
        enums.setdefault(type_oid, []).append(label)
    tables = {name: TableInfo(name=name, columns={}) for name in oids.values()}
    numbers: dict[int, dict[int, str]] = {oid: {} for oid in oids}
    domain_checks: dict[int, list[str]] = {}
    for domain, definition in connection.execute(
            "select contypid, pg_get_constraintdef(oid) from pg_constraint where contypid <> 0 and contype = 'c' "
            "order by conname").fetchall():
        domain_checks.setdefault(domain, []).append(definition)
    for row in connection.execute(_COLUMNS, [list(oids)]).fetchall():
        relid, attnum, name, domain = row[0], row[1], row[2], row[-1]
        numbers[relid][attnum] = name
        tables[oids[relid]].columns[name] = _column(row, enums)
        # A domain's CHECK speaks of VALUE: read it as a CHECK on this column.
        tables[oids[relid]].checks += [re.sub(r"\bVALUE\b", quote_identifier(name).replace("\\", "\\\\"), text)
                                       for text in domain_checks.get(domain, ())]
    for relid, kind, conkey, confkey, parent, parent_schema, definition in connection.execute(
            _CONSTRAINTS, [list(oids)]).fetchall():
        table = tables[oids[relid]]
        names = tuple(numbers[relid][n] for n in conkey or ())
        if kind == "p":
            table.primary_key = names
        elif kind == "u" and names not in table.unique:
            table.unique.append(names)
        elif kind == "c":
            table.checks.append(definition)
        elif kind == "f" and parent_schema == schema and parent in tables:
            parent_numbers = next(numbers[o] for o, n in oids.items() if n == parent)
            table.foreign_keys.append(ForeignKey(names, parent, tuple(parent_numbers[n] for n in confkey)))
        elif kind == "f":
            table.checks.append(f"-- {definition} (outside schema {schema}: not followed)")
    for name, table in tables.items():
        table.rows = connection.execute(
            f"select count(*) from (select 1 from {quote_identifier(schema)}.{quote_identifier(name)} "
            f"limit {ROW_COUNT_CAP}) as t").fetchone()[0]
    return Catalog(source=source, dialect="postgresql", tables=tables, schema=schema)


def _column(row: tuple[Any, ...], enums: dict[int, list[str]]) -> ColumnInfo:
    _, _, name, notnull, formatted, typname, typtype, typcategory, typmod, type_oid, identity, generated, default, \
        _ = row
    if typtype == "e":
        category = "enum"
    elif typcategory == "A":
        category = "array"
    else:
        category = _CATEGORIES.get(typname, "unknown")
    info = ColumnInfo(name=name, type_name=formatted, category=category, nullable=not notnull,
                      labels=tuple(enums.get(type_oid, ())), generated=bool(generated),
                      timezone=typname in ("timestamptz", "timetz"), fixed=typname == "bpchar")
    if typname in ("varchar", "bpchar") and typmod and typmod > 4:
        info.length = typmod - 4
    if typname == "numeric" and typmod and typmod > 4:
        info.precision, info.scale = ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF
    if identity:
        info.identity = "identity always" if identity == "a" else "identity"
    elif default and default.startswith("nextval("):
        info.identity = "serial"
    return info
