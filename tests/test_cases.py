"""The cases and their quizzes: validation rules, the derived record, and the built pages.

Expectations come from the parsed case files (tests/oracle.py), so these hold for any corpus;
tests about the seed cases' own content use the seed cases that are present (conftest.seed_case).
"""

from __future__ import annotations

import itertools
from urllib.parse import urljoin

import gzip
import json

import pytest

import oracle
from conftest import DATA, ROOT, catalog, html, quiz_yaml
from macros.catalog import CatalogError, load_catalog
from macros.model import OBJECTIVES, TOPICS
from macros.render import QUIZ_PAGE_SIZE, quiz_page_path
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


B = len(__import__("test_load").BASE.splitlines())  # the objective under test starts on line B + 1


def quiz_problems(project) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(project)
    return [str(p) for p in info.value.problems if not p.warning]


def test_seed_cases_are_present_and_annotated():
    cat = catalog()
    if DATA == ROOT:
        assert SEED_CASES <= set(cat.cases)
    for slug in SEED_CASES & set(cat.cases):
        case = cat.cases[slug]
        assert OBJECTIVES[0] <= len(case.objectives) <= OBJECTIVES[1], slug
        assert all(len(o.questions) >= 2 for o in case.objectives), slug
        assert case.annotations, slug
        assert case.source.licence, slug


def test_derived_record_agrees_with_the_case_files():
    """catalog.facts (macros/facts.py) against the YAML as tests/oracle.py reads it."""
    cat = catalog()
    for slug, case in cat.cases.items():
        f = cat.facts[slug]
        assert set(f.received) == oracle.received(case), slug
        assert set(f.drugs("named")) == set(oracle.named_drugs(case)), slug
        assert set(f.drugs("supportive")) == set(oracle.supportive_drugs(case)), slug
        assert set(f.drugs("transplant")) == set(oracle.transplant_drugs(case)), slug
        assert set(f.drugs("by_regimen")) == oracle.by_regimen(case, cat.regimens), slug
        assert set(f.drugs("discussed")) == oracle.discussed_drugs(case, cat.regimens), slug
        assert set(f.regimens) == oracle.regimens(case), slug
        assert set(f.sites) == oracle.sites(case) and set(f.sites_discussed) == oracle.sites_discussed(case), slug
        for result in oracle.RESULTS:
            assert set(f.antigens[result]) == oracle.antigens(case, result), (slug, result)
        assert set(f.all_antigens) == oracle.antigens_all(case), slug
        assert [(r.line, r.category, r.mrd) for r in f.responses] == [
            (n, line.response.category.value, line.response.mrd.value) for n, line in enumerate(case.treatment, 1)], slug
        # The story: every line in order, each transplant after the line it followed.
        story = list(f.story)
        assert [n for kind, n in story if kind == "line"] == list(range(1, len(case.treatment) + 1)), slug
        for i, tx in enumerate(case.transplants):
            assert story.index(("transplant", i)) > story.index(("line", tx.after_line)), slug
            if tx.after_line < len(case.treatment):
                assert story.index(("transplant", i)) < story.index(("line", tx.after_line + 1)), slug


def test_quiz_rule_valid_objective_passes(empty_project, base_case):
    write_case(empty_project, "q.yml", with_objective(base_case, QUESTION.format(qid="q1") + QUESTION.format(qid="q2")))
    assert load_catalog(empty_project).cases["q"].objectives[0].questions[1].id == "q2"


def test_quiz_rule_exactly_one_correct_option(empty_project, base_case):
    two_right = QUESTION.format(qid="q1").replace("{text: B, explanation", "{text: B, correct: true, explanation")
    none_right = QUESTION.format(qid="q2").replace("correct: true", "correct: false")
    write_case(empty_project, "q.yml", with_objective(base_case, two_right + none_right))
    assert quiz_problems(empty_project) == [
        f"cases/q.yml:{B + 8}: objectives[0].questions[0].options: needs exactly one correct option, found 2",
        f"cases/q.yml:{B + 15}: objectives[0].questions[1].options: needs exactly one correct option, found 0",
    ]


