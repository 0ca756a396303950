"""The CI workflow of ``examples/ci``: every ``run:`` step works, on a copy of the examples."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT
from tests.plugin.helpers import entry_point_installed

WORKFLOW = ROOT / "examples" / "ci" / "github-actions.yml"


def steps() -> list[dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = workflow["jobs"].values()
    return job["steps"]


def test_the_workflow_is_a_github_actions_job() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["name"] and workflow[True] == ["push", "pull_request"]  # YAML 1.1 reads `on` as True
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest" and "postgres" in job["services"]
    assert all(("uses" in step) != ("run" in step) for step in job["steps"])
    commands = " ".join(step.get("run", "") for step in job["steps"])
    for needed in ("rulegen validate", "rulegen generate", "rulegen check", "seed_postgres.py", "pytest"):
        assert needed in commands


def test_every_run_step_passes(tmp_path: Path, postgres_url: str) -> None:
    """Run each step's script with bash, as the runner would, `rulegen` and `python` being this
    interpreter and working tree; pip installs are skipped (the packages are here already)."""
    work = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", work / "examples",
                    ignore=shutil.ignore_patterns(".pytest_cache", "__pycache__"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, command in {"rulegen": f'"{sys.executable}" -m rulegen', "python": f'"{sys.executable}"'}.items():
        (bin_dir / name).write_text(f"#!/bin/sh\nexec {command} \"$@\"\n")
        (bin_dir / name).chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "DATABASE_URL": postgres_url,
    }
    if not entry_point_installed():
        env["PYTEST_ADDOPTS"] = "-p rulegen.pytest_plugin"
    ran = []
    for step in steps():
        script = step.get("run")
        if script is None or script.lstrip().startswith("pip install"):
            continue
        script = re.sub(r"\$\{\{\s*github\.run_number\s*\}\}", "42", script)
        assert "${{" not in script, f"unknown expression in {script!r}"
        result = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=work, env=env, capture_output=True,
                                text=True, timeout=600, check=False)
        assert result.returncode == 0, f"{step.get('name', script)} failed:\n{result.stdout}\n{result.stderr}"
        ran.append((step.get("name"), result.stdout))
    assert [name for name, _ in ran] == [
        "Check the spec", "Generate a dataset and check it against the spec", "Seed PostgreSQL",
        "Test on SQLite, with a new seed each run", "Test on PostgreSQL"]
    assert sorted(p.name for p in (work / "data").iterdir()) == ["customers.parquet", "orders.parquet",
                                                                "rulegen-manifest.json"]
    assert "rulegen: seed=42 (--rulegen-seed)" in ran[3][1]
    assert "3 passed" in ran[3][1] and "3 passed" in ran[4][1]
