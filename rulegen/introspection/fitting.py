"""Values that fit a column's width: Faker values too long for a ``varchar(n)`` are dropped,
never cut or replaced by random letters.

When a provider's longest value does not fit, the spec gets a ``choice`` of that provider's
values that do (drawn once here from a Faker seeded with a constant, so the spec is the same
every run), or a ``pattern`` for the providers whose values have a plain shape (phones,
postcodes). Too few fitting values and there is no guess: the caller falls back to its own.
"""

from __future__ import annotations

import functools
from typing import Any

from rulegen.introspection.sensitive import digest

__all__ = ["FIT_DRAWS", "FIT_VALUES", "MIN_FIT_VALUES", "fitting_spec", "fitting_values"]

FIT_DRAWS = 2_000  # Faker calls made to find values that fit
FIT_VALUES = 40  # distinct fitting values a spec lists at most
MIN_FIT_VALUES = 5  # fewer fitting values than this: not worth a list

# Shapes of providers whose values are digits and separators, widest first: (width, pattern).
_SHAPES = {
    "phone_number": [(14, r"\([2-9][0-9]{2}\) [0-9]{3}-[0-9]{4}"), (12, r"[2-9][0-9]{2}-[0-9]{3}-[0-9]{4}"),
                     (10, r"[2-9][0-9]{9}"), (7, r"[0-9]{3}-[0-9]{3}")],
    "postcode": [(5, r"[0-9]{5}"), (4, r"[0-9]{4}"), (3, r"[0-9]{3}")],
    "country_code": [(2, r"[A-Z]{2}")],
    "currency_code": [(3, r"[A-Z]{3}")],
    "sha256": [(40, r"[0-9a-f]{40}"), (32, r"[0-9a-f]{32}")],  # a SHA-1 or an MD5 in hexadecimal
}
# Shapes for unique columns, whose distinct values a list of Faker's could not hold.
_UNIQUE_SHAPES = {
    "email": [(21, r"[a-z]{5}[0-9]{4}@example\.com"), (18, r"[a-z]{3}[0-9]{3}@example\.com"),
              (10, r"[a-z]{3}[0-9]{2}@x\.io")],
    "user_name": [(10, r"[a-z]{5}[0-9]{5}"), (6, r"[a-z]{2}[0-9]{4}")],
}


@functools.lru_cache(maxsize=64)
def fitting_values(provider: str, length: int) -> tuple[str, ...]:
    """Distinct values of a Faker provider (en_US, fixed seed) of at most ``length`` characters,
    in the order Faker made them, at most :data:`FIT_VALUES`."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(0)
    make = getattr(fake, provider)
    found: dict[str, None] = {}
    for _ in range(FIT_DRAWS):
        value = str(make())
        if len(value) <= length:
            found[value] = None
            if len(found) == FIT_VALUES:
                break
    return tuple(found)


def fitting_spec(provider: str, length: int, *, unique: bool,
                 avoid: frozenset[str] = frozenset()) -> tuple[dict[str, Any], str] | None:
    """A spec whose values come from ``provider`` (or share its shape) and fit ``length``
    characters, with its note; None when too few values fit (or a unique column needs more).

    Args:
        avoid: digests (:func:`~rulegen.introspection.sensitive.digest`) of the column's real
            values: a Faker value that happens to be one of them is left out of the list.
    """
    for width, pattern in _SHAPES.get(provider, _UNIQUE_SHAPES.get(provider, ()) if unique else ()):
        if width <= length:
            spec: dict[str, Any] = {"kind": "pattern", "pattern": pattern}
            if unique:
                spec["unique"] = True
            return spec, f"{provider} shaped to fit {length} characters"
    if unique or provider in _SHAPES:
        return None
    values = [v for v in fitting_values(provider, length) if not avoid or digest(v) not in avoid]
    if len(values) < MIN_FIT_VALUES:
        return None
    return ({"kind": "choice", "values": list(values)},
            f"{len(values)} values of Faker's {provider} that fit {length} characters (longer ones dropped)")
