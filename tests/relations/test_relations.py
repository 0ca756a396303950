"""Relations: rows per parent, refs (parent and skewed), lookups, sequences within a parent."""

import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.stats as st

import rulegen
from rulegen.errors import SpecError
from rulegen.plan.compiler import compile_spec

SHOP = """
version: 1
seed: 11
tables:
  customers:
    rows: 2000
    primary_key: id
    columns:
      id: {kind: sequence, start: 100, step: 3}
      signup_at: {kind: timestamp, min: 2020-01-01, max: 2024-12-31}
      country: {kind: choice, values: [US, DE, FR]}
  orders:
    rows: {per: customers, kind: poisson, lam: 3}
    primary_key: order_id
    columns:
      order_id: {kind: uuid}
      customer_id: {kind: ref, to: customers.id}
      signup_at: {kind: lookup, via: customer_id, column: signup_at, hidden: true}
      country: {kind: lookup, via: customer_id, column: country}
      ordered_at: {kind: timestamp, min: 2020-01-01, max: 2025-12-31}
    constraints: ["ordered_at >= signup_at"]
  products:
    rows: 40
    primary_key: sku
    columns:
      sku: {kind: pattern, pattern: "[A-Z]{3}-[0-9]{4}", unique: true}
      price: {kind: uniform, low: 1, high: 100, round: 2}
  order_items:
    rows: {per: orders, count: 2}
    primary_key: [order_id, line_no]
    columns:
      order_id: {kind: ref, to: orders.order_id}
      line_no: {kind: sequence, within: order_id}
      sku: {kind: ref, to: products.sku, skew: {kind: zipf, a: 1.5}}
      unit_price: {kind: lookup, via: sku, column: price}
      other_customer: {kind: ref, to: customers.id, null: 0.5}
"""


@pytest.fixture(scope="module")
def shop():
    return rulegen.generate(SHOP)


def test_references_resolve_and_lookups_copy_the_parent(shop):
    customers, orders, items, products = (shop[t] for t in ("customers", "orders", "order_items", "products"))
    assert orders.customer_id.isin(customers.id).all()
    assert items.order_id.isin(orders.order_id).all()
    assert items.sku.isin(products.sku).all()
    assert items.other_customer.dropna().isin(customers.id).all()
    joined = orders.merge(customers, left_on="customer_id", right_on="id", suffixes=("", "_parent"))
    assert (joined.country == joined.country_parent).all() and len(joined) == len(orders)
    priced = items.merge(products, on="sku")
    assert (priced.unit_price == priced.price).all()


def test_cross_table_constraint_holds_on_every_row(shop):
    joined = shop["orders"].merge(shop["customers"], left_on="customer_id", right_on="id")
    assert (joined.ordered_at >= joined.signup_at).all()


def test_children_of_a_parent_are_contiguous_and_counted_by_the_law(shop):
    customers, orders = shop["customers"], shop["orders"]
    # Children come parent by parent, in parent order.
    assert orders.customer_id.is_monotonic_increasing
    counts = orders.groupby("customer_id").size().reindex(customers.id, fill_value=0).to_numpy()
    observed = np.bincount(np.minimum(counts, 8), minlength=9)
    law = st.poisson(3)
    expected = np.append(law.pmf(np.arange(8)), law.sf(7)) * len(customers)
    assert st.chisquare(observed, expected).pvalue > 1e-3
    assert (observed[0] > 0), "a poisson(3) count of 0 happens: some parents have no children"


def test_fixed_count_and_sequence_within(shop):
    items = shop["order_items"]
    assert len(items) == 2 * len(shop["orders"])
    lines = items.groupby("order_id", sort=False).line_no.apply(tuple)
    assert (lines == pd.Series([(1, 2)] * len(lines), index=lines.index)).all()
    assert not items.duplicated(["order_id", "line_no"]).any()


