"""What a column's name says: the Faker provider of a text column, the range of a number,
whether a text or untyped column holds dates.

Names are matched in lower case against the end of the column name, after an underscore or
at the start: ``email``, ``customer_email`` and ``contact_email`` all get an email. A bare
``name`` or ``title`` takes its meaning from the table (a customer's name, a company's name).
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["PROVIDERS", "Provider", "is_birth", "number_hint", "provider_for", "temporal_hint"]


class Provider(NamedTuple):
    """A Faker provider for a name pattern, the longest value it makes (en_US, with margin) and
    whether it makes enough distinct values to fill a unique column."""

    pattern: str
    provider: str
    longest: int
    many: bool


# Most specific first: the first pattern that matches the end of the name wins.
PROVIDERS = [
    Provider(r"e_?mail(_?address)?", "email", 40, True),
    Provider(r"first_?name|given_?name|forename", "first_name", 15, False),
    Provider(r"last_?name|surname|family_?name", "last_name", 15, False),
    Provider(r"full_?name|display_?name|contact_?name|customer_?name|person_?name|employee_?name", "name", 32,
             True),
    Provider(r"user_?name|login|handle|nick_?name|screen_?name", "user_name", 24, True),
    Provider(r"company(_?name)?|employer|organi[sz]ation(_?name)?|supplier_?name|vendor_?name", "company", 40,
             False),
    Provider(r"job(_?title)?|occupation|profession", "job", 70, False),
    Provider(r"(tele)?phone(_?(number|no))?|mobile(_?(number|no))?|cell_?phone|fax", "phone_number", 25, True),
    Provider(r"(street_?)?address(_?line_?1)?|street", "street_address", 42, True),
    Provider(r"city|town", "city", 30, False),
    Provider(r"(zip|postal|post)_?code|zip", "postcode", 10, False),
    Provider(r"country_?(code|iso)", "country_code", 2, False),
    Provider(r"country(_?name)?", "country", 60, False),
    Provider(r"province|state_?name", "state", 15, False),
    Provider(r"url|uri|website|web_?site|homepage|link", "url", 45, True),
    Provider(r"domain(_?name)?|host_?name", "domain_name", 30, True),
    Provider(r"ip(_?addr(ess)?)?|ipv4", "ipv4", 15, True),
    Provider(r"mac(_?addr(ess)?)?", "mac_address", 17, True),
    Provider(r"iban", "iban", 34, True),
    Provider(r"(credit_?)?card_?(number|no)|cc_?number", "credit_card_number", 19, True),
    Provider(r"currency(_?code)?", "currency_code", 3, False),
    Provider(r"colou?r(_?name)?", "color_name", 20, False),
    Provider(r"language", "language_name", 20, False),
    Provider(r"time_?zone", "timezone", 32, False),
    Provider(r"user_?agent", "user_agent", 200, True),
    Provider(r"ssn", "ssn", 11, True),
    Provider(r"licen[cs]e_?plate", "license_plate", 10, True),
    Provider(r"password(_?hash)?|pass_?hash|api_?key|secret|token", "sha256", 64, True),
    Provider(r"slug", "slug", 30, True),
    Provider(r"isbn(_?13)?", "isbn13", 17, True),
    Provider(r"description|comments?|notes?|remarks?|summary|bio|message|content|body|text|subject|headline",
             "sentence", 90, True),
]

_PEOPLE = re.compile(r"(users?|customers?|employees?|persons?|people|members?|authors?|students?|contacts?|"
                     r"clients?|staff|patients?|owners?|managers?|drivers?|teachers?|players?|accounts?)$")
_COMPANIES = re.compile(r"(compan(y|ies)|suppliers?|vendors?|manufacturers?|organi[sz]ations?|brands?|"
                        r"publishers?|merchants?|partners?|stores?|shops?)$")
_BY_TABLE = [(_PEOPLE, PROVIDERS[3]), (_COMPANIES, PROVIDERS[5]),
             (re.compile(r"(city|cities)$"), PROVIDERS[9]), (re.compile(r"countr(y|ies)$"), PROVIDERS[12])]
_FALLBACK_NAME = Provider("name", "catch_phrase", 70, True)
_TITLE = Provider("title", "sentence", 90, True)


def _ends(name: str, pattern: str) -> bool:
    return re.search(rf"(?:^|_)(?:{pattern})$", name) is not None


def provider_for(table: str, column: str) -> tuple[Provider, str | None] | None:
    """The Faker provider a text column's name asks for, with a note when it is a looser guess
    (a bare ``name`` or ``title``); None when the name says nothing."""
    name = column.lower()
    if name == "name":
        found = next((p for rx, p in _BY_TABLE if rx.search(table.lower())), None)
        if found is not None:
            return found, f"the name of one of the {table}"
        return _FALLBACK_NAME, "a guess for a bare `name`"
    if name == "title":
        return _TITLE, "a guess for a bare `title`"
    found = next((p for p in PROVIDERS if _ends(name, p.pattern)), None)
    return (found, None) if found else None


def number_hint(column: str, year: int) -> tuple[float, float] | None:
    """A (low, high) range that a number column's name suggests."""
    name = column.lower()
    if re.match(r"(num|number_of|count)_", name):
        return 0, 100
    for pattern, bounds in [
        (r"age", (18, 90)), (r"year", (year - 30, year)), (r"quantity|qty", (1, 10)), (r"count", (0, 100)),
        (r"lat(itude)?", (-90, 90)), (r"lng|lon(gitude)?", (-180, 180)), (r"percent(age)?|pct", (0, 100)),
        (r"rating|stars", (1, 5)), (r"score", (0, 100)),
        (r"price|amount|total|cost|balance|salary|fee|revenue|subtotal|tax|discount|wage", (1, 1000)),
    ]:
        if _ends(name, pattern):
            return bounds
    return None


def temporal_hint(column: str) -> str | None:
    """``date`` or ``timestamp`` when a text (or untyped) column's name says it holds one."""
    name = column.lower()
    if _ends(name, r"birth_?date|date_of_birth|dob|birthday|date|day|.*_on"):
        return "date"
    if _ends(name, r".*_at|timestamp|.*_time|datetime|created|updated|modified"):
        return "timestamp"
    return None


def is_birth(column: str) -> bool:
    """Whether a date column is a birth date (adults: 18 to 85 years ago)."""
    return re.search(r"birth|dob", column.lower()) is not None
