"""What a case page says, decided here; templates/case*.html.j2 lay it out.

Wording that depends on the data (a dose the source does not give, a response the source
reads two ways, the citation, the CARE items) is worked out once in Python, so a template never
asserts what the data does not say.
"""

from __future__ import annotations

from dataclasses import dataclass

from .facts import CaseFacts
from .model import MRD, NOT_STATED, RESPONSE_LABELS, Case, DrugUse, Reading, Source, SupportiveUse

# Fields the case page does not show, and why (every other field is shown; a test checks both).
DATA_ONLY = {
    "acknowledged": "editorial: warnings a reviewer accepted, with the reason (shown to contributors by validate.py)",
    "source.kind": "used to choose the citation type (BibTeX, RIS) and the page's 'Source' line",
    "timeline.approximate": "shown as '~' before the month",
}


def dose(use: DrugUse | SupportiveUse) -> str:
    """The dose as printed, or an unambiguous 'dose not stated in the source'."""
    if use.dose is None or use.dose.strip().casefold() == NOT_STATED:
        return "dose not stated in the source"
    return use.dose


def reading(r: Reading) -> str:
    text = f"{r.category.value} ({RESPONSE_LABELS[r.category.value]})"
    if r.mrd != MRD.not_reported:
        text += f", MRD-{r.mrd.value}"
    return text


def response(case: Case, number: int) -> str:
    """A line's response; where the source contradicts itself, both readings."""
    r = case.treatment[number - 1].response
    text = reading(r)
    if r.other_reading is not None:
        text += f"; the source also reads it as {reading(r.other_reading)}"
    return text


def responses_by_line(facts: CaseFacts) -> str:
    """What happened, line by line: "line 1: CR → line 2: PD"; "or" gives the source's other reading."""
    return " → ".join(f"line {r.line}: {r.short}" for r in facts.responses)


@dataclass(frozen=True)
class CareLine:
    mark: str
    label: str
    status: str


def care_lines(facts: CaseFacts) -> list[CareLine]:
    return [CareLine("✓" if i.covered else "–", i.label, "covered" if i.covered else "not reported in the source")
            for i in facts.care]


def citation(s: Source) -> str:
    """The reference as one plain sentence (escaped by the template like any other text)."""
    parts = []
    if s.authors:
        parts.append(", ".join(s.authors) + ".")
    if s.title:
        parts.append(s.title.rstrip(".") + ".")
    venue = " ".join(x for x in (s.journal, str(s.year) if s.year else None) if x)
    if venue:
        parts.append(venue + (f";{s.citation}" if s.citation else "") + ".")
    parts.append(s.case_label + ".")
    return " ".join(parts)


def story(case: Case, facts: CaseFacts) -> list[tuple[str, int, object]]:
    """Treatment lines and transplants in the order they happened: (kind, number, item)."""
    return [(kind, n, case.treatment[n - 1] if kind == "line" else case.transplants[n]) for kind, n in facts.story]
