"""Shared fixtures: a throw-away copy of the project, and one real build of the site."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CASE = ROOT / "cases" / "bertamini-2018-case-1-pancreas.yml"


def copy_project(dest: Path, with_cases: bool = True) -> Path:
    """A copy of everything a build reads, so a test can break it freely."""
    for name in ("docs", "reference", "macros", "overrides"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    (dest / "cases").mkdir()
    if with_cases:
        for path in (ROOT / "cases").glob("*.yml"):
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
    """A free local port for serving the built site (instant navigation needs site_url to match)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def site(tmp_path_factory, site_port) -> Path:
    """The real project, built once with `mkdocs build --strict`."""
    out = tmp_path_factory.mktemp("site")
    result = run_build(ROOT, out, site_url=f"http://127.0.0.1:{site_port}/")
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
