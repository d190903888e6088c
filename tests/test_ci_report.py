"""The pull-request workflow's reviewer aids: annotations on the diff, the job summary, pinned actions."""

from __future__ import annotations

import re
import subprocess
import sys

import yaml

from conftest import ROOT
from test_contributing import seventh_case

REPORT = ROOT / "scripts" / "ci_report.py"
LOG = """\
cases/x.yml:8: patient.age: 'old' is not a whole number
cases/x.yml:40: objectives[0].questions[0].options: needs exactly one correct option, found 2
warning: cases/x.yml:12: presentation.text: initials: 'J.S.' <script>
cases/y.yml: CARE 13/15 items covered; not covered: Patient perspective, Informed consent
2 error(s), 1 warning(s): not valid
"""


def report(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(REPORT), *map(str, args)], capture_output=True, text=True, timeout=60, cwd=cwd)


def test_annotations_point_at_file_and_line(tmp_path):
    (tmp_path / "validate.log").write_text(LOG, encoding="utf-8")
    out = report("annotate", tmp_path / "validate.log").stdout.splitlines()
    assert out == [
        "::error file=cases/x.yml,line=8,title=validate::patient.age: 'old' is not a whole number",
        "::error file=cases/x.yml,line=40,title=validate::objectives[0].questions[0].options: needs exactly one correct option, found 2",
        "::error file=cases/x.yml,line=12,title=validate%3A warning (fails until fixed or acknowledged)"
        "::presentation.text: initials: 'J.S.' <script>",
    ]


def test_summary_has_the_verdict_care_coverage_and_the_changed_pages(tmp_path):
    (tmp_path / "validate.log").write_text(LOG, encoding="utf-8")
    text = report("summary", "--validate-log", tmp_path / "validate.log", "--validate-status", "1", "--build-status", "0",
                  "cases/y.yml", "cases/x.yml", "README.md").stdout
    assert "**Validation: failed**: 2 error(s), 1 warning(s)" in text
    assert "`cases/y.yml` | 13/15 | Patient perspective, Informed consent |" in text
    assert "`cases/x.yml` | not checked (the file has errors)" in text
    assert "http://127.0.0.1:8000/cases/y/" in text and "README" not in text.split("### Changed cases")[1]
    assert "<script>" not in text and "\\<script\\>" in text  # contributor text is data


def test_summary_of_a_real_run_on_a_passing_project(empty_project, tmp_path):
    case = empty_project / "cases" / "zz-synthetic-seventh-case.yml"
    text = seventh_case().replace("zz-examplumab", "inotuzumab-ozogamicin").replace("zz-example-gland", "skin")
    case.write_text(text, encoding="utf-8")
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "validate.py"), "--root", str(empty_project), "--care"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    (tmp_path / "validate.log").write_text(run.stdout + run.stderr, encoding="utf-8")
    summary = report("summary", "--validate-log", tmp_path / "validate.log", "--validate-status", "0",
                     "--build-status", "0", "cases/zz-synthetic-seventh-case.yml").stdout
    assert "**Validation: passed**" in summary
    assert re.search(r"`cases/zz-synthetic-seventh-case.yml` \| \d+/\d+ \|", summary), summary


def _steps(name: str) -> list[dict]:
    data = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    return [step for job in data["jobs"].values() for step in job["steps"]]


def test_pr_workflow_builds_once_uploads_the_site_and_writes_a_summary():
    steps = _steps("pr.yml")
    runs = "\n".join(step.get("run", "") for step in steps)
    assert runs.count("mkdocs build") == 1 and "--strict" in runs
    upload = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert any(s["with"]["name"] == "site-preview" and s["with"]["path"].startswith("site-preview") for s in upload)
    assert "ci_report.py annotate" in runs and "GITHUB_STEP_SUMMARY" in runs and "ci_report.py summary" in runs


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_tag():
    for name in ("pr.yml", "pages.yml"):
        text = (ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8")
        uses = re.findall(r"uses:\s*(\S+)(.*)", text)
        assert uses
        for ref, rest in uses:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", ref), f"{name}: {ref} is not pinned to a commit SHA"
            assert re.search(r"#\s*v\d", rest), f"{name}: {ref} has no tag comment"
