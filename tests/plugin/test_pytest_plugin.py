"""The pytest plugin, run on throwaway projects with pytester: fixtures, cache, seed, databases."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
from pathlib import Path

import pytest

import rulegen
from tests.conftest import ROOT
from tests.plugin.helpers import entry_point_installed, plugin_args

pytest_plugins = ["pytester"]

SHOP = ROOT / "schemas" / "shop.yaml"

# Two test files that use the fixtures without importing anything; each saves what it saw.
TEST_A = """
import json

def test_a(rulegen_data):
    data = rulegen_data("specs/shop.yaml", seed=1, scale=0.01)   # relative to the rootdir
    assert set(data) == {"customers", "products", "orders", "order_items", "shipments", "returns"}
    assert data["orders"]["customer_id"].isin(data["customers"]["id"]).all()
    with open("seen_a.json", "w") as f:
        json.dump(data["customers"].head(3).astype(str).to_dict("records"), f)
"""
TEST_B = """
def test_b(rulegen_data):
    data = rulegen_data("shop_copy.yaml", seed=1, scale=0.01)    # next to this file, same bytes
    assert len(data["customers"]) == 50
"""
TEST_SEED = """
import json

def test_seeds(rulegen_data):
    default = rulegen_data("specs/shop.yaml", scale=0.01)
    pinned = rulegen_data("specs/shop.yaml", seed=1, scale=0.01)
    with open(f"seen_{rulegen_data.seed}.json", "w") as f:
        json.dump({"default": default["customers"]["email"].tolist()[:5],
                   "pinned": pinned["customers"]["email"].tolist()[:5]}, f)
"""


@pytest.fixture(scope="module", autouse=True)
def _imported_here_first() -> None:
    """Import what generating data imports in this process before any in-process pytester run:
    such a run drops the modules first imported during it, and numpy's cannot be imported twice."""
    rulegen.generate(SHOP, seed=1, scale=0.01)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with the shop spec in ``specs/`` and a copy of it next to its tests in ``sub/``."""
    (pytester.path / "specs").mkdir()
    shutil.copy(SHOP, pytester.path / "specs" / "shop.yaml")
    (pytester.path / "sub").mkdir()
    shutil.copy(SHOP, pytester.path / "sub" / "shop_copy.yaml")
    return pytester


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*plugin_args(), *args)


def test_fixtures_need_no_import_and_a_suite_generates_once(project: pytest.Pytester) -> None:
    project.makepyfile(test_a=TEST_A)
    (project.path / "sub" / "test_b.py").write_text(TEST_B)
    first = run(project)
    first.assert_outcomes(passed=2)
    first.stdout.fnmatch_lines(["rulegen: 1 dataset generated, 1 read from the cache"])
    entries = list((project.path / ".pytest_cache" / "d" / "rulegen").iterdir())
    assert len(entries) == 1 and not entries[0].name.startswith(".")
    assert sorted(p.name for p in entries[0].iterdir()) == ["0.parquet", "1.parquet", "2.parquet", "3.parquet",
                                                             "4.parquet", "5.parquet", "meta.json"]
    seen = (project.path / "seen_a.json").read_text()

    second = run(project)  # a later run: everything from disk, the same data
    second.assert_outcomes(passed=2)
    second.stdout.fnmatch_lines(["rulegen: 0 datasets generated, 2 read from the cache"])
    assert (project.path / "seen_a.json").read_text() == seen


def test_rulegen_seed_changes_the_default_seed_and_shows_in_the_header(project: pytest.Pytester) -> None:
    project.makepyfile(test_seed=TEST_SEED)
    plain = run(project)
    plain.assert_outcomes(passed=1)
    plain.stdout.fnmatch_lines(["rulegen: seed=each spec's own (--rulegen-seed N to change)"])
    reseeded = run(project, "--rulegen-seed", "7")
    reseeded.assert_outcomes(passed=1)
    reseeded.stdout.fnmatch_lines(["rulegen: seed=7 (--rulegen-seed)"])

    spec_seed = json.loads((project.path / "seen_None.json").read_text())
    seed_7 = json.loads((project.path / "seen_7.json").read_text())
    assert seed_7["default"] != spec_seed["default"]
    expected = rulegen.generate(SHOP, seed=7, scale=0.01)["customers"]["email"].tolist()[:5]
    assert seed_7["default"] == expected
    assert seed_7["pinned"] == spec_seed["pinned"]  # an explicit seed= is kept


def test_missing_spec_names_both_places_looked_in(project: pytest.Pytester) -> None:
    project.makepyfile(test_missing="def test_m(rulegen_data):\n    rulegen_data('nope.yaml')\n")
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*FileNotFoundError: no spec file 'nope.yaml' (looked for *nope.yaml, *nope.yaml)*"])


def test_without_the_cache_plugin_data_is_kept_in_memory(project: pytest.Pytester) -> None:
    project.makepyfile(test_a=TEST_A)
    (project.path / "sub" / "test_b.py").write_text(TEST_B)
    result = run(project, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["rulegen: 1 dataset generated, 1 read from the cache"])
    assert not (project.path / ".pytest_cache").exists()


DB_TEST = """
import json, sqlite3

