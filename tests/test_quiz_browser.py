"""The quizzes in real Chromium: verdicts, saved progress, review, reset, the mixed quiz, paper.

Every expectation comes from the built page (which option is the key, how many questions a
quiz has) or from the catalog, so these hold for any corpus.
"""

from __future__ import annotations

import re

import pytest

import conftest
from test_browser import ARTIFACTS, base_url, browser, page  # noqa: F401  (shared fixtures)

READY = "[data-quiz-question] .quiz-check:not([hidden])"


@pytest.fixture(scope="module")
def catalog():
    return conftest.catalog()  # the data the site was built from


@pytest.fixture(scope="module")
def quiz_case(catalog) -> str:
    """A case with the most questions (at least two): review needs one right and one wrong."""
    counts = {slug: sum(len(o.questions) for o in c.objectives) for slug, c in catalog.cases.items()}
    slug = max(counts, key=counts.get) if counts else None
    if not slug or counts[slug] < 2:
        pytest.skip("no case with two questions")
    return slug


def open_quiz(page, base_url, slug):
    page.goto(f"{base_url}cases/{slug}/")
    page.wait_for_selector(READY)
    return page.locator("article [data-quiz]").first


def choices(form) -> dict:
    """From the page itself: the key's radio, one wrong radio, and their letters and explanations."""
    return form.evaluate("""f => {
        const key = f.querySelector('.quiz-explanation[data-correct]');
        const radios = [...f.querySelectorAll('input[type=radio]')];
        const wrong = radios.find(r => r.value !== key.dataset.option);
        const explanation = v => f.querySelector(`.quiz-explanation[data-option="${v}"] .quiz-why`).textContent.trim();
        const letter = v => f.querySelector(`.quiz-explanation[data-option="${v}"]`).dataset.letter;
        return {right: radios.find(r => r.value === key.dataset.option).id, wrong: wrong.id,
                key_letter: key.dataset.letter, wrong_letter: letter(wrong.value),
                key_why: explanation(key.dataset.option), wrong_why: explanation(wrong.value)};
    }""")


def answer(form, radio_id):
    form.locator(f"[id='{radio_id}']").check()
    form.get_by_role("button", name="Check answer").click()


def tallies(quiz) -> list[str]:
    return [t.strip() for t in quiz.locator(".quiz-tally").all_inner_texts()]


def stored(page) -> dict:
    return page.evaluate("""() => Object.fromEntries(Object.keys(localStorage)
        .filter(k => k.startsWith('em-all-quiz:q:')).map(k => [k.slice(14), JSON.parse(localStorage[k])]))""")


def test_one_verdict_with_the_explanations(page, base_url, quiz_case):
    quiz = open_quiz(page, base_url, quiz_case)
    form = quiz.locator("[data-quiz-question]").first
    c = choices(form)
    feedback = form.locator(".quiz-feedback")
    answer(form, c["wrong"])
    text = feedback.inner_text()
    assert text.startswith(f"Not quite: the answer is {c['key_letter']}.")
    assert c["wrong_why"] in text and c["key_why"] in text
    assert "Correct" not in text.split("\n")[0]
    assert feedback.get_attribute("aria-live") == "polite"
    answer(form, c["right"])
    text = feedback.inner_text()
    assert text.startswith("Correct.") and text.count("Correct") == 1, text
    assert c["key_why"] in text
    assert c["wrong_why"] not in text


def test_enter_on_an_option_checks_it(page, base_url, quiz_case):
    """As a form's implicit submission did: a question is not a form (see quiz.js)."""
    quiz = open_quiz(page, base_url, quiz_case)
    question = quiz.locator("[data-quiz-question]").first
    c = choices(question)
    question.locator(f"[id='{c['right']}']").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    assert question.locator(".quiz-feedback").inner_text().startswith("Correct.")
    assert page.evaluate("document.activeElement.id") == c["right"]  # focus stays on the option


