"""The hostile corpus: reading its inputs and laying each one out in a sandbox.

An input is ``corpus/<category>/<name>.yaml``. Its first line says what it attacks and what
``rulegen validate`` must answer::

    # expect: 1 | a table named pg_authid: COPY wrote into pg_catalog.pg_authid

(``expect: 0|1`` where either is right, e.g. a problem that may be found statically or only
at run time). Further leading comment lines may hold directives, ``# hostile: WORD ARGS``:

``issue``
    a reproduction named in the issue (always in the quick subset).
``quick``
    in the quick subset.
``exit RUNS CODES``
    the exit codes of other runs (``generate``, ``seed``, ``runs`` = all but validate, or one
    run name such as ``seed-postgresql``), e.g. ``exit runs 1``; by default every run must
    exit as validate does.
``args OPTION VALUE``
    an extra option for the runs that take it (``--seed``, ``--scale``, ``--rows``).
``build BUILDER KEY=VALUE...``
    the spec body is made at test time by a builder of :data:`BUILDERS` (inputs of many
    megabytes are not committed).
``spec PATH`` / ``lock PATH``
    the spec argument (or a ``--lock`` option) is PATH instead: ``/dev/zero``, a FIFO.
``fifo PATH`` / ``dir PATH`` / ``symlink PATH TARGET``
    made in the spec's folder before the runs (FIFOs cannot be committed).
``plant NAME TARGET``
    a symlink NAME -> TARGET put in the output folder of every generate run by the run's own
    process just before the command (``{pid}`` in NAME: its process id, so that a predictable
    temp name can be planted).
``watch GLOB``
    absolute paths outside the sandbox a run must not create (each is removed if it was).
``encode CODEC``
    the spec file is written in CODEC (``utf-16``, or ``crlf``/``cr`` for other line ends).
``dask``
    generate also runs with ``--engine dask`` (Parquet parts).
``strip-header``
    the spec file is the body alone (an empty file, a BOM that must come first).

In the spec text, ``@SANDBOX@`` becomes the sandbox's absolute path and ``<<0xNN>>`` the raw
byte NN (control bytes, BOMs and broken UTF-8 stay readable in the corpus). A folder
``<name>.files/`` next to the input is copied into the spec's folder (samples).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["BUILDERS", "CORPUS", "SECRET", "Input", "Sandbox", "load_corpus", "make_sandbox", "restore_victims"]

CORPUS = Path(__file__).parent / "corpus"
SECRET = "HOSTILE-SECRET-7f3a9c"  # in victim/secret.csv: no run may print it
_EXPECT = re.compile(r"^#\s*expect:\s*([012](?:\|[012])*)\s*(?:\|\s*(.*))?$")
_BYTE = re.compile(rb"<<0x([0-9A-Fa-f]{2})>>")
_DIRECTIVES = {"issue", "quick", "exit", "args", "build", "spec", "lock", "fifo", "dir", "symlink", "plant",
               "strip-header", "encode", "dask", "watch"}


@dataclass(frozen=True)
class Input:
    """One corpus input, as read from its file.

    Attributes:
        path: the ``.yaml`` file.
        category: its folder (sql, paths, budget, numeric, location, files).
        expect: the exit codes validate may give.
        about: what it attacks (the first line's text).
        directives: ``(word, args)`` pairs, in order.
    """

    path: Path
    category: str
    expect: frozenset[int]
    about: str
    directives: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    @property
    def id(self) -> str:
        """``category/name``."""
        return f"{self.category}/{self.path.stem}"

    def has(self, word: str) -> bool:
        """Whether the input carries a directive."""
        return any(w == word for w, _ in self.directives)

    def args_of(self, word: str) -> list[tuple[str, ...]]:
        """The arguments of every ``word`` directive."""
        return [args for w, args in self.directives if w == word]


def read_input(path: Path) -> Input:
    """Parse an input's header.

    Raises:
        ValueError: the first line is not an ``expect`` comment, or a directive is unknown.
    """
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    match = _EXPECT.match(lines[0].strip()) if lines else None
    if not match:
        raise ValueError(f"{path}: the first line must be `# expect: N | what it attacks`")
    directives = []
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        if line.startswith("# hostile:"):
            word, *args = shlex.split(line.removeprefix("# hostile:"))
            if word not in _DIRECTIVES:
                raise ValueError(f"{path}: unknown directive {word!r}")
            directives.append((word, tuple(args)))
    return Input(path=path, category=path.parent.name, expect=frozenset(int(c) for c in match.group(1).split("|")),
                 about=(match.group(2) or "").strip(), directives=tuple(directives))


def load_corpus(root: Path = CORPUS) -> list[Input]:
    """Every input under ``root``, sorted by id."""
    return sorted((read_input(p) for p in root.glob("*/*.yaml")), key=lambda i: i.id)


# -- builders: inputs too large to commit ------------------------------------------------------

def _many_tables(n: str = "16000") -> str:
    body = "".join(f"  t{i}:\n    rows: 1\n    columns: {{a: {{kind: constant, value: 1}}}}\n" for i in range(int(n)))
    return f"version: 1\ntables:\n{body}"


def _histogram(edges: str = "1000000") -> str:
    count = int(edges)
    return ("version: 1\ntables:\n  t:\n    rows: 10\n    columns:\n      h:\n        kind: histogram\n"
            f"        edges: [{', '.join(str(i) for i in range(count))}]\n"
            f"        weights: [{', '.join('1' for _ in range(count - 1))}]\n")


def _comment(mb: str = "100") -> str:
    line = "# " + "x" * 1022 + "\n"
    return line * (int(mb) * 1024) + "version: 1\ntables:\n  t:\n    rows: 1\n    columns: {a: {kind: uuid}}\n"


def _scalar(mb: str = "100", rows: str = "1") -> str:
    return (f"version: 1\ntables:\n  t:\n    rows: {int(rows)}\n    columns:\n      a: {{kind: constant, value: "
            + "x" * (int(mb) << 20) + "}\n")


def _deep(depth: str = "100000") -> str:
    n = int(depth)
    return ("version: 1\ntables:\n  t:\n    rows: 1\n    columns:\n      a: {kind: constant, value: "
            + "[" * n + "]" * n + "}\n")


def _expr(depth: str = "100000", form: str = "parens") -> str:
    n = int(depth)
    text = {"parens": "(" * n + "x" + ")" * n, "sum": " + ".join(["x"] * n), "unary": "-" * n + "x"}[form]
    return ("version: 1\ntables:\n  t:\n    rows: 3\n    columns:\n      x: {kind: sequence}\n"
            f"      y: {{kind: expr, expr: \"{text}\"}}\n")


def _long_name(length: str = "100000") -> str:
    return f"version: 1\ntables:\n  {'n' * int(length)}:\n    rows: 1\n    columns: {{a: {{kind: uuid}}}}\n"


def _choices(n: str = "1000000") -> str:
    values = ", ".join(f"v{i}" for i in range(int(n)))
    return f"version: 1\ntables:\n  t:\n    rows: 10\n    columns:\n      a: {{kind: choice, values: [{values}]}}\n"


def _many_columns(n: str = "100000") -> str:
    body = "".join(f"      c{i}: {{kind: uuid}}\n" for i in range(int(n)))
    return f"version: 1\ntables:\n  t:\n    rows: 1\n    columns:\n{body}"


BUILDERS: dict[str, Callable[..., str]] = {
    "many_tables": _many_tables, "histogram": _histogram, "comment": _comment, "scalar": _scalar,
    "deep": _deep, "long_name": _long_name, "expr": _expr, "choices": _choices, "many_columns": _many_columns,
}


# -- the sandbox ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sandbox:
    """The folders of one input's runs.

    ``root`` holds everything a run could touch by walking up a few ``..``; ``home`` is the
    runs' working folder, with a sentinel file, a ``victim`` folder and the spec's folder.

    Attributes:
        root: the folder whose tree is compared before and after every run.
        home: the runs' working folder (``@SANDBOX@``).
        spec: the spec argument (relative to ``home``, or a device or FIFO path).
        lock: the ``--lock`` argument, if any.
        tmp: the runs' TMPDIR.
        logs: where the runs' standard streams go (outside the compared tree).
    """

    root: Path
    home: Path
    spec: str
    lock: str | None
    tmp: Path
    logs: Path


def spec_bytes(item: Input, home: Path) -> bytes:
    """The bytes of the spec file for ``item`` in a sandbox at ``home``."""
    text = item.path.read_bytes()
    header, body = _split_header(text)
    for args in item.args_of("build"):
        builder, *options = args
        body = BUILDERS[builder](**dict(o.split("=", 1) for o in options)).encode()
    data = body if item.has("strip-header") else header + body
    data = data.replace(b"@SANDBOX@", str(home).encode())
    data = _BYTE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    for (codec,) in item.args_of("encode"):
        if codec in ("crlf", "cr"):
            data = data.replace(b"\n", b"\r\n" if codec == "crlf" else b"\r")
        else:
            data = data.decode("utf-8").encode(codec)
    return data


def _split_header(text: bytes) -> tuple[bytes, bytes]:
    lines = text.splitlines(keepends=True)
    count = 0
    while count < len(lines) and lines[count].startswith(b"#"):
        count += 1
    return b"".join(lines[:count]), b"".join(lines[count:])


def restore_victims(home: Path) -> None:
    """Put the sandbox back as it was made, but for the spec and the runs' output (before every
    run: an earlier run of a hostile input may have written next to them, and the next run
    must find the sentinel and the victim's secret as they were, and nothing else)."""
    for entry in home.iterdir():
        if entry.name not in ("spec", "out", "tmp", "victim", "sentinel.txt"):
            _remove(entry)
    for entry in (home / "victim").iterdir() if (home / "victim").is_dir() else ():
        if entry.name != "secret.csv":
            _remove(entry)
    (home / "victim").mkdir(exist_ok=True)
    for path, text in ((home / "sentinel.txt", "sentinel\n"),
                       (home / "victim" / "secret.csv", f"value,a,id\n{SECRET},{SECRET},{SECRET}\n")):
        if os.path.lexists(path) and (path.is_symlink() or not path.is_file()):
            _remove(path)
        if not path.exists() or path.read_text(errors="replace") != text:
            path.write_text(text)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def make_sandbox(item: Input, root: Path) -> Sandbox:
    """Lay out the sandbox of ``item`` under ``root`` (which must not exist)."""
    home = root / "a" / "b" / "sandbox"  # room for a few `..` that stay inside root
    spec_dir, tmp, logs = home / "spec", home / "tmp", root.parent / f"{root.name}-logs"
    for folder in (spec_dir, tmp, home / "victim", home / "out", logs):
        folder.mkdir(parents=True)
    restore_victims(home)
    side = item.path.with_suffix(".files")
    if side.is_dir():
        shutil.copytree(side, spec_dir, dirs_exist_ok=True)
    spec_file = spec_dir / item.path.name
    spec_file.write_bytes(spec_bytes(item, home))
    for (path,) in item.args_of("fifo"):
        os.mkfifo(spec_dir / path)
    for (path,) in item.args_of("dir"):
        (spec_dir / path).mkdir(parents=True, exist_ok=True)
    for path, target in item.args_of("symlink"):
        (spec_dir / path).symlink_to(target.replace("@SANDBOX@", str(home)))
    spec = f"spec/{item.path.name}"
    for (path,) in item.args_of("spec"):
        spec = path.replace("@SANDBOX@", str(home))
    lock = next((p.replace("@SANDBOX@", str(home)) for (p,) in item.args_of("lock")), None)
    return Sandbox(root=root, home=home, spec=spec, lock=lock, tmp=tmp, logs=logs)
