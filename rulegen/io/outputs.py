"""Files in an output folder: names kept inside it, temporary files made exclusively, all
tables put in place at once, and what a killed run left behind removed by the next one.

The promise: whatever a table is called, what rulegen writes for it lands directly inside the
output folder, and nothing outside it is created, followed or overwritten.

- :func:`contained` maps a file name to a path in the folder, or refuses it (a name with a
  path separator, ``..``, a NUL byte; or a path whose resolved parent is not the folder).
- :func:`create_temp` opens a new temporary file with ``O_CREAT | O_EXCL | O_NOFOLLOW``: a
  symlink or file planted at its name makes it fail instead of being written through. Names
  are ``.rulegen-<pid>-<8 hex>.<file name>.tmp`` (at most :data:`TEMP_OVERHEAD` bytes more
  than the file name), so that :func:`remove_stale` can tell rulegen's temporary files of runs
  that died (their pid is not alive) and remove them.
- :func:`publish` renames every temporary file into place, all or none: what was at each final
  name is kept aside (a hard link, or a rename for folders) until every rename succeeded, and
  put back if one fails.
- :func:`write_error` says plainly when the disk is full, the quota or the file size limit
  reached, naming the folder and the bytes written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from rulegen.errors import Diagnostic, OutputError

__all__ = [
    "TEMP_OVERHEAD",
    "contained",
    "create_temp",
    "make_folder",
    "make_temp_folder",
    "open_new",
    "pid_alive",
    "publish",
    "publish_error",
    "remove_made",
    "remove_stale",
    "replace_file",
    "temp_name",
    "write_error",
]

TEMP_PREFIX = ".rulegen-"
TEMP_OVERHEAD = 40  # bytes a temporary name adds to its file's name, at most (pids up to 2**22)
_TEMP = re.compile(r"\.rulegen-([0-9]{1,10})-[0-9a-f]{8}\..+\.tmp", re.DOTALL)
_EXCLUSIVE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def contained(folder: Path, filename: str, what: str = "table") -> Path:
    """``folder / filename``, checked to be an entry directly inside ``folder``.

    Args:
        folder: the output folder (it need not exist yet).
        filename: the file's name, as made from a table name (``orders.csv``).
        what: what the file is, for the message.

    Raises:
        OutputError: RG512, the name would put the file anywhere else.
    """
    bad = ("\0" in filename or "/" in filename or (os.altsep is not None and os.altsep in filename)
           or filename in ("", ".", ".."))
    try:
        os.fsencode(filename)
    except UnicodeEncodeError:  # a lone surrogate: no file can have that name
        bad = True
    path = folder / filename
    if not bad:
        bad = path.parent.resolve() != folder.resolve()
    if bad:
        raise OutputError([Diagnostic(
            "RG512", f"the {what} file {filename!r} would not be a file directly inside {folder}",
            hint="a table name must not hold a path separator, `..`, a NUL byte or a lone surrogate")])
    return path


def temp_name(filename: str) -> str:
    """A fresh temporary name for ``filename`` in its folder: ``.rulegen-<pid>-<8 hex>.NAME.tmp``."""
    return f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}.{filename}.tmp"


def create_temp(folder: Path, filename: str) -> tuple[BinaryIO, Path]:
    """A new temporary file for ``filename`` in ``folder``, open for writing.

    Created exclusively and never through a symlink: whatever already holds the name (a file
    or a symlink someone planted) makes it fail.

    Raises:
        OSError: the file cannot be created (``FileExistsError`` for a planted name).
    """
    path = folder / temp_name(filename)
    return open_new(path), path


def open_new(path: Path) -> BinaryIO:
    """Create ``path`` and open it for writing, exclusively and never through a symlink.

    Raises:
        OSError: anything already has the name (``FileExistsError``), or it cannot be created.
    """
    return os.fdopen(os.open(path, _EXCLUSIVE, 0o666), "wb")


def make_temp_folder(folder: Path, filename: str, mode: int = 0o777) -> Path:
    """A new temporary folder for ``filename`` in ``folder`` (``mkdir`` never follows a symlink).

    Raises:
        OSError: it cannot be made.
    """
    path = folder / temp_name(filename)
    path.mkdir(mode)
    return path


def make_folder(folder: Path) -> list[Path]:
    """Make ``folder`` and its missing parents; returns those it made, deepest first, so that a
    failed run can remove them again (:func:`remove_made`).

    Raises:
        OSError: a folder cannot be made.
    """
    missing = []
    at = folder
    while not at.exists() and at != at.parent:
        missing.append(at)
        at = at.parent
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def remove_made(folders: Sequence[Path]) -> None:
    """Remove the folders :func:`make_folder` made, those still empty, deepest first."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2**31  # it exists, and is not ours
    return True


