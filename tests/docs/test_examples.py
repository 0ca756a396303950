"""Every example of the documentation runs: the README's and those of docs/*.md.

Each document's blocks run in order, in one temporary folder that holds a copy of ``schemas/``
(so ``schemas/shop.yaml`` means what it means in a clone) and one Python namespace:

- ```yaml: a whole spec (it has ``tables``) is loaded, written (Parquet, at most 100 rows per
  fixed-size table) and checked with ``rulegen.check``; a fragment of tables is merged into the
  document's last whole spec first (tables that its refs name and that are missing get a stub
  with a sequence key); a fragment of columns becomes a table of its own in that spec. In
  docs/, a fragment is marked ``<!-- fragment -->``; the README's are recognised by their shape
  (its sections belong to other work, so it carries no markers).
  ``<!-- error: CODE -->`` expects the spec to be refused with CODE instead.
- ```python: run in the document's namespace, with the folder as working directory. A block
  that defines ``test_`` functions is a test module: pytest runs it (with rulegen's plugin).
- ```bash: each command (``&&`` and new lines separate them) is run: ``rulegen ...`` through the
  CLI (``> FILE`` writes its output to FILE), with exit code 0 or the block's ``<!-- exit: N -->``.
  ``pip install`` (the environment is already installed) and ``python -m pytest`` (the suite this
  test belongs to) are not run; any other command needs the block marked ``<!-- no-run: REASON -->``.
- A block marked ``<!-- output -->`` is what the last ``rulegen`` command above it printed,
  exactly.
- Expression tables (``| expression | result |``) are evaluated as ``expr`` columns of the first
  table of the last spec marked ``<!-- context -->`` above them, and each value compared with
  the row's result; an expected ``error RGxxx`` means the expression is refused with that code.

docs/spec.md is generated from the kinds, and its examples are run by tests/kinds/test_kinds.py.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import os
import shlex
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import rulegen
from rulegen.cli import main
from tests.conftest import ROOT
from tests.docs.blocks import Block, blocks, expression_rows

DOCS = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "spec.md")]
MAX_ROWS = 100  # rows of a fixed-size table in a docs run
MAX_NO_RUN = 6  # blocks not run, in all documents: each one a documented exception
SKIPPED_COMMANDS = (("pip", "install"), ("python", "-m", "pytest"))


def _customers_in_out(folder: Path) -> None:
    shutil.rmtree(folder / "out", ignore_errors=True)
    rulegen.write(folder / "schemas" / "customers.yaml", folder / "out")


# Python blocks (by a line they hold) that read files no earlier block of their document makes,
# and what makes them: the README's API example checks customers.yaml's data in `out`.
PREPARE = {'report = rulegen.check(spec, "out")': _customers_in_out}


def _ids(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


class DocRun:
    """The state of one document's run: its folder, namespace and last whole spec."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.namespace: dict[str, Any] = {"__name__": "__doc__"}
        self.context: dict[str, Any] | None = None  # the last whole spec
        self.expression_context: dict[str, Any] | None = None
        self.specs = 0
        self.last_output = ""  # what the last rulegen command printed (standard output and error)
        shutil.copytree(ROOT / "schemas", folder / "schemas")

    # -- yaml ---------------------------------------------------------------------------------
    def run_yaml(self, block: Block) -> None:
        data = yaml.safe_load(block.text)
        if "file" in block.marks:
            (self.folder / block.marks["file"]).write_text(block.text, encoding="utf-8")
        spec = self._as_spec(data, block)
        if "context" in block.marks:
            self.expression_context = spec
        self.specs += 1
        path = self.folder / block.marks.get("file", f"example-{self.specs}.yaml")
        if "file" not in block.marks:
            path.write_text(json.dumps(spec, default=str), encoding="utf-8")  # JSON is YAML
        rows = _small_rows(spec)
        if "error" in block.marks:
            with pytest.raises(rulegen.SpecError) as refused:
                rulegen.compile(path, rows=rows)
            codes = {d.code for d in refused.value.diagnostics}
            assert block.marks["error"] in codes, f"{block.where()}: refused with {codes}, not {block.marks['error']}"
            return
        out = self.folder / f"out-{self.specs}"
        rulegen.write(path, out, "parquet", rows=rows)
        report = rulegen.check(path, out, rows=rows)
        assert report.ok, f"{block.where()}: the data breaks its spec:\n{report.render()}"

    def _as_spec(self, data: Any, block: Block) -> dict[str, Any]:
        assert isinstance(data, dict), f"{block.where()}: a YAML example is a mapping"
        if "tables" in data:
            if "error" not in block.marks:
                self.context = data
            return data
        assert "fragment" in block.marks or block.doc.name == "README.md", (
            f"{block.where()}: a YAML block without `tables` needs <!-- fragment --> before it")
        values = list(data.values())
        base = copy.deepcopy(self.context) if self.context else {"version": 1, "tables": {}}
        if all(isinstance(v, dict) and "columns" in v for v in values):  # tables
            base["tables"].update(copy.deepcopy(data))
        elif all(isinstance(v, dict) and "kind" in v for v in values):  # columns
            base["tables"]["example"] = {"rows": 20, "columns": copy.deepcopy(data)}
        else:
            raise AssertionError(f"{block.where()}: neither a spec, nor tables, nor columns")
        _stub_parents(base)
        return base

    # -- python -------------------------------------------------------------------------------
    def run_python(self, block: Block) -> None:
        if "def test_" in block.text:
            self._run_test_module(block)
            return
        for line, prepare in PREPARE.items():
            if line in block.text:
                prepare(self.folder)
        with _cwd(self.folder):  # the repository's own docs, run as their reader would run them
            exec(compile(block.text, block.where(), "exec"), self.namespace)

    def _run_test_module(self, block: Block) -> None:
        """Run a block of test functions with pytest, in this process (a new interpreter would
        spend seconds importing what this one has), with rulegen's plugin as installed."""
        name = f"test_doc_{block.doc.stem.lower()}_{block.line}"
        (self.folder / f"{name}.py").write_text(block.text, encoding="utf-8")
        with _cwd(self.folder):
            code = pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--rootdir", str(self.folder),
                                "-o", "addopts=", f"{name}.py"])
        sys.modules.pop(name, None)
        assert code == 0, f"{block.where()}: its tests failed (pytest exit code {code}; see the output above)"

    # -- bash ---------------------------------------------------------------------------------
    def run_bash(self, block: Block) -> None:
        commands = list(_commands(block.text))
        assert commands, f"{block.where()}: no command"
        expected = int(block.marks.get("exit", "0"))
        for number, words in enumerate(commands):
            if any(tuple(words[:len(skip)]) == skip for skip in SKIPPED_COMMANDS):
                continue
            assert words[0] == "rulegen", (f"{block.where()}: `{' '.join(words)}` is not a rulegen command; "
                                           "mark the block <!-- no-run: REASON --> if it cannot run here")
            target = None
            if ">" in words:
                at = words.index(">")
                words, target = words[:at], words[at + 1]
            with _cwd(self.folder):
                result = CliRunner().invoke(main, words[1:])
            self.last_output = result.output
            if target is not None:
                (self.folder / target).write_text(result.stdout, encoding="utf-8")
            want = expected if number == len(commands) - 1 else 0
            assert result.exit_code == want, (f"{block.where()}: `{' '.join(words)}` exited {result.exit_code}, "
                                              f"not {want}:\n{result.output}\n{result.exception!r}")


