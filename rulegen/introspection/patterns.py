"""Translate the text patterns of CHECK constraints into rulegen ``pattern``\\ s.

``LIKE`` (``%`` and ``_``), SQLite's ``GLOB`` (``*``, ``?`` and classes) and POSIX regular
expressions (PostgreSQL's ``~``) each become a pattern whose every value matches the original:
wildcards become short runs of letters and digits, so values stay readable. A regular
expression is kept as written when the ``pattern`` kind reads it the same way (its anchors
dropped: a value that matches the whole expression matches it anywhere too); one outside that
subset gives None and the CHECK stays a comment.
"""

from __future__ import annotations

import re

from rulegen.kinds.pattern import PatternError, parse_pattern

__all__ = ["glob_pattern", "like_pattern", "regex_pattern"]

_ANY_RUN = "[a-z0-9]{0,8}"  # what `%` and `*` stand for: a short run of plain characters
_ONE = "[a-z]"  # what `_` and `?` stand for
_REGEX_ONLY = re.compile(r"\\[bBAZzmMyY]|\(\?|\[\[:|\\[0-9]")  # anchors, flags, classes, backrefs


def _literal(char: str) -> str:
    return char if char.isalnum() or char == " " else "\\" + char


def _checked(pattern: str) -> str | None:
    """``pattern`` when the ``pattern`` kind accepts it, else None."""
    if not pattern:
        return None
    try:
        parse_pattern(pattern)
    except (PatternError, ValueError):
        return None
    return pattern


def like_pattern(like: str, *, escape: str = "\\") -> str | None:
    """A pattern for ``LIKE like`` (``%``: any run, ``_``: one character), or None."""
    out, chars = [], iter(like)
    for char in chars:
        if char == escape:
            following = next(chars, None)
            if following is None:
                return None
            out.append(_literal(following))
        elif char == "%":
            out.append(_ANY_RUN)
        elif char == "_":
            out.append(_ONE)
        else:
            out.append(_literal(char))
    return _checked("".join(out))


def glob_pattern(glob: str) -> str | None:
    """A pattern for SQLite's ``GLOB glob`` (``*``, ``?``, ``[...]`` and ``[^...]``), or None."""
    out, at = [], 0
    while at < len(glob):
        char = glob[at]
        if char == "[":
            end = glob.find("]", at + 2)
            if end < 0:
                return None
            body = glob[at + 1:end]
            if "\\" in body or "[" in body:
                return None
            out.append("[" + body + "]")
            at = end + 1
            continue
        out.append(_ANY_RUN if char == "*" else _ONE if char == "?" else _literal(char))
        at += 1
    return _checked("".join(out))


def regex_pattern(regex: str) -> str | None:
    """A pattern for ``~ regex`` (a POSIX regular expression), or None when it is outside the
    subset the ``pattern`` kind reads the same way."""
    if _REGEX_ONLY.search(regex) or "^" in regex.lstrip("^").replace("[^", ""):
        return None
    body = regex.removeprefix("^")
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    if "$" in body.replace("\\$", ""):
        return None
    return _checked(body)
