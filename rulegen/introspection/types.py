"""Values for the column types that have no kind of their own: each type's text input, as a
``pattern`` (ranges, points, bit strings, arrays, JSON, text search vectors, bytea, XML...).

PostgreSQL reads every one of these types from text, so a pattern whose every value is a
valid literal of the type loads with ``COPY`` and ``INSERT`` alike. Types are matched on the
name the catalog prints (``format_type``: ``bit varying(16)``, ``integer[]``, ``int4range``).
"""

from __future__ import annotations

import datetime
import re

from rulegen.introspection.kinds import Draft
from rulegen.introspection.model import ColumnInfo

__all__ = ["type_draft"]

_DAY = "(0[1-9]|1[0-9]|2[0-8])"  # a day that every month has
_CLOCK = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
_NUMBER_RANGE = r"\[[1-4][0-9],[5-9][0-9]\)"  # lower bound 10..49, upper 50..99: never empty
_ELEMENTS = {"integer": "[1-9][0-9]{0,3}", "smallint": "[1-9][0-9]{0,3}", "bigint": "[1-9][0-9]{0,5}",
             "text": "[a-z]{3,8}", "character varying": "[a-z]{3,8}", "numeric": "[1-9][0-9]{0,2}\\.[0-9]{2}",
             "real": "[1-9][0-9]{0,2}\\.[0-9]", "double precision": "[1-9][0-9]{0,2}\\.[0-9]",
             "boolean": "(t|f)", "date": None, "uuid": None}


def _escaped(text: str) -> str:
    return "".join(c if c.isalnum() or c == " " else "\\" + c for c in text)


def _year(today: datetime.date) -> str:
    return str(today.year - 1)


def _fixed(today: datetime.date) -> dict[str, tuple[str, str]]:
    """Patterns of the types named without a size, and what their comment says."""
    year = _year(today)
    # The low end in the first half of the year, the high end in the second: never empty.
    date_low, date_high = f"{year}-0[1-6]-{_DAY}", f"{year}-(0[7-9]|1[0-2])-{_DAY}"
    return {
        "int4range": (_NUMBER_RANGE, "an integer range"),
        "int8range": (_NUMBER_RANGE, "an integer range"),
        "numrange": (_NUMBER_RANGE, "a number range"),
        "daterange": (rf"\[{date_low},{date_high}\)", f"a range of dates in {year}"),
        "tsrange": (rf"\[{date_low} {_CLOCK},{date_high} {_CLOCK}\)", f"a range of times in {year}"),
        "tstzrange": (rf"\[{date_low} {_CLOCK}\+00,{date_high} {_CLOCK}\+00\)", f"a range of times in {year}"),
        "point": (r"\([0-9]{1,3}\.[0-9]{2},[0-9]{1,3}\.[0-9]{2}\)", "a point"),
        "tsvector": ("[a-z]{3,8} [a-z]{3,8} [a-z]{3,8}", "three words"),
        "xml": (r"\<note\>[a-z]{3,12}\</note\>", "an XML element"),
        "bytea": (r"\\x([0-9a-f][0-9a-f]){4,16}", "bytes in hex"),
        "json": (r'\{"n": [1-9][0-9]{0,3}\}', "a JSON object"),
        "jsonb": (r'\{"n": [1-9][0-9]{0,3}\}', "a JSON object"),
        "macaddr8": (":".join(["[0-9a-f]{2}"] * 8), "an EUI-64 address"),
        "time with time zone": (_CLOCK + r"\+00", "a time of day in UTC"),
        "interval": ("[1-9][0-9]? (days|hours|minutes)", "a duration"),
        "bit": ("[01]", "one bit"),
    }


def type_draft(column: ColumnInfo, today: datetime.date) -> Draft | None:
    """A draft for a column of a type with no kind of its own, or None for any other type.

    Args:
        column: the column (its ``type_name`` as the database prints it).
        today: the day ranges of dates are placed near.
    """
    name = column.type_name.lower().strip()
    fixed = _fixed(today)
    if name in fixed:
        pattern, what = fixed[name]
        return Draft({"kind": "pattern", "pattern": pattern}, [f"{name}: {what}"])
    sized = re.fullmatch(r"(bit|bit varying)\((\d+)\)", name)
    if sized is not None and column.category == "unknown":  # (MySQL's BIT is a flag or a number)
        width = int(sized.group(2))
        pattern = f"[01]{{{width}}}" if sized.group(1) == "bit" else f"[01]{{1,{width}}}"
        return Draft({"kind": "pattern", "pattern": pattern}, [f"{name}: a bit string"])
    if name.endswith("[]"):
        return _array(column, name[:-2].split("(")[0].strip())
    return None


def _array(column: ColumnInfo, element: str) -> Draft:
    """An array of one to three elements of its element type, or an empty array."""
    item = "(" + "|".join(_escaped(label) for label in column.labels) + ")" if column.labels \
        else _ELEMENTS.get(element)
    if item is None:
        return Draft({"kind": "constant", "value": "{}"}, [f"{element}[]: an empty array"])
    return Draft({"kind": "pattern", "pattern": rf"\{{{item}(,{item}){{0,2}}\}}"},
                 [f"{element}[]: one to three elements"])
