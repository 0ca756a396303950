"""Running many inputs at once, and the report of what failed.

:func:`sweep` hands the inputs to a few threads, each with its own fork server, and gathers
one :class:`~tests.hostile.harness.Result` per input. :func:`render_report` writes the
failures grouped by category, one line each, with counts by check and the sweep's time.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from tests.hostile.corpus import Input
from tests.hostile.databases import Postgres
from tests.hostile.harness import Failure, InputRun, Result
from tests.hostile.runner import ROOT, Runner

__all__ = ["likely_module", "render_report", "sweep", "timed_sweep"]

WORKERS = 2


def sweep(items: Sequence[Input], root: Path, postgres_url: str | None, *, workers: int = WORKERS,
          debug: bool = False, done: Callable[[Result], None] | None = None) -> dict[str, Result]:
    """Run every input; their results by id.

    Args:
        items: the inputs.
        root: an empty folder for the sandboxes.
        postgres_url: the tests' PostgreSQL server (None: no PostgreSQL runs).
        workers: inputs run at once, each in its own fork server.
        debug: rerun a run that failed with an internal error with ``--debug`` to find where.
        done: called with each result as it comes.
    """
    todo: queue.Queue[Input] = queue.Queue()
    for item in items:
        todo.put(item)
    postgres = Postgres(postgres_url) if postgres_url else None
    results: dict[str, Result] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        runner = Runner()
        try:
            while True:
                try:
                    item = todo.get_nowait()
                except queue.Empty:
                    return
                result = InputRun(item, root / item.id.replace("/", "__"), runner, postgres, debug).run_all()
                with lock:
                    results[item.id] = result
                    if done:
                        done(result)
        except BaseException as exc:  # a broken harness must fail the tests, not hang them
            errors.append(exc)
        finally:
            runner.close()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(workers, len(items))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if postgres:
        postgres.close()
    if errors:
        raise errors[0]
    return results


def render_report(results: dict[str, Result], seconds: float, title: str = "Hostile corpus") -> str:
    """Markdown: a summary, then every failure grouped by category."""
    failures = [f for r in results.values() for f in r.failures]
    failing = sorted({f.input for f in failures})
    runs = sum(r.runs for r in results.values())
    lines = [f"# {title}", "",
             f"{len(results)} inputs, {runs} rulegen runs (plus SQL script loads) in {seconds:.0f} s wall "
             f"(sum of run times {sum(r.seconds for r in results.values()):.0f} s); "
             f"{len(failing)} inputs fail, {len(failures)} failures.", "",
             "| check | failures |", "|---|---|"]
    lines += [f"| {check} | {count} |" for check, count in Counter(f.check for f in failures).most_common()]
    by_run = Counter(f.run for f in failures)
    by_module = Counter(likely_module(f, results[f.input].input) for f in failures)
    lines += ["", "Failures by run: " + ", ".join(f"{run} {n}" for run, n in sorted(by_run.items())), "",
              "Failures by the module most likely responsible: "
              + ", ".join(f"{module} {n}" for module, n in by_module.most_common()), ""]
    categories = sorted({r.input.category for r in results.values()})
    for category in categories:
        items = [r for r in results.values() if r.input.category == category]
        bad = [r for r in items if r.failures]
        lines += [f"## {category}: {len(bad)} of {len(items)} inputs fail", ""]
        for result in sorted(bad, key=lambda r: r.input.id):
            lines.append(f"### {result.input.id} — {result.input.about}")
            lines += [f"- {f.run} · {f.check}: {f.reason} — "
                      + (f"at {f.where}" if f.where else likely_module(f, result.input)) for f in result.failures]
            lines.append("")
        passing = sorted(r.input.id.split("/", 1)[1] for r in items if not r.failures)
        if passing:
            lines += [f"Passing: {', '.join(passing)}", ""]
    return "\n".join(lines) + "\n"


# Words of an input's name, and the module that owns what such an input attacks.
_BY_WORD = [
    (("faker",), "rulegen/kinds/text.py"), (("template", "concat", "nested"), "rulegen/kinds/text.py"),
    (("pattern", "regex"), "rulegen/kinds/pattern.py"),
    (("holidays", "seasonality", "trend"), "rulegen/kinds/seasonality.py"),
    (("timeline", "series"), "rulegen/kinds/timeline.py"), (("sample",), "rulegen/kinds/sample.py"),
    (("lock",), "rulegen/lockfile.py"), (("spec_",), "rulegen/spec/loader.py"), (("cli_",), "rulegen/cli.py"),
    (("expr", "pow", "div", "mod_", "log_", "exp_", "round_expr", "literal"), "rulegen/expr/evaluate.py"),
    (("choice", "constant"), "rulegen/kinds/categorical.py"), (("histogram", "sequence"), "rulegen/kinds/numeric.py"),
    (("date", "timestamp", "duration", "tz"), "rulegen/kinds/temporal.py"),
    (("per_parent", "rows", "many_tables", "many_columns", "correlation"), "rulegen/plan/compiler.py"),
]
_VALUES = ("nul_in", "value", "sample", "choice", "pattern", "template", "description")  # sql inputs about values
# Where names are checked: their own module once there is one.
_NAMES = "rulegen/spec/names.py" if (ROOT / "rulegen" / "spec" / "names.py").exists() else "rulegen/spec/structure.py"
_BY_CATEGORY = {"sql": _NAMES, "paths": _NAMES,
                "budget": "rulegen/plan/compiler.py", "numeric": "rulegen/kinds/numeric.py",
                "location": "rulegen/spec/loader.py", "files": "rulegen/spec/loader.py"}


def likely_module(failure: Failure, item: Input) -> str:
    """The rulegen module most likely responsible for ``failure``: the innermost rulegen frame
    of its stack when there was one, else a guess from the check, the run and the input."""
    if failure.where:
        return failure.where.split(":", 1)[0]
    if failure.check == "not-run":
        return "(the killed run's)"
    run, check, name = failure.run, failure.check, item.path.stem
    if check == "nul" or (check in ("victim", "database") and run.startswith("load-")):
        return "rulegen/io/sql.py"
    if check in ("victim", "database"):
        return "rulegen/io/databases.py"
    if check in ("outside", "temp", "processes") or (check == "secret" and run == "check"):
        return {"generate-dask": "rulegen/scale/dask.py", "check": "rulegen/checking/read.py"}.get(
            run, "rulegen/io/databases.py" if run.startswith("seed-") else "rulegen/io/files.py")
    if check == "exit" and item.category in ("sql", "paths") and not any(w in name for w in _VALUES):
        return _NAMES
    return next((module for words, module in _BY_WORD if any(w in name for w in words)), _BY_CATEGORY[item.category])


def timed_sweep(items: Sequence[Input], root: Path, postgres_url: str | None,
                **kwargs: object) -> tuple[dict[str, Result], float]:
    """:func:`sweep` and its wall time."""
    started = time.perf_counter()
    results = sweep(items, root, postgres_url, **kwargs)  # type: ignore[arg-type]
    return results, time.perf_counter() - started
