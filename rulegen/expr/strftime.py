"""``strftime(t, format)``: dates and timestamps written as text in a format of a fixed set of
directives (C's, through Arrow, and ``%q``, the quarter 1..4, as pandas' periods write it).

The format is a literal, checked where the spec writes it: each directive is known, so the text
of a value has a bound (:func:`format_width`) and no platform-dependent directive reaches Arrow.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

__all__ = ["DIRECTIVES", "format_problem", "format_width", "strftime"]

# directive -> the most characters it writes (years 1..9999; English names, the C locale)
DIRECTIVES = {"Y": 4, "y": 2, "G": 4, "m": 2, "d": 2, "e": 2, "j": 3, "H": 2, "I": 2, "M": 2, "S": 2, "p": 2,
              "b": 3, "B": 9, "a": 3, "A": 9, "u": 1, "V": 2, "q": 1, "%": 1}
_TOKEN = re.compile(r"%(.?)|[^%]+", re.DOTALL)


def _tokens(fmt: str) -> list[str]:
    """Literal text and ``%x`` directives, in order."""
    return [match.group(0) for match in _TOKEN.finditer(fmt)]


def format_problem(fmt: str) -> str | None:
    """What is wrong with ``fmt`` as a format, or None."""
    for token in _tokens(fmt):
        if token.startswith("%") and token[1:] not in DIRECTIVES:
            shown = f"`{token}`" if len(token) == 2 else "a `%` at the end"
            return (f"{shown} is not a directive it knows; it knows "
                    + " ".join(f"%{d}" for d in DIRECTIVES) + " (write %% for a percent sign)")
    return None


def format_width(fmt: str) -> int:
    """The most bytes a value written in ``fmt`` (a checked format) takes."""
    return sum(DIRECTIVES[t[1:]] if t.startswith("%") else len(t.encode("utf-8")) for t in _tokens(fmt))


def strftime(values: pa.Array | pa.Scalar, fmt: pa.Scalar) -> pa.Array | pa.Scalar:
    """``values`` (dates or timestamps; a zoned timestamp reads its zone's clock, in whole
    seconds) written in ``fmt``; null stays null."""
    if pat.is_null(values.type):
        return pa.nulls(len(values), pa.string()) if isinstance(values, pa.Array) else pa.scalar(None, pa.string())
    unit = pa.timestamp("s", tz=getattr(values.type, "tz", None))
    if pat.is_timestamp(values.type):  # whole seconds (floored, before 1970 too): %S writes no fraction
        values = pc.floor_temporal(values, unit="second")
    instants = pc.cast(values, unit, safe=False)
    pieces: list[pa.Array | pa.Scalar] = []
    plain = ""  # directives Arrow writes, gathered until a %q
    for token in _tokens(fmt.as_py()):
        if token != "%q":
            plain += token
            continue
        if plain:
            pieces.append(pc.strftime(instants, format=plain, locale="C"))
            plain = ""
        month = pc.month(instants)
        pieces.append(pc.cast(pc.add(pc.divide(pc.subtract(month, 1), 3), 1), pa.string()))
    if plain or not pieces:
        pieces.append(pc.strftime(instants, format=plain, locale="C"))
    return pieces[0] if len(pieces) == 1 else pc.binary_join_element_wise(*pieces, "")
