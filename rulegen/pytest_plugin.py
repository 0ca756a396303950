"""A pytest plugin: fake data from a rulegen spec in any test, generated once per suite.

Installing rulegen registers it (the ``pytest11`` entry point ``rulegen``; ``-p no:rulegen``
turns it off). Two fixtures, each a factory, need no import::

    def test_revenue(rulegen_data):
        data = rulegen_data("schemas/shop.yaml", seed=1, scale=0.01)  # {table: DataFrame}
        assert data["orders"]["items_total"].ge(0).all()

    def test_report(rulegen_db):
        url = rulegen_db("schemas/shop.yaml", seed=1, scale=0.01)  # a seeded database, dropped after

``rulegen_data(spec, *, seed=None, scale=1.0, rows=None)`` returns every table as a DataFrame,
exactly what ``rulegen.generate`` returns (same values, same dtypes). Datasets are cached in
pytest's cache folder (``.pytest_cache/d/rulegen``), one Parquet file per table, keyed by the
spec file's bytes (and its lock file's), ``seed``, ``scale``, ``rows`` and the rulegen and Faker
versions, and checked against
the bytes of the files the spec samples from: a suite of many tests, and every later run,
generates a dataset once. Each call returns fresh frames, so a test may change them.
``pytest --cache-clear`` empties the cache.

``rulegen_db(spec, *, seed=None, scale=1.0, rows=None)`` creates a database, loads the spec's
tables into it (``rulegen.seed_database``) and returns its URL: a SQLite file in the test's
``tmp_path`` by default (``sqlite:////tmp/.../shop.db``), or, with ``--rulegen-db-url
postgresql://...``, a fresh database ``rulegen_test_<random>`` on that server (the URL names a
database to connect to for ``CREATE DATABASE``; PostgreSQL 13 or later). Either is removed
when the test ends (``DROP DATABASE ... WITH (FORCE)`` on PostgreSQL).

A relative spec path is looked up next to the test file first, then in pytest's rootdir.

``--rulegen-seed N`` reruns a suite on other data: it is the seed of every call that passes no
``seed`` (instead of the spec's own ``seed:``); calls with an explicit ``seed=`` keep theirs, so
a test that pins its data stays pinned. The session header shows ``rulegen: seed=N
(--rulegen-seed)``, and the summary counts the datasets generated and read from the cache.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

import rulegen

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from rulegen.spec.model import Spec

__all__ = ["CacheStats", "DataCache", "DataFactory", "DatabaseFactory", "resolve_spec"]

# Bump when the layout of a cache entry changes: old entries are then simply not found.
_CACHE_FORMAT = 1
# Parquet stores `timestamp[s]` as milliseconds; the exact Arrow schema, kept under this key in
# each file's metadata, casts the columns back so the frames have generate()'s dtypes.
_SCHEMA_KEY = b"rulegen:schema"
_META = "meta.json"  # written last: an entry folder without it is incomplete

_STATE = pytest.StashKey["_SessionState"]()


@dataclass
class CacheStats:
    """What the cache did this session: datasets generated, read from disk, reused from memory."""

    generated: int = 0
    read: int = 0
    reused: int = 0

    def render(self) -> str:
        """``1 dataset generated, 3 read from the cache``."""
        made = f"{self.generated} dataset{'s' * (self.generated != 1)} generated"
        return f"{made}, {self.read + self.reused} read from the cache"


class DataCache:
    """Datasets by (spec bytes, seed, scale, rows, rulegen version), on disk and in memory.

    ``directory=None`` keeps them in memory only (pytest without its cache plugin). Entries are
    folders ``<key>/`` holding ``<n>.parquet`` per table and ``meta.json``, written under a
    temporary name and renamed into place, so a reader never sees half an entry and parallel
    sessions (pytest-xdist) may race harmlessly: both write the same bytes.
    """

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.stats = CacheStats()
        self._memory: dict[str, tuple[dict[str, Any], dict[str, pa.Table]]] = {}

    def load(
        self, spec: str | os.PathLike[str], *, seed: int | None = None, scale: float = 1.0,
        rows: Mapping[str, int] | None = None,
    ) -> dict[str, pd.DataFrame]:
        """Every table of the spec file as a fresh DataFrame, generated only on a cache miss.

        Raises:
            FileNotFoundError: there is no such spec file.
            SpecError, GenerationError: as ``rulegen.generate`` (a miss with a bad spec).
        """
        path = Path(spec).resolve()
        lock = path.with_name(path.name + ".lock")  # a lock file freezes the spec's Faker values
        key = entry_key(path.read_bytes() + (lock.read_bytes() if lock.exists() else b""), seed=seed, scale=scale,
                        rows=rows)
        tables = self._lookup(key, path)
        if tables is None:
            tables = self._generate(key, path, seed=seed, scale=scale, rows=rows)
        return {name: table.to_pandas() for name, table in tables.items()}

    def _lookup(self, key: str, spec_path: Path) -> dict[str, pa.Table] | None:
        if key in self._memory:
            meta, tables = self._memory[key]
            if _samples_unchanged(meta, spec_path):
                self.stats.reused += 1
                return tables
            del self._memory[key]
        entry = self._entry(key)
        if entry is None:
            return None
        try:
            meta = json.loads((entry / _META).read_text(encoding="utf-8"))
            if not _samples_unchanged(meta, spec_path):
                return None
            tables = {name: _read_table(entry / f"{i}.parquet") for i, name in enumerate(meta["tables"])}
        except (OSError, ValueError, KeyError):
            return None  # an entry from an older or broken run: generate it again
        self._memory[key] = (meta, tables)
        self.stats.read += 1
        return tables

    def _generate(
        self, key: str, spec_path: Path, *, seed: int | None, scale: float, rows: Mapping[str, int] | None,
    ) -> dict[str, pa.Table]:
        import pyarrow as pa

        spec = rulegen.load(spec_path)
        # Fingerprint the sampled files before generating: were one to change meanwhile, the
        # entry would claim the new bytes for data made from the old ones.
        meta = {
            "tables": list(spec.tables),
            "spec": str(spec_path),
            "seed": seed,
            "scale": scale,
            "rows": dict(rows) if rows else None,
            "rulegen": rulegen.__version__,
            "samples": {text: _fingerprint(spec_path.parent / text) for text in sampled_files(spec)},
        }
        frames = rulegen.generate(spec, seed=seed, scale=scale, rows=rows)
        tables = {}
        for name, frame in frames.items():
            table = pa.Table.from_pandas(frame, preserve_index=False)
            extra = {_SCHEMA_KEY: base64.b64encode(table.schema.serialize().to_pybytes())}
            tables[name] = table.replace_schema_metadata({**(table.schema.metadata or {}), **extra})
        meta["tables"] = list(tables)
        self._store(key, meta, tables)
        self._memory[key] = (meta, tables)
        self.stats.generated += 1
        return tables

    def _entry(self, key: str) -> Path | None:
        if self.directory is None:
            return None
        entry = self.directory / key
        return entry if (entry / _META).is_file() else None

    def _store(self, key: str, meta: dict[str, Any], tables: Mapping[str, pa.Table]) -> None:
        import pyarrow.parquet as pq

        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.directory / f".tmp-{key}-{uuid.uuid4().hex[:8]}"
        temporary.mkdir()
        try:
            for i, table in enumerate(tables.values()):
                pq.write_table(table, temporary / f"{i}.parquet")
            (temporary / _META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
            final = self.directory / key
            if final.exists():  # stale (a sampled file changed): move it aside, then replace it
                stale = self.directory / f".old-{key}-{uuid.uuid4().hex[:8]}"
                with contextlib.suppress(OSError):
                    final.rename(stale)
                shutil.rmtree(stale, ignore_errors=True)
            with contextlib.suppress(OSError):  # lost a race with a parallel session: its entry is as good
                temporary.rename(final)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)


def entry_key(spec_bytes: bytes, *, seed: int | None, scale: float, rows: Mapping[str, int] | None) -> str:
    """The cache key of a dataset: a hash of what decides its bytes (sampled files aside): the
    spec (and its lock file), seed, scale, rows, and the rulegen and Faker versions."""
    from importlib.metadata import version

    parts = {
        "format": _CACHE_FORMAT,
        "rulegen": rulegen.__version__,
        "faker": version("faker"),
        "spec": hashlib.sha256(spec_bytes).hexdigest(),
        "seed": seed,
        "scale": repr(float(scale)),
        "rows": sorted((str(k), int(v)) for k, v in rows.items()) if rows else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def sampled_files(spec: Spec) -> list[str]:
    """The data files a spec's ``sample`` columns and ``sample_rows`` read, as written in it."""
    found = []
    for table in spec.tables.values():
        if table.sample_rows:
            found.append(table.sample_rows)
        found += [c.options["from"] for c in table.columns.values() if c.kind == "sample" and c.options.get("from")]
    return sorted(set(found))


