"""Imported only by the fork server, first of its preloaded modules: the server dies with the
process that started it (see :mod:`rulegen.scale.lifeline`), and so, in turn, do its workers.

Importing it anywhere else would tie that process to its parent's life: nothing else imports it.
"""

from __future__ import annotations

from rulegen.scale.lifeline import die_with_parent

die_with_parent()
