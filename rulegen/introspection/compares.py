"""CHECKs that compare two columns of a row (``ends >= starts``, ``whole_id <> piece_id``): which
become the table's constraints, how the ranges they order are narrowed so that rows meet them on
a first draw, and which references must not hold the row's parent (an ordered pair of them)."""

from __future__ import annotations

from collections.abc import Mapping

from rulegen.expr.functions import FUNCTIONS
from rulegen.introspection.checks import Compare, parse_check
from rulegen.introspection.kinds import Draft
from rulegen.introspection.model import TableInfo

__all__ = ["comparable", "is_identifier", "narrow", "ordered_references"]

_IDENTIFIER_WORDS = {"and", "or", "not", "in", "if", "is", "true", "false", "null", "none"}
_FAMILIES = {"date": "time", "timestamp": "time", "integers": "number", "uniform": "number"}  # free kinds
_CATEGORY_FAMILIES = {"integer": "number", "decimal": "number", "float": "number", "money": "number",
                      "date": "time", "timestamp": "time"}


def is_identifier(name: str) -> bool:
    """Whether an expression can name the column (not a keyword, not one of its functions)."""
    return name.isidentifier() and name.isascii() and name.lower() not in _IDENTIFIER_WORDS \
        and name not in FUNCTIONS and name != "if"


def comparable(compare: Compare, drafts: Mapping[str, Draft], table: TableInfo, roles: set[str],
               parent_ref: str | None) -> bool:
    """Whether a CHECK comparing two columns can be a constraint: both sides drafted as values
    of one family (numbers, instants, times of day, or for ``==``/``!=`` any one type), and a redraw changes a
    side. A free column qualifies, and so does a reference (``ref_a != ref_b``: two different
    parent rows) unless it is the row's parent, which a redraw keeps.

    Args:
        compare: the CHECK's comparison.
        drafts: the table's drafted columns.
        table: the table as the database declares it.
        roles: the columns whose kind comes from a relation or a key.
        parent_ref: the reference that holds the row's parent, if any.

    Returns:
        True when rulegen can keep the CHECK by redrawing rows.
    """
    names = (compare.left, compare.right)
    sides = [drafts.get(n) for n in names]
    if any(d is None for d in sides) or not all(is_identifier(n) for n in names):
        return False
    families = []
    for name, draft in zip(names, sides, strict=True):
        kind = draft.spec["kind"]
        if name not in roles and kind in _FAMILIES:
            families.append(_FAMILIES[kind])
        elif name not in roles and kind == "pattern" and table.columns[name].category == "time":
            families.append("clock")  # zero-padded HH:MM:SS text: its order is the times' order
        elif kind == "ref" and not draft.spec.get("hidden"):
            category = table.columns[name].category
            families.append(_CATEGORY_FAMILIES.get(category, category))
        else:
            return False
    ordered = compare.op not in ("==", "!=")
    redrawn = any(n not in roles or (d.spec["kind"] == "ref" and n != parent_ref)
                  for n, d in zip(names, sides, strict=True))
    return families[0] == families[1] and redrawn and (not ordered or families[0] in ("number", "time", "clock"))


def narrow(compare: Compare, drafts: Mapping[str, Draft]) -> None:
    """Two number ranges a CHECK orders (``reserved <= qty``): the lesser side no higher than
    the greater one's top, the greater no lower than the lesser's bottom, so that most rows
    meet the CHECK on their first draw (ranges only shrink: every bound still holds)."""
    if compare.op in ("==", "!="):
        return
    lesser, greater = (compare.left, compare.right) if compare.op in ("<", "<=") else (compare.right, compare.left)
    a, b = drafts[lesser].spec, drafts[greater].spec
    if not all(s["kind"] in ("integers", "uniform") and "low" in s and "high" in s for s in (a, b)):
        return
    high, low = min(a["high"], b["high"]), max(a["low"], b["low"])
    if a["low"] <= high:
        a["high"] = high
    if low <= b["high"]:
        b["low"] = low


def ordered_references(table: TableInfo) -> set[str]:
    """The foreign-key columns a CHECK compares with ``<``, ``<=``, ``>`` or ``>=`` to another
    one: none may hold the row's parent (the lowest parent would have no higher row to point to)."""
    keyed = {c for fk in table.foreign_keys for c in fk.columns}
    found: set[str] = set()
    for text in table.checks:
        for fact in (parse_check(text) if not text.startswith("--") else None) or ():
            if isinstance(fact, Compare) and fact.op not in ("==", "!=") and {fact.left, fact.right} <= keyed:
                found |= {fact.left, fact.right}
    return found
