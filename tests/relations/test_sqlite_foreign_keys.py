"""The shop spec's data loads into a real SQLite database that enforces its foreign keys."""

import sqlite3

import pandas as pd
import pytest

import rulegen
from tests.conftest import ROOT

FOREIGN_KEYS = {  # child table: (columns, parent table, parent columns)
    "orders": [("customer_id", "customers", "id")],
    "order_items": [("order_id", "orders", "order_id"), ("sku", "products", "sku")],
    "shipments": [("item_id", "order_items", "item_id")],
    "returns": [("order_id, line_no", "order_items", "order_id, line_no")],
}
ORDER = ["customers", "products", "orders", "order_items", "shipments", "returns"]


def load(connection: sqlite3.Connection, frames: dict[str, pd.DataFrame], plan) -> None:
    for name in ORDER:
        frame = frames[name]
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        spec = plan.spec.tables[name]
        constraints = [f"PRIMARY KEY ({', '.join(spec.primary_key)})"] if spec.primary_key else []
        constraints += [f"UNIQUE ({', '.join(key)})" for key in spec.unique]
        constraints += [f"FOREIGN KEY ({c}) REFERENCES {p}({pc})" for c, p, pc in FOREIGN_KEYS.get(name, [])]
        connection.execute(f"CREATE TABLE {name} ({columns}, {', '.join(constraints)})")
        rows = frame.astype(str).where(frame.notna(), None)  # SQLite compares keys as text here
        connection.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(frame.columns))})",
                               rows.itertuples(index=False, name=None))


@pytest.fixture(scope="module")
def shop():
    spec = rulegen.load(ROOT / "schemas" / "shop.yaml")
    plan = rulegen.compile(spec, scale=0.2)
    return plan, rulegen.generate(spec, scale=0.2)


def test_shop_data_satisfies_declared_foreign_keys(shop, tmp_path):
    plan, frames = shop
    with sqlite3.connect(tmp_path / "shop.db") as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        load(connection, frames, plan)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        for child, links in FOREIGN_KEYS.items():
            for columns, parent, parent_columns in links:
                pairs = list(zip(columns.split(", "), parent_columns.split(", "), strict=True))
                on = " AND ".join(f"c.{c} = p.{pc}" for c, pc in pairs)
                orphans = connection.execute(
                    f"SELECT COUNT(*) FROM {child} c LEFT JOIN {parent} p ON {on} "
                    f"WHERE p.{pairs[0][1]} IS NULL AND c.{pairs[0][0]} IS NOT NULL").fetchone()[0]
                assert orphans == 0, f"{child}.{columns}"


def test_sqlite_really_enforces_foreign_keys(shop, tmp_path):  # the test above can fail
    plan, frames = shop
    with sqlite3.connect(tmp_path / "shop.db") as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        load(connection, frames, plan)
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute("INSERT INTO orders (order_id, customer_id) VALUES (-1, -1)")
        with pytest.raises(sqlite3.IntegrityError):  # an order's id with another order's line number
            connection.execute("INSERT INTO returns (return_id, order_id, line_no) VALUES (-1, 1, 99)")


def test_dates_follow_down_the_chain(shop):
    _, frames = shop
    orders = frames["orders"].merge(frames["customers"], left_on="customer_id", right_on="id")
    assert (orders.ordered_at >= orders.signup_at).all()
    items = frames["order_items"].merge(frames["orders"], on="order_id")
    shipped = frames["shipments"].merge(items, on="item_id")
    assert (shipped.shipped_at >= shipped.ordered_at).all()
    assert (shipped.shipped_at <= shipped.ordered_at + pd.Timedelta(days=30)).all()


def test_check_finds_planted_orphans(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    spec = ROOT / "schemas" / "shop.yaml"
    rulegen.write(rulegen.load(spec), tmp_path, "parquet", scale=0.05)
    assert rulegen.check(spec, tmp_path, scale=0.05).ok
    table = pq.read_table(tmp_path / "order_items.parquet")
    skus = table.column("sku").to_pylist()
    skus[4] = "NOT-A-SKU"
    pq.write_table(table.set_column(table.schema.get_field_index("sku"), "sku", pa.array(skus)),
                   tmp_path / "order_items.parquet")
    report = rulegen.check(spec, tmp_path, scale=0.05)
    found = report.find(table="order_items", rule="reference")
    assert [(v.column_or_rule, v.count) for v in found] == [("sku", 1)]