def test_quiz_rule_unique_option_texts(empty_project, base_case):
    q = QUESTION.format(qid="q1").replace("{text: C,", "{text: b,")
    write_case(empty_project, "q.yml", with_objective(base_case, q + QUESTION.format(qid="q2")))
    assert quiz_problems(empty_project) == [f"cases/q.yml:{B + 11}: objectives[0].questions[0].options[2].text: same text as option 1"]


def test_quiz_rule_explanation_present(empty_project, base_case):
    q = QUESTION.format(qid="q1").replace("{text: D, explanation: Wrong.}", "{text: D}")
    write_case(empty_project, "q.yml", with_objective(base_case, q + QUESTION.format(qid="q2")))
    assert quiz_problems(empty_project) == [f"cases/q.yml:{B + 12}: objectives[0].questions[0].options[3].explanation: required field is missing"]


def test_quiz_rule_every_objective_has_at_least_two_questions(empty_project, base_case):
    write_case(empty_project, "q.yml", with_objective(base_case, QUESTION.format(qid="q1")))
    assert quiz_problems(empty_project) == [f"cases/q.yml:{B + 5}: objectives[0].questions: needs at least 2 item(s)"]


def test_quiz_rule_four_or_five_options(empty_project, base_case):
    q = QUESTION.format(qid="q1").replace("          - {text: D, explanation: Wrong.}\n", "")
    write_case(empty_project, "q.yml", with_objective(base_case, q + QUESTION.format(qid="q2")))
    assert quiz_problems(empty_project) == [f"cases/q.yml:{B + 8}: objectives[0].questions[0].options: needs at least 4 item(s)"]


def test_quiz_rule_ids_unique_site_wide(empty_project, base_case):
    write_case(empty_project, "a.yml", with_objective(base_case, QUESTION.format(qid="q1") + QUESTION.format(qid="q2")))
    write_case(empty_project, "b.yml", with_objective(base_case, QUESTION.format(qid="q1") + QUESTION.format(qid="q3")))
    assert quiz_problems(empty_project) == [
        f"cases/b.yml:{B + 2}: objectives[0].id: objective id 'obj-1' is already used in cases/a.yml",
        f"cases/b.yml:{B + 6}: objectives[0].questions[0].id: question id 'q1' is already used in cases/a.yml",
    ]


def test_each_case_page_has_glance_annotations_objectives_and_quiz(site):
    cat = catalog()
    for slug, case in cat.cases.items():
        soup = html(site, f"cases/{slug}")
        article = soup.find("article")
        glance = soup.find(id="at-a-glance").find_next("table")
        rows = {row.find("td").get_text(" ", strip=True): row.find_all("td")[1].get_text(" ", strip=True)
                for row in glance.find("tbody").find_all("tr")}
        expected = ["Patient", "Diagnosis", "Philadelphia / BCR-ABL1", "EM sites", "Therapies",
                    *(["Supportive drugs"] if case.supportive else []), "Transplant", "Response by line", "Outcome"]
        assert list(rows)[:len(expected)] == expected, slug
        assert all(line.response.category.value in rows["Response by line"] for line in case.treatment), slug
        tips = article.select(".admonition.tip .admonition-title")
        assert len(tips) == len(case.annotations), slug
        assert soup.find(id="learning-objectives"), slug
        questions = article.select("[data-quiz-question]")
        assert len(questions) == oracle.questions(case), slug
        for q in questions:
            assert q.find("fieldset").find("legend").get_text(strip=True)
            radios = q.select("input[type=radio]")
            assert 4 <= len(radios) <= 5
            assert all(q.find("label", attrs={"for": r["id"]}) for r in radios)
            assert len(q.select("details .quiz-explanation[data-correct]")) == 1
        if case.source_notes:
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
    assert "Printed from" not in text  # the print footer every page has
    assert "Not the best answer" not in text
    assert "Answer and explanations" not in text.replace('"Answer and explanations" blocks', "")