def test_skewed_ref_follows_zipf_over_parent_rank(shop):
    counts = np.sort(shop["order_items"].sku.value_counts().reindex(shop["products"].sku, fill_value=0).to_numpy())
    ranks = np.arange(1, 41)
    law = ranks ** -1.5 / (ranks ** -1.5).sum()
    expected = np.sort(law * counts.sum())
    # Compare the sorted popularity profile (which parent is popular is a keyed permutation).
    assert st.chisquare(counts[::-1][:10], expected[::-1][:10] * counts[::-1][:10].sum()
                        / expected[::-1][:10].sum()).pvalue > 1e-3


def test_child_blocks_are_row_addressable():
    spec = rulegen.load(SHOP)
    plan = compile_spec(spec, seed=5, block_rows=97)
    table = plan.tables["order_items"]
    whole = pa.Table.from_batches(list(rulegen.iter_blocks(plan, "order_items", arrow=True)))
    blocks = list(range(table.blocks))
    random.Random(1).shuffle(blocks)
    fresh = compile_spec(spec, seed=5, block_rows=97)
    parts = {b: next(rulegen.iter_blocks(fresh, "order_items", blocks=[b], arrow=True)) for b in blocks}
    assert pa.Table.from_batches([parts[b] for b in sorted(parts)]).equals(whole)


def test_scale_resizes_roots_and_children_follow():
    small = rulegen.compile(SHOP, scale=0.1)
    assert small.tables["customers"].rows == 200
    assert small.tables["order_items"].rows == 2 * small.tables["orders"].rows


@pytest.mark.parametrize(("change", "code"), [
    (("rows: {per: customers, kind: poisson, lam: 3}", "rows: {per: custmers, kind: poisson, lam: 3}"), "RG212"),
    (("to: products.sku, skew", "to: product.sku, skew"), "RG212"),
    (("to: products.sku, skew", "to: products.price, skew"), "RG218"),
    (("line_no: {kind: sequence, within: order_id}", "line_no: {kind: sequence, within: sku}"), "RG218"),
    (("rows: {per: customers, kind: poisson, lam: 3}", "rows: {per: customers, kind: normal}"), "RG206"),
    (("      customer_id: {kind: ref, to: customers.id}\n", ""), "RG218"),
])
def test_relation_mistakes_are_spec_errors(change, code):
    old, new = change
    assert old in SHOP
    with pytest.raises(SpecError) as info:
        rulegen.compile(SHOP.replace(old, new))
    assert code in [d.code for d in info.value.diagnostics], info.value.render()


MUTUAL = """
version: 1
tables:
  a:
    rows: 50
    primary_key: id
    columns: {id: {kind: sequence}, b_id: {kind: ref, to: b.id}, b_label: {kind: lookup, via: b_id, column: label}}
  b:
    rows: 30
    primary_key: id
    columns:
      id: {kind: sequence, start: 100}
      a_id: {kind: ref, to: a.id}
      label: {kind: choice, values: [x, y]}
"""


def test_tables_may_refer_to_each_other_both_ways(tmp_path):
    data = rulegen.generate(MUTUAL)
    a, b = data["a"], data["b"]
    assert a.b_id.isin(b.id).all() and b.a_id.isin(a.id).all()
    assert (a.b_label.to_numpy() == b.set_index("id").label.reindex(a.b_id).to_numpy()).all()
    rulegen.write(MUTUAL, tmp_path, "csv")
    assert rulegen.check(MUTUAL, tmp_path).ok


def test_a_cycle_among_columns_of_two_tables_is_named():
    looped = "a_label: {kind: lookup, via: a_id, column: b_label}\n      label: {kind: expr, expr: a_label}"
    spec = MUTUAL.replace("label: {kind: choice, values: [x, y]}", looped)
    with pytest.raises(SpecError) as info:
        rulegen.compile(spec)
    [problem] = info.value.diagnostics
    assert problem.code == "RG301"
    assert "b.a_label -> a.b_label -> b.label -> b.a_label" in problem.message


