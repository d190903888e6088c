"""scripts/validate.py and the editorial checks: exit codes and exact messages, fixture by fixture."""

from __future__ import annotations

import json
import re
import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA, ROOT, catalog, copy_project, html, seed_case
from macros.opendata import CSV_COLUMNS, case_record, csv_row
from macros.schema import dumps, schemas
from test_load import MINIMAL

VALIDATE = ROOT / "scripts" / "validate.py"
ACK = """acknowledged:
  - {check: "care:patient-perspective", reason: not in the source}
  - {check: "care:informed-consent", reason: not in the source}
  - {check: "care:adverse-events", reason: not in the source}
  - {check: "care:follow-up-duration", reason: not in the source}
"""
CLEAN = MINIMAL + ACK


def run_validate(project, *files):
    return subprocess.run([sys.executable, str(VALIDATE), "--root", str(project), *map(str, files)],
                          capture_output=True, text=True, timeout=120)


def test_real_cases_have_zero_findings():
    result = run_validate(DATA)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "case(s) and the reference data are valid (0 warning(s)" in result.stdout


def test_clean_fixture_passes_and_reports_care(empty_project):
    path = empty_project / "cases" / "clean.yml"
    path.write_text(CLEAN)
    result = run_validate(empty_project, path)
    assert result.returncode == 0, result.stderr
    assert "cases/clean.yml: CARE 11/15 items covered; not covered: Adverse and unanticipated events, " \
           "Length of follow-up, Patient perspective, Informed consent" in result.stdout


# One broken fixture per class of error: (name, replace this, with this, expected line on stderr).
ERRORS = [
    ("unknown-field", "  sex: female", "  sex: female\n  histroy: x", "cases/f.yml:10: patient.histroy: unknown field 'histroy' (did you mean 'history'?)"),
    ("bad-number", "  age: 40", "  age: forty", "cases/f.yml:8: patient.age: 'forty' is not a whole number"),
    ("unknown-drug", "drug: inotuzumab-ozogamicin", "drug: inotuzumab", "cases/f.yml:28: treatment[0].drugs[0].drug: unknown drug 'inotuzumab' (did you mean 'inotuzumab-ozogamicin'?)"),
    ("duplicate-key", "  age: 40", "  age: 40\n  age: 41", "cases/f.yml:9: patient.age: duplicate key 'age' (first defined on line 8)"),
    ("raw-html", "text: Tiredness.", "text: Tired <b>very</b>", "cases/f.yml:11: presentation.text: raw HTML is not allowed in text; write plain text (a lone '<' followed by a space or number is fine)"),
    ("no-licence", "  licence: CC BY 4.0", "  licence:", "cases/f.yml:6: source.licence: is empty; a value is required"),
    ("day-date", "text: Tiredness.", "text: Seen on 2018-08-09.", "cases/f.yml:11: presentation.text: day-level date; state timing relative to diagnosis (months) or a calendar year at most"),
    ("month-date", "text: Tiredness.", "text: Seen in March 2014.", "cases/f.yml:11: presentation.text: month-level date; use months from diagnosis or the year alone: 'March 2014'"),
    ("age-over-89", "  age: 40", "  age: 93", "cases/f.yml:8: patient.age: '93' is out of range: must be at most 89"),
    ("age-in-text", "text: Tiredness.", "text: A 92-year-old with tiredness.", "cases/f.yml:11: presentation.text: age over 89; write '90 or older': '92-year-old'"),
    ("email", "text: Tiredness.", "text: Contact jo@example.org.", "cases/f.yml:11: presentation.text: e-mail address: 'jo@example.org.'"),
    ("phone", "text: Tiredness.", "text: Call 0039 051 2143973.", "cases/f.yml:11: presentation.text: phone-number-like digits: '0039 051 2143973'"),
    ("record-number", "text: Tiredness.", "text: MRN 48213 on file.", "cases/f.yml:11: presentation.text: record number: 'MRN 48213'"),
    ("titled-name", "text: Tiredness.", "text: Seen by Dr. Rossi.", "cases/f.yml:11: presentation.text: personal name with a title: 'Dr. Rossi'"),
    ("care-required", "discussion: Short.", "discussion: ''", "cases/f.yml:35: discussion: must not be empty"),
    ("quiz-two-correct", "- {text: Option 1, explanation: Why 1.}", "- {text: Option 1, explanation: Why 1., correct: true}",
     f"cases/f.yml:{CLEAN.splitlines().index('        options:') + 1}: objectives[0].questions[0].options: needs exactly one correct option, found 2"),
]


