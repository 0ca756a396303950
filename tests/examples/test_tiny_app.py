"""The tiny app's test suite passes, through the plugin's fixtures, on any seed.

It runs in a pytest subprocess, as a user would run it (an in-process run would also drop,
after it, the modules it imported, and numpy's extensions cannot be imported twice).
"""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import ROOT
from tests.plugin.helpers import plugin_args

pytest_plugins = ["pytester"]

TINY_APP = ROOT / "examples" / "tiny_app"


@pytest.fixture
def tiny_app(pytester: pytest.Pytester) -> pytest.Pytester:
    shutil.copytree(TINY_APP, pytester.path, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".pytest_cache", "__pycache__"))
    return pytester


def test_the_tiny_apps_suite_passes_and_generates_each_dataset_once(tiny_app: pytest.Pytester) -> None:
    result = tiny_app.runpytest_subprocess(*plugin_args())
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["rulegen: seed=each spec's own (--rulegen-seed N to change)",
                                 "rootdir: *", "configfile: pyproject.toml",
                                 "rulegen: 2 datasets generated, 1 read from the cache, 1 database seeded"])
    again = tiny_app.runpytest_subprocess(*plugin_args(), "--rulegen-seed", "5")
    again.assert_outcomes(passed=3)
    again.stdout.fnmatch_lines(["rulegen: seed=5 (--rulegen-seed)",
                                "rulegen: 1 dataset generated, 2 read from the cache, 1 database seeded"])


def test_the_tiny_apps_suite_passes_on_postgres(tiny_app: pytest.Pytester, postgres_url: str) -> None:
    result = tiny_app.runpytest_subprocess(*plugin_args(), "--rulegen-db-url", postgres_url, "-k", "database")
    result.assert_outcomes(passed=1, deselected=2)
