"""Hostile specs that ask for unbounded time or memory: each run ends promptly with a located
message (exit 1) or a bounded result (exit 0), never killed by the limits of the harness.

Every run is ``python -m rulegen`` in a subprocess with 1 GiB of address space and 10 s of CPU
(``resource`` limits set in ``preexec_fn``): a run that passes them is killed by a signal, and
the test fails on its negative exit code. No speed is asserted, only the limits.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MEMORY = 1 << 30
CPU_SECONDS = 10
LOCATED = re.compile(r"^\S+\.yaml:\d+:\d+: error\[RG\d+\] ", re.MULTILINE)


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "rulegen", *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, preexec_fn=_limits, timeout=6 * CPU_SECONDS)


def _ends_cleanly(result: subprocess.CompletedProcess[str], code: int | None = None) -> None:
    assert result.returncode in (0, 1), f"killed or crashed ({result.returncode}):\n{result.stderr[-2000:]}"
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr[-2000:]
    if result.returncode == 1:
        assert LOCATED.search(result.stderr), f"no located message:\n{result.stderr[-2000:]}"
    if code is not None:
        assert result.returncode == code, result.stderr[-2000:]


def _nested_templates() -> str:
    lines = ["tables:", "  t:", "    rows: 100000", "    columns:", "      a: {kind: constant, value: abcdefghij}"]
    for i in range(1, 14):
        previous = f"t{i - 1}" if i > 1 else "a"
        four = "{" + previous + "}"
        lines.append(f'      t{i}: {{kind: template, template: "{four * 4}"}}')
    return "\n".join(lines) + "\n"


def _faker(provider: str, args: dict) -> str:
    column = f"{{kind: faker, provider: {provider}, args: {json.dumps(args)}}}"
    return f"tables:\n  t:\n    rows: 10\n    columns:\n      x: {column}\n"


def _per_parent(parent_rows: int) -> str:
    return (f"tables:\n  p:\n    rows: {parent_rows}\n    columns:\n      id: {{kind: sequence, unique: true}}\n"
            "  c:\n    rows: {per: p, kind: poisson, lam: 3}\n    columns:\n      p_id: {kind: ref, to: p.id}\n")


def _many_tables(n: int) -> str:
    return "tables:\n" + "".join(f"  t{i}: {{rows: 1, columns: {{a: {{kind: sequence}}}}}}\n" for i in range(n))


def _histogram(edges: int) -> str:
    return ("tables:\n  t:\n    rows: 10\n    columns:\n      x: {kind: histogram, edges: ["
            + ",".join(map(str, range(edges))) + "], weights: [" + ",".join("1" * (edges - 1)) + "]}\n")


def _scalar(size: int) -> str:
    return "tables:\n  t:\n    rows: 10\n    columns:\n      x: {kind: constant, value: " + "a" * size + "}\n"


FAKERS = [("binary", {}), ("pystr", {"max_chars": 1_000_000_000}), ("paragraph", {"nb_sentences": 10_000_000}),
          ("random_letters", {}), ("random_letters", {"length": 100_000_000}), ("pylist", {}), ("csv", {}),
          ("pystruct", {}), ("pystr_format", {"string_format": "{{seed_instance}}"}),
          ("bothify", {"text": "{{get_providers}}"}), ("text", {"max_nb_chars": 10_000})]

SPECS = {
    "nested_templates": (_nested_templates, 1),
    **{f"faker_{provider}_{i}": (lambda p=provider, a=args: _faker(p, a), None)
       for i, (provider, args) in enumerate(FAKERS)},
    "per_parent_1e9": (lambda: _per_parent(10**9), 0),
    "per_parent_1e18": (lambda: _per_parent(10**15).replace("lam: 3", "lam: 100000"), None),
    "tables_16000": (lambda: _many_tables(16_000), 1),
    "histogram_20000_edges": (lambda: _histogram(20_000), 1),
    "scalar_2_mib": (lambda: _scalar(2 << 20), 1),
}

# Reproductions whose cost is in reading the YAML itself, before any check of this suite runs:
# the spec file's size cap and a faster parser are the loader's (rulegen/spec/loader.py).
LOADER_BOUND = {
    "histogram_1m_edges": lambda: _histogram(1_000_001),
    "scalar_100_mb": lambda: _scalar(100_000_000),
}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_validate_ends_within_the_limits(name: str, tmp_path: Path) -> None:
    make, code = SPECS[name]
    (tmp_path / "spec.yaml").write_text(make(), encoding="utf-8")
    _ends_cleanly(_run("validate", "spec.yaml", cwd=tmp_path), code)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_generate_ends_within_the_limits(name: str, tmp_path: Path) -> None:
    make, _ = SPECS[name]
    (tmp_path / "spec.yaml").write_text(make(), encoding="utf-8")
    result = _run("generate", "spec.yaml", "-o", "out", "-q", "--max-bytes", str(100 << 20), cwd=tmp_path)
    _ends_cleanly(result)
    written = sum(p.stat().st_size for p in (tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else 0
    assert written <= 100 << 20


@pytest.mark.parametrize("name", sorted(LOADER_BOUND))
def test_loader_bound_reproductions(name: str, tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(LOADER_BOUND[name](), encoding="utf-8")
    _ends_cleanly(_run("validate", "spec.yaml", cwd=tmp_path), 1)


def test_validate_never_draws_the_children_of_a_billion_parents(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(_per_parent(10**9), encoding="utf-8")
    result = _run("validate", "spec.yaml", cwd=tmp_path)
    _ends_cleanly(result, 0)
    assert "c (about 3,00" in result.stdout, result.stdout


def test_generate_without_a_limit_of_a_small_per_parent_spec_writes_every_row(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(_per_parent(1000), encoding="utf-8")
    _ends_cleanly(_run("generate", "spec.yaml", "-o", "out", "-q", cwd=tmp_path), 0)
    assert (tmp_path / "out" / "c.csv").read_text().count("\n") > 2000


_RUNS = {
    "per_parent_1e9": _per_parent(10**9),
    "rows_1e15": "tables:\n  t:\n    rows: 1000000000000000\n    columns:\n      id: {kind: sequence}\n",
    "timeline_3e9_ticks": ("tables:\n  t:\n    timeline: {start: 1950-01-01, end: 2049-12-31, every: 1s}\n"
                           "    columns:\n      at: {kind: tick}\n"),
}


@pytest.mark.parametrize("name", sorted(_RUNS))
def test_runs_past_the_default_budget_are_refused_before_any_row(name: str, tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(_RUNS[name], encoding="utf-8")
    (tmp_path / "data").mkdir()
    for args in (["generate", "spec.yaml", "-o", "out", "-q"], ["generate", "spec.yaml", "-o", "out", "-f", "sql"],
                 ["seed", "spec.yaml", "--db", "sqlite:///db.sqlite"], ["check", "spec.yaml", "data"]):
        result = _run(*args, cwd=tmp_path)
        _ends_cleanly(result, 1)
        assert "error[RG405]" in result.stderr and "--max-bytes N" in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "spec.yaml"]  # nothing written
    preview = _run("preview", "spec.yaml", "-n", "2", cwd=tmp_path)
    _ends_cleanly(preview, 1 if name == "per_parent_1e9" else 0)  # drawing a billion counts is refused
    assert ("error[RG406]" in preview.stderr) == (name == "per_parent_1e9"), preview.stderr
