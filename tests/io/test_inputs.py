"""Input files: only regular files are read, never past their cap, and the check comes first."""

from __future__ import annotations

import os
import socket

import pytest

from rulegen.io.inputs import InputFileError, check_regular_file, open_regular_file, read_regular_file


def test_a_regular_file_is_read_up_to_its_cap(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert read_regular_file(path, 100, "spec") == b"x" * 100
    with pytest.raises(InputFileError) as caught:
        read_regular_file(path, 99, "spec")
    assert caught.value.code == "RG107" and "larger than 99 bytes" in caught.value.message


def test_a_symlink_to_a_regular_file_is_fine(tmp_path):
    (tmp_path / "f").write_bytes(b"data")
    (tmp_path / "link").symlink_to(tmp_path / "f")
    assert read_regular_file(tmp_path / "link", 10, "spec") == b"data"


@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "socket", "fifo link"])
def test_special_files_are_refused_before_they_are_read(tmp_path, kind):
    path = tmp_path / "f.csv"
    held = None
    if kind.startswith("fifo"):
        os.mkfifo(tmp_path / "fifo")  # nobody writes: opening it without O_NONBLOCK would hang
        path.symlink_to(tmp_path / "fifo") if kind == "fifo link" else os.rename(tmp_path / "fifo", path)
    elif kind == "device":
        path = "/dev/zero"
    elif kind == "folder":
        path.mkdir()
    else:
        held = socket.socket(socket.AF_UNIX)
        held.bind(str(path))
    try:
        for read in (lambda: read_regular_file(path, 1 << 20, "spec"), lambda: check_regular_file(path, "spec"),
                     lambda: open_regular_file(path, "spec")):
            with pytest.raises(InputFileError) as caught:
                read()
            assert caught.value.code == "RG106"
            assert "not a regular file" in caught.value.message and str(path) in caught.value.message
    finally:
        if held is not None:
            held.close()


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "missing", 10, "spec")


def test_a_long_line_of_yaml_is_text_not_a_file_name():
    from rulegen.spec.loader import load_document

    data, _ = load_document("version: 1 " + "x" * 300)  # not OSError: File name too long
    assert data == {"version": "1 " + "x" * 300}
