"""The PostgreSQL fixtures give a working server and isolated databases."""

from __future__ import annotations

import pytest

psycopg = pytest.importorskip("psycopg")


def test_server_answers(postgres_url):
    with psycopg.connect(postgres_url) as connection:
        assert connection.execute("select 1").fetchone() == (1,)
        version = connection.execute("show server_version_num").fetchone()[0]
    assert int(version) >= 150000


def test_each_test_gets_its_own_empty_database(pg_database, postgres_url):
    assert pg_database != postgres_url
    with psycopg.connect(pg_database) as connection:
        tables = connection.execute(
            "select count(*) from information_schema.tables where table_schema = 'public'").fetchone()[0]
        connection.execute("create table t (x int primary key)")
        connection.execute("insert into t values (1)")
    assert tables == 0
