"""The manifest ``generate`` writes next to the data, and ``check`` reads back.

``rulegen-manifest.json`` says how the files were made: the seed (the spec's or ``--seed``),
the scale, the ``--rows`` overrides and ``--max-bytes``, the format, the rulegen and Faker versions, a digest of the
spec's text, and each table's file and row count. ``check`` takes the seed, scale and rows from
it when it is not told them, so a user never repeats what ``generate`` had.

The manifest holds no time and no absolute path: the same spec, seed and options write the
same bytes, manifest included. It is published with the tables, all or none.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rulegen.io.inputs import InputFileError, read_regular_file

__all__ = ["MANIFEST_NAME", "Manifest", "ManifestError", "read_manifest", "spec_digest", "versions"]

MANIFEST_NAME = "rulegen-manifest.json"
MANIFEST_VERSION = 1
_MAX_BYTES = 4 << 20  # a manifest lists tables and counts: a few KiB even for thousands of tables


class ManifestError(ValueError):
    """A manifest that cannot be read or does not hold what ``generate`` writes."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a manifest records."""

    seed: int
    scale: float
    rows: Mapping[str, int]  # the --rows overrides
    format: str
    spec_sha256: str
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # name -> {file, rows}
    versions: Mapping[str, str] = field(default_factory=dict)
    max_bytes: int | None = None  # the --max-bytes the run had, if any

    def to_bytes(self) -> bytes:
        """The manifest as written: JSON, keys sorted, one value per line."""
        document = {"manifest": MANIFEST_VERSION, "seed": self.seed, "scale": self.scale, "rows": dict(self.rows),
                    "max_bytes": self.max_bytes,
                    "format": self.format, "spec_sha256": self.spec_sha256, "versions": dict(self.versions),
                    "tables": {name: dict(entry) for name, entry in self.tables.items()}}
        return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def spec_digest(text: str) -> str:
    """The SHA-256 of a spec's text, as a manifest records it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def versions() -> dict[str, str]:
    """The versions of rulegen and Faker, which together decide the values."""
    import rulegen
    from rulegen.kinds.faker_cache import faker_version  # (read without importlib.metadata's 20-40 ms)

    return {"rulegen": rulegen.__version__, "faker": faker_version() or "not installed"}


def read_manifest(directory: Path) -> Manifest | None:
    """The manifest in ``directory``, or None when there is none.

    Raises:
        ManifestError: it is there but is not a regular file, too large, not JSON, or does not
            hold a seed, a scale and row counts of the right types.
    """
    path = Path(directory) / MANIFEST_NAME
    if not path.exists() and not path.is_symlink():
        return None
    try:
        document = json.loads(read_regular_file(path, _MAX_BYTES, "manifest").decode("utf-8"))
    except (InputFileError, OSError) as exc:
        raise ManifestError(f"{path} cannot be read: {exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ManifestError(f"{path} is not a manifest rulegen wrote: {exc}") from None
    problem = _shape_problem(document)
    if problem:
        raise ManifestError(f"{path} is not a manifest rulegen wrote: {problem}")
    return Manifest(seed=document["seed"], scale=float(document["scale"]), rows=document["rows"],
                    format=document.get("format", ""), spec_sha256=document.get("spec_sha256", ""),
                    tables=document.get("tables", {}), versions=document.get("versions", {}),
                    max_bytes=document.get("max_bytes"))


def _shape_problem(document: Any) -> str:
    """What is wrong with a parsed manifest, or ""."""
    if not isinstance(document, dict):
        return "not a JSON object"
    seed, scale, rows = document.get("seed"), document.get("scale"), document.get("rows")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**64:
        return f"seed {seed!r} is not an integer from 0 to 2**64 - 1"
    if not isinstance(scale, int | float) or isinstance(scale, bool) or not math.isfinite(scale) or scale <= 0:
        return f"scale {scale!r} is not a positive number"
    if not isinstance(rows, dict) or not all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
                                             and v >= 0 for k, v in rows.items()):
        return "rows is not a mapping of table names to row counts"
    if not isinstance(document.get("tables", {}), dict):
        return "tables is not a mapping of table names to their files"
    limit = document.get("max_bytes")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        return f"max_bytes {limit!r} is not a positive integer"
    return ""
