"""The README's commands are the contract: CI must run exactly the documented test command."""

from __future__ import annotations

import re

from conftest import ROOT


def readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text(), re.S)


def test_ci_runs_the_readme_test_command():
    serve, test = readme_commands()[:2]
    assert "mkdocs serve" in serve
    assert "pytest" in test
    assert test in (ROOT / ".ci" / "run").read_text().splitlines()
