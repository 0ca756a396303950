"""What `generate` writes stays inside --out: whatever a table is called, whatever someone
planted in the folder, and whatever fails, files land there whole or not at all."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.errors import OutputError, SpecError
from rulegen.io import outputs
from rulegen.io.files import TableOutput, write_tables

SPEC = """
version: 1
seed: 1
tables:
  a: {rows: 20, columns: {x: {kind: sequence}}}
  b: {rows: 20, columns: {x: {kind: sequence}}}
  c: {rows: 20, columns: {x: {kind: sequence}}}
"""

ESCAPING = ["../x", "../../x", "/tmp/rulegen-escape/x", "sub/x", "sub/../../x", "x\0y", "..\0"]


def table(name: str, rows: int = 10) -> TableOutput:
    schema = pa.schema([("x", pa.int64())])
    batch = pa.record_batch([pa.array(range(rows), pa.int64())], schema=schema)
    return TableOutput(name, schema, lambda encode: [batch])


def listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def dead_pid() -> int:
    done = subprocess.run(["true"], check=True)
    del done
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("name", ESCAPING)
def test_the_writer_refuses_a_name_that_leaves_the_folder(tmp_path, name, fmt):
    out = tmp_path / "deep" / "out"
    out.mkdir(parents=True)
    (out / "sub").mkdir()
    before = listing(tmp_path)
    with pytest.raises(OutputError) as caught:
        write_tables([table("fine"), table(name)], out, fmt)
    assert caught.value.diagnostics[0].code == "RG512"
    assert listing(tmp_path) == before
    assert not Path("/tmp/rulegen-escape").exists()


@pytest.mark.parametrize("name", ["..", ".", ""])
def test_dots_alone_still_make_a_file_inside(tmp_path, name):
    paths = write_tables([table(name)], tmp_path, "csv")
    assert paths[name].parent == tmp_path and listing(tmp_path) == [f"{name}.csv"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "sql"])
@pytest.mark.parametrize("name", ["../x", "/tmp/rulegen-escape/x", "a/../../x"])
def test_a_spec_with_an_escaping_table_name_writes_nothing_outside(tmp_path, name, fmt):
    out = tmp_path / "out"
    spec = f'version: 1\nseed: 1\ntables:\n  "{name}": {{rows: 5, columns: {{x: {{kind: sequence}}}}}}\n'
    with pytest.raises((SpecError, OutputError)):  # refused when loaded, or else by the writer
        rulegen.write(spec, out, fmt)
    assert listing(tmp_path) == []
    assert not Path("/tmp/rulegen-escape").exists()


def test_planted_symlinks_are_never_written_through(tmp_path, monkeypatch):
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("precious")
    # Every name an older rulegen or a guess could use: the final name, the old temp names.
    for name in ("a.csv", f".a.csv.{os.getpid()}.tmp", ".a.csv.tmp", "b.csv"):
        (out / name).symlink_to(victim)
    monkeypatch.setattr(outputs.secrets, "token_hex", lambda n: "0" * 2 * n)  # the temp name, predicted
    planted = out / outputs.temp_name("c.csv")
    planted.symlink_to(victim)
    with pytest.raises(OutputError) as caught:
        rulegen.write(SPEC, out, "csv")
    assert "exists" in caught.value.render()
    assert victim.read_text() == "precious"
    assert (out / "a.csv").is_symlink() and planted.is_symlink()  # nothing was replaced
    planted.unlink()
    monkeypatch.undo()
    rulegen.write(SPEC, out, "csv")
    assert victim.read_text() == "precious"
    assert not (out / "a.csv").is_symlink() and (out / "a.csv").read_text().startswith('"x"')


def test_a_failed_rename_puts_back_every_file_as_it_was(tmp_path):
    out = tmp_path / "out"
    rulegen.write(SPEC, out, "csv")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "b.csv").unlink()
    (out / "b.csv").mkdir()
    (out / "b.csv" / "keep").write_text("mine")
    changed = SPEC.replace("seed: 1", "seed: 2").replace("kind: sequence", "kind: integers, low: 1, high: 9")
    with pytest.raises(OutputError) as caught:
        rulegen.write(changed, out, "csv")
    assert caught.value.diagnostics[0].code == "RG513"
    assert "cannot put b.csv in place" in caught.value.render() and "unchanged" in caught.value.render()
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.csv", "c.csv", "rulegen-manifest.json"]
    assert (out / "a.csv").read_bytes() == before["a.csv"]
    assert (out / "c.csv").read_bytes() == before["c.csv"]
    assert (out / "b.csv" / "keep").read_text() == "mine"


def test_publish_puts_back_folders_and_new_names(tmp_path):
    old_file, old_dir = tmp_path / "one", tmp_path / "two"
    old_file.write_text("old one")
    old_dir.mkdir()
    (old_dir / "part").write_text("old two")
    new = [tmp_path / f"n{i}" for i in range(4)]
    new[0].write_text("new one")
    new[1].mkdir()
    (new[1] / "part").write_text("new two")
    new[2].write_text("new four")
    new[3].write_text("new three")
    blocker = tmp_path / "three"
    blocker.mkdir()
    (blocker / "x").write_text("")
    with pytest.raises(OSError):
        outputs.publish([(new[0], old_file), (new[1], old_dir), (new[2], tmp_path / "four"), (new[3], blocker)])
    assert old_file.read_text() == "old one" and (old_dir / "part").read_text() == "old two"
    assert listing(blocker) == ["x"]
    # What was published is taken back; the file that failed stays where it was, for its caller.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n3", "one", "three", "two"]


def test_temp_files_of_dead_runs_are_removed_and_live_ones_kept(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = out / f".rulegen-{dead_pid()}-0123abcd.a.csv.tmp"
    dead_folder = out / f".rulegen-{dead_pid()}-0123abcd.a.parquet.tmp"
    live = out / f".rulegen-{os.getpid()}-0123abcd.a.csv.tmp"
    other = out / ".rulegen-notes.tmp"
    for path in (dead, live, other):
        path.write_text("")
    dead_folder.mkdir()
    (dead_folder / "part-000000.parquet").write_text("")
    rulegen.write(SPEC, out, "csv")
    assert not dead.exists() and not dead_folder.exists()
    assert live.exists() and other.exists()


def test_temp_names_add_at_most_the_overhead(tmp_path):
    name = "t" * 200 + ".parquet"
    assert len(outputs.temp_name(name).encode()) - len(name.encode()) <= outputs.TEMP_OVERHEAD
    assert outputs.remove_stale(tmp_path) == []


def test_a_failed_run_removes_the_folder_it_made(tmp_path):
    out = tmp_path / "new" / "out"
    with pytest.raises(OutputError):
        write_tables([table("ok"), table("../bad")], out, "csv")
    assert list(tmp_path.iterdir()) == []


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, check=False)
    return done.returncode == 0


BIG = """
version: 1
seed: 1
tables:
  small: {rows: 10, columns: {x: {kind: sequence}}}
  big:
    rows: 100000
    columns:
      x: {kind: sequence}
      text: {kind: pattern, pattern: "[a-z]{40}"}
