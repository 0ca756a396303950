"""Providers users register (rulegen.providers): named in specs like Faker's own, deterministic,
bounded by what they declare, loaded from entry points only by installed code."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from faker.providers import BaseProvider

import rulegen
from rulegen import providers
from rulegen.errors import SpecError

SPEC = """
version: 1
seed: {seed}
tables:
  t:
    rows: 200
    columns:
      id:    {{kind: sequence}}
      sku:   {{kind: faker, provider: test_sku, args: {{prefix: X, digits: 4}}}}
      code:  {{kind: faker, provider: test_sku, unique: true}}
      plate: {{kind: faker, provider: test_plate, args: {{city: M}}}}
"""


def sku(rng, prefix="SKU", digits=6):
    return f"{prefix}-{int(rng.integers(0, 10**digits)):0{digits}d}"


class Plates(BaseProvider):
    def test_plate(self, city="B"):
        return f"{city}-{self.random_uppercase_letter()}{self.random_uppercase_letter()} {self.random_int(1, 9999)}"

    def _not_a_provider(self):
        return "private"


@pytest.fixture
def registered() -> Iterator[None]:
    rulegen.register_provider("test_sku", sku, max_bytes=16)
    assert rulegen.register_faker_provider(Plates, max_bytes=12) == ["test_plate"]
    yield
    for name in ("test_sku", "test_plate", "test_long"):
        providers._REGISTRY.pop(name, None)


def test_registered_providers_fill_columns_like_fakers(registered: None) -> None:
    frame = rulegen.generate(SPEC.format(seed=3))["t"]
    assert frame["sku"].str.fullmatch(r"X-\d{4}").all()
    assert frame["code"].str.fullmatch(r"SKU-\d{6}").all() and frame["code"].is_unique
    assert frame["plate"].str.fullmatch(r"M-[A-Z]{2} \d{1,4}").all()
    assert frame["sku"].nunique() > 50  # a pool of values, not one


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_values(registered: None, tmp_path: Path) -> None:
    one = rulegen.generate(SPEC.format(seed=3))["t"]
    assert one.equals(rulegen.generate(SPEC.format(seed=3))["t"])
    assert not one["sku"].equals(rulegen.generate(SPEC.format(seed=4))["t"]["sku"])
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC.format(seed=3))
    rulegen.write(spec, tmp_path / "a", fmt="csv", workers=1)
    rulegen.write(spec, tmp_path / "b", fmt="csv", workers=2)
    assert (tmp_path / "a" / "t.csv").read_bytes() == (tmp_path / "b" / "t.csv").read_bytes()


def test_arguments_are_checked_against_what_the_provider_takes(registered: None) -> None:
    bad = SPEC.format(seed=3).replace("digits: 4", "digits: four, colour: 1").replace("city: M", "city: 7")
    with pytest.raises(SpecError) as caught:
        rulegen.compile(bad)
    text = str(caught.value)
    assert "`digits` of `test_sku` must be an integer, got 'four'" in text
    assert "`test_sku` takes no argument `colour` (it takes: prefix, digits)" in text
    assert "`city` of `test_plate` must be text, got 7" in text


def test_a_value_longer_than_declared_is_refused(registered: None) -> None:
    rulegen.register_provider("test_long", lambda rng: "x" * 40, max_bytes=10)
    spec = "version: 1\ntables:\n  t:\n    rows: 3\n    columns:\n      v: {kind: faker, provider: test_long}\n"
    with pytest.raises(SpecError, match=r"RG290.*made a value of 40 bytes, more than the 10 it declares"):
        rulegen.compile(spec)


def test_registering_again_replaces_the_pool(registered: None) -> None:
    spec = "version: 1\ntables:\n  t:\n    rows: 3\n    columns:\n      v: {kind: faker, provider: test_long}\n"
    rulegen.register_provider("test_long", lambda rng: "old", max_bytes=10)
    assert set(rulegen.generate(spec)["t"]["v"]) == {"old"}
    rulegen.register_provider("test_long", lambda rng: "new", max_bytes=10)
    assert set(rulegen.generate(spec)["t"]["v"]) == {"new"}


@pytest.mark.parametrize(("name", "function", "kwargs", "message"), [
    ("first_name", sku, {}, "one of Faker's allowed providers"),
    ("os.system", sku, {}, "must be an identifier"),
    ("ok_name", sku, {"max_bytes": 0}, "max_bytes must be an integer"),
    ("ok_name", sku, {"args": {"n": list}}, "argument types must be"),
])
def test_bad_registrations_are_refused(name, function, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        rulegen.register_provider(name, function, **kwargs)
    assert name not in providers._REGISTRY


def test_a_spec_cannot_reach_code_that_is_not_registered() -> None:
    spec = ("version: 1\ntables:\n  t:\n    rows: 3\n    columns:\n"
            "      v: {kind: faker, provider: \"os:system\"}\n      w: {kind: faker, provider: binary}\n")
    with pytest.raises(SpecError) as caught:
        rulegen.compile(spec)
    codes = [d.code for d in caught.value.diagnostics]
    assert codes == ["RG216", "RG255"]


def _install_plugin(site: Path, module: str, body: str, target: str) -> None:
    """A real installed distribution: a module and a dist-info folder with its entry point."""
    (site / f"{module}.py").write_text(textwrap.dedent(body))
    info = site / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[rulegen.providers]\n{module} = {module}:{target}\n")


def _run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *sys.path])}
    return subprocess.run([sys.executable, "-m", "rulegen", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_entry_point_plugins_are_loaded_when_a_spec_names_their_provider(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    _install_plugin(site, "rg_plugin_class", """
        from faker.providers import BaseProvider

        class Colors(BaseProvider):
            def paint_code(self):
                return "P" + self.numerify("###")
        """, "Colors")
    _install_plugin(site, "rg_plugin_function", """
        import rulegen

        def register():
            rulegen.register_provider("lot_number", lambda rng: "L" + str(int(rng.integers(100, 999))), max_bytes=8)
        """, "register")
    spec = tmp_path / "s.yaml"
    spec.write_text("version: 1\nseed: 1\ntables:\n  t:\n    rows: 20\n    columns:\n"
                    "      a: {kind: faker, provider: paint_code}\n      b: {kind: faker, provider: lot_number}\n")
    result = _run(site, "generate", str(spec), "--out", str(tmp_path / "out"), "--format", "csv")
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out" / "t.csv").open(newline="") as data:
        rows = list(csv.DictReader(data))
    assert len(rows) == 20 and all(r["a"][0] == "P" and r["b"][0] == "L" for r in rows)


def test_a_broken_plugin_is_named_in_the_message_with_no_traceback(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    _install_plugin(site, "rg_plugin_broken", "raise ImportError('no module named shiny')\n", "register")
    spec = tmp_path / "s.yaml"
    spec.write_text("version: 1\ntables:\n  t:\n    rows: 3\n    columns:\n      a: {kind: faker, provider: shiny}\n")
    result = _run(site, "validate", str(spec))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{spec}:6:34: error[RG216]" in result.stderr
    assert "plugin rg_plugin_broken (rg_plugin_broken:register) failed to load: ImportError: no module named shiny" \
        in result.stderr


def test_a_spec_of_built_in_providers_never_imports_a_plugin(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    marker = tmp_path / "imported"
    _install_plugin(site, "rg_plugin_marker", f"open({str(marker)!r}, 'w').close()\ndef register(): pass\n", "register")
    spec = tmp_path / "s.yaml"
    spec.write_text("version: 1\ntables:\n  t:\n    rows: 3\n    columns:\n      a: {kind: faker, provider: city}\n")
    assert _run(site, "generate", str(spec), "--out", str(tmp_path / "out")).returncode == 0
    assert not marker.exists()
    spec.write_text(spec.read_text().replace("city", "not_there"))
    assert _run(site, "validate", str(spec)).returncode == 1
    assert marker.exists()