def _fingerprint(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None  # generate() reports it, with the spec's line and column
    stat = path.stat()
    return {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns}


def _samples_unchanged(meta: Mapping[str, Any], spec_path: Path) -> bool:
    """Every sampled file still has the bytes it had (size and time first: hashing is the slow way)."""
    for text, known in meta.get("samples", {}).items():
        path = spec_path.parent / text
        if known is None:
            return False
        try:
            stat = path.stat()
            if (stat.st_size, stat.st_mtime_ns) == (known["size"], known["mtime_ns"]):
                continue
            if hashlib.sha256(path.read_bytes()).hexdigest() != known["sha256"]:
                return False
        except OSError:
            return False
    return True


def _read_table(path: Path) -> pa.Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(table.schema.metadata[_SCHEMA_KEY])))
    return table.cast(schema)


def resolve_spec(spec: str | os.PathLike[str], test_path: Path | None, rootdir: Path) -> Path:
    """The spec file a fixture call names: absolute, or next to the test file, or in the rootdir.

    Raises:
        TypeError: ``spec`` is not a path.
        FileNotFoundError: no such file in either place (the message lists both).
    """
    if not isinstance(spec, str | os.PathLike):
        raise TypeError(f"spec must be the path of a spec file, got {type(spec).__name__}")
    path = Path(spec)
    if path.is_absolute():
        candidates = [path]
    else:
        candidates = ([test_path.parent / path] if test_path is not None else []) + [rootdir / path]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"no spec file {str(spec)!r} (looked for {tried})")


