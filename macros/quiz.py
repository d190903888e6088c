"""Quiz questions as a reader sees them: option order, item-writing checks, the mixed-quiz data.

**Option order is decided by the build, not by authors.** In the YAML the key may be
written anywhere (most authors write it first); on the page each question's options are
shown in an order that is

- *balanced*: within a case each question's key goes to the position used least so far by that
  case, never the previous question's, ties broken by a hash of the case slug
  (``key_positions``); so a case's keys are spread evenly without forming a visible pattern,
  and over the bank each position holds about ``1/n`` of the keys;
- *stable*: the order is a pure function of the case slug, the questions before it in its
  case and the question id (SHA-256, never Python's salted ``hash()``), so every build gives the
  same order, the no-JS answer block and the printed key always match the radios, and a
  reader's saved answer still points at the same option;
- *independent*: nothing depends on other cases, so adding a case never reorders another, and
  a question added at the end of a case leaves the case's earlier questions as they were.

Why not let authors order options and have the validator enforce balance: authors would have to
juggle positions across the bank every time they add a question, and a rule they can satisfy
only by moving text around teaches nothing. Distractors follow a hashed order (from the question
id and the option's place in the YAML), so the distractors' order carries no cue either.

**Length cue** (``length_cue``): a question warns when its key is strictly the longest option
*and* longer than 1.5 times the mean length of the distractors. The first half alone would
flag keys only a character or two longer than the rest; the second alone would flag a long
key even when a distractor is longer still, so that the key does not stand out. Lengths are counted in characters of the
visible text (whitespace collapsed).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from statistics import mean
from typing import Callable, Iterable

LETTERS = "ABCDE"
LENGTH_RATIO = 1.5          # see length_cue
MAX_POSITION_SHARE = 0.30   # no position may hold more of the bank's keys than this
MAX_KEY_LONGEST_SHARE = 1 / 3

# Some explanations open with a verdict of their own ("Correct. ..."); the page adds the verdict.
_VERDICT = re.compile(r"^\s*(?:correct|incorrect|right|wrong|not (?:the best answer|quite))(?:\s*[.:!]|\s+[—–-])\s*", re.I)


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def _length(text: str) -> int:
    return len(" ".join(str(text).split()))


def key_index(question) -> int:
    """Where the key is in the YAML (the model guarantees exactly one correct option)."""
    return next(i for i, option in enumerate(question.options) if option.correct)


def key_positions(slug: str, questions: list) -> list[int]:
    """Where each question of case ``slug`` shows its key (0 = A), in case order.

    Each question takes, among its own positions, one that is not the previous question's and
    has been used least so far in this case; ties are broken by a hash of the slug, the
    question's place and the position. So keys spread evenly over a case, two consecutive
    questions never share a position (no case of two or more has all keys in one place), and
    the sequence is not a visible walk (A, B, C, D) a test-wise reader could follow.
    """
    out: list[int] = []
    used: Counter = Counter()
    for j, q in enumerate(questions):
        choices = [p for p in range(len(q.options)) if not out or p != out[-1]]
        least = min(used[p] for p in choices)
        position = min((p for p in choices if used[p] == least), key=lambda p: _digest(f"key:{slug}:{j}:{p}"))
        used[position] += 1
        out.append(position)
    return out


def display_order(question, position: int) -> list[int]:
    """The YAML indices of ``question``'s options in the order shown, its key at ``position``.

    Distractors keep a hashed order (question id and YAML place), the same on every build.
    """
    n = len(question.options)
    key = key_index(question)
    distractors = sorted((i for i in range(n) if i != key), key=lambda i: _digest(f"{question.id}:{i}"))
    return distractors[:position] + [key] + distractors[position:]


def case_orders(slug: str, questions: list) -> list[list[int]]:
    """``display_order`` for every question of a case, in case order."""
    return [display_order(q, p) for q, p in zip(questions, key_positions(slug, questions))]


def clean_explanation(text: str) -> str:
    """The explanation without a verdict of its own: the page says "Correct." once."""
    stripped = _VERDICT.sub("", str(text), count=1)
    return stripped[:1].upper() + stripped[1:] if stripped else str(text)


def fingerprint(question) -> str:
    """Changes when the question's stem or options change, so a saved answer to an old version is dropped."""
    parts = [question.id, question.stem] + [f"{o.correct}:{o.text}" for o in question.options]
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True)
class ShownOption:
    letter: str         # A-E, in displayed order
    value: int          # 1-based place in the YAML: what the radio submits and what a reader's answer stores
    text: str
    correct: bool
    explanation: str    # without a leading verdict


@dataclass(frozen=True)
class ShownQuestion:
    id: str
    stem: str
    case: str
    topic: str
    objective: str
    version: str
    options: list[ShownOption] = field(default_factory=list)

    @property
    def key(self) -> ShownOption:
        return next(o for o in self.options if o.correct)


def shown_case(slug: str, case) -> list[ShownQuestion]:
    """Every question of a case, in case order, with its options in displayed order."""
    flat = [(o, q) for o in case.objectives for q in o.questions]
    orders = case_orders(slug, [q for _, q in flat])
    out = []
    for (objective, q), order in zip(flat, orders):
        options = [ShownOption(LETTERS[pos], i + 1, q.options[i].text, q.options[i].correct,
                               clean_explanation(q.options[i].explanation)) for pos, i in enumerate(order)]
        out.append(ShownQuestion(q.id, q.stem, slug, objective.topic, objective.id, fingerprint(q), options))
    return out


