"""Faker's answers kept on disk (rulegen.kinds.faker_cache): same bytes with or without them,
no Faker call once they are kept, and a damaged, foreign or stale file is ignored and rebuilt."""

from __future__ import annotations

import datetime
import filecmp
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rulegen
from rulegen.kinds import faker_cache, text

SPEC = """
version: 1
seed: 11
tables:
  people:
    rows: 300
    columns:
      id:       {kind: sequence}
      first:    {kind: faker, provider: first_name}
      login:    {kind: faker, provider: user_name, unique: true}
      born:     {kind: faker, provider: date_object}
      seen:     {kind: faker, provider: date_time, args: {end_datetime: 1600000000}}
      lucky:    {kind: faker, provider: pyint, args: {min_value: 1, max_value: 99}}
      price:    {kind: faker, provider: pyfloat, args: {left_digits: 3, right_digits: 2}, pool: 50}
      maybe:    {kind: faker, provider: null_boolean}
      city:     {kind: faker, provider: city, locale: de_DE}
"""


def _forget() -> None:
    """Drop what this process remembers, so that a run asks the disk (or Faker) again."""
    text._pool.cache_clear()
    text.faker_providers.cache_clear()
    text._locales.cache_clear()


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("RULEGEN_CACHE_DIR", str(folder))
    monkeypatch.delenv("RULEGEN_NO_CACHE", raising=False)
    _forget()
    yield folder / "faker"
    _forget()


def _run(spec: Path, out: Path, fmt: str = "csv") -> dict[str, Path]:
    _forget()
    return rulegen.write(spec, out, fmt)


def _same(a: dict[str, Path], b: dict[str, Path]) -> bool:
    return a.keys() == b.keys() and all(filecmp.cmp(a[n], b[n], shallow=False) for n in a)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_same_bytes_without_cache_cold_and_warm(spec_file, tmp_path, cache, monkeypatch, fmt):
    spec = spec_file(SPEC)
    cold = _run(spec, tmp_path / "cold", fmt)
    assert len(list(cache.glob("pool-*.json"))) == 8
    assert list(cache.glob("locales-*")) and list(cache.glob("providers-*"))
    warm = _run(spec, tmp_path / "warm", fmt)
    monkeypatch.setenv("RULEGEN_NO_CACHE", "1")
    off = _run(spec, tmp_path / "off", fmt)
    assert _same(cold, warm) and _same(cold, off)


def test_a_warm_run_calls_no_faker(spec_file, tmp_path, cache, monkeypatch):
    spec = spec_file(SPEC)
    first = _run(spec, tmp_path / "first")

    def no_faker(locale: str) -> None:
        raise AssertionError(f"Faker({locale!r}) made although every answer is kept")

    monkeypatch.setattr(text, "_faker", no_faker)
    assert _same(first, _run(spec, tmp_path / "second"))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "other key", "empty", "wrong shape"])
