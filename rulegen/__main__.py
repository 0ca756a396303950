"""``python -m rulegen``."""

from rulegen.cli import entry

entry()
