"""Hypothesis strategies for fuzzing: spec documents built from the kind registry with hostile
values, YAML text mutated byte by byte, and expressions from the expression language's grammar.

The specs are mostly *almost* right: real kinds with their real option names, so that the fuzzer
gets past the structure checks and reaches the semantic checks, the compiler and the engine,
with values chosen to hit edges (huge, tiny, infinite, negative, empty, wrongly typed, hostile
text).
"""

from __future__ import annotations

import functools
from typing import Any

import yaml
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from rulegen.expr.functions import FUNCTIONS
from rulegen.kinds.registry import KINDS
from rulegen.spec.structure import column_schema

__all__ = ["expressions", "mutated_yaml", "spec_documents", "spec_texts"]

_NAMES = ["a", "b", "id", "n", "t", "x", "price", "created_at", "parent_id"]
_TABLES = ["t", "u", "orders", "customers"]

_INTEGERS = st.one_of(
    st.integers(-5, 5), st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, -1, 2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63), 10**18, 10**30]),
)
_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-300, 1e300, 0.5, 1.0, 1e18, float("inf"), float("-inf"), float("nan")]),
)
_TEXTS = st.one_of(
    st.text(max_size=20),
    st.sampled_from([
        "", " ", "1d", "30s", "1y", "-1d", "1e12d", "2024-01-01", "0001-01-01", "9999-12-31", "2024-02-30",
        "2024-01-01 12:00", "Europe/Berlin", "Mars/Olympus", "US", "XX", "[A-Z]{3}", "[a-z]{1000000}",
        "(a|b){50}", "{a}{a}{a}", "{{seed_instance}}", "{0.__class__}", "%(a)s", "x\ny", "x\x00y",
        "pg_authid", "../x", "sqlite_master", "a" * 300, "'; DROP TABLE victim; --", "\\", "é", "\U0001d518",
    ]),
)
_SCALARS = st.one_of(st.none(), st.booleans(), _INTEGERS, _FLOATS, _TEXTS)


def _values(depth: int = 2) -> st.SearchStrategy[Any]:
    if depth == 0:
        return _SCALARS
    inner = _values(depth - 1)
    return st.one_of(
        _SCALARS, _SCALARS,
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["kind", "values", "weights", "p", "low", "high", "peak", "x"]),
                        inner, max_size=3),
    )


def expressions(names: list[str] | None = None) -> st.SearchStrategy[str]:
    """Expression texts: mostly in the grammar (names, literals, operators, known functions),
    sometimes plain noise."""
    names = names or _NAMES
    literal = st.one_of(
        st.integers(-(2**65), 2**65).map(str), st.floats(allow_nan=False).map(repr),
        st.sampled_from(["0", "1", "10 ** 400", "2 ** 2 ** 2 ** 2 ** 2", "'x'", "''", "true", "false", "null",
                         "9" * 400, "1e309", "days(1e12)", "years(10000)"]),
    )
    leaf = st.one_of(literal, st.sampled_from(names))

    def grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", ">=",
                                                      "and", "or"]), children).map(" ".join)
        call = st.tuples(st.sampled_from([*sorted(FUNCTIONS), "if", "__import__", "eval", "open"]),
                         st.lists(children, max_size=3)).map(lambda c: f"{c[0]}({', '.join(c[1])})")
        return st.one_of(binary, call, children.map(lambda e: f"({e})"), children.map(lambda e: f"not {e}"),
                         children.map(lambda e: f"-{e}"), st.tuples(children, st.lists(literal, max_size=3))
                         .map(lambda c: f"{c[0]} in ({', '.join(c[1])})"))

    grammar = st.recursive(leaf, grow, max_leaves=12)
    return st.one_of(grammar, grammar, st.text(max_size=40), grammar.map(lambda e: e + ".__class__"))


_REFERENCES = ("to", "via", "of", "after", "within", "column", "given")


