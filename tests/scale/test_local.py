"""The local process pool: every format the same bytes on any number of workers, shared-memory
slots removed after every run, and a failed run leaving nothing."""

import tempfile
import threading
from pathlib import Path

import pytest

import rulegen
from rulegen.errors import GenerationError
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


def test_workers_from_the_fork_server_write_the_same_bytes(tmp_path):
    """With another Python thread running, workers start from the fork server instead of a fork
    of this process (which could inherit a held lock); the file is the same."""
    with starting_workers() as context:
        assert context.get_start_method() == "fork"
    forked = rulegen.write(SPEC, tmp_path / "forked", "parquet", workers=2)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with starting_workers() as context:
            assert context.get_start_method() == "forkserver"
        served = rulegen.write(SPEC, tmp_path / "served", "parquet", workers=2)
    finally:
        stop.set()
        other.join()
    for name in forked:
        assert forked[name].read_bytes() == served[name].read_bytes()
