"""Finding the files generate wrote: only inside the folder, the preferred format first, and
only files that are data."""

from __future__ import annotations

import os

import orjson
import pytest

from rulegen.io.inputs import InputFileError
from rulegen.io.read import ReadError, check_table_file, dataset_files, jsonl_records, table_files


def test_table_files_prefer_parquet_then_jsonl_then_csv(tmp_path):
    for ext in ("csv", "jsonl"):
        (tmp_path / f"t.{ext}").write_text("")
    (tmp_path / "t.parquet").mkdir()
    assert [p.name for p in table_files(tmp_path, "t")] == ["t.parquet", "t.jsonl", "t.csv"]
    assert table_files(tmp_path, "other") == []


@pytest.mark.parametrize("name", ["../secret", "sub/../../secret", "secret\0", "/abs/secret"])
def test_table_files_never_leave_the_folder(tmp_path, name):
    folder = tmp_path / "out"
    (folder / "sub").mkdir(parents=True)
    (tmp_path / "secret.csv").write_text("id\n1\n")
    assert table_files(folder, name.replace("/abs", str(tmp_path))) == []


def test_dataset_files_skip_hidden_and_foreign_entries(tmp_path):
    for name in ("a.csv", "a.parquet", "b.jsonl", ".rulegen-1-0123abcd.c.csv.tmp", "notes.txt"):
        (tmp_path / name).write_text("")
    (tmp_path / "d.csv").mkdir()  # only .parquet folders are tables
    (tmp_path / "e.parquet").mkdir()
    assert {name: p.name for name, p in dataset_files(tmp_path).items()} == {
        "a": "a.parquet", "b": "b.jsonl", "e": "e.parquet"}


def test_check_table_file_refuses_fifos_as_files_and_as_parts(tmp_path):
    os.mkfifo(tmp_path / "t.csv")
    with pytest.raises(InputFileError):
        check_table_file(tmp_path / "t.csv")
    parts = tmp_path / "t.parquet"
    parts.mkdir()
    (parts / "part-000000.parquet").write_bytes(b"")
    (parts / ".hidden.tmp").mkdir()  # skipped, as Arrow skips it
    check_table_file(parts)
    os.mkfifo(parts / "part-000001.parquet")
    with pytest.raises(InputFileError):
        check_table_file(parts)


def test_jsonl_records(tmp_path):
    assert jsonl_records(b'{"a": 1}\n\n{"b": "x"}\n') == [{"a": 1}, {"b": "x"}]
    with pytest.raises(ReadError, match="line 2 is not a JSON object"):
        jsonl_records(b'{"a": 1}\n[1]\n')
    with pytest.raises(orjson.JSONDecodeError):
        jsonl_records(b"{not json\n")
