"""Every statement rulegen sends or writes names its tables with their schema.

The reproduction of issue 13: a table named ``pg_authid`` with ``rolname``, ``rolsuper`` and
``rolcanlogin`` columns made ``rulegen seed`` (as the superuser ``postgres``) create a superuser
role, because ``CREATE TABLE "pg_authid"`` went into ``public`` while the unqualified ``COPY``
resolved to ``pg_catalog.pg_authid``. Such names are refused at load time; and, in depth, every
statement is qualified, so even a spec that got past the checks writes into ``public``.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import rulegen
from rulegen.cli import main
from rulegen.errors import OutputError
from rulegen.io import loaders as databases
from rulegen.spec.build import build_spec
from rulegen.spec.loader import load_document
from tests.security.sql_clients import load_psql, postgres_query, postgres_roles

SHOP = textwrap.dedent("""
    version: 1
    seed: 2
    tables:
      customers:
        rows: 5
        primary_key: id
        columns:
          id: {kind: sequence}
          tier: {kind: choice, values: [gold, silver]}
      orders:
        rows: {per: customers, count: 2}
        unique: [[customer_id, n]]
        columns:
          order_id: {kind: sequence}
          customer_id: {kind: ref, to: customers.id}
          n: {kind: sequence, within: customer_id}
