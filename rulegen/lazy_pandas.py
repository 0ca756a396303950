"""Keep pyarrow from importing pandas in a command that never uses it.

pyarrow looks for pandas, importing it, the first time it converts Python values: once in
Python (its pandas shim, on any ``pa.array`` or ``pa.table``) and once in C++ (when it infers
the type of a list of values). Importing pandas takes 0.15-0.3 s: more than all the rest of
``rulegen validate``, and half of ``rulegen generate`` of a thousand rows, neither of which
reads or makes a DataFrame.

:func:`defer_pandas` has both looks happen at once while pandas cannot be imported, so that
pyarrow settles on "no pandas"; then, should anything import pandas after all (a plug-in),
the Python shim looks again at that moment, so that ``to_pandas`` and ``from_pandas`` work.
Two things stay different in such a process: the C++ look is never repeated, so pyarrow does
not tell pandas' own scalars (``pd.NA``, ``pd.NaT``, ``pd.Timestamp``) apart in lists of
Python values; and until pandas is imported, a nanosecond timestamp read as a Python value
(``as_py``, ``to_pylist``) is a ``datetime``, or an error when it has nanoseconds: so
:func:`pandas_for_nanoseconds` imports pandas as soon as a compiled spec holds such a column
(``rulegen.api.compile``). Only commands that make no DataFrame call :func:`defer_pandas`
(``rulegen validate``, ``generate``, ``seed`` and ``check``: see ``rulegen.cli``), and a library
never should: it decides for the whole process.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

__all__ = ["defer_pandas", "pandas_for_nanoseconds"]


class _NoPandas:
    """A meta path finder under which pandas cannot be imported."""

    def find_spec(self, name: str, path: Sequence[str] | None, target: ModuleType | None = None) -> None:
        if name == "pandas":
            raise ModuleNotFoundError("pandas is not imported yet (rulegen.lazy_pandas)", name=name)


class _PandasWatch:
    """A meta path finder that, once, finds pandas as usual and has its loader tell pyarrow's
    shim after running it."""

    def __init__(self, shim: Any) -> None:
        self.shim = shim

    def find_spec(self, name: str, path: Sequence[str] | None, target: ModuleType | None = None) -> ModuleSpec | None:
        if name != "pandas":
            return None
        sys.meta_path.remove(self)  # the finders after this one find the real pandas
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        run, shim = spec.loader.exec_module, self.shim

        def exec_module(module: ModuleType) -> None:
            run(module)
            _ = shim.pd  # the shim imports pandas again (it is in sys.modules now) and uses it from here on

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]  # this import's own loader object
        return spec


def defer_pandas() -> None:
    """Have pyarrow settle on "no pandas" until something imports it (see the module docstring).

    Does nothing when pandas is imported already, when it has been called before, or when
    pyarrow has no pandas shim of the shape this module knows.
    """
    if "pandas" in sys.modules or any(isinstance(finder, _PandasWatch) for finder in sys.meta_path):
        return
    import pyarrow as pa
    import pyarrow.lib

    shim = getattr(pyarrow.lib, "_pandas_api", None)
    if shim is None or not all(hasattr(type(shim), name) for name in ("have_pandas", "pd")):  # (not their values:
        return  # reading `pd` imports pandas)
    blocker = _NoPandas()
    sys.meta_path.insert(0, blocker)
    try:
        looked = shim.have_pandas  # the Python look
        pa.array([None])  # the C++ look: inferring a type imports pandas (to know its NA and NaT), once
    finally:
        sys.meta_path.remove(blocker)
    if looked is False:
        sys.meta_path.insert(0, _PandasWatch(shim))


def pandas_for_nanoseconds(types: Iterable[Any]) -> None:
    """Import pandas when one of the Arrow ``types`` holds nanoseconds (timestamps, durations), so
    that their Python values are pandas' whether or not :func:`defer_pandas` was called."""
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    if any((pa.types.is_timestamp(t) or pa.types.is_duration(t)) and t.unit == "ns" for t in types):
        import pandas  # noqa: F401  # the watch set by defer_pandas tells pyarrow's shim
