"""What every command of the command line shares: errors as diagnostics and exit codes.

A user error prints ``FILE:LINE:COL: message`` lines and exits 1, never with a traceback;
``--debug`` shows one. Command modules outside :mod:`rulegen.cli` use :func:`run` too.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

__all__ = ["run"]


def run(fn: Callable[..., int | None]) -> Callable[..., None]:
    """Run a command body, turning rulegen errors into diagnostics and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> None:
        from rulegen.errors import RulegenError

        try:
            code = fn(*args, **kwargs)
        except RulegenError as exc:
            if debug:
                raise
            click.echo(exc.render(), err=True)
            count = len(exc.diagnostics)
            click.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)
            sys.exit(1)
        except click.ClickException:
            raise
        except (KeyboardInterrupt, BrokenPipeError):
            sys.exit(1)
        except Exception as exc:  # a bug in rulegen: say so briefly, keep the traceback behind --debug
            if debug:
                raise
            click.echo(f"rulegen: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
                       err=True)
            sys.exit(1)
        sys.exit(code or 0)

    return click.option("--debug", is_flag=True, help="Show Python tracebacks.")(wrapper)
