"""Loading the plugin in pytester runs, whether or not its entry point is installed."""

from __future__ import annotations

import importlib.metadata


def entry_point_installed() -> bool:
    """Whether ``pip install -e .`` has registered the ``rulegen`` pytest11 entry point."""
    return any(ep.value == "rulegen.pytest_plugin" for ep in importlib.metadata.entry_points(group="pytest11"))


def plugin_args() -> list[str]:
    """Arguments that load the plugin: none once the entry point is installed (pytest loads it,
    and naming it again with ``-p`` would register the module twice), ``-p`` until then."""
    return [] if entry_point_installed() else ["-p", "rulegen.pytest_plugin"]