def test_a_cycle_of_rows_per_parent_is_named():
    spec = """
version: 1
tables:
  a: {rows: {per: b, count: 1}, columns: {id: {kind: sequence}, b_id: {kind: ref, to: b.id}}}
  b: {rows: {per: a, count: 1}, columns: {id: {kind: sequence}, a_id: {kind: ref, to: a.id}}}
"""
    with pytest.raises(SpecError) as info:
        rulegen.compile(spec)
    assert any(d.code == "RG302" and ("a -> b" in d.message or "b -> a" in d.message)
               for d in info.value.diagnostics), info.value.render()


EMPLOYEES = """
version: 1
tables:
  employees:
    rows: 300
    primary_key: id
    columns:
      id: {kind: sequence, start: 10, step: 2}
      manager_id: {kind: ref, to: employees.id}
"""


def test_self_reference_points_to_an_earlier_row(tmp_path):
    employees = rulegen.generate(EMPLOYEES)["employees"]
    assert employees.manager_id.dtype == "Int64"
    assert employees.manager_id.isna().tolist() == [True] + [False] * 299  # the first employee leads
    assert (employees.manager_id.iloc[1:] < employees.id.iloc[1:]).all()
    assert employees.manager_id.dropna().isin(employees.id).all()
    rulegen.write(EMPLOYEES, tmp_path, "csv")
    assert rulegen.check(EMPLOYEES, tmp_path).ok


@pytest.mark.parametrize("column", [
    "      manager_id: {kind: ref, to: employees.name}\n      name: {kind: constant, value: x}\n",
    "      manager_id: {kind: ref, to: employees.id, skew: {kind: zipf, a: 2}}\n",
])
def test_self_reference_needs_a_sequence_key_and_no_skew(column):
    spec = EMPLOYEES.replace("      manager_id: {kind: ref, to: employees.id}\n", column)
    with pytest.raises(SpecError) as info:
        rulegen.compile(spec)
    assert [d.code for d in info.value.diagnostics] == ["RG218"]


PARTSUPP = """
version: 1
tables:
  part: {rows: 500, primary_key: partkey, columns: {partkey: {kind: sequence}}}
  supplier: {rows: 40, primary_key: suppkey, columns: {suppkey: {kind: sequence}}}
  partsupp:
    rows: {per: part, count: 4}
    primary_key: [partkey, suppkey]
    columns:
      partkey: {kind: ref, to: part.partkey}
      suppkey: {kind: ref, to: supplier.suppkey}
"""


def test_composite_key_with_a_random_ref_is_unique_per_parent():
    partsupp = rulegen.generate(PARTSUPP)["partsupp"]
    assert not partsupp.duplicated(["partkey", "suppkey"]).any()
    assert partsupp.groupby("partkey").suppkey.nunique().eq(4).all()
    assert partsupp.suppkey.nunique() == 40  # spread over every supplier, not the same four


def test_more_children_than_distinct_parents_is_a_spec_error():
    with pytest.raises(SpecError) as info:
        rulegen.compile(PARTSUPP.replace("count: 4", "count: 41"))
    assert [d.code for d in info.value.diagnostics] == ["RG310"]


AGGREGATES = """
version: 1
seed: 3
tables:
  orders:
    rows: 400
    primary_key: order_id
    columns:
      order_id: {kind: sequence}
      total: {kind: aggregate, of: lines.amount, fn: sum}
      lines: {kind: aggregate, of: lines.line_no, fn: count}
      smallest: {kind: aggregate, of: lines.amount, fn: min}
      largest: {kind: aggregate, of: lines.amount, fn: max}
      average: {kind: aggregate, of: lines.quantity, fn: mean}
      with_tax: {kind: expr, expr: "total * 2"}
  products:
    rows: 25
    primary_key: sku
    columns:
      sku: {kind: pattern, pattern: "[A-Z]{4}", unique: true}
      sold: {kind: aggregate, of: lines.quantity, fn: sum}
  lines:
    rows: {per: orders, kind: integers, low: 0, high: 4}
    columns:
      order_id: {kind: ref, to: orders.order_id}
      line_no: {kind: sequence, within: order_id}
      sku: {kind: ref, to: products.sku}
      quantity: {kind: poisson, lam: 2, shift: 1}
      amount: {kind: integers, low: 1, high: 1000}
"""


