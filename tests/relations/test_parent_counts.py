"""Rows that depend on their parent: ``rows: {per: P, count: EXPRESSION}`` over the parent row."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rulegen
from rulegen.errors import GenerationError, SpecError
from rulegen.plan.compiler import compile_spec

LIBRARY = """
version: 1
seed: 7
tables:
  members:
    rows: 400
    primary_key: member_id
    columns:
      member_id: {kind: sequence}
      tier: {kind: choice, values: {basic: 3, premium: 1}}
  loans:
    rows: {per: members, kind: poisson, lam: 3}
    primary_key: loan_id
    columns:
      loan_id: {kind: sequence}
      member_id: {kind: ref, to: members.member_id}
      borrowed_on: {kind: date, min: 2024-01-01, max: 2024-06-30}
      due_on: {kind: date, after: borrowed_on, delay: {kind: uniform, low: 14d, high: 21d}}
      returned_at: {kind: timestamp, after: borrowed_on, delay: {kind: exponential, scale: 12d}, null: 0.1}
  fines:
    rows: {per: loans, count: "if(is_null(returned_at) or date(returned_at) <= due_on, 0, 1)"}
    primary_key: fine_id
    columns:
      fine_id: {kind: sequence}
      loan_id: {kind: ref, to: loans.loan_id}
"""


def _late(loans: pd.DataFrame) -> pd.Series:
    returned = pd.to_datetime(loans["returned_at"]).dt.normalize()
    return returned.notna() & (returned > pd.to_datetime(loans["due_on"]))


def test_a_fine_for_each_late_return_and_none_other() -> None:
    data = rulegen.generate(rulegen.load(LIBRARY))
    loans, fines = data["loans"], data["fines"]
    late = set(loans.loc[_late(loans), "loan_id"])
    assert 0 < len(late) < len(loans), "some returns are late, not all"
    assert fines["loan_id"].is_unique, "a late return has exactly one fine"
    assert set(fines["loan_id"]) == late, "every fine belongs to a late return, and every late return has one"


def test_counts_read_the_parent_row_through_a_chain_of_counts() -> None:
    """A count may read a parent that is itself counted by an expression (three passes)."""
    spec = LIBRARY + """
  reminders:
    rows: {per: fines, count: "fine_id % 3"}
    columns:
      fine_id: {kind: ref, to: fines.fine_id}
