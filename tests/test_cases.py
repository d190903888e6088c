"""The six seed cases and their quizzes: validation rules and the built pages."""

from __future__ import annotations

import itertools

import gzip
import json

import pytest

from conftest import quiz_yaml, ROOT, html
from macros.catalog import CatalogError, load_catalog
from test_load import write_case

SEED_CASES = {
    "abstract-thigh-muscle-mini-hyper-cvd-ino",
    "abstract-spine-myeloid-sarcoma-blinatumomab",
    "bertamini-2018-case-1-pancreas",
    "bertamini-2018-case-2-skin-gut",
    "io-after-blinatumomab-case-1-nodes-breast",
    "io-after-blinatumomab-case-2-post-transplant",
}

QUESTION = """\
      - id: {qid}
        stem: A stem?
        options:
          - {{text: A, correct: true, explanation: Right.}}
          - {{text: B, explanation: Wrong.}}
          - {{text: C, explanation: Wrong.}}
          - {{text: D, explanation: Wrong.}}
"""


_FILLERS = itertools.count()


def with_objective(base: str, questions: str, oid: str = "obj-1") -> str:
    """``base`` with the objective under test, then a valid one (a case has at least two)."""
    filler = quiz_yaml(f"filler-{next(_FILLERS)}").split("\n  - id: ")[1]
    return (base + f"objectives:\n  - id: {oid}\n    text: An objective.\n    topic: drugs\n    questions:\n" + questions
            + "  - id: " + filler.rstrip("\n") + "\n")


@pytest.fixture
def base_case():
    from test_load import BASE
    return BASE


def quiz_problems(project) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(project)
    return [str(p) for p in info.value.problems if not p.warning]


def test_all_six_seed_cases_are_present_and_valid():
    catalog = load_catalog(ROOT)
    assert SEED_CASES <= set(catalog.cases)
    for slug in SEED_CASES:
        case = catalog.cases[slug]
        assert 2 <= len(case.objectives) <= 4, slug
        assert all(len(o.questions) >= 2 for o in case.objectives), slug
        assert case.annotations, slug
        assert case.source.licence, slug


def test_quiz_rule_valid_objective_passes(empty_project, base_case):
    write_case(empty_project, "q.yml", with_objective(base_case, QUESTION.format(qid="q1") + QUESTION.format(qid="q2")))
    assert load_catalog(empty_project).cases["q"].objectives[0].questions[1].id == "q2"


def test_quiz_rule_exactly_one_correct_option(empty_project, base_case):
    two_right = QUESTION.format(qid="q1").replace("{text: B, explanation", "{text: B, correct: true, explanation")
    none_right = QUESTION.format(qid="q2").replace("correct: true", "correct: false")
    write_case(empty_project, "q.yml", with_objective(base_case, two_right + none_right))
    assert quiz_problems(empty_project) == [
        "cases/q.yml:44: objectives[0].questions[0].options: needs exactly one correct option, found 2",
        "cases/q.yml:51: objectives[0].questions[1].options: needs exactly one correct option, found 0",
    ]


def test_quiz_rule_unique_option_texts(empty_project, base_case):
    q = QUESTION.format(qid="q1").replace("{text: C,", "{text: b,")
    write_case(empty_project, "q.yml", with_objective(base_case, q + QUESTION.format(qid="q2")))
    assert quiz_problems(empty_project) == ["cases/q.yml:47: objectives[0].questions[0].options[2].text: same text as option 1"]


def test_quiz_rule_explanation_present(empty_project, base_case):
    q = QUESTION.format(qid="q1").replace("{text: D, explanation: Wrong.}", "{text: D}")
    write_case(empty_project, "q.yml", with_objective(base_case, q + QUESTION.format(qid="q2")))
    assert quiz_problems(empty_project) == ["cases/q.yml:48: objectives[0].questions[0].options[3].explanation: required field is missing"]


def test_quiz_rule_every_objective_has_at_least_two_questions(empty_project, base_case):
    write_case(empty_project, "q.yml", with_objective(base_case, QUESTION.format(qid="q1")))
    assert quiz_problems(empty_project) == ["cases/q.yml:41: objectives[0].questions: needs at least 2 item(s)"]


def test_quiz_rule_four_or_five_options(empty_project, base_case):
    q = QUESTION.format(qid="q1").replace("          - {text: D, explanation: Wrong.}\n", "")
    write_case(empty_project, "q.yml", with_objective(base_case, q + QUESTION.format(qid="q2")))
    assert quiz_problems(empty_project) == ["cases/q.yml:44: objectives[0].questions[0].options: needs at least 4 item(s)"]


