"""What a column's name says: the Faker provider of a text column, the range of a number,
whether a column is a year, a flag, a rate or an amount, whether a text column holds dates.

Names are first cut into lower-case words, whatever their case style (:func:`words`):
``BillingCity``, ``billing_city``, ``billingCity`` and ``billing-city`` are all
``billing_city``, and ``CustomerID`` is ``customer_id``. Patterns are then matched against the
end of that snake-case form, after an underscore or at the start: ``email``,
``customer_email`` and ``ContactEmail`` all get an email. A bare ``name`` or ``title`` takes its
meaning from the table (a customer's name, a company's name).
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["PROVIDERS", "Provider", "flag_share", "is_birth", "is_money", "is_year", "number_hint", "provider_for",
           "rate_kind", "snake", "temporal_hint", "words"]


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
    Provider(r"first_?name|given_?name|forename|f_?name", "first_name", 15, False),
    Provider(r"last_?name|surname|family_?name|l_?name", "last_name", 15, False),
    Provider(r"full_?name|display_?name|contact_?name|customer_?name|person_?name|employee_?name|composer|author|"
             r"ship_?name|recipient(_?name)?|owner_?name|head_of_state|(passenger|guest|patient|student|member|"
             r"client|driver|travell?er|tenant|reviewer|holder|applicant)_?name", "name", 32, True),
    Provider(r"user_?name|login|handle|nick_?name|screen_?name", "user_name", 24, True),
    Provider(r"company(_?name)?|employer|organi[sz]ation(_?name)?|supplier_?name|vendor_?name", "company", 40,
             False),
    Provider(r"job(_?title)?|occupation|profession|contact_?title|position", "job", 70, False),
    Provider(r"(tele)?phone(_?(number|no))?|mobile(_?(number|no))?|cell_?phone|fax", "phone_number", 25, True),
    Provider(r"address_?(line_?)?2|apartment|apt|suite", "secondary_address", 10, False),
    Provider(r"(street_?)?address(_?line)?(_?1)?|street", "street_address", 42, True),
    Provider(r"city|town", "city", 30, False),
    Provider(r"(zip|postal|post)_?code|zip", "postcode", 10, False),
    Provider(r"country_?(code|iso)", "country_code", 2, False),
    Provider(r"country(_?name)?", "country", 60, False),
    Provider(r"province|state(_?name)?|region|district|county", "state", 15, False),
    Provider(r"url|uri|website|web_?site|home_?page|link|photo_?path|image_?url", "url", 45, True),
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
    Provider(r"ssn|social_?security(_?number)?", "ssn", 11, True),
    Provider(r"licen[cs]e_?plate", "license_plate", 10, True),
    Provider(r"password(_?hash)?|pass_?hash|api_?key|secret|token", "sha256", 64, True),
    Provider(r"slug", "slug", 30, True),
    Provider(r"isbn(_?13)?", "isbn13", 17, True),
    Provider(r"description|comments?|notes?|remarks?|summary|bio|message|content|body|text|subject|headline",
             "sentence", 90, True),
]

_PEOPLE = re.compile(r"(users?|customers?|employees?|persons?|people|members?|authors?|students?|contacts?|"
                     r"clients?|staff|patients?|owners?|managers?|drivers?|teachers?|players?|accounts?|artists?|"
                     r"actors?|composers?|performers?|singers?|musicians?|writers?|shippers?|guests?|travell?ers?|"
                     r"passengers?|tenants?|buyers?|sellers?|borrowers?|readers?|listeners?|subscribers?)$")
_COMPANIES = re.compile(r"(compan(y|ies)|suppliers?|vendors?|manufacturers?|organi[sz]ations?|brands?|"
                        r"publishers?|merchants?|partners?|stores?|shops?)$")
_NAMED = {p.provider: p for p in PROVIDERS}
_BY_TABLE = [(_PEOPLE, _NAMED["name"]), (_COMPANIES, _NAMED["company"]),
             (re.compile(r"(city|cities)$"), _NAMED["city"]), (re.compile(r"countr(y|ies)$"), _NAMED["country"])]
_FALLBACK_NAME = Provider("name", "catch_phrase", 70, True)
_TITLE = Provider("title", "sentence", 90, True)

# An acronym before a capitalised word (URLPath: URL, Path), a capitalised or lower-case word,
# an acronym at the end (CustomerID: ID), or a number.
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def words(name: str) -> tuple[str, ...]:
    """The lower-case words of a column name in any case style (``BillingCity``, ``unitPrice``,
    ``created_at``, ``CustomerID``, ``first-name``, ``URLPath``)."""
    return tuple(w.lower() for w in _WORD.findall(name))


def snake(name: str) -> str:
    """``name`` in lower snake case (``ShipPostalCode`` -> ``ship_postal_code``)."""
    return "_".join(words(name))


def _ends(name: str, pattern: str) -> bool:
    return re.search(rf"(?:^|_)(?:{pattern})$", name) is not None


def provider_for(table: str, column: str) -> tuple[Provider, str | None] | None:
    """The Faker provider a text column's name asks for, with a note when it is a looser guess
    (a bare ``name`` or ``title``); None when the name says nothing."""
    name = snake(column)
    if name == "name":
        found = next((p for rx, p in _BY_TABLE if rx.search(snake(table))), None)
        if found is not None:
            return found, f"the name of one of the {table}"
        return _FALLBACK_NAME, "a guess for a bare `name`"
    if name == "title":
        if _PEOPLE.search(snake(table)):
            return _NAMED["job"], f"the job title of one of the {table}"
        return _TITLE, "a guess for a bare `title`"
    found = next((p for p in PROVIDERS if _ends(name, p.pattern)), None)
    return (found, None) if found else None


_MONEY = (r"price|amount|total|cost|balance|salary|fee|revenue|subtotal|tax|wage|freight|charge|payment|budget|"
          r"income|paid|due|refund|deposit|(hourly|daily|rental|pay|day|room|base|unit)_rate|replacement_cost")
_YEAR = r"year|yr|year_of_\w+|\w+_year"
# Ranges from the name that are the values' real scale: kept inside a wider CHECK range rather
# than replaced by it (a `year` domain of 1901..2155 still holds recent years).
_FIRM = [
    (r"age", (18, 90)), (r"lat(itude)?", (-90, 90)), (r"lng|lon(gitude)?", (-180, 180)),
    (r"rating|stars", (1, 5)), (r"score", (0, 100)),
]


def is_year(column: str) -> bool:
    """Whether a column's name says it holds a year (``year``, ``release_year``, ``year_of_birth``)."""
    return re.fullmatch(rf"(?:{_YEAR})", snake(column)) is not None


