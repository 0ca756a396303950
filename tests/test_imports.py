"""Every module of the package imports on its own, first: an import cycle between two modules
shows only when one of them is the first imported, which the other tests' order may hide."""

from __future__ import annotations

import subprocess
import sys

_EACH_FIRST = """
import importlib, pkgutil, sys
import rulegen
names = [m.name for m in pkgutil.walk_packages(rulegen.__path__, "rulegen.") if not m.name.endswith("__main__")]
failed = []
for name in names:
    for loaded in [m for m in sys.modules if m == "rulegen" or m.startswith("rulegen.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except ImportError as exc:
        failed.append(f"{name}: {exc}")
print(len(names))
print("\\n".join(failed))
"""


def test_every_module_imports_first() -> None:
    done = subprocess.run([sys.executable, "-c", _EACH_FIRST], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    count, *failed = done.stdout.strip().split("\n")
    assert int(count) > 100
    assert not [line for line in failed if line], "\n".join(failed)