@pytest.mark.parametrize("name, old, new, expected", ERRORS, ids=[e[0] for e in ERRORS])
def test_each_error_class_exits_1_with_its_message(empty_project, name, old, new, expected):
    assert old in CLEAN
    path = empty_project / "cases" / "f.yml"
    path.write_text(CLEAN.replace(old, new, 1))
    result = run_validate(empty_project, path)
    assert result.returncode == 1
    assert expected in result.stderr.splitlines(), result.stderr
    assert "Traceback" not in result.stderr


WARNINGS = [
    ("initials", "text: Tiredness.", "text: Patient J.D. was tired.", "deid:initials", "J.D."),
    ("institution", "text: Tiredness.", "text: Referred to Saint Mary Hospital.", "deid:institution", "Saint Mary Hospital"),
    ("city", "text: Tiredness.", "text: Treated in Bologna.", "deid:city", "Bologna"),
    ("long-number", "text: Tiredness.", "text: Sample 12345678 was tested.", "deid:long-number", "12345678"),
]


@pytest.mark.parametrize("name, old, new, check, match", WARNINGS, ids=[w[0] for w in WARNINGS])
def test_warnings_are_separate_and_can_be_acknowledged(empty_project, name, old, new, check, match):
    path = empty_project / "cases" / "w.yml"
    path.write_text(CLEAN.replace(old, new, 1))
    result = run_validate(empty_project, path)
    assert result.returncode == 1, result.stderr  # an unacknowledged warning fails, as in the strict build
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning: cases/w.yml:11: presentation.text:")]
    assert len(warning) == 1 and f"'{match}'" in warning[0] and check in warning[0]
    path.write_text(CLEAN.replace(old, new, 1) + f"  - {{check: '{check}', match: '{match}', reason: reviewed}}\n")
    result = run_validate(empty_project, path)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_optional_care_item_missing_is_a_warning(empty_project):
    path = empty_project / "cases" / "c.yml"
    path.write_text(MINIMAL)
    result = run_validate(empty_project, path)
    assert result.returncode == 1  # an unacknowledged warning fails, as in the strict build
    assert ("warning: cases/c.yml:1: (file): CARE item 'Patient perspective' is not covered "
            "(if the source does not report it, acknowledge it: check care:patient-perspective)") in result.stderr.splitlines()


def test_committed_schema_matches_the_models():
    for name, schema in schemas().items():
        path = ROOT / "schema" / name
        assert path.exists(), f"schema/{name} missing: run python scripts/schema.py"
        assert path.read_text(encoding="utf-8") == dumps(schema), f"schema/{name} is stale: run python scripts/schema.py"