def is_money(column: str) -> bool:
    """Whether a column's name says it holds an amount of money (``UnitPrice``, ``rental_rate``)."""
    return _ends(snake(column), _MONEY)


def rate_kind(column: str) -> str | None:
    """``percent`` for a percentage (0-100 in any type that holds it), ``rate`` for a share,
    ratio, probability or discount (0-1, or 0-100 when the type says so), else None."""
    name = snake(column)
    if is_money(column):
        return None
    if re.search(r"(^|_)(percent(age)?|pct)(_|$)", name):
        return "percent"
    if _ends(name, r"discount|rate|ratio|share|fraction|probability|prob|proportion"):
        return "rate"
    return None


def number_hint(column: str, year: int) -> tuple[tuple[float, float], bool] | None:
    """A (low, high) range that a number column's name suggests, and whether that range is the
    values' real scale (kept inside a wider CHECK range) rather than a loose guess."""
    name = snake(column)
    if is_year(column):
        return ((year - 85, year - 18) if is_birth(column) else (year - 30, year)), True
    if re.match(r"(num|number_of|count|units|nb)_", name):
        return (0, 100), False
    if re.match(r"(quantity|qty)_", name):  # quantity_ordered, qty_in_stock
        return ((0, 1000) if "stock" in name else (1, 10)), False
    for pattern, bounds in _FIRM:
        if _ends(name, pattern):
            return bounds, True
    for pattern, bounds in [
        (r"quantity|qty", (1, 10)), (r"count", (0, 100)), (r"population|inhabitants", (1_000, 10_000_000)),
        (r"(in_|on_)?stock|on_hand|inventory", (0, 1000)), (r"line_?(number|no|num)", (1, 10)),
        (r"salary|wage|income", (20_000, 150_000)),
        (r"freight|shipping(_cost)?|fee|tax", (1, 200)), (r"level|rank", (1, 10)),
        (r"days|\w+_days|rental_duration|loan_(duration|period)|term_days", (1, 30)),
        (r"duration|length|minutes|mins", (1, 180)), (r"milliseconds|ms", (60_000, 600_000)),
        (r"bytes|file_size|size_bytes", (1_000, 10_000_000)), (_MONEY, (1, 1000)),
    ]:
        if _ends(name, pattern):
            return bounds, False
    return None


# (the words of a flag, the share of rows where it is set): things that are usually so, and
# things that are usually not.
_FLAGS = [
    (r"active|enabled|visible|published|verified|confirmed|approved|available|in_stock|valid|activebool", 0.9),
    (r"deleted|discontinued|archived|banned|blocked|disabled|cancell?ed|suspended|locked|hidden|removed|expired|"
     r"deprecated|obsolete|fraudulent|spam|refunded", 0.1),
]


def flag_share(column: str) -> float | None:
    """The share of rows where a flag is set, when the name says the column is a flag
    (``is_*``, ``has_*``, ``can_*``, ``*_flag``, ``active``, ``discontinued``, ...), else None."""
    name = snake(column)
    for pattern, share in _FLAGS:
        if re.fullmatch(rf"(?:is_|has_|was_)?(?:{pattern})(?:_flag)?", name):
            return share
    if re.match(r"(is|has|can|was|should|allow|allows|uses|needs|wants)_", name) or _ends(name, r"flag|yn|yes_no"):
        return 0.5
    return None


def temporal_hint(column: str) -> str | None:
    """``date`` or ``timestamp`` when a text (or untyped) column's name says it holds one."""
    name = snake(column)
    if _ends(name, r"birth_?date|date_of_birth|dob|birthday|date|day|.*_on"):
        return "date"
    if _ends(name, r".*_at|timestamp|.*_time|datetime|created|updated|modified|last_update"):
        return "timestamp"
    return None


def is_birth(column: str) -> bool:
    """Whether a date column is a birth date (adults: 18 to 85 years ago)."""
    return re.search(r"birth|dob", snake(column)) is not None