def test_a_damaged_file_is_ignored_and_rebuilt(spec_file, tmp_path, cache, damage):
    spec = spec_file(SPEC)
    first = _run(spec, tmp_path / "first")
    files = sorted(cache.glob("*.json"))
    for path in files:
        raw = path.read_bytes()
        head, _, body = raw.partition(b"\n")
        if damage == "garbage":
            raw = b"\x00\xffnot a cache file"
        elif damage == "truncated":
            raw = raw[: len(raw) // 2]
        elif damage == "flipped":
            raw = raw[:-10] + bytes([raw[-10] ^ 1]) + raw[-9:]
        elif damage == "empty":
            raw = b""
        else:  # a whole file (its digest right) for another key, or of a shape no reader expects
            document = json.loads(body)
            if damage == "other key":
                document["key"] = document["key"].replace('"seed"', '"seeds"')
            else:
                document["data"] = {"values": 3} if path.name.startswith("pool") else "x"
            body = json.dumps(document).encode()
            raw = faker_cache.hashlib.blake2b(body, digest_size=faker_cache._DIGEST).hexdigest().encode() + b"\n" + body
        path.write_bytes(raw)
    assert _same(first, _run(spec, tmp_path / "second"))
    if damage != "other key":  # (that file stays: its name is another key's, whose file it is)
        for path in files:  # each rewritten whole
            head, _, body = path.read_bytes().partition(b"\n")
            assert head == faker_cache.hashlib.blake2b(body, digest_size=faker_cache._DIGEST).hexdigest().encode()


def test_the_key_holds_the_versions_and_the_request(spec_file, tmp_path, cache, monkeypatch):
    spec = spec_file(SPEC)
    _run(spec, tmp_path / "a")
    kept = set(cache.glob("pool-*.json"))
    _forget()
    rulegen.write(spec, tmp_path / "b", "csv", seed=12)  # another seed: other pools
    assert len(set(cache.glob("pool-*.json")) - kept) == 8
    monkeypatch.setattr(faker_cache, "faker_version", lambda: "0.0.1")  # another Faker: nothing is shared
    before = set(cache.glob("*.json"))
    _run(spec, tmp_path / "c")
    assert len(set(cache.glob("*.json")) - before) == 8 + 1 + 2  # pools, locales, providers of two locales


def test_the_folder_stays_within_its_bound(spec_file, tmp_path, cache, monkeypatch):
    monkeypatch.setattr(faker_cache, "MAX_BYTES", 60_000)
    spec = spec_file(SPEC)
    for seed in range(4):
        _forget()
        rulegen.write(spec, tmp_path / str(seed), "csv", seed=seed)
        assert sum(p.stat().st_size for p in cache.iterdir()) <= 60_000


def test_no_cache_when_turned_off_or_unwritable(spec_file, tmp_path, cache, monkeypatch):
    spec = spec_file(SPEC)
    monkeypatch.setenv("RULEGEN_NO_CACHE", "1")
    first = _run(spec, tmp_path / "first")
    assert not cache.exists()
    monkeypatch.delenv("RULEGEN_NO_CACHE")
    cache.parent.mkdir()
    cache.write_text("a file where the folder would be")
    assert _same(first, _run(spec, tmp_path / "second"))


def test_where_the_cache_lives(monkeypatch, tmp_path):
    for name in ("RULEGEN_CACHE_DIR", "RULEGEN_NO_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert faker_cache.cache_dir() == tmp_path / ".cache" / "rulegen" / "faker"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert faker_cache.cache_dir() == tmp_path / "xdg" / "rulegen" / "faker"
    monkeypatch.setenv("RULEGEN_CACHE_DIR", str(tmp_path / "mine"))
    assert faker_cache.cache_dir() == tmp_path / "mine" / "faker"
    monkeypatch.setenv("RULEGEN_NO_CACHE", "1")
    assert faker_cache.cache_dir() is None


def test_fakers_version_is_read_without_importing_it():
    import faker

    assert faker_cache.faker_version() == faker.VERSION


_PLAIN = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text())
_DATES = st.one_of(st.none(), st.dates())
_TIMES = st.one_of(st.none(), st.datetimes(), st.datetimes(timezones=st.just(datetime.UTC))).map(
    lambda v: v and v.replace(fold=0))  # (fold=1 is refused, below)


@given(st.one_of(st.lists(_PLAIN), st.lists(_DATES), st.lists(_TIMES)))
def test_values_come_back_equal_and_of_the_same_type(values):
    data = faker_cache.stored_values(values)
    assert data is not None
    back = faker_cache.restore_values(json.loads(json.dumps(data)))
    assert [type(v) for v in back] == [type(v) for v in values]
    assert [repr(v) for v in back] == [repr(v) for v in values]  # repr: nan, -0.0 and zones compared too


def test_values_that_json_would_change_are_not_kept():
    berlin = datetime.timezone(datetime.timedelta(hours=1))
    assert faker_cache.stored_values([datetime.datetime(2020, 1, 1, tzinfo=berlin)]) is None
    assert faker_cache.stored_values([datetime.date(2020, 1, 1), "2020-01-01"]) is None
    assert faker_cache.stored_values([datetime.date(2020, 1, 1), datetime.datetime(2020, 1, 1)]) is None
    assert faker_cache.stored_values([datetime.datetime(2020, 1, 1, fold=1)]) is None
