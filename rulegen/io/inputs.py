"""Input files: regular files only, and no more bytes than a cap.

Every file rulegen reads on a user's or a spec's word goes through here: spec files, lock files,
the data files of ``sample``, and the data files ``check``, ``infer`` and ``compare`` read. A
FIFO would hang the read, a device such as ``/dev/zero`` never ends, a folder or a socket is
not data: they are refused *before* anything is read. The file is opened with ``O_NONBLOCK``
(so opening a FIFO cannot wait for a writer) and checked with ``fstat`` on the open descriptor
(so the file checked is the file read). Files read whole into memory are capped: at most
``cap + 1`` bytes are read, and a file past the cap is refused.

The caps are constants of rulegen, never options of a spec: a spec cannot raise its own limits.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "MAX_LOCK_BYTES",
    "MAX_SAMPLE_BYTES",
    "MAX_SPEC_BYTES",
    "InputFileError",
    "check_regular_file",
    "open_regular_file",
    "read_regular_file",
]

MAX_SPEC_BYTES = 10 << 20  # real specs have a few KiB
MAX_LOCK_BYTES = 64 << 20  # a lock holds every Faker pool of a spec: up to millions of values
MAX_SAMPLE_BYTES = 1 << 30  # a `sample` file is read whole, once per run

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # POSIX: opening a FIFO does not wait for a writer
_FLAGS = os.O_RDONLY | _NONBLOCK | getattr(os, "O_CLOEXEC", 0)

_KINDS = [(stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"), (stat.S_ISSOCK, "a socket")]


class InputFileError(Exception):
    """An input file that is not a regular file (RG106) or is larger than its cap (RG107).

    Attributes:
        code: the diagnostic code.
        reason: what is wrong with the file (``is a FIFO (named pipe), not a regular file``).
        message: the file's path, then the reason (for a "cannot read ...:" prefix).
    """

    def __init__(self, code: str, path: str | Path, reason: str) -> None:
        super().__init__(f"{path} {reason}")
        self.code, self.reason, self.message = code, reason, f"{path} {reason}"


def open_regular_file(path: str | Path, what: str, max_bytes: int | None = None) -> BinaryIO:
    """Open ``path`` for reading in binary, if it is a regular file (a symlink to one is fine).

    Args:
        path: the file.
        what: what the file is for the user (``spec``, ``lock file``), for messages.
        max_bytes: refuse a file larger than this (None: any size, for files read in a stream).

    Returns:
        The open file; the caller closes it.

    Raises:
        InputFileError: not a regular file, or larger than ``max_bytes``.
        OSError: it cannot be opened (missing, no permission).
    """
    _refuse_special(os.stat(path).st_mode, path, what)  # devices are never even opened
    fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        _refuse_special(info.st_mode, path, what)  # swapped since the stat: still refused
        if max_bytes is not None and info.st_size > max_bytes:
            raise _too_big(path, what, max_bytes)
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_regular_file(path: str | Path, what: str, max_bytes: int | None = None) -> None:
    """Refuse ``path`` unless it is a regular file (of at most ``max_bytes``), for readers that
    open files by name themselves (Arrow's, for compressed CSV and folders of parts).

    Raises:
        InputFileError: not a regular file, or larger than ``max_bytes``.
        OSError: it cannot be opened.
    """
    open_regular_file(path, what, max_bytes).close()


def read_regular_file(path: str | Path, max_bytes: int, what: str) -> bytes:
    """The bytes of ``path``, a regular file of at most ``max_bytes`` bytes.

    Reads at most ``max_bytes + 1`` bytes whatever the file claims, so a file that grows while
    it is read is refused too.

    Raises:
        InputFileError: not a regular file (RG106), or larger than ``max_bytes`` (RG107).
        OSError: it cannot be opened or read.
    """
    with open_regular_file(path, what, max_bytes) as file:
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(path, what, max_bytes)
    return data


def _refuse_special(mode: int, path: str | Path, what: str) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise InputFileError("RG106", path, f"is {kind}, not a regular file (a {what} must be one)")


def _too_big(path: str | Path, what: str, max_bytes: int) -> InputFileError:
    return InputFileError("RG107", path, f"is larger than {_size(max_bytes)}, the most rulegen reads for a {what}")


def _size(count: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if count >= 1 << shift and count % (1 << shift) == 0:
            return f"{count >> shift} {unit}"
    return f"{count:,} bytes"
