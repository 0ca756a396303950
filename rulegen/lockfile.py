"""Lock files: the Faker values of a spec, frozen so that output survives Faker upgrades.

``rulegen lock shop.yaml`` writes ``shop.yaml.lock`` next to the spec. It holds, for every
``faker`` column, the values the column draws from: the pool drawn with the run's seed, or, for
a provider that makes one weighted pick from a list (``first_name``), Faker's list and weights.
While that file exists, compiling the spec takes the values from it instead of from Faker, so
the same spec, seed and lock give the same bytes whatever Faker version is installed.

The file is JSON with sorted keys (it diffs well under version control)::

    {"format": 1, "rulegen_version": "0.1.0", "faker_version": "40.5.0", "seed": 42,
     "tables": {"customers": {"first_name": {"provider": "first_name", "args": {},
                "locale": "en_US", "pool": 4096, "distinct": 0, "seed": null, "values": "9c1f..."}}},
     "pools": {"9c1f...": {"encoding": "json", "values": ["James", ...], "weights": [0.0287, ...]}}}

A column names its values by a hash of their content, so columns with the same values store
them once. A column's ``seed`` is null when no seed changes its values (a Faker list).
``encoding`` says how values are written: ``json`` as they are, ``date`` and ``datetime`` as
ISO 8601 text. The versions are a record: a lock made by another rulegen or Faker is used all
the same. A lock that no longer matches the spec (a column missing from it, another provider,
arguments, locale, pool size, seed or uniqueness) is an error that says to lock again.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rulegen.errors import Diagnostic, SpecError
from rulegen.io import outputs
from rulegen.io.inputs import MAX_LOCK_BYTES, InputFileError, read_regular_file
from rulegen.kinds.base import CompileEnv
from rulegen.kinds.text import POOL_SOURCE, Pool, PoolRequest
from rulegen.spec.model import Spec

__all__ = ["FORMAT", "LOCK_SUFFIX", "default_lock_path", "pools_from_lock", "write_lock"]

FORMAT = 1  # the layout of the file; a reader refuses others
LOCK_SUFFIX = ".lock"  # shop.yaml -> shop.yaml.lock
_CODE = "RG230"


def default_lock_path(spec: Spec) -> Path | None:
    """Where the lock file of a spec read from a file lives (None for a spec given as text)."""
    filename = spec.source.filename
    return None if filename == "<spec>" else Path(filename + LOCK_SUFFIX)


# --- writing ------------------------------------------------------------------------------
@dataclass(slots=True)
class _Recorder:
    """A pool source that draws from the installed Faker and remembers what each column got."""

    columns: dict[tuple[str, str], tuple[PoolRequest, Pool]] = field(default_factory=dict)

    def __call__(self, request: PoolRequest, env: CompileEnv) -> Pool:
        pool = request.build()
        self.columns[(request.table, request.column)] = (request, pool)
        return pool


def write_lock(spec: Spec, path: str | Path | None = None, *, seed: int | None = None, scale: float = 1.0,
               rows: Mapping[str, int] | None = None) -> Path:
    """Compile ``spec`` with the installed Faker and write its lock file (atomically).

    Args:
        spec: a spec loaded from a file (or any spec, with ``path``).
        path: where to write; by default next to the spec, ``SPEC.lock``.
        seed, scale, rows: as for generation. Pools are drawn for ``seed``, and a unique
            column's pool holds as many values as it has rows at this ``scale`` and ``rows``.

    Returns:
        The path written.

    Raises:
        SpecError: the spec is invalid.
        OutputError: the file cannot be written.
        ValueError: the spec was given as text and ``path`` is missing.
    """
    from rulegen.plan.compiler import compile_spec

    target = Path(path) if path is not None else default_lock_path(spec)
    if target is None:
        raise ValueError("a spec given as text has no file to put its lock next to: give path=")
    recorder = _Recorder()
    token = POOL_SOURCE.set(recorder)
    try:
        plan = compile_spec(spec, seed=seed, scale=scale, rows=rows)
    finally:
        POOL_SOURCE.reset(token)
    outputs.replace_file(target, render_lock(recorder.columns, plan.seed).encode("utf-8"), "lock file")
    return target


def render_lock(columns: Mapping[tuple[str, str], tuple[PoolRequest, Pool]], seed: int) -> str:
    """The text of a lock file holding ``columns``' pools, made for ``seed``."""
    import faker

    import rulegen

    tables: dict[str, dict[str, Any]] = {}
    pools: dict[str, Any] = {}
    for (table, column), (request, pool) in sorted(columns.items()):
        stored = _encode(pool)
        key = hashlib.sha256(_canonical(stored).encode()).hexdigest()[:16]
        pools[key] = stored
        tables.setdefault(table, {})[column] = {**_identity(request), "seed": request.seed if pool.seeded else None,
                                                "values": key}
    document = {"format": FORMAT, "rulegen_version": rulegen.__version__, "faker_version": faker.VERSION,
                "seed": seed, "tables": tables, "pools": pools}
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _identity(request: PoolRequest) -> dict[str, Any]:
    """What, besides the seed, the values of a column depend on (JSON-normalised)."""
    return {"provider": request.provider, "args": _jsonable(dict(request.args)), "locale": request.locale,
            "pool": request.size, "distinct": request.distinct}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _encode(pool: Pool) -> dict[str, Any]:
    present = [v for v in pool.values if v is not None]
    if present and all(isinstance(v, datetime.datetime) for v in present):
        encoding, values = "datetime", [v if v is None else v.isoformat() for v in pool.values]
    elif present and all(isinstance(v, datetime.date) and not isinstance(v, datetime.datetime) for v in present):
        encoding, values = "date", [v if v is None else v.isoformat() for v in pool.values]
    else:  # a mixed pool becomes text when compiled, so text is what it would have been
        encoding = "json"
        values = [v if v is None or isinstance(v, str | int | float | bool) else str(v) for v in pool.values]
    stored: dict[str, Any] = {"encoding": encoding, "values": values}
    if pool.weights is not None:
        stored["weights"] = list(pool.weights)
    return stored


