"""Categories and strings: `choice` weights with the rare tail folded, Faker providers for
personal data (found by the column's name AND its values' shape), `pattern`s for codes, and
Faker sentences for free text, which is never copied.

Only values seen at least :data:`RARE_COUNT` times reach a spec, unless the caller allows
values: a rare value could identify a person. (A share of the rows is no such bound: 125
countries seen 18 times each in 2,275 rows identify no one, and each holds under 1 % of them.)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from rulegen.kinds.fakers import MAX_POOL_BYTES, arg_bounds, provider_max_bytes
from rulegen.kinds.text import POOL_SIZE

__all__ = ["OTHER", "RARE_COUNT", "RARE_SHARE", "categories", "derive_pattern", "faker_provider", "free_text",
           "pattern_space"]

RARE_COUNT = 5  # values seen fewer times than this are rare
RARE_SHARE = 0.01  # a pattern's shape or literal run holding less than this share of the values is rare
OTHER = "(other)"  # what rare strings are folded into
_MAX_SHAPES = 3  # alternatives a pattern may hold
_MAX_TOKENS = 12
_MAX_LENGTH = 40
_SHAPE_SHARE = 0.97  # share of the values the pattern's alternatives must cover
_SPECIAL = set(r"\^$.|?*+()[]{}/")

# (what the column name holds, the provider, a check of one value, share of values that must pass)
_NAME_WORD = r"[A-Z][A-Za-z'\-]*\.?"
_PERSONAL: list[tuple[str, str, str, float]] = [
    (r"e_?mail", "email", r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", 0.9),
    (r"(first|given|fore)_?name|fname", "first_name", _NAME_WORD + r"( " + _NAME_WORD + ")?", 0.9),
    (r"(last|family|sur)_?name|lname", "last_name", _NAME_WORD + r"([ \-]" + _NAME_WORD + ")?", 0.9),
    (r"(full_?|customer_|contact_|person_|user_|client_|employee_)?name", "name",
     r"(" + _NAME_WORD + r" ){1,3}" + _NAME_WORD, 0.8),
    (r"(user_?name|login|handle|nick_?name)", "user_name", r"[A-Za-z0-9._\-]{2,}", 0.9),
    (r"(street_?)?address(_line)?_?1?|street", "street_address", r"\d+[A-Za-z]? [A-Za-z0-9 .,'\-]+", 0.8),
    (r"(phone|tel|telephone|mobile|cell|fax)(_?(number|no))?", "phone_number", r"[0-9+()./\- x]{7,}", 0.9),
    (r"(url|website|homepage|web_site)", "url", r"https?://\S+", 0.9),
]
# Values many people share: a column of a few of them repeated is better kept as a category.
_SHARED: list[tuple[str, str, str, float]] = [
    (r"city|town", "city", r"[A-Za-z][A-Za-z .'\-]+", 0.9),
    (r"country", "country", r"[A-Za-z][A-Za-z .,'()\-]+", 0.9),
    (r"state|province|region", "state_abbr", r"[A-Z]{2}", 0.9),  # codes (TX) stay codes, not names
    (r"state|province|region", "state", r"[A-Za-z][A-Za-z .'\-]+", 0.9),
    (r"zip|zip_?code|post_?code|postal_?code", "postcode", r"[A-Z0-9 \-]{3,10}", 0.9),
    (r"(company|employer|organi[sz]ation|business|supplier|vendor)(_name)?", "company", r".*[A-Za-z].*", 0.9),
    (r"(job|job_title|occupation|position)", "job", r".*[A-Za-z].*", 0.9),
]
_COMPANY_TABLES = re.compile(r"(compan|supplier|vendor|organi[sz]ation|business|employer|shop|store|brand)")


def _snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)).lower().strip("_")


def faker_provider(column: str, table: str, values: Sequence[str], *, shared: bool = False) -> str | None:
    """The Faker provider for a column whose name says what it holds and whose values look it.

    ``shared`` asks about values many people share: places, employers and jobs (often better
    kept as categories); otherwise about a person's own: names and contacts.
    """
    name = _snake(column)
    sample = [v for v in values[:2_000] if v]
    if not sample:
        return None
    for words, provider, shape, share in _SHARED if shared else _PERSONAL:
        if not re.fullmatch(rf"(\w+_)?({words})", name):
            continue
        if provider == "name" and _COMPANY_TABLES.search(_snake(table)) and not name.endswith("_name"):
            provider, shape = "company", r".*[A-Za-z].*"
        passing = sum(1 for v in sample if re.fullmatch(shape, v.strip()))
        if passing >= share * len(sample):
            return provider
    return None


def categories(values: np.ndarray, *, allow_values: bool, fold: bool) -> tuple[dict[Any, int], str]:
    """Counts of each value, most frequent first, with rare ones folded into :data:`OTHER`
    (``fold``, for strings) or dropped so that the others share their weight."""
    counts = Counter(v.item() if isinstance(v, np.generic) else v for v in values)
    total = sum(counts.values())
    ordered = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    if allow_values:
        return dict(ordered), f"{len(ordered)} values with their counts (--allow-values: rare ones kept)"
    kept = {v: c for v, c in ordered if c >= RARE_COUNT}
    rare = len(ordered) - len(kept)
    if not rare:
        return kept, f"{len(kept)} values with their counts"
    rest = total - sum(kept.values())
    share = (f"{rare} rare value{'s' if rare != 1 else ''} ({rest / total:.1%} of rows, each seen fewer than "
             f"{RARE_COUNT} times)")
    if not kept:
        return {}, f"every value is rare: {share}"
    if fold:
        other = OTHER if OTHER not in kept else "(other values)"
        kept[other] = rest
        return kept, f"{len(kept) - 1} values with their counts; {share} folded into {other!r}"
    return kept, f"{len(kept)} values with their counts; {share} left out, their weight spread over the rest"


def free_text(values: Sequence[str]) -> tuple[dict[str, Any], str]:
    """A Faker stand-in for free text of about the same length (the text itself is never copied)."""
    words = np.array([len(v.split()) for v in values[:10_000]])
    chars = np.array([len(v) for v in values[:10_000]])
    if np.median(chars) > 200:
        spec = {"kind": "faker", "provider": "text", "args": {"max_nb_chars": int(np.median(chars))}}
    elif np.median(words) <= 1:
        spec = {"kind": "faker", "provider": "word"}
    else:
        spec = {"kind": "faker", "provider": "sentence", "args": {"nb_words": max(1, int(np.median(words)))}}
    note = f"free text (median {int(np.median(words))} words, {int(np.median(chars))} characters): " \
           f"Faker's {spec['provider']}, the text is not copied"
    return _within_bounds(spec, note)


def _within_bounds(spec: dict[str, Any], note: str) -> tuple[dict[str, Any], str]:
    """``spec`` with its Faker arguments and pool within what the `faker` kind accepts (RG256,
    RG257), so that an inferred spec always validates; ``note`` says what was capped."""
    provider, args = spec["provider"], spec.get("args", {})
    for name, value in args.items():
        low, high = arg_bounds(provider, name)
        args[name] = int(min(max(value, low), high))
        if args[name] != value:
            note += f"; {name} capped at {args[name]:,}, the most Faker is asked for"
    pool = MAX_POOL_BYTES // provider_max_bytes(provider, args)
    if pool < POOL_SIZE:  # long values: fewer of them, within the pool's bytes
        spec["pool"] = max(pool, 1)
        note += f"; a pool of {spec['pool']:,} values"
    return spec, note


# --- patterns ---------------------------------------------------------------------------------
def _class(char: str, coarse: int) -> str:
    if char.isdigit() and char.isascii():
        return "9" if coarse < 2 else "w"
    if char.isalpha() and char.isascii():
        if coarse == 0:
            return "A" if char.isupper() else "a"
        return "l" if coarse == 1 else "w"
    return char  # anything else is a literal


def _tokens(value: str, coarse: int) -> list[tuple[str, str]]:
    """Runs of characters of one class: ``SKU-123`` -> [(A, SKU), (-, -), (9, 123)]."""
    tokens: list[tuple[str, str]] = []
    for char in value:
        cls = _class(char, coarse)
        if tokens and tokens[-1][0] == cls and cls in "Aa9lw":
            tokens[-1] = (cls, tokens[-1][1] + char)
        else:
            tokens.append((cls, char))
    return tokens


def _char_class(texts: list[str]) -> str:
    seen = set("".join(texts))
    parts = [part for part, test in (("A-Z", str.isupper), ("a-z", str.islower), ("0-9", str.isdigit))
             if any(test(c) for c in seen)]
    return "[" + "".join(parts) + "]"


def _repeat(lengths: list[int]) -> str:
    low, high = min(lengths), max(lengths)
    if low == high:
        return "" if low == 1 else f"{{{low}}}"
    return f"{{{low},{high}}}"


def _escape(text: str) -> str:
    return "".join("\\" + c if c in _SPECIAL else c for c in text)


def derive_pattern(values: Sequence[str], *, allow_values: bool) -> tuple[str, str] | None:
    """A `pattern` every value (but a few odd ones) follows, and a note; None for text that
    follows none. Runs of one character class become ``[A-Z]{2}``; a run is written literally
    only when it is the same in (nearly) every value of its shape, and seen often enough."""
    sample = [v for v in values[:20_000] if v]
    if not sample or max(map(len, sample)) > _MAX_LENGTH or any(len(v.split()) > 3 for v in sample[:2_000]):
        return None
    for coarse in range(3):
        shapes: dict[tuple[str, ...], list[list[tuple[str, str]]]] = {}
        for value in sample:
            tokens = _tokens(value, coarse)
            shapes.setdefault(tuple(cls for cls, _ in tokens), []).append(tokens)
        common = sorted(shapes.values(), key=len, reverse=True)
        common = [group for group in common if len(group) >= max(RARE_COUNT, RARE_SHARE * len(sample))]
        covered = sum(map(len, common[:_MAX_SHAPES]))
        if common and covered >= _SHAPE_SHARE * len(sample) and len(common[0][0]) <= _MAX_TOKENS:
            break
    else:
        return None
    alternatives = [_shape_pattern(group, allow_values) for group in common[:_MAX_SHAPES]]
    pattern = alternatives[0] if len(alternatives) == 1 else "(" + "|".join(alternatives) + ")"
    compiled = re.compile(pattern)
    share = sum(1 for value in sample if compiled.fullmatch(value)) / len(sample)
    if share < _SHAPE_SHARE:
        return None
    note = "every value follows this pattern" if share == 1 else f"{share:.1%} of values follow this pattern"
    return pattern, note


def _typical(items: list[Any]) -> list[Any]:
    """The items that are not rare (all of them when every one is)."""
    counts = Counter(items)
    kept = [item for item, count in counts.items() if count >= RARE_COUNT and count >= RARE_SHARE * len(items)]
    return kept or list(counts)


def _shape_pattern(group: list[list[tuple[str, str]]], allow_values: bool) -> str:
    out = []
    for position in range(len(group[0])):
        cls = group[0][position][0]
        texts = [tokens[position][1] for tokens in group]
        if cls not in "Aa9lw":  # a literal character, the same in every value of the shape
            out.append(_escape(texts[0]))
            continue
        most, count = Counter(texts).most_common(1)[0]
        if count >= _SHAPE_SHARE * len(texts) and (count >= RARE_COUNT or allow_values):
            out.append(_escape(most))  # the same text in (nearly) every value
        else:
            out.append(_char_class(texts) + _repeat(_typical([len(t) for t in texts])))
    return "".join(out)


def pattern_space(pattern: str) -> float:
    """About how many strings a derived pattern makes (to tell whether it can hold unique values)."""
    size = 1.0
    for cls, low, high in re.findall(r"\[([^\]]+)\](?:\{(\d+)(?:,(\d+))?\})?", pattern):
        width = sum(26 if r in ("A-Z", "a-z") else 10 for r in re.findall(r".-.", cls))
        size *= float(width) ** int(high or low or 1)
    return size
