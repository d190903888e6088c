"""The lock files CI installs from pin every dependency in pyproject.toml, each with hashes."""

from __future__ import annotations

import re
import tomllib

from conftest import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, 1)[0].lower().replace("_", "-")


def _pins(lock: str) -> dict[str, list[str]]:
    """name -> hashes, from a pip-compile --generate-hashes file."""
    pins = {}
    for block in re.split(r"\n(?=[a-z0-9])", (ROOT / "requirements" / lock).read_text(), flags=re.I):
        m = re.match(r"([A-Za-z0-9_.-]+)==\S+", block)
        if m:
            pins[m[1].lower().replace("_", "-")] = re.findall(r"--hash=sha256:[0-9a-f]{64}", block)
    return pins


def test_every_dependency_is_pinned_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for lock, wanted in (("site.lock", project["dependencies"]),
                         ("test.lock", project["dependencies"] + project["optional-dependencies"]["test"])):
        pins = _pins(lock)
        missing = [r for r in wanted if _name(r) not in pins]
        assert not missing, f"requirements/{lock} lacks {missing}: regenerate it (see README)"
        unhashed = [name for name, hashes in pins.items() if not hashes]
        assert not unhashed, f"requirements/{lock}: no hashes for {unhashed}"
        assert "--find-links" not in (ROOT / "requirements" / lock).read_text()