def test_every_data_file_names_its_schema():
    for path in list((ROOT / "cases").glob("*.yml")) + list((ROOT / "reference").glob("*.yml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        kind = "case" if path.parent.name == "cases" else path.stem
        assert first == f"# yaml-language-server: $schema=../schema/{kind}.schema.json", path


def test_published_json_and_csv_agree_with_the_yaml(site):
    catalog_ = catalog()
    data = json.loads((site / "data" / "cases.json").read_text(encoding="utf-8"))
    assert data["schema_version"] and "CC BY 4.0" in data["licence"]
    assert data["cases"] == {slug: case_record(case) for slug, case in catalog_.cases.items()}
    for slug, case in catalog_.cases.items():  # spot checks against the parsed YAML itself
        assert data["cases"][slug]["title"] == case.title
        assert len(data["cases"][slug]["treatment"]) == len(case.treatment)
    assert set(data["reference"]["drugs"]) == set(catalog_.drugs)
    rows = list(csv.DictReader(io.StringIO((site / "data" / "cases.csv").read_text(encoding="utf-8"))))
    assert [r["slug"] for r in rows] == list(catalog_.cases)
    assert list(rows[0]) == list(CSV_COLUMNS)
    for row in rows:
        expected = {k: str(v) for k, v in csv_row(catalog_, row["slug"]).items()}
        assert row == expected
        assert row["title"] == catalog_.cases[row["slug"]].title
    home = html(site, "index.html")
    assert home.find("a", href="data/")


def test_case_page_offers_citations_and_json_ld(site):
    soup = html(site, f"cases/{seed_case('bertamini-2018-case-1-pancreas')}")
    hrefs = {a["href"] for a in soup.find("article").find_all("a", href=True)}
    assert {"../bertamini-2018-case-1-pancreas.bib", "../bertamini-2018-case-1-pancreas.ris"} <= hrefs
    bib = (site / "cases" / "bertamini-2018-case-1-pancreas.bib").read_text()
    assert bib.startswith("@article{bertamini-2018-case-1-pancreas,") and "doi = {10.1186/s12885-018-5026-x}" in bib
    ris = (site / "cases" / "bertamini-2018-case-1-pancreas.ris").read_text()
    assert ris.startswith("TY  - JOUR\n") and "DO  - 10.1186/s12885-018-5026-x\n" in ris and ris.endswith("ER  - \n")
    ld = json.loads(soup.find("script", type="application/ld+json").string)
    assert ld["@type"] == "MedicalWebPage" and ld["isBasedOn"]["identifier"]["value"] == "10.1186/s12885-018-5026-x"


def test_parallel_check_reports_exactly_what_one_process_does(tmp_path):
    """100+ case files go to one process per CPU; the ids compared across files (and the lines of
    a clash, read again from the file) come out the same as from one process."""
    project = copy_project(tmp_path / "project", with_cases=False, data=DATA)
    real = sorted((DATA / "cases").glob("*.yml"))[:60]  # each copied at least twice, however many there are
    first: dict[Path, str] = {}  # the copy that uses a source's ids first; later copies of it clash with it
    clashes: dict[str, str] = {}
    for i in range(120):
        name = f"copy-{i:03d}"
        if i == 50:  # a broken file among them
            (project / "cases" / f"{name}.yml").write_text(CLEAN.replace("  age: 40", "  age: forty"), encoding="utf-8")
            continue
        source = real[i % len(real)]
        (project / "cases" / f"{name}.yml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        if source in first:
            clashes[name] = first[source]
        else:
            first[source] = name
    assert clashes
    runs = [subprocess.run([sys.executable, str(VALIDATE), "--root", str(project), "--jobs", jobs],
                           capture_output=True, text=True, timeout=300) for jobs in ("1", "2")]
    assert [r.returncode for r in runs] == [1, 1]
    assert runs[0].stderr == runs[1].stderr
    lines = runs[1].stderr.splitlines()
    assert "cases/copy-050.yml:8: patient.age: 'forty' is not a whole number" in lines
    for name, holder in clashes.items():
        clash = [line for line in lines if line.startswith(f"cases/{name}.yml:")]
        assert clash and all(re.match(rf"cases/{name}\.yml:\d+: objectives\[\d+\](\.questions\[\d+\])?\.id: "
                                      rf"(objective|question) id '[^']+' is already used in cases/{holder}\.yml$", c)
                             for c in clash), (name, clash[:3])
        assert len(clash) == len(quiz_ids(real[int(name[-3:]) % len(real)])), name


def quiz_ids(path: Path) -> list[str]:
    """The objective and question ids a case file defines (from the YAML itself)."""
    import yaml
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [x for o in data.get("objectives") or [] for x in [o["id"], *(q["id"] for q in o.get("questions") or [])]]