class _SessionState:
    """The plugin's options and cache for one pytest session (kept in ``config.stash``)."""

    def __init__(self, config: pytest.Config) -> None:
        self.seed: int | None = config.getoption("rulegen_seed")
        self.server_url: str | None = config.getoption("rulegen_db_url")
        self.databases = 0
        self._config = config
        self._cache: DataCache | None = None

    @property
    def cache(self) -> DataCache:
        """The session's data cache, made (with its folder) by the first test that asks."""
        if self._cache is None:
            cache = getattr(self._config, "cache", None)  # absent with -p no:cacheprovider: memory only
            self._cache = DataCache(cache.mkdir("rulegen") if cache is not None else None)
        return self._cache

    def summary(self) -> str | None:
        """``rulegen: 1 dataset generated, 3 read from the cache, 1 database seeded``, if any."""
        if self._cache is None and not self.databases:
            return None
        line = f"rulegen: {(self._cache.stats if self._cache else CacheStats()).render()}"
        if self.databases:
            line += f", {self.databases} database{'s' * (self.databases != 1)} seeded"
        return line


class DataFactory:
    """The ``rulegen_data`` fixture: call it with a spec path to get its tables as DataFrames."""

    def __init__(self, state: _SessionState, test_path: Path | None, rootdir: Path) -> None:
        self._state = state
        self._test_path = test_path
        self._rootdir = rootdir

    @property
    def seed(self) -> int | None:
        """The seed of calls that pass none: ``--rulegen-seed``, or None for each spec's own."""
        return self._state.seed

    def __call__(
        self, spec: str | os.PathLike[str], *, seed: int | None = None, scale: float = 1.0,
        rows: Mapping[str, int] | None = None,
    ) -> dict[str, pd.DataFrame]:
        """Every table of ``spec`` as a DataFrame: ``rulegen.generate(spec, seed, scale, rows=rows)``, cached."""
        path = resolve_spec(spec, self._test_path, self._rootdir)
        return self._state.cache.load(path, seed=self.seed if seed is None else seed, scale=scale, rows=rows)

    def __repr__(self) -> str:
        return f"<rulegen_data seed={self.seed}>"


