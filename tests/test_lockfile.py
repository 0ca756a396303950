"""Lock files: Faker's values frozen per spec, so output survives a Faker upgrade.

A "Faker upgrade" is simulated by patching what Faker gives: the pool builder (every faker
column then draws other values) or Faker's own name lists. Each test checks that the patch
does change the output without the lock, so it can fail.
"""

from __future__ import annotations

import datetime
import filecmp
import json
from collections import OrderedDict
from pathlib import Path

import pytest
from click.testing import CliRunner

import rulegen
from rulegen.api import lock
from rulegen.cli import main
from rulegen.errors import SpecError
from rulegen.kinds import text
from rulegen.kinds.text import Pool

SPEC = """
version: 1
seed: 7
tables:
  people:
    rows: 300
    primary_key: id
    columns:
      id:         {kind: sequence}
      first_name: {kind: faker, provider: first_name}
      given_name: {kind: faker, provider: first_name}
      last_name:  {kind: faker, provider: last_name, null: 0.1}
      motto:      {kind: faker, provider: catch_phrase, pool: 50}
      born:       {kind: faker, provider: date_object, args: {end_datetime: 1100000000}}
      seen_at:    {kind: faker, provider: date_time, args: {end_datetime: 1600000000}}
      login:      {kind: faker, provider: user_name, unique: true}
      lucky:      {kind: faker, provider: pyint, args: {min_value: 1, max_value: 99}}
      email:      {kind: template, template: "{first_name}.{last_name}{id}@example.com", lower: true}
"""


@pytest.fixture(autouse=True)
def fresh_pools():
    """Pools are cached per process: a patched Faker must not see (or leave) cached ones."""
    text._pool.cache_clear()
    yield
    text._pool.cache_clear()


@pytest.fixture
def upgrade(monkeypatch):
    """Patch the pool builder so that every pool differs, as a new Faker's could."""
    original = text._pool.__wrapped__

    def other(value):
        if isinstance(value, str):
            return value[::-1] + "!"
        if isinstance(value, datetime.datetime | datetime.date):
            return value - datetime.timedelta(days=3)
        return value + 1 if isinstance(value, int) else value

    def upgraded(*args):
        pool = original(*args)
        weights = tuple(reversed(pool.weights)) if pool.weights else None
        return Pool(tuple(other(v) for v in pool.values), weights, pool.seeded)

    def apply():
        monkeypatch.setattr(text, "_pool", upgraded)

    return apply


def write(spec: Path, out: Path, **options) -> dict[str, Path]:
    return rulegen.write(spec, out, "csv", **options)


def same_files(a: dict[str, Path], b: dict[str, Path]) -> bool:
    return a.keys() == b.keys() and all(filecmp.cmp(a[n], b[n], shallow=False) for n in a)


def test_locked_output_is_byte_identical_after_a_faker_upgrade(spec_file, tmp_path, upgrade):
    spec = spec_file(SPEC)
    path = lock(spec)
    assert path == tmp_path / "spec.yaml.lock"
    locked = write(spec, tmp_path / "locked")
    assert same_files(locked, write(spec, tmp_path / "unlocked", lock=False))  # locking changes nothing
    upgrade()
    assert same_files(locked, write(spec, tmp_path / "upgraded"))
    assert not same_files(locked, write(spec, tmp_path / "upgraded-unlocked", lock=False))


def test_a_lock_made_under_another_faker_gives_that_fakers_output(spec_file, tmp_path, monkeypatch, upgrade):
    spec = spec_file(SPEC)
    upgrade()
    lock(spec)
    before = write(spec, tmp_path / "before", lock=False)
    monkeypatch.undo()  # back to the installed Faker, as after a downgrade
    text._pool.cache_clear()
    assert same_files(before, write(spec, tmp_path / "after"))
    assert not same_files(before, write(spec, tmp_path / "after-unlocked", lock=False))


def test_faker_lists_and_weights_are_locked(spec_file, tmp_path, monkeypatch):
    from faker.providers.person.en_US import Provider

    spec = spec_file(SPEC)
    lock(spec)
    locked = rulegen.generate(spec)["people"]
    monkeypatch.setattr(Provider, "first_names", OrderedDict([("Zed", 0.5), ("Ada", 0.5)]))
    monkeypatch.setenv("RULEGEN_NO_CACHE", "1")  # Faker's list changes, not its version: past the disk cache
    text._pool.cache_clear()
    assert set(rulegen.generate(spec, lock=False)["people"]["first_name"]) == {"Zed", "Ada"}
    assert rulegen.generate(spec)["people"].equals(locked)


def test_the_lock_file_records_versions_and_is_deterministic(spec_file):
    import faker

    spec = spec_file(SPEC)
    first = lock(spec).read_bytes()
    assert lock(spec).read_bytes() == first
    document = json.loads(first)
    assert document["format"] == 1 and document["seed"] == 7
    assert document["rulegen_version"] == rulegen.__version__ and document["faker_version"] == faker.VERSION
    columns = document["tables"]["people"]
    assert set(columns) == {"first_name", "given_name", "last_name", "motto", "born", "seen_at", "login", "lucky"}
    assert columns["first_name"]["values"] == columns["given_name"]["values"]  # one list, stored once
    assert columns["first_name"]["seed"] is None and columns["motto"]["seed"] == 7
    assert len(document["pools"][columns["motto"]["values"]]["values"]) == 50
    assert document["pools"][columns["born"]["values"]]["encoding"] == "date"
    assert document["pools"][columns["seen_at"]["values"]]["encoding"] == "datetime"
    assert "weights" in document["pools"][columns["first_name"]["values"]]


