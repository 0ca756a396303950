"""The pieces of `rulegen infer`: distribution fits, histograms, categories, patterns, Faker
detection, dates, keys and relations, correlations, and edge cases of whole files."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import yaml

import rulegen
from rulegen.fidelity.correlate import correlations, positive_definite
from rulegen.fidelity.dates import fit_dates
from rulegen.fidelity.fit import MAX_KS, fit_count_law, fit_numeric, histogram
from rulegen.fidelity.infer import infer
from rulegen.fidelity.profile import profile_column
from rulegen.fidelity.relations import parent_first, sequence_within, singular
from rulegen.fidelity.render import yaml_scalar
from rulegen.fidelity.text import OTHER, categories, derive_pattern, faker_provider
from rulegen.spec.loader import load_document


def rng(seed: int = 2024) -> np.random.Generator:
    return np.random.default_rng(seed)


def _column(spec: dict, n: int = 20_000, seed: int = 1) -> np.ndarray:
    """Values rulegen generates for one column spec."""
    text = yaml.safe_dump({"version": 1, "tables": {"t": {"rows": n, "columns": {"x": spec}}}})
    return rulegen.generate(text, seed=seed)["t"]["x"].to_numpy()


# --- numeric laws: parameters in NumPy's names, as rulegen draws them ---------------------------
@pytest.mark.parametrize("draw, kind, params", [
    (lambda: rng().normal(50, 5, 4000), "normal", {"loc": 50, "scale": 5}),
    (lambda: rng().gamma(3.0, 2.0, 4000), "gamma", {"shape": 3.0, "scale": 2.0}),
    (lambda: rng().lognormal(1.0, 0.4, 4000), "lognormal", {"mean": 1.0, "sigma": 0.4}),
    (lambda: rng().exponential(7.0, 4000), "exponential", {"scale": 7.0}),
    (lambda: rng().beta(2.0, 5.0, 4000), "beta", {"a": 2.0, "b": 5.0}),
])
def test_continuous_families_recover_their_parameters(draw, kind, params):
    fit = fit_numeric(draw(), integer=False)
    assert fit.spec["kind"] == kind and fit.ks <= MAX_KS
    for name, value in params.items():
        assert fit.spec[name] == pytest.approx(value, rel=0.1)


@pytest.mark.parametrize("values, kind", [
    (rng().poisson(4.0, 5000), "poisson"),
    (rng().negative_binomial(2, 0.3, 5000), "negative_binomial"),
    (rng().poisson(1.0, 5000) + 1, "poisson"),
    (rng().integers(3, 9, 5000, endpoint=True), "integers"),
])
def test_integer_families(values, kind):
    fit = fit_numeric(values, integer=True)
    assert fit.spec["kind"] == kind and fit.tv is not None and fit.tv < 0.03
    generated = _column(fit.spec)
    assert generated.min() >= values.min() and generated.max() <= values.max()


def test_shifted_counts_get_a_shift():
    fit = fit_numeric(rng().poisson(2.0, 5000) + 10, integer=True)
    assert fit.spec["kind"] == "poisson" and fit.spec["shift"] == 10


def test_a_bimodal_column_gets_a_histogram_that_follows_it():
    values = np.round(np.concatenate([rng(1).normal(0, 1, 3000), rng(2).normal(8, 1, 2000)]), 2)
    fit = fit_numeric(values, integer=False, decimals=2)
    assert fit.spec["kind"] == "histogram" and fit.spec["round"] == 2 and "no law fits" in fit.note
    generated = _column(fit.spec)
    from scipy.stats import ks_2samp

    assert ks_2samp(values, generated).statistic < 0.05
    assert min(fit.spec["weights"]) >= 5 or 0 in fit.spec["weights"]


def test_histogram_bins_hold_enough_values_and_heavy_values_alone():
    values = np.concatenate([np.full(300, 7), rng().integers(0, 100, 700)])
    fit = histogram(values, integer=True)
    edges, weights = fit.spec["edges"], fit.spec["weights"]
    assert weights[edges.index(7)] == (values == 7).sum() and edges[edges.index(7) + 1] == 8
    assert all(w >= 5 for w in weights if w)
    assert fit.ks < 0.05


def test_truncate_keeps_the_observed_range():
    values = np.clip(rng().normal(10, 3, 5000), 5, None)  # a floor at 5
    values = values[values > 5]
    fit = fit_numeric(values, integer=False)
    generated = _column(fit.spec)
    assert generated.min() >= values.min() - 1e-9


def test_count_laws():
    assert fit_count_law(np.full(50, 3)) == ({"count": 3}, "every parent row has 3")
    law, _ = fit_count_law(rng().poisson(3.0, 2000))
    assert law["kind"] == "poisson" and law["lam"] == pytest.approx(3.0, rel=0.05)


# --- categories, patterns, Faker ---------------------------------------------------------------
def test_rare_categories_are_folded_or_dropped():
    values = np.array(["a"] * 60 + ["b"] * 38 + ["rare1", "rare2"], dtype=object)
    folded, note = categories(values, allow_values=False, fold=True)
    assert folded == {"a": 60, "b": 38, OTHER: 2} and "folded" in note
    dropped, note = categories(values, allow_values=False, fold=False)
    assert dropped == {"a": 60, "b": 38} and "spread" in note
    kept, _ = categories(values, allow_values=True, fold=True)
    assert kept["rare1"] == 1


@pytest.mark.parametrize("values, pattern", [
    ([f"SKU-{n:05d}" for n in rng().integers(0, 100_000, 200)], "SKU-[0-9]{5}"),
    ([f"{a}{b}-{n}" for a, b, n in zip("ABCDEFGH" * 25, "XYZW" * 50, rng().integers(1000, 10_000, 200), strict=True)],
     "[A-Z]{2}-[0-9]{4}"),
    ([f"{n:05d}" for n in rng().integers(0, 100_000, 200)], "[0-9]{5}"),
    ([f"ab{n}" for n in [*range(100, 1000, 3), *range(1000, 10_000, 30)]], "ab[0-9]{3,4}"),
])
def test_codes_become_patterns(values, pattern):
    found = derive_pattern(values, allow_values=False)
    assert found is not None and found[0] == pattern
    generated = _column({"kind": "pattern", "pattern": found[0]}, n=100)
    assert all(len(v) <= max(map(len, values)) for v in generated)


def test_free_text_is_not_a_pattern():
    texts = [" ".join(rng().choice(["the", "parcel", "was", "late", "again", "and", "damaged"], 8)) for _ in range(50)]
    assert derive_pattern(texts, allow_values=False) is None


def test_a_rare_shape_is_not_written_literally():
    values = [f"C-{n:04d}" for n in rng().integers(0, 10_000, 500)] + ["X-1"] * 2
    pattern, note = derive_pattern(values, allow_values=False)
    assert pattern == "C-[0-9]{4}" and "99.6%" in note


def test_faker_needs_the_name_and_the_shape():
    emails = ["ann.lee@example.com", "bo@mail.org"] * 10
    assert faker_provider("email", "users", emails) == "email"
    assert faker_provider("contact_email", "users", emails) == "email"
    assert faker_provider("email", "users", ["not an email"] * 20) is None
    assert faker_provider("notes", "users", emails) is None
    assert faker_provider("name", "customers", ["Ann Lee", "Bo Diddley"] * 10) == "name"
    assert faker_provider("name", "suppliers", ["Acme Corp", "Globex"] * 10) == "company"
    assert faker_provider("city", "t", ["Paris", "Lyon"] * 10, shared=True) == "city"


def test_a_few_jobs_or_employers_repeated_stay_categories(tmp_path):
    jobs = ["Service_Workers", "Craftsmen, Foremen_and_kindred", "Laborers_and_farmers"]
    unique = [f"{title} {n}" for n, title in enumerate(["Engineer, civil", "Nurse, adult"] * 30)]
    pd.DataFrame({"occupation": jobs * 20, "company": ["Acme", "Globex", "Initech", "Umbrella"] * 15,
                  "job": unique}).to_csv(tmp_path / "workers.csv", index=False)
    columns = yaml.safe_load(infer(tmp_path / "workers.csv"))["tables"]["workers"]["columns"]
    assert columns["occupation"] == {"kind": "choice", "values": dict.fromkeys(sorted(jobs), 20)}
    assert columns["company"] == {"kind": "choice",
                                  "values": dict.fromkeys(["Acme", "Globex", "Initech", "Umbrella"], 15)}
    assert columns["job"] == {"kind": "faker", "provider": "job"}


# --- dates -------------------------------------------------------------------------------------
def _days(start: datetime.date, end: datetime.date, rates: np.ndarray, n: int, growth: float = 0.0) -> np.ndarray:
    days = pd.date_range(start, end, freq="D")
    years = np.asarray((days - days[0]).days) / 365.25
    weights = rates[np.asarray(days.day_of_week)] * (1 + growth) ** years
    picked = rng().choice(len(days), size=n, p=weights / weights.sum())
    return ((days[picked] - pd.Timestamp("1970-01-01")).days).to_numpy()


def test_dates_show_weekly_seasonality_and_trend():
    rates = np.array([1, 1, 1, 1, 1, 0.3, 0.3])
    spec, _ = fit_dates(_days(datetime.date(2020, 1, 1), datetime.date(2023, 12, 31), rates, 20_000, 0.5),
                            timestamp=False)
    assert spec["kind"] == "date" and spec["min"] == "2020-01-01" and spec["max"] == "2023-12-31"
    weekly = np.array(spec["seasonality"]["weekly"])
    assert weekly[5:].max() < 0.5 < weekly[:5].min()
    assert spec["trend"]["growth"] == pytest.approx(0.5, abs=0.1)
    assert "yearly" not in spec["seasonality"]


def test_uniform_dates_have_no_seasonality():
    spec, _ = fit_dates(_days(datetime.date(2021, 1, 1), datetime.date(2022, 12, 31), np.ones(7), 5000),
                        timestamp=False)
    assert "seasonality" not in spec and "trend" not in spec


def test_timestamps_at_midnight_have_day_precision():
    seconds = _days(datetime.date(2024, 1, 1), datetime.date(2024, 3, 31), np.ones(7), 500) * 86_400
    spec, _ = fit_dates(seconds, timestamp=True)
    assert spec["kind"] == "timestamp" and spec["precision"] == "day"


# --- keys, relations, correlations, rendering --------------------------------------------------
def test_names():
    assert [singular(t) for t in ("customers", "categories", "addresses", "boxes", "staff")] == \
           ["customer", "category", "address", "box", "staff"]


def test_sequences_within_a_parent():
    parents = np.array([3, 1, 1, 3, 2, 1])
    assert sequence_within(parents, np.array([1, 1, 2, 2, 1, 3])) == 1
    assert sequence_within(parents, np.array([1, 1, 2, 3, 1, 3])) is None


def test_parents_come_first():
    from rulegen.fidelity.relations import Link

    links = [Link("lines", "order_id", "orders", "id", True, 1.0), Link("orders", "cid", "customers", "id", True, 1.0)]
    assert parent_first(["lines", "orders", "customers", "other"], links) == ["customers", "orders", "lines", "other"]


def test_correlations_make_a_copula():
    draw = rng()
    x = draw.normal(size=2000)
    columns = {"a": x, "b": x + draw.normal(scale=0.5, size=2000), "c": draw.normal(size=2000),
               "d": -x + draw.normal(scale=2, size=2000)}
    pairs, note = correlations(columns)
    assert {(a, b) for a, b, _ in pairs} >= {("a", "b"), ("a", "d")}
    assert positive_definite(pairs) and "0.3" in note
    assert not positive_definite([("a", "b", 0.95), ("b", "c", 0.95), ("a", "c", -0.95)])


@pytest.mark.parametrize("value", ["(other)", "007", "true", "no", "a: b", 1.0e-7, 3, 2.5, None, True, "2024-01-01",
                                   np.float64(0.25), np.int64(4)])
def test_scalars_read_back(value):
    data, _ = load_document(f"key: {yaml_scalar(value)}\n")
    expected = value.item() if isinstance(value, np.generic) else value
    assert data["key"] == expected or str(data["key"]) == expected


def test_profiles_of_odd_columns():
    assert profile_column("x", pa.chunked_array([[1.0, 2.0, None, float("nan")]])).category == "integer"
    profile = profile_column("x", pa.chunked_array([["a", None]], type=pa.dictionary(pa.int8(), pa.string())))
    assert profile.category == "string" and profile.nulls == 1


def test_awkward_tables(tmp_path):
    pd.DataFrame({"empty": [None] * 6, "same": [4] * 6, "flag": [True, False] * 3,
                  "at": pd.to_datetime(["2024-01-01 10:00"] * 6, utc=True).tz_convert("Europe/Berlin"),
                  "n": [1, 2, 3, 4, 5, 6]}).to_parquet(tmp_path / "odd.parquet")
    pd.DataFrame({"a": [], "b": []}).to_csv(tmp_path / "nothing.csv", index=False)
    text = infer(tmp_path)
    rulegen.compile(text)
    columns = yaml.safe_load(text)["tables"]["odd"]["columns"]
    assert columns["empty"] == {"kind": "constant", "value": None}
    assert columns["same"] == {"kind": "constant", "value": 4}
    assert columns["flag"] == {"kind": "bool", "p": 0.5}
    assert columns["at"]["tz"] == "Europe/Berlin"


def test_dates_written_as_text_are_written_so_again(tmp_path):
    quarters = [f"{year} Q{q}" for year in range(1998, 2010) for q in range(1, 5)]
    months = [f"{year} {month}" for year in range(2001, 2005) for month in
              ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")]
    pd.DataFrame({"day": ["31.01.2024", "01.02.2024", "15.03.2024", None] * 12, "quarter": quarters,
                  "month": months, "week": [f"1991 W{w:02d}" for w in range(1, 49)],
                  "us": ["01/05/2024", "12/31/2023", "07/04/2024", "02/29/2024"] * 12,
                  "loose": ["1/5/2024", "12/31/2023"] * 24}).to_csv(tmp_path / "t.csv", index=False)
    text = infer(tmp_path / "t.csv")
    columns = yaml.safe_load(text)["tables"]["t"]["columns"]
    assert columns["day"] == {"kind": "expr", "expr": "strftime(day_date, '%d.%m.%Y')"}
    assert columns["day_date"]["min"] == datetime.date(2024, 1, 31) and columns["day_date"]["hidden"]
    assert columns["quarter"] == {"kind": "expr", "expr": "strftime(quarter_date, '%Y Q%q')"}
    assert columns["month"] == {"kind": "expr", "expr": "strftime(month_date, '%Y %b')"}
    assert columns["week"] == {"kind": "expr", "expr": "strftime(week_date, '%G W%V')"}
    assert columns["us"] == {"kind": "expr", "expr": "strftime(us_date, '%m/%d/%Y')"}
    assert columns["loose"]["kind"] == "date"  # no format writes 1/5/2024 back: a date, as ISO
    made = rulegen.generate(text, seed=1)["t"]
    assert made["quarter"].str.fullmatch(r"(199[89]|200\d) Q[1-4]").all()
    assert made["month"].str.fullmatch(r"200[1-4] [A-Z][a-z]{2}").all()
    assert made["week"].str.fullmatch(r"1991 W\d\d").all()
    assert made["day"].isna().mean() > 0.1 and made["day"].dropna().str.fullmatch(r"\d\d\.0[1-3]\.2024").all()
