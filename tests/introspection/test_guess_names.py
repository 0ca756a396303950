"""Column names in any case style are cut into words, and each name-driven guess reads them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rulegen.introspection.names import (
    flag_share,
    is_birth,
    is_money,
    is_year,
    number_hint,
    provider_for,
    rate_kind,
    snake,
    temporal_hint,
    words,
)


@pytest.mark.parametrize(("name", "expected"), [
    ("BillingCity", ("billing", "city")),
    ("unitPrice", ("unit", "price")),
    ("created_at", ("created", "at")),
    ("CustomerID", ("customer", "id")),
    ("first-name", ("first", "name")),
    ("URLPath", ("url", "path")),
    ("HTTPStatusCode", ("http", "status", "code")),
    ("address2", ("address", "2")),
    ("SHIP_POSTAL_CODE", ("ship", "postal", "code")),
    ("Ship Via", ("ship", "via")),
    ("ID", ("id",)),
    ("__EFMigrationsHistory", ("ef", "migrations", "history")),
])
def test_words_of_any_case_style(name, expected):
    assert words(name) == expected


@given(st.lists(st.sampled_from(["order", "date", "unit", "price", "customer", "id", "city"]), min_size=1,
                max_size=4))
def test_snake_camel_pascal_and_kebab_spellings_agree(parts):
    camel = parts[0] + "".join(p.title() for p in parts[1:])
    pascal = "".join(p.title() for p in parts)
    kebab = "-".join(parts)
    assert snake(camel) == snake(pascal) == snake(kebab) == snake("_".join(parts)) == "_".join(parts)


@pytest.mark.parametrize(("table", "column", "provider"), [
    ("Invoice", "BillingCity", "city"),
    ("Customer", "EMail", "email"),
    ("Customer", "PostalCode", "postcode"),
    ("Orders", "ShipPostalCode", "postcode"),
    ("Customers", "ContactName", "name"),
    ("Customers", "ContactTitle", "job"),
    ("Customers", "CompanyName", "company"),
    ("Employees", "HomePhone", "phone_number"),
    ("Suppliers", "HomePage", "url"),
    ("Customer", "FirstName", "first_name"),
    ("artist", "Name", "name"),
    ("Track", "Composer", "name"),
    ("staff", "username", "user_name"),
])
def test_providers_from_names_in_any_style(table, column, provider):
    found = provider_for(table, column)
    assert found is not None and found[0].provider == provider


def test_years():
    assert all(is_year(n) for n in ["year", "release_year", "ReleaseYear", "year_of_birth", "modelYear", "YEAR"])
    assert not any(is_year(n) for n in ["years_of_service", "yearly_total", "yearning"])
    assert number_hint("release_year", 2025) == ((1995, 2025), True)
    assert number_hint("BirthYear", 2025) == ((1940, 2007), True)


def test_flags():
    assert flag_share("active") == flag_share("IsActive") == flag_share("is_active") == 0.9
    assert flag_share("Discontinued") == flag_share("is_deleted") == 0.1
    assert flag_share("has_children") == flag_share("vip_flag") == flag_share("canEdit") == 0.5
    assert flag_share("activity") is None and flag_share("hash") is None and flag_share("island") is None


def test_rates_and_money():
    assert rate_kind("Discount") == rate_kind("tax_rate") == rate_kind("conversionRatio") == "rate"
    assert rate_kind("discount_pct") == rate_kind("PercentComplete") == "percent"
    assert rate_kind("rental_rate") is None and rate_kind("HourlyRate") is None  # money
    assert is_money("rental_rate") and is_money("UnitPrice") and is_money("Freight") and is_money("total")
    assert not is_money("quantity")


def test_dates_and_births():
    assert temporal_hint("InvoiceDate") == "date" and temporal_hint("createdAt") == "timestamp"
    assert temporal_hint("LastUpdate") == "timestamp"
    assert is_birth("BirthDate") and is_birth("dob") and not is_birth("hire_date")
