"""What Faker tells a run, kept on disk: its locales, its providers per locale, and its pools.

Importing Faker and making a ``Faker(locale)`` takes 0.1-0.3 s, and drawing a pool of 4,096
composite values (``user_name``, ``address``) as long again; a spec that is validated on every
save or generated for every test pays it each time, for the same answer. Those answers depend
only on what this module puts in their key: the versions of Faker, Python (Faker draws with the
``random`` module) and rulegen, and the request itself (locale, provider, arguments, pool size,
distinct values, the pool's seed). So they are kept, one file each, under the user's cache
folder, and a run that finds them does not import Faker at all.

* Where: ``$RULEGEN_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/rulegen``, else the platform's
  cache folder (``~/.cache/rulegen`` on Linux); a subfolder ``faker``. ``RULEGEN_NO_CACHE=1``
  turns the cache off.
* Each file is written to a temporary name and renamed, so a reader never sees half of one.
  Its first line is a BLAKE2 digest of the rest, and the rest holds its key: a file that is
  damaged, foreign or stale is ignored (and replaced by the next run).
* The folder holds at most :data:`MAX_BYTES`; past that, the files used least recently go.
* Values that JSON cannot give back as they were (a datetime with a zone other than UTC, dates
  mixed with text) are not kept: the run draws them again. Output is the same bytes either way.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import importlib.util
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["MAX_BYTES", "cache_dir", "faker_version", "remembered", "restore_values", "stored_values"]

FORMAT = 1  # the layout of a file; part of every key
MAX_BYTES = 128 << 20  # the most the folder holds
_MAX_ENTRY = MAX_BYTES // 8  # a larger answer is not kept
_DIGEST = 16  # bytes of the BLAKE2b digest on each file's first line
_T = TypeVar("_T")


def cache_dir() -> Path | None:
    """The folder of Faker's answers, or None when the cache is off (``RULEGEN_NO_CACHE``)."""
    if os.environ.get("RULEGEN_NO_CACHE", "") not in ("", "0"):
        return None
    root = os.environ.get("RULEGEN_CACHE_DIR") or ""
    if not root:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        if xdg:
            root = os.path.join(xdg, "rulegen")
        elif sys.platform == "win32":
            root = os.path.join(os.environ.get("LOCALAPPDATA") or os.path.expanduser("~"), "rulegen", "Cache")
        elif sys.platform == "darwin":
            root = os.path.expanduser("~/Library/Caches/rulegen")
        else:
            root = os.path.expanduser("~/.cache/rulegen")
    return Path(root) / "faker"


def faker_version() -> str | None:
    """The installed Faker's version, read without importing Faker (None when it is not found).

    Faker's ``__init__`` states it as ``VERSION = "..."``; package metadata, slower to read,
    is the fallback.
    """
    if "faker" in sys.modules:
        return str(getattr(sys.modules["faker"], "VERSION", "")) or None
    try:
        spec = importlib.util.find_spec("faker")
        if spec is not None and spec.origin:
            found = re.search(r'^VERSION\s*=\s*["\']([^"\']+)["\']', Path(spec.origin).read_text("utf-8"), re.M)
            if found:
                return found.group(1)
        from importlib.metadata import version

        return version("faker")
    except Exception:  # no Faker, or an unreadable one: nothing is cached
        return None


def remembered(part: str, key: dict[str, Any], build: Callable[[], _T], encode: Callable[[_T], Any],
               decode: Callable[[Any], _T]) -> _T:
    """The answer kept for ``key``, or ``build()``'s, kept for next time.

    Args:
        part: what the answer is (``locales``, ``providers``, ``pool``), part of the key.
        key: everything the answer depends on besides the versions this module adds.
        build: makes the answer (with Faker).
        encode: the answer as JSON data, or None when it cannot be kept exactly.
        decode: the answer back from that data; any exception means the file is ignored.
    """
    folder = cache_dir()
    version = faker_version() if folder is not None else None
    if folder is None or version is None:
        return build()
    import rulegen

    full = {"format": FORMAT, "part": part, "faker": version, "rulegen": rulegen.__version__,
            "python": list(sys.version_info[:2]), **key}
    text = json.dumps(full, sort_keys=True, default=repr)  # dates and tuples keep their type in repr
    path = folder / f"{part}-{hashlib.sha256(text.encode()).hexdigest()[:40]}.json"
    found = _read(path, text)
    if found is not None:
        try:
            return decode(found)
        except Exception:  # a file of the right key but the wrong shape: make the answer again
            pass
    answer = build()
    data = encode(answer)
    if data is not None:
        _write(folder, path, text, data)
    return answer


def _read(path: Path, key: str) -> Any:
    """The data of the file at ``path`` if it is whole and was written for ``key``, else None."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head, _, body = raw.partition(b"\n")
    if head != hashlib.blake2b(body, digest_size=_DIGEST).hexdigest().encode():
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return None
    if not isinstance(document, dict) or document.get("key") != key:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # used now: the last to go when the folder is full
    return document.get("data")


def _write(folder: Path, path: Path, key: str, data: Any) -> None:
    """Keep ``data`` at ``path``, atomically; any failure leaves the cache as it was."""
    body = json.dumps({"key": key, "data": data}, separators=(",", ":")).encode()
    if len(body) > _MAX_ENTRY:
        return
    raw = hashlib.blake2b(body, digest_size=_DIGEST).hexdigest().encode() + b"\n" + body
    temporary = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            file.write(raw)
        os.replace(temporary, path)
        temporary = None
        _trim(folder)
    except OSError:
        pass
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _trim(folder: Path) -> None:
    """Remove the least recently used files until the folder holds 3/4 of :data:`MAX_BYTES`."""
    entries = []
    for entry in os.scandir(folder):
        if entry.name.endswith(".json") and entry.is_file(follow_symlinks=False):
            stat = entry.stat(follow_symlinks=False)
            entries.append((stat.st_mtime_ns, stat.st_size, entry.path))
    total = sum(size for _, size, _ in entries)
    if total <= MAX_BYTES:
        return
    for _, size, name in sorted(entries):
        if total <= MAX_BYTES * 3 // 4:
            break
        with contextlib.suppress(OSError):
            os.unlink(name)
            total -= size


# --- values -------------------------------------------------------------------------------
_UTC = datetime.UTC


def stored_values(values: Sequence[Any]) -> dict[str, Any] | None:
    """Faker values as JSON data that gives each back equal and of the same type; None when
    they are not (dates mixed with other types, datetimes with a zone other than UTC or a fold)."""
    present = [v for v in values if v is not None]
    types = {type(v) for v in present}
    if types <= {str, int, float, bool}:  # JSON keeps 1, 1.0 and true apart
        return {"encoding": "json", "values": list(values)}
    if types == {datetime.date}:
        return {"encoding": "date", "values": [None if v is None else v.isoformat() for v in values]}
    if types == {datetime.datetime} and all(v.tzinfo in (None, _UTC) and not v.fold for v in present):
        return {"encoding": "datetime", "values": [None if v is None else v.isoformat() for v in values]}
    return None


def restore_values(data: dict[str, Any]) -> tuple[Any, ...]:
    """The values :func:`stored_values` kept (raises on data of another shape)."""
    encoding, values = data["encoding"], data["values"]
    if not isinstance(values, list):
        raise ValueError("values are not a list")
    if encoding == "json":
        return tuple(values)
    parse = {"date": datetime.date.fromisoformat, "datetime": datetime.datetime.fromisoformat}[encoding]
    return tuple(None if v is None else parse(v) for v in values)
