"""Nothing in the project refers to a path outside it: a clone must hold everything it links.

The shipped parts (README, docs, benchmarks, the package, schemas, examples) may not name the
folder the project was developed in, a sibling folder, or documents that lived beside it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

SHIPPED = ["README.md", "BENCHMARKS.md", "docs", "benchmarks", "rulegen", "schemas", "examples"]
OUTSIDE = re.compile(r"\.\./shared|/work/|shared/(?:SPEC|DESIGN|STYLE)\.md|shared/benchmarks")
BINARY = {".parquet", ".png", ".db", ".duckdb", ".pyc", ".gz", ".zip"}


def _tracked_files() -> list[Path]:
    """The shipped files git tracks (every file under them when git is not at hand)."""
    try:
        listed = subprocess.run(["git", "ls-files", "--", *SHIPPED], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.split("\n")
        files = [ROOT / name for name in listed if name]
    except (OSError, subprocess.CalledProcessError):
        files = [p for name in SHIPPED for p in ([ROOT / name] if (ROOT / name).is_file()
                                                 else (ROOT / name).rglob("*"))]
    return [p for p in files if p.is_file() and p.suffix not in BINARY]


def test_the_files_checked_include_the_docs_and_the_package():
    names = {p.relative_to(ROOT).as_posix() for p in _tracked_files()}
    assert {"README.md", "docs/spec.md", "rulegen/docs.py", "benchmarks/run.py"} <= names


@pytest.mark.parametrize("line", ["see ../shared/SPEC.md", "at /work/main/x", "shared/DESIGN.md",
                                  "shared/benchmarks/WORKLOAD.md", "[x](../../shared/STYLE.md)"])
def test_the_pattern_finds_outside_paths(line):
    assert OUTSIDE.search(line)


@pytest.mark.parametrize("line", ["docs/language.md", "benchmarks/WORKLOADS.md", "shared memory",
                                  "the shared/exclusive lock"])
def test_the_pattern_spares_inside_paths(line):
    assert not OUTSIDE.search(line)


def test_no_shipped_file_refers_to_a_path_outside_the_project():
    found = []
    for path in _tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            match = OUTSIDE.search(line)
            if match:
                found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    assert not found, "paths outside the project:\n" + "\n".join(found)