"""


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_full_disk_says_so_and_leaves_nothing(tmp_path, fmt):
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "1m"):
        pytest.skip("cannot mount a tmpfs here")
    try:
        out = disk / "out"
        with pytest.raises(OutputError) as caught:  # past the free space: the default budget would refuse it
            rulegen.write(BIG, out, fmt, max_bytes=1 << 40)
        text = caught.value.render()
        assert caught.value.diagnostics[0].code == "RG510", text
        assert "the disk is full" in text and str(out) in text and "bytes" in text
        assert list(disk.iterdir()) == []  # not even the folder it made
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_file_size_limit_says_so_and_leaves_nothing(tmp_path):
    spec = tmp_path / "big.yaml"
    spec.write_text(BIG)
    out = tmp_path / "out"
    out.mkdir()
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000)); "
            "sys.argv = ['rulegen', *sys.argv[1:]]; from rulegen.cli import entry; entry()")
    done = subprocess.run([sys.executable, "-c", code, "generate", str(spec), "--out", str(out), "--workers", "1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "error[RG511]" in done.stderr and "file size limit" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert list(out.iterdir()) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(blacklist_categories=()), max_size=300)
       | st.sampled_from(["../x", "a\\b", "\udcff", "\ud800"]))
def test_any_name_gives_one_file_inside_or_a_refusal(tmp_path, name):
    """Over the whole of Unicode: the writer refuses the name with an OutputError, or writes
    exactly one file, directly inside the folder; nothing else appears anywhere."""
    root = tmp_path / f"case-{uuid.uuid4().hex}"
    out = root / "out"
    out.mkdir(parents=True)
    try:
        paths = write_tables([table(name)], out, "csv")
    except OutputError as exc:
        assert exc.diagnostics[0].code in ("RG512", "RG501")
        assert listing(root) == ["out"]
    else:
        assert paths[name].parent == out
        assert [p.name for p in out.iterdir()] == [paths[name].name]
        assert listing(root) == ["out", f"out/{paths[name].name}"]


def test_full_shared_memory_says_so_instead_of_killing_workers(tmp_path, monkeypatch):
    """Workers hand blocks over in /dev/shm: when it fills up, the run says the disk is full
    (a write through a mapping into a full tmpfs would kill the worker with SIGBUS)."""
    from rulegen.scale import local

    shm = tmp_path / "shm"
    if not _mount_tmpfs(shm, "1m"):
        pytest.skip("cannot mount a tmpfs here")
    try:
        monkeypatch.setattr(local, "_SHARED_MEMORY", shm)
        with pytest.raises(OutputError) as caught:
            rulegen.write(BIG.replace("rows: 100000", "rows: 300000"), tmp_path / "out", "csv", workers=2)
        text = caught.value.render()
        assert caught.value.diagnostics[0].code == "RG510" and str(shm) in text, text
        assert not (tmp_path / "out").exists() and list(shm.iterdir()) == []
    finally:
        subprocess.run(["umount", str(shm)], check=False)


def test_an_interrupt_between_renames_puts_everything_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    rulegen.write(SPEC, out, "csv")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    renames = []
    real_replace = os.replace

    def interrupted(source, target):
        real_replace(source, target)
        renames.append(target)
        if len(renames) == 2:  # SIGTERM lands just after the second table's rename
            raise KeyboardInterrupt

    monkeypatch.setattr(outputs.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rulegen.write(SPEC.replace("seed: 1", "seed: 9").replace("kind: sequence", "kind: integers, low: 5, high: 9"),
                      out, "csv")
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_lock_and_compare_outputs_never_write_through_a_symlink(tmp_path):
    import pyarrow as pa

    from rulegen.fidelity.datafiles import write_table

    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    spec = tmp_path / "spec.yaml"
    spec.write_text("version: 1\nseed: 1\ntables:\n  t:\n    rows: 3\n    columns:\n"
                    "      n: {kind: faker, provider: first_name}\n")
    (tmp_path / "spec.yaml.lock").symlink_to(victim)
    (tmp_path / f".spec.yaml.lock.{os.getpid()}.tmp").symlink_to(victim)  # the old predictable name
    rulegen.lock(spec)
    (tmp_path / "out.csv").symlink_to(victim)
    (tmp_path / f".out.csv.{os.getpid()}.tmp").symlink_to(victim)
    write_table(pa.table({"a": [1, 2]}), tmp_path / "out.csv")
    assert victim.read_text() == "precious"
    assert not (tmp_path / "spec.yaml.lock").is_symlink() and not (tmp_path / "out.csv").is_symlink()
