"""Import ``pyarrow.compute`` when a function of it is first used, not when a module names it.

``pyarrow.compute`` builds a Python wrapper, with its signature and docstring, for each of
Arrow's ~300 compute functions as it is imported: 30-40 ms, an eighth of ``rulegen validate``,
which for most specs calls none of them. rulegen's modules import it at the top, as ``pc``.
:func:`defer_compute` puts a stand-in module in its place: importing it costs nothing, and the
first attribute read from it (``pc.add``, or pyarrow's own use) imports the real module and
copies its names into the stand-in, which from then on is as fast as the real one.

rulegen's modules read no attribute of ``pc`` while they are imported (the expression
functions look theirs up when called), so a command that computes nothing never imports it.
Only the command line calls :func:`defer_compute`, for ``rulegen validate``: it changes the
module every later importer in the process gets, which is the command's to decide and not a
library's.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

__all__ = ["defer_compute"]

_NAME = "pyarrow.compute"


class _Deferred(types.ModuleType):
    """The stand-in: its first missing attribute loads the real module into it."""

    _lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        if name == "__path__":  # the import system asks whether it is a package: it is not
            raise AttributeError(name)
        with self._lock:
            real = sys.modules.get(_NAME)
            if real is self:
                del sys.modules[_NAME]
                try:
                    real = importlib.import_module(_NAME)
                except BaseException:
                    sys.modules[_NAME] = self
                    raise
                self.__dict__.update(real.__dict__)
        return getattr(real, name)


def defer_compute() -> None:
    """Put the stand-in for ``pyarrow.compute`` in place (see the module docstring); nothing
    happens when it is imported already."""
    if _NAME in sys.modules:
        return
    import pyarrow

    spec = importlib.util.find_spec(_NAME)
    if spec is None:
        return
    stand_in = _Deferred(_NAME)
    # What the import system reads of a module it finds in sys.modules (`__spec__` says it is
    # not being initialised), so that `import pyarrow.compute as pc` does not load it.
    stand_in.__spec__, stand_in.__file__, stand_in.__package__ = spec, spec.origin, "pyarrow"
    stand_in.__loader__ = spec.loader
    sys.modules[_NAME] = stand_in
    pyarrow.compute = stand_in  # type: ignore[attr-defined]  # as an import would have set it