def test_aggregates_equal_the_reduction_of_the_children():
    data = rulegen.generate(AGGREGATES)
    orders, lines, products = data["orders"], data["lines"], data["products"]
    by_order = lines.groupby("order_id")
    index = orders.order_id
    assert (by_order.amount.sum().reindex(index, fill_value=0).to_numpy() == orders.total.to_numpy()).all()
    assert (by_order.size().reindex(index, fill_value=0).to_numpy() == orders.lines.to_numpy()).all()
    assert (orders.lines == 0).any(), "some orders have no lines: their sum and count are 0"
    assert orders.smallest.isna().eq(orders.lines == 0).all()
    assert (by_order.amount.min().reindex(index).dropna().to_numpy() == orders.smallest.dropna().to_numpy()).all()
    assert (by_order.amount.max().reindex(index).dropna().to_numpy() == orders.largest.dropna().to_numpy()).all()
    assert np.allclose(by_order.quantity.mean().reindex(index).dropna(), orders.average.dropna())
    assert (orders.with_tax == orders.total * 2).all()
    sold = lines.groupby("sku").quantity.sum().reindex(products.sku, fill_value=0)
    assert (sold.to_numpy() == products.sold.to_numpy()).all()


BUDGET = ("      with_tax: {kind: expr, expr: \"total * 2\"}\n",
          "      with_tax: {kind: expr, expr: \"total * 2\"}\n      budget: {kind: integers, low: 0, high: 5000}\n"
          "    constraints: [\"budget >= total\"]\n")


def test_a_constraint_may_read_an_aggregate():
    orders = rulegen.generate(AGGREGATES.replace(*BUDGET))["orders"]
    assert (orders.budget >= orders.total).all()
    assert orders.total.max() > 2500, "the constraint redraws budgets, not the lines"


def test_aggregated_data_checks_clean(tmp_path):
    rulegen.write(AGGREGATES, tmp_path, "parquet")
    assert rulegen.check(AGGREGATES, tmp_path).ok


@pytest.mark.parametrize(("change", "code"), [
    (("of: lines.amount, fn: sum", "of: lines.amont, fn: sum"), "RG212"),
    (("amount: {kind: integers, low: 1, high: 1000}", "amount: {kind: expr, expr: \"budget // 4\"}\n"
      "      budget: {kind: lookup, via: order_id, column: budget}"), "RG302"),
])
def test_aggregate_mistakes_are_spec_errors(change, code):
    old, new = change
    assert old in AGGREGATES
    with pytest.raises(SpecError) as info:
        rulegen.compile(AGGREGATES.replace(old, new).replace(*BUDGET))
    assert code in [d.code for d in info.value.diagnostics], info.value.render()


LINES_AND_RETURNS = """
version: 1
tables:
  lines:
    rows: 200
    primary_key: [order_id, line_no]
    columns:
      order_id: {kind: integers, low: 1, high: 60}
      line_no: {kind: sequence}
      price: {kind: uniform, low: 1, high: 9, round: 2}
  returns:
    rows: 500
    columns:
      order_id: {kind: ref, to: lines.order_id}
      line_no: {kind: lookup, via: order_id, column: line_no}
      price: {kind: lookup, via: order_id, column: price}
"""


def test_a_ref_to_part_of_a_composite_key_brings_a_whole_key():
    data = rulegen.generate(LINES_AND_RETURNS)
    lines, returns = data["lines"], data["returns"]
    matched = returns.merge(lines, on=["order_id", "line_no"], how="left", suffixes=("", "_line"))
    assert len(matched) == len(returns) and (matched.price == matched.price_line).all()


