"""Framework bookkeeping tables: the tables a migration tool or framework keeps for itself
(which migrations ran, a schema version, a lock), left out of a spec.

Seeding them would make the framework believe migrations ran, or never ran; they hold no data
of the application. A table counts as bookkeeping by its exact name (case-insensitive) and,
for the generic name ``migrations``, by its columns too. A table that another table
references is kept whatever its name: it is part of the application's data (Django's
``django_content_type``, which permissions point to, is kept for that reason).
"""

from __future__ import annotations

import re
import textwrap

from rulegen.introspection.model import Catalog

__all__ = ["BOOKKEEPING", "bookkeeping_tables", "left_out_comment"]

# Table name (lower case) -> the tool that keeps it.
BOOKKEEPING = {
    "django_migrations": "Django", "alembic_version": "Alembic", "schema_migrations": "Rails, Ecto or golang-migrate",
    "ar_internal_metadata": "Rails", "flyway_schema_history": "Flyway", "schema_version": "Flyway",
    "knex_migrations": "Knex", "knex_migrations_lock": "Knex", "__efmigrationshistory": "Entity Framework",
    "goose_db_version": "goose", "databasechangelog": "Liquibase", "databasechangeloglock": "Liquibase",
    "doctrine_migration_versions": "Doctrine", "migration_versions": "Doctrine", "sequelizemeta": "Sequelize",
    "_prisma_migrations": "Prisma", "_sqlx_migrations": "SQLx", "__diesel_schema_migrations": "Diesel",
    "gorp_migrations": "gorp", "pgmigrations": "node-pg-migrate", "typeorm_metadata": "TypeORM",
    "mikro_orm_migrations": "MikroORM", "phinxlog": "Phinx", "yii_migration": "Yii", "seaql_migrations": "SeaORM",
    "atlas_schema_revisions": "Atlas", "dbup_schemaversions": "DbUp", "schemaversions": "DbUp",
    "versioninfo": "FluentMigrator", "south_migrationhistory": "South",
}
# `migrations` is also a plain English word: bookkeeping only with a migration tool's columns.
_MIGRATIONS = re.compile(r"migrations")
_MIGRATION_COLUMNS = ({"id", "migration", "batch"}, {"id", "timestamp", "name"}, {"version", "run_on", "name"},
                      {"id", "name", "run_on"})


def bookkeeping_tables(catalog: Catalog) -> dict[str, str]:
    """The bookkeeping tables of ``catalog``, each with the tool that keeps it."""
    referenced = {fk.parent for table in catalog.tables.values() for fk in table.foreign_keys
                  if fk.parent != table.name}
    found = {}
    for name, table in catalog.tables.items():
        base = name.rpartition(".")[2].lower()
        tool = BOOKKEEPING.get(base)
        if tool is None and _MIGRATIONS.fullmatch(base):
            columns = {c.lower() for c in table.columns}
            tool = "Laravel, TypeORM or node-pg-migrate" if any(columns == set(c) for c in _MIGRATION_COLUMNS) \
                else None
        if tool is not None and name not in referenced:
            found[name] = tool
    return found


def left_out_comment(left: dict[str, str]) -> list[str]:
    """The comment lines that name the tables left out."""
    if not left:
        return []
    listed = ", ".join(f"{name} ({tool})" for name, tool in sorted(left.items()))
    return textwrap.wrap(f"Left out, framework bookkeeping: {listed}; --keep-bookkeeping keeps them.", 110,
                         initial_indent="# ", subsequent_indent="#   ", break_on_hyphens=False)
