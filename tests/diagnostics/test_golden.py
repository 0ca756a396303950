"""Golden-file tests of the diagnostics of ``rulegen validate``.

Each ``cases/<name>.yaml`` is a small broken spec; ``cases/<name>.expected`` is the exact stderr
that ``rulegen validate <name>.yaml`` must print when run from the ``cases`` folder (so file
names in the output are relative): one ``FILE:LINE:COL: error[CODE] path: message`` line per
problem, optional indented ``hint:`` lines, then ``N problems found``. Every case must also exit
with code 1 and never print a Python traceback.

Many specs carry ``#N`` comments giving the line number, so a ``FILE:N:COL`` in a golden file
can be checked by eye (the idiom of Snowfakery's error tests).

To (re)write the golden files from the current output instead of comparing, run::

    RULEGEN_UPDATE_GOLDEN=1 python -m pytest tests/diagnostics/test_golden.py

then read every changed ``.expected`` file before committing it: the message must name the
value, the rule and the path, and ``LINE:COL`` must point at the offending token. Cases listed
in :data:`KNOWN_BUGS` have hand-written golden files that show what *should* be printed; they
are expected to fail (strictly) until the bug is fixed, and update mode leaves them alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rulegen.cli import main

CASES = Path(__file__).parent / "cases"
UPDATE = os.environ.get("RULEGEN_UPDATE_GOLDEN") == "1"

# Cases whose golden file shows the correct output that rulegen does not print yet.
KNOWN_BUGS: dict[str, str] = {
}


def _case_names() -> list[str]:
    return sorted(path.stem for path in CASES.glob("*.yaml"))


def _params() -> list:
    params = []
    for name in _case_names():
        marks = []
        if name in KNOWN_BUGS:
            reason = f"BUG: {KNOWN_BUGS[name]}"
            marks.append(pytest.mark.skip(reason=f"hand-written golden file; {reason}") if UPDATE
                         else pytest.mark.xfail(strict=True, reason=reason))
        params.append(pytest.param(name, marks=marks, id=name))
    return params


def _validate(name: str, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(CASES)
    return CliRunner().invoke(main, ["validate", f"{name}.yaml"])


@pytest.mark.skipif(UPDATE, reason="update mode writes the golden files")
def test_every_case_has_a_golden_file() -> None:
    missing = [name for name in _case_names() if not (CASES / f"{name}.expected").exists()]
    orphans = [p.name for p in CASES.glob("*.expected") if not (CASES / f"{p.stem}.yaml").exists()]
    assert not missing, f"cases without a golden file: {missing}"
    assert not orphans, f"golden files without a case: {orphans}"
    assert len(_case_names()) >= 35
    assert set(KNOWN_BUGS) <= set(_case_names()), "KNOWN_BUGS names a case that does not exist"


@pytest.mark.parametrize("name", _params())
def test_golden(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _validate(name, monkeypatch)
    golden = CASES / f"{name}.expected"
    if UPDATE:
        golden.write_text(result.stderr, encoding="utf-8")
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    # CliRunner turns an escaping exception into exit code 1: make sure it was a clean sys.exit.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1, f"exit code {result.exit_code}; stderr:\n{result.stderr}"
    assert result.stdout == "", f"nothing is printed on stdout for an invalid spec, got:\n{result.stdout}"
    assert result.stderr == golden.read_text(encoding="utf-8")
