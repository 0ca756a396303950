"""The Faker providers a ``faker`` column may name, and the bounds of their arguments.

Faker's generator exposes every method of every provider, including ones that are no value
source: ``seed_instance`` and ``add_provider`` change the generator, ``binary`` and ``pylist``
make values of any size, and ``pystr_format``, ``dsv`` or ``csv`` run a ``{{name}}`` template
that can call any method at all. A spec may be someone else's, so providers are allowed by an
explicit list of value sources known to be fast, deterministic under ``seed_instance`` and
bounded in size, each with the arguments it takes and their bounds. No allowed provider reads a
template from its arguments, and a string argument holding ``{{`` is refused anyway, so no
Faker template in a spec can reach another method.

Each provider also gives an upper bound of its value's length (in UTF-8 bytes) for its
arguments: the static estimate of :mod:`rulegen.plan.budget`, before its pool is measured.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from rulegen.errors import Diagnostic, did_you_mean
from rulegen.spec.source_map import join_pointer

__all__ = ["FAKER_PROVIDERS", "MAX_POOL_BYTES", "MAX_UNIQUE_POOL", "Arg", "arg_bounds", "check_provider",
           "provider_max_bytes"]

MAX_POOL_BYTES = 32 << 20  # bytes a pool may hold (by the estimate): Faker's time follows its output
MAX_UNIQUE_POOL = 50_000  # distinct values a unique column may ask of Faker (20-300 µs a call)
_SHORT = 64  # bytes assumed for one short value (a name, an address) in the pool estimate
_INT64 = 2**63 - 1


class Arg(NamedTuple):
    """An allowed argument: its type (int, number, bool, text, when) and bounds."""

    type: str
    low: float = -_INT64
    high: float = _INT64  # for text: the longest string


_WHEN = Arg("when")  # a date, a datetime, seconds since the epoch, or Faker's "-30y"/"today"
_DAYS = {"before_today": Arg("bool"), "after_today": Arg("bool")}
_DIGITS = Arg("int", 0, 15)
_TEXT_ARGS = {"ext_word_list": Arg("list", 0, 10_000)}

def _strftime(pattern: str) -> int:
    """A bound of a strftime text: a directive of 2 characters writes at most 24 (``%c``), and a
    month or day name of a locale is at most 12 characters of 2 bytes."""
    return max(40, 12 * len(pattern))


# provider -> (its arguments, an upper bound of its value's bytes given them)
_Bound = Callable[[Mapping[str, Any]], int]
_PROVIDERS: dict[str, tuple[dict[str, Arg], _Bound]] = {}


def _allow(names: str, args: dict[str, Arg] | None = None, bound: _Bound | int = 256) -> None:
    for name in names.split():
        _PROVIDERS[name] = (args or {}, bound if callable(bound) else (lambda _a, b=bound: b))


_allow("first_name last_name name name_male name_female first_name_male first_name_female last_name_male "
       "last_name_female first_name_nonbinary name_nonbinary prefix suffix prefix_male prefix_female "
       "user_name email safe_email free_email company_email domain_name domain_word tld url hostname "
       "ipv4 ipv4_private ipv4_public ipv6 mac_address port_number uri_path slug "
       "city city_prefix city_suffix state state_abbr country country_code zipcode postcode street_address "
       "street_name street_suffix address building_number secondary_address current_country_code "
       "phone_number msisdn company company_suffix catch_phrase bs job "
       "color_name safe_color_name hex_color safe_hex_color rgb_color currency_code currency_name currency_symbol "
       "license_plate iban bban swift ssn isbn10 isbn13 ean8 ean13 credit_card_number credit_card_provider "
       "credit_card_expire credit_card_security_code "
       "null_boolean uuid4 md5 sha1 sha256 file_name file_extension file_path mime_type "
       "language_code language_name locale timezone latitude longitude day_of_week day_of_month month month_name "
       "year am_pm century time iso8601 random_digit random_digit_not_null random_letter random_lowercase_letter "
       "random_uppercase_letter emoji word")
_SHORT_TEXT = Arg("text", 0, 100)
_allow("state_abbr", {"include_territories": Arg("bool"), "include_freely_associated_states": Arg("bool")})
_allow("email", {"safe": Arg("bool"), "domain": _SHORT_TEXT})
_allow("ipv4", {"network": Arg("bool"), "private": Arg("bool")})
_allow("ipv6", {"network": Arg("bool")})
_allow("mac_address", {"multicast": Arg("bool")})
_allow("domain_name", {"levels": Arg("int", 1, 10)}, lambda a: 64 * a.get("levels", 1) + 64)
_allow("uri_path", {"deep": Arg("int", 1, 10)}, lambda a: 64 * a.get("deep", 3) + 64)
_allow("file_name", {"category": _SHORT_TEXT, "extension": _SHORT_TEXT})
_allow("word", {"ext_word_list": Arg("list", 0, 10_000)}, 402)
_allow("time", {"pattern": _SHORT_TEXT}, lambda a: _strftime(a.get("pattern", "")))
_allow("credit_card_expire", {"start": _WHEN, "end": _WHEN, "date_format": _SHORT_TEXT},
       lambda a: _strftime(a.get("date_format", "")))
_allow("boolean", {"chance_of_getting_true": Arg("int", 0, 100)}, 5)
_allow("pybool", {"truth_probability": Arg("int", 0, 100)}, 5)
_allow("pyint random_int", {"min_value": Arg("int"), "max_value": Arg("int"), "step": Arg("int", 1),
                            "min": Arg("int"), "max": Arg("int")}, 21)
_allow("random_number", {"digits": Arg("int", 1, 18), "fix_len": Arg("bool")}, 21)
_allow("pyfloat pydecimal", {"left_digits": _DIGITS, "right_digits": _DIGITS, "positive": Arg("bool"),
                             "min_value": Arg("number"), "max_value": Arg("number")}, 40)
_allow("pystr", {"min_chars": Arg("int", 0, 10_000), "max_chars": Arg("int", 0, 10_000),
                 "prefix": Arg("text", 0, 100), "suffix": Arg("text", 0, 100)},
       lambda a: a.get("max_chars", 20) + 4 * (len(a.get("prefix", "")) + len(a.get("suffix", ""))))
_allow("random_letters", {"length": Arg("int", 0, 10_000)}, lambda a: 5 * a.get("length", 16) + 2)
_allow("bothify numerify lexify", {"text": Arg("text", 0, 1_000), "letters": Arg("text", 1, 1_000)},
       lambda a: 4 * len(a.get("text", "## ??")) + 4)
_allow("words", {"nb": Arg("int", 0, 100), "unique": Arg("bool"), **_TEXT_ARGS},
       lambda a: 40 * a.get("nb", 3) + 2)
_allow("sentence", {"nb_words": Arg("int", 0, 100), "variable_nb_words": Arg("bool"), **_TEXT_ARGS},
       lambda a: 60 * a.get("nb_words", 6) + 2)
_allow("sentences", {"nb": Arg("int", 0, 100), **_TEXT_ARGS}, lambda a: 400 * a.get("nb", 3) + 2)
_allow("paragraph", {"nb_sentences": Arg("int", 0, 100), "variable_nb_sentences": Arg("bool"), **_TEXT_ARGS},
       lambda a: 600 * a.get("nb_sentences", 3) + 2)
_allow("paragraphs", {"nb": Arg("int", 0, 20), **_TEXT_ARGS}, lambda a: 3_000 * a.get("nb", 3) + 2)
_allow("text", {"max_nb_chars": Arg("int", 5, 10_000), **_TEXT_ARGS}, lambda a: 3 * a.get("max_nb_chars", 200))
_allow("date_time date_time_ad date_object date unix_time",
       {"end_datetime": _WHEN, "start_datetime": _WHEN, "pattern": Arg("text", 1, 100)},
       lambda a: _strftime(a.get("pattern", "")))
_allow("date_between date_time_between date_between_dates date_time_between_dates",
       {"start_date": _WHEN, "end_date": _WHEN, "date_start": _WHEN, "date_end": _WHEN,
        "datetime_start": _WHEN, "datetime_end": _WHEN}, 32)
_allow("past_date past_datetime", {"start_date": _WHEN}, 32)
_allow("future_date future_datetime", {"end_date": _WHEN}, 32)
_allow("date_this_century date_this_decade date_this_year date_this_month date_time_this_century "
       "date_time_this_decade date_time_this_year date_time_this_month", _DAYS, 32)
_allow("date_of_birth", {"minimum_age": Arg("int", 0, 150), "maximum_age": Arg("int", 0, 150)}, 32)

FAKER_PROVIDERS: frozenset[str] = frozenset(_PROVIDERS)


def check_provider(provider: str, args: Mapping[str, Any], pointer: str, locale: str,
                   known: frozenset[str]) -> list[Diagnostic]:
    """Whether ``provider`` is allowed, and its ``args`` are the ones it takes, within bounds.

    Args:
        provider: the provider named by the column.
        args: its arguments, as written.
        pointer: the column's pointer.
        locale: the column's Faker locale.
        known: the providers Faker has for the column's locale.

    Returns:
        The problems: an unknown or disallowed provider, an unknown argument, a value out of bounds.
    """
    allowed = FAKER_PROVIDERS & known
    if provider not in known:
        return [Diagnostic("RG216", f"unknown Faker provider `{provider}` for locale {locale}",
                           join_pointer(pointer, "provider"), hint=did_you_mean(provider, allowed))]
    if provider not in allowed:
        return [Diagnostic("RG255", f"`{provider}` is not an allowed Faker provider (providers are allowed by a "
                                    "list of value sources that are fast, deterministic and bounded in size)",
                           join_pointer(pointer, "provider"),
                           hint=did_you_mean(provider, allowed) or "see the `faker` kind in docs/spec.md")]
    params = _PROVIDERS[provider][0]
    problems = []
    for name, value in args.items():
        at = join_pointer(join_pointer(pointer, "args"), name)
        if name not in params:
            taken = f"it takes: {', '.join(params)}" if params else "it takes none"
            problems.append(Diagnostic("RG256", f"`{provider}` takes no argument `{name}` ({taken})", at,
                                       at_key=True, hint=did_you_mean(name, params)))
            continue
        problem = _check_arg(params[name], value)
        if problem:
            problems.append(Diagnostic("RG256", f"`{name}` of `{provider}` {problem}", at))
    return problems


def arg_bounds(provider: str, name: str) -> tuple[float, float]:
    """The bounds of argument ``name`` of an allowed ``provider`` (for text: of its length), so
    that a spec writer such as ``rulegen infer`` stays within what :func:`check_provider` accepts."""
    arg = _PROVIDERS[provider][0][name]
    return arg.low, arg.high


def provider_max_bytes(provider: str, args: Mapping[str, Any]) -> int:
    """An upper bound of the UTF-8 bytes of one value of an allowed ``provider`` (and its
    arguments, already checked), for the pool estimate before any value is made."""
    return max(_SHORT, _PROVIDERS[provider][1](args))


def _check_arg(arg: Arg, value: Any) -> str:
    """What is wrong with ``value`` for ``arg``, or ""."""
    if arg.type == "bool":
        return "" if isinstance(value, bool) else f"must be true or false, got {value!r}"
    if arg.type == "when":
        if isinstance(value, str) and len(value) <= 64 and "{{" not in value:
            return ""
        ok = isinstance(value, int | float | datetime.date) and not isinstance(value, bool)
        return "" if ok else f"must be a date, a number of seconds or text such as -30y, got {_short(value)}"
    if arg.type == "text":
        if not isinstance(value, str):
            return f"must be text, got {_short(value)}"
        if "{{" in value:
            return "must not hold a Faker template (`{{`)"
        return "" if arg.low <= len(value) <= arg.high else f"must be {arg.low:.0f} to {arg.high:.0f} characters long"
    if arg.type == "list":
        ok = isinstance(value, list) and all(isinstance(v, str) and len(v) <= 100 and "{{" not in v for v in value)
        return "" if ok and len(value) <= arg.high else f"must be a list of at most {arg.high:.0f} short words"
    number = int if arg.type == "int" else int | float
    if not isinstance(value, number) or isinstance(value, bool):
        return f"must be {'an integer' if arg.type == 'int' else 'a number'}, got {_short(value)}"
    if not arg.low <= value <= arg.high:
        return f"must be between {arg.low:,.0f} and {arg.high:,.0f}, got {value:,}"
    return ""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
