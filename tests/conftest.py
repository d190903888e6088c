"""Shared fixtures: a throw-away copy of the project, and one real build of the site.

The code (macros, docs, templates, scripts) always comes from this repository, ROOT. The data the
session's site is built from (cases/ and reference/) is DATA: the repository's own, or any folder
named by the EMALL_DATA environment variable. Tests derive their expectations from ``catalog()``
(DATA's parsed cases) and the module constants, so the suite holds for any corpus:

    .venv/bin/python scripts/corpus.py /tmp/corpus150          # seed copies + synthetic cases
    EMALL_DATA=/tmp/corpus150 .venv/bin/python -m pytest -x -q

Tests about a seed case's own content call ``seed_case(slug)``, which skips when DATA lacks it.
The ``project`` and ``empty_project`` fixtures stay small copies of the repository's own data:
tests break those freely.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("EMALL_DATA") or ROOT).resolve()  # holds cases/ and reference/
SAMPLE_CASE = ROOT / "cases" / "bertamini-2018-case-1-pancreas.yml"

if not ((DATA / "cases").is_dir() and (DATA / "reference").is_dir()):
    raise SystemExit(f"EMALL_DATA={DATA}: needs cases/ and reference/ folders (write one with scripts/corpus.py)")


@functools.cache
def catalog():
    """DATA's catalog, parsed once per session: the oracle the built site is checked against."""
    from macros.catalog import load_catalog
    return load_catalog(DATA)


def seed_case(slug: str) -> str:
    """``slug``, for a test about that seed case's own content; skips when DATA does not have it."""
    if slug not in catalog().cases:
        pytest.skip(f"seed case {slug} is not in {DATA}")
    return slug


def copy_project(dest: Path, with_cases: bool = True, data: Path = ROOT) -> Path:
    """A copy of everything a build reads, so a test can break it freely: the code from ROOT,
    cases/ and reference/ from ``data``."""
    for name in ("docs", "macros", "overrides"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(data / "reference", dest / "reference")
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    (dest / "cases").mkdir()
    if with_cases:
        for path in (data / "cases").glob("*.yml"):
            shutil.copy(path, dest / "cases" / path.name)
    return dest


def run_build(project: Path, out: Path, site_url: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if site_url:
        env["SITE_URL"] = site_url
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],  # no -q: it hides warnings from --strict
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture
def empty_project(tmp_path) -> Path:
    """Reference data and docs but no cases: tests add the cases they need."""
    return copy_project(tmp_path / "project", with_cases=False)


@pytest.fixture(scope="session")
def site_port() -> int:
    """A free local port for serving the built site (the built pages' absolute addresses use site_url)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def site(tmp_path_factory, site_port) -> Path:
    """The real project (code from ROOT, data from DATA), built once with `mkdocs build --strict`."""
    out = tmp_path_factory.mktemp("site")
    project = ROOT if DATA == ROOT else copy_project(tmp_path_factory.mktemp("data") / "project", data=DATA)
    result = run_build(project, out, site_url=f"http://127.0.0.1:{site_port}/")
    assert result.returncode == 0, result.stderr
    return out


def html(site: Path, url_path: str) -> BeautifulSoup:
    path = site / url_path / "index.html" if not url_path.endswith(".html") else site / url_path
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def quiz_yaml(prefix: str = "min") -> str:
    """Two objectives of two questions each: the least a valid case has (model.OBJECTIVES)."""
    out = ["objectives:"]
    for i, topic in enumerate(("drugs", "em-sites")):
        out += [f"  - id: {prefix}-objective-{i}", f"    text: Objective {i}.", f"    topic: {topic}", "    questions:"]
        for j in range(2):
            out += [f"      - id: {prefix}-q-{i}-{j}", f"        stem: Question {i}.{j}?", "        options:"]
            out += [f"          - {{text: Option {k}, explanation: Why {k}.{', correct: true' if k == j else ''}}}" for k in range(4)]
    return "\n".join(out) + "\n"