@functools.cache
def _valid_column(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    return from_schema(column_schema(kind))


@st.composite
def _column(draw: st.DrawFn, columns: list[str], tables: list[str], hostile: bool) -> dict[str, Any]:
    """A column: usually one its kind's schema accepts (so that the fuzzer gets past the
    structure checks), with its references and expressions pointed at the spec's own names;
    sometimes real option names with hostile values."""
    kind = draw(st.sampled_from([*KINDS.names(), "nope"]))
    cls = KINDS.get(kind)
    options = sorted(cls.options) if cls is not None else []
    valid = cls is not None and not (hostile and draw(st.booleans()))
    column: dict[str, Any] = draw(_valid_column(kind)) if valid else {"kind": kind}
    chosen = [o for o in column if o in options] if valid else (
        draw(st.lists(st.sampled_from(options), max_size=len(options), unique=True)) if options else [])
    for name in chosen:
        if name in ("expr", "when"):
            column[name] = draw(expressions(columns))
        elif name in _REFERENCES:
            column[name] = draw(st.sampled_from(columns + [f"{t}.{c}" for t in tables for c in columns]))
        elif not valid:
            column[name] = draw(_values())
    if hostile:
        for common in draw(st.lists(st.sampled_from(["null", "unique", "round", "clip", "hidden", "when"]),
                                    max_size=2, unique=True)):
            column[common] = draw(expressions(columns)) if common == "when" else draw(_values(1))
    return column


@st.composite
def spec_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A spec as plain data: one to three tables of one to four columns, with rows, keys,
    constraints and per-parent counts drawn from edge values."""
    tables = draw(st.lists(st.sampled_from(_TABLES), min_size=1, max_size=3, unique=True))
    # Half the specs keep every option inside its schema, so that they reach the compiler and
    # the engine; the others put hostile values anywhere.
    hostile = draw(st.booleans())
    document: dict[str, Any] = {"version": 1, "tables": {}}
    if draw(st.booleans()):
        document["seed"] = draw(_INTEGERS)
    for table in tables:
        columns = draw(st.lists(st.sampled_from(_NAMES), min_size=1, max_size=4, unique=True))
        law = _values(0) if hostile else st.integers(0, 5)
        per_parent = st.fixed_dictionaries(
            {"per": st.sampled_from(tables)},
            optional={"count": law} if draw(st.booleans()) else {
                "kind": st.sampled_from(["poisson", "integers", "normal"]), "lam": law, "low": law, "high": law})
        rows: Any = draw(st.one_of(st.integers(0, 50), _INTEGERS if hostile else st.integers(0, 10**6), per_parent))
        spec: dict[str, Any] = {"rows": rows,
                                "columns": {c: draw(_column(columns, tables, hostile)) for c in columns}}
        if draw(st.booleans()):
            spec["constraints"] = draw(st.lists(expressions(columns), max_size=2))
        if draw(st.booleans()):
            spec["primary_key"] = draw(st.sampled_from(columns))
        if draw(st.booleans()):
            spec["correlations"] = [{"columns": draw(st.lists(st.sampled_from(columns), min_size=2, max_size=2)),
                                     "rho": draw(_values(0) if hostile else st.floats(-1, 1))}]
        document["tables"][table] = spec
    return document


def spec_texts() -> st.SearchStrategy[str]:
    """Spec documents as YAML text (``allow_unicode`` so hostile characters stay themselves)."""
    return spec_documents().map(lambda d: yaml.safe_dump(d, allow_unicode=True, sort_keys=False))


@st.composite
def mutated_yaml(draw: st.DrawFn) -> str:
    """A spec's YAML text with a few characters inserted, deleted or replaced: syntax at the edge
    of valid (indentation, quotes, anchors, tags, control characters)."""
    text = draw(spec_texts())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.one_of(st.sampled_from(["\t", "\n", ":", "- ", "&a ", "*a", "!!python/object ", "'", '"',
                                                "{", "[", "<<: *a\n", "\x00", "\x1b", "\ufeff", "\\ud800", "010",
                                                "1:30", "~", "? "]), st.text(max_size=3)))
        cut = draw(st.integers(0, 3))
        text = text[:at] + piece + text[at + cut:]
    return text
