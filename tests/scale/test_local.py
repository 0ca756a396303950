"""The local process pool: every format the same bytes on any number of workers, shared-memory
slots removed after every run, and a failed run leaving nothing."""

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import rulegen
from rulegen.errors import GenerationError
from rulegen.scale import startup
from rulegen.scale.startup import starting_workers

# Three blocks of the default size, columns of every output type.
SPEC = """
version: 1
seed: 11
tables:
  people:
    rows: 140000
    primary_key: id
    columns:
      id: {kind: sequence}
      first: {kind: faker, provider: first_name}
      email: {kind: template, template: "{first}{id}@example.com", lower: true, unique: true}
      score: {kind: normal, loc: 10, scale: 2, round: 3, null: 0.2}
      seen: {kind: timestamp, min: 2024-01-01, max: 2024-12-31, tz: America/New_York}
      born: {kind: date, min: 1950-01-01, max: 2000-12-31}
      active: {kind: bool}
  visits:
    rows: {per: people, kind: poisson, lam: 0.5}
    columns:
      person: {kind: ref, to: people.id}
      at: {kind: timestamp, min: 2024-01-01, max: 2024-12-31}
"""


def slot_folders() -> set[Path]:
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    return set(base.glob("rulegen-blocks-*"))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "sql"])
def test_every_format_is_the_same_bytes_on_two_workers(tmp_path, fmt):
    before = slot_folders()
    one = rulegen.write(SPEC, tmp_path / "one", fmt, workers=1)
    two = rulegen.write(SPEC, tmp_path / "two", fmt, workers=2)
    for name in one:
        assert one[name].read_bytes() == two[name].read_bytes(), f"{name}.{fmt} differs"
    assert slot_folders() == before


def test_a_failed_run_on_two_workers_leaves_no_file_and_no_slot(tmp_path):
    # The third block's constraint can never hold: the first two blocks are written, then it fails.
    failing = SPEC.replace("      active: {kind: bool}\n",
                           "      active: {kind: bool}\n      n: {kind: integers, low: 0, high: 9}\n"
                           "    constraints: ['id < 131073 or n > 100']\n")
    before = slot_folders()
    with pytest.raises(GenerationError):
        rulegen.write(failing, tmp_path, "parquet", workers=2)
    assert list(tmp_path.iterdir()) == []
    assert slot_folders() == before


def test_frames_from_two_workers_equal_one():
    one = rulegen.generate(SPEC, rows={"people": 70_000}, workers=1)
    two = rulegen.generate(SPEC, rows={"people": 70_000}, workers=2)
    for name, frame in one.items():
        assert frame.equals(two[name]), name


def test_forked_workers_and_fork_server_workers_write_the_same_bytes(tmp_path, monkeypatch):
    """A process without other Python threads forks its workers (checked in a fresh process: a
    test session has threads of its own); one with threads starts them from the fork server,
    as a forked child could inherit a lock a thread holds. The files are the same."""
    script = (
        "import sys, rulegen\n"
        "from rulegen.scale.startup import starting_workers\n"
        "with starting_workers() as context:\n"
        "    assert context.get_start_method() == 'fork', context.get_start_method()\n"
        "rulegen.write(sys.argv[1], sys.argv[2], 'parquet', workers=2)\n"
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    subprocess.run([sys.executable, "-c", script, str(spec), str(tmp_path / "forked")], check=True)
    monkeypatch.setattr(startup, "_can_fork", lambda: False)
    with starting_workers() as context:
        assert context.get_start_method() == "forkserver"
    served = rulegen.write(SPEC, tmp_path / "served", "parquet", workers=2)
    for name, path in served.items():
        assert (tmp_path / "forked" / path.name).read_bytes() == path.read_bytes(), name