def remove_stale(folder: Path, pattern: re.Pattern[str] = _TEMP) -> list[Path]:
    """Remove rulegen's temporary files and folders in ``folder`` whose run is dead.

    Args:
        folder: where to look (nothing happens when it does not exist).
        pattern: the names to consider; its first group is the pid of the run that made them.

    Returns:
        What was removed.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if found is None or pid_alive(int(found.group(1))):
            continue
        with contextlib.suppress(OSError):  # another run may be removing it too
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def publish(moves: Sequence[tuple[Path, Path]]) -> None:
    """Rename each ``(temp, final)`` pair, in order, all or none.

    What held a final name is kept aside until every rename has succeeded: a file as a hard
    link (the final name never stops existing), a folder by a rename. If a rename fails, the
    ones done are undone and what was there before is put back (also when the run is
    interrupted between two renames).

    Raises:
        OSError: a rename failed (everything is as it was before the call).
    """
    done: list[tuple[Path, Path | None]] = []
    try:
        for temp, final in moves:
            aside = _set_aside(temp, final)
            try:
                os.replace(temp, final)
            finally:  # also on Ctrl-C or SIGTERM, which may come just after the rename
                if not os.path.lexists(temp):
                    done.append((final, aside))
                elif aside is not None and not os.path.lexists(final):
                    os.replace(aside, final)  # not renamed: what was moved aside goes back
                elif aside is not None:
                    _remove(aside)  # a hard link: the final name still holds the old file
    except BaseException:
        for final, aside in reversed(done):
            _put_back(final, aside)
        raise
    for _, aside in done:
        if aside is not None:
            _remove(aside)


def _set_aside(temp: Path, final: Path) -> Path | None:
    """Keep what is at ``final`` under a temporary name; None when nothing is there."""
    if not os.path.lexists(final):
        return None
    aside = final.with_name(temp_name(final.name))
    if temp.is_dir():  # a folder of parts replaces anything: moved out of the way
        os.rename(final, aside)
        return aside
    if final.is_dir() and not final.is_symlink():
        return None  # a file cannot replace a folder: the rename fails, nothing was touched
    try:
        os.link(final, aside, follow_symlinks=False)
    except (OSError, NotImplementedError):  # no hard links here: moved instead
        os.rename(final, aside)
    return aside


def _put_back(final: Path, aside: Path | None) -> None:
    """Undo one publish: remove what it put at ``final`` and bring back what was there."""
    with contextlib.suppress(OSError):
        if aside is None:
            _remove(final)
        elif final.is_dir() and not final.is_symlink():
            moved = final.with_name(temp_name(final.name))
            os.rename(final, moved)
            os.rename(aside, final)
            _remove(moved)
        else:
            os.replace(aside, final)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


_FULL = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
         errno.EFBIG: "the file size limit (ulimit -f) is reached"}


def replace_file(target: Path, data: bytes, what: str = "file") -> None:
    """Write ``target`` whole or not at all: through a new temporary file next to it (never
    through a planted symlink), renamed over it once complete.

    Raises:
        OutputError: it cannot be written (a full disk, a missing folder, no permission...);
            ``target`` is then as it was, and no temporary file is left.
    """
    temp = None
    try:
        remove_stale(target.parent)
        file, temp = create_temp(target.parent, target.name)
        with file:
            file.write(data)
        os.replace(temp, target)
    except OSError as exc:
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()
        raise write_error(exc, target.parent, f"{what} {target}") from None


def write_error(exc: OSError, folder: Path, filename: str | None = None, written: int | None = None) -> OutputError:
    """The OutputError for ``exc``, raised while writing ``filename`` into ``folder``.

    A full disk (RG510) or a file size limit (RG511) says so plainly, with the folder and the
    bytes written; any other problem is RG501 with the operating system's words.
    """
    what = filename or exc.filename or folder
    if exc.errno in _FULL:
        if exc.filename is not None and not Path(exc.filename).is_relative_to(folder):
            folder = Path(exc.filename).parent  # elsewhere: the workers' slots in /dev/shm
        code = "RG511" if exc.errno == errno.EFBIG else "RG510"
        size = f" after {written:,} bytes" if written is not None else ""
        try:
            free = f" ({shutil.disk_usage(folder).free:,} bytes free)"
        except OSError:
            free = ""
        return OutputError([Diagnostic(
            code, f"cannot write {what} into {folder}: {_FULL[exc.errno]}{size}{free}; nothing was written",
            hint="free some space, or write to another folder with --out")])
    if isinstance(exc, FileExistsError):
        return OutputError([Diagnostic(
            "RG501", f"cannot write {what}: {exc.filename} exists already, and rulegen writes only to new files",
            hint="something else made that name: remove it and run again")])
    return OutputError([Diagnostic("RG501", f"cannot write {what}: {exc.strerror or exc}")])


def publish_error(exc: OSError, folder: Path) -> OutputError:
    """RG513: :func:`publish` could not rename a file into place (and put everything back)."""
    final = Path(exc.filename2 or exc.filename or folder)
    return OutputError([Diagnostic(
        "RG513", f"cannot put {final.name} in place in {folder}: {exc.strerror or exc}; no table was "
                 "written and the files that were there are unchanged",
        hint=f"remove or rename what holds the name {final}" if os.path.isdir(final) else None)])