def test_db(rulegen_db):
    url = rulegen_db("specs/shop.yaml", seed=1, scale=0.01)
    assert url.startswith("sqlite:////")
    path = url[len("sqlite:///"):]
    with sqlite3.connect(path) as connection:
        counts = {name: connection.execute(f'select count(*) from "{name}"').fetchone()[0]
                  for (name,) in connection.execute("select name from sqlite_master where type = 'table'")}
    second = rulegen_db("specs/shop.yaml", seed=2, scale=0.01)
    assert second != url
    with open("db.json", "w") as f:
        json.dump({"paths": [path, second[len("sqlite:///"):]], "counts": counts}, f)
"""


def test_rulegen_db_seeds_a_sqlite_file_removed_after_the_test(project: pytest.Pytester) -> None:
    project.makepyfile(test_db=DB_TEST)
    result = run(project)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["rulegen: 0 datasets generated, 0 read from the cache, 2 databases seeded"])
    seen = json.loads((project.path / "db.json").read_text())
    expected = {name: len(frame) for name, frame in rulegen.generate(SHOP, seed=1, scale=0.01).items()}
    assert seen["counts"] == expected
    assert not any(Path(p).exists() for p in seen["paths"])


PG_TEST = """
import json
import psycopg

def test_pg(rulegen_db):
    url = rulegen_db("specs/shop.yaml", seed=1, scale=0.01)
    with psycopg.connect(url) as connection:
        name = connection.execute("select current_database()").fetchone()[0]
        count = connection.execute("select count(*) from customers").fetchone()[0]
    with open("pg.json", "w") as f:
        json.dump({"name": name, "customers": count}, f)
"""


def test_rulegen_db_on_a_postgres_server_creates_and_drops_a_database(
    project: pytest.Pytester, postgres_url: str,
) -> None:
    import psycopg

    project.makepyfile(test_pg=PG_TEST)
    result = run(project, "--rulegen-db-url", postgres_url)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["rulegen: databases on postgresql://* (--rulegen-db-url)"])
    seen = json.loads((project.path / "pg.json").read_text())
    assert seen["name"].startswith("rulegen_test_") and seen["customers"] == 50
    with psycopg.connect(postgres_url) as connection:
        names = [row[0] for row in connection.execute("select datname from pg_database")]
    assert seen["name"] not in names


def test_a_db_url_that_is_not_postgres_is_a_usage_error(project: pytest.Pytester) -> None:
    result = run(project, "--rulegen-db-url", "mysql://x/y")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--rulegen-db-url takes a postgresql:// URL, got 'mysql://x/y'*"])


def test_the_plugin_is_registered_by_the_pytest11_entry_point() -> None:
    if not entry_point_installed():
        pytest.skip("the pytest11 entry point is not installed yet: add `[project.entry-points.pytest11] "
                    "rulegen = \"rulegen.pytest_plugin\"` to pyproject.toml and `pip install -e .`")
    (entry,) = [ep for ep in importlib.metadata.entry_points(group="pytest11") if ep.value == "rulegen.pytest_plugin"]
    assert entry.name == "rulegen"
    assert plugin_args() == []  # so every pytester run in this folder went through the entry point