def test_progress_survives_reload_and_navigation(page, base_url, quiz_case, catalog):
    quiz = open_quiz(page, base_url, quiz_case)
    forms = quiz.locator("[data-quiz-question]")
    n = forms.count()
    first, second = forms.nth(0), forms.nth(1)
    answer(first, choices(first)["right"])
    answer(second, choices(second)["wrong"])
    expected = f"2 of {n} answered, 1 correct."
    assert tallies(quiz) == [expected, expected]  # top and bottom
    saved = stored(page)
    assert len(saved) == 2 and sorted(r["ok"] for r in saved.values()) == [False, True]

    page.reload()
    page.wait_for_selector(READY)
    quiz = page.locator("article [data-quiz]").first
    assert tallies(quiz) == [expected, expected]
    first, second = quiz.locator("[data-quiz-question]").nth(0), quiz.locator("[data-quiz-question]").nth(1)
    assert first.locator(".quiz-feedback").inner_text().startswith("Correct.")
    assert second.locator(".quiz-feedback").inner_text().startswith("Not quite")
    assert first.locator(f"[id='{choices(first)['right']}']").is_checked()
    assert first.locator(".quiz-feedback").get_attribute("aria-live") == "polite"  # live once restored

    # To the quiz bank, which shows the progress, and back.
    page.get_by_role("link", name="Quiz bank", exact=True).first.click()
    page.wait_for_url("**/quiz/")
    overall = page.locator('[data-quiz-progress=""]')
    overall.wait_for()
    total = sum(len(o.questions) for c in catalog.cases.values() for o in c.objectives)
    assert overall.inner_text() == f"Your progress overall: 2 of {total} answered, 1 correct."
    topics = {}
    for record in saved.values():
        topics.setdefault(record["topic"], []).append(record["ok"])
    for topic, oks in topics.items():
        line = page.locator(f'[data-quiz-progress="{topic}"]')
        assert re.match(rf"Your progress: {len(oks)} of \d+ answered, {sum(oks)} correct\.", line.inner_text())
    # The bank links topic pages, not cases: back to the case through history.
    page.go_back()
    page.wait_for_url(f"**/cases/{quiz_case}/**")
    page.wait_for_selector(READY)
    assert tallies(page.locator("article [data-quiz]").first) == [expected, expected]


def test_review_shows_only_the_wrong_ones_and_goes_back(page, base_url, quiz_case):
    quiz = open_quiz(page, base_url, quiz_case)
    forms = quiz.locator("[data-quiz-question]")
    n = forms.count()
    assert quiz.locator(".quiz-review").first.is_hidden()  # nothing wrong yet
    answer(forms.nth(0), choices(forms.nth(0))["right"])
    wrong_id = forms.nth(1).get_attribute("id")
    answer(forms.nth(1), choices(forms.nth(1))["wrong"])
    review = quiz.locator(".quiz-review").first
    assert review.inner_text() == "Review the ones I got wrong (1)"
    review.click()
    visible = quiz.locator("[data-quiz-question]:visible")
    assert visible.count() == 1 and visible.first.get_attribute("id") == wrong_id
    assert review.get_attribute("aria-pressed") == "true"
    assert review.inner_text() == "Show all questions"
    # a later right answer does not take a question out of review: the first answer counts
    answer(visible.first, choices(visible.first)["right"])
    assert quiz.locator("[data-quiz-question]:visible").count() == 1
    review.click()
    assert quiz.locator("[data-quiz-question]:visible").count() == n
    assert review.get_attribute("aria-pressed") == "false"


def test_reset_forgets_this_quiz(page, base_url, quiz_case):
    quiz = open_quiz(page, base_url, quiz_case)
    forms = quiz.locator("[data-quiz-question]")
    n = forms.count()
    answer(forms.nth(0), choices(forms.nth(0))["wrong"])
    quiz.locator(".quiz-reset").first.click()
    assert tallies(quiz) == [f"0 of {n} answered, 0 correct."] * 2
    assert stored(page) == {}
    assert forms.nth(0).locator(".quiz-feedback").inner_text() == ""
    assert not forms.nth(0).locator("input:checked").count()
    assert page.evaluate("document.activeElement.type") == "radio"  # focus back at the first question
    page.reload()
    page.wait_for_selector(READY)
    assert tallies(page.locator("article [data-quiz]").first) == [f"0 of {n} answered, 0 correct."] * 2


def _mixed_questions(page):
    page.wait_for_url("**/quiz/mixed/?*seed=*")
    page.wait_for_selector(READY)
    return page.locator("[data-quiz-mixed] [data-quiz-question]")


def test_mixed_quiz_draws_across_the_bank_and_keeps_its_questions(page, base_url, catalog):
    total = sum(len(o.questions) for c in catalog.cases.values() for o in c.objectives)
    if not total:
        pytest.skip("no questions")
    page.goto(base_url + "quiz/")
    form = page.locator("form[data-quiz-mixed-form]")
    form.get_by_label("Number of questions").select_option("5")
    form.get_by_role("button", name="Start a mixed quiz").click()
    questions = _mixed_questions(page)
    assert questions.count() == min(5, total)
    ids = [questions.nth(i).get_attribute("id") for i in range(questions.count())]
    assert len(set(ids)) == len(ids)
    cases = {questions.nth(i).get_attribute("data-case") for i in range(questions.count())}
    with_questions = [s for s, c in catalog.cases.items() if c.objectives]
    assert len(cases) == min(len(with_questions), questions.count())  # one per case before a second from any
    # every drawn question is the one on its case page, with the same key
    for i in range(questions.count()):
        q = questions.nth(i)
        qid = q.get_attribute("id")[2:]
        case = next(c for s, c in catalog.cases.items() if s == q.get_attribute("data-case"))
        yaml_q = next(x for o in case.objectives for x in o.questions if x.id == qid)
        key_text = next(o.text for o in yaml_q.options if o.correct)
        assert key_text in q.locator(".quiz-explanation[data-correct]").text_content()
    first = questions.first
    c = choices(first)
    answer(first, c["wrong"])
    assert first.locator(".quiz-feedback").inner_text().startswith(f"Not quite: the answer is {c['key_letter']}.")
    assert page.locator("[data-quiz-mixed] .quiz-tally").first.inner_text() == f"1 of {len(ids)} answered, 0 correct."
    url = page.url
    page.reload()
    questions = _mixed_questions(page)
    assert page.url == url
    assert [questions.nth(i).get_attribute("id") for i in range(questions.count())] == ids
    assert questions.first.locator(".quiz-feedback").inner_text().startswith("Not quite")
    # The answer counts everywhere: on the bank page's progress.
    page.goto(base_url + "quiz/")
    assert page.locator('[data-quiz-progress=""]').inner_text() == f"Your progress overall: 1 of {total} answered, 0 correct."
    # A new mixed quiz prefers questions not answered yet.
    page.locator("form[data-quiz-mixed-form]").get_by_label("Number of questions").select_option("5")
    page.locator("form[data-quiz-mixed-form]").get_by_role("button", name="Start a mixed quiz").click()
    questions = _mixed_questions(page)
    if total > 5:
        assert ids[0] not in [questions.nth(i).get_attribute("id") for i in range(questions.count())]
    # The bank page forgets everything on request.
    page.goto(base_url + "quiz/")
    page.get_by_role("button", name="Forget all my answers").click()
    assert page.locator('[data-quiz-progress=""]').inner_text() == f"Your progress overall: none of {total} answered yet."
    assert stored(page) == {}