_SHOWN: dict[str, tuple[object, dict[str, ShownQuestion]]] = {}


def _shown_by_id(slug: str, case) -> dict[str, ShownQuestion]:
    # Worked out once per case object: the pages and the data files of one build share it,
    # and a rebuild (new catalog, new case objects) works it out afresh.
    cached = _SHOWN.get(slug)
    if cached is None or cached[0] is not case:
        cached = _SHOWN[slug] = (case, {q.id: q for q in shown_case(slug, case)})
    return cached[1]


def shown(slug: str, case, question_id: str) -> ShownQuestion:
    """One question as shown (templates call this)."""
    return _shown_by_id(slug, case)[question_id]


# ---- item-writing checks -------------------------------------------------------------------

def length_cue(question) -> str | None:
    """A warning when the key stands out by length (see the module docstring), else None."""
    key = key_index(question)
    lengths = [_length(o.text) for o in question.options]
    others = [n for i, n in enumerate(lengths) if i != key]
    if lengths[key] > max(others) and lengths[key] > LENGTH_RATIO * mean(others):
        return (f"the correct option is the longest ({lengths[key]} characters; the others average "
                f"{mean(others):.0f}): a test-wise reader can pick it without reading the stem. "
                "Shorten it or give the distractors the same detail")
    return None


def key_is_longest(question) -> bool:
    key = key_index(question)
    lengths = [_length(o.text) for o in question.options]
    return lengths[key] > max(n for i, n in enumerate(lengths) if i != key)


@dataclass(frozen=True)
class BankBalance:
    """Where the keys are shown across a bank of questions, and how often the key is the longest option."""

    positions: Counter            # letter -> number of keys shown there
    questions: int
    one_position_cases: list[str]  # cases (with 2+ questions) whose keys are all in one position
    key_longest: int               # questions whose key is strictly the longest option

    @property
    def max_share(self) -> float:
        return max(self.positions.values()) / self.questions if self.questions else 0.0

    @property
    def key_longest_share(self) -> float:
        return self.key_longest / self.questions if self.questions else 0.0

    def problems(self) -> list[str]:
        out = []
        if self.max_share > MAX_POSITION_SHARE:
            letter, count = self.positions.most_common(1)[0]
            out.append(f"{count} of {self.questions} keys are shown as option {letter} (more than {MAX_POSITION_SHARE:.0%})")
        out += [f"{slug}: every key is shown in the same position" for slug in self.one_position_cases]
        if self.key_longest_share > MAX_KEY_LONGEST_SHARE:
            out.append(f"the key is strictly the longest option in {self.key_longest} of {self.questions} questions (more than a third)")
        return out


def bank_balance(cases: Iterable[tuple[str, object]]) -> BankBalance:
    """Balance over ``(slug, case)`` pairs, e.g. ``catalog.cases.items()``."""
    positions: Counter = Counter()
    one_position, total, longest = [], 0, 0
    for slug, case in cases:
        shown_questions = shown_case(slug, case)
        letters = {q.key.letter for q in shown_questions}
        positions.update(q.key.letter for q in shown_questions)
        total += len(shown_questions)
        if len(shown_questions) >= 2 and len(letters) == 1:
            one_position.append(slug)
        longest += sum(key_is_longest(q) for o in case.objectives for q in o.questions)
    return BankBalance(positions, total, one_position, longest)


# ---- the mixed quiz's data -----------------------------------------------------------------

DATA_DIR = "quiz/data"  # under the site root: index.json and one <slug>.json per case with questions


def question_json(q: ShownQuestion) -> dict:
    return {"id": q.id, "topic": q.topic, "stem": q.stem, "version": q.version,
            "options": [{"letter": o.letter, "value": o.value, "text": o.text, "correct": o.correct,
                         "why": o.explanation} for o in q.options]}


def data_files(cat, topics: dict[str, str]) -> list[tuple[str, str | Callable[[], str]]]:
    """The mixed quiz's data: a small index (per case, how many questions on each topic) and one
    file per case with its questions as shown on its page. A mixed quiz of N questions downloads
    the index and at most N case files, however large the bank grows."""
    order = list(topics)
    index_rows, files = [], []
    for slug, case in cat.cases.items():
        questions = list(_shown_by_id(slug, case).values())
        if not questions:
            continue
        counts = Counter(q.topic for q in questions)
        index_rows.append([slug, [counts.get(t, 0) for t in order]])
        files.append((f"{DATA_DIR}/{slug}.json", partial(_case_file, slug, case)))  # made when written
    index = {"version": 1, "topics": [[t, topics[t]] for t in order], "cases": index_rows}
    return [(f"{DATA_DIR}/index.json", _dump(index))] + files


def _case_file(slug: str, case) -> str:
    questions = _shown_by_id(slug, case).values()
    return _dump({"case": slug, "title": case.title, "questions": [question_json(q) for q in questions]})


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