def test_quiz_rule_ids_unique_site_wide(empty_project, base_case):
    write_case(empty_project, "a.yml", with_objective(base_case, QUESTION.format(qid="q1") + QUESTION.format(qid="q2")))
    write_case(empty_project, "b.yml", with_objective(base_case, QUESTION.format(qid="q1") + QUESTION.format(qid="q3")))
    assert quiz_problems(empty_project) == [
        "cases/b.yml:38: objectives[0].id: objective id 'obj-1' is already used in cases/a.yml",
        "cases/b.yml:42: objectives[0].questions[0].id: question id 'q1' is already used in cases/a.yml",
    ]


def test_each_seed_case_page_has_glance_annotations_objectives_and_quiz(site):
    catalog = load_catalog(ROOT)
    for slug in SEED_CASES:
        soup = html(site, f"cases/{slug}")
        article = soup.find("article")
        glance = soup.find(id="at-a-glance").find_next("table")
        labels = [row.find("td").get_text(" ", strip=True) for row in glance.find("tbody").find_all("tr")]
        assert labels[:8] == ["Patient", "Diagnosis", "Philadelphia / BCR-ABL1", "EM sites", "Therapies",
                              "Transplant", "Best response", "Outcome"], slug
        tips = article.select(".admonition.tip .admonition-title")
        assert len(tips) == len(catalog.cases[slug].annotations), slug
        assert soup.find(id="learning-objectives"), slug
        questions = article.select("[data-quiz-question]")
        assert len(questions) == sum(len(o.questions) for o in catalog.cases[slug].objectives), slug
        for q in questions:
            assert q.find("fieldset").find("legend").get_text(strip=True)
            radios = q.select("input[type=radio]")
            assert 4 <= len(radios) <= 5
            assert all(q.find("label", attrs={"for": r["id"]}) for r in radios)
            assert len(q.select("details .quiz-explanation[data-correct]")) == 1
        if catalog.cases[slug].source_notes:
            assert article.select(".admonition.warning .admonition-title"), slug


def indexed_pages(site) -> dict[str, dict]:
    """What Pagefind stored for each page (its fragments: gzip, a signature, then JSON), by URL."""
    pages = {}
    for path in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd"), path
        fragment = json.loads(data[len(b"pagefind_dcd"):])
        pages[fragment["url"]] = fragment
    return pages


def test_quiz_chrome_and_answers_are_not_indexed(site):
    text = " ".join(page["content"] for page in indexed_pages(site).values())
    assert "inotuzumab" in text.lower()
    assert "Check answer" not in text
    assert "Not the best answer" not in text
    assert "Answer and explanations" not in text.replace('"Answer and explanations" blocks', "")


def test_search_index_has_every_page_with_its_type_and_filters(site):
    catalog = load_catalog(ROOT)
    pages = indexed_pages(site)
    for slug in catalog.cases:
        page = pages[f"/cases/{slug}/"]
        assert page["filters"]["type"] == ["Case"]
        assert sorted(page["filters"]["drug"]) == sorted(catalog.drugs[d].name for d in catalog.case_drugs(slug, notes=False))
        assert sorted(page["filters"]["site"]) == sorted(catalog.sites[s].name for s in catalog.case_sites(slug))
        assert page["meta"]["title"] == catalog.cases[slug].title
    for folder, kind in (("drugs", "Drug"), ("regimens", "Regimen"), ("antigens", "Antigen"), ("sites", "Site")):
        for entry in getattr(catalog, folder):
            assert pages[f"/{folder}/{entry}/"]["filters"]["type"] == [kind]
    assert "/tags/" not in pages and "/search/" not in pages  # lists of everything, not answers
    assert not [url for url, page in pages.items() if "¶" in page["meta"]["title"]]


def test_quiz_bank_groups_objectives_by_topic_and_links_quizzes(site):
    catalog = load_catalog(ROOT)
    bank = html(site, "quiz").find("article")
    headings = [h.get_text(" ", strip=True).rstrip(" ¶") for h in bank.find_all("h2")]
    assert headings == ["Drugs", "Antigens", "Extramedullary sites", "Transplant", "Response assessment"]
    links = {a["href"] for a in bank.find_all("a", href=True)}
    for slug, case in catalog.cases.items():
        if case.objectives:
            assert f"../cases/{slug}/#quiz" in links
    total = sum(len(o.questions) for c in catalog.cases.values() for o in c.objectives)
    pages = [html(site, f"quiz/{t}") for t in ("drugs", "antigens", "em-sites", "transplant", "response-assessment")]
    assert sum(len(p.select("[data-quiz-question]")) for p in pages) == total