# --- reading ------------------------------------------------------------------------------
@dataclass(slots=True)
class _Reader:
    """A pool source that serves a lock file's values, reporting columns it does not match."""

    path: Path
    tables: dict[str, dict[str, Any]]
    pools: dict[str, Pool]
    relock: str  # the command that makes a matching lock
    told: set[str] = field(default_factory=set)  # problems said once for all columns (another seed)

    def __call__(self, request: PoolRequest, env: CompileEnv) -> Pool | None:
        entry = self.tables.get(request.table, {}).get(request.column)
        problem = _mismatch(entry, request, self.pools)
        if problem is None:
            return self.pools[entry["values"]]
        if problem not in self.told:
            env.report(_CODE, f"the lock file {self.path} {problem}", request.pointer,
                       hint=f"the lock no longer matches the spec; lock again with `{self.relock}`")
        if problem.startswith("was drawn for seed"):
            self.told.add(problem)
        return None


def _mismatch(entry: Any, request: PoolRequest, pools: Mapping[str, Pool]) -> str | None:
    """Why a lock entry cannot serve ``request``, or None when it can."""
    if not isinstance(entry, dict) or entry.get("values") not in pools:
        return "has no values for this column"
    for name, wanted in _identity(request).items():
        if name != "distinct" and entry.get(name) != wanted:
            return f"was made for {name} {_show(entry.get(name))}, the spec now has {_show(wanted)}"
    seeded, locked = entry.get("seed") is not None, entry.get("distinct", 0)
    if seeded and entry["seed"] != request.seed:
        return f"was drawn for seed {entry['seed']}, this run has seed {request.seed}"
    if (locked > 0) != (request.distinct > 0):
        return f"was made for a {'unique' if locked else 'non-unique'} column"
    if seeded and request.distinct > locked:
        return f"holds {locked:,} distinct values, this run needs {request.distinct:,}"
    return None