def _commands(text: str) -> Iterator[list[str]]:
    """The commands of a shell block: lines (with ``\\`` continuations) split on ``&&``."""
    for line in text.replace("\\\n", " ").splitlines():
        command: list[str] = []
        for word in [*shlex.split(line, comments=True), "&&"]:
            if word == "&&":
                if command:
                    yield command
                command = []
            else:
                command.append(word)


def _stub_parents(spec: dict[str, Any]) -> None:
    """Give every `ref` to a missing table a small table with that key."""
    tables = spec["tables"]
    for table in list(tables.values()):
        for column in table.get("columns", {}).values():
            if isinstance(column, dict) and column.get("kind") == "ref":
                name, key = column["to"].split(".", 1)
                tables.setdefault(name, {"rows": 20, "primary_key": key, "columns": {key: {"kind": "sequence"}}})


def _small_rows(spec: dict[str, Any]) -> dict[str, int]:
    """Row counts that keep a docs run small: fixed tables at most MAX_ROWS, timeline parents 2."""
    tables = spec["tables"]
    timeline_parents = {t["timeline"].get("per") for t in tables.values() if isinstance(t.get("timeline"), dict)}
    rows = {}
    for name, table in tables.items():
        if isinstance(table.get("rows"), int):
            rows[name] = min(table["rows"], 2 if name in timeline_parents else MAX_ROWS)
    return rows