def test_search_indexes_each_fact_of_a_case_once(site):
    """Summaries that repeat the story (at a glance, journey, body map, treatment table) and what is not
    about the case (related cases, CARE checklist, citation links, site links) stay out of the index:
    they would match words the case is not about and crowd its excerpts."""
    pages = indexed_pages(site)
    boilerplate = ("How completely this case covers", "Item This case", "Treatment journey:", "Previous case:",
                   "Download the citation", "Drugs received:", "Printed from")
    for slug in catalog().cases:
        content = pages[f"/cases/{slug}/"]["content"]
        assert not [text for text in boilerplate if text in content], slug
        article = html(site, f"cases/{slug}")
        for selector in ("figure.journey", "table:has(th:-soup-contains('This case'))", "#related-cases",
                         "#care-checklist"):
            for element in article.select(selector):
                assert element.find_parent(attrs={"data-pagefind-ignore": True}) or element.has_attr("data-pagefind-ignore"), (slug, selector)
        assert catalog().cases[slug].title == pages[f"/cases/{slug}/"]["meta"]["title"]


def test_search_index_has_every_page_with_its_type_and_filters(site):
    catalog_ = catalog()
    pages = indexed_pages(site)
    for slug, case in catalog_.cases.items():
        page = pages[f"/cases/{slug}/"]
        assert page["filters"]["type"] == ["Case"]
        assert sorted(page["filters"]["drug"]) == sorted(catalog_.drugs[d].name for d in oracle.received(case))
        assert sorted(page["filters"]["site"]) == sorted(catalog_.sites[s].name for s in oracle.sites(case))
        assert page["meta"]["title"] == case.title
    for folder, kind in (("drugs", "Drug"), ("regimens", "Regimen"), ("antigens", "Antigen"), ("sites", "Site")):
        for entry in getattr(catalog_, folder):
            assert pages[f"/{folder}/{entry}/"]["filters"]["type"] == [kind]
    assert "/tags/" not in pages and "/search/" not in pages  # lists of everything, not answers
    assert not [url for url, page in pages.items() if "¶" in page["meta"]["title"]]


def test_quiz_bank_groups_objectives_by_topic_and_links_quizzes(site):
    cat = catalog()
    bank = html(site, "quiz").find("article")
    headings = [h.get_text(" ", strip=True).rstrip(" ¶") for h in bank.find_all("h2")]
    assert headings[-len(TOPICS):] == list(TOPICS.values())
    links = {a["href"] for a in bank.find_all("a", href=True)}
    text = " ".join(bank.get_text(" ").split())
    # Each topic's objectives, QUIZ_PAGE_SIZE to a page: every question on exactly one page.
    for topic in TOPICS:
        objectives = [o for c in cat.cases.values() for o in c.objectives if o.topic == topic]
        count = max(1, -(-len(objectives) // QUIZ_PAGE_SIZE))
        if objectives:  # the bank's summary of the topic, and a link to each of its pages
            questions = sum(len(o.questions) for o in objectives)
            cases = len({slug for slug, c in cat.cases.items() for o in c.objectives if o.topic == topic})
            plural = lambda n, word: f"{n} {word}{'s' if n != 1 else ''}"  # noqa: E731
            assert (f"{plural(questions, 'question')} on {plural(len(objectives), 'objective')}, "
                    f"from {plural(cases, 'case')}.") in text.replace(" ,", ",").replace(" .", "."), topic
            targets = {urljoin("http://site/quiz/", h) for h in links}  # relative to the bank at /quiz/
            assert all(f"http://site/{quiz_page_path(topic, n).removesuffix('.md')}/" in targets for n in range(1, count + 1)), topic
        paths = [quiz_page_path(topic, n).removesuffix(".md") for n in range(1, count + 2)]
        assert not (site / paths[-1] / "index.html").exists(), paths[-1]
        pages = [html(site, path) for path in paths[:-1]]
        assert [len(p.select("[data-quiz-question]")) for p in pages] == [
            sum(len(o.questions) for o in objectives[i:i + QUIZ_PAGE_SIZE]) for i in range(0, len(objectives) or 1, QUIZ_PAGE_SIZE)], topic