""")
TABLES = ("customers", "orders")
PG_AUTHID = {"tables": {"pg_authid": {"rows": 1, "columns": {
    "rolname": {"kind": "constant", "value": "spec_author"},
    "rolsuper": {"kind": "constant", "value": True},
    "rolinherit": {"kind": "constant", "value": True},
    "rolcreaterole": {"kind": "constant", "value": True},
    "rolcreatedb": {"kind": "constant", "value": True},
    "rolcanlogin": {"kind": "constant", "value": True},
    "rolreplication": {"kind": "constant", "value": True},
    "rolbypassrls": {"kind": "constant", "value": True},
    "rolconnlimit": {"kind": "constant", "value": -1},
}}}}


class Recorder:
    """A database connection that records the text of every statement sent through it."""

    def __init__(self, connection: Any, statements: list[str]) -> None:
        self._connection, self._statements = connection, statements

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def execute(self, statement: str, *args: Any) -> Any:
        self._statements.append(statement)
        return self._connection.execute(statement, *args)

    def executemany(self, statement: str, *args: Any) -> Any:
        self._statements.append(statement)
        return self._connection.executemany(statement, *args)

    def cursor(self) -> Any:
        return Recorder(self._connection.cursor(), self._statements)

    def copy(self, statement: str, *args: Any, **kwargs: Any) -> Any:
        self._statements.append(statement)
        return self._connection.copy(statement, *args, **kwargs)


def _record(monkeypatch: pytest.MonkeyPatch, loader: type[databases.Loader]) -> list[str]:
    statements: list[str] = []
    connect = loader.connect
    monkeypatch.setattr(loader, "connect", lambda self: Recorder(connect(self), statements))
    return statements


def _unqualified(statements: list[str], schema: str, *, bare_references: bool = False) -> list[str]:
    """Statements that name one of :data:`TABLES` without ``"schema".`` before it (a bare name
    after REFERENCES is allowed where the dialect takes no schema there)."""
    found = []
    for statement in statements:
        text = re.sub(r'REFERENCES "\w+"', "", statement) if bare_references else statement
        text = re.sub(r'"main"\.\w+\("\w+"\)', "", text)  # SQLite's PRAGMA functions, qualified by their schema
        quoted = any(re.search(rf'(?<!"{schema}"\.)"{table}"', text) for table in TABLES)
        bare = '"' not in text and any(re.search(rf"\b{table}\b", text) for table in TABLES)
        if quoted or bare:
            found.append(statement)
    return found


def test_the_check_finds_unqualified_names() -> None:
    assert _unqualified(['CREATE TABLE "orders" (', 'COPY "main"."orders" FROM', "DROP TABLE orders"], "main") == [
        'CREATE TABLE "orders" (', 'COPY "main"."orders" FROM', "DROP TABLE orders"][::2]
    assert _unqualified(['REFERENCES "customers" ("id")'], "main", bare_references=True) == []
    assert _unqualified(['REFERENCES "customers" ("id")'], "main") != []


@pytest.mark.parametrize("if_exists", ["fail", "replace"])
def test_every_statement_of_a_sqlite_seed_is_qualified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       if_exists: str) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    if if_exists == "replace":
        rulegen.seed_database(SHOP, url)
    statements = _record(monkeypatch, databases.SqliteLoader)
    rulegen.seed_database(SHOP, url, if_exists=if_exists)
    assert len(statements) >= 6
    assert _unqualified(statements, "main", bare_references=True) == []


@pytest.mark.parametrize("if_exists", ["fail", "replace"])
def test_every_statement_of_a_duckdb_seed_is_qualified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       if_exists: str) -> None:
    pytest.importorskip("duckdb")
    url = f"duckdb:///{tmp_path / 'shop.duckdb'}"
    if if_exists == "replace":
        rulegen.seed_database(SHOP, url)
    statements = _record(monkeypatch, databases.DuckdbLoader)
    rulegen.seed_database(SHOP, url, if_exists=if_exists)
    assert len(statements) >= 5
    assert _unqualified(statements, "main") == []


@pytest.mark.parametrize("if_exists", ["fail", "replace"])
def test_every_statement_of_a_postgresql_seed_is_qualified(pg_database: str, monkeypatch: pytest.MonkeyPatch,
                                                           if_exists: str) -> None:
    if if_exists == "replace":
        rulegen.seed_database(SHOP, pg_database)
    statements = _record(monkeypatch, databases.PostgresLoader)
    rulegen.seed_database(SHOP, pg_database, if_exists=if_exists)
    assert any(s.startswith('COPY "public"."orders"') for s in statements)
    assert _unqualified(statements, "public") == []


@pytest.mark.parametrize("dialect, schema", [("sqlite", "main"), ("duckdb", "main"), ("postgresql", "public")])
def test_every_statement_of_a_script_is_qualified(tmp_path: Path, dialect: str, schema: str) -> None:
    paths = rulegen.write(SHOP, tmp_path, "sql", dialect=dialect)
    statements = [s for path in paths.values() for s in path.read_text(encoding="utf-8").split(";\n")]
    statements = [s for s in statements if not s.startswith(("--", "BEGIN", "COMMIT"))]
    assert _unqualified(statements, schema, bare_references=dialect == "sqlite") == []


def test_a_pg_authid_table_is_refused_and_creates_no_role(tmp_path: Path, pg_database: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(json.dumps(PG_AUTHID), encoding="utf-8")
    roles = postgres_roles(pg_database)
    for args in (["seed", str(spec), "--db", pg_database],
                 ["generate", str(spec), "-o", str(tmp_path / "out"), "-f", "sql", "--dialect", "postgresql"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1 and "error[RG245] tables.pg_authid" in result.stderr, result.stderr
        assert re.search(r"spec\.yaml:\d+:\d+: ", result.stderr)
    assert not (tmp_path / "out").exists()
    assert postgres_roles(pg_database) == roles


def test_a_pg_authid_table_past_the_checks_lands_in_public_and_creates_no_role(tmp_path: Path,
                                                                               pg_database: str) -> None:
    data, smap = load_document(json.dumps(PG_AUTHID, indent=1))
    spec = build_spec(data, smap)
    roles = postgres_roles(pg_database)
    assert rulegen.seed_database(spec, pg_database) == {"pg_authid": 1}
    assert postgres_roles(pg_database) == roles
    assert postgres_query(pg_database, "SELECT rolname FROM public.pg_authid") == [("spec_author",)]
    script = rulegen.write(spec, tmp_path / "out", "sql", dialect="postgresql")["pg_authid"]
    postgres_query(pg_database, "SELECT 1")  # the server is still there
    from tests.security.sql_clients import postgres_execute

    postgres_execute(pg_database, "DROP TABLE public.pg_authid")
    assert not any("ERROR" in e for e in load_psql(pg_database, [script]))
    assert postgres_roles(pg_database) == roles
    assert postgres_query(pg_database, "SELECT rolname FROM public.pg_authid") == [("spec_author",)]


def test_a_connection_whose_tables_would_go_into_a_system_schema_is_refused(pg_database: str) -> None:
    url = f"{pg_database}&options=-csearch_path%3Dpg_catalog"
    with pytest.raises(OutputError) as caught:
        rulegen.seed_database(SHOP, url)
    assert [d.code for d in caught.value.diagnostics] == ["RG507"]
    assert "pg_catalog" in caught.value.diagnostics[0].message
    assert postgres_query(pg_database, "SELECT count(*) FROM pg_class WHERE relname IN ('customers', 'orders')") \
        == [(0,)]


def test_a_connection_to_another_schema_loads_there(pg_database: str) -> None:
    from tests.security.sql_clients import postgres_execute

    postgres_execute(pg_database, "CREATE SCHEMA shop")
    url = f"{pg_database}&options=-csearch_path%3Dshop"
    assert rulegen.seed_database(SHOP, url) == {"customers": 5, "orders": 10}
    assert postgres_query(pg_database, "SELECT count(*) FROM shop.orders") == [(10,)]
    assert postgres_query(pg_database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
