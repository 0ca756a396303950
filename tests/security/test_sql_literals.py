"""How each dialect spells text: quotes doubled, control characters outside the quotes (MySQL
has no server here, so its spelling is pinned exactly), a backslash in PostgreSQL always inside
an ``E''`` literal, NUL refused where the text type cannot hold it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rulegen.io.dialects import DIALECTS, UnwritableValue


@pytest.mark.parametrize("dialect, text, literal", [
    ("sqlite", "", "''"),
    ("sqlite", "O'Brien", "'O''Brien'"),
    ("sqlite", "a\r\nb", "('a' || char(13) || char(10) || 'b')"),
    ("sqlite", "\x00", "char(0)"),
    ("duckdb", "x\x1by'", "('x' || chr(27) || 'y''')"),
    ("duckdb", "back\\", "'back\\'"),
    ("postgresql", "plain 'q'", "'plain ''q'''"),
    ("postgresql", "back\\", "E'back\\\\'"),
    ("postgresql", "a\r'\x85", "E'a\\u000d''\\u0085'"),
    ("mysql", "a\r\n'b\\", "CONCAT('a', CHAR(13, 10 USING utf8mb4), '''b\\\\')"),
    ("mysql", "\x00", "CHAR(0 USING utf8mb4)"),
    ("mysql", "\x85", "CHAR(194, 133 USING utf8mb4)"),
])
def test_text_literals(dialect: str, text: str, literal: str) -> None:
    assert DIALECTS[dialect].literal(text) == literal


def test_postgresql_refuses_nul() -> None:
    with pytest.raises(UnwritableValue, match="NUL"):
        DIALECTS["postgresql"].literal("a\x00b")


@given(st.text(st.characters(exclude_categories=["Cs"])))
def test_no_literal_holds_a_control_character(text: str) -> None:
    for name, dialect in DIALECTS.items():
        if name == "postgresql" and "\x00" in text:
            continue
        assert not re.search(r"[\x00-\x1f\x7f-\x9f]", dialect.literal(text)), name
