"""Every value a case file accepts reaches the case page, or is on the documented data-only list
(casepage.DATA_ONLY): nothing a contributor writes silently vanishes."""

from __future__ import annotations

import itertools

import yaml
from bs4 import BeautifulSoup

from conftest import run_build
from macros.casepage import DATA_ONLY

_n = itertools.count()


def token() -> str:
    return f"zq{next(_n):03d}x"  # lower-case and digit-free at the ends: no glossary term, no de-identification rule


def full_case() -> tuple[dict, dict[str, str]]:
    """A case with every optional field filled; text leaves are unique tokens. Returns (data, token -> field path)."""
    where: dict[str, str] = {}

    def t(path: str) -> str:
        value = token()
        where[value] = path
        return value

    def use(path: str, drug: str = "inotuzumab-ozogamicin") -> dict:
        return {"drug": drug, "dose": t(f"{path}.dose"), "route": "intravenous", "schedule": t(f"{path}.schedule")}

    question = lambda p, qid: {"id": qid, "stem": t(f"{p}.stem"), "options": [  # noqa: E731
        {"text": t(f"{p}.options.text"), "explanation": t(f"{p}.options.explanation"), **({"correct": "true"} if k == 0 else {})}
        for k in range(4)]}
    data = {
        "title": t("title"), "summary": t("summary"),
        "credits": {"written_by": [t("credits.written_by")], "reviewed_by": [t("credits.reviewed_by")]},
        "source": {"authors": [t("source.authors")], "title": t("source.title"), "journal": t("source.journal"),
                   "year": "2020", "citation": t("source.citation"), "doi": "10.1000/zq-doi", "pmid": "123",
                   "pmcid": "PMC123", "url": "https://example.org/zq-url", "case_label": t("source.case_label"),
                   "kind": "journal article", "licence": t("source.licence"), "description": t("source.description"),
                   "consent": t("source.consent")},
        "patient": {"age": "40", "sex": "female", "history": [t("patient.history")], "background": t("patient.background")},
        "presentation": {"text": t("presentation.text"), "findings": [{"name": t("findings.name"), "value": t("findings.value")}]},
        "diagnosis": {"disease": t("diagnosis.disease"), "year": "2019", "philadelphia": "negative",
                      "bcr_abl1": t("diagnosis.bcr_abl1"), "karyotype": t("diagnosis.karyotype"),
                      "genetics": [t("diagnosis.genetics")], "text": t("diagnosis.text"),
                      "immunophenotype": [{"sample": t("immunophenotype.sample"), "positive": ["cd19"], "negative": ["cd22"],
                                           "dim": ["cd10"], "unclear": ["cd20"], "detail": t("immunophenotype.detail")}]},
        "em_sites": [{"site": "skin", "shown_by": [t("em_sites.shown_by")], "when": t("em_sites.when"), "detail": t("em_sites.detail")}],
        "timeline": [{"month": "0", "approximate": "true", "when": t("timeline.when"), "event": t("timeline.event")}],
        "treatment": [
            {"setting": t("treatment.setting"), "when": t("treatment.when"), "month": "1", "regimen": "hyper-cvad",
             "drugs": [use("treatment.drugs")], "other": [t("treatment.other")], "cycles": t("treatment.cycles"),
             "text": t("treatment.text"), "adverse_events": [t("treatment.adverse_events")],
             "response": {"category": "CR", "mrd": "positive", "text": t("response.text"),
                          "other_reading": {"category": "NR", "mrd": "positive", "text": t("other_reading.text")}}},
            {"setting": t("treatment[1].setting"), "when": t("treatment[1].when"), "drugs": [use("treatment[1].drugs", "blinatumomab")],
             "response": {"category": "PD", "text": t("treatment[1].response.text")}},
        ],
        "transplants": [{"kind": "allogeneic", "when": t("transplants.when"), "month": "2", "after_line": "1",
                         "donor": t("transplants.donor"), "conditioning": [use("conditioning", "busulfan")],
                         "conditioning_note": t("transplants.conditioning_note"),
                         "gvhd_prophylaxis": [use("gvhd_prophylaxis", "tacrolimus")], "text": t("transplants.text"),
                         "complications": [t("transplants.complications")]}],
        "supportive": [{"drug": "tocilizumab", "purpose": t("supportive.purpose"), "when": t("supportive.when"),
                        "dose": t("supportive.dose"), "route": "intravenous", "line": "2"},
                       {"drug": "tocilizumab", "purpose": t("supportive[1].purpose"), "when": t("supportive[1].when"),
                        "dose": t("supportive[1].dose")}],
        "outcome": {"status": "alive in remission", "text": t("outcome.text"), "follow_up": t("outcome.follow_up")},
        "annotations": [{"at": "treatment[0]", "title": t("annotations.title"), "text": t("annotations.text"),
                         "drugs": ["blinatumomab"], "antigens": ["cd19"], "sites": ["skin"]}],
        "discussion": t("discussion"), "lessons": [t("lessons")], "patient_perspective": t("patient_perspective"),
        "source_notes": [{"about": t("source_notes.about"), "text": t("source_notes.text")}],
        "objectives": [{"id": f"zq-objective-{i}", "text": t(f"objectives[{i}].text"), "topic": "drugs",
                        "attribution": t(f"objectives[{i}].attribution"),
                        "questions": [question(f"objectives[{i}].questions[{j}]", f"zq-q-{i}-{j}") for j in range(2)]}
                       for i in range(2)],
        "acknowledged": [{"check": "quiz:length-cue", "match": t("acknowledged.match"), "reason": t("acknowledged.reason")}],
    }
    return data, where


def test_every_field_reaches_the_case_page_or_is_data_only(empty_project, tmp_path):
    data, where = full_case()
    (empty_project / "cases" / "zq-full.yml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    result = run_build(empty_project, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    page = BeautifulSoup((tmp_path / "site" / "cases" / "zq-full" / "index.html").read_text(encoding="utf-8"), "html.parser")
    text = page.get_text(" ").lower()  # the quiz capitalises an explanation's first letter
    missing = sorted({path for tok, path in where.items() if tok.lower() not in text and path.split(".")[0] not in DATA_ONLY})
    assert not missing, f"fields accepted but shown nowhere (show them or list them in casepage.DATA_ONLY): {missing}"
