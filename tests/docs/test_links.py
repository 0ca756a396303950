"""Every relative link of the documentation leads somewhere: a file of the project, and a heading
of it when the link names one (GitHub's anchors: lower case, punctuation dropped, spaces to
hyphens)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*$")


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: `rulegen seed SPEC --db URL` -> rulegen-seed-spec---db-url."""
    text = re.sub(r"[^\w\- ]", "", heading.lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    inside_code, found = False, set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            inside_code = not inside_code
        match = None if inside_code else _HEADING.match(line)
        if match:
            found.add(anchor(match.group(1)))
    return found


def _links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return [m.group(1) for m in _LINK.finditer(text)]


def test_anchor_follows_github():
    assert anchor("`rulegen seed SPEC --db URL`") == "rulegen-seed-spec---db-url"
    assert anchor("Dates and timestamps") == "dates-and-timestamps"
    assert anchor("Real data: `sample` and `sample_rows`") == "real-data-sample-and-sample_rows"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(doc: Path):
    broken = []
    for link in _links(doc):
        if re.match(r"^[a-z]+:", link):  # https:, mailto: ...
            continue
        target, _, fragment = link.partition("#")
        path = (doc.parent / target).resolve() if target else doc
        if not path.exists() or ROOT not in [path, *path.parents]:
            broken.append(f"{link}: no such file in the project")
        elif fragment and path.suffix == ".md" and fragment not in _anchors(path):
            broken.append(f"{link}: no heading #{fragment} in {path.name}")
    assert not broken, f"{doc.name}:\n" + "\n".join(broken)