def test_mixed_quiz_on_one_topic(page, base_url, catalog):
    per_topic = {}
    for c in catalog.cases.values():
        for o in c.objectives:
            per_topic[o.topic] = per_topic.get(o.topic, 0) + len(o.questions)
    if not per_topic:
        pytest.skip("no questions")
    topic = max(per_topic, key=per_topic.get)
    page.goto(f"{base_url}quiz/mixed/?n=40&topic={topic}")
    questions = _mixed_questions(page)
    assert questions.count() == min(40, per_topic[topic])
    assert {questions.nth(i).get_attribute("data-topic") for i in range(questions.count())} == {topic}
    boxes = page.locator("form[data-quiz-mixed-form] input[name=topic]")
    assert [b.get_attribute("value") for b in page.locator("form[data-quiz-mixed-form] input[name=topic]:checked").all()] == [topic]
    assert boxes.count() == 5


@pytest.mark.parametrize("path", ["case", "mixed"])
def test_print_shows_the_answer_key_and_hides_the_buttons(page, base_url, quiz_case, path):
    if path == "case":
        quiz = open_quiz(page, base_url, quiz_case)
    else:
        page.goto(base_url + "quiz/mixed/?n=5")
        _mixed_questions(page)
        quiz = page.locator("[data-quiz-mixed]")
    forms = quiz.locator("[data-quiz-question]")
    answer(forms.first, choices(forms.first)["wrong"])
    quiz.locator(".quiz-review").first.click()  # a review on screen must not shorten the paper
    keys = [forms.nth(i).locator(".quiz-explanation[data-correct]").get_attribute("data-letter") for i in range(forms.count())]
    whys = [forms.nth(i).locator(".quiz-explanation[data-correct] .quiz-why").text_content().strip() for i in range(forms.count())]
    assert not quiz.locator(".quiz-key").is_visible()  # on screen the answers are in each question
    page.emulate_media(media="print")
    key = quiz.locator(".quiz-key")
    assert key.is_visible()
    items = key.locator("li")
    assert items.count() == forms.count()
    for i in range(items.count()):
        assert items.nth(i).locator("strong").inner_text() == keys[i]
        assert whys[i] in items.nth(i).inner_text()
    assert forms.nth(forms.count() - 1).is_visible()
    for selector in (".quiz-check", ".quiz-reset", ".quiz-review", ".quiz-tally", ".quiz-feedback", "details.quiz-answer"):
        assert not [e for e in quiz.locator(selector).all() if e.is_visible()], selector
    if path == "mixed":
        assert not page.locator("form[data-quiz-mixed-form]").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(ARTIFACTS / f"quiz-print-{path}.pdf"))
    page.emulate_media(media="screen")


@pytest.mark.parametrize("width", [390, 1366])
def test_quiz_fits_and_works_at_phone_and_laptop_width(browser, base_url, quiz_case, width):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()  # noqa: F811
    quiz = open_quiz(page, base_url, quiz_case)
    form = quiz.locator("[data-quiz-question]").first
    form.scroll_into_view_if_needed()
    answer(form, choices(form)["wrong"])
    assert form.locator(".quiz-feedback").is_visible()
    assert quiz.locator(".quiz-toolbar .quiz-review").is_visible()
    overflow = page.evaluate("""() => [...document.querySelectorAll('[data-quiz] *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length""")
    assert overflow == 0
    ARTIFACTS.mkdir(exist_ok=True)
    form.screenshot(path=str(ARTIFACTS / f"quiz-answered-{width}.png"))
    page.goto(base_url + "quiz/")
    assert page.locator("form[data-quiz-mixed-form]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    context.close()