def test_a_ref_to_part_of_a_composite_key_needs_the_other_parts():
    spec = LINES_AND_RETURNS.replace("      line_no: {kind: lookup, via: order_id, column: line_no}\n", "")
    with pytest.raises(SpecError) as info:
        rulegen.compile(spec)
    [problem] = info.value.diagnostics
    assert problem.code == "RG218" and "part of the key (order_id, line_no)" in problem.message
    assert problem.hint == "add `line_no: {kind: lookup, via: order_id, column: line_no}`"


TWO_PARENTS = """
version: 1
tables:
  riders: {rows: 30, primary_key: id, columns: {id: {kind: sequence}, trips: {kind: aggregate, of: rides.ride_id,
           fn: count, via: rider_id}}}
  drivers: {rows: 12, primary_key: id, columns: {id: {kind: sequence}, trips: {kind: aggregate, of: rides.ride_id,
            fn: count, via: driver_id}}}
  rides:
    rows: 400
    primary_key: ride_id
    columns:
      ride_id: {kind: sequence}
      rider_id: {kind: ref, to: riders.id}
      driver_id: {kind: ref, to: drivers.id}
"""


def test_aggregates_of_the_same_name_on_two_parents_stay_apart():
    """Was: one cache entry for both `trips`, so drivers got the riders' counts."""
    data = rulegen.generate(TWO_PARENTS)
    rides = data["rides"]
    for parent, ref in (("riders", "rider_id"), ("drivers", "driver_id")):
        counts = rides[ref].value_counts().reindex(data[parent].id, fill_value=0)
        assert data[parent].trips.tolist() == counts.tolist(), parent


PERIODS = """
version: 1
tables:
  subscriptions:
    rows: 50
    primary_key: id
    columns:
      id: {kind: sequence}
      start: {kind: date, min: 2024-01-01, max: 2024-06-30}
      months: {kind: aggregate, of: invoices.invoice_id, fn: count}
      ends: {kind: expr, expr: "start + days(30 * months)"}
  invoices:
    rows: {per: subscriptions, kind: integers, low: 1, high: 6}
    primary_key: invoice_id
    columns:
      invoice_id: {kind: sequence}
      subscription_id: {kind: ref, to: subscriptions.id}
      ends: {kind: lookup, via: subscription_id, column: ends, hidden: true}
      issued: {kind: date, min: 2024-01-01, max: 2025-12-31}
    constraints: ["issued <= ends"]
"""


def test_a_constraint_on_a_lookup_of_an_aggregate_of_the_same_children_is_no_cycle():
    """Was: RG302. The row's own parent ref is fixed, so the constraint does not tie it to
    `issued`: the parent's count does not depend on the constrained columns."""
    invoices = rulegen.generate(PERIODS.replace("hidden: true", "hidden: false"))["invoices"]
    assert (pd.to_datetime(invoices.issued) <= pd.to_datetime(invoices.ends)).all()


def test_an_integer_sum_past_64_bits_stops_the_run_instead_of_wrapping() -> None:
    spec = """
version: 1
seed: 1
tables:
  p:
    rows: 3
    primary_key: id
    columns:
      id: {kind: sequence}
      total: {kind: aggregate, of: c.v, fn: sum}
  c:
    rows: {per: p, count: COUNT}
    columns:
      p_id: {kind: ref, to: p.id}
      v: {kind: integers, low: 4000000000000000000, high: 4611686018427387904}
"""
    fits = rulegen.generate(spec.replace("COUNT", "2"))
    children = fits["c"].groupby("p_id")["v"].apply(lambda v: sum(int(x) for x in v))
    assert [int(t) for t in fits["p"]["total"]] == [children[i] for i in fits["p"]["id"]]  # exact near 2**63
    with pytest.raises(rulegen.GenerationError) as caught:
        rulegen.generate(spec.replace("COUNT", "3"))
    assert caught.value.diagnostics[0].code == "RG410"
    assert "does not fit in a 64-bit integer" in caught.value.diagnostics[0].message
