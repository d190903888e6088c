"""Editorial checks on a valid case: de-identification and CARE completeness.

Unambiguous problems are errors; likely ones are warnings, which a case can
acknowledge in its ``acknowledged`` list (check code, the text matched, and a
reason), so a reviewer sees the decision in the file itself.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .load import Document, Problem
from .model import Case

# Fields that are bibliographic, not patient text: author names belong there.
_NOT_PATIENT_TEXT = {"source", "acknowledged"}

_MONTHS = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"

_CITIES = ("Bologna|Milan|Rome|Moscow|Saint Petersburg|St Petersburg|London|Paris|Berlin|Madrid|Houston|Boston|"
           "New York|Chicago|Los Angeles|Seattle|Toronto|Tokyo|Beijing|Shanghai|Seoul|Delhi|Mumbai|Sydney|Melbourne|"
           "Vienna|Munich|Frankfurt|Hamburg|Amsterdam|Stockholm|Zurich|Geneva|Warsaw|Prague|Kyiv|Minsk|Istanbul|Cairo|"
           "Tehran|Riyadh|Dubai|Mexico City|Sao Paulo|São Paulo|Buenos Aires|Lima|Bogota|Santiago")
_CITY_WORDS = {name.split()[0] for name in _CITIES.split("|")}
_CAPITALISED = re.compile(r"[A-Z][a-z]+")
# Digits as "0", with the separators a phone number may have removed (bytes.translate: far
# faster than str's): a run of "0"s there is what the number rules need to be worth running.
_DIGITS, _SEPARATORS = bytes.maketrans(b"0123456789", b"0" * 10), b" \t\n()-"


def _digit_runs(text: str) -> bytes:
    return text.encode().translate(_DIGITS, _SEPARATORS)


@dataclass(frozen=True)
class Rule:
    """One de-identification check. Patterns start with a literal or a character class where
    they can (Python's regex engine then skips ahead fast), and ``worth`` rules out most texts
    before the pattern runs at all: the checks cost well under a millisecond per case."""

    code: str
    pattern: re.Pattern
    message: str
    error: bool
    worth: object = staticmethod(lambda text, lower, words, digits: True)
    after: str = ""  # the match must not follow a letter, digit or one of these characters


DEID_RULES = [
    Rule("deid:email", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "e-mail address", True,
         lambda text, lower, words, digits: "@" in text),
    Rule("deid:phone", re.compile(r"\d(?:[\s()-]*\d){8,}(?!\w|\.\d)"), "phone-number-like digits", True,
         lambda text, lower, words, digits: b"0" * 9 in digits, after="._"),
    Rule("deid:record-number", re.compile(r"\b(?:MRN|medical record|record (?:no|number)|hospital (?:no|number)|patient ID)\b\.?\s*[:#]?\s*\w*\d", re.I),
         "record number", True,
         lambda text, lower, words, digits: any(w in lower for w in ("mrn", "medical record", "record n", "hospital n", "patient id"))),
    Rule("deid:month-date", re.compile(rf"{_MONTHS}\.? (?:\d{{1,2}}, )?(?:19|20)\d\d\b"),
         "month-level date; use months from diagnosis or the year alone", True, after="_"),
    Rule("deid:month-date", re.compile(r"(?:0?[1-9]|1[0-2])/(?:19|20)\d\d\b"),
         "month-level date; use months from diagnosis or the year alone", True,
         lambda text, lower, words, digits: "/19" in text or "/20" in text, after="/_"),
    Rule("deid:age-over-89", re.compile(r"(?:9\d|1[0-2]\d)[- ]year[- ]old\b|aged? (?:9\d|1[0-2]\d)\b", re.I),
         "age over 89; write '90 or older'", True, lambda text, lower, words, digits: "year-old" in lower or "year old" in lower or "aged" in lower,
         after="_"),
    Rule("deid:titled-name", re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.? [A-Z][a-z]+"), "personal name with a title", True,
         lambda text, lower, words, digits: bool(words & {"Dr", "Mr", "Mrs", "Ms", "Miss", "Prof"})),
    Rule("deid:long-number", re.compile(r"\d{7,}(?![\w.,/])"), "long number that may identify a record", False,
         lambda text, lower, words, digits: b"0" * 7 in digits, after=".,/_"),
    Rule("deid:initials", re.compile(r"[A-Z]\.\s?[A-Z]\.(?!\w)"), "initials that may name a person", False, after="_"),
    Rule("deid:institution", re.compile(r"\b(?:[A-Z][\w'-]+ ){1,4}(?:Hospital|University|Clinic|Institute|Medical Cent(?:er|re)|Infirmary|Foundation)\b"
                                        r"|\b(?:Hospital|University|Institute) of [A-Z][\w'-]+"), "institution name", False,
         lambda text, lower, words, digits: bool(words & {"Hospital", "University", "Clinic", "Institute", "Medical", "Infirmary", "Foundation"})),
    Rule("deid:city", re.compile(rf"(?:{_CITIES})(?![\w-])"), "city name", False,
         lambda text, lower, words, digits: bool(words & _CITY_WORDS), after="-_"),
]


@dataclass(frozen=True)
class CareItem:
    key: str
    label: str
    covered: bool


def care_items(case: Case) -> list[CareItem]:
    """The CARE case-report checklist, item by item, for one case. The model requires the core
    items (title, abstract, patient, findings, timeline, diagnosis, intervention, outcome,
    discussion, lessons), so they are always covered; the others may be missing from a source."""
    dx = case.diagnosis
    items = [
        ("title", "Title", True),
        ("abstract", "Abstract (summary)", True),
        ("patient-information", "Patient information", True),
        ("clinical-findings", "Clinical findings", True),
        ("timeline", "Timeline", True),
        ("diagnostic-assessment", "Diagnostic assessment", True),
        ("therapeutic-intervention", "Therapeutic intervention", True),
        ("follow-up-and-outcomes", "Follow-up and outcomes", True),
        ("discussion", "Discussion", True),
        ("take-away-lessons", "Take-away lessons", True),
        ("immunophenotype", "Immunophenotype", bool(dx.immunophenotype)),
        ("adverse-events", "Adverse and unanticipated events",
         any(line.adverse_events for line in case.treatment) or any(t.complications for t in case.transplants)),
        ("follow-up-duration", "Length of follow-up", bool(case.outcome.follow_up)),
        ("patient-perspective", "Patient perspective", bool(case.patient_perspective)),
        ("informed-consent", "Informed consent", bool(case.source.consent)),
    ]
    return [CareItem(*item) for item in items]


def check_case(case: Case, doc: Document, care: list[CareItem] | None = None) -> list[Problem]:
    """De-identification and CARE findings for one valid case, acknowledgements applied."""
    acknowledged = {(a.check, a.match) for a in case.acknowledged}  # match None: the whole check
    found: list[Problem] = []
    # One pass per rule over all patient text joined together (not one per string): the
    # separator cannot be part of a match, and bisect maps a match back to its field.
    patient = {k: v for k, v in doc.data.items() if k not in _NOT_PATIENT_TEXT}
    joined = "\x00".join(_texts(patient))
    fields: list[tuple] = []  # (loc, text), built only when something matches
    starts: list[int] = []
    lower, words, digits = joined.lower(), set(_CAPITALISED.findall(joined)), _digit_runs(joined)
    for rule in DEID_RULES:
        if not rule.worth(joined, lower, words, digits):
            continue
        code, message, is_error = rule.code, rule.message, rule.error
        for match in rule.pattern.finditer(joined):
            before = joined[match.start() - 1] if match.start() else " "
            if "\x00" in match.group(0) or (rule.after and (before.isalnum() or before in rule.after)):
                continue
            if not is_error and ({(code, match.group(0)), (code, None)} & acknowledged):
                continue
            if not fields:
                fields = list(_strings(patient))
                offset = 0
                for _, text in fields:
                    starts.append(offset)
                    offset += len(text) + 1
            loc = fields[bisect.bisect_right(starts, match.start()) - 1][0]
            hint = "" if is_error else f" (if it is not identifying, acknowledge it: check {code}, match '{match.group(0)}')"
            found.append(doc.problem(loc, f"{message}: '{match.group(0)}'{hint}", warning=not is_error))
    for item in care if care is not None else care_items(case):
        if item.covered or (f"care:{item.key}", None) in acknowledged:
            continue
        message = f"CARE item '{item.label}' is not covered (if the source does not report it, acknowledge it: check care:{item.key})"
        found.append(doc.problem((), message, warning=True))
    return found


def _texts(data, out=None) -> list[str]:
    """Every string in ``data``, in document order (as ``_strings``, without building locs)."""
    out = [] if out is None else out
    for item in data.values() if isinstance(data, dict) else data:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, (dict, list)):
            _texts(item, out)
    return out


def _strings(data, loc=()):
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, loc + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, loc + (i,))
