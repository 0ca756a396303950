"""``rulegen introspect``: read a database's schema and write a spec that fakes its data.

One module per job: :mod:`.sqlite`, :mod:`.postgres`, :mod:`.mysql` and :mod:`.duckdb` read a
catalog (every user schema, or one) into the neutral model of :mod:`.model`; :mod:`.bookkeeping`
finds the framework tables left out; :mod:`.checks` reads CHECK constraints, :mod:`.facts` sorts
what they say, :mod:`.patterns` and :mod:`.exprs` translate the rest; :mod:`.sample` sums up
sampled rows (:mod:`.sensitive` keeps personal values out, :mod:`.counts` fits children per
parent); :mod:`.names`, :mod:`.guesses`, :mod:`.fitting`, :mod:`.types` and :mod:`.kinds` choose
each column's kind; :mod:`.related` orders dates; :mod:`.tables` adds parent links, references and
keys; :mod:`.render` writes the YAML. A translated CHECK the spec's compiler refuses becomes a
comment, so the spec always validates.
"""

from __future__ import annotations

import datetime
import sqlite3
from typing import Any

from rulegen.errors import MessageError

__all__ = ["IntrospectError", "introspect_url"]


class IntrospectError(MessageError):
    """A database could not be read: a bad URL, no server, no tables. Its text is one line."""

    code = "RG520"


def introspect_url(url: str, *, sample: int = 0, schema: str | None = None, today: datetime.date | None = None,
                   allow_values: bool = False, keep_bookkeeping: bool = False) -> str:
    """The spec (YAML text) of the database at ``url``; see :func:`rulegen.introspect`."""
    from rulegen.introspection.bookkeeping import bookkeeping_tables, left_out_comment
    from rulegen.introspection.render import render_spec
    from rulegen.introspection.sample import read_samples
    from rulegen.introspection.tables import choose_links, draft_tables, leave_to_triggers
    from rulegen.io.urls import parse_url

    try:
        target = parse_url(url)
    except ValueError as exc:
        raise IntrospectError(str(exc)) from None
    if sample < 0:
        raise IntrospectError(f"sample must be >= 0, got {sample}")
    if sample and target.dialect in ("mysql", "duckdb"):
        raise IntrospectError(f"{target}: --sample reads SQLite and PostgreSQL databases only (for now)")
    connection, errors = _connect(target)
    try:
        catalog = _read(connection, target, schema)
        left = {} if keep_bookkeeping else bookkeeping_tables(catalog)
        catalog.tables = {name: table for name, table in catalog.tables.items() if name not in left}
        if not catalog.tables:
            where = f" in schema {schema!r}" if target.dialect == "postgresql" and schema else ""
            raise IntrospectError(f"{target}: no tables{where}")
        left_out = leave_to_triggers(catalog)
        links = choose_links(catalog)
        samples = read_samples(connection, catalog, links, sample, allow_values=allow_values) if sample else {}
    except errors as exc:
        raise IntrospectError(f"{target}: {_first_line(exc)}") from None
    finally:
        connection.close()
    drafts = draft_tables(catalog, links, samples, today or datetime.date.today())
    if not drafts:
        raise IntrospectError(f"{target}: no tables with columns")
    text = render_spec(drafts, source=str(target), sample=sample, notes=left_out)
    if _drop_refused_constraints(text, drafts):
        text = render_spec(drafts, source=str(target), sample=sample, notes=left_out)
    if left:  # named in the header, before the spec's first key
        head, _, rest = text.partition("\nversion:")
        text = "\n".join([head, *left_out_comment(left)]) + "\nversion:" + rest
    return text


def _drop_refused_constraints(text: str, drafts: list[Any]) -> bool:
    """Take out of ``drafts`` the constraints (translated CHECKs) that the spec's compiler
    refuses, such as a comparison of a date with text, keeping each as a comment; whether any
    was. The spec then validates as far as its constraints go."""
    import rulegen
    from rulegen.errors import SpecError

    try:
        rulegen.compile(rulegen.load(text))
    except SpecError as exc:
        refused = {}
        for diagnostic in exc.diagnostics:
            parts = diagnostic.pointer.split("/")
            if len(parts) >= 5 and parts[1] == "tables" and parts[3] == "constraints" and parts[4].isdigit():
                name = parts[2].replace("~1", "/").replace("~0", "~")
                refused.setdefault(name, set()).add(int(parts[4]))
        for draft in drafts:
            dropped = [c for i, c in enumerate(draft.constraints) if i in refused.get(draft.name, ())]
            draft.notes = [n for n in draft.notes if not any(n.endswith(f"`{c}`") for c in dropped)]
            draft.notes += [f"not translated: {c} (its types do not match)" for c in dropped]
            draft.constraints = [c for c in draft.constraints if c not in dropped]
        return bool(refused)
    return False


def _connect(target: Any) -> tuple[Any, tuple[type[BaseException], ...]]:
    """A connection and the errors its driver raises."""
    if target.dialect == "sqlite":
        from rulegen.introspection.sqlite import connect_sqlite

        try:
            return connect_sqlite(target.target), (sqlite3.Error,)
        except sqlite3.Error as exc:
            raise IntrospectError(f"{target}: cannot open the database: {_first_line(exc)}") from None
    if target.dialect == "postgresql":
        try:
            import psycopg
        except ImportError:
            raise IntrospectError("reading PostgreSQL needs psycopg: pip install 'rulegen[postgresql]'") from None
        from rulegen.introspection.postgres import connect_postgres

        try:
            return connect_postgres(target.target), (psycopg.Error,)
        except psycopg.Error as exc:
            raise IntrospectError(f"{target}: cannot connect: {_first_line(exc)}") from None
    if target.dialect == "mysql":
        try:
            import pymysql
        except ImportError:
            raise IntrospectError("reading MySQL needs PyMySQL: pip install 'rulegen[mysql]'") from None
        from rulegen.introspection.mysql import connect_mysql_reader

        try:
            return connect_mysql_reader(target.target), (pymysql.Error,)
        except (pymysql.Error, ValueError) as exc:
            raise IntrospectError(f"{target}: cannot connect: {_first_line(exc)}") from None
    try:
        import duckdb
    except ImportError:
        raise IntrospectError("reading DuckDB needs duckdb: pip install 'rulegen[duckdb]'") from None
    from rulegen.introspection.duckdb import connect_duckdb

    try:
        return connect_duckdb(target.target), (duckdb.Error,)
    except duckdb.Error as exc:
        raise IntrospectError(f"{target}: cannot open the database: {_first_line(exc)}") from None


def _read(connection: Any, target: Any, schema: str | None) -> Any:
    if target.dialect == "sqlite":
        from rulegen.introspection.sqlite import read_sqlite

        return read_sqlite(connection, str(target))
    if target.dialect == "mysql":
        from rulegen.introspection.mysql import read_mysql

        return read_mysql(connection, str(target))
    if target.dialect == "duckdb":
        from rulegen.introspection.duckdb import read_duckdb

        return read_duckdb(connection, str(target))
    from rulegen.introspection.postgres import read_postgres

    return read_postgres(connection, str(target), schema)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
