"""Quiz items: option order (balanced, stable), the length-cue rule, the built quizzes and their data.

Unit tests use questions this file makes; the bank tests read whatever cases the catalog holds.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from types import SimpleNamespace

import pytest

import conftest
from conftest import ROOT, html
from macros import quiz
from macros.catalog import load_catalog
from macros.model import Objective, Option, Question


def question(qid: str, texts: list[str], key: int = 0) -> Question:
    return Question(id=qid, stem=f"Stem of {qid}?",
                    options=[Option(text=t, correct=i == key, explanation=f"Why {t}.") for i, t in enumerate(texts)])


def case_of(questions: list[Question]) -> SimpleNamespace:
    """Just what quiz.py reads from a case: objectives of questions (each objective needs two)."""
    objectives = [Objective(id=f"o{i}", text="An objective.", topic="drugs", questions=questions[i:i + 2])
                  for i in range(0, len(questions) - 1, 2)]
    if len(questions) % 2:
        objectives[-1] = Objective(id=objectives[-1].id, text="An objective.", topic="drugs",
                                   questions=list(objectives[-1].questions) + [questions[-1]])
    return SimpleNamespace(objectives=objectives, title="A case")


def synthetic_bank(cases: int, seed: int = 7) -> list[tuple[str, SimpleNamespace]]:
    rng = random.Random(seed)
    bank = []
    for c in range(cases):
        qs = [question(f"c{c}-q{j}", [f"option {k}" for k in range(rng.choice([4, 5]))], key=rng.randrange(4))
              for j in range(rng.randint(2, 9))]
        bank.append((f"case-{c}", case_of(qs)))
    return bank


# ---- option order ------------------------------------------------------------------------

def test_display_order_puts_the_key_where_asked_and_is_stable():
    q = question("stable-q", ["the key", "b", "c", "d", "e"])
    for position in range(5):
        order = quiz.display_order(q, position)
        assert sorted(order) == [0, 1, 2, 3, 4]
        assert order.index(0) == position
        assert order == quiz.display_order(q, position)  # a pure function: same input, same order
        # the distractors keep one hashed order, wherever the key goes
        assert [i for i in order if i != 0] == [i for i in quiz.display_order(q, 0) if i != 0]


def test_key_positions_spread_within_a_case_and_never_repeat_back_to_back():
    for slug, case in synthetic_bank(300):
        qs = [q for o in case.objectives for q in o.questions]
        positions = quiz.key_positions(slug, qs)
        assert all(0 <= p < len(q.options) for p, q in zip(positions, qs))
        assert all(a != b for a, b in zip(positions, positions[1:])), slug
        assert len(set(positions)) > 1, slug
        if len({len(q.options) for q in qs}) == 1:  # same number of options: an even spread
            counts = Counter(positions)
            assert max(counts.values()) - min(counts.get(p, 0) for p in range(len(qs[0].options))) <= 1 or len(qs) < len(qs[0].options)


def test_adding_a_question_or_a_case_reorders_nothing_else():
    bank = synthetic_bank(20)
    before = {slug: [[o.value for o in q.options] for q in quiz.shown_case(slug, case)] for slug, case in bank}
    bank.append(("a-new-case", case_of([question("new-q1", list("abcd")), question("new-q2", list("abcde"))])))
    for slug, case in bank[:-1]:
        assert [[o.value for o in q.options] for q in quiz.shown_case(slug, case)] == before[slug]
    slug, case = bank[0]
    qs = [q for o in case.objectives for q in o.questions]
    longer = case_of(qs + [question("appended-q", list("wxyz"))])
    assert [[o.value for o in q.options] for q in quiz.shown_case(slug, longer)][:len(qs)] == before[slug]


def test_a_large_bank_is_balanced():
    balance = quiz.bank_balance(synthetic_bank(2000))
    assert balance.max_share <= quiz.MAX_POSITION_SHARE, balance.positions
    assert balance.one_position_cases == []


def test_shown_questions_letter_in_order_and_keep_yaml_values():
    q = question("letters-q", ["w", "x", "key", "y"], key=2)
    shown = quiz.shown_case("some-case", case_of([q, question("other-q", list("abcd"))]))[0]
    assert [o.letter for o in shown.options] == ["A", "B", "C", "D"]
    assert sorted(o.value for o in shown.options) == [1, 2, 3, 4]
    assert shown.key.value == 3 and shown.key.text == "key"
    assert all(o.text == q.options[o.value - 1].text for o in shown.options)


# ---- item-writing checks -----------------------------------------------------------------

@pytest.mark.parametrize("texts, warns", [
    (["a much longer correct answer here", "short one", "short two", "short 3"], True),
    (["a bit longer key", "distractor one", "distractor 2", "another one"], False),   # longest, but not by much
    (["key", "a longer distractor", "another distractor", "third"], False),             # not the longest
    (["same length", "also length", "other thing"], False),                           # a tie is not "strictly"
])
def test_length_cue(texts, warns):
    q = question("cue-q", texts + ["filler"] if len(texts) < 4 else texts)
    message = quiz.length_cue(q)
    assert (message is not None) == warns
    if warns:
        assert "longest" in message and "characters" in message


def test_length_cue_counts_visible_characters():
    q = question("space-q", ["key   with    spaces", "distractor one", "distractor two", "distractor 3"])
    assert quiz.length_cue(q) is None  # 15 visible characters, not 20


def test_explanations_lose_their_own_verdict_only():
    assert quiz.clean_explanation("Correct. KMT2A is the subtype.") == "KMT2A is the subtype."
    assert quiz.clean_explanation("Correct: it is.") == "It is."
    assert quiz.clean_explanation("Not the best answer: too late.") == "Too late."
    assert quiz.clean_explanation("Correctly timed biopsy.") == "Correctly timed biopsy."
    assert quiz.clean_explanation("Right-sided lesions are rarer.") == "Right-sided lesions are rarer."
    assert quiz.clean_explanation("Wrong — the marrow was clear.") == "The marrow was clear."


def test_fingerprint_follows_the_wording():
    a = question("fp-q", ["key", "b", "c", "d"])
    b = question("fp-q", ["key", "b", "c", "e"])
    assert quiz.fingerprint(a) == quiz.fingerprint(question("fp-q", ["key", "b", "c", "d"]))
    assert quiz.fingerprint(a) != quiz.fingerprint(b)


def test_bank_balance_reports_each_problem():
    same = SimpleNamespace(objectives=[SimpleNamespace(questions=[question(f"s{i}", ["a long key text", "b", "c", "d"]) for i in range(2)], topic="drugs", id="o")])
    balance = quiz.BankBalance(Counter({"A": 9, "B": 1}), 10, ["one-case"], 5)
    problems = balance.problems()
    assert any("9 of 10 keys are shown as option A" in p for p in problems)
    assert "one-case: every key is shown in the same position" in problems
    assert any("strictly the longest option in 5 of 10" in p for p in problems)
    assert quiz.bank_balance([("s", same)]).key_longest == 2


# ---- the real bank (any corpus) -----------------------------------------------------------

@pytest.fixture(scope="module")
def catalog():
    return conftest.catalog()  # the data the site was built from


def test_real_bank_key_positions_are_balanced(catalog):
    balance = quiz.bank_balance(catalog.cases.items())
    if not balance.questions:
        pytest.skip("no questions in the catalog")
    assert balance.max_share <= quiz.MAX_POSITION_SHARE, balance.positions
    assert balance.one_position_cases == []


def test_real_bank_key_is_rarely_the_longest_option(catalog):
    balance = quiz.bank_balance(catalog.cases.items())
    assert balance.key_longest_share <= quiz.MAX_KEY_LONGEST_SHARE, (
        f"the key is strictly the longest option in {balance.key_longest} of {balance.questions} questions")


# ---- the built site -----------------------------------------------------------------------

def _page_questions(soup):
    return soup.find("article").select("[data-quiz] [data-quiz-question]")


def test_built_quizzes_follow_the_displayed_order(site, catalog):
    positions, per_case = Counter(), {}
    for slug, case in catalog.cases.items():
        soup = html(site, f"cases/{slug}")
        forms = _page_questions(soup)
        shown = quiz.shown_case(slug, case)
        assert [f["id"] for f in forms] == [f"q-{q.id}" for q in shown]
        keys = []
        for form, q in zip(forms, shown):
            options = form.select(".quiz-option")
            letters = [o.select_one(".quiz-letter").get_text(strip=True) for o in options]
            assert letters == [f"{c}." for c in quiz.LETTERS[:len(options)]]
            assert [int(o.find("input")["value"]) for o in options] == [o.value for o in q.options]
            # the no-JS answer block lists the options in the same order, the key marked
            answers = form.select("details .quiz-explanation")
            assert [a["data-option"] for a in answers] == [o.find("input")["value"] for o in options]
            correct = form.select_one("details .quiz-explanation[data-correct]")
            letter = quiz.LETTERS[[a["data-option"] for a in answers].index(correct["data-option"])]
            assert correct["data-letter"] == letter
            keys.append(letter)
            # one verdict per option: an explanation never brings its own "Correct."
            for why in form.select(".quiz-why"):
                assert not re.match(r"(?i)(correct|incorrect)\s*[.:]", why.get_text(strip=True))
        # the paper key at the end: one line per question, in order, with the key's letter
        key_lines = soup.find("article").select(".quiz-key-list li")
        assert [li.find("strong").get_text(strip=True) for li in key_lines] == keys
        assert [int(li["value"]) for li in key_lines] == list(range(1, len(keys) + 1))
        positions.update(keys)
        per_case[slug] = set(keys)
    total = sum(positions.values())
    if total:
        assert max(positions.values()) / total <= quiz.MAX_POSITION_SHARE, positions
        assert not [slug for slug, keys in per_case.items() if len(keys) == 1]


def test_built_quiz_chrome_is_hidden_until_the_script_runs_and_has_no_inline_code(site, catalog):
    pages = [f"cases/{slug}" for slug in catalog.cases] + ["quiz", "quiz/mixed", "quiz/drugs"]
    for path in pages:
        soup = html(site, path)
        for node in soup.select("[data-quiz-chrome]"):
            assert node.has_attr("hidden"), path
        for node in soup.select(".quiz-check"):
            assert node.has_attr("hidden"), path
        for section in soup.select("[data-quiz]"):
            assert section["data-pagefind-ignore"] == "all"
            assert not section.find("script")
            for tag in section.find_all(True):
                assert not [a for a in tag.attrs if a.lower().startswith("on")], (path, tag.name)


def test_quiz_data_matches_the_pages(site, catalog):
    index = json.loads((site / quiz.DATA_DIR / "index.json").read_text(encoding="utf-8"))
    topics = [t for t, _ in index["topics"]]
    listed = {slug: counts for slug, counts in index["cases"]}
    for slug, case in catalog.cases.items():
        questions = [(o.topic, q) for o in case.objectives for q in o.questions]
        if not questions:
            assert slug not in listed
            continue
        assert listed[slug] == [sum(t == topic for t, _ in questions) for topic in topics]
        data = json.loads((site / quiz.DATA_DIR / f"{slug}.json").read_text(encoding="utf-8"))
        forms = _page_questions(html(site, f"cases/{slug}"))
        assert [q["id"] for q in data["questions"]] == [f["id"][2:] for f in forms]
        for q, form in zip(data["questions"], forms):
            assert [str(o["value"]) for o in q["options"]] == [i["value"] for i in form.select("input[type=radio]")]
            assert q["version"] == form["data-version"]
            assert sum(o["correct"] for o in q["options"]) == 1


def test_mixed_quiz_page_and_bank_progress_markup(site, catalog):
    bank = html(site, "quiz")
    form = bank.select_one("form[data-quiz-mixed-form]")
    assert form["action"] == "mixed/" and form["method"] == "get"
    assert {i["value"] for i in form.select("input[name=topic]")} == {"drugs", "antigens", "em-sites", "transplant", "response-assessment"}
    total = sum(len(o.questions) for c in catalog.cases.values() for o in c.objectives)
    overall = bank.select_one('[data-quiz-progress=""]')
    assert int(overall["data-total"]) == total
    assert sum(int(p["data-total"]) for p in bank.select("[data-quiz-progress]") if p["data-quiz-progress"]) == total
    mixed = html(site, "quiz/mixed")
    assert mixed.select_one("[data-quiz-mixed][data-bank]")
    assert mixed.find("noscript")
    assert not mixed.select("[data-pagefind-body]")  # the page is out of the search index


def test_topic_pages_number_their_questions_and_end_with_the_key(site, catalog):
    from macros.render import quiz_page_path, quiz_pages
    for topic, count in quiz_pages(catalog).items():
        for number in range(1, count + 1):
            soup = html(site, quiz_page_path(topic, number).removesuffix(".md").removesuffix("/index"))
            forms = _page_questions(soup)
            assert {f["data-topic"] for f in forms} <= {topic}
            numbers = [f.select_one(".quiz-number").get_text(strip=True) for f in forms]
            assert numbers == [f"Question {i}." for i in range(1, len(forms) + 1)]
            keys = [f.select_one("details .quiz-explanation[data-correct]")["data-letter"] for f in forms]
            assert [li.find("strong").get_text(strip=True) for li in soup.select("article .quiz-key-list li")] == keys
