"""The hostile corpus, run through every command (see tests/hostile/README.md).

``test_input[CATEGORY/NAME]`` passes when every run of the input keeps every promise of
:mod:`tests.hostile.harness`; its failure message lists each broken one on a line. The inputs
selected in a session run together, two at a time, the first time a test asks for a result.
Inputs marked ``issue`` or ``quick`` form the quick subset; the others are marked ``slow``
(``-m "not slow"`` runs the subset).

``RULEGEN_HOSTILE_REPORT=FILE`` writes a Markdown report of every failure, and reruns
internal errors with ``--debug`` to name the rulegen frame they come from.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.corpus import CORPUS, Input, load_corpus, read_input
from tests.hostile.harness import Result
from tests.hostile.sweep import render_report, timed_sweep

ITEMS = load_corpus()
REPORT = os.environ.get("RULEGEN_HOSTILE_REPORT")
CATEGORIES = {"sql", "paths", "budget", "numeric", "location", "files"}
# The reproductions the issue names, each an input of the corpus.
REPRODUCTIONS = [
    "sql/pg_authid_superuser", "sql/pg_description", "sql/name_newline_drop", "sql/name_cr_drop",
    "sql/nul_in_constant", "sql/nul_in_pattern", "sql/nul_in_lookup",
    "paths/dotdot_table", "paths/absolute_table", "paths/check_reads_outside", "paths/planted_symlink",
    "budget/nested_templates", "budget/faker_binary", "budget/faker_pystr_1e9", "budget/faker_paragraph_1e7",
    "budget/faker_random_letters", "budget/faker_pylist", "budget/faker_csv", "budget/faker_pystruct",
    "budget/per_parent_of_1e9", "budget/many_tables_16000", "budget/histogram_1m_edges", "budget/comment_100mb",
    "budget/scalar_100mb", "files/lock_dev_zero", "files/spec_dev_zero", "files/spec_fifo",
]


# Inputs rulegen does not pass yet (strict: each turns into a failure once fixed, to be removed here).
KNOWN: dict[str, str] = {
}


def _params() -> list:
    params = []
    for item in ITEMS:
        marks = [] if item.has("issue") or item.has("quick") else [pytest.mark.slow]
        if item.id in KNOWN:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN[item.id]))
        params.append(pytest.param(item, id=item.id, marks=marks))
    return params


@pytest.fixture(scope="session")
def hostile_results(request: pytest.FixtureRequest, postgres_url: str,
                    tmp_path_factory: pytest.TempPathFactory) -> dict[str, Result]:
    """The results of every input this session selected, run together on first use."""
    selected = [test.callspec.params["item"] for test in request.session.items
                if test.originalname == "test_input" and hasattr(test, "callspec")]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")

    def progress(result: Result) -> None:
        if reporter and request.config.getoption("verbose") > 0:
            reporter.write_line(f"hostile {result.input.id}: {len(result.failures)} failures in {result.seconds:.1f} s")

    results, seconds = timed_sweep(selected, tmp_path_factory.mktemp("hostile"), postgres_url,
                                   debug=REPORT is not None, done=progress)
    summary = (f"hostile corpus: {len(results)} inputs, {sum(r.runs for r in results.values())} runs in "
               f"{seconds:.0f} s; {sum(bool(r.failures) for r in results.values())} inputs fail")
    if reporter:
        reporter.write_line(summary)
    if REPORT:
        Path(REPORT).write_text(render_report(results, seconds), encoding="utf-8")
    return results


@pytest.mark.parametrize("item", _params())
def test_input(item: Input, hostile_results: dict[str, Result]) -> None:
    failures = hostile_results[item.id].failures
    assert not failures, f"{item.id}: {item.about}\n" + "\n".join(f.line() for f in failures)


def test_corpus_covers_the_issue() -> None:
    ids = {item.id for item in ITEMS}
    assert len(ITEMS) >= 170, f"the corpus has {len(ITEMS)} inputs"
    counts = {category: sum(item.category == category for item in ITEMS) for category in CATEGORIES}
    assert {item.category for item in ITEMS} == CATEGORIES and min(counts.values()) >= 15, counts
    assert not [r for r in REPRODUCTIONS if r not in ids], "missing reproductions"
    not_marked = [r for r in REPRODUCTIONS if not next(i for i in ITEMS if i.id == r).has("issue")]
    assert not not_marked, f"reproductions not marked `issue`: {not_marked}"


def test_every_input_has_a_valid_header() -> None:
    for path in sorted(CORPUS.glob("*/*")):
        if path.suffix == ".files" and path.is_dir():
            assert path.with_suffix(".yaml").exists(), f"{path} belongs to no input"
            continue
        assert path.suffix == ".yaml", f"{path}: corpus inputs are .yaml files"
        read_input(path)  # raises on a bad header or directive
