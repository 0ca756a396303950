"""The TPC-H-shaped benchmark spec (benchmarks/specs/tpch.yaml) at scale factor 0.01 loads into a
real PostgreSQL under TPC-H's own DDL, written by hand (tests/db/schemas/tpch.sql: its types,
primary keys and foreign keys, the composite one from lineitem to partsupp included), the rules
TPC-H states hold in the loaded data, and ``rulegen check`` finds the written files clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import rulegen
from rulegen.cli import main

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "benchmarks" / "specs" / "tpch.yaml"
DDL = Path(__file__).parent / "schemas" / "tpch.sql"
SF = 0.01
# TPC-H's row counts at sf 0.01; orders and lineitem are drawn per parent (Poisson(10), 1-7)
FIXED = {"region": 5, "nation": 25, "supplier": 100, "customer": 1_500, "part": 2_000, "partsupp": 8_000}


def _scalar(connection, sql: str):
    return connection.execute(sql).fetchone()[0]


def test_tpch_loads_into_postgresql_under_tpch_ddl_and_keeps_its_rules(pg_database: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    with psycopg.connect(pg_database, autocommit=True) as connection:
        connection.execute(DDL.read_text())
    loaded = rulegen.seed_database(SPEC, pg_database, scale=SF, if_exists="append")
    with psycopg.connect(pg_database) as db:
        counts = {t: _scalar(db, f"SELECT count(*) FROM {t}") for t in loaded}
        assert counts == loaded
        assert {t: counts[t] for t in FIXED} == FIXED
        assert 14_000 < counts["orders"] < 16_000 and 3.8 < counts["lineitem"] / counts["orders"] < 4.2
        problems = {
            # o_totalprice is the sum of its lines' charges, each rounded to cents (in binary
            # floating point: a half cent may round either way)
            "totalprice": """SELECT count(*) FROM orders o JOIN (
                SELECT l_orderkey, sum(round(l_extendedprice * (1 + l_tax) * (1 - l_discount), 2)) AS total,
                       count(*) AS lines
                FROM lineitem GROUP BY l_orderkey) l ON l.l_orderkey = o.o_orderkey
                WHERE abs(o.o_totalprice - l.total) > 0.01 * l.lines + 0.001""",
            "orderstatus": """SELECT count(*) FROM orders o JOIN (
                SELECT l_orderkey, bool_and(l_linestatus = 'F') AS f, bool_and(l_linestatus = 'O') AS o
                FROM lineitem GROUP BY l_orderkey) l ON l.l_orderkey = o.o_orderkey
                WHERE o.o_orderstatus <> CASE WHEN l.f THEN 'F' WHEN l.o THEN 'O' ELSE 'P' END""",
            "orders without lines":
                "SELECT count(*) FROM orders WHERE o_orderkey NOT IN (SELECT l_orderkey FROM lineitem)",
            "dates": """SELECT count(*) FROM lineitem JOIN orders ON o_orderkey = l_orderkey
                WHERE l_shipdate - o_orderdate NOT BETWEEN 1 AND 121 OR l_commitdate - o_orderdate NOT BETWEEN 30 AND 90
                   OR l_receiptdate - l_shipdate NOT BETWEEN 1 AND 30""",
            "flags": """SELECT count(*) FROM lineitem WHERE l_linestatus <> CASE WHEN l_shipdate <= '1995-06-17'
                THEN 'F' ELSE 'O' END OR (l_receiptdate <= '1995-06-17') <> (l_returnflag IN ('R', 'A'))""",
            "extendedprice": """SELECT count(*) FROM lineitem JOIN part ON p_partkey = l_partkey
                WHERE l_extendedprice <> l_quantity * p_retailprice""",
            "retailprice": """SELECT count(*) FROM part
                WHERE p_retailprice * 100 <> 90000 + (p_partkey / 10) % 20001 + 100 * (p_partkey % 1000)""",
            "suppliers per part": """SELECT count(*) FROM (SELECT ps_partkey FROM partsupp GROUP BY ps_partkey
                HAVING count(DISTINCT ps_suppkey) <> 4) p""",
            "line numbers": """SELECT count(*) FROM (SELECT l_orderkey FROM lineitem GROUP BY l_orderkey
                HAVING max(l_linenumber) <> count(*) OR count(*) > 7) l""",
            "phones": "SELECT count(*) FROM customer WHERE left(c_phone, 2)::int <> c_nationkey + 10",
        }
        found = {name: _scalar(db, sql) for name, sql in problems.items()}
        assert found == dict.fromkeys(problems, 0)
        assert _scalar(db, "SELECT count(DISTINCT o_orderstatus) FROM orders") == 3


def test_tpch_files_are_clean_for_rulegen_check(tmp_path: Path) -> None:
    out = tmp_path / "tpch"
    generated = CliRunner().invoke(main, ["generate", str(SPEC), "--scale", str(SF), "-o", str(out),
                                          "--format", "parquet", "--workers", "1", "--quiet"])
    assert generated.exit_code == 0, generated.output
    checked = CliRunner().invoke(main, ["check", str(SPEC), str(out)])
    assert checked.exit_code == 0, checked.output
    assert "ok: no violations in 8 tables" in checked.output
