"""Hostile or careless input is rejected before anything uses it: a clear `file:line: field:
message` from validate.py, the same verdict from the strict build, and never a traceback."""

from __future__ import annotations

import re

import pytest

from conftest import run_build
from test_validate import CLEAN, run_validate

LINE = re.compile(r"^[^:\n]+:\d+: [^:\n]+: .+$")

CASES = {  # name -> (change to the clean case, what the message says)
    "month-inf": (("{month: 0,", "{month: inf,"), "finite"),
    "month-1e308": (("{month: 0,", "{month: 1e308,"), "at most"),
    "month-1e9": (("{month: 0,", "{month: 1e9,"), "at most"),
    "month-negative": (("{month: 0,", "{month: -1,"), "at least"),
    "age-huge": (("  age: 40", "  age: 100000000000000000000"), "at most"),
    "nul-in-summary": (("summary: One paragraph.", 'summary: "One\\0 paragraph."'), "U+0000"),
    "bidi-override": (("summary: One paragraph.", 'summary: "One \\u202e paragraph."'), "U+202E"),
    "c1-control": (("summary: One paragraph.", 'summary: "One \\x85 paragraph."'), "U+0085"),
    "noncharacter": (("summary: One paragraph.", 'summary: "One \\uFFFE paragraph."'), "U+FFFE"),
    "newline-in-short": (("title: A minimal case", 'title: "A minimal\\ncase"'), "single line"),
    "id-with-newline": (("- id: min-objective-0", '- id: "min-objective-0\\n"'), "expected form"),
    "anchor-trailing-newline": (("discussion: Short.", 'discussion: Short.\nannotations:\n  - {at: "outcome\\n", title: T, text: X.}'),
                                "must name a moment"),
    "after-line-out-of-range": (("outcome:\n", "transplants:\n  - {kind: allogeneic, when: later, donor: sibling, text: Done., after_line: 9}\noutcome:\n"),
                                "treatment line"),
}


@pytest.mark.parametrize("name", CASES)
def test_rejected_with_a_line_and_no_traceback(empty_project, name):
    (old, new), words = CASES[name]
    assert old in CLEAN, name
    path = empty_project / "cases" / "hostile.yml"
    path.write_text(CLEAN.replace(old, new, 1), encoding="utf-8")
    result = run_validate(empty_project)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("cases/hostile.yml")]
    assert errors and all(LINE.match(line) for line in errors), result.stderr
    assert any(words in line for line in errors), result.stderr


def test_build_agrees_with_validate(empty_project, tmp_path):
    (empty_project / "cases" / "hostile.yml").write_text(CLEAN.replace("{month: 0,", "{month: inf,"), encoding="utf-8")
    result = run_build(empty_project, tmp_path / "site")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "cases/hostile.yml:" in result.stderr and "finite" in result.stderr


@pytest.mark.parametrize("name,message", [("index", "reserved"), ("Bad_Name", "not a slug")])
def test_file_names_are_checked_first(empty_project, name, message):
    (empty_project / "cases" / f"{name}.yml").write_text(CLEAN, encoding="utf-8")
    result = run_validate(empty_project)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_symlinked_case_is_refused(empty_project, tmp_path):
    outside = tmp_path / "elsewhere.yml"
    outside.write_text(CLEAN, encoding="utf-8")
    (empty_project / "cases" / "linked.yml").symlink_to(outside)
    result = run_validate(empty_project)
    assert result.returncode == 1 and "cases/linked.yml:1: (file): not a plain file" in result.stderr


def test_glossary_keys_must_look_like_abbreviations(empty_project):
    path = empty_project / "reference" / "glossary.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\nthe:\n  expansion: attacker text\n  sources: [x]\n  reviewed: '2026-11'\n",
                    encoding="utf-8")
    result = run_validate(empty_project)
    assert result.returncode == 1 and re.search(r"reference/glossary\.yml:\d+: the: ", result.stderr), result.stderr
