"""Exit codes of the command line: 0 success, 1 invalid spec or failed run, 2 usage error.

A user error never prints a Python traceback; ``--debug`` lets the exception propagate.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rulegen.cli import main
from rulegen.errors import SpecError

VALID = """
version: 1
tables:
  users:
    rows: 5
    primary_key: id
    columns:
      id: {kind: sequence}
      score: {kind: uniform, low: 0, high: 10, round: 1}
"""

INVALID = """
version: 1
tables:
  users:
    rows: 5
    columns:
      score: {kind: gamma, shape: 2.0, scale: -3}
"""

LIST_BOMB = """
version: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]
j: &j [*i,*i,*i,*i,*i,*i,*i,*i,*i,*i]
tables:
  users:
    rows: 1
    columns:
      id: {kind: sequence}
"""

# The same explosion through mappings and merge keys, hidden inside a column.
MAPPING_BOMB = """
version: 1
tables:
  users:
    rows: 1
    columns:
      id:
        kind: sequence
        description: &a {a0: lol, a1: lol, a2: lol, a3: lol, a4: lol, a5: lol, a6: lol, a7: lol}
      b: &b {kind: sequence, b0: *a, b1: *a, b2: *a, b3: *a, b4: *a, b5: *a, b6: *a, b7: *a}
      c: &c {<<: *b, c0: *b, c1: *b, c2: *b, c3: *b, c4: *b, c5: *b, c6: *b, c7: *b}
      d: &d {<<: *c, d0: *c, d1: *c, d2: *c, d3: *c, d4: *c, d5: *c, d6: *c, d7: *c}
      e: &e {<<: *d, e0: *d, e1: *d, e2: *d, e3: *d, e4: *d, e5: *d, e6: *d, e7: *d}
      f: &f {<<: *e, f0: *e, f1: *e, f2: *e, f3: *e, f4: *e, f5: *e, f6: *e, f7: *e}
      g: &g {<<: *f, g0: *f, g1: *f, g2: *f, g3: *f, g4: *f, g5: *f, g6: *f, g7: *f}
      h: &h {<<: *g, h0: *g, h1: *g, h2: *g, h3: *g, h4: *g, h5: *g, h6: *g, h7: *g}
      i: &i {<<: *h, i0: *h, i1: *h, i2: *h, i3: *h, i4: *h, i5: *h, i6: *h, i7: *h}
"""


def _run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, args)


def _clean(result: Result) -> None:
    """No traceback, and no exception escaped the command (CliRunner maps one to exit code 1)."""
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def test_valid_spec_exits_0(spec_file, monkeypatch: pytest.MonkeyPatch) -> None:
    path = spec_file(VALID, "ok.yaml")
    result = _run(["validate", "ok.yaml"], path.parent, monkeypatch)
    _clean(result)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == "ok.yaml: valid: users (5 rows)\n"


def test_invalid_spec_exits_1(spec_file, monkeypatch: pytest.MonkeyPatch) -> None:
    path = spec_file(INVALID, "bad.yaml")
    result = _run(["validate", "bad.yaml"], path.parent, monkeypatch)
    _clean(result)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "bad.yaml:6:47: error[RG203] tables.users.columns.score.scale: must be > 0, got -3\n1 problem found\n"
    )


def test_invalid_spec_exits_1_for_every_command(spec_file, monkeypatch: pytest.MonkeyPatch) -> None:
    path = spec_file(INVALID, "bad.yaml")
    for args in (["generate", "bad.yaml", "--out", "out"], ["preview", "bad.yaml"]):
        result = _run(args, path.parent, monkeypatch)
        _clean(result)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("bad.yaml:6:47: error[RG203] "), args
        assert result.stderr.endswith("1 problem found\n"), args
    assert not (path.parent / "out").exists() or not any((path.parent / "out").iterdir())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "--bogus", "ok.yaml"], "No such option '--bogus'"),
        (["generate", "ok.yaml"], "Missing option '--out'"),
        (["generate", "ok.yaml", "--out", "out", "--format", "xlsx"], "Invalid value for '--format'"),
        (["generate", "ok.yaml", "--out", "out", "--rows", "users"], "'users' is not TABLE=N"),
        (["validate"], "Missing argument 'SPEC'"),
        (["valdate", "ok.yaml"], "No such command 'valdate'"),
        (["preview", "ok.yaml", "--table", "nope"], "no table 'nope'"),
    ],
    ids=["unknown-option", "generate-without-out", "bad-format", "bad-rows", "no-spec", "unknown-command",
         "unknown-table"],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, spec_file, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = spec_file(VALID, "ok.yaml")
    result = _run(args, path.parent, monkeypatch)
    _clean(result)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not (path.parent / "out").exists()


def test_missing_spec_file_is_a_clean_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(["validate", "missing.yaml"], tmp_path, monkeypatch)
    _clean(result)
    assert result.exit_code == 1
    assert result.stderr == (
        "missing.yaml:1:1: error[RG100] cannot read spec: No such file or directory\n1 problem found\n"
    )


def test_undecodable_spec_file_is_a_clean_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "latin1.yaml").write_bytes("version: 1\n# caf\xe9\n".encode("latin-1"))
    result = _run(["validate", "latin1.yaml"], tmp_path, monkeypatch)
    _clean(result)
    assert result.exit_code == 1
    assert result.stderr.startswith("latin1.yaml:1:1: error[RG100] cannot read spec: ")
    assert result.stderr.endswith("1 problem found\n")


def test_debug_lets_the_exception_propagate(spec_file, monkeypatch: pytest.MonkeyPatch) -> None:
    path = spec_file(INVALID, "bad.yaml")
    result = _run(["validate", "--debug", "bad.yaml"], path.parent, monkeypatch)
    assert isinstance(result.exception, SpecError), repr(result.exception)
    assert result.exit_code == 1
    assert "bad.yaml:6:47: error[RG203]" in str(result.exception)


def test_debug_propagates_a_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(["validate", "--debug", "missing.yaml"], tmp_path, monkeypatch)
    assert isinstance(result.exception, SpecError), repr(result.exception)


@pytest.mark.parametrize("bomb", [LIST_BOMB, MAPPING_BOMB], ids=["lists", "mappings-and-merge-keys"])
def test_alias_bomb_is_refused_quickly(bomb: str, spec_file) -> None:
    """A separate process, so that a hang is a timeout rather than a stuck test run.

    The bound is on the child's CPU time, which a loaded machine does not inflate; the wall-clock
    timeout only catches a hang.
    """
    path = spec_file(bomb, "bomb.yaml")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "rulegen", "validate", "bomb.yaml"],
            cwd=path.parent, capture_output=True, text=True, timeout=120,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("`rulegen validate` on an alias bomb did not finish within 120 s")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    assert cpu < 10, f"validate spent {cpu:.1f} s of CPU on an alias bomb"
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "error[RG104]" in proc.stderr
    assert "bomb.yaml:" in proc.stderr
    assert proc.stderr.endswith("1 problem found\n")