"""
    data = rulegen.generate(rulegen.load(spec))
    expected = data["fines"]["fine_id"] % 3
    got = data["reminders"]["fine_id"].value_counts().reindex(data["fines"]["fine_id"], fill_value=0)
    assert (got.to_numpy() == expected.to_numpy()).all()


def test_validate_estimates_and_names_the_rows() -> None:
    plan = compile_spec(rulegen.load(LIBRARY), draw_counts=False)
    exact = compile_spec(rulegen.load(LIBRARY))
    # One parent block holds every loan here: the estimate is the count itself.
    assert plan.tables["fines"].rows == exact.tables["fines"].rows > 0


def test_a_large_estimated_parent_is_sized_without_drawing_its_children() -> None:
    spec = LIBRARY.replace("rows: 400", "rows: 2000000000")
    plan = compile_spec(rulegen.load(spec), draw_counts=False)
    assert plan.tables["loans"].estimated and plan.tables["fines"].estimated


def test_the_run_budget_refuses_counts_past_it() -> None:
    with pytest.raises(SpecError) as info:
        rulegen.compile(rulegen.load(LIBRARY.replace("rows: 400", "rows: 200000")), max_bytes=2_000_000)
    assert "RG" in str(info.value) and "bytes" in str(info.value)


def test_a_negative_count_names_the_parent_row() -> None:
    spec = LIBRARY.replace('"if(is_null(returned_at) or date(returned_at) <= due_on, 0, 1)"', '"5 - loan_id"')
    with pytest.raises(GenerationError) as info:
        rulegen.generate(rulegen.load(spec))
    (problem,) = info.value.diagnostics
    assert problem.code == "RG342"
    assert "row 5 of `loans` gets -1 rows" in problem.message  # loan_id 6: rows count from 0
    assert problem.pointer == "/tables/fines/rows/count"


FINED = LIBRARY.replace("      member_id: {kind: ref, to: members.member_id}\n",
                        "      member_id: {kind: ref, to: members.member_id}\n"
                        "      fined: {kind: aggregate, of: fines.fine_id, fn: count}\n")


def test_a_parent_may_aggregate_children_whose_counts_read_its_other_columns(tmp_path: Path) -> None:
    """The counts read the loan's dates; the loan's `fined` counts its fines: made from a plan of
    the loan without `fined`, then the whole plan, the two agree row for row."""
    one = rulegen.write(FINED, tmp_path / "one", "parquet", workers=1)
    two = rulegen.write(FINED, tmp_path / "two", "parquet", workers=2)
    assert all(one[t].read_bytes() == two[t].read_bytes() for t in one)
    loans, fines = pd.read_parquet(one["loans"]), pd.read_parquet(one["fines"])
    per_loan = fines.groupby("loan_id").size().reindex(loans["loan_id"], fill_value=0).to_numpy()
    assert (per_loan == loans["fined"].to_numpy()).all() and 0 < per_loan.sum() < len(loans)
    assert rulegen.check(FINED, tmp_path / "one").ok


_FINES_ROWS = 'rows: {per: loans, count: "if(is_null(returned_at) or date(returned_at) <= due_on, 0, 1)"}'
_LOANS_KEY = "    primary_key: loan_id\n"


@pytest.mark.parametrize(("spec", "says"), [
    (FINED.replace(_FINES_ROWS, 'rows: {per: loans, count: "if(fined > 0, 0, 1)"}'),
     "counts its rows from `fined` of `loans`, which reads `fines`"),
    # a constraint of the parent: its redraws would depend on `fined`
    (FINED.replace(_LOANS_KEY, _LOANS_KEY + '    constraints:\n      - "due_on >= borrowed_on"\n'), "has constraints"),
])
def test_a_count_that_needs_what_reads_its_children_is_refused(spec: str, says: str) -> None:
    with pytest.raises(SpecError) as info:
        compile_spec(rulegen.load(spec))
    assert [d.code for d in info.value.diagnostics] == ["RG341"]
    assert says in info.value.diagnostics[0].message


def test_check_recomputes_the_counts(tmp_path: Path) -> None:
    spec = rulegen.load(LIBRARY)
    rulegen.write(spec, tmp_path, "csv")
    assert rulegen.check(spec, tmp_path).ok
    fines = tmp_path / "fines.csv"
    lines = fines.read_text().splitlines(keepends=True)
    fines.write_text("".join(lines[:-1]))
    report = rulegen.check(spec, tmp_path)
    assert not report.ok
    assert report.find("fines", rule="rows")


def test_the_same_rows_for_any_worker_count() -> None:
    spec = rulegen.load(LIBRARY)
    one = rulegen.generate(spec, workers=1)["fines"]
    two = rulegen.generate(spec, workers=2)["fines"]
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert np.array_equal(one["fine_id"], np.arange(1, len(one) + 1))


TIERS = """
version: 1
seed: 3
tables:
  members:
    rows: 3000
    primary_key: member_id
    columns:
      member_id: {kind: sequence}
      tier: {kind: choice, values: {basic: 3, premium: 1}}
  loans:
    rows: {per: members, kind: poisson, lam: "if(tier == 'premium', 8, 4)", shift: 1}
    columns:
      member_id: {kind: ref, to: members.member_id}
"""


def test_a_law_parameter_from_the_parent_row() -> None:
    data = rulegen.generate(rulegen.load(TIERS))
    members = data["members"].set_index("member_id")
    counts = data["loans"]["member_id"].value_counts().reindex(members.index, fill_value=0)
    means = counts.groupby(members["tier"]).mean()
    assert counts.min() >= 1, "shift moves every count"
    assert abs(means["basic"] - 5) < 0.2 and abs(means["premium"] - 9) < 0.4


def test_a_parameter_outside_the_law_names_the_parent_row() -> None:
    spec = TIERS.replace("\"if(tier == 'premium', 8, 4)\"", '"if(member_id == 7, -1, 4)"')
    with pytest.raises(GenerationError) as info:
        rulegen.generate(rulegen.load(spec))
    (problem,) = info.value.diagnostics
    assert problem.code == "RG344" and "row 6 of `members`" in problem.message and "lam=-1" in problem.message
    assert problem.pointer == "/tables/loans/rows/lam"


def test_a_law_parameter_reads_only_the_parent_columns() -> None:
    spec = TIERS.replace("if(tier == 'premium', 8, 4)", "if(plan == 'premium', 8, 4)")
    with pytest.raises(SpecError) as info:
        compile_spec(rulegen.load(spec), draw_counts=False)
    (problem,) = info.value.diagnostics
    assert problem.code == "RG222" and problem.pointer == "/tables/loans/rows/lam"
    assert "`plan`" in problem.message and "columns of `members`" in problem.message