def shown(value: Any) -> str:
    """A value as the docs write it: null, true, 'text', 2024-03-15, 2 days, 0:00:00, 3.5."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.timedelta):
        return f"duration {value}"
    return str(value)


def _evaluate(context: dict[str, Any], expressions: list[str], folder: Path) -> list[str]:
    """The shown value of each expression on the first row of the context's first table."""
    spec = copy.deepcopy(context)
    name = next(iter(spec["tables"]))
    columns = spec["tables"][name]["columns"]
    for i, text in enumerate(expressions):
        columns[f"e_{i}"] = {"kind": "expr", "expr": text}
    path = folder / "expressions.yaml"
    path.write_text(json.dumps(spec, default=str), encoding="utf-8")  # JSON is YAML: no reading surprises
    try:
        batch = next(rulegen.iter_blocks(path, name, rows=_small_rows(spec), arrow=True))
    except Exception as exc:  # any failure: one expression at a time then tells which one
        if len(expressions) > 1:
            return [r for text in expressions for r in _evaluate(context, [text], folder)]
        if isinstance(exc, rulegen.RulegenError):
            return ["error " + " ".join(sorted({d.code for d in exc.diagnostics}))]
        return [f"crash {type(exc).__name__}"]
    return [shown(batch.column(f"e_{i}")[0].as_py()) for i in range(len(expressions))]


@pytest.mark.parametrize("doc", DOCS, ids=_ids)
def test_every_example_of_the_document_runs(doc: Path, tmp_path: Path) -> None:
    run = DocRun(tmp_path)
    context_at: dict[int, dict[str, Any]] = {}
    for block in blocks(doc):
        if "output" in block.marks:
            assert run.last_output == block.text, (
                f"{block.where()}: the command above printed:\n{run.last_output}")
            continue
        if "no-run" in block.marks or block.lang not in ("yaml", "python", "bash"):
            continue
        getattr(run, f"run_{block.lang}")(block)
        if "context" in block.marks:
            context_at[block.line] = run.expression_context
    rows = expression_rows(doc)
    if not rows:
        return
    assert context_at, f"{doc.name}: expression tables need a spec marked <!-- context --> above them"
    by_context: dict[int, list[Any]] = {}
    for row in rows:
        above = max((line for line in context_at if line < row.line), default=None)
        assert above is not None, f"{doc.name}:{row.line}: no <!-- context --> spec above"
        by_context.setdefault(above, []).append(row)
    wrong = []
    for line, group in by_context.items():
        values = _evaluate(context_at[line], [r.expression for r in group], tmp_path)
        wrong += [f"{doc.name}:{r.line}: `{r.expression}` is `{v}`, the docs say `{r.result}`"
                  for r, v in zip(group, values, strict=True) if v != r.result]
    assert not wrong, "\n".join(wrong)


def test_every_block_runs_or_says_why_not() -> None:
    skipped = []
    for doc in DOCS:
        for block in blocks(doc):
            if "no-run" in block.marks:
                assert block.marks["no-run"].strip(), f"{block.where()}: no-run needs a reason"
                skipped.append(block.where())
            elif block.lang in ("yaml", "python", "bash"):
                continue
            else:
                assert block.lang in ("", "text", "console"), f"{block.where()}: unknown language {block.lang!r}"
    assert len(skipped) <= MAX_NO_RUN, f"too many examples not run: {skipped}"


def test_the_block_reader_sees_markers_and_tables(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("text\n\n<!-- no-run: needs a server -->\n\n```bash\nrulegen seed x\n```\n\n"
                   "  ```yaml\n  a: 1\n  ```\n\n| expression | result |\n|---|---|\n| `1 + 1` | `2` |\n"
                   "| `a \\| b` | `x` |\n", encoding="utf-8")
    found = blocks(doc)
    assert [(b.lang, b.marks, b.text) for b in found] == [
        ("bash", {"no-run": "needs a server"}, "rulegen seed x\n"), ("yaml", {}, "a: 1\n")]
    assert [(r.expression, r.result) for r in expression_rows(doc)] == [("1 + 1", "2"), ("a | b", "x")]
    assert list(_commands("rulegen a && rulegen b  # note\npip install x \\\n  y\n")) == [
        ["rulegen", "a"], ["rulegen", "b"], ["pip", "install", "x", "y"]]


def test_a_failing_example_fails_the_run(tmp_path: Path) -> None:
    run = DocRun(tmp_path)
    with pytest.raises(AssertionError, match="its tests failed"):
        run.run_python(Block(tmp_path / "doc.md", 3, "python", "def test_sum():\n    assert 1 + 1 == 3\n"))
    with pytest.raises(AssertionError, match="not a rulegen command"):
        run.run_bash(Block(tmp_path / "doc.md", 9, "bash", "ls -l\n"))
    with pytest.raises(AssertionError, match="exited 1, not 0"):
        run.run_bash(Block(tmp_path / "doc.md", 12, "bash", "rulegen validate missing.yaml\n"))
    assert _evaluate({"version": 1, "tables": {"t": {"rows": 1, "columns": {"a": {"kind": "constant", "value": 2}}}}},
                     ["a * 3", "a + 'x'"], tmp_path) == ["6", "error RG224"]