@pytest.mark.parametrize(("edit", "options", "message"), [
    (("provider: catch_phrase", "provider: bs"), {}, "was made for provider `catch_phrase`, the spec now has `bs`"),
    (("pool: 50", "pool: 60"), {}, "was made for pool `50`, the spec now has `60`"),
    (("1100000000", "1200000000"), {}, "was made for args `{\"end_datetime\":1100000000}`"),
    (("seed: 7", "seed: 8"), {}, "was drawn for seed 7, this run has seed 8"),
    (("", ""), {"seed": 9}, "was drawn for seed 7, this run has seed 9"),
    (("", ""), {"scale": 2.0}, "holds 300 distinct values, this run needs 600"),
    (("unique: true", "unique: false"), {}, "was made for a unique column"),
    (("      email:", "      job: {kind: faker, provider: job}\n      email:"), {}, "has no values for this column"),
])
def test_a_stale_lock_is_reported_with_the_command_that_renews_it(spec_file, edit, options, message):
    spec = spec_file(SPEC)
    lock(spec)
    spec.write_text(spec.read_text().replace(*edit))
    with pytest.raises(SpecError) as info:
        rulegen.compile(spec, **options)
    diagnostics = info.value.diagnostics
    assert [d.code for d in diagnostics] == ["RG230"]
    assert message in diagnostics[0].message and diagnostics[0].pointer.startswith("/tables/people/columns/")
    assert f"`rulegen lock {spec}" in diagnostics[0].hint
    lock(spec, **options)  # locking again fixes it
    rulegen.compile(spec, **options)


def test_a_smaller_run_of_a_unique_column_uses_the_lock(spec_file, upgrade):
    spec = spec_file(SPEC)
    lock(spec)
    locked = rulegen.generate(spec, scale=0.5)["people"]
    upgrade()
    assert rulegen.generate(spec, scale=0.5)["people"].equals(locked)


def test_faker_lists_serve_any_seed(spec_file, upgrade):
    spec = spec_file("version: 1\ntables:\n  t:\n    rows: 50\n    columns:\n"
                     "      a: {kind: faker, provider: first_name}\n      b: {kind: faker, provider: last_name}\n")
    lock(spec)
    expected = rulegen.generate(spec, seed=99)["t"]
    upgrade()
    assert rulegen.generate(spec, seed=99)["t"].equals(expected)


def test_lock_files_by_path_text_specs_and_no_lock(spec_file, tmp_path, upgrade):
    spec = spec_file(SPEC)
    elsewhere = lock(spec.read_text(), tmp_path / "frozen.json")
    assert not (tmp_path / "spec.yaml.lock").exists()
    with pytest.raises(ValueError, match="give path="):
        lock(spec.read_text())
    expected = rulegen.generate(spec)["people"]
    upgrade()
    assert rulegen.generate(spec.read_text(), lock=elsewhere)["people"].equals(expected)
    assert rulegen.generate(spec, lock=elsewhere)["people"].equals(expected)
    assert not rulegen.generate(spec)["people"].equals(expected)  # no spec.yaml.lock: Faker's values


@pytest.mark.parametrize(("content", "reason"), [
    (None, "No such file"),
    ("not json", "not JSON"),
    ('{"format": 2}', "not a rulegen lock of format 1"),
    ('{"format": 1, "tables": {}, "pools": {"x": {"values": [1]}}}', "damaged"),
])
def test_an_unreadable_lock_file_is_an_error(spec_file, tmp_path, content, reason):
    spec = spec_file(SPEC)
    path = tmp_path / "bad.lock"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SpecError) as info:
        rulegen.compile(spec, lock=path)
    assert info.value.diagnostics[0].code == "RG230" and reason in info.value.diagnostics[0].message


def test_cli_lock_generate_and_check_with_locked_data(spec_file, tmp_path, upgrade):
    spec = spec_file(SPEC)
    runner = CliRunner()
    result = runner.invoke(main, ["lock", str(spec)])
    assert result.exit_code == 0 and "spec.yaml.lock" in result.output
    upgrade()
    out = tmp_path / "out"
    result = runner.invoke(main, ["generate", str(spec), "--out", str(out), "--workers", "1", "-q"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["check", str(spec), str(out)])
    assert result.exit_code == 0, result.output
    assert filecmp.cmp(out / "people.csv", write(spec, tmp_path / "api")["people"], shallow=False)

    spec.write_text(spec.read_text().replace("seed: 7", "seed: 8"))
    result = runner.invoke(main, ["generate", str(spec), "--out", str(tmp_path / "stale"), "-q"])
    assert result.exit_code == 1
    assert "error[RG230]" in result.output and "lock again with `rulegen lock" in result.output
    assert not (tmp_path / "stale").exists()


def test_lock_refuses_drawing_a_billion_counts_before_drawing_them(tmp_path) -> None:
    spec = tmp_path / "big.yaml"
    spec.write_text("version: 1\nseed: 1\ntables:\n  parent:\n    rows: 1000000000\n    primary_key: id\n"
                    "    columns: {id: {kind: sequence}}\n  child:\n    rows: {per: parent, kind: poisson, lam: 3}\n"
                    "    columns:\n      parent_id: {kind: ref, to: parent.id}\n"
                    "      name: {kind: faker, provider: first_name}\n")
    with pytest.raises(rulegen.SpecError) as caught:
        rulegen.lock(spec)
    assert [d.code for d in caught.value.diagnostics] == ["RG406"]
    assert not (tmp_path / "big.yaml.lock").exists()
