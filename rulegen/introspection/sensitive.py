"""Which sampled columns hold personal or secret values, which a spec must never show.

A column is sensitive when its name says so (an email, a person's or a company's name, a
phone, an address, a birth date, a hash, a token, an identifier such as an SSN) OR when any of
its sampled values has such a shape (an email, a phone number, an SSN, a card number, an IBAN,
an IP address, a UUID, a long hexadecimal hash or a random-looking token). Either is enough:
names are often vague (``contact``, ``ref``) and values often disguised (an email in ``login``).
From a sensitive column only counts and lengths reach the spec; no value, no range, no law.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

from rulegen.introspection.names import provider_for, snake

__all__ = ["SENSITIVE_PROVIDERS", "digest", "sensitive_by_name", "sensitive_shape", "sensitive_values"]

# Faker providers whose values stand for a person, a company, a contact or a secret.
SENSITIVE_PROVIDERS = frozenset({
    "email", "first_name", "last_name", "name", "user_name", "company", "phone_number", "street_address",
    "postcode", "ipv4", "mac_address", "iban", "credit_card_number", "ssn", "license_plate", "sha256", "url",
    "domain_name", "user_agent",
})

# Words that make a column sensitive wherever they stand (`birth_year`, `password_reset_token`),
# and words that do as the name's end only (`phone` is, `phone_type` is a category).
_ANYWHERE = re.compile(r"(^|_)(ssn|social_security|passport|password|passwd|pwd|secret|token|api_key|private_key|"
                       r"salt|hash|birth|dob|otp|cvv|cvc)($|_)")
_AT_END = re.compile(
    r"(^|_)(sin|nin|nino|tax_?id|tin|vat(_number)?|national_id|driver_?s?_licen[cs]e|licen[cs]e_?(no|number)|"
    r"account_?(no|number|num)|routing_?(no|number)|iban|bic|swift|card_?(no|number|num)|pin|"
    r"session(_key|_id)?|email(_address)?|phone(_number)?|mobile|fax|address(_?\d)?|street|"
    r"ip(_addr(ess)?)?|mac(_address)?|signature|fingerprint|geo(location)?|lat(itude)?|lng|lon(gitude)?)$")

_SHAPES = [
    re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"),  # an email
    re.compile(r"\d{3}-\d{2}-\d{4}"),  # a US SSN
    re.compile(r"\+?[\d(][\d()./ \-x]{6,}\d"),  # a phone number (seven digits and more, with separators)
    re.compile(r"\d{13,19}"),  # a card or account number
    re.compile(r"[A-Z]{2}\d{2}[A-Z0-9 ]{11,30}"),  # an IBAN
    re.compile(r"(\d{1,3}\.){3}\d{1,3}"),  # an IPv4 address
    re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"),  # a UUID
    re.compile(r"[0-9a-fA-F]{16,}"),  # a hash
    re.compile(r"\$\w+\$[^\s]{8,}"),  # a crypt-style password hash ($2b$...)
    re.compile(r"\d+[A-Za-z]? [A-Za-z0-9 .'\-]+ (st|street|ave|avenue|rd|road|blvd|lane|ln|drive|dr|way|court|ct|"
               r"place|pl|square|sq|terrace|parkway|pkwy|circle|cir)\.?( .*)?", re.IGNORECASE),  # an address
]
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}(:?\d{2})?|Z)?)?$|"
                   r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=.]{20,}")


def sensitive_by_name(table: str, column: str) -> bool:
    """Whether a column's name says it holds personal or secret values."""
    found = provider_for(table, column)
    if found is not None and found[0].provider in SENSITIVE_PROVIDERS:
        return True
    name = snake(column)
    return _ANYWHERE.search(name) is not None or _AT_END.search(name) is not None


def sensitive_shape(value: Any) -> bool:
    """Whether one value looks personal or secret (see the module docstring)."""
    if not isinstance(value, str):
        value = str(value) if isinstance(value, bytes | bytearray | memoryview) else None
        if value is None:
            return False
    text = value.strip()
    if _DATE.match(text):
        return False  # a date or a time, not a phone number
    if any(shape.fullmatch(text) for shape in _SHAPES):
        return True
    # A random-looking token: long, no spaces, letters and digits mixed.
    return (_TOKEN.fullmatch(text) is not None and any(c.isdigit() for c in text)
            and any(c.isalpha() for c in text))


def sensitive_values(values: Iterable[Any]) -> bool:
    """Whether any of ``values`` looks personal or secret."""
    return any(sensitive_shape(v) for v in values)


def digest(value: str) -> str:
    """A one-way digest of a value: what a sample keeps of a sensitive column's values, only to
    leave real values out of the Faker values a spec lists (never written anywhere)."""
    return hashlib.blake2b(value.strip().casefold().encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