class DatabaseFactory:
    """The ``rulegen_db`` fixture: call it with a spec path to get the URL of a seeded database."""

    def __init__(self, state: _SessionState, test_path: Path | None, rootdir: Path, tmp_path: Path) -> None:
        self._state = state
        self._test_path = test_path
        self._rootdir = rootdir
        self._tmp_path = tmp_path
        self._cleanups: list[Any] = []
        self._names = itertools.count(1)

    @property
    def seed(self) -> int | None:
        """The seed of calls that pass none: ``--rulegen-seed``, or None for each spec's own."""
        return self._state.seed

    def __call__(
        self, spec: str | os.PathLike[str], *, seed: int | None = None, scale: float = 1.0,
        rows: Mapping[str, int] | None = None,
    ) -> str:
        """Create a database, load ``spec``'s tables into it and return its URL (removed after the test).

        Raises:
            OutputError: the database cannot be created or refuses the data.
        """
        path = resolve_spec(spec, self._test_path, self._rootdir)
        if self._state.server_url:
            url = self._postgres_database()
        else:
            number = next(self._names)
            file = self._tmp_path / (f"{path.stem}.db" if number == 1 else f"{path.stem}-{number}.db")
            self._cleanups.append(lambda: file.unlink(missing_ok=True))
            url = f"sqlite:///{file}"
        rulegen.seed_database(path, url, seed=self.seed if seed is None else seed, scale=scale, rows=rows)
        self._state.databases += 1
        return url

    def _postgres_database(self) -> str:
        import psycopg

        server = self._state.server_url
        assert server is not None
        name = f"rulegen_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(server, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        self._cleanups.append(drop)
        return database_url(server, name)

    def close(self) -> None:
        """Remove every database this factory made (the newest first)."""
        while self._cleanups:
            self._cleanups.pop()()

    def __repr__(self) -> str:
        return f"<rulegen_db seed={self.seed} on {'PostgreSQL' if self._state.server_url else 'SQLite'}>"


def database_url(server_url: str, name: str) -> str:
    """``server_url`` (a ``postgresql://`` URL) pointing at database ``name`` instead."""
    parts = urlsplit(server_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "dbname" for key, _ in query):  # a dbname parameter would win over the path
        parts = parts._replace(query=urlencode([(k, v) for k, v in query if k != "dbname"], safe="/"))
    return urlunsplit(parts._replace(path="/" + name))


def _hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)))


# -- hooks --------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rulegen", "rulegen fake data")
    group.addoption("--rulegen-seed", type=int, default=None, metavar="N",
                    help="seed of every rulegen_data/rulegen_db call that passes no seed (default: the spec's own)")
    group.addoption("--rulegen-db-url", default=None, metavar="URL",
                    help="PostgreSQL server for rulegen_db: a fresh database per call, dropped after the test "
                         "(default: a SQLite file in tmp_path)")


def pytest_configure(config: pytest.Config) -> None:
    server = config.getoption("rulegen_db_url")
    if server and not server.startswith(("postgresql://", "postgres://")):
        raise pytest.UsageError(f"--rulegen-db-url takes a postgresql:// URL, got {server!r}")
    config.stash[_STATE] = _SessionState(config)


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = config.stash[_STATE]
    if state.seed is not None:
        lines = [f"rulegen: seed={state.seed} (--rulegen-seed)"]
    else:
        lines = ["rulegen: seed=each spec's own (--rulegen-seed N to change)"]
    if state.server_url:
        lines.append(f"rulegen: databases on {_hide_password(state.server_url)} (--rulegen-db-url)")
    return lines


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    line = state.summary() if state is not None else None
    if line:
        terminalreporter.write_line(line)


@pytest.fixture
def rulegen_data(request: pytest.FixtureRequest) -> DataFactory:
    """A factory: ``rulegen_data(spec, *, seed=None, scale=1.0, rows=None)`` gives the spec's
    tables as DataFrames (``rulegen.generate``'s), cached on disk across tests and runs."""
    return DataFactory(request.config.stash[_STATE], _test_path(request), request.config.rootpath)


@pytest.fixture
def rulegen_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseFactory]:
    """A factory: ``rulegen_db(spec, *, seed=None, scale=1.0, rows=None)`` seeds a new database
    (SQLite in ``tmp_path``, or on ``--rulegen-db-url``) and returns its URL; removed after the test."""
    factory = DatabaseFactory(request.config.stash[_STATE], _test_path(request), request.config.rootpath, tmp_path)
    try:
        yield factory
    finally:
        factory.close()


def _test_path(request: pytest.FixtureRequest) -> Path | None:
    try:
        return Path(request.node.path)
    except AttributeError:
        return None
