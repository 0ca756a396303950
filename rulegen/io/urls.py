"""Database URLs: ``sqlite:///path.db``, ``postgresql://user@host/db``, ``duckdb:///path.duckdb``,
``mysql://user:password@host:port/db``.

SQLAlchemy's spelling, so users can paste what they already have. A relative SQLite or DuckDB
path follows three slashes (``sqlite:///dev.db``), an absolute one four (``sqlite:////tmp/dev.db``);
``sqlite://`` alone is an in-memory database. PostgreSQL URLs go to libpq as they are (so
``?host=/tmp/sockets`` reaches a unix socket, and ``?options=-csearch_path%3Dshop`` makes ``shop``
the schema tables go into); ``postgres://`` and ``postgresql+psycopg://`` are accepted too.
MySQL and MariaDB URLs (``mysql://``, ``mariadb://``, ``mysql+pymysql://``) name a database, and
reach a unix socket with ``?unix_socket=/path``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["DIALECTS", "DatabaseUrl", "parse_url"]

DIALECTS = ("sqlite", "postgresql", "duckdb", "mysql")

_SCHEMES = {"sqlite": "sqlite", "postgresql": "postgresql", "postgres": "postgresql",
            "postgresql+psycopg": "postgresql", "duckdb": "duckdb", "mysql": "mysql", "mariadb": "mysql",
            "mysql+pymysql": "mysql"}


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """Where a database is.

    Attributes:
        dialect: ``sqlite``, ``postgresql``, ``duckdb`` or ``mysql``.
        target: the file path (``:memory:`` for an in-memory SQLite or DuckDB), or the libpq
            connection URL for PostgreSQL, or the ``mysql://`` URL.
    """

    dialect: str
    target: str

    def __str__(self) -> str:
        """The URL with any password hidden, for messages."""
        if self.dialect not in ("postgresql", "mysql"):
            return f"{self.dialect}:///{self.target}"
        parts = urlsplit(self.target)
        if parts.password is None:
            return self.target
        return self.target.replace(f":{parts.password}@", ":***@", 1)


def parse_url(url: str) -> DatabaseUrl:
    """The dialect and target of ``url``.

    Raises:
        ValueError: the scheme is not one rulegen knows, or the URL names no database.
    """
    scheme, sep, rest = url.partition("://")
    dialect = _SCHEMES.get(scheme.lower()) if sep else None
    if dialect is None:
        known = ", ".join(f"{d}://" for d in DIALECTS)
        raise ValueError(f"unknown database URL {url!r}: use {known}")
    if dialect == "postgresql":
        return DatabaseUrl(dialect, "postgresql://" + rest)
    if dialect == "mysql":
        return DatabaseUrl(dialect, "mysql://" + rest)
    if rest in ("", "/"):
        return DatabaseUrl(dialect, ":memory:")
    if not rest.startswith("/"):
        raise ValueError(f"{url!r}: a {dialect} URL is {dialect}:///relative/path or {dialect}:////absolute/path")
    return DatabaseUrl(dialect, rest[1:])