def _show(value: Any) -> str:
    return "`" + (value if isinstance(value, str) else _canonical(value)) + "`"


@contextlib.contextmanager
def pools_from_lock(spec: Spec, lock: str | Path | bool | None = None, *, seed: int | None = None,
                    scale: float = 1.0, rows: Mapping[str, int] | None = None) -> Iterator[Path | None]:
    """While compiling ``spec`` inside this context, take Faker values from its lock file.

    Args:
        spec: the spec about to be compiled.
        lock: None (or True) for ``SPEC.lock`` next to the spec when it exists, a path for
            a lock file (which must exist), False for the installed Faker whatever files exist.
        seed, scale, rows: the run's, to tell in diagnostics how to lock again.

    Yields:
        The lock file used, or None.

    Raises:
        SpecError: the lock file cannot be read or is not a rulegen lock.
    """
    default = default_lock_path(spec)
    if lock is None or lock is True:
        # Whatever stands at SPEC.lock is read, so a FIFO or a device there is refused, not skipped.
        path = default if default is not None and (default.exists() or default.is_symlink()) else None
    else:
        path = Path(lock) if lock is not False else None
    if path is None:
        yield None
        return
    relock = "rulegen lock " + (spec.source.filename if default is not None else "SPEC")
    relock += f" --seed {seed}" if seed is not None and seed != spec.seed else ""
    relock += f" --scale {scale:g}" if scale != 1.0 else ""
    relock += "".join(f" --rows {table}={count}" for table, count in (rows or {}).items())
    relock += f" -o {path}" if path != default else ""
    tables, pools = _read(path, spec, relock)
    token = POOL_SOURCE.set(_Reader(path, tables, pools, relock))
    try:
        yield path
    finally:
        POOL_SOURCE.reset(token)


def _read(path: Path, spec: Spec, relock: str) -> tuple[dict[str, dict[str, Any]], dict[str, Pool]]:
    """The columns and pools of a lock file."""

    def fail(reason: str) -> SpecError:
        return SpecError([Diagnostic(_CODE, f"cannot read lock file {path}: {reason}",
                                     hint=f"make one with `{relock}`")], spec.source)

    try:
        document = json.loads(read_regular_file(path, MAX_LOCK_BYTES, "lock file").decode("utf-8"))
    except InputFileError as exc:  # a FIFO, a device, or too big: refused before it is read
        raise SpecError([Diagnostic(exc.code, f"cannot read lock file: {exc.message}",
                                    hint=f"give a lock file that `{relock}` made")], spec.source) from None
    except OSError as exc:
        raise fail(exc.strerror or str(exc)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise fail(f"not JSON ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        raise fail(f"not a rulegen lock of format {FORMAT} (format {_show(found)})")
    try:
        pools = {key: _decode(stored) for key, stored in document["pools"].items()}
        tables = {table: dict(columns) for table, columns in document["tables"].items()}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise fail(f"damaged ({type(exc).__name__}: {exc})") from None
    return tables, pools


def _decode(stored: dict[str, Any]) -> Pool:
    encoding, values = stored["encoding"], list(stored["values"])
    if encoding == "datetime":
        values = [v if v is None else datetime.datetime.fromisoformat(v) for v in values]
    elif encoding == "date":
        values = [v if v is None else datetime.date.fromisoformat(v) for v in values]
    elif encoding != "json":
        raise ValueError(f"unknown encoding {encoding!r}")
    weights = stored.get("weights")
    if weights is not None and len(weights) != len(values):
        raise ValueError(f"{len(weights)} weights for {len(values)} values")
    return Pool(tuple(values), tuple(float(w) for w in weights) if weights is not None else None)
